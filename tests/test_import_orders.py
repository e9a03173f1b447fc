"""Order semantics of kpi-book section 2: status mapping, "every line is shipped", line keys,
returns and suspicious rows, the month proposed, unknown SKUs. Real files into a real store."""
from __future__ import annotations

import datetime as dt
import json

from stocklens.store import load_file

D = dt.date


def lines(store, columns="order_id, sku, qty_ordered, qty_shipped, ship_date, qty_cancelled, status"):
    wanted = [c.strip() for c in columns.split(",")]
    return store.query("select * from orders order by order_id, line_key").select(wanted).rows()


def findings(prep):
    return {f.kind: f.count for f in prep.findings}


def test_status_maps_onto_quantities(store, fixtures):
    prep, result = load_file(store, fixtures / "orders_status_2024-03.csv", dataset="orders")
    assert not prep.refused, prep.problems
    assert result.month == "2024-03"
    assert lines(store) == [
        # C1: cancelled with 4 shipped and no qty_cancelled -> 10 - 4 = 6 cancelled.
        ("C1", "B", 10.0, 4.0, D(2024, 3, 5), 6.0, "cancelled"),
        # C2: "CANCELED" with nothing shipped -> all 10 cancelled.
        ("C2", "B", 10.0, 0.0, None, 10.0, "cancelled"),
        # C3: cancelled with both quantities given -> kept as given (2 shipped, 3 cancelled).
        ("C3", "B", 10.0, 2.0, None, 3.0, "cancelled"),
        # F1: "Fulfilled" is shipped: 2 of 2, its own ship date kept.
        ("F1", "A", 2.0, 2.0, D(2024, 3, 6), 0.0, "shipped"),
        # O1: open, nothing shipped or cancelled.
        ("O1", "C", 4.0, 0.0, None, 0.0, "open"),
        # P1: "Partially shipped": quantities as given.
        ("P1", "D", 8.0, 2.0, D(2024, 3, 12), 0.0, "partial"),
        # S1: "Shipped" with no qty_shipped -> all 5 shipped (no date given: the month end applies later).
        ("S1", "A", 5.0, 5.0, None, 0.0, "shipped"),
        # S2: shipped with qty_shipped 3 given -> 3 stays 3.
        ("S2", "A", 5.0, 3.0, D(2024, 3, 4), 0.0, "shipped"),
    ]
    assert findings(prep) == {}


def test_unknown_status_is_counted_and_quantities_used_as_given(store, tmp_path):
    path = tmp_path / "weird.csv"
    path.write_text("order_id,sku,order_date,qty_ordered,qty_shipped,status\n"
                    "W1,A,2024-03-01,5,2,on the truck\nW2,A,2024-03-02,5,,on the truck\n"
                    "W3,A,2024-03-03,1,,open\n")
    prep, _ = load_file(store, path, dataset="orders")
    assert findings(prep) == {"unknown_status": 2}
    assert "'on the truck'" in prep.findings[0].message
    assert lines(store, "order_id, qty_shipped, qty_cancelled, status") == [
        ("W1", 2.0, 0.0, None), ("W2", 0.0, 0.0, None), ("W3", 0.0, 0.0, "open")]


def test_every_line_shipped_option(store, fixtures):
    prep, result = load_file(store, fixtures / "orders_invoices_2024-03.csv", dataset="orders", all_shipped=True)
    assert not prep.refused, prep.problems
    assert prep.mapping == {"order_id": "invoice", "sku": "sku", "order_date": "invoice date",
                            "qty_ordered": "quantity", "qty_shipped": "qty shipped", "ship_date": "ship date",
                            "unit_price": "unit price"}
    assert lines(store, "order_id, qty_ordered, qty_shipped, ship_date") == [
        # I1 has no shipping information: shipped in full on its order date.
        ("I1", 5.0, 5.0, D(2024, 3, 1)),
        # I2 says 1 shipped on 2024-03-07: kept as it says.
        ("I2", 2.0, 1.0, D(2024, 3, 7)),
        # I3 says 0 shipped: that is shipping information too, kept.
        ("I3", 4.0, 0.0, None),
        # I4 is a return (-1): no shipping information, so -1 "shipped" on its date; left out of
        # backlog figures by its quantity.
        ("I4", -1.0, -1.0, D(2024, 3, 8)),
    ]
    assert json.loads(store.query("select options from loads").item())["all_shipped"] is True
    assert findings(prep) == {"returns": 1}


