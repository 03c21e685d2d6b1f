"""Building blocks of the demo dataset; `stockwise.catalog.demo_data` assembles them."""
