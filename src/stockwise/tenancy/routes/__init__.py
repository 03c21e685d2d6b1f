"""HTTP routes of the tenancy domain (auth, users, settings, audit, jobs, exports)."""
