"""Stockwise: multi-tenant inventory planning service."""
