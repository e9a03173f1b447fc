"""Import rules found by outside testers: order-level inheritance only where a file shows the
Shopify pattern; numbers that are not finite, absurdly large or of ambiguous sign; spreadsheet
error values; dates no export can hold and months from the future; the missing-column message of
a very wide file. Real files through the real importer, a real store; expected values by hand."""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from stocklens import importer, kpis
from stocklens.store import load_file

D = dt.date
ERP_HEADER = "order_id,line_id,sku,order_date,qty_ordered,qty_shipped,ship_date,promised_date"


def write(tmp_path, text: str, name: str = "orders.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def prep_csv(text: str, **kwargs) -> importer.Prepared:
    kwargs.setdefault("dataset", "orders")
    return importer.prepare(text.encode("utf-8"), "orders.csv", **kwargs)


def errors(prep: importer.Prepared) -> list[tuple]:
    return sorted((p.row, p.column, p.value, p.message) for p in prep.problems if p.kind == "row_error")


def add_months(month: str, n: int) -> str:
    i = int(month[:4]) * 12 + int(month[5:7]) - 1 + n
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


# --- 1. order-level fields are inherited only where the file writes them Shopify style ---------

# An ERP export of March 2024: lines carry their own promised date, some have none, and the rows
# of an order are not together (sorted by line number, then by order).
ERP_SHUFFLED = ERP_HEADER + """
P1,1,A,2024-03-01,10,0,,2024-04-15
P2,1,B,2024-03-02,5,5,2024-03-05,
P1,2,B,2024-03-01,4,4,2024-03-20,
P2,2,A,2024-03-02,6,0,,2024-03-04
P3,1,C,2024-03-10,3,0,,
P1,3,C,2024-03-01,2,0,,
"""


def test_erp_blank_promised_dates_in_shuffled_rows_stay_blank(store, tmp_path):
    prep, result = load_file(store, write(tmp_path, ERP_SHUFFLED), dataset="orders")
    assert result is not None, prep.problems
    assert store.query("select order_id, line_id, promised_date from orders order by order_id, line_id").rows() == [
        ("P1", "1", D(2024, 4, 15)),
        ("P1", "2", None),  # not P1 line 1's 2024-04-15
        ("P1", "3", None),
        ("P2", "1", None),
        ("P2", "2", D(2024, 3, 4)),
        ("P3", "1", None),
    ]
    assert not any("Order-level" in n for n in prep.notes)
    # By hand, at t = 2024-03-31 with the default promise of 7 days. Due dates: P1/1 04-15 (own),
    # P1/2 and P1/3 03-01 + 7 = 03-08, P2/1 03-09, P2/2 03-04 (own), P3/1 03-17.
    # Open units: P1/1 10, P2/2 6, P3/1 3, P1/3 2 (P1/2 and P2/1 shipped in full) = 21.
    # Past due (due < 03-31): P2/2 6 + P3/1 3 + P1/3 2 = 11.
    # (Had P1/2 and P1/3 taken P1/1's 04-15, P1/3 would not be past due: 9.)
    # On time: P2/1 5 shipped 03-05 <= 03-09; P1/2's 4 shipped 03-20 > 03-08 are late (with 04-15
    # they were on time). Net ordered 10 + 5 + 4 + 6 + 3 + 2 = 30.
    # fill_rate_units 5 / 30 (inherited: 9 / 30); lines 1 / 6 (inherited: 2 / 6); orders 0 / 3.
    k = kpis.kpis_for_month(store, "2024-03")
    assert k["backlog_units"] == 21
    assert k["past_due_units"] == 11 != 9
    assert k["fill_rate_units"] == pytest.approx(5 / 30)
    assert k["fill_rate_units"] != pytest.approx(9 / 30)
    assert k["fill_rate_lines"] == pytest.approx(1 / 6)
    assert k["fill_rate_orders"] == 0


SHOPIFY_LIKE = """Name,Created at,Email,Fulfilled at,Cancelled at,Lineitem quantity,Lineitem sku,Lineitem fulfillment status
#1,2024-03-02 10:00:00 +0100,a@example.com,2024-03-04 09:00:00 +0100,,2,A,fulfilled
#1,,,,,3,B,fulfilled
#1,,,,,1,C,pending
#2,2024-03-05 11:00:00 +0100,b@example.com,,2024-03-06 08:00:00 +0100,4,A,pending
#2,,,,,5,C,pending
#3,2024-03-07 12:00:00 +0100,c@example.com,,,1,B,pending
"""


def test_shopify_pattern_file_inherits_and_says_so(store, tmp_path):
    prep, result = load_file(store, write(tmp_path, SHOPIFY_LIKE), dataset="orders")
    assert result is not None, prep.problems
    assert ("Order-level fields Created at, Email, Cancelled at given on each order's first line only "
            "(Shopify style): later lines take them.") in prep.notes
    assert ("Ship dates in 'Fulfilled at' given on each order's first line only (Shopify style): later "
            "shipped lines of the order take the first line's.") in prep.notes
    assert store.query("select order_id, sku, order_date, customer, qty_shipped, ship_date, qty_cancelled "
                       "from orders order by first_row").rows() == [
        ("#1", "A", D(2024, 3, 2), "a@example.com", 2.0, D(2024, 3, 4), 0.0),
        # B is fulfilled with no date of its own: the first line's Fulfilled at.
        ("#1", "B", D(2024, 3, 2), "a@example.com", 3.0, D(2024, 3, 4), 0.0),
        # C is pending: inherits the order's date and email, but no ship date.
        ("#1", "C", D(2024, 3, 2), "a@example.com", 0.0, None, 0.0),
        ("#2", "A", D(2024, 3, 5), "b@example.com", 0.0, None, 4.0),
        # the order's Cancelled at, on its first line only, cancels the second line too
        ("#2", "C", D(2024, 3, 5), "b@example.com", 0.0, None, 5.0),
        ("#3", "B", D(2024, 3, 7), "c@example.com", 0.0, None, 0.0),
    ]


def test_a_column_written_on_later_lines_of_one_order_is_not_inherited(store, tmp_path):
    """M1 repeats its promised date on every line; M2 gives one on its first line only. The file
    writes promised dates per line (M1 shows it), so M2's blank is M2/2's own: no promise, due
    order date + 7. order_date, given on every line, is unaffected; customer, written on first
    lines only in both orders, is inherited."""
    text = ("order_id,line_id,sku,order_date,qty_ordered,promised_date,customer\n"
            "M1,1,A,2024-03-01,1,2024-04-20,ACME\n"
            "M1,2,B,2024-03-01,1,2024-04-20,\n"
            "M2,1,A,2024-03-02,1,2024-04-25,BOLT\n"
            "M2,2,B,2024-03-02,7,,\n")
    prep, result = load_file(store, write(tmp_path, text), dataset="orders")
    assert result is not None, prep.problems
    assert store.query("select order_id, line_id, promised_date, customer from orders "
                       "order by order_id, line_id").rows() == [
        ("M1", "1", D(2024, 4, 20), "ACME"), ("M1", "2", D(2024, 4, 20), "ACME"),
        ("M2", "1", D(2024, 4, 25), "BOLT"), ("M2", "2", None, "BOLT")]
    assert ("Order-level fields customer given on each order's first line only (Shopify style): later "
            "lines take them.") in prep.notes
    # M2/2 is due 03-02 + 7 = 03-09 < 03-31: its 7 units are past due (with M2/1's 04-25, none).
    assert kpis.kpis_for_month(store, "2024-03")["past_due_units"] == 7


def test_required_order_date_blank_on_later_lines_of_scattered_orders_is_refused():
    # First-line-only order dates, but the rows of K1 are not together: not the Shopify pattern,
    # so the blank order dates are blank required values.
    prep = prep_csv("order_id,sku,order_date,qty_ordered\n"
                    "K1,A,2024-03-01,1\n"
                    "K2,A,2024-03-02,1\n"
                    "K1,B,,2\n"
                    "K2,B,,2\n")
    assert prep.refused
    assert [(p.row, p.column) for p in prep.problems] == [(4, "order_date"), (5, "order_date")]
    assert prep.problems[0].message == "Row 4, column 'order_date': order_date is empty (value: '')."
    # The same rows with each order together: Shopify style, inherited.
    ok = prep_csv("order_id,sku,order_date,qty_ordered\n"
                  "K1,A,2024-03-01,1\nK1,B,,2\nK2,A,2024-03-02,1\nK2,B,,2\n")
    assert not ok.refused, ok.problems
    assert ok.rows["order_date"].to_list() == [D(2024, 3, 1), D(2024, 3, 1), D(2024, 3, 2), D(2024, 3, 2)]


def test_shipped_line_of_an_erp_file_does_not_take_another_lines_ship_date():
    # E1/2 is shipped but undated; its order's other line has a ship date on a LATER row (not the
    # first line): the file does not write ship dates Shopify style, so E1/2 stays undated (its
    # shipment is then dated at the month end, kpi-book section 2).
    prep = prep_csv("order_id,line_id,sku,order_date,qty_ordered,ship_date,status\n"
                    "E1,1,A,2024-03-01,1,,shipped\n"
                    "E1,2,B,2024-03-01,1,2024-03-03,shipped\n")
    assert not prep.refused, prep.problems
    assert prep.rows.sort("line_id")["ship_date"].to_list() == [None, D(2024, 3, 3)]


# --- 2./3. numbers: finite, at most 1e12, one sign ------------------------------------------

BIG = "larger than 1e12 in absolute value (no real quantity, price or cost reaches a trillion)"


def test_non_finite_and_absurd_numbers_are_row_errors():
    prep = prep_csv("order_id,sku,order_date,qty_ordered,unit_price\n"
                    "N1,A,2024-03-01,1e309,1\n"
                    "N2,A,2024-03-01,inf,1\n"
                    "N3,A,2024-03-01,NaN,1\n"
                    "N4,A,2024-03-01,-Infinity,1\n"
                    "N5,A,2024-03-01,1000000000000,1000000000000.01\n"  # 1e12 itself is fine
                    "N6,A,2024-03-01,-2e12,1\n")
    assert prep.refused
    assert errors(prep) == [
        (2, "qty_ordered", "1e309", f"Row 2, column 'qty_ordered': {BIG} (value: '1e309')."),
        (3, "qty_ordered", "inf", "Row 3, column 'qty_ordered': not a finite number (value: 'inf')."),
        (4, "qty_ordered", "NaN", "Row 4, column 'qty_ordered': not a finite number (value: 'NaN')."),
        (5, "qty_ordered", "-Infinity", "Row 5, column 'qty_ordered': not a finite number (value: '-Infinity')."),
        (6, "unit_price", "1000000000000.01", f"Row 6, column 'unit_price': {BIG} (value: '1000000000000.01')."),
        (7, "qty_ordered", "-2e12", f"Row 7, column 'qty_ordered': {BIG} (value: '-2e12')."),
    ]


def test_a_400_digit_plain_number_is_refused_on_the_fast_path():
    # Every cell of the column is a plain number: the column takes the one-cast fast path, where
    # 400 digits cast to infinity.
    prep = prep_csv("order_id,sku,order_date,qty_ordered\n"
                    "F1,A,2024-03-01,3\n"
                    f"F2,A,2024-03-01,{'9' * 400}\n"
                    "F3,A,2024-03-01,-999999999999.5\n")
    assert prep.refused
    assert [(p.row, p.column, p.value[:5], p.message.split(" (value")[0]) for p in prep.problems] == [
        (3, "qty_ordered", "99999", f"Row 3, column 'qty_ordered': {BIG}")]
    assert prep.total_row_errors == 1


def test_rows_summed_into_one_line_cannot_overflow(store, tmp_path):
    # Two rows of one line used to sum 1e308 + 1e308 = inf; each is now refused on its own.
    path = write(tmp_path, "order_id,sku,order_date,qty_ordered\nS1,A,2024-03-01,1e308\nS1,A,2024-03-01,1e308\n")
    prep, result = load_file(store, path, dataset="orders")
    assert result is None and [p.row for p in prep.problems] == [2, 3]
    assert store.is_empty()


def test_stock_quantity_and_cost_bounds(tmp_path):
    prep = importer.prepare(b"sku,qty_on_hand,unit_cost\nA,5,1e13\nB,Infinity,2\nC,999999999999,3\n",
                            "stock.csv", dataset="stock", month="2024-03")
    assert sorted((p.row, p.column, p.value) for p in prep.problems) == [(2, "unit_cost", "1e13"),
                                                                        (3, "qty_on_hand", "Infinity")]


@pytest.mark.parametrize("cell, why", [
    ("-5-", "ambiguous sign: a leading sign and a trailing minus (SAP style) together"),
    ("+5-", "ambiguous sign: a leading sign and a trailing minus (SAP style) together"),
    ("$-5-", "ambiguous sign: a leading sign and a trailing minus (SAP style) together"),
    ("--5", "not a number (a quantity is needed)"),
    ("5--", "not a number (a quantity is needed)"),
])
def test_ambiguous_and_doubled_signs_are_refused(cell, why):
    prep = prep_csv(f"order_id,sku,order_date,qty_ordered\nG1,A,2024-03-01,{cell}\nG2,A,2024-03-01,1\n")
    assert errors(prep) == [(2, "qty_ordered", cell, f"Row 2, column 'qty_ordered': {why} (value: '{cell}').")]


def test_single_signs_still_read():
    prep = prep_csv("order_id,sku,order_date,qty_ordered,unit_price\n"
                    "G1,A,2024-03-01,5-,-2\nG2,A,2024-03-01,-5,+2\nG3,A,2024-03-01,+5,$3-\n")
    assert not prep.refused, prep.problems
    assert prep.rows.sort("order_id").select("qty_ordered", "unit_price").rows() == [
        (-5.0, -2.0), (-5.0, 2.0), (5.0, -3.0)]


# --- 4. spreadsheet error values ---------------------------------------------------------------

@pytest.mark.parametrize("cell", ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!",
                                  "#SPILL!", "#CALC!", "#div/0!", "#n/a", "#value!"])
