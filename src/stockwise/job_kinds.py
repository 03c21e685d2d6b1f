"""Imports every module that registers a job handler, so API and worker know the same kinds."""

from stockwise.tenancy import export as tenant_export

__all__ = ["tenant_export"]
