"""Formats, encodings, number and date layouts: real files through the importer into a real store.

The four files orders_comma_utf8.csv, orders_semicolon_cp1252.csv, orders_tab_utf16.txt and
orders_pipe_utf8bom.csv hold the same three order lines, written the way four different exports
write them (see each file). Read correctly, all four store exactly EXPECTED_LINES.
"""
from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
import xlsxwriter

from stocklens.store import load_file

D = dt.date

# The three lines, worked out from the fixtures by hand:
# - SO-1: code "00123" keeps its zeros; price "1,234.50" / "1.234,50" / "1234.50" is 1234.5;
#   customer "Café Größe" is the same text whatever the file's encoding.
# - SO-2: code "0.10" is text, not the number 0.1; quantity "1.5" / "1,5" is 1.5; the customer is
#   one quoted field holding a comma, a semicolon, escaped quotes, a pipe and a line break.
# - SO-3: quantity "17850.0" / "17850,0" is 17850; price "0.0000" / "0,0000" is 0. In the comma
#   file the order id and code are written " SO-3 " and "  A-7  ": trailing spaces are trimmed.
# Dates: "2024-01-25", "25.01.2024", "1/25/24, 1:23 PM" (US: month first, because 25 > 12 can
# only be a day) and "2024-01-25 13:23:17 +0100" are all 25 January 2024; the order of SO-3 at
# "2024-01-31 23:59:59 -0500" stays 31 January as written (not moved to UTC, which is 1 February).
EXPECTED_LINES = [
    ("SO-1", "00123", D(2024, 1, 25), 2.0, 1234.5, "Café Größe"),
    ("SO-2", "0.10", D(2024, 1, 26), 1.5, 3.0, 'Smith, John; "Jr." | Dept\nBuilding 2'),
    ("SO-3", "A-7", D(2024, 1, 31), 17850.0, 0.0, "Zoë"),
]

def stored_lines(store, month=None):
    return store.query("select order_id, sku, order_date, qty_ordered, unit_price, customer from orders "
                       "where $month is null or month = $month order by order_id", {"month": month}).rows()


@pytest.mark.parametrize(
    "file_name, how_read",
    [
        ("orders_comma_utf8.csv", "Read as CSV: UTF-8, comma-separated."),
        ("orders_semicolon_cp1252.csv", "Read as CSV: Windows-1252, semicolon-separated."),
        ("orders_tab_utf16.txt", "Read as TSV: UTF-16, tab-separated."),
        ("orders_pipe_utf8bom.csv", "Read as CSV: UTF-8 with BOM, pipe-separated."),
    ],
)
def test_same_lines_from_four_dialects_and_encodings(store, fixtures, file_name, how_read):
    prep, result = load_file(store, fixtures / file_name, dataset="orders")
    assert not prep.refused, prep.problems
    assert result.status == "loaded"
    # The latest order date is 2024-01-31, so the month proposed is January 2024.
    assert result.month == "2024-01"
    # 4 physical lines after the header in every file, but the quoted line break makes 3 records.
    assert prep.rows_read == 3 and result.rows_stored == 3
    assert stored_lines(store) == EXPECTED_LINES
    notes = json.loads(store.query("select notes from loads").item())
    assert how_read in notes
    # SO-3 has a price of 0: kept, and reported.
    findings = {f.kind: f.count for f in prep.findings}
    assert findings == {"zero_price": 1}


def test_headers_of_each_dialect_map_automatically(fixtures, store):
    # Spanish headers of the semicolon file: Pedido, Artículo (accent dropped to match), Fecha,
    # Cantidad, Precio, Cliente.
    prep, _ = load_file(store, fixtures / "orders_semicolon_cp1252.csv", dataset="orders")
    assert prep.mapping == {"order_id": "Pedido", "sku": "Artículo", "order_date": "Fecha",
                            "qty_ordered": "Cantidad", "unit_price": "Precio", "customer": "Cliente"}
    assert "Dates in 'Fecha' read as DD.MM.YYYY." in prep.notes
    assert "Numbers read with decimal comma." in prep.notes


def test_codes_are_stored_as_text(store, fixtures):
    load_file(store, fixtures / "orders_comma_utf8.csv", dataset="orders")
    types = dict(store.query(
        "select column_name, data_type from information_schema.columns where table_name = 'order_lines'"
    ).rows())
    assert types["sku"] == "VARCHAR" and types["order_id"] == "VARCHAR"
    # "00123" and "0.10" exactly as written (not 123 and 0.1).
    assert store.query("select sku from orders order by order_id").get_column("sku").to_list() == \
        ["00123", "0.10", "A-7"]


