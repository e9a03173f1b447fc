"""Every KPI query gives the same figures with no filter and with every value of a filter chosen.

Without a customer or location filter the backorder and inventory figures read facts built at
load time; with one (and the inventory figures with a supplier filter) they recompute from the
intermediate macros. Choosing every value a filter lists (the filter_values view, queries/intermediate) must
give the unfiltered figures, so the two paths must agree. Rows without a value of the filter's
kind (a line without customer or location, a SKU without category or supplier or missing from the
product master) are the value '(no customer)' etc., which the filter lists: choosing every value
keeps them too, as a planner expects of "all".

Run on the demo store and on a small hand-made store that has those rows without a value."""
from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from kpi_helpers import load, orders, products, stock
from stocklens import kpis, results, settings as settings_mod
from stocklens.sql import QUERIES
from stocklens.store import Store

KPI_QUERIES = sorted(p.stem for p in (QUERIES / "kpis").glob("*.sql"))
KINDS = {"category": "categories", "supplier": "suppliers", "location": "locations", "customer": "customers"}


def extra_params(store, query: str, month: str) -> list[dict]:
    """The extra parameters each query file needs (beyond the context's), one dict per run. Every
    file of queries/kpis has an entry: test_every_query_file_is_covered fails on a new one."""
    w = kpis.window(month, 12)
    skus = store.query("select distinct sku from sku_backorders($w, 7, null, null, null, null) "
                       "where backorder_units > 0 order by sku", {"w": w})["sku"].to_list()
    # the SKU histories of a few SKUs: the most backordered ones, and one missing from the master
    top = store.query("select sku from sku_backorders([$m], 7, null, null, null, null) "
                      "order by backorder_units desc, sku limit 3", {"m": month})["sku"].to_list()
    orphans = store.query("select min(sku) as sku from orders anti join product_facts using (sku)")["sku"].to_list()
    months = {"months": kpis.window(month, 3)}  # month-grain queries: a 3-month trend
    # a draft PO: the first supplier of the master, and the SKUs without one
    suppliers = store.query("select min(supplier) as s from product_facts")["s"].to_list() + ["(no supplier)"]
    return {
        "abc_xyz_by_sku": [{}, {"classes": ["AX", "BY", "CZ"]}],
        "abc_xyz_matrix": [{}],
        "forecast_accuracy": [{}],
        "forecast_by_sku": [{}],
        "reorder_list": [{}, {"classes": ["AX", "AY", "BZ", "CZ"]}],
        "backlog_age_buckets": [months],
        "backlog_bridge": [{}],
        "backlog_by_customer": [{}],
        "backlog_by_location": [{}],
        "backlog_changes": [{"compare_month": kpis.previous_month(month)}],
        "backlog_open_lines": [{"limit": 1_000_000}],
        "backlog_totals": [months],
        "backorder_history": [{"window": w, "skus": skus}],
        "backorder_totals": [months],
        "backorders_by_sku": [{}],
        "reorder_by_supplier": [{}, {"classes": ["AX", "AY", "BZ", "CZ"]}],
        "backorder_coverage_by_sku": [{}],
        "po_late_lines": [{}],
        "po_totals": [months],
        "supplier_scorecard": [{}],
        "supplier_single_source": [{}],
        "days_of_supply_bands": [{}],
        "dead_and_excess_by_sku": [{}],
        "draft_po": [{"supplier": s, **c} for s in suppliers if s for c in ({}, {"classes": ["AX", "BY", "CZ"]})],
        "fill_rate": [months],
        "frequently_backordered": [{}],
        "inventory_by_category": [{}],
        "inventory_turnover": [months],
        "sku_history": [{"window": w, "sku": s} for s in top + [s for s in orphans if s]],
        "stock_by_sku": [{}],
    }[query]


