"""Backorder KPIs (kpi-book section 3, Backorders) on small hand-made fixtures loaded through the
real importer into a real store. Every expected value is worked out by hand in the comments."""
from __future__ import annotations

import pytest

from kpi_helpers import by, kpis, orders, rows, save_settings, stock

MARCH_ORDERS = """
    BO1,1,A,2024-03-01,6,0,,0,,,,          # A demand 6
    BO2,1,A,2024-03-02,4,0,,0,,,,          # A demand + 4 = 10
    BO3,1,B,2024-03-03,5,0,,0,,,,          # B demand 5 (B's stock rows sum below 0)
    BO4,1,C,2024-03-04,4,0,,0,,,,          # C demand 4, C has no stock row at all
    BO5,1,D,2024-03-05,2,0,,0,,,,          # D demand 2, covered by stock
    BO6,1,D,2024-03-06,9,9,2024-03-07,0,,,,  # D shipped in full: no demand
    BO7,1,A,2024-03-07,-5,0,,0,,,,         # a return of A: left out, does not offset A's demand
"""
MARCH_STOCK = """
    A,5,1,W1     # A on hand 5 + 2 = 7
    A,2,1,W2
    B,-4,1,W1    # B rows sum to -4 + 1 = -3 -> on hand max(0, -3) = 0
    B,1,1,W2
    D,10,1,W1    # D covered: 10 >= 2
    E,5,1,W1     # E has stock and no demand
"""


def test_backorder_units_per_sku_and_totals(store, tmp_path):
    orders(store, tmp_path, "2024-03", MARCH_ORDERS)
    stock(store, tmp_path, "2024-03", MARCH_STOCK)
    per_sku = rows(store, "backorders_by_sku", "2024-03")
    # A: max(0, 10 - 7) = 3; B: max(0, 5 - 0) = 5; C: max(0, 4 - 0) = 4 (no stock row: on hand 0);
    # D: max(0, 2 - 10) = 0 (not listed); largest first.
    assert [(r["sku"], r["backorder_units"], r["open_demand"], r["on_hand"]) for r in per_sku] == [
        ("B", 5, 5, 0), ("C", 4, 4, 0), ("A", 3, 10, 7)]
    march = kpis(store, "2024-03")
    assert march["backorder_units"] == 3 + 5 + 4
    assert march["backordered_skus"] == 3
    # backlog = 10 + 5 + 4 + 2 = 21; rate = 12 / 21
    assert march["backlog_units"] == 21
    assert march["backorder_rate"] == pytest.approx(12 / 21)
    assert march["backorder_units"] <= march["backlog_units"]


def test_backorders_null_without_the_months_stock_or_orders(store, tmp_path):
    orders(store, tmp_path, "2024-03", MARCH_ORDERS)   # March: orders only
    stock(store, tmp_path, "2024-04", MARCH_STOCK)     # April: stock only
    for month in ("2024-03", "2024-04"):
        k = kpis(store, month)
        assert k["backorder_units"] is None and k["backordered_skus"] is None and k["backorder_rate"] is None
        assert k["frequently_backordered"] is None
    assert kpis(store, "2024-03")["backlog_units"] == 21  # the backlog itself is known
    assert rows(store, "backorders_by_sku", "2024-03") == []


def test_no_open_demand_gives_zero_backorders_and_null_rate(store, tmp_path):
    orders(store, tmp_path, "2024-03", """
        NB1,1,A,2024-03-01,4,4,2024-03-02,0,,,,   # shipped in full: nothing open
    """)
    stock(store, tmp_path, "2024-03", """
        A,0,1,W1     # nothing on hand either
    """)
    march = kpis(store, "2024-03")
    assert march["backlog_units"] == 0
    assert march["backorder_units"] == 0 and march["backordered_skus"] == 0
    assert march["backorder_rate"] is None  # 0 / 0
    assert march["frequently_backordered"] == []


# --- months backordered and the frequently-backordered ranking ----------------------------------------