def test_spreadsheet_error_values_say_so(cell):
    prep = prep_csv("order_id,sku,order_date,qty_ordered,unit_price,promised_date\n"
                    f"X1,A,2024-03-01,2,{cell},2024-03-09\n"
                    f"X2,A,2024-03-01,1,3,{cell}\n")
    why = "a spreadsheet error value left by a formula in the source, not a {}: fix the formula there and export again"
    assert errors(prep) == [
        (2, "unit_price", cell, f"Row 2, column 'unit_price': {why.format('number')} (value: '{cell}')."),
        (3, "promised_date", cell, f"Row 3, column 'promised_date': {why.format('date')} (value: '{cell}')."),
    ]


def test_spreadsheet_error_in_a_date_column_with_other_layouts():
    # the US-date column goes through the full date parse: the same reason
    prep = prep_csv("order_id,sku,order_date,qty_ordered\nY1,A,03/01/2024,1\nY2,A,#REF!,1\n")
    [p] = prep.problems
    assert (p.row, p.column, p.value) == (3, "order_date", "#REF!")
    assert "spreadsheet error value left by a formula in the source, not a date" in p.message


def test_spreadsheet_error_values_in_an_excel_file_are_not_read_as_blanks(tmp_path):
    """Excel stores a formula's error as an error cell, which the Excel reader gives as empty: a
    lost price, or "is empty" for a quantity. They are refused with their row like in a CSV."""
    import xlsxwriter

    path = tmp_path / "orders_errors.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Orders")
    sheet.write_row(0, 0, ["order_id", "sku", "order_date", "qty_ordered", "unit_price"])
    sheet.write_row(1, 0, ["X1", "A", "2024-03-01", 2])
    sheet.write_formula(1, 4, "=1/0", None, "#DIV/0!")  # row 2: the price of a line
    sheet.write_row(2, 0, ["X2", "B", "2024-03-02"])
    sheet.write_formula(2, 3, "=NA()", None, "#N/A")  # row 3: a required quantity
    sheet.write_number(2, 4, 4.5)
    sheet.write_row(3, 0, ["X3", "C", "2024-03-03", 1, 2.0])  # row 4: fine
    book.close()
    prep = importer.prepare(path.read_bytes(), path.name, dataset="orders", month="2024-03")
    assert [(row, col, value) for row, col, value, _ in errors(prep)] == [
        (2, "unit_price", "#DIV/0!"), (3, "qty_ordered", "#N/A")]
    assert all("spreadsheet error value" in message for *_, message in errors(prep))


