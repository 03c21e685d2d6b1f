"""ORM models of the purchasing domain."""
