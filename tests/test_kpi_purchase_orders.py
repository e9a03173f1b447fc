"""Purchase-order figures (issue 10, part A) on small hand-made fixtures loaded through the real
importer into a real store: PO lines as reported at M, on order, late lines, backorder coverage,
the supplier scorecard and single-source risk. Every expected value is worked out by hand in the
comments; t = E(M), the last day of the month."""
from __future__ import annotations

import pytest

from kpi_helpers import by, kpis, load, one, orders, products, rows, stock
from stocklens import kpis as kpis_mod

PO_HEADER = "po_id,line_id,sku,supplier,order_date,expected_date,received_date,qty_ordered,qty_received"


def purchase_orders(store, folder, month, text):
    return load(store, folder, "purchase_orders", month, PO_HEADER + "\n" + text)


def on_order(store, month) -> dict:
    """po_on_order(as_of) per SKU: (on order units, next expected date, late lines)."""
    frame = store.query("select * from po_on_order(last_day(strptime($m, '%Y-%m'))::date) order by sku",
                        {"m": month})
    return {r["sku"]: (r["on_order_units"], str(r["next_expected_date"]) if r["next_expected_date"] else None,
                       r["count_late_lines"]) for r in frame.iter_rows(named=True)}


def sku_history(store, sku: str, window: list[str]) -> list[dict]:
    """queries/kpis/sku_history.sql: one row per month of the window."""
    return kpis_mod.run(store, "sku_history", kpis_mod.Context(window[-1]), window=window, sku=sku).to_dicts()


# --- versions, receipts, on order and late lines ----------------------------------------------------

JAN_PO = """
    P1,1,A,S1,2024-01-05,2024-01-20,2024-01-18,10,4   # A: 4 of 10 received on 01-18: 6 open, expected 01-20 < t: late
    P2,1,A,S1,2024-01-25,2024-02-25,,5,0              # P2 line 1 in two rows of the upload: one line of 5 + 3 = 8,
    P2,1,A,S1,2024-01-25,2024-02-25,,3,0              #   open 8, due in February: not late in January
    P3,1,B,S2,2024-02-03,2024-02-28,,5,0              # B: ordered after t (a PO dated ahead): not open in January
    P4,,C,S2,,2024-03-10,,7,                          # C: no line_id (key P4 + C), no order date (open from January 1), blank received = 0
    P5,1,D,S1,2024-01-02,2024-01-10,2024-01-09,3,5    # D: 5 received of 3 ordered: nothing open
    P6,1,A,S1,2024-01-03,2024-01-15,,-2,0             # qty_ordered <= 0 (a correction): left out, never late
"""
FEB_PO = """
    P1,1,A,S1,2024-01-05,2024-01-20,2024-02-02,10,10  # the other 6 of A received 02-02: closed
    P3,1,B,S2,2024-02-03,2024-02-28,2024-02-27,5,2    # B: 2 received, 3 open, expected 02-28 < 02-29: late
    P4,,C,S2,,2024-03-10,,7,3                         # C: 3 received, no received date: dated E(Feb) = 02-29; 4 open
"""
# P2 is not in February's file: it keeps its January state (8 open), now past 02-25: late.
# P5 is not either: closed in January, it stays closed.


def test_on_order_and_late_lines_from_versions(store, tmp_path):
    purchase_orders(store, tmp_path, "2024-01", JAN_PO)
    purchase_orders(store, tmp_path, "2024-02", FEB_PO)
    # January: A 6 (P1) + 8 (P2) = 14, next expected 01-20, P1 late; C 7 (no expected before t);
    # B not yet ordered, D over-received, P6 left out.
    assert on_order(store, "2024-01") == {"A": (14, "2024-01-20", 1), "C": (7, "2024-03-10", 0)}
    jan = one(store, "po_totals", "2024-01")
    assert (jan["on_order_units"], jan["open_po_lines"], jan["late_po_lines"], jan["late_po_units"]) == (21, 3, 1, 6)
    # February: A 8 (P2, late), B 5 - 2 = 3 (late), C 7 - 3 = 4
    assert on_order(store, "2024-02") == {"A": (8, "2024-02-25", 1), "B": (3, "2024-02-28", 1),
                                          "C": (4, "2024-03-10", 0)}
    feb = kpis(store, "2024-02")
    assert (feb["on_order_units"], feb["late_po_lines"]) == (15, 2)
    late = rows(store, "po_late_lines", "2024-02")
    # days late = 02-29 - expected: P2 4 days, P3 1 day; most days late first
    assert [(r["po_id"], r["sku"], r["days_late"], r["open_qty"], r["supplier"]) for r in late] == [
        ("P2", "A", 4, 8, "S1"), ("P3", "B", 1, 3, "S2")]


