"""ORM models of the etl domain."""