def test_customer_ids_written_as_floats_become_ids(store, tmp_path):
    path = tmp_path / "invoices.csv"
    path.write_text(
        "InvoiceNo,StockCode,InvoiceDate,Quantity,UnitPrice,CustomerID\n"
        "536365,85123A,2010-12-01 08:26:00,6,2.55,17850.0\n"
        "536366,22633,2010-12-01 08:28:00,6,1.85,13047.0\n"
        "536367,84879,2010-12-01 08:34:00,32,1.69,\n",
        encoding="utf-8",
    )
    prep, _ = load_file(store, path, dataset="orders")
    assert not prep.refused
    # Every non-blank id ends in ".0": an id column exported through floats; the blank stays null.
    assert store.query("select customer from orders order by order_id").get_column("customer").to_list() == \
        ["17850", "13047", None]


def test_excel_serial_dates_in_a_csv(store, tmp_path):
    path = tmp_path / "serials.csv"
    # 45292 is 2024-01-01 in Excel's day count (day 0 = 1899-12-30), so 45316 = 2024-01-25 and
    # 45322.75 = 2024-01-31 at 18:00 (the fraction is the time of day, dropped).
    path.write_text("order_id,sku,order_date,qty_ordered\nE1,A,45316,1\nE2,B,45322.75,2\n")
    prep, result = load_file(store, path, dataset="orders")
    assert not prep.refused, prep.problems
    assert result.month == "2024-01"
    assert store.query("select order_date from orders order by order_id").get_column("order_date").to_list() == \
        [D(2024, 1, 25), D(2024, 1, 31)]
    assert "Dates in 'order_date' read as Excel serial day number." in prep.notes


def _write_orders_sheet(wb, ws):
    """Header plus two lines: real date cells for the order date, a serial number and a text
    cell holding a serial for the promised date, a text SKU with leading zeros, numeric cells."""
    date_fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, ["Order", "SKU", "Order Date", "Qty", "Price", "Customer", "Promised date"])
    ws.write_string(1, 0, "SO1")
    ws.write_string(1, 1, "00123")
    ws.write_datetime(1, 2, dt.datetime(2024, 3, 5), date_fmt)
    ws.write_number(1, 3, 2)
    ws.write_number(1, 4, 1234.5)
    ws.write_number(1, 5, 17850)
    ws.write_number(1, 6, 45366)  # serial: 45292 = 2024-01-01, + 31 (Jan) + 29 (Feb) + 14 = 15 March
    ws.write_string(2, 0, "SO2")
    ws.write_string(2, 1, "0.10")
    ws.write_datetime(2, 2, dt.datetime(2024, 3, 7, 13, 5), date_fmt)  # time of day is dropped
    ws.write_number(2, 3, 7.5)
    ws.write_string(2, 4, "3.20")  # a number typed as text still reads as 3.2
    ws.write_number(2, 5, 17851)
    ws.write_string(2, 6, "45370")  # 4 days after 45366: 19 March


XLSX_EXPECTED = [
    # order_id, sku, order_date, qty_ordered, unit_price, customer, promised_date
    ("SO1", "00123", D(2024, 3, 5), 2.0, 1234.5, "17850", D(2024, 3, 15)),
    ("SO2", "0.10", D(2024, 3, 7), 7.5, 3.2, "17851", D(2024, 3, 19)),
]


def _xlsx_rows(store):
    return store.query("select order_id, sku, order_date, qty_ordered, unit_price, customer, promised_date "
                       "from orders order by order_id").rows()


def test_xlsx_first_sheet(store, tmp_path):
    path = tmp_path / "orders.xlsx"
    wb = xlsxwriter.Workbook(path)
    _write_orders_sheet(wb, wb.add_worksheet("Orders"))
    wb.add_worksheet("Other").write_row(0, 0, ["nothing", "to", "see"])
    wb.close()
    prep, result = load_file(store, path, dataset="orders")
    assert not prep.refused, prep.problems
    assert result.month == "2024-03"
    assert _xlsx_rows(store) == XLSX_EXPECTED
    assert prep.notes[0] == "Read sheet 'Orders' of the workbook (sheets: Orders, Other)."