def test_receipts_and_on_order_in_the_sku_history(store, tmp_path):
    purchase_orders(store, tmp_path, "2024-01", JAN_PO)
    purchase_orders(store, tmp_path, "2024-02", FEB_PO)
    history = sku_history(store, "A", ["2024-01", "2024-02", "2024-03"])
    got = [(r["report_month"], r["receipts_units"], r["on_order_units"]) for r in history]
    # A: January receipts 4 (P1 on 01-18), on order 14; February receipts 10 - 4 = 6, on order 8;
    # March has no PO file: unknown. (No orders or stock files: their columns stay null.)
    assert got == [("2024-01", 4, 14), ("2024-02", 6, 8), ("2024-03", None, None)]
    assert all(r["open_demand"] is None and r["on_hand"] is None for r in history)
    [c] = sku_history(store, "C", ["2024-02"])
    assert (c["receipts_units"], c["on_order_units"]) == (3, 4)  # dated E(Feb): in February


def test_replacing_an_earlier_month_recomputes_later_receipts(store, tmp_path):
    purchase_orders(store, tmp_path, "2024-01", JAN_PO)
    purchase_orders(store, tmp_path, "2024-02", FEB_PO)
    assert [r["receipts_units"] for r in sku_history(store, "A", ["2024-01", "2024-02"])] == [4, 6]
    feb = kpis(store, "2024-02")  # stored as February's month figures
    assert (feb["on_order_units"], feb["late_po_lines"]) == (15, 2)
    # January replaced: P1 received nothing by then. February's version (10 received) now brings
    # all 10, dated 02-02: A's February receipts 10, January's 0.
    purchase_orders(store, tmp_path, "2024-01", JAN_PO.replace("2024-01-18,10,4", ",10,0"))
    history = sku_history(store, "A", ["2024-01", "2024-02"])
    assert [(r["receipts_units"], r["on_order_units"]) for r in history] == [(0, 18), (10, 8)]
    # the stored figures of both months were forgotten: January on order 6 + 8 + 7 -> 10 + 8 + 7,
    # February unchanged (P1 is received in full either way); January late lines still 1 (P1)
    assert (kpis(store, "2024-01")["on_order_units"], kpis(store, "2024-02")["on_order_units"]) == (25, 15)
    # a February file without P3 replaced: B keeps its January state (not yet ordered then,
    # open 5 in February and late): on order 8 + 5 + 4 = 17
    purchase_orders(store, tmp_path, "2024-02", "\n".join(
        line for line in FEB_PO.splitlines() if "P3," not in line))
    assert kpis(store, "2024-02")["on_order_units"] == 17


def test_month_without_po_file_is_unknown_and_later_uploads_do_not_change_a_month(store, tmp_path):
    purchase_orders(store, tmp_path, "2024-01", JAN_PO)
    purchase_orders(store, tmp_path, "2024-02", FEB_PO)
    before = kpis(store, "2024-02")
    # April: P2 reported received in full on 02-20 (reported late), P3 and P4 unchanged
    purchase_orders(store, tmp_path, "2024-04", """
        P2,1,A,S1,2024-01-25,2024-02-25,2024-02-20,8,8
        P3,1,B,S2,2024-02-03,2024-02-28,2024-02-27,5,2
        P4,,C,S2,,2024-03-10,,7,3
    """)
    store.clear_month_figures()  # computed again from the facts, not read back
    store.clear_result_cache()
    feb = kpis(store, "2024-02")
    assert {k: feb[k] for k in ("on_order_units", "late_po_lines", "supplier_otif_lines")} == \
        {k: before[k] for k in ("on_order_units", "late_po_lines", "supplier_otif_lines")}
    assert (feb["on_order_units"], feb["late_po_lines"]) == (15, 2)  # as reported at February
    # March has no PO file: every PO figure is unknown, not 0 (and not February's carried over)
    march = kpis(store, "2024-03")
    for key in ("on_order_units", "late_po_lines", "supplier_otif_lines", "backorder_covered_units",
                "backorder_uncovered_units"):
        assert march[key] is None, key
    assert on_order(store, "2024-03") == {}
    assert rows(store, "po_late_lines", "2024-03") == [] and rows(store, "supplier_scorecard", "2024-03") == []
    # April: A 0 (P2 received), B 3 (P3 late), C 4 (P4 expected 03-10 < 04-30: late now)
    april = kpis(store, "2024-04")
    assert (april["on_order_units"], april["late_po_lines"]) == (7, 2)
    # No orders or stock files at all: coverage unknown even with the PO file
    assert april["backorder_covered_units"] is None and april["backorder_uncovered_units"] is None