def test_without_the_option_lines_without_shipping_information_are_open(store, fixtures):
    load_file(store, fixtures / "orders_invoices_2024-03.csv", dataset="orders")
    assert lines(store, "order_id, qty_shipped, ship_date") == [
        ("I1", 0.0, None), ("I2", 1.0, D(2024, 3, 7)), ("I3", 0.0, None), ("I4", 0.0, None)]


def test_rows_sharing_order_and_sku_are_one_line(store, fixtures):
    prep, result = load_file(store, fixtures / "orders_duplicates.csv", dataset="orders")
    # Rows 2 and 3 are both (D1, A): one line of 4 + 6 = 10 ordered and 1 + 2 = 3 shipped, priced
    # at the quantity-weighted mean (4 x 0.00 + 6 x 3.00) / 10 = 1.80; (D1, B) and (D2, A) are
    # lines of their own. 4 rows, 3 lines.
    assert result.rows_stored == 3 and prep.rows_read == 4
    assert store.query(
        "select order_id, sku, line_id, qty_ordered, qty_shipped, unit_price, source_rows, first_row "
        "from orders order by order_id, sku").rows() == [
        ("D1", "A", None, 10.0, 3.0, 1.8, 2, 2),
        ("D1", "B", None, 1.0, 0.0, 5.0, 1, 4),
        ("D2", "A", None, 2.0, 0.0, 5.0, 1, 5),
    ]
    assert findings(prep) == {"zero_price": 1, "duplicated_lines": 2}
    dup = next(f for f in prep.findings if f.kind == "duplicated_lines")
    assert "summed into 1 lines" in dup.message and "order and SKU" in dup.message


def test_line_id_is_the_line_key_when_present(store, fixtures):
    prep, result = load_file(store, fixtures / "orders_line_ids.csv", dataset="orders")
    assert prep.mapping["line_id"] == "line"
    # L1 line 10 and L1 line 20 are two lines although both are SKU A; the two rows of line 20
    # are summed (3 + 1). Keyed by (order, SKU) instead, L1 would be one line of 9.
    assert store.query(
        "select order_id, line_id, line_key, sku, qty_ordered, source_rows from orders "
        "order by order_id, line_id").rows() == [
        ("L1", "10", "10", "A", 5.0, 1),
        ("L1", "20", "20", "A", 4.0, 2),
        ("L2", "10", "10", "A", 2.0, 1),
    ]
    assert findings(prep) == {"duplicated_lines": 2}
    assert "order and line" in prep.findings[0].message


def test_returns_and_suspicious_rows_are_kept_and_counted(store, fixtures):
    prep, result = load_file(store, fixtures / "orders_suspicious.csv", dataset="orders")
    assert not prep.refused
    # Returns: R1 (-2) and R2 (0) -> 2. Zero price: Z1 -> 1. Over-shipped: X1 (5 shipped of 3)
    # -> 1. Duplicates: the two X2 rows -> 2 rows, summed into one line of 4.
    assert findings(prep) == {"returns": 2, "zero_price": 1, "over_shipped": 1, "duplicated_lines": 2}
    # 6 rows, 5 lines: every row is kept (returns too), only the two X2 rows become one.
    assert result.rows_stored == 5
    assert lines(store, "order_id, qty_ordered, qty_shipped, unit_price") == [
        ("R1", -2.0, 0.0, 4.0), ("R2", 0.0, 0.0, 4.0), ("X1", 3.0, 5.0, 1.0), ("X2", 4.0, 0.0, 1.0),
        ("Z1", 3.0, 0.0, 0.0)]
    # The findings are in the load log with examples pointing at file rows.
    stored = json.loads(store.query("select findings from loads").item())
    by_kind = {f["kind"]: f for f in stored}
    assert by_kind["returns"]["count"] == 2
    assert [e["__row"] for e in by_kind["returns"]["examples"]] == [2, 3]
    assert [e["__row"] for e in by_kind["over_shipped"]["examples"]] == [5]


