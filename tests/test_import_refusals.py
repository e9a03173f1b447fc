"""Every reason a file is refused whole, with specific messages, and the store left exactly as it was.

Each test first loads a good March 2024 orders file (orders_2024-03_v1.csv), takes a snapshot of
everything in the store (data version, loads table, every data table, remembered mappings), tries
the bad file, and compares: a refused file must change nothing at all.
"""
from __future__ import annotations

import json

import pytest
import xlsxwriter

from stocklens.store import load_file


@pytest.fixture
def loaded(store, fixtures):
    prep, result = load_file(store, fixtures / "orders_2024-03_v1.csv", dataset="orders")
    assert result.status == "loaded" and result.month == "2024-03"
    return store


def refuse(store, path, snapshot, **kwargs):
    """Load `path`, assert it is refused and that the store did not change; return the problems."""
    before = snapshot(store)
    prep, result = load_file(store, path, **kwargs)
    assert prep.refused and result is None
    assert snapshot(store) == before
    return prep


def test_empty_file(loaded, tmp_path, snapshot):
    path = tmp_path / "orders_march.csv"
    path.write_bytes(b"")
    prep = refuse(loaded, path, snapshot, dataset="orders")
    assert [(p.kind, p.message) for p in prep.problems] == [("empty", "orders_march.csv is empty (0 bytes).")]


def test_whitespace_only_file(loaded, tmp_path, snapshot):
    path = tmp_path / "blank.csv"
    path.write_bytes(b"\r\n \r\n")
    prep = refuse(loaded, path, snapshot, dataset="orders")
    assert prep.problems[0].kind == "empty"


def test_header_only_csv(loaded, fixtures, snapshot):
    prep = refuse(loaded, fixtures / "refuse_header_only.csv", snapshot, dataset="orders")
    assert prep.problems[0].kind == "empty"
    assert prep.problems[0].message == (
        "refuse_header_only.csv has a header (order_id, sku, order_date, qty_ordered) but no data rows.")


def test_header_only_xlsx(loaded, tmp_path, snapshot):
    path = tmp_path / "orders.xlsx"
    wb = xlsxwriter.Workbook(path)
    wb.add_worksheet("Orders").write_row(0, 0, ["Order", "SKU", "Order Date", "Qty"])
    wb.close()
    prep = refuse(loaded, path, snapshot, dataset="orders")
    assert prep.problems[0].kind == "empty"
    assert "has a header (Order, SKU, Order Date, Qty) but no data rows" in prep.problems[0].message


