"""Unknown stays unknown (issue 11): dead and excess stock, days of supply and the per-SKU lists when
costs or the shipments of their window are missing, and the figures in units for files without
costs. Small hand-made files through the real importer into a real store; every expected value is
worked out by hand in the comments."""
from __future__ import annotations

import pytest

from kpi_helpers import by, kpis, one, orders, rows, stock

RISK = ("dead_stock_value", "excess_stock_value", "dead_stock_units", "excess_stock_units")


# --- costs missing: a part of an unknown value is not 0 ---------------------------------------------------

def test_no_cost_anywhere_dead_and_excess_value_unknown_units_known(store, tmp_path):
    orders(store, tmp_path, "2024-03", "N1,1,LIVE,2024-03-02,2,2,2024-03-03,0,,,,   # LIVE ships: not dead")
    stock(store, tmp_path, "2024-03", """
        DEAD,3,,W1    # no shipment ever, no cost anywhere: dead, 3 units, all excess
        LIVE,12,,W1   # 2 shipped in 6 months: monthly 2 / 6, excess 12 - 6 x 2 / 6 = 10 units
    """)
    mar = kpis(store, "2024-03")
    assert mar["inventory_value"] is None                       # no SKU on hand has a cost
    # were 0 before: now unknown, like the inventory value they are a part of
    assert mar["dead_stock_value"] is None and mar["excess_stock_value"] is None
    assert mar["dead_stock_units"] == 3 and mar["excess_stock_units"] == pytest.approx(3 + 10)
    assert mar["count_skus_unknown_cost"] == 2
    sku = by(rows(store, "stock_by_sku", "2024-03"), "sku")
    assert sku["DEAD"]["is_dead"] is True and sku["DEAD"]["dead_value"] is None
    assert sku["LIVE"]["excess_units"] == pytest.approx(10) and sku["LIVE"]["excess_value"] is None


def test_dead_skus_all_without_cost_give_unknown_dead_value(store, tmp_path):
    orders(store, tmp_path, "2024-03", "N2,1,LIVE,2024-03-02,60,60,2024-03-03,0,,,,   # 60 shipped: LIVE not excess")
    stock(store, tmp_path, "2024-03", """
        LIVE,10,2,W1  # known cost: inventory value 20; monthly demand 10 -> no excess
        DEAD,4,,W1    # the only dead SKU, unknown cost: dead value unknown (not 0)
        DEAD2,0,5,W1  # nothing on hand: not dead
    """)
    mar = kpis(store, "2024-03")
    assert mar["inventory_value"] == pytest.approx(20)
    assert mar["dead_stock_value"] is None
    # excess: DEAD 4 units (no demand) of unknown cost; LIVE none -> excess value unknown too
    assert mar["excess_stock_value"] is None
    assert one(store, "inventory_turnover", "2024-03")["count_dead_skus_unknown_cost"] == 1


def test_dead_skus_some_with_cost_are_left_out_and_counted(store, tmp_path):
    orders(store, tmp_path, "2024-03", "N3,1,LIVE,2024-03-02,60,60,2024-03-03,0,,,,")
    stock(store, tmp_path, "2024-03", """
        LIVE,10,2,W1   # not dead, not excess
        DEADK,5,3,W1   # dead, known cost: 15
        DEADU,4,,W1    # dead, unknown cost: left out and counted (as inventory value does)
    """)
    mar = kpis(store, "2024-03")
    assert mar["dead_stock_value"] == pytest.approx(15) and mar["excess_stock_value"] == pytest.approx(15)
    assert mar["dead_stock_units"] == 9
    figures = one(store, "inventory_turnover", "2024-03")
    assert figures["count_dead_skus"] == 2 and figures["count_dead_skus_unknown_cost"] == 1


# --- shipments not reported: every SKU would look dead ----------------------------------------------------

STOCK_MARCH = """
    A,10,2,W1    # 10 at 2
    B,6,1,W1     # 6 at 1
    Z,0,1,W1     # nothing on hand: never dead, whatever the shipments
"""


