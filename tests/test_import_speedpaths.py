"""The importer's fast paths give exactly what the full parse gives, and refuse exactly as strictly.

Plain columns (numbers like 12 or -3.5, ISO dates) are read with one cast; anything else (decimal
commas with thousands separators, currency signs, other date layouts, bad cells) goes through the
full parse. Expected values are worked out by hand.
"""
from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from stocklens import importer, values


def prep_csv(text: str, **kwargs) -> importer.Prepared:
    kwargs.setdefault("dataset", "orders")
    return importer.prepare(text.encode("utf-8"), "orders.csv", **kwargs)


def line(prep: importer.Prepared, order_id: str) -> dict:
    rows = prep.rows.filter(pl.col("order_id") == order_id).to_dicts()
    assert len(rows) == 1
    return rows[0]


@pytest.fixture
def no_full_parse(monkeypatch):
    """Fail the test if the full (slow) number or date parse is used."""
    def refuse(*args, **kwargs):
        raise AssertionError("the full parse was used")

    monkeypatch.setattr(values, "parse_number", refuse)
    monkeypatch.setattr(values, "parse_date", refuse)


@pytest.fixture
def full_parse_calls(monkeypatch):
    """Count the uses of the full number and date parse."""
    calls = {"number": 0, "date": 0}
    parse_number, parse_date = values.parse_number, values.parse_date

    def number(*args, **kwargs):
        calls["number"] += 1
        return parse_number(*args, **kwargs)

    def date(*args, **kwargs):
        calls["date"] += 1
        return parse_date(*args, **kwargs)

    monkeypatch.setattr(values, "parse_number", number)
    monkeypatch.setattr(values, "parse_date", date)
    return calls


# --- the predicates and the fast parse against the full parse --------------------------------

def test_plain_numbers_read_as_the_full_parse_reads_them():
    # (1e12 is the largest absolute value either path accepts: see test_import_rules)
    cells = ["0", "-0", "+5", "007", "12.50", "-3.25", "1000000000000", "-1000000000000"]
    expected = [0.0, -0.0, 5.0, 7.0, 12.5, -3.25, 1e12, -1e12]
    frame = pl.DataFrame({"v": cells})
    got = frame.select(
        values.is_plain_number(pl.col("v"), ".").alias("plain"),
        values.parse_plain_number(pl.col("v"), ".").alias("fast"),
        values.parse_number(pl.col("v"), ".").alias("full"),
    )
    assert got["plain"].to_list() == [True] * len(cells)
    for fast, full, want in zip(got["fast"].to_list(), got["full"].to_list(), expected):
        assert fast == full == want
        assert math.copysign(1, fast) == math.copysign(1, full) == math.copysign(1, want)


def test_decimal_comma_plain_numbers():
    frame = pl.DataFrame({"v": ["1,5", "-2", "0,25"]})
    got = frame.select(
        values.is_plain_number(pl.col("v"), ",").alias("plain"),
        values.parse_plain_number(pl.col("v"), ",").alias("fast"),
        values.parse_number(pl.col("v"), ",").alias("full"),
    )
    assert got["plain"].to_list() == [True, True, True]
    assert got["fast"].to_list() == got["full"].to_list() == [1.5, -2.0, 0.25]


@pytest.mark.parametrize("cell", ["1.", ".5", "1e5", "1,000", " 5", "5-", "$5", "\u0663", "inf", "NaN", "1 000"])
def test_not_plain_numbers(cell):
    frame = pl.DataFrame({"v": [cell]})
    assert frame.select(values.is_plain_number(pl.col("v"), ".")).item() is False


def test_plain_iso_dates_read_as_the_full_parse_reads_them():
    cells = ["2024-02-29", "2023-02-29", "2024-12-31 23:59:59", "2024-01-05T10:30", "0000-00-00", "2024-13-01"]
    expected = [dt.date(2024, 2, 29), None, dt.date(2024, 12, 31), dt.date(2024, 1, 5), None, None]
    fmt = values.DateFormat("iso")
    frame = pl.DataFrame({"v": cells})
    got = frame.select(
        values.is_plain_date(pl.col("v"), fmt).alias("plain"),
        values.parse_plain_date(pl.col("v"), fmt).alias("fast"),
        values.parse_date(pl.col("v"), fmt).alias("full"),
    )
    assert got["plain"].to_list() == [True] * len(cells)
    assert got["fast"].to_list() == got["full"].to_list() == expected