# --- 5. dates out of range, months from the future ---------------------------------------------

def test_dates_far_after_the_month_or_before_1900_are_row_errors():
    # Upload month 2024-03 ends 2024-03-31; 366 days later is 2025-04-01, the last date allowed.
    prep = prep_csv("order_id,sku,order_date,qty_ordered,promised_date,ship_date\n"
                    "D1,A,2024-03-01,1,2025-04-01,\n"        # the last day allowed: fine
                    "D2,A,2024-03-01,1,2025-04-02,\n"        # one day more
                    "D3,A,2062-11-05,1,,\n"
                    "D4,A,2024-03-01,1,9999-12-31,\n"
                    "D5,A,2024-03-01,1,,1899-12-31\n"
                    "D6,A,1900-01-01,1,,\n", month="2024-03")  # 1900-01-01 itself: fine
    late = "a date more than 366 days after 2024-03-31, the end of the upload month 2024-03"
    assert errors(prep) == [
        (3, "promised_date", "2025-04-02", f"Row 3, column 'promised_date': {late} (value: '2025-04-02')."),
        (4, "order_date", "2062-11-05", f"Row 4, column 'order_date': {late} (value: '2062-11-05')."),
        (5, "promised_date", "9999-12-31", f"Row 5, column 'promised_date': {late} (value: '9999-12-31')."),
        (6, "ship_date", "1899-12-31",
         "Row 6, column 'ship_date': a date before 1900-01-01 (value: '1899-12-31')."),
    ]