def canonical(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows in one order whatever the float noise: sorted on every column, floats rounded."""
    keys = [pl.col(c).round(6) if frame[c].dtype.is_float() else pl.col(c) for c in frame.columns]
    return frame.sort(keys, nulls_last=True) if frame.height else frame


def every_value(store) -> dict[str, tuple[str, ...]]:
    values = store.query("select kind, value from filter_values order by kind, value")
    return {kind: tuple(values.filter(pl.col("kind") == kind)["value"].to_list()) for kind in KINDS}


def assert_every_value_gives_the_unfiltered_figures(store, months: list[str]) -> int:
    settings = settings_mod.load(store)
    values = every_value(store)
    compared = 0
    for month in months:
        for query in KPI_QUERIES:
            for extra in extra_params(store, query, month):
                unfiltered = kpis.run(store, query, kpis.Context(month, settings), cached=False, **extra)
                for kind, plural in KINDS.items():
                    if not values[kind]:
                        continue
                    ctx = kpis.Context(month, settings, kpis.Filters(**{plural: values[kind]}))
                    filtered = kpis.run(store, query, ctx, cached=False, **extra)
                    try:
                        assert_frame_equal(canonical(unfiltered), canonical(filtered), check_exact=False,
                                           rel_tol=1e-9, abs_tol=1e-9)
                    except AssertionError as exc:
                        raise AssertionError(f"{query} at {month}, every {kind} chosen, {extra}: {exc}") from None
                    compared += 1
    return compared


def test_every_query_file_is_covered(demo_store_copy):
    # a new query in queries/kpis must be added to extra_params (and so to this test)
    with Store(demo_store_copy) as store:
        month = store.months()[-1]
        for query in KPI_QUERIES:
            assert extra_params(store, query, month), query
    assert set(results.MONTH_GRAIN) | set(results.MONTH_AGGREGATES) <= set(KPI_QUERIES)
    assert len(KPI_QUERIES) == len(list((QUERIES / "kpis").glob("*.sql"))) >= 17


def test_demo_store_every_value_equals_no_filter(demo_store_copy):
    with Store(demo_store_copy) as store:
        months = store.months()
        values = every_value(store)
        assert all(len(values[kind]) > 1 for kind in KINDS), values
        compared = assert_every_value_gives_the_unfiltered_figures(store, [months[-1], months[-2], months[-13]])
    assert compared >= 3 * len(KPI_QUERIES) * len(KINDS)


# --- a hand-made store with rows that have no value of a filter's kind --------------------------------

PRODUCTS = """
    A,Drill,Tools,S1,2,10
    B,Paint pot,Paint,S2,1,5
    C,Saw,Tools,S2,,7          # no master cost: unknown cost without a stock cost
    D,Mystery,,S1,3,4          # no category
    E,Brush,Paint,,0.5,3       # no supplier
"""
# X and Y are in no product master row: no category, no supplier, no master cost
JAN_ORDERS = """
    O1,1,A,2024-01-03,10,4,2024-01-10,0,2024-01-08,5,C1,W1
    O1,2,B,2024-01-03,0.1,0,,0,,2,C1,W1
    O2,1,B,2024-01-05,0.2,0,,0,,2,,W2          # no customer
    O2,2,C,2024-01-05,6,2,2024-01-20,1,,,,      # no customer, no location, no price
    O3,1,D,2024-01-10,8,8,2024-01-12,0,,4,C2,   # no location, shipped in full
    O4,1,X,2024-01-15,5,1,2024-01-25,0,,3,C3,W1
    O5,1,E,2024-01-20,3,0,,0,2024-01-25,1,C2,W2
    O6,1,A,2024-01-22,-2,-2,2024-01-23,0,,5,C1,W1   # a return
"""
FEB_ORDERS = """
    O1,1,A,2024-01-03,10,10,2024-02-05,0,2024-01-08,5,C1,W1
    O1,2,B,2024-01-03,0.1,0,,0,,2,C1,W1
    O2,1,B,2024-01-05,0.2,0.2,2024-02-02,0,,2,,W2
    O2,2,C,2024-01-05,6,4,2024-02-10,1,,,,
    O4,1,X,2024-01-15,5,3,2024-02-14,0,,3,C3,W1
    O5,1,E,2024-01-20,3,1,,0,2024-01-25,1,C2,W2
    O7,1,B,2024-02-02,4,0,,0,,2,C3,
    O8,1,D,2024-02-20,5,1,2024-02-21,2,,4,,W2
    O9,1,X,2024-02-25,2.5,0,,0,,3,,
"""
MAR_ORDERS = """
    O1,2,B,2024-01-03,0.1,0.1,2024-03-03,0,,2,C1,W1
    O2,2,C,2024-01-05,6,5,2024-03-02,1,,,,
    O4,1,X,2024-01-15,5,5,2024-03-09,0,,3,C3,W1
    O5,1,E,2024-01-20,3,3,2024-03-01,0,2024-01-25,1,C2,W2
    O7,1,B,2024-02-02,4,1,2024-03-15,0,,2,C3,
    O8,1,D,2024-02-20,5,1,,2,,4,,W2
    O9,1,X,2024-02-25,2.5,0,,0,,3,,
    O10,1,A,2024-03-05,7,3,2024-03-06,0,2024-03-12,5,C2,W2
    O10,2,Y,2024-03-05,1,0,,0,,,C2,W2
    O11,1,E,2024-03-18,2,0,,0,,1,,W1
"""
APR_ORDERS = """
    O7,1,B,2024-02-02,4,4,2024-04-02,0,,2,C3,
    O8,1,D,2024-02-20,5,3,2024-04-10,2,,4,,W2
    O9,1,X,2024-02-25,2.5,1.5,2024-04-11,0,,3,,
    O10,1,A,2024-03-05,7,7,2024-04-01,0,2024-03-12,5,C2,W2
    O10,2,Y,2024-03-05,1,0,,0,,,C2,W2
    O11,1,E,2024-03-18,2,0,,1,,1,,W1
    O12,1,C,2024-04-03,9,0,,0,,6,C1,
"""
STOCK = {
    "2024-01": """
        A,3,2.5,W1
        A,2,,W2
        B,0.1,1,W1
        B,0.2,,              # no location
        C,1,,W1              # C: no cost anywhere
        D,-2,3,W1            # D: -2 + 1 -> on hand 0
        D,1,3,W2
        E,4,0.5,W2
        X,2,1.5,             # X: not in the master, no location
        Y,5,,W1              # Y: not in the master, no cost: unknown
    """,
    "2024-02": """
        A,1,2.5,W1
        B,0.3,1,W1
        C,2,,
        D,4,,W2
        E,1,0.5,W2
        X,1,,W1
        Y,5,,W1
    """,
    "2024-03": """
        A,6,2.6,W1
        A,-1,2.6,W2
        B,2,1,
        C,3,4,W1
        D,1,3,W2
        E,0.5,0.5,W2
        Y,5,,W1
    """,
}


# purchase orders: a SKU missing from the master (X), a line without supplier (the master's, else
# '(no supplier)'), a line received in part, a late line, a line without expected date
PO_HEADER = "po_id,line_id,sku,supplier,order_date,expected_date,received_date,qty_ordered,qty_received"
PURCHASE_ORDERS = {
    "2024-02": """
        P1,1,A,S1,2024-01-10,2024-02-10,2024-02-08,10,4
        P1,2,X,,2024-01-10,2024-02-01,,5,0
        P2,1,B,S3,2024-02-01,,,4,0
        P3,1,E,,2024-01-20,2024-02-15,2024-02-20,6,6
    """,
    "2024-03": """
        P1,1,A,S1,2024-01-10,2024-02-10,2024-03-05,10,10
        P1,2,X,,2024-01-10,2024-02-01,,5,0
        P2,1,B,S3,2024-02-01,,2024-03-10,4,1
        P4,1,C,S2,2024-03-02,2024-04-02,,8,0
    """,
}


@pytest.fixture
def hand_made(store, tmp_path):
    products(store, tmp_path, PRODUCTS)
    for month, text in (("2024-01", JAN_ORDERS), ("2024-02", FEB_ORDERS), ("2024-03", MAR_ORDERS),
                        ("2024-04", APR_ORDERS)):
        orders(store, tmp_path, month, text)
    for month, text in STOCK.items():  # April: orders only
        stock(store, tmp_path, month, text)
    for month, text in PURCHASE_ORDERS.items():
        load(store, tmp_path, "purchase_orders", month, PO_HEADER + "\n" + text)
    return store


def test_filter_values_list_the_rows_without_a_value(hand_made):
    assert every_value(hand_made) == {
        "category": ("(no category)", "Paint", "Tools"),
        "supplier": ("(no supplier)", "S1", "S2"),
        "location": ("(no location)", "W1", "W2"),
        "customer": ("(no customer)", "C1", "C2", "C3"),
    }


def test_hand_made_store_every_value_equals_no_filter(hand_made):
    compared = assert_every_value_gives_the_unfiltered_figures(hand_made, ["2024-01", "2024-02", "2024-03", "2024-04"])
    assert compared >= 4 * len(KPI_QUERIES) * len(KINDS)


def test_closed_by_absence_and_unreported_shipments_every_value_equals_no_filter(hand_made, tmp_path):
    """Issue 11: lines closed by absence (February loaded as listing every open line, without O2-2,
    which has no customer and no location, and O4-1; March lists both again) and a stock file
    whose month has no orders file (May: its shipment figures are unknown) give the same figures
    with every value of a filter chosen."""
    from stocklens.store import load_file
    from kpi_helpers import ORDERS_HEADER, write_csv

    listed = "\n".join(line for line in FEB_ORDERS.splitlines()
                        if not line.strip().startswith(("O2,2,", "O4,1,")))
    path = write_csv(tmp_path, ORDERS_HEADER + "\n" + listed, "orders_2024-02_complete")
    prep, result = load_file(hand_made, path, dataset="orders", month="2024-02", lists_every_open_line=True)
    assert result is not None, [p.message for p in prep.problems]
    stock(hand_made, tmp_path, "2024-05", STOCK["2024-03"])
    # not vacuous: February closes O2-2's 3 open units and O4-1's 4
    assert kpis.kpis_for_month(hand_made, "2024-02")["bridge"]["closed_by_absence"] == pytest.approx(7)
    assert kpis.kpis_for_month(hand_made, "2024-05")["dead_stock_units"] is None
    compared = assert_every_value_gives_the_unfiltered_figures(hand_made, ["2024-02", "2024-03", "2024-05"])
    assert compared >= 3 * len(KPI_QUERIES) * len(KINDS)


@pytest.mark.parametrize("kind", list(KINDS))
def test_leaving_out_the_no_value_rows_changes_the_figures(hand_made, kind):
    # not vacuous: the rows without a value matter here, and their '(no ...)' value selects them
    values = every_value(hand_made)[kind]
    settings = settings_mod.load(hand_made)

    def backlog(chosen):
        ctx = kpis.Context("2024-02", settings, kpis.Filters(**{KINDS[kind]: chosen}))
        return kpis.run(hand_made, "backlog_totals", ctx, cached=False)["backlog_units"].item()

    # February's open lines: A 0 (O1 shipped), B 0.1 (O1/2, C1 W1) + 4 (O7, C3, no location),
    # C 6 - 4 - 1 = 1 (no customer, no location), X 2 (O4, C3 W1) + 2.5 (O9, no customer, no location),
    # E 3 - 1 = 2 (C2 W2), D 5 - 1 - 2 = 2 (O8, no customer, W2): 13.6 in all
    assert backlog(values) == pytest.approx(13.6)
    without = {"category": 13.6 - 2 - 4.5,      # D (no category), X (not in the master)
               "supplier": 13.6 - 2 - 4.5,      # E (no supplier), X
               "location": 13.6 - 4 - 1 - 2.5,  # O7, O2/2, O9
               "customer": 13.6 - 1 - 2.5 - 2}[kind]  # O2/2, O9, O8
    assert backlog(tuple(v for v in values if not v.startswith("(no "))) == pytest.approx(without)
    assert backlog((f"(no {kind})",)) == pytest.approx(13.6 - without)


def test_the_sidebar_lists_every_filter_value(hand_made):
    options = hand_made.run("store/filter_options")
    assert sorted(options.rows()) == sorted(hand_made.query("select kind, value from filter_values").rows())
