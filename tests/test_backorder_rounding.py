"""Backorder units are rounded to 6 decimals in every query that shows them (the backorder_units
macro of queries/base/00_formulas.sql): open lines of 0.1 and 0.2 units against 0.3 on hand
are no backorder, although 0.1 + 0.2 - 0.3 is 5.55e-17 in floating point. Hand-made fixture
loaded through the real importer into a real store."""
from __future__ import annotations

import pytest

from kpi_helpers import by, orders, rows, save_settings, stock
from stocklens import kpis as kpis_mod
from stocklens import settings as settings_mod

# the same state in February and March, so that March has a comparison month and a history
ORDERS = """
    R1,1,A,2024-02-01,0.1,0,,0,,,C1,W1   # A: 0.1 open
    R1,2,A,2024-02-02,0.2,0,,0,,,C2,W1   # A: + 0.2 open = 0.1 + 0.2 (0.30000000000000004 in floats)
    R2,1,B,2024-02-03,0.4,0,,0,,,C1,W1   # B: 0.4 open
"""
STOCK = """
    A,0.3,2,W1   # A: 0.3 on hand covers 0.1 + 0.2 -> 0 backordered
    B,0.1,2,W1   # B: 0.4 - 0.1 -> 0.3 backordered (a real backorder: the queries do show them)
"""
MONTHS = ("2024-02", "2024-03")

# no filter reads the backorder facts built at load; a location or customer filter recomputes
# from the line and stock states (every value chosen: the same lines and stock rows)
VIEWS = [kpis_mod.Filters(), kpis_mod.Filters(locations=("W1",)), kpis_mod.Filters(customers=("C1", "C2"))]


@pytest.fixture
def loaded(store, tmp_path):
    for month in MONTHS:
        orders(store, tmp_path, month, ORDERS)
        stock(store, tmp_path, month, STOCK)
    save_settings(store, frequent_backorder_months=1)  # a single month with a residue would list A
    return store


def run(store, query: str, filters: kpis_mod.Filters, **extra) -> list[dict]:
    ctx = kpis_mod.Context("2024-03", settings_mod.load(store), filters)
    return kpis_mod.run(store, query, ctx, cached=False, **extra).to_dicts()


@pytest.mark.parametrize("filters", VIEWS, ids=["no filter", "location", "customers"])
def test_float_residue_is_no_backorder_in_any_query(loaded, filters):
    store = loaded
    # totals: only B's 0.3; backlog 0.1 + 0.2 + 0.4 = 0.7 -> rate 0.3 / 0.7
    totals = by(run(store, "backorder_totals", filters, months=list(MONTHS)), "report_month")
    for month in MONTHS:
        assert totals[month]["backorder_units"] == pytest.approx(0.3, abs=1e-12)
        assert totals[month]["backordered_skus"] == 1
        assert totals[month]["backorder_rate"] == pytest.approx(0.3 / 0.7)
    # by SKU: B alone
    assert [(r["sku"], r["backorder_units"]) for r in run(store, "backorders_by_sku", filters)] == [("B", 0.3)]
    # the heat map (SKU x month): A is exactly 0 in both months
    history = {(r["sku"], r["report_month"]): r["backorder_units"]
               for r in run(store, "backorder_history", filters, window=list(MONTHS), skus=["A", "B"])}
    assert history == {("A", "2024-02"): 0, ("A", "2024-03"): 0, ("B", "2024-02"): 0.3, ("B", "2024-03"): 0.3}
    # one SKU's history: A exactly 0 (it was 5.55e-17 here)
    sku_a = run(store, "sku_history", filters, window=list(MONTHS), sku="A")
    assert [(r["report_month"], r["backorder_units"]) for r in sku_a] == [("2024-02", 0), ("2024-03", 0)]
    assert [r["open_demand"] for r in sku_a] == [pytest.approx(0.3)] * 2
    # frequently backordered (threshold 1 month): B in both months; A in none, so not listed
    frequent = run(store, "frequently_backordered", filters)
    assert [(r["sku"], r["months_backordered"], r["backorder_units"]) for r in frequent] == [("B", 2, 0.3)]
    # backlog changes February -> March: A 0 backordered in both months
    changes = {r["key"]: r for r in run(store, "backlog_changes", filters, compare_month="2024-02")
               if r["kind"] == "sku"}
    assert (changes["A"]["backorder_units"], changes["A"]["backorder_units_before"],
            changes["A"]["backorder_change"]) == (0, 0, 0)
    assert changes["B"]["backorder_units"] == 0.3 and changes["B"]["backorder_change"] == 0


def test_float_residue_is_no_backorder_in_the_cli_json(loaded):
    got = kpis_mod.kpis_for_month(loaded, "2024-03")
    assert got["backorder_units"] == 0.3 and got["backordered_skus"] == 1
    assert [(r["sku"], r["months_backordered"]) for r in got["frequently_backordered"]] == [("B", 2)]