# --- backorder coverage and single-source risk ------------------------------------------------------

COVER_PRODUCTS = """
    A,Drill,Tools,S1,1,30
    B,Saw,Tools,S2,1,20
    C,Paint,Paint,S2,1,12
    D,Brush,Paint,S1,1,14
    E,Glue,Paint,S3,1,10
"""
COVER_ORDERS = """
    O1,1,A,2024-03-01,10,0,,0,,,,   # A demand 10
    O2,1,B,2024-03-02,4,0,,0,,,,    # B demand 4
    O3,1,C,2024-03-03,6,0,,0,,,,    # C demand 6
    O4,1,D,2024-03-04,2,0,,0,,,,    # D demand 2
    O5,1,E,2024-03-05,3,0,,0,,,,    # E demand 3, no stock row
"""
COVER_STOCK = """
    A,2,1,W1    # A backorder 10 - 2 = 8
    B,0,1,W1    # B backorder 4
    C,1,1,W1    # C backorder 5
    D,5,1,W1    # D covered by stock: not backordered
"""
# E backorder 3 - 0 = 3. Backorder units: 8 + 4 + 5 + 3 = 20.
COVER_PO = """
    P10,1,A,S1,2024-02-01,2024-04-20,,5,0             # A open 5, expected 04-20
    P11,1,A,S1,2024-02-15,2024-04-05,,2,0             # A open 2, expected 04-05 (before P12: po_id)
    P12,1,A,S1,2024-03-01,2024-04-05,2024-03-20,4,1   # A open 3, expected 04-05
    P13,1,A,S1,2024-01-10,2024-03-15,,1,0             # A open 1, expected 03-15 < t: late
    P20,1,B,S2,2024-03-05,2024-04-10,,3,0             # B open 3 < backorder 4
    P21,1,B,S1,2024-03-06,2024-03-20,2024-03-18,2,2   # B received in full from S1: a second supplier of B
    P30,1,C,,2024-03-05,,,6,0                         # C open 6, no expected date, no supplier (master: S2)
    P40,1,D,S1,2024-03-01,2024-04-01,,4,0             # D on order 4, not backordered
"""


@pytest.fixture
def coverage_store(store, tmp_path):
    products(store, tmp_path, COVER_PRODUCTS)
    orders(store, tmp_path, "2024-03", COVER_ORDERS)
    stock(store, tmp_path, "2024-03", COVER_STOCK)
    purchase_orders(store, tmp_path, "2024-03", COVER_PO)
    return store


def test_backorder_coverage_and_cover_date(coverage_store):
    got = {r["sku"]: (r["backorder_units"], r["on_order_units"], r["covered_units"], r["uncovered_units"],
                      str(r["cover_date"]) if r["cover_date"] else None,
                      str(r["next_expected_date"]) if r["next_expected_date"] else None, r["is_late"])
           for r in rows(coverage_store, "backorder_coverage_by_sku", "2024-03")}
    # A: open lines by expected date, then po_id: P13 1 (03-15), P11 2 (04-05), P12 3 (04-05),
    #    P10 5 (04-20); cumulative 1, 3, 6, 11: reaches the backorder 8 at P10 -> cover date 04-20;
    #    on order 11, covered min(8, 11) = 8, uncovered 0; next expected 03-15 (late line P13).
    # B: on order 3 < backorder 4: covered 3, uncovered 1, no cover date. (P21 is received.)
    # C: on order 6 >= 5, but the line that reaches it has no expected date: cover date unknown.
    # E: nothing on order: covered 0, uncovered 3. D is not backordered.
    assert got == {
        "A": (8, 11, 8, 0, "2024-04-20", "2024-03-15", True),
        "B": (4, 3, 3, 1, None, "2024-04-10", False),
        "C": (5, 6, 5, 0, None, None, False),
        "E": (3, 0, 0, 3, None, None, False),
    }
    march = kpis(coverage_store, "2024-03")
    assert march["backorder_units"] == 20
    assert (march["backorder_covered_units"], march["backorder_uncovered_units"]) == (8 + 3 + 5 + 0, 0 + 1 + 0 + 3)
    # on order: A 11 + B 3 + C 6 + D 4 = 24; late: P13 only
    assert (march["on_order_units"], march["late_po_lines"]) == (24, 1)


