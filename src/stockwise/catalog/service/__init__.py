"""Use cases of the catalogue; other domains call these (never the repository)."""

from stockwise.catalog.service.locations import (
    create_location,
    delete_location,
    get_location,
    list_locations,
    update_location,
)
from stockwise.catalog.service.product_suppliers import (
    add_product_supplier,
    get_product_supplier,
    list_product_suppliers,
    remove_product_supplier,
    suppliers_by_product,
    update_product_supplier,
)
from stockwise.catalog.service.products import (
    create_product,
    delete_product,
    get_product,
    list_products,
    update_product,
)
from stockwise.catalog.service.seeding import CatalogIds, refresh_catalog_statistics, seed_catalog
from stockwise.catalog.service.suppliers import (
    create_supplier,
    delete_supplier,
    get_supplier,
    list_suppliers,
    update_supplier,
)

__all__ = [
    "CatalogIds",
    "add_product_supplier",
    "create_location",
    "create_product",
    "create_supplier",
    "delete_location",
    "delete_product",
    "delete_supplier",
    "get_location",
    "get_product",
    "get_product_supplier",
    "get_supplier",
    "list_locations",
    "list_product_suppliers",
    "list_products",
    "list_suppliers",
    "refresh_catalog_statistics",
    "remove_product_supplier",
    "seed_catalog",
    "suppliers_by_product",
    "update_location",
    "update_product",
    "update_product_supplier",
    "update_supplier",
]
