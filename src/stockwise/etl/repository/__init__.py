"""SQL of the etl domain: run records and uploads, reference look-ups, staging and the bulk merge."""