@pytest.mark.parametrize("file_name, data, reason", [
    # A PNG renamed to .csv: NUL bytes in the first kilobytes.
    ("orders.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "is a binary file, not CSV, TSV, XLSX or Parquet"),
    # A ZIP signature that is not a workbook.
    ("orders.xlsx", b"PK\x03\x04" + bytes(range(256)) * 4, "is not a readable Excel workbook"),
    # A Parquet magic number with no footer.
    ("orders.parquet", b"PAR1" + b"\x01" * 64, "is not a readable Parquet file"),
])
def test_unreadable_files(loaded, tmp_path, snapshot, file_name, data, reason):
    path = tmp_path / file_name
    path.write_bytes(data)
    prep = refuse(loaded, path, snapshot, dataset="orders")
    assert len(prep.problems) == 1
    assert prep.problems[0].kind == "unreadable"
    assert prep.problems[0].message.startswith(file_name)
    assert reason in prep.problems[0].message


def test_missing_required_columns_lists_the_columns_found(loaded, fixtures, snapshot):
    # Header: Order No, Article, Pieces, Remark. "Order No" is an order id and "Article" a SKU;
    # nothing is an order date or an ordered quantity.
    prep = refuse(loaded, fixtures / "refuse_missing_column.csv", snapshot, dataset="orders")
    assert len(prep.problems) == 1
    problem = prep.problems[0]
    assert problem.kind == "missing_column"
    assert "Required columns order_date, qty_ordered not found for dataset orders" in problem.message
    assert "Columns in the file: Order No, Article, Pieces, Remark." in problem.message
    assert '--map "FILE COLUMN=order_date"' in problem.message


def test_bad_values_reported_with_row_column_and_value(loaded, fixtures, snapshot):
    prep = refuse(loaded, fixtures / "refuse_bad_values.csv", snapshot, dataset="orders")
    # Spreadsheet rows (header = row 1): A-2 is row 3; A-3 is row 4 although its quoted comment
    # spans two physical lines; A-4 is therefore row 5 (line 7 of the file) and A-5 row 6.
    # Columns are named as in the file, not as the canonical names.
    got = sorted((p.row, p.column, p.value) for p in prep.problems)
    assert got == [
        (3, "Qty", "five"),
        (4, "Order Date", "2024-02-30"),
        (5, "Unit Price", "TBD"),
        (6, "Item Code", ""),
    ]
    assert all(p.kind == "row_error" for p in prep.problems)
    # Each bad cell is reported once (a value that fails to parse is not also "empty").
    assert prep.total_row_errors == 4
    messages = {p.row: p.message for p in prep.problems}
    assert messages[3] == "Row 3, column 'Qty': not a number (a quantity is needed) (value: 'five')."
    assert messages[4] == "Row 4, column 'Order Date': not a date (value: '2024-02-30')."
    assert messages[5] == "Row 5, column 'Unit Price': not a number (value: 'TBD')."
    assert messages[6] == ("Row 6, column 'Item Code': the SKU is empty and there is no product name "
                           "to use instead (value: '').")
    summary = prep.refusal().summary()
    assert summary.startswith("File refused, nothing was stored:")
    assert "Row 4, column 'Order Date'" in summary


def test_blank_sku_is_fine_when_a_product_name_stands_in(store, tmp_path):
    path = tmp_path / "named.csv"
    path.write_text("order_id,sku,product name,order_date,qty_ordered\n"
                    "N1,,Blue mug,2024-03-01,2\nN2,MUG-R,Red mug,2024-03-02,1\n")
    prep, result = load_file(store, path, dataset="orders")
    assert not prep.refused, prep.problems
    assert store.query("select sku from orders order by order_id").get_column("sku").to_list() == \
        ["Blue mug", "MUG-R"]


def test_many_bad_rows_are_counted_beyond_the_ones_shown(loaded, tmp_path, snapshot):
    path = tmp_path / "many.csv"
    rows = "".join(f"B{i},SKU-{i},2024-03-01,lots\n" for i in range(25))
    path.write_text("order_id,sku,order_date,qty_ordered\n" + rows)
    prep = refuse(loaded, path, snapshot, dataset="orders")
    # 25 bad quantities (rows 2..26): the first 20 are listed, the other 5 counted.
    assert prep.total_row_errors == 25
    assert [p.row for p in prep.problems] == list(range(2, 22))
    assert "... 5 more row errors (first 20 shown)." in prep.refusal().summary()


def test_ragged_row_with_an_extra_field(loaded, fixtures, snapshot):
    prep = refuse(loaded, fixtures / "refuse_ragged_long.csv", snapshot, dataset="orders")
    problem = prep.problems[0]
    assert problem.kind == "unreadable" and problem.row == 3
    assert problem.message == ("refuse_ragged_long.csv: row 3 has 5 fields where the header has 4 "
                               "(delimiter ','); check quoting on that row.")
    assert problem.value == "R-2,SKU-2,2024-03-02,1,9.90"


def test_ragged_row_with_a_missing_field(loaded, fixtures, snapshot):
    # Row 3 lacks its unit price: read leniently it would silently become a line without a price.
    prep = refuse(loaded, fixtures / "refuse_ragged_short.csv", snapshot, dataset="orders")
    problem = prep.problems[0]
    assert problem.kind == "unreadable" and problem.row == 3
    assert "row 3 has 4 fields where the header has 5" in problem.message


def test_bad_month_argument(loaded, fixtures, snapshot):
    prep = refuse(loaded, fixtures / "orders_2024-03_v2.csv", snapshot, dataset="orders", month="2024-13")
    assert prep.problems[0].kind == "month"
    assert "'2024-13' is not of the form YYYY-MM" in prep.problems[0].message


def test_stock_without_any_date_needs_a_month(loaded, fixtures, snapshot):
    prep = refuse(loaded, fixtures / "shopify_inventory.csv", snapshot, dataset="stock")
    assert prep.problems[0].kind == "month"
    assert "--month YYYY-MM" in prep.problems[0].message


def test_refused_file_of_a_loaded_month_leaves_that_month_as_it_was(loaded, fixtures, tmp_path, snapshot):
    march_before = loaded.query("select * from orders where month = '2024-03' order by all").rows()
    # v1 holds M1 (10 ordered, 4 shipped) and M2 (3 ordered): two lines.
    assert [(r[2], r[7], r[8]) for r in march_before] == [("M1", 10.0, 4.0), ("M2", 3.0, 0.0)]
    bad = tmp_path / "march_again.csv"
    bad.write_text("order_id,sku,order_date,qty_ordered,qty_shipped\n"
                   "M1,A,2024-03-01,10,10\nM2,B,2024-03-10,3,three\nM3,C,2024-03-28,7,\n")
    prep = refuse(loaded, bad, snapshot, dataset="orders", month="2024-03")
    assert [(p.row, p.column, p.value) for p in prep.problems] == [(3, "qty_shipped", "three")]
    assert loaded.query("select * from orders where month = '2024-03' order by all").rows() == march_before
    assert loaded.history("orders", "2024-03").height == 1


def test_cli_refusal_exits_non_zero_with_the_reasons(tmp_path, fixtures, cli):
    store_dir = tmp_path / "store"
    ok = cli("load", fixtures / "orders_2024-03_v1.csv", "--dataset", "orders", "--store", store_dir)
    assert ok.returncode == 0, ok.stderr
    bad = cli("load", fixtures / "refuse_bad_values.csv", "--dataset", "orders", "--store", store_dir)
    assert bad.returncode == 1
    assert "File refused, nothing was stored:" in bad.stderr
    assert "Row 3, column 'Qty': not a number (a quantity is needed) (value: 'five')." in bad.stderr
    assert "Row 4, column 'Order Date': not a date (value: '2024-02-30')." in bad.stderr
    missing = cli("load", fixtures / "refuse_missing_column.csv", "--dataset", "orders", "--store", store_dir)
    assert missing.returncode == 1
    assert "Columns found: Order No, Article, Pieces, Remark" in missing.stderr
    # An empty file with --map: refused with the reason, not a traceback.
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    mapped = cli("load", empty, "--dataset", "orders", "--map", "x=sku", "--store", store_dir)
    assert mapped.returncode == 1
    assert "empty.csv is empty (0 bytes)." in mapped.stderr
    assert "Traceback" not in mapped.stderr
    months = cli("months", "--json", "--store", store_dir)
    assert [(m["month"], m["rows_stored"], m["file_name"]) for m in json.loads(months.stdout)] == \
        [("2024-03", 2, "orders_2024-03_v1.csv")]


def test_an_orders_file_without_quantities_is_guessed_as_orders_and_refused_for_them(store, tmp_path):
    """Order No, Item Code, Order Date, Customer covers 3 of the 4 required orders columns; the
    product master's one required column (sku) alone must not win the guess."""
    from stocklens import mapping

    headers = ["Order No", "Item Code", "Order Date", "Customer"]
    assert mapping.guess_dataset(headers, "orders_march.csv") == "orders"
    assert mapping.guess_dataset(headers, "export.csv") == "orders"
    # a real product master, and a bare SKU list, are still the product master
    assert mapping.guess_dataset(["Item Code", "Description", "Category"], "export.csv") == "products"
    assert mapping.guess_dataset(["sku"], "export.csv") == "products"
    path = tmp_path / "orders_march.csv"
    path.write_text("Order No,Item Code,Order Date,Customer\nA1,X1,2024-03-05,C1\n")
    prep, result = load_file(store, path, month="2024-03")
    assert result is None and prep.dataset == "orders"
    assert [p.kind for p in prep.problems] == ["missing_column"]
    assert prep.problems[0].column == "qty_ordered"
    assert store.is_empty()