@pytest.mark.parametrize("cell", ["2024-1-05", "2024-01-05 10:30:00 +0100", "2024-01-05Z", " 2024-01-05",
                                  "2024-01-05 10:30 PM", "2024/01/05"])
def test_not_plain_iso_dates(cell):
    frame = pl.DataFrame({"v": [cell]})
    assert frame.select(values.is_plain_date(pl.col("v"), values.DateFormat("iso"))).item() is False


def test_only_iso_dates_have_a_fast_path():
    assert values.is_plain_date(pl.col("v"), values.DateFormat("slash")) is None
    assert values.is_plain_date(pl.col("v"), None) is None


def test_decimal_separator_votes_count_every_occurrence():
    assert values.detect_decimal_separator(["1,5", "1,5", "2.5"]) == ","
    assert values.detect_decimal_separator(["1,5", "2.5", "2.5"]) == "."
    assert values.detect_decimal_separator(["1,234", "1,234"], ";") == ","  # ambiguous: the delimiter decides


# --- whole files -------------------------------------------------------------------------------

def test_plain_file_takes_the_fast_path(no_full_parse):
    prep = prep_csv(
        "Order ID,Line,SKU,Order Date,Qty Ordered,Qty Shipped,Unit Price,Status\n"
        "O1,1,A,2024-03-01,10,4.5,12.25,open\n"
        "O2,1,B,2024-03-02 14:05:00,-2,0,0,Shipped\n"
        "O3,1,C,2024-03-03T08:00,+3,,0.1,partial\n")
    assert not prep.refused
    o1, o2, o3 = line(prep, "O1"), line(prep, "O2"), line(prep, "O3")
    assert (o1["order_date"], o1["qty_ordered"], o1["qty_shipped"], o1["unit_price"]) == (
        dt.date(2024, 3, 1), 10.0, 4.5, 12.25)  # 10 x 12.25 / 10
    assert (o2["order_date"], o2["qty_ordered"], o2["qty_shipped"], o2["status"]) == (
        dt.date(2024, 3, 2), -2.0, 0.0, "shipped")
    assert o2["unit_price"] == 0.0 and math.copysign(1, o2["unit_price"]) == 1.0  # -2 x 0 = -0.0; / -2 = +0.0
    assert (o3["order_date"], o3["qty_ordered"], o3["qty_shipped"]) == (dt.date(2024, 3, 3), 3.0, 0.0)
    assert o3["unit_price"] == 0.30000000000000004 / 3 == 0.10000000000000002  # 3 x 0.1 / 3
    assert o1["source_rows"] == o2["source_rows"] == o3["source_rows"] == 1
    assert [o1["first_row"], o2["first_row"], o3["first_row"]] == [2, 3, 4]
    assert prep.rows.schema["source_rows"] == pl.Int32


def test_decimal_commas_and_thousands_fall_back_where_needed(full_parse_calls):
    prep = prep_csv(
        "Order ID;SKU;Order Date;Qty Ordered;Unit Price\n"
        "O1;A;01.03.2024;1,5;1.234,50\n"
        "O2;B;02.03.2024;2;12,5\n")
    assert not prep.refused
    assert "Numbers read with decimal comma." in prep.notes
    assert "Dates in 'Order Date' read as DD.MM.YYYY." in prep.notes
    o1, o2 = line(prep, "O1"), line(prep, "O2")
    assert (o1["order_date"], o1["qty_ordered"], o1["unit_price"]) == (dt.date(2024, 3, 1), 1.5, 1234.5)
    assert (o2["order_date"], o2["qty_ordered"], o2["unit_price"]) == (dt.date(2024, 3, 2), 2.0, 12.5)
    # only the price column (thousands separator) and the dates (not ISO) needed the full parse
    assert full_parse_calls == {"number": 1, "date": 1}


def test_currency_signs_fall_back(full_parse_calls):
    prep = prep_csv(
        "Order ID,SKU,Order Date,Qty Ordered,Unit Price\n"
        "O1,A,2024-03-01,2,$1.50\n"
        'O2,B,2024-03-01,4,"$1,234.00"\n'
        "O3,C,2024-03-01,1,\u20ac 3\n")
    assert not prep.refused
    assert [line(prep, o)["unit_price"] for o in ("O1", "O2", "O3")] == [1.5, 1234.0, 3.0]
    assert full_parse_calls == {"number": 1, "date": 0}


