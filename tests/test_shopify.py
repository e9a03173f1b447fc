"""Shopify exports as Shopify writes them: the orders export (79 columns, order-level fields on an
order's first line only) and the inventory export (one row per variant and location).

fixtures/shopify_orders_2024-01.csv holds four orders:
- #1001 fulfilled: 2 x TS-RED-M at 20.00 and 1 x MUG-01 at 12.50; Fulfilled at 2024-01-26 on the
  first line only; both lines "fulfilled".
- #1002 pending (unfulfilled): 3 x 00123 (a poster) at 5.00, line status "pending".
- #1003 cancelled: 1 x TS-RED-M and 4 x MUG-01, lines "pending", Cancelled at 2024-01-30 on the
  first line only.
- #1004 pending: 1 x a gift card with a blank Lineitem sku; its Lineitem name stands in. Created at
  "2024-01-31 23:58:00 -0500" (1 February in UTC, 31 January as written).
fixtures/shopify_inventory.csv: T-Shirt Red/M (TS-RED-M) at two locations, T-Shirt Blue/L with
no SKU, Mug (MUG-01) at two locations of which one "not stocked", Poster (00123) at -2.
"""
from __future__ import annotations

import datetime as dt

from stocklens import mapping
from stocklens.store import load_file

D = dt.date


def test_orders_export_maps_automatically(fixtures):
    headers = (fixtures / "shopify_orders_2024-01.csv").read_text().splitlines()[0].split(",")
    assert len(headers) == 79
    assert mapping.guess_dataset(headers, "orders_export.csv") == "orders"
    assert mapping.propose("orders", headers) == {
        "order_id": "Name",
        "sku": "Lineitem sku",
        "order_date": "Created at",
        "qty_ordered": "Lineitem quantity",
        "ship_date": "Fulfilled at",
        "unit_price": "Lineitem price",
        "customer": "Email",  # better synonym than "Billing Name"
        "location": "Location",
        "status": "Lineitem fulfillment status",  # the line's, not the order's "Fulfillment Status"
        "cancelled_at": "Cancelled at",
        "sku_name": "Lineitem name",
    }


def test_orders_export_stored_values(store, fixtures):
    prep, result = load_file(store, fixtures / "shopify_orders_2024-01.csv")
    assert not prep.refused, prep.problems
    assert prep.dataset == "orders"
    # Latest Created at is 2024-01-31 (as written): January.
    assert result.month == "2024-01"
    assert result.rows_stored == 6
    rows = store.query(
        "select order_id, sku, order_date, qty_ordered, qty_shipped, ship_date, qty_cancelled, unit_price, "
        "customer, status, first_row from orders order by first_row").rows()
    assert rows == [
        # #1001 fulfilled: everything shipped on "Fulfilled at" (2024-01-26 09:10 +0100). The
        # second line has blank order-level fields and inherits date, customer and ship date.
        ("#1001", "TS-RED-M", D(2024, 1, 25), 2.0, 2.0, D(2024, 1, 26), 0.0, 20.0, "anna@example.com", "shipped", 2),
        ("#1001", "MUG-01", D(2024, 1, 25), 1.0, 1.0, D(2024, 1, 26), 0.0, 12.5, "anna@example.com", "shipped", 3),
        # #1002 pending: open; the SKU keeps its leading zeros.
        ("#1002", "00123", D(2024, 1, 28), 3.0, 0.0, None, 0.0, 5.0, "bob@example.com", "open", 4),
        # #1003 cancelled at order level: both lines cancelled in full (nothing shipped), the
        # second line through the inherited "Cancelled at".
        ("#1003", "TS-RED-M", D(2024, 1, 29), 1.0, 0.0, None, 1.0, 20.0, "carla@example.com", "cancelled", 5),
        ("#1003", "MUG-01", D(2024, 1, 29), 4.0, 0.0, None, 4.0, 12.5, "carla@example.com", "cancelled", 6),
        # #1004: blank Lineitem sku -> the Lineitem name is the SKU.
        ("#1004", "Gift Card - 50 EUR", D(2024, 1, 31), 1.0, 0.0, None, 0.0, 50.0, "dan@example.com", "open", 7),
    ]
    assert prep.findings == []


def test_inventory_export_maps_automatically(fixtures):
    headers = (fixtures / "shopify_inventory.csv").read_text().splitlines()[0].split(",")
    assert mapping.guess_dataset(headers, "inventory_export_1.csv") == "stock"
    assert mapping.propose("stock", headers) == {
        "sku": "SKU",
        "qty_on_hand": "On hand (current)",  # not "Available (not editable)", not "On hand (new)"
        "location": "Location",  # not "Bin name"
        "sku_name": "Title",
        "variant_1": "Option1 Value",
        "variant_2": "Option2 Value",
        "variant_3": "Option3 Value",
    }


def test_inventory_export_stored_values(store, fixtures):
    prep, result = load_file(store, fixtures / "shopify_inventory.csv", dataset="stock", month="2024-01")
    assert not prep.refused, prep.problems
    assert result.rows_stored == 6
    assert store.query(
        "select source_row, sku, location, qty_on_hand, unit_cost, snapshot_date from stock "
        "order by source_row").rows() == [
        (2, "TS-RED-M", "Main Warehouse", 5.0, None, D(2024, 1, 31)),
        (3, "TS-RED-M", "Shop Berlin", 3.0, None, D(2024, 1, 31)),
        # No SKU: the variant's name as Shopify writes a line item's name, "Title - Opt1 / Opt2".
        (4, "T-Shirt - Blue / L", "Main Warehouse", 7.0, None, D(2024, 1, 31)),
        (5, "MUG-01", "Main Warehouse", 10.0, None, D(2024, 1, 31)),
        # "not stocked" at this location: 0 on hand.
        (6, "MUG-01", "Shop Berlin", 0.0, None, D(2024, 1, 31)),
        (7, "00123", "Main Warehouse", -2.0, None, D(2024, 1, 31)),
    ]
    # On hand per SKU, hand-summed over locations: TS-RED-M 5 + 3 = 8, MUG-01 10 + 0 = 10.
    assert dict(store.query("select sku, sum(qty_on_hand) from stock group by sku").rows()) == {
        "TS-RED-M": 8.0, "T-Shirt - Blue / L": 7.0, "MUG-01": 10.0, "00123": -2.0}
    assert "1 rows say 'not stocked': read as 0 on hand." in prep.notes
    kinds = {f.kind: f.count for f in prep.findings}
    # Poster at -2 is negative; no cost column at all: all 6 rows lack a cost.
    assert kinds == {"negative_stock": 1, "unknown_cost": 6}


def test_orders_after_inventory_count_unknown_skus(store, fixtures):
    load_file(store, fixtures / "shopify_inventory.csv", dataset="stock", month="2024-01")
    prep, _ = load_file(store, fixtures / "shopify_orders_2024-01.csv", dataset="orders")
    # Stock knows TS-RED-M, T-Shirt - Blue / L, MUG-01, 00123; the orders also sell the gift
    # card, which has no stock row: 1 unknown SKU.
    unknown = [f for f in prep.findings if f.kind == "unknown_sku"]
    assert len(unknown) == 1 and unknown[0].count == 1
    assert unknown[0].examples == [{"sku": "Gift Card - 50 EUR"}]
