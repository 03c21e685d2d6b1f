"""Purchase order documents: CSV (formula-safe cells) and PDF (fpdf2, built off the event loop)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from fpdf import FPDF
from starlette.concurrency import run_in_threadpool

from stockwise.catalog.models import Location, Supplier
from stockwise.core.csvsafe import safe_csv_cell
from stockwise.core.unit_of_work import UnitOfWork
from stockwise.purchasing.models import PurchaseOrder
from stockwise.purchasing.repository import CatalogReader
from stockwise.purchasing.service.orders import get_purchase_order

LINE_HEADER = (
    "line",
    "sku",
    "supplier_sku",
    "product",
    "unit",
    "ordered",
    "received",
    "unit_price",
    "line_total",
)


@dataclass(frozen=True, slots=True)
class PoDocument:
    po: PurchaseOrder
    supplier: Supplier
    location: Location

    @property
    def filename_stem(self) -> str:
        return re.sub(r"[^A-Za-z0-9._-]+", "_", self.po.po_number)

    def header_rows(self) -> list[tuple[str, object]]:
        po = self.po
        return [
            ("PO number", po.po_number),
            ("Status", po.status),
            ("Supplier", f"{self.supplier.code} {self.supplier.name}"),
            ("Deliver to", f"{self.location.code} {self.location.name}"),
            ("Order date", po.order_date.isoformat()),
            ("Expected date", po.expected_date.isoformat()),
            ("Currency", po.currency),
            ("Notes", po.notes or ""),
        ]

    def line_rows(self) -> list[tuple[object, ...]]:
        return [
            (
                line.line_no,
                line.sku,
                line.supplier_sku or "",
                line.product_name,
                line.unit,
                line.quantity_ordered,
                line.quantity_received,
                line.unit_price,
                line.line_total,
            )
            for line in self.po.lines
        ]


async def load_document(uow: UnitOfWork, *, purchase_order_id: int) -> PoDocument:
    po = await get_purchase_order(uow, purchase_order_id=purchase_order_id)
    reader = CatalogReader(uow)
    suppliers, locations = await reader.suppliers([po.supplier_id]), await reader.locations([po.location_id])
    return PoDocument(po=po, supplier=suppliers[po.supplier_id], location=locations[po.location_id])


def render_csv(document: PoDocument) -> bytes:
    """Header block, a blank row, the lines and the total; every cell through safe_csv_cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    rows: list[tuple[object, ...]] = [*document.header_rows(), (), LINE_HEADER, *document.line_rows()]
    rows.append(("", "", "", "", "", "", "", "Total", document.po.total_amount))
    for row in rows:
        writer.writerow([safe_csv_cell(cell) for cell in row])
    return buffer.getvalue().encode("utf-8")


async def render_pdf(document: PoDocument) -> bytes:
    return await run_in_threadpool(_pdf_bytes, document)


def _latin1(value: object) -> str:
    """The PDF core fonts are Latin-1: anything else becomes '?', never an error."""
    return str(value).encode("latin-1", "replace").decode("latin-1")


_WIDTHS = (10, 28, 24, 52, 12, 20, 20, 22, 26)


def _pdf_bytes(document: PoDocument) -> bytes:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1(f"Purchase order {document.po.po_number}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for label, value in document.header_rows():
        pdf.cell(0, 6, _latin1(f"{label}: {value}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 9)
    for width, title in zip(_WIDTHS, LINE_HEADER, strict=True):
        pdf.cell(width, 7, title, border=1)
    pdf.ln()
    pdf.set_font("Helvetica", size=9)
    for row in document.line_rows():
        for width, cell in zip(_WIDTHS, row, strict=True):
            pdf.cell(width, 6, _latin1(cell)[:40], border=1)
        pdf.ln()
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(sum(_WIDTHS[:-1]), 7, _latin1(f"Total ({document.po.currency})"), border=1, align="R")
    pdf.cell(_WIDTHS[-1], 7, _latin1(document.po.total_amount), border=1)
    return bytes(pdf.output())