FB_ORDERS = """
    FP,1,P,2024-01-05,10,0,,0,,,,   # every SKU has 10 open from January on, in every month
    FQ,1,Q,2024-01-05,10,0,,0,,,,
    FR,1,R,2024-01-05,10,0,,0,,,,
    FS,1,S,2024-01-05,10,0,,0,,,,
    FU,1,U,2024-01-05,10,0,,0,,,,
    FV,1,V,2024-01-05,10,0,,0,,,,   # V is in no stock file: on hand 0, backordered 10 in every counted month
"""
# on hand per month, and backorder = 10 - on hand (V never has a row):
#        Jan      Feb      Mar      (Apr: no stock upload)   May
#   P    0 -> 10  0 -> 10  0 -> 10                           8 -> 2
#   Q    5 -> 5   10 -> 0  5 -> 5                            5 -> 5
#   R    10 -> 0  5 -> 5   5 -> 5                            5 -> 5
#   S    5 -> 5   5 -> 5   10 -> 0                           10 -> 0
#   U    0 -> 10  0 -> 10  0 -> 10                           10 -> 0
FB_STOCK = {
    "2024-01": "P,0,1,\nQ,5,1,\nR,10,1,\nS,5,1,\nU,0,1,",
    "2024-02": "P,0,1,\nQ,10,1,\nR,5,1,\nS,5,1,\nU,0,1,",
    "2024-03": "P,0,1,\nQ,5,1,\nR,5,1,\nS,10,1,\nU,0,1,",
    "2024-05": "P,8,1,\nQ,5,1,\nR,5,1,\nS,10,1,\nU,10,1,",
}


def load_frequent(store, tmp_path):
    for month in ("2024-01", "2024-02", "2024-03", "2024-04", "2024-05"):
        orders(store, tmp_path, month, FB_ORDERS)
    for month, text in FB_STOCK.items():
        stock(store, tmp_path, month, text)


def ranking(k: dict) -> list[tuple]:
    return [(r["sku"], r["months_backordered"], r["backorder_units"]) for r in k["frequently_backordered"]]


def test_frequently_backordered_ranking_and_tie_breaks(store, tmp_path):
    load_frequent(store, tmp_path)
    # Counted months (orders and stock): Jan, Feb, Mar, May; April has no stock upload.
    # months_backordered: V 4, P 4, Q 3 (Jan, Mar, May), R 3 (Feb, Mar, May), U 3 (Jan, Feb, Mar),
    # S 2 (Jan, Feb; it would be 3 if April counted) -> below the threshold 3.
    # Ranked by months desc, then backorder units at May desc, then sku ascending:
    # V (4, 10), P (4, 2), Q (3, 5), R (3, 5) (tie -> Q before R), U (3, 0).
    may = kpis(store, "2024-05")
    assert ranking(may) == [("V", 4, 10), ("P", 4, 2), ("Q", 3, 5), ("R", 3, 5), ("U", 3, 0)]
    # March: window Jan..Mar: P, U, V 3 months each with 10 at March -> sku order; Q 2, R 2, S 2.
    assert ranking(kpis(store, "2024-03")) == [("P", 3, 10), ("U", 3, 10), ("V", 3, 10)]
    # April has no stock upload: unknown, not empty
    assert kpis(store, "2024-04")["frequently_backordered"] is None


def test_frequently_backordered_window_and_threshold_settings(store, tmp_path):
    load_frequent(store, tmp_path)
    save_settings(store, backorder_window_months=3, frequent_backorder_months=2)
    # window Mar, Apr, May (Apr not counted): V 2 (10 at May), Q 2 (5), R 2 (5), P 2 (2), U 1, S 0
    assert ranking(kpis(store, "2024-05")) == [("V", 2, 10), ("Q", 2, 5), ("R", 2, 5), ("P", 2, 2)]


def test_months_backordered_combines_each_months_own_figures(store, tmp_path):
    load_frequent(store, tmp_path)
    save_settings(store, frequent_backorder_months=1)
    # Consistency: months_backordered(s) at May = the number of months of the window whose own
    # backorders_by_sku (as reported at that month) lists s.
    counted = {}
    for month in ("2024-01", "2024-02", "2024-03", "2024-04", "2024-05"):
        for r in rows(store, "backorders_by_sku", month):
            counted[r["sku"]] = counted.get(r["sku"], 0) + 1
    listed = {r["sku"]: r["months_backordered"] for r in kpis(store, "2024-05")["frequently_backordered"]}
    assert listed == counted == {"P": 4, "Q": 3, "R": 3, "S": 2, "U": 3, "V": 4}


# --- data checks ---------------------------------------------------------------------------------------

