"""Demand history now; forecast runs and the testbed later."""