def _big_file(n: int, bad: dict[tuple[int, str], str] | None = None) -> str:
    """n plain order lines; bad maps (data line index, column) to a replacement cell."""
    header = ["Order ID", "Line", "SKU", "Order Date", "Qty Ordered", "Qty Shipped", "Unit Price"]
    out = [",".join(header)]
    for i in range(n):
        cells = {"Order ID": f"O{i}", "Line": "1", "SKU": f"S{i % 50}", "Order Date": f"2024-03-{1 + i % 28:02d}",
                 "Qty Ordered": str(1 + i % 7), "Qty Shipped": "0", "Unit Price": f"{i % 90}.25"}
        for (row, col), cell in (bad or {}).items():
            if row == i:
                cells[col] = cell
        out.append(",".join(cells[h] for h in header))
    return "\n".join(out) + "\n"


def test_plain_big_file_reads_every_line(no_full_parse):
    prep = prep_csv(_big_file(12_000))
    assert not prep.refused and prep.rows.height == 12_000
    last = line(prep, "O11999")  # 11999 % 28 = 15, % 7 = 1, % 90 = 29
    assert (last["order_date"], last["qty_ordered"], last["unit_price"], last["first_row"]) == (
        dt.date(2024, 3, 16), 2.0, 29.25, 12_001)


def test_one_bad_number_deep_in_the_file_refuses_it():
    prep = prep_csv(_big_file(12_000, {(11_500, "Qty Ordered"): "12x"}))
    assert prep.refused and prep.rows is None
    assert prep.total_row_errors == 1
    [p] = prep.problems
    assert (p.kind, p.row, p.column, p.value) == ("row_error", 11_502, "Qty Ordered", "12x")
    assert p.message == "Row 11502, column 'Qty Ordered': not a number (a quantity is needed) (value: '12x')."


def test_bad_cells_deep_in_plain_columns_are_each_reported():
    prep = prep_csv(_big_file(12_000, {(10_000, "Order Date"): "2024-02-30", (11_000, "Qty Shipped"): "1.",
                                       (11_998, "Unit Price"): "TBD"}))
    assert prep.refused and prep.total_row_errors == 3
    got = sorted((p.row, p.column, p.value, p.message) for p in prep.problems)
    assert got == [
        (10_002, "Order Date", "2024-02-30", "Row 10002, column 'Order Date': not a date (value: '2024-02-30')."),
        (11_002, "Qty Shipped", "1.", "Row 11002, column 'Qty Shipped': not a number (value: '1.')."),
        (12_000, "Unit Price", "TBD", "Row 12000, column 'Unit Price': not a number (value: 'TBD')."),
    ]


def test_one_odd_date_sends_its_column_to_the_full_parse(full_parse_calls):
    odd = {(7_000, "Order Date"): "2024-3-7", (7_001, "Order Date"): "2024-03-08 10:00 +01:00"}
    prep = prep_csv(_big_file(12_000, odd))
    assert not prep.refused
    assert line(prep, "O7000")["order_date"] == dt.date(2024, 3, 7)
    assert line(prep, "O7001")["order_date"] == dt.date(2024, 3, 8)
    assert line(prep, "O6999")["order_date"] == dt.date(2024, 3, 1 + 6999 % 28)  # 6999 % 28 = 27
    assert full_parse_calls == {"number": 0, "date": 1}


def test_repeated_values_with_currency_and_us_dates():
    """Columns that repeat their values are parsed once per distinct text: same values."""
    rows = ["Order ID,SKU,Order Date,Qty Ordered,Unit Price,Status"]
    statuses = ["Partially_Shipped", "Fulfilled", "weird", "open"]
    for i in range(400):
        rows.append(f"O{i},S{i % 3},03/{1 + i % 4:02d}/2024,{1 + i % 2},$2.50,{statuses[i % 4]}")
    prep = prep_csv("\n".join(rows) + "\n")
    assert not prep.refused
    assert "Dates in 'Order Date' read as MM/DD/YYYY." in prep.notes
    r = prep.rows
    assert r["order_date"].to_list()[:5] == [dt.date(2024, 3, d) for d in (1, 2, 3, 4, 1)]
    assert set(r["unit_price"].to_list()) == {2.5}
    assert r["qty_ordered"].to_list()[:3] == [1.0, 2.0, 1.0]
    assert r["status"].to_list()[:4] == ["partial", "shipped", None, "open"]
    [unknown] = [f for f in prep.findings if f.kind == "unknown_status"]
    assert unknown.count == 100
    # fulfilled without a shipped quantity: all of it shipped
    assert r["qty_shipped"].to_list()[:4] == [0.0, 2.0, 0.0, 0.0]