def test_check_skus_not_in_stock(store, tmp_path):
    orders(store, tmp_path, "2024-03", MARCH_ORDERS)
    stock(store, tmp_path, "2024-03", MARCH_STOCK)
    # C has 4 open and no row in March's stock file; A, B and D have rows; E has a row and no demand
    found = rows(store, "checks/skus_not_in_stock", "2024-03")
    assert [(r["sku"], r["open_demand"], r["count_lines"]) for r in found] == [("C", 4, 1)]


def test_check_skus_not_in_stock_clean(store, tmp_path):
    orders(store, tmp_path, "2024-03", MARCH_ORDERS)
    stock(store, tmp_path, "2024-03", MARCH_STOCK + "\nC,0,1,W1   # C now has a row (on hand 0)")
    assert rows(store, "checks/skus_not_in_stock", "2024-03") == []


def test_check_negative_stock(store, tmp_path):
    stock(store, tmp_path, "2024-03", MARCH_STOCK)
    found = rows(store, "checks/negative_stock", "2024-03")
    assert [(r["sku"], r["location"], r["qty_on_hand"]) for r in found] == [("B", "W1", -4)]
    stock(store, tmp_path, "2024-04", """
        A,5,1,W1    # no negative row in April
        B,0,1,W1
    """)
    assert rows(store, "checks/negative_stock", "2024-04") == []


def test_backorders_by_sku_lists_customers_lines_orders(store, tmp_path):
    orders(store, tmp_path, "2024-03", """
        CL1,1,A,2024-03-01,3,0,,0,,,C1,   # A: two customers, three lines, two orders
        CL1,2,A,2024-03-01,2,0,,0,,,C1,
        CL2,1,A,2024-03-05,4,0,,0,,,C2,
    """)
    stock(store, tmp_path, "2024-03", "A,1,1,W1   # A demand 9, on hand 1 -> 8 backordered")
    a = by(rows(store, "backorders_by_sku", "2024-03"), "sku")["A"]
    assert (a["backorder_units"], a["count_customers"], a["count_lines"], a["count_orders"]) == (8, 2, 3, 2)


FILTER_ORDERS = """
    F1,1,A,2024-01-05,10,0,,0,,,C1,WH1   # A: 10 open for C1 at WH1
    F2,1,A,2024-01-06,5,0,,0,,,C2,WH2    # A: 5 open for C2 at WH2
    F3,1,B,2024-01-07,4,0,,0,,,C1,WH1    # B: 4 open for C1 at WH1
"""
FILTER_STOCK = """
    A,6,1,WH1    # A on hand: 6 at WH1 + 1 at WH2 = 7
    A,1,1,WH2
    B,10,1,WH1   # B covered everywhere
"""


@pytest.mark.parametrize("filters, backorder_units, backordered_skus", [
    # no filter: A 15 - 7 = 8, B 4 - 10 -> 0 (read from the backorder facts)
    ({}, 8, 1),
    # category and supplier filters keep the product master's SKUs (still from the facts)
    ({"categories": ("Tools",)}, 8, 1),
    ({"categories": ("Paint",)}, 0, 0),
    ({"suppliers": ("S1",)}, 8, 1),
    # a location filter: demand and on hand of that location only (computed from the lines)
    ({"locations": ("WH1",)}, 4, 1),   # A 10 - 6 = 4; B 4 - 10 -> 0
    ({"locations": ("WH2",)}, 4, 1),   # A 5 - 1 = 4
    # a customer filter: that customer's demand against all the stock
    ({"customers": ("C1",)}, 3, 1),    # A 10 - 7 = 3; B 4 - 10 -> 0
    ({"customers": ("C2",)}, 0, 0),    # A 5 - 7 -> 0
    ({"customers": ("C1",), "categories": ("Tools",)}, 3, 1),
])
def test_backorders_under_filters(store, tmp_path, filters, backorder_units, backordered_skus):
    from stocklens import kpis as kpis_mod
    from kpi_helpers import products

    products(store, tmp_path, "A,Drill,Tools,S1,1,10\nB,Paint pot,Paint,S2,1,5")
    orders(store, tmp_path, "2024-01", FILTER_ORDERS)
    stock(store, tmp_path, "2024-01", FILTER_STOCK)
    got = kpis_mod.kpis_for_month(store, "2024-01", filters=kpis_mod.Filters(**filters))
    assert got["backorder_units"] == backorder_units
    assert got["backordered_skus"] == backordered_skus