def test_xlsx_sheet_by_name(store, tmp_path):
    path = tmp_path / "export.xlsx"
    wb = xlsxwriter.Workbook(path)
    notes = wb.add_worksheet("Read me")
    notes.write_row(0, 0, ["About this export"])
    notes.write_row(1, 0, ["Exported from the ERP on 2024-03-31"])
    _write_orders_sheet(wb, wb.add_worksheet("Open orders"))
    wb.close()

    # The first sheet is not an orders table: refused, and nothing is stored.
    first, nothing = load_file(store, path, dataset="orders")
    assert first.refused and nothing is None
    assert first.problems[0].kind == "missing_column"
    assert "About this export" in first.problems[0].message

    # A sheet that does not exist: refused with the sheets there are.
    wrong, nothing = load_file(store, path, dataset="orders", sheet="Orders")
    assert wrong.refused and nothing is None
    assert "no sheet named 'Orders'" in wrong.problems[0].message
    assert "Read me, Open orders" in wrong.problems[0].message
    assert store.is_empty()

    prep, result = load_file(store, path, dataset="orders", sheet="Open orders")
    assert not prep.refused, prep.problems
    assert result.rows_stored == 2
    assert _xlsx_rows(store) == XLSX_EXPECTED


def test_parquet(store, tmp_path):
    path = tmp_path / "orders.parquet"
    pl.DataFrame({
        "order_id": ["P-1", "P-2", "P-2"],
        "sku": ["00123", "0.10", "B"],
        "order_date": [dt.datetime(2024, 2, 3, 23, 30), dt.datetime(2024, 2, 29, 8, 0),
                       dt.datetime(2024, 2, 29, 8, 0)],
        "promised_date": [D(2024, 2, 10), None, D(2024, 3, 4)],
        "qty_ordered": [3.0, 0.5, 12.0],
        "unit_price": [1234.5, None, 0.25],
        "customer": [17850, 13047, 13047],
    }).write_parquet(path)
    prep, result = load_file(store, path, dataset="orders")
    assert not prep.refused, prep.problems
    assert prep.notes[0] == "Read as Parquet."
    # Latest order date 2024-02-29 (a leap day) -> month 2024-02. Datetimes keep their date only;
    # integer customer ids come through as the text "17850".
    assert result.month == "2024-02"
    assert store.query("select order_id, sku, order_date, qty_ordered, unit_price, customer, promised_date "
                       "from orders order by order_id, sku").rows() == [
        ("P-1", "00123", D(2024, 2, 3), 3.0, 1234.5, "17850", D(2024, 2, 10)),
        ("P-2", "0.10", D(2024, 2, 29), 0.5, None, "13047", None),
        ("P-2", "B", D(2024, 2, 29), 12.0, 0.25, "13047", D(2024, 3, 4)),
    ]


def test_number_layouts_in_a_stock_file(store, tmp_path):
    """Thousands separators, decimal commas, currency signs and SAP's trailing minus."""
    path = tmp_path / "stock.csv"
    path.write_text(
        "Material;Lagerort;Bestand;Einstandspreis\n"
        "00042;Hamburg;1.250;12,50 €\n"
        "00042;München;3,5;12,50 €\n"
        "77-B;Hamburg;5-;0,0000\n",
        encoding="utf-8",
    )
    prep, result = load_file(store, path, dataset="stock", month="2024-03")
    assert not prep.refused, prep.problems
    # ';'-separated with "3,5" and "12,50": decimal comma, so "1.250" is one thousand two hundred
    # and fifty; "5-" is -5 (SAP's trailing minus); "0,0000" is 0.
    assert store.query(
        "select sku, location, qty_on_hand, unit_cost, snapshot_date from stock order by source_row").rows() == [
        ("00042", "Hamburg", 1250.0, 12.5, D(2024, 3, 31)),
        ("00042", "München", 3.5, 12.5, D(2024, 3, 31)),
        ("77-B", "Hamburg", -5.0, 0.0, D(2024, 3, 31)),
    ]
    findings = {f.kind: f.count for f in prep.findings}
    assert findings == {"negative_stock": 1, "zero_cost": 1}


def test_blank_rows_are_skipped_and_row_numbers_stay_the_spreadsheets(store, tmp_path):
    path = tmp_path / "gaps.csv"
    # Row 2: G1; row 3: an empty line; row 4: G2; row 5: only separators; row 6: only spaces.
    path.write_text("order_id,sku,order_date,qty_ordered\nG1,A,2024-05-02,1\n\nG2,B,2024-05-03,2\n,,,\n   \n")
    prep, result = load_file(store, path, dataset="orders")
    assert not prep.refused, prep.problems
    assert result.rows_stored == 2
    assert store.query("select order_id, first_row from orders order by order_id").rows() == [("G1", 2), ("G2", 4)]