def test_a_stray_date_does_not_pull_the_proposed_month(store, tmp_path):
    path = write(tmp_path, "order_id,sku,order_date,qty_ordered\n"
                           "A,X,2024-02-10,1\nB,X,2062-11-05,1\nC,X,2024-03-15,1\n")
    prep, result = load_file(store, path, dataset="orders")
    assert result is None
    # proposed from the latest date not after the end of the current month: 2024-03-15
    assert prep.proposed_month == prep.month == "2024-03"
    assert [(p.row, p.column, p.value) for p in prep.problems] == [(3, "order_date", "2062-11-05")]
    assert store.is_empty()


def test_stray_snapshot_and_purchase_order_dates(tmp_path):
    stock = importer.prepare(b"sku,qty_on_hand,snapshot_date\nA,1,2024-03-31\nB,1,2062-03-31\n",
                             "stock.csv", dataset="stock")
    assert stock.month == "2024-03"
    assert [(p.row, p.column, p.value) for p in stock.problems] == [(3, "snapshot_date", "2062-03-31")]
    po = importer.prepare(b"po_id,sku,qty_ordered,order_date,expected_date\nP1,A,5,2024-03-02,9999-12-31\n",
                          "purchase_orders.csv", dataset="purchase_orders")
    assert [(p.row, p.column, p.value) for p in po.problems] == [(2, "expected_date", "9999-12-31")]