def test_single_source_risk(coverage_store):
    # PO suppliers in the 12 months: A {S1}; B {S2, S1}; C {the master's S2: P30 has none};
    # E has no PO line (not listed: nothing to diversify from). Backordered and one supplier: A, C.
    risk = rows(coverage_store, "supplier_single_source", "2024-03")
    assert [(r["sku"], r["supplier"], r["backorder_units"], r["uncovered_units"]) for r in risk] == [
        ("A", "S1", 8, 0), ("C", "S2", 5, 0)]


def test_coverage_unknown_without_the_months_po_file(store, tmp_path):
    products(store, tmp_path, COVER_PRODUCTS)
    orders(store, tmp_path, "2024-03", COVER_ORDERS)
    stock(store, tmp_path, "2024-03", COVER_STOCK)
    purchase_orders(store, tmp_path, "2024-02", COVER_PO)  # the PO file of February, not March
    march = kpis(store, "2024-03")
    assert march["backorder_units"] == 20
    assert march["backorder_covered_units"] is None and march["backorder_uncovered_units"] is None
    assert march["on_order_units"] is None
    assert rows(store, "backorder_coverage_by_sku", "2024-03") == []
    assert rows(store, "supplier_single_source", "2024-03") == []


# --- supplier scorecard: lead times, OTIF, late lines ------------------------------------------------

SCORE_PRODUCTS = """
    A,Drill,Tools,S1,1,30
    B,Saw,Tools,S1,1,20
    C,Paint,Paint,S2,1,12
    D,Brush,Paint,S2,1,14
"""
# Window of June 2024: dated after 2023-06-30, on or before 2024-06-30.
MAY_SCORE_PO = """
    Q1,1,A,S1,2024-04-01,2024-04-20,2024-04-21,10,10  # 10 received 04-21: lead 20 days; due 04-20, 0 by then: not OTIF
    Q2,1,A,S1,2024-04-10,2024-05-10,2024-05-08,20,5   # 5 received 05-08: lead 28 days
"""
JUNE_SCORE_PO = """
    Q2,1,A,S1,2024-04-10,2024-05-10,2024-06-03,20,20  # 15 more on 06-03: lead 54 days; by 05-10 only 5: not OTIF, 5 on time
    Q3,1,B,S1,2024-05-20,2024-06-10,2024-06-10,5,5    # 5 on 06-10: lead 21 days; in full by 06-10: OTIF
    Q4,1,B,S1,2024-06-01,2024-07-15,,6,0              # due in July: not in the OTIF lines; stated 44 days
    Q5,1,A,S1,2024-01-02,2024-02-01,2024-06-20,1,1    # 1 unit after 170 days; due 02-01: not OTIF
    Q6,1,B,S1,2024-05-01,2024-06-15,,3,0              # open 3 past 06-15: late; not OTIF
    R1,1,C,,2024-06-01,2024-06-11,2024-06-11,4,4      # no supplier: the master's S2; lead 10 days, OTIF
"""
# Q1 is not in June's file: its May state (received in full on 04-21) is kept.