def test_blank_rows_are_dropped_and_row_numbers_kept():
    text = ("Order ID,SKU,Order Date,Qty Ordered\n"
            "O1,A,2024-03-01,1\n"
            ",,,\n"
            '" ", ,  ,\n'
            "O2,B,2024-03-02,2\n"
            ",C,2024-03-03,3\n")
    prep = prep_csv(text)
    assert prep.rows_read == 3  # the blank and the whitespace-only row carry nothing
    assert prep.refused
    [p] = prep.problems  # the row with only its order id empty is kept, and reported by its number
    assert (p.row, p.column, p.message) == (6, "Order ID", "Row 6, column 'Order ID': order_id is empty (value: '').")
    good = prep_csv(text.replace(",C,", "O3,C,"))
    assert not good.refused
    assert good.rows["first_row"].to_list() == [2, 5, 6]
    assert good.rows["order_id"].to_list() == ["O1", "O2", "O3"]


def test_bad_cell_after_blank_rows_names_its_spreadsheet_row():
    prep = prep_csv("Order ID,SKU,Order Date,Qty Ordered\nO1,A,2024-03-01,1\n,,,\n,,,\nO2,B,2024-03-02,x\n")
    [p] = prep.problems
    assert (p.row, p.column, p.value) == (5, "Qty Ordered", "x")


def test_single_row_lines_equal_grouped_lines():
    body = ("Order ID,Line,SKU,Order Date,Qty Ordered,Unit Price\n"
            "O1,1,A,2024-03-01,3,0.1\n"
            "O2,1,B,2024-03-01,-2,0\n"
            "O3,1,C,2024-03-01,0,5\n"
            "O4,1,D,2024-03-01,2,\n")
    single = prep_csv(body)
    grouped = prep_csv(body + "O5,1,E,2024-03-02,1,2\nO5,1,E,2024-03-01,3,4\n")
    assert not single.refused and not grouped.refused
    assert not [f for f in single.findings if f.kind == "duplicated_lines"]
    [dup] = [f for f in grouped.findings if f.kind == "duplicated_lines"]
    assert dup.count == 2
    assert single.rows.schema == grouped.rows.schema
    assert single.rows.equals(grouped.rows.head(4))
    prices = single.rows["unit_price"].to_list()
    assert prices[0] == 0.10000000000000002  # 3 x 0.1 / 3
    assert prices[1] == 0.0 and math.copysign(1, prices[1]) == 1.0  # -0.0 / -2
    assert prices[2:] == [5.0, None]  # a quantity of 0: the price as given; no price: none
    o5 = line(grouped, "O5")
    assert (o5["qty_ordered"], o5["unit_price"], o5["source_rows"], o5["first_row"], o5["order_date"]) == (
        4.0, 3.5, 2, 6, dt.date(2024, 3, 1))  # (1 x 2 + 3 x 4) / 4


def test_customer_ids_written_as_floats():
    rows = ["Order ID,SKU,Order Date,Qty Ordered,Customer ID"]
    rows += [f"O{i},A,2024-03-01,1,{17850 + i}.0" for i in range(150)]
    prep = prep_csv("\n".join(rows) + "\n")
    assert prep.rows["customer"].to_list()[:2] == ["17850", "17851"]
    assert "Customer ids in 'Customer ID' written as 17850.0 read as 17850." in prep.notes
    rows[-1] = "O149,A,2024-03-01,1,C17999"  # one id not written so, after the first hundred
    prep = prep_csv("\n".join(rows) + "\n")
    assert prep.rows["customer"].to_list()[:2] == ["17850.0", "17851.0"]
    assert not any("17850.0" in n for n in prep.notes)


def test_utf8_bom_and_cp1252_read_alike():
    text = "Order ID;SKU;Order Date;Qty Ordered;Location\nO1;A;2024-03-01;1,5;Almac\u00e9n\n"
    bom = importer.prepare(b"\xef\xbb\xbf" + text.encode("utf-8"), "o.csv", dataset="orders")
    cp = importer.prepare(text.encode("cp1252"), "o.csv", dataset="orders")
    assert bom.rows.equals(cp.rows)
    assert bom.rows["location"].to_list() == ["Almac\u00e9n"] and bom.rows["qty_ordered"].to_list() == [1.5]
    assert bom.notes[0] == "Read as CSV: UTF-8 with BOM, semicolon-separated."
    assert cp.notes[0] == "Read as CSV: Windows-1252, semicolon-separated."