def test_upload_month_after_next_month_is_refused():
    this = dt.date.today().strftime("%Y-%m")
    body = f"order_id,sku,order_date,qty_ordered\nA,X,{this}-01,1\n"
    # next month is allowed (time zones, early closings)
    assert not prep_csv(body, month=add_months(this, 1)).refused
    later = add_months(this, 2)
    prep = prep_csv(body, month=later)
    [p] = prep.problems
    assert p.kind == "month" and prep.rows is None
    assert f"The upload month {later} (given) is later than {add_months(this, 1)}" in p.message
    assert "month-end exports cannot come from the future" in p.message
    # every date of the file in the future: proposed from the earliest, and refused the same way
    far = add_months(this, 3)
    prep = prep_csv(f"order_id,sku,order_date,qty_ordered\nA,X,{add_months(this, 4)}-01,1\nB,X,{far}-02,1\n")
    assert prep.proposed_month == far
    assert [p.kind for p in prep.problems] == ["month"]
    assert "(proposed from the file's dates)" in prep.problems[0].message


# --- 6. the missing-column message of a very wide file -----------------------------------------

def test_missing_column_message_lists_the_first_20_columns():
    # (900 columns: under the reader's own limit on the number of columns)
    headers = [f"col{i}" for i in range(900)]
    text = ",".join(headers) + "\n" + ",".join("x" for _ in headers) + "\n"
    prep = prep_csv(text)
    [p] = prep.problems
    assert p.kind == "missing_column"
    listed = ", ".join(f"col{i}" for i in range(20))
    assert f"Columns in the file: {listed} \u2026 and 880 more." in p.message
    assert "col20" not in p.message and len(p.message) < 600


def test_twenty_columns_are_all_listed():
    headers = [f"c{i}" for i in range(20)]
    prep = prep_csv(",".join(headers) + "\n" + ",".join("1" for _ in headers) + "\n")
    assert f"Columns in the file: {', '.join(headers)}. Map" in prep.problems[0].message
    assert "more" not in prep.problems[0].message


def test_demo_layout_rows_unchanged_by_the_inheritance_rule():
    """An ERP file with every order-level field on every line (the demo's layout) reads as before:
    nothing to inherit, no note."""
    prep = prep_csv(ERP_HEADER + ",customer\nQ1,1,A,2024-03-01,2,0,,2024-03-08,C1\nQ1,2,B,2024-03-01,1,1,"
                    "2024-03-04,2024-03-08,C1\n")
    assert not prep.refused
    assert not any("Shopify" in n for n in prep.notes)
    assert prep.rows.select("line_id", "promised_date", "ship_date", "customer").rows() == [
        ("1", D(2024, 3, 8), None, "C1"), ("2", D(2024, 3, 8), D(2024, 3, 4), "C1")]
    assert isinstance(prep.rows, pl.DataFrame)