def assert_shipment_figures_unknown(store, month: str) -> None:
    k = kpis(store, month)
    assert k["inventory_value"] == pytest.approx(26)             # stock figures stay known
    for key in RISK:
        assert k[key] is None, key
    figures = one(store, "inventory_turnover", month)
    assert figures["count_dead_skus"] is None and figures["count_excess_skus"] is None
    assert figures["is_shipment_history_missing"] is True
    # the per-SKU list agrees: days of supply, demand, dead and excess unknown for every SKU on hand
    for r in rows(store, "stock_by_sku", month):
        assert (r["days_of_supply"], r["monthly_demand"], r["dead_value"], r["excess_units"]) == \
            (None, None, None, None), r
        assert r["is_dead"] is (False if r["sku"] == "Z" else None), r
    bands = rows(store, "days_of_supply_bands", month)
    assert len(bands) == 7 and all(b["count_skus"] is None and b["stock_value"] is None for b in bands)


def test_stock_file_and_no_orders_file_ever(store, tmp_path):
    stock(store, tmp_path, "2024-03", STOCK_MARCH)
    # was: A and B dead (26), everything excess (26): no shipment is known because none is reported
    assert_shipment_figures_unknown(store, "2024-03")


def test_stock_file_without_the_months_orders_file(store, tmp_path):
    orders(store, tmp_path, "2024-02", "S1,1,A,2024-02-02,1,1,2024-02-03,0,,,,")
    stock(store, tmp_path, "2024-03", STOCK_MARCH)
    assert_shipment_figures_unknown(store, "2024-03")       # March's shipments are not reported


def test_a_missing_orders_file_inside_the_six_months(store, tmp_path):
    # orders for January and March, not February: February's shipments are unknown, and a SKU sold
    # only in February would look dead in March
    orders(store, tmp_path, "2024-01", "G1,1,A,2024-01-02,1,1,2024-01-03,0,,,,")
    orders(store, tmp_path, "2024-03", "G2,1,A,2024-03-02,1,1,2024-03-03,0,,,,")
    stock(store, tmp_path, "2024-03", STOCK_MARCH)
    assert_shipment_figures_unknown(store, "2024-03")
    # February's file (B shipped 3 on 02-10) fills the gap: January, February and March are the
    # 6 months ending at March from the first orders file on -> known
    orders(store, tmp_path, "2024-02", "G3,1,B,2024-02-05,3,3,2024-02-10,0,,,,")
    mar = kpis(store, "2024-03")
    # nothing is dead (A shipped 01-03 and 03-03, B 02-10); t - 90 = 2024-01-01 (a leap year), so
    # all three are inside the 90 days: days of supply A: 10 / (2 / 90) = 450, B: 6 / (3 / 90) = 180
    assert mar["dead_stock_value"] == 0 and mar["dead_stock_units"] == 0
    # excess: A 10 - 6 x 2 / 6 = 8 units x 2 = 16; B 6 - 6 x 3 / 6 = 3 units x 1 = 3
    assert mar["excess_stock_value"] == pytest.approx(19) and mar["excess_stock_units"] == pytest.approx(11)
    sku = by(rows(store, "stock_by_sku", "2024-03"), "sku")
    assert sku["A"]["days_of_supply"] == pytest.approx(450) and sku["B"]["days_of_supply"] == pytest.approx(180)
    bands = by(rows(store, "days_of_supply_bands", "2024-03"), "bin_label")
    assert bands["over 365"]["count_skus"] == 1 and bands["91-180"]["count_skus"] == 1
    assert bands["no shipments in 90 days"]["count_skus"] == 0


def test_months_before_the_first_orders_file_are_its_history(store, tmp_path):
    # the first orders file is March's: its lines carry the shipments before it (A's on 01-20), so
    # March's figures are known although January and February have no orders file
    orders(store, tmp_path, "2024-03", "H1,1,A,2024-01-10,4,4,2024-01-20,0,,,,")
    stock(store, tmp_path, "2024-03", STOCK_MARCH)
    mar = kpis(store, "2024-03")
    # A shipped 01-20 (within 180 days): not dead; B never: dead 6 x 1 = 6
    assert mar["dead_stock_value"] == pytest.approx(6) and mar["dead_stock_units"] == 6
    # a stock file of April without April's orders file: unknown again
    stock(store, tmp_path, "2024-04", STOCK_MARCH)
    assert kpis(store, "2024-04")["dead_stock_value"] is None


