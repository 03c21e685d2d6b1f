"""purchasing tables: carts, purchase orders, receipts, PO counters, idempotency keys

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from migrations.tenancy_rls import enable_tenant_rls, grant_app_role

import stockwise.core.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "po_counter",
    "cart_item",
    "idempotency_key",
    "purchase_order",
    "purchase_order_line",
    "receipt",
    "receipt_line",
)


def upgrade() -> None:
    op.create_table(
        "po_counter",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("period", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_po_counter_client_id_client"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_po_counter")),
        sa.UniqueConstraint("client_id", "id", name=op.f("uq_po_counter_client_id_id")),
        sa.UniqueConstraint("client_id", "period", name=op.f("uq_po_counter_client_id_period")),
    )
    op.create_table(
        "cart_item",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("location_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("supplier_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("quantity", stockwise.core.types.ExactDecimal(precision=18, scale=4), nullable=False),
        sa.Column("unit_price", stockwise.core.types.ExactDecimal(precision=18, scale=4), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", stockwise.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", stockwise.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id", "location_id"],
            ["location.client_id", "location.id"],
            name=op.f("fk_cart_item_client_id_location_id_location"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id", "product_id"],
            ["product.client_id", "product.id"],
            name=op.f("fk_cart_item_client_id_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id", "supplier_id"],
            ["supplier.client_id", "supplier.id"],
            name=op.f("fk_cart_item_client_id_supplier_id_supplier"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id", "user_id"],
            ["user.client_id", "user.id"],
            name=op.f("fk_cart_item_client_id_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_cart_item_client_id_client"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cart_item")),
        sa.UniqueConstraint("client_id", "id", name=op.f("uq_cart_item_client_id_id")),
        sa.UniqueConstraint(
            "client_id",
            "user_id",
            "product_id",
            "location_id",
            "supplier_id",
            name=op.f("uq_cart_item_client_id_user_id_product_id_location_id_supplier_id"),
        ),
    )
    op.create_table(
        "idempotency_key",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("route", sa.String(length=300), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("created_at", stockwise.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", stockwise.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id", "user_id"],
            ["user.client_id", "user.id"],
            name=op.f("fk_idempotency_key_client_id_user_id_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_idempotency_key_client_id_client"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_key")),
        sa.UniqueConstraint("client_id", "id", name=op.f("uq_idempotency_key_client_id_id")),
        sa.UniqueConstraint(
            "client_id",
            "user_id",
            "route",
            "key",
            name=op.f("uq_idempotency_key_client_id_user_id_route_key"),
        ),
    )
    with op.batch_alter_table("idempotency_key", schema=None) as batch_op:
        batch_op.create_index("ix_idempotency_key_client_expires", ["client_id", "expires_at"], unique=False)

    op.create_table(
        "purchase_order",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("po_number", sa.String(length=64), nullable=False),
        sa.Column("supplier_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("location_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("expected_date", sa.Date(), nullable=False),
        sa.Column("notes", sa.String(length=2000), nullable=True),
        sa.Column("total_amount", stockwise.core.types.ExactDecimal(precision=18, scale=4), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("submitted_at", stockwise.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", stockwise.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", stockwise.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", stockwise.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id", "location_id"],
            ["location.client_id", "location.id"],
            name=op.f("fk_purchase_order_client_id_location_id_location"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id", "supplier_id"],
            ["supplier.client_id", "supplier.id"],
            name=op.f("fk_purchase_order_client_id_supplier_id_supplier"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_purchase_order_client_id_client"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order")),
        sa.UniqueConstraint("client_id", "id", name=op.f("uq_purchase_order_client_id_id")),
        sa.UniqueConstraint("client_id", "po_number", name=op.f("uq_purchase_order_client_id_po_number")),
    )
    with op.batch_alter_table("purchase_order", schema=None) as batch_op:
        batch_op.create_index(
            "ix_purchase_order_client_order_date", ["client_id", "order_date"], unique=False
        )
        batch_op.create_index("ix_purchase_order_client_status", ["client_id", "status"], unique=False)
        batch_op.create_index("ix_purchase_order_client_supplier", ["client_id", "supplier_id"], unique=False)

    op.create_table(
        "purchase_order_line",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("purchase_order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sku", sa.String(length=128), nullable=False),
        sa.Column("product_name", sa.String(length=300), nullable=False),
        sa.Column("supplier_sku", sa.String(length=128), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column(
            "quantity_ordered", stockwise.core.types.ExactDecimal(precision=18, scale=4), nullable=False
        ),
        sa.Column(
            "quantity_received", stockwise.core.types.ExactDecimal(precision=18, scale=4), nullable=False
        ),
        sa.Column("unit_price", stockwise.core.types.ExactDecimal(precision=18, scale=4), nullable=False),
        sa.Column("line_total", stockwise.core.types.ExactDecimal(precision=18, scale=4), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id", "product_id"],
            ["product.client_id", "product.id"],
            name=op.f("fk_purchase_order_line_client_id_product_id_product"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id", "purchase_order_id"],
            ["purchase_order.client_id", "purchase_order.id"],
            name=op.f("fk_purchase_order_line_client_id_purchase_order_id_purchase_order"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["client.id"],
            name=op.f("fk_purchase_order_line_client_id_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order_line")),
        sa.UniqueConstraint("client_id", "id", name=op.f("uq_purchase_order_line_client_id_id")),
        sa.UniqueConstraint(
            "client_id",
            "purchase_order_id",
            "product_id",
            name=op.f("uq_purchase_order_line_client_id_purchase_order_id_product_id"),
        ),
    )
    with op.batch_alter_table("purchase_order_line", schema=None) as batch_op:
        batch_op.create_index(
            "ix_purchase_order_line_client_product", ["client_id", "product_id"], unique=False
        )

    op.create_table(
        "receipt",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("purchase_order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reverses_receipt_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("received_at", stockwise.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id", "purchase_order_id"],
            ["purchase_order.client_id", "purchase_order.id"],
            name=op.f("fk_receipt_client_id_purchase_order_id_purchase_order"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id", "reverses_receipt_id"],
            ["receipt.client_id", "receipt.id"],
            name=op.f("fk_receipt_client_id_reverses_receipt_id_receipt"),
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_receipt_client_id_client"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt")),
        sa.UniqueConstraint("client_id", "id", name=op.f("uq_receipt_client_id_id")),
        sa.UniqueConstraint(
            "client_id", "reverses_receipt_id", name=op.f("uq_receipt_client_id_reverses_receipt_id")
        ),
    )
    with op.batch_alter_table("receipt", schema=None) as batch_op:
        batch_op.create_index(
            "ix_receipt_client_purchase_order", ["client_id", "purchase_order_id"], unique=False
        )

    op.create_table(
        "receipt_line",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("receipt_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "purchase_order_line_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("quantity", stockwise.core.types.ExactDecimal(precision=18, scale=4), nullable=False),
        sa.Column("client_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id", "purchase_order_line_id"],
            ["purchase_order_line.client_id", "purchase_order_line.id"],
            name=op.f("fk_receipt_line_client_id_purchase_order_line_id_purchase_order_line"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id", "receipt_id"],
            ["receipt.client_id", "receipt.id"],
            name=op.f("fk_receipt_line_client_id_receipt_id_receipt"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_receipt_line_client_id_client"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_line")),
        sa.UniqueConstraint("client_id", "id", name=op.f("uq_receipt_line_client_id_id")),
    )
    with op.batch_alter_table("receipt_line", schema=None) as batch_op:
        batch_op.create_index("ix_receipt_line_client_receipt", ["client_id", "receipt_id"], unique=False)
    enable_tenant_rls(*TABLES)
    grant_app_role()


def downgrade() -> None:
    with op.batch_alter_table("receipt_line", schema=None) as batch_op:
        batch_op.drop_index("ix_receipt_line_client_receipt")

    op.drop_table("receipt_line")
    with op.batch_alter_table("receipt", schema=None) as batch_op:
        batch_op.drop_index("ix_receipt_client_purchase_order")

    op.drop_table("receipt")
    with op.batch_alter_table("purchase_order_line", schema=None) as batch_op:
        batch_op.drop_index("ix_purchase_order_line_client_product")

    op.drop_table("purchase_order_line")
    with op.batch_alter_table("purchase_order", schema=None) as batch_op:
        batch_op.drop_index("ix_purchase_order_client_supplier")
        batch_op.drop_index("ix_purchase_order_client_status")
        batch_op.drop_index("ix_purchase_order_client_order_date")

    op.drop_table("purchase_order")
    with op.batch_alter_table("idempotency_key", schema=None) as batch_op:
        batch_op.drop_index("ix_idempotency_key_client_expires")

    op.drop_table("idempotency_key")
    op.drop_table("cart_item")
    op.drop_table("po_counter")