def test_supplier_scorecard(store, tmp_path):
    products(store, tmp_path, SCORE_PRODUCTS)
    purchase_orders(store, tmp_path, "2024-05", MAY_SCORE_PO)
    purchase_orders(store, tmp_path, "2024-06", JUNE_SCORE_PO)
    orders(store, tmp_path, "2024-06", """
        O1,1,A,2024-06-01,5,0,,0,,,,   # A demand 5 against 2 on hand: backorder 3 (S1)
        O2,1,C,2024-06-02,2,0,,0,,,,   # C demand 2, no stock row: backorder 2 (S2)
    """)
    stock(store, tmp_path, "2024-06", "A,2,1,W1")
    card = by(rows(store, "supplier_scorecard", "2024-06"), "supplier")
    assert set(card) == {"S1", "S2"}
    s1, s2 = card["S1"], card["S2"]
    # S1 receipts (units @ lead days): 10 @ 20, 5 @ 28, 15 @ 54, 5 @ 21, 1 @ 170 = 36 units.
    # mean = (200 + 140 + 810 + 105 + 170) / 36 = 1425 / 36
    assert s1["received_units"] == 36
    assert s1["lead_time_actual_mean"] == pytest.approx(1425 / 36)
    # p90: sorted 20 (10), 21 (5), 28 (5), 54 (15), 170 (1): cumulative 10, 15, 20, 35, 36;
    # 90% of 36 = 32.4 is first reached at 54 days (not the longest, 170, nor an unweighted 54+)
    assert s1["lead_time_actual_p90"] == 54
    # stated: master (A 30 + B 20) / 2 = 25; PO lines ordered in the window with an expected date:
    # Q1 19, Q2 30, Q3 21, Q4 44, Q5 30, Q6 45 days -> 189 / 6 = 31.5
    assert s1["lead_time_stated_master"] == 25 and s1["lead_time_stated_po"] == pytest.approx(31.5)
    # OTIF: due in the window Q1, Q2, Q3, Q5, Q6 (Q4 is due in July); in full by the expected date: Q3
    assert (s1["po_lines_due"], s1["po_lines_otif"]) == (5, 1) and s1["otif_lines"] == pytest.approx(0.2)
    # units due 10 + 20 + 5 + 1 + 3 = 39; on time 0 + 5 + 5 + 0 + 0 = 10
    assert (s1["units_due"], s1["units_on_time"]) == (39, 10)
    assert (s1["late_open_lines"], s1["late_open_units"], s1["on_order_units"]) == (1, 3, 3 + 6)
    assert s1["backorder_units"] == 3
    # S2: R1 only (the master's supplier of C): 4 @ 10 days, OTIF 1/1; master (12 + 14) / 2 = 13
    assert (s2["received_units"], s2["lead_time_actual_mean"], s2["lead_time_actual_p90"]) == (4, 10, 10)
    assert (s2["otif_lines"], s2["lead_time_stated_master"], s2["lead_time_stated_po"]) == (1, 13, 10)
    assert (s2["late_open_lines"], s2["backorder_units"]) == (0, 2)
    # all suppliers: (1 + 1) OTIF lines of (5 + 1) due
    june = kpis(store, "2024-06")
    assert june["supplier_otif_lines"] == pytest.approx(2 / 6)
    assert june["late_po_lines"] == 1
    # measured lead time per SKU and supplier (for the reorder list): A (10@20 + 5@28 + 15@54 + 1@170)
    # / 31 = 1320 / 31; B 5 @ 21; C 4 @ 10 (S2, the master's)
    lead = {(r["sku"], r["supplier"]): r["lead_time_days_measured"]
            for r in store.query("select * from sku_lead_times('2024-06')").iter_rows(named=True)}
    assert lead == {("A", "S1"): pytest.approx(1320 / 31), ("B", "S1"): 21, ("C", "S2"): 10}
    # as reported at May: Q1 10 @ 20 and Q2 5 @ 28 only
    may = by(rows(store, "supplier_scorecard", "2024-05"), "supplier")
    assert may["S1"]["lead_time_actual_mean"] == pytest.approx(340 / 15)
    assert may["S1"]["backorder_units"] is None  # no orders or stock file in May


def test_registry_entries_name_their_query_columns(store):
    # every PO figure of the registry is a column of its query
    for kpi_id in ("on_order_units", "late_po_lines", "backorder_covered_units", "backorder_uncovered_units",
                   "supplier_otif_lines", "lead_time_actual_mean", "lead_time_actual_p90", "otif_lines",
                   "covered_units", "uncovered_units"):
        k = kpis_mod.REGISTRY[kpi_id]
        frame = kpis_mod.run(store, k.query, kpis_mod.Context("2024-01"), cached=False)
        assert (k.column or k.id) in frame.columns, kpi_id