# --- figures in units when costs are missing --------------------------------------------------------------

def load_without_costs(store, tmp_path):
    stock(store, tmp_path, "2024-01", """
        K1,10,,W1    # no cost anywhere
        K2,5,,W1
    """)
    orders(store, tmp_path, "2024-01", """
        U1,1,K1,2024-01-05,4,4,2024-01-10,0,,,,     # 4 shipped
        U2,1,K2,2024-01-12,-1,-1,2024-01-15,0,,,,   # a return of 1: netted like COGS
    """)
    # January: units shipped 4 - 1 = 3; inventory units 15
    stock(store, tmp_path, "2024-02", """
        K1,6,,W1
        K2,6,,W1
    """)
    orders(store, tmp_path, "2024-02", """
        U3,1,K1,2024-02-03,4,4,2024-02-10,0,,,,     # 4 shipped
    """)
    # February: units shipped 4; inventory units 12
    stock(store, tmp_path, "2024-03", "K1,6,,W1")   # March: a stock file, no orders file


def test_units_figures_without_costs(store, tmp_path):
    load_without_costs(store, tmp_path)
    jan, feb, mar = (kpis(store, m) for m in ("2024-01", "2024-02", "2024-03"))
    # the value figures are unknown without costs
    for k in (jan, feb):
        assert k["cogs"] is None and k["inventory_value"] is None and k["turnover_annual"] is None
    assert jan["count_skus_unknown_cost"] == 2
    assert jan["cogs_units"] == 3 and feb["cogs_units"] == 4
    # average: January alone (no December stock) 15; February (15 + 12) / 2 = 13.5
    assert jan["avg_inventory_units"] == 15 and feb["avg_inventory_units"] == pytest.approx(13.5)
    assert jan["turnover_monthly_units"] == pytest.approx(3 / 15)
    assert feb["turnover_monthly_units"] == pytest.approx(4 / 13.5)
    # annual at January: 3 / 15 x 12 / 1 = 2.4; DIO 365 / 2.4
    assert jan["turnover_annual_units"] == pytest.approx(2.4) and jan["dio_days_units"] == pytest.approx(365 / 2.4)
    # annual at February, n = 2: (3 + 4) / ((15 + 13.5) / 2) x 12 / 2 = 7 / 14.25 x 6
    assert feb["turnover_annual_units"] == pytest.approx(7 / 14.25 * 6)
    assert feb["dio_days_units"] == pytest.approx(365 / (7 / 14.25 * 6))
    # March has no orders file: its units shipped and monthly turnover are unknown (as cogs); the
    # annual figure comes from January and February, the months with both files (as turnover_annual)
    assert mar["cogs_units"] is None and mar["turnover_monthly_units"] is None
    assert mar["avg_inventory_units"] == pytest.approx((12 + 6) / 2)
    assert mar["turnover_annual_units"] == pytest.approx(7 / 14.25 * 6)
    # dead and excess in units at February: K2 has only a return (no positive shipment): dead, 6
    # units, all excess (net shipments below 0 are no demand); K1 6 - 6 x 8 / 6 < 0: no excess
    assert feb["dead_stock_units"] == 6 and feb["excess_stock_units"] == 6
    assert feb["dead_stock_value"] is None and feb["excess_stock_value"] is None


def test_units_figures_per_category_and_with_a_month_without_stock(store, tmp_path):
    load_without_costs(store, tmp_path)
    orders(store, tmp_path, "2024-04", "U4,1,K1,2024-04-02,2,2,2024-04-03,0,,,,")
    apr = kpis(store, "2024-04")
    # April: orders, no stock file: units shipped 2 are known, stock figures unknown
    assert apr["cogs_units"] == 2
    assert apr["avg_inventory_units"] is None and apr["turnover_monthly_units"] is None
    assert apr["dead_stock_units"] is None
