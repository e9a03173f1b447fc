"""Canonical datasets of the KPI book (section 1): columns, kinds, and what is required.

Everything the importer maps, parses and stores is described here once; the store's tables,
the upload templates and the README's data model follow from these definitions.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "text" | "number" | "date"
    required: bool = False
    meaning: str = ""
    # import-only helpers are mapped and parsed but not stored as such (e.g. Shopify "Cancelled at").
    import_only: bool = False


@dataclass(frozen=True)
class Dataset:
    name: str
    label: str
    monthly: bool
    description: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def stored_columns(self) -> list[Column]:
        return [c for c in self.columns if not c.import_only]

    @property
    def columns_by_name(self) -> dict[str, Column]:
        return {c.name: c for c in self.columns}

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


ORDERS = Dataset(
    name="orders",
    label="Orders (order lines)",
    monthly=True,
    description="Order lines as exported at the end of the month: open, partly shipped, shipped and "
    "cancelled lines with their cumulative quantities.",
    columns=(
        Column("order_id", "text", True, "order number"),
        Column("line_id", "text", False, "line within the order (else the line is order + SKU)"),
        Column("sku", "text", True, "item code, kept as text (leading zeros matter)"),
        Column("order_date", "date", True, "when the customer placed the order"),
        Column("qty_ordered", "number", True, "ordered quantity"),
        Column("qty_shipped", "number", False, "quantity shipped so far (cumulative); blank = 0"),
        Column("ship_date", "date", False, "date of the latest shipment of the line"),
        Column("qty_cancelled", "number", False, "quantity cancelled so far (cumulative); blank = 0"),
        Column("promised_date", "date", False, "date promised to the customer"),
        Column("unit_price", "number", False, "selling price per unit"),
        Column("customer", "text", False, "customer id or name"),
        Column("location", "text", False, "warehouse or site"),
        Column("status", "text", False, "open / partial / shipped / cancelled as the source says it"),
        Column("cancelled_at", "date", False, "order cancelled on this date (Shopify 'Cancelled at'): "
               "the line counts as cancelled", import_only=True),
        Column("sku_name", "text", False, "product name, used as the SKU where the SKU is blank",
               import_only=True),
        Column("line_amount", "number", False, "the line's total price (Amazon item-price): the unit "
               "price is this divided by the ordered quantity when the file has no unit price",
               import_only=True),
    ),
)

STOCK = Dataset(
    name="stock",
    label="Stock (on hand at month end)",
    monthly=True,
    description="On-hand stock per SKU (and location or bin) at the end of the month, with unit cost.",
    columns=(
        Column("sku", "text", True, "item code"),
        Column("qty_on_hand", "number", True, "units on hand (may be negative)"),
        Column("unit_cost", "number", False, "cost per unit at that date"),
        Column("location", "text", False, "warehouse, site or bin"),
        Column("snapshot_date", "date", False, "date of the count; defaults to the month's last day"),
        Column("sku_name", "text", False, "product name, used as the SKU where the SKU is blank",
               import_only=True),
        Column("variant_1", "text", False, "variant option (Shopify Option1 Value)", import_only=True),
        Column("variant_2", "text", False, "variant option (Shopify Option2 Value)", import_only=True),
        Column("variant_3", "text", False, "variant option (Shopify Option3 Value)", import_only=True),
        Column("storage_location", "text", False, "storage location within the plant (SAP): the location "
               "is 'plant/storage location'", import_only=True),
        Column("stock_value", "number", False, "total value of the row's stock (SAP 'Value Unrestricted'): "
               "the unit cost is value / quantity when the file has no unit cost", import_only=True),
    ),
)

PRODUCTS = Dataset(
    name="products",
    label="Products (item master)",
    monthly=False,
    description="Item master: the latest upload replaces the previous one.",
    columns=(
        Column("sku", "text", True, "item code"),
        Column("description", "text", False, "item description"),
        Column("category", "text", False, "product category"),
        Column("supplier", "text", False, "main supplier"),
        Column("unit_cost", "number", False, "standard cost per unit"),
        Column("lead_time_days", "number", False, "supplier lead time in days"),
    ),
)

PURCHASE_ORDERS = Dataset(
    name="purchase_orders",
    label="Purchase orders",
    monthly=True,
    description="Open and received purchase order lines as exported at the end of the month.",
    columns=(
        Column("po_id", "text", True, "purchase order number"),
        Column("line_id", "text", False, "line within the purchase order"),
        Column("sku", "text", True, "item code"),
        Column("supplier", "text", False, "supplier"),
        Column("order_date", "date", False, "when the purchase order was placed"),
        Column("expected_date", "date", False, "date the supplier confirmed"),
        Column("received_date", "date", False, "date of the (latest) receipt"),
        Column("qty_ordered", "number", True, "ordered quantity"),
        Column("qty_received", "number", False, "quantity received so far"),
        Column("unit_cost", "number", False, "purchase price per unit"),
        Column("qty_open", "number", False, "quantity still to be delivered (SAP ME2N): the received "
               "quantity is ordered minus this when the file has no received quantity", import_only=True),
    ),
)

DATASETS: dict[str, Dataset] = {d.name: d for d in (ORDERS, STOCK, PRODUCTS, PURCHASE_ORDERS)}


def get(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r}: choose one of {', '.join(DATASETS)}") from None