def test_month_is_proposed_from_the_latest_order_date(store, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("order_id,sku,order_date,qty_ordered\n"
                    "A,X,2023-11-20,1\nB,X,2024-02-29,1\nC,X,2024-01-15,1\n")
    prep, result = load_file(store, path, dataset="orders")
    # Latest order date 2024-02-29: the export is of February 2024.
    assert prep.proposed_month == "2024-02" and result.month == "2024-02"
    assert store.months("orders") == ["2024-02"]


def test_month_given_before_the_dates_is_used_and_lines_after_it_reported(store, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("order_id,sku,order_date,qty_ordered\n"
                    "A,X,2024-01-20,1\nB,X,2024-02-01,1\nC,X,2024-02-10,1\n")
    prep, result = load_file(store, path, dataset="orders", month="2024-01")
    assert prep.proposed_month == "2024-02" and result.month == "2024-01"
    # B and C are ordered after 2024-01-31.
    assert findings(prep) == {"after_month": 2}
    assert store.query("select distinct month from orders").item() == "2024-01"


def test_unknown_skus_are_counted_once_products_are_loaded(store, fixtures, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("order_id,sku,order_date,qty_ordered\n"
                    "U1,A,2024-03-01,1\nU1,Z,2024-03-01,1\nU2,Y,2024-03-02,1\nU3,Z,2024-03-03,1\n")
    # Nothing to compare with yet: no unknown-SKU finding.
    prep, _ = load_file(store, path, dataset="orders")
    assert "unknown_sku" not in findings(prep)
    prep, result = load_file(store, fixtures / "products.csv", dataset="products")
    assert result.month is None and result.rows_stored == 3
    # Products A, B, C; the orders name A, Z, Y and Z again: 2 distinct SKUs unknown (Y, Z).
    prep, _ = load_file(store, path, dataset="orders", month="2024-04")
    unknown = next(f for f in prep.findings if f.kind == "unknown_sku")
    assert unknown.count == 2
    assert unknown.examples == [{"sku": "Y"}, {"sku": "Z"}]


def test_blank_order_level_fields_are_inherited_by_later_lines_only(store, tmp_path):
    path = tmp_path / "first_line_only.csv"
    path.write_text("order_id,sku,order_date,qty_ordered,customer,status\n"
                    "K1,A,2024-03-01,1,ACME,\n"
                    "K1,B,,2,,shipped\n"
                    "K1,C,,3,,\n")
    prep, _ = load_file(store, path, dataset="orders")
    assert not prep.refused, prep.problems
    # B and C inherit K1's date and customer from the first line (written on it only: Shopify
    # style). The status is not written so (blank on the first line, given on a later one): it is
    # each line's own. A's blank status stays blank (B's "shipped" must not reach back and mark A
    # shipped), and so does C's (B is not C's first line: C is not shipped).
    assert lines(store, "sku, order_date, customer, qty_shipped, status") == [
        ("A", D(2024, 3, 1), "ACME", 0.0, None),
        ("B", D(2024, 3, 1), "ACME", 2.0, "shipped"),
        ("C", D(2024, 3, 1), "ACME", 0.0, None),
    ]
    assert ("Order-level fields order_date, customer given on each order's first line only (Shopify "
            "style): later lines take them.") in prep.notes


def test_status_is_not_inherited_when_the_file_has_shipped_quantities(store, tmp_path):
    path = tmp_path / "line_quantities.csv"
    path.write_text("order_id,sku,order_date,qty_ordered,qty_shipped,status\n"
                    "K2,A,2024-03-01,4,4,shipped\n"
                    "K2,B,2024-03-01,5,,\n")
    prep, _ = load_file(store, path, dataset="orders")
    assert not prep.refused, prep.problems
    # B's blank status and blank qty_shipped mean nothing shipped yet: with a shipped-quantity
    # column in the file, B must not take A's "shipped" (which would ship all 5 units).
    assert lines(store, "sku, qty_shipped, status") == [("A", 4.0, "shipped"), ("B", 0.0, None)]
