"""Loading a file without its bad rows (issue 11): refused whole by default, with reasons; with
skip_bad_rows (CLI --skip-bad-rows) every row with a row error is left out, the rest loaded, and
the rows left out recorded in the upload report and the load log. Problems of the whole file still
refuse it. A refused file's mapping is remembered for the corrected file. Real files, a real store;
expected values by hand."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from stocklens import importer
from stocklens.store import load_file

D = dt.date

# An ME2N-like PO list: row 4 (the third data row) has a blank Material.
PO_HEADER = "Purchasing Document,Item,Material,Order Quantity,Document Date,Net Price"
PO_FILE = PO_HEADER + """
4500000001,10,M-1,100,03/04/2024,2.50
4500000001,20,M-2,50,03/04/2024,1.00
4500000002,10,,30,03/11/2024,4.00
4500000003,10,M-3,10,03/20/2024,9.00
"""


def write(tmp_path, text, name="me2n.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_one_bad_row_refuses_the_file_by_default(store, tmp_path):
    prep, result = load_file(store, write(tmp_path, PO_FILE), dataset="purchase_orders")
    assert result is None and prep.refused
    assert [(p.kind, p.row, p.column) for p in prep.problems] == [("row_error", 4, "Material")]
    assert prep.bad_row_count == 1
    assert store.query("select count(*) from loads").item() == 0


def test_skip_bad_rows_loads_the_rest_and_records_what_was_left_out(store, tmp_path):
    prep, result = load_file(store, write(tmp_path, PO_FILE), dataset="purchase_orders", skip_bad_rows=True)
    assert result is not None, prep.problems
    assert prep.rows_read == 4 and result.rows_stored == 3
    assert store.query("select po_id, sku, qty_ordered from purchase_orders order by source_row").rows() == [
        ("4500000001", "M-1", 100.0), ("4500000001", "M-2", 50.0), ("4500000003", "M-3", 10.0)]
    skipped = prep.findings[0]
    assert skipped.kind == "skipped_rows" and skipped.count == 1
    assert "rows 4" in skipped.message
    assert skipped.examples == [{"row": 4, "column": "Material", "value": "", "why": "sku is empty"}]
    # the load log keeps it
    findings = json.loads(store.query("select findings from loads").item())
    assert findings[0]["kind"] == "skipped_rows" and findings[0]["examples"][0]["row"] == 4
    assert json.loads(store.query("select options from loads").item())["skip_bad_rows"] is True


def test_all_bad_rows_are_left_out_not_only_the_twenty_shown(store, tmp_path):
    # 30 rows; rows 2, 4, ..., 50 of the sheet (25 of them) have a quantity that is not a number
    lines = [f"SO-{i},A{i},2024-03-{1 + i % 28:02d},{'x' if i < 25 else i}" for i in range(30)]
    path = write(tmp_path, "order_id,sku,order_date,qty_ordered\n" + "\n".join(lines) + "\n", "orders.csv")
    refused = importer.prepare(path.read_bytes(), path.name, dataset="orders")
    assert refused.total_row_errors == 25 and len(refused.problems) == importer.MAX_ROW_ERRORS
    prep, result = load_file(store, path, dataset="orders", skip_bad_rows=True)
    assert result is not None and result.rows_stored == 5
    assert sorted(store.query("select order_id from orders").get_column("order_id").to_list()) == [
        "SO-25", "SO-26", "SO-27", "SO-28", "SO-29"]
    skipped = prep.findings[0]
    assert skipped.count == 25 and len(skipped.examples) == 25
    assert [e["row"] for e in skipped.examples] == list(range(2, 27))


def test_rows_that_fail_once_others_are_left_out_are_left_out_too(store, tmp_path):
    """Shopify style: order #2's date is on its first line only. That line's quantity is bad:
    without it, the second line has no order date, and is left out as well."""
    text = ("Name,Created at,Lineitem sku,Lineitem quantity\n"
            "#1,2024-03-02,A,1\n"
            "#2,2024-03-05,B,zz\n"
            "#2,,C,2\n"
            "#3,2024-03-09,D,4\n"
            "#3,,E,5\n")
    prep, result = load_file(store, write(tmp_path, text, "orders_export.csv"), dataset="orders",
                             skip_bad_rows=True)
    assert result is not None, prep.problems
    assert store.query("select order_id, sku, order_date from orders order by first_row").rows() == [
        ("#1", "A", D(2024, 3, 2)), ("#3", "D", D(2024, 3, 9)), ("#3", "E", D(2024, 3, 9))]
    assert prep.findings[0].count == 2
    assert [(e["row"], e["column"]) for e in prep.findings[0].examples] == [
        (3, "Lineitem quantity"), (4, "Created at")]


def test_odoo_blank_dates_skipped(store, tmp_path):
    text = ("Order Reference,Order Date,Customer,Product,Quantity,Delivered\n"
            "S1,2024-03-01 10:00:00,Azure,[A1] Chair,1,1\n"
            "S2,,Azure,[A2] Desk,2,0\n"
            "S3,2024-03-03 10:00:00,Deco,[A1] Chair,3,0\n")
    prep, result = load_file(store, write(tmp_path, text, "sale_order_lines.csv"), dataset="orders",
                             skip_bad_rows=True)
    assert result is not None and result.rows_stored == 2
    assert store.query("select order_id, sku from orders order by first_row").rows() == [("S1", "A1"), ("S3", "A1")]


def test_problems_of_the_whole_file_still_refuse_it(store, tmp_path):
    missing = write(tmp_path, "Material,Order Quantity\nM-1,5\n", "po.csv")
    prep, result = load_file(store, missing, dataset="purchase_orders", skip_bad_rows=True)
    assert result is None and [p.kind for p in prep.problems] == ["missing_column"]
    # a stock file without dates or a month in its name: the month is missing, bad rows or not
    no_month = write(tmp_path, "sku,qty_on_hand\nA,1\nB,x\n", "stock.csv")
    prep, result = load_file(store, no_month, dataset="stock", skip_bad_rows=True)
    assert result is None and [p.kind for p in prep.problems] == ["month"]
    every = write(tmp_path, "sku,qty_on_hand\nA,x\nB,y\n", "stock.csv")
    prep, result = load_file(store, every, dataset="stock", month="2024-03", skip_bad_rows=True)
    assert result is None and "Every row of the file has an error" in prep.problems[-1].message
    assert store.query("select count(*) from loads").item() == 0


def test_a_refused_file_s_mapping_is_remembered_for_the_corrected_file(store, tmp_path, snapshot):
    text = "Beleg,Teil,Menge\nP1,M-1,5\nP2,M-2,abc\n"
    path = write(tmp_path, text, "po_list.csv")
    before = snapshot(store)
    overrides = {"po_id": "Beleg", "sku": "Teil", "qty_ordered": "Menge"}
    prep, result = load_file(store, path, dataset="purchase_orders", month="2024-03", overrides=overrides)
    assert result is None and [p.kind for p in prep.problems] == ["row_error"]
    # no data, no load, no confirmed mapping changed...
    assert snapshot(store) == before
    # ...but the mapping is kept apart, for the next file of this layout
    assert store.query("select dataset, file_name from refused_mappings").rows() == [
        ("purchase_orders", "po_list.csv")]
    fixed = write(tmp_path, text.replace("abc", "7"), "po_list_fixed.csv")
    prep, result = load_file(store, fixed, dataset="purchase_orders", month="2024-03")
    assert result is not None, prep.problems
    assert prep.mapping == overrides
    assert store.query("select sum(qty_ordered) from purchase_orders").item() == 12.0
    # loaded: the mapping is now a confirmed one
    assert store.query("select count(*) from refused_mappings").item() == 0
    assert store.remembered_mapping(prep.layout) == overrides


def test_cli_skip_bad_rows(cli, tmp_path):
    path = write(tmp_path, PO_FILE)
    store_dir = tmp_path / "store"
    refused = cli("load", path, "--dataset", "purchase_orders", "--store", store_dir)
    assert refused.returncode == 1
    assert "Row 4, column 'Material'" in refused.stderr
    assert "without its 1 bad rows, add --skip-bad-rows" in refused.stderr
    loaded = cli("load", path, "--dataset", "purchase_orders", "--store", store_dir, "--skip-bad-rows")
    assert loaded.returncode == 0, loaded.stderr
    assert "4 rows read, 3 stored" in loaded.stdout
    assert "1 rows with errors were left out, as asked (rows 4)" in loaded.stdout


def test_the_user_s_month_wins_over_the_file_name(fixtures):
    path = fixtures / "real_layouts" / "MB52_en_Mar2024.csv"
    prep = importer.prepare(path.read_bytes(), path.name, month="2024-02")
    assert prep.month == "2024-02" and prep.proposed_month == "2024-03"
    assert not any("taken from its name" in n for n in prep.notes)


@pytest.mark.parametrize("name, month", [
    ("stock_01-29-2024.csv", "2024-01"), ("inventory 29.01.2024.xlsx", "2024-01"), ("MB52_2024_01.csv", "2024-01"),
    ("stock202401.csv", "2024-01"), ("Jan2024.csv", "2024-01"), ("2024-Jan stock.csv", "2024-01"),
    ("januaryOrders.csv", "2024-01"), ("decemberStock.csv", "2023-12"), ("inventory_export_1.csv", None),
    ("2024-01 to 2024-02.csv", None), ("market.csv", None)])
def test_month_from_the_file_name(name, month):
    assert importer.month_from_name(name, today=D(2024, 6, 15)) == month
