"""Inventory, cost, turnover and holding-cost KPIs (kpi-book sections 1 and 3) and the data checks,
on small hand-made fixtures loaded through the real importer into a real store. Every expected
value is worked out by hand in the comments."""
from __future__ import annotations

from pathlib import Path

import pytest

from kpi_helpers import by, kpis, one, orders, products, rows, save_settings, stock

STOCK_FIGURES = ("inventory_units", "inventory_value", "avg_inventory_value", "turnover_monthly", "holding_cost",
                 "dead_stock_value", "excess_stock_value")


def load_costs(store, tmp_path):
    products(store, tmp_path, """
        K4,Widget four,Cat,Sup,9,10    # K4 has no stock cost in any month: the product master's 9
        K3,Widget three,Cat,Sup,99,10  # K3's master cost 99 is NOT used: an earlier month's stock cost comes first
    """)
    stock(store, tmp_path, "2024-01", """
        K1,20,3,W1     # K1 January: 20 at 3 = 60
        K3,5,7,W1      # K3 January: 5 at 7 = 35
    """)
    # January: inventory_units 25, inventory_value 60 + 35 = 95
    stock(store, tmp_path, "2024-02", """
        K1,10,2,W1     # K1: cost weighted by on hand: (10 x 2 + 30 x 4) / 40 = 3.5; on hand 40, value 140
        K1,30,4,W2
        K2,-5,10,W1    # K2: weights max(0, -5) = 0 and 0 sum to 0 -> plain mean (10 + 6) / 2 = 8;
        K2,0,6,W2      #     on hand max(0, -5 + 0) = 0, value 0
        K3,5,,W1       # K3: no cost in February -> January's 7: value 35
        K4,4,,W1       # K4: no stock cost ever -> products 9: value 36
        K5,2,,W1       # K5: no cost anywhere: unknown, left out of the value and counted
        K6,6,1,W1      # K6: the row without a cost is left out of the mean: cost 1; on hand 8, value 8
        K6,2,,W2
    """)
    # February: inventory_units = 40 + 0 + 5 + 4 + 2 + 8 = 59; value = 140 + 0 + 35 + 36 + 8 = 219
    orders(store, tmp_path, "2024-01", """
        J1,1,K1,2024-01-05,20,5,2024-01-20,0,,,,     # 5 of K1 shipped in January: cogs 5 x 3 = 15
    """)
    orders(store, tmp_path, "2024-02", """
        J1,1,K1,2024-01-05,20,13,2024-02-10,0,,,,    # 8 more on 02-10: 8 x 3.5 = 28
        J2,1,K2,2024-02-01,3,3,2024-02-15,0,,,,      # 3 x 8 = 24 (K2's plain-mean cost)
        J3,1,K5,2024-02-01,1,1,2024-02-16,0,,,,      # K5: unknown cost, left out and counted
        J4,1,K1,2024-02-18,-2,-2,2024-02-20,0,,,,    # a return: -2 x 3.5 = -7 (a shipment event; puts cost back)
    """)
    # February cogs = 28 + 24 - 7 = 45
    orders(store, tmp_path, "2024-03", """
        J1,1,K1,2024-01-05,20,20,2024-03-05,0,,,,    # 7 more on 03-05; no March stock: K1 costs February's 3.5
    """)
    # March cogs = 7 x 3.5 = 24.5; March has no stock upload


def test_unit_cost_weighted_plain_mean_and_fallbacks(store, tmp_path):
    load_costs(store, tmp_path)
    cost = {r["sku"]: r["unit_cost"] for r in rows(store, "stock_by_sku", "2024-02")}
    assert cost == {"K1": pytest.approx(3.5), "K2": pytest.approx(8), "K3": pytest.approx(7),
                    "K4": pytest.approx(9), "K5": None, "K6": pytest.approx(1)}


def test_inventory_value_units_and_unknown_cost(store, tmp_path):
    load_costs(store, tmp_path)
    feb = kpis(store, "2024-02")
    assert feb["inventory_units"] == 59
    assert feb["inventory_value"] == pytest.approx(219)
    figures = one(store, "inventory_turnover", "2024-02")
    assert figures["count_skus_unknown_cost"] == 1            # K5
    assert figures["count_skus_cogs_unknown_cost"] == 1       # K5's shipment
    jan = kpis(store, "2024-01")
    assert jan["inventory_units"] == 25 and jan["inventory_value"] == pytest.approx(95)


def test_cogs_average_inventory_turnover_dio_holding(store, tmp_path):
    load_costs(store, tmp_path)
    jan, feb = kpis(store, "2024-01"), kpis(store, "2024-02")
    assert jan["cogs"] == pytest.approx(15)
    assert feb["cogs"] == pytest.approx(28 + 24 - 7)
    # January: no December stock upload -> average = January's value only = 95
    assert jan["avg_inventory_value"] == pytest.approx(95)
    # February: both stock uploads -> (95 + 219) / 2 = 157
    assert feb["avg_inventory_value"] == pytest.approx(157)
    assert jan["turnover_monthly"] == pytest.approx(15 / 95)
    assert feb["turnover_monthly"] == pytest.approx(45 / 157)
    # annual at January: n = 1 stock month: 15 / 95 x 12 / 1
    assert jan["turnover_annual"] == pytest.approx(15 / 95 * 12)
    assert jan["dio_days"] == pytest.approx(365 / (15 / 95 * 12))
    # annual at February: n = 2 (Jan, Feb): (15 + 45) / ((95 + 157) / 2) x 12 / 2 = 60 / 126 x 6 = 20/7
    assert feb["turnover_annual"] == pytest.approx(20 / 7)
    assert feb["dio_days"] == pytest.approx(365 / (20 / 7))  # = 127.75
    # holding cost, default carrying rate 0.25 per year
    assert jan["holding_cost"] == pytest.approx(95 * 0.25 / 12)
    assert feb["holding_cost"] == pytest.approx(157 * 0.25 / 12)


def test_holding_cost_with_changed_carrying_rate(store, tmp_path):
    load_costs(store, tmp_path)
    save_settings(store, carrying_capital=0.2, carrying_storage=0.1, carrying_service=0.05, carrying_risk=0.05)
    # carrying rate = 0.2 + 0.1 + 0.05 + 0.05 = 0.4: 157 x 0.4 / 12
    assert kpis(store, "2024-02")["holding_cost"] == pytest.approx(157 * 0.4 / 12)
    parts = one(store, "inventory_turnover", "2024-02")
    assert parts["holding_cost_capital"] == pytest.approx(157 * 0.2 / 12)
    assert parts["holding_cost_risk"] == pytest.approx(157 * 0.05 / 12)


def test_month_without_stock_upload(store, tmp_path):
    load_costs(store, tmp_path)
    mar = kpis(store, "2024-03")
    for key in STOCK_FIGURES:
        assert mar[key] is None, key
    # COGS needs shipment events and costs, not a stock file: K1's 7 on 03-05 at its most recent
    # earlier cost (February's 3.5) = 24.5
    assert mar["cogs"] == pytest.approx(24.5)
    # Interpretation: turnover_annual and dio_days are not in the book's list of stock figures that are
    # null without a stock upload; by their definition they run over the months of the 12 ending at M
    # that have a stock upload: January and February -> the same 20/7 as at February.
    assert mar["turnover_annual"] == pytest.approx(20 / 7)
    assert mar["dio_days"] == pytest.approx(127.75)


def test_turnover_annual_combines_each_months_own_figures(store, tmp_path):
    load_costs(store, tmp_path)
    stock(store, tmp_path, "2024-04", """
        K1,10,3,W1     # April stock after a month (March) without one: April's average is April's value only
    """)
    orders(store, tmp_path, "2024-04", """
        J5,1,K1,2024-04-02,2,2,2024-04-03,0,,,,   # 2 of K1 at 3: April cogs 6
    """)
    apr = kpis(store, "2024-04")
    # March has no stock upload -> April's average = April's value 10 x 3 = 30
    assert apr["avg_inventory_value"] == pytest.approx(30)
    assert apr["cogs"] == pytest.approx(6)
    # annual at April over the stock months Jan, Feb, Apr (n = 3): (15 + 45 + 6) / ((95 + 157 + 30) / 3) x 12 / 3
    # = 66 / 94 x 4
    assert apr["turnover_annual"] == pytest.approx(66 / 94 * 4)
    # Consistency: the same from each stock month's own JSON (as reported at that month)
    own = [kpis(store, m) for m in ("2024-01", "2024-02", "2024-04")]
    n = len(own)
    expected = sum(k["cogs"] for k in own) / (sum(k["avg_inventory_value"] for k in own) / n) * 12 / n
    assert apr["turnover_annual"] == pytest.approx(expected)


def test_turnover_annual_unknown_when_one_of_its_months_is(store, tmp_path):
    stock(store, tmp_path, "2024-01", "K1,10,,W1   # January: no cost anywhere -> inventory value unknown")
    orders(store, tmp_path, "2024-01", "UA1,1,K1,2024-01-05,20,2,2024-01-10,0,,,,   # 2 shipped: cogs unknown")
    stock(store, tmp_path, "2024-02", "K1,10,2,W1   # February: 20; average (unknown + 20) / 2 unknown")
    orders(store, tmp_path, "2024-02", "UA1,1,K1,2024-01-05,20,5,2024-02-10,0,,,,   # 3 more: cogs 3 x 2 = 6")
    stock(store, tmp_path, "2024-03", "K1,10,2,W1   # March: 20; average (20 + 20) / 2 = 20")
    orders(store, tmp_path, "2024-03", "UA1,1,K1,2024-01-05,20,9,2024-03-10,0,,,,   # 4 more: cogs 4 x 2 = 8")
    mar = kpis(store, "2024-03")
    assert mar["cogs"] == pytest.approx(8) and mar["avg_inventory_value"] == pytest.approx(20)
    assert mar["turnover_monthly"] == pytest.approx(8 / 20)
    # annual over Jan, Feb, Mar (n = 3): the sum of their cogs (unknown + 6 + 8) and the mean of their
    # averages (unknown, unknown, 20) are unknown -> null. (The engine gave (6 + 8) / 20 x 12 / 3 = 2.8,
    # mixing February's cogs with March's inventory over three months; fixed in 08_inventory_months.sql.)
    assert mar["turnover_annual"] is None and mar["dio_days"] is None
    assert kpis(store, "2024-02")["turnover_annual"] is None


def test_cogs_unknown_without_the_months_orders_upload(store, tmp_path):
    load_costs(store, tmp_path)
    stock(store, tmp_path, "2024-05", """
        K1,10,3,W1     # May: stock (10 x 3 = 30) but no orders upload
    """)
    may = kpis(store, "2024-05")
    # Interpretation: without May's orders upload May's shipments are not reported: cogs is unknown
    # (null), like the backlog, bridge and fill rate of a month without an orders upload, not 0
    # (0 made turnover_monthly 0 and pulled turnover_annual down: fixed in 08_inventory_months.sql).
    assert may["backlog_units"] is None and may["cogs"] is None and may["turnover_monthly"] is None
    # April has no stock upload: May's average is May's value only; stock figures are known
    assert may["inventory_value"] == pytest.approx(30) and may["avg_inventory_value"] == pytest.approx(30)
    assert may["holding_cost"] == pytest.approx(30 * 0.25 / 12)
    # Interpretation (README): a month without its orders file is left out of the 12-month figures,
    # like a month without a stock file, so May's annual turnover comes from January and February
    # (both files each): cogs 15 + 45 = 60; averages January 95 (no December), February
    # (95 + 219) / 2 = 157, mean 126; n = 2: 60 / 126 x 12 / 2 = 20 / 7; DIO = 365 / (20 / 7) = 127.75
    assert may["turnover_annual"] == pytest.approx(20 / 7) and may["dio_days"] == pytest.approx(127.75)
    # April has neither upload: its cogs is unknown too (March, with its orders file, has 24.5)
    assert kpis(store, "2024-04")["cogs"] is None


def test_unknown_costs_give_null_value_and_cogs(store, tmp_path):
    stock(store, tmp_path, "2024-03", """
        U1,3,,W1    # on hand, no cost anywhere
        U2,0,,W1    # nothing on hand
    """)
    orders(store, tmp_path, "2024-03", """
        UC1,1,U1,2024-03-02,1,1,2024-03-03,0,,,,   # a shipment event of a SKU with unknown cost
    """)
    mar = kpis(store, "2024-03")
    assert mar["inventory_units"] == 3
    # no SKU on hand has a known cost -> null; events in March and none with a known cost -> null
    assert mar["inventory_value"] is None and mar["cogs"] is None
    for key in ("avg_inventory_value", "turnover_monthly", "turnover_annual", "dio_days", "holding_cost"):
        assert mar[key] is None, key
    assert [(r["sku"], r["on_hand"]) for r in rows(store, "checks/stock_unknown_cost", "2024-03")] == [("U1", 3)]


def test_zero_inventory_and_zero_cogs_give_null_ratios(store, tmp_path):
    stock(store, tmp_path, "2024-03", """
        Z1,0,5,W1    # an empty warehouse with a known cost: inventory value 0
    """)
    orders(store, tmp_path, "2024-03", """
        ZI1,1,Z1,2024-03-02,2,2,2024-03-03,0,,,,   # 2 shipped at 5: cogs 10
    """)
    mar = kpis(store, "2024-03")
    assert mar["inventory_value"] == 0 and mar["avg_inventory_value"] == 0 and mar["holding_cost"] == 0
    assert mar["cogs"] == pytest.approx(10)
    # 10 / 0 -> null, never infinite
    assert mar["turnover_monthly"] is None and mar["turnover_annual"] is None and mar["dio_days"] is None

    stock(store, tmp_path, "2024-04", """
        Z1,10,5,W1   # 50 on hand
    """)
    orders(store, tmp_path, "2024-04", """
        ZI2,1,Z1,2024-04-02,2,0,,0,,,,   # open, nothing shipped in April: cogs 0
    """)
    apr = kpis(store, "2024-04")
    assert apr["cogs"] == 0
    assert apr["avg_inventory_value"] == pytest.approx((0 + 50) / 2)
    assert apr["turnover_monthly"] == 0
    # annual: (10 + 0) / ((0 + 25) / 2) x 12 / 2 = 10 / 12.5 x 6 = 4.8
    assert apr["turnover_annual"] == pytest.approx(4.8)


def test_zero_turnover_gives_null_dio(store, tmp_path):
    stock(store, tmp_path, "2024-03", "Z2,10,1,W1   # 10 on hand at 1, nothing ever shipped")
    orders(store, tmp_path, "2024-03", "ZD1,1,Z2,2024-03-02,2,0,,0,,,,   # open, not shipped")
    mar = kpis(store, "2024-03")
    assert mar["cogs"] == 0 and mar["turnover_annual"] == 0
    assert mar["dio_days"] is None  # 365 / 0


# --- days of supply, dead and excess stock (t = 2024-07-31) -----------------------------------------------
# "In the N days up to t" = after t - N and on or before t: t - 180 = 2024-02-02, t - 90 = 2024-05-02.
# The 6 calendar months ending at July: 2024-02-01 .. 2024-07-31.

def test_dead_stock_180_day_window(store, tmp_path):
    orders(store, tmp_path, "2024-07", """
        X1,1,DEAD180,2024-01-20,12,12,2024-02-02,0,,,,   # shipped exactly 180 days before t: does not count -> dead
        X2,1,LIVE179,2024-01-20,6,6,2024-02-03,0,,,,     # 179 days before t: counts -> not dead
        X3,1,RET,2024-06-20,-2,-2,2024-07-01,0,,,,       # only a return (negative event) in the window -> dead
    """)
    stock(store, tmp_path, "2024-07", """
        DEAD180,10,2,W1   # dead: 10 x 2 = 20
        LIVE179,10,3,W1   # not dead
        NOSHIP,5,4,W1     # never shipped: dead, 5 x 4 = 20
        EMPTY,0,5,W1      # nothing on hand: not dead
        RET,5,1,W1        # dead: 5 x 1 = 5
        UNK,7,,W1         # dead, unknown cost: left out of the value
    """)
    assert kpis(store, "2024-07")["dead_stock_value"] == pytest.approx(20 + 20 + 5)
    dead = {r["sku"] for r in rows(store, "stock_by_sku", "2024-07") if r["is_dead"]}
    assert dead == {"DEAD180", "NOSHIP", "RET", "UNK"}


def load_supply(store, tmp_path):
    orders(store, tmp_path, "2024-07", """
        X4,1,DOS,2024-04-20,9,9,2024-05-02,0,,,,     # exactly 90 days before t: outside the 90 days; inside 6 months
        X5,1,DOS,2024-04-21,18,18,2024-05-03,0,,,,   # 89 days before t: inside
        X6,1,DOS,2024-07-01,27,27,2024-07-31,0,,,,   # on t itself: inside
        X7,1,EXC,2024-01-10,60,60,2024-01-31,0,,,,   # January: outside the 6 calendar months
        X8,1,EXC,2024-01-25,30,30,2024-02-01,0,,,,   # 1 February: the first day inside
    """)
    stock(store, tmp_path, "2024-07", """
        DOS,30,1,W1      # days of supply 30 / ((18 + 27) / 90) = 60; 6-month demand 54 >= 30: no excess
        EXC,100,2,W1     # 6-month shipments 30 -> monthly 5: excess 100 - 6 x 5 = 70 -> 140
        NOSHIP,5,4,W1    # no shipments: days of supply null; excess 5 -> 20
    """)


def test_days_of_supply_and_excess_stock(store, tmp_path):
    load_supply(store, tmp_path)
    sku = by(rows(store, "stock_by_sku", "2024-07"), "sku")
    assert sku["DOS"]["days_of_supply"] == pytest.approx(60)
    assert sku["EXC"]["days_of_supply"] is None     # no shipment in the 90 days: 0 denominator
    assert sku["NOSHIP"]["days_of_supply"] is None
    assert sku["EXC"]["monthly_demand"] == pytest.approx(5)
    assert sku["DOS"]["monthly_demand"] == pytest.approx((9 + 18 + 27) / 6)
    assert [sku[s]["excess_units"] for s in ("DOS", "EXC", "NOSHIP")] == [0, pytest.approx(70), 5]
    # excess = 0 + 140 + 20
    assert kpis(store, "2024-07")["excess_stock_value"] == pytest.approx(160)


def test_excess_stock_with_other_excess_months(store, tmp_path):
    load_supply(store, tmp_path)
    save_settings(store, excess_months=3)
    # DOS: 30 - 3 x 9 = 3 -> 3; EXC: 100 - 3 x 5 = 85 -> 170; NOSHIP 5 -> 20: 193
    assert kpis(store, "2024-07")["excess_stock_value"] == pytest.approx(193)


# --- data checks ------------------------------------------------------------------------------------------

def test_check_stock_unknown_cost_clean_when_an_earlier_cost_exists(store, tmp_path):
    load_costs(store, tmp_path)
    # February: K5 only (K3 and K4 have fallback costs)
    assert [r["sku"] for r in rows(store, "checks/stock_unknown_cost", "2024-02")] == ["K5"]
    assert rows(store, "checks/stock_unknown_cost", "2024-01") == []


CHECKS = sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "queries" / "checks").glob("*.sql"))


def test_every_check_is_tested_here():
    # a new check file needs a test with a fixture that has the problem (and this list updated)
    assert CHECKS == ["negative_stock", "skus_not_in_stock", "stale_open_lines", "stock_unknown_cost"]


@pytest.mark.parametrize("check", CHECKS)
def test_checks_pass_on_a_clean_fixture(store, tmp_path, check):
    orders(store, tmp_path, "2024-01", """
        CC1,1,A,2024-01-05,10,4,2024-01-20,0,,2,C1,W1   # open 6, A is in stock
        CC2,1,B,2024-01-06,3,3,2024-01-08,0,,2,C1,W1    # shipped
    """)
    orders(store, tmp_path, "2024-02", """
        CC1,1,A,2024-01-05,10,8,2024-02-10,0,,2,C1,W1   # refreshed in February: 2 open
        CC3,1,B,2024-02-06,1,0,,0,,2,C1,W1              # new, B is in stock
    """)
    for month in ("2024-01", "2024-02"):
        stock(store, tmp_path, month, """
            A,5,1,W1    # positive, with a cost
            B,1,1,W1
        """)
        assert rows(store, f"checks/{check}", month) == []


def test_returns_only_are_no_demand_for_days_of_supply_and_excess(store, tmp_path):
    stock(store, tmp_path, "2024-03", "RET,5,2,W1   # 5 on hand at 2")
    orders(store, tmp_path, "2024-03", """
        RR1,1,RET,2024-03-10,-3,-3,2024-03-10,0,,,,   # a return only: a shipment event of -3 units
    """)
    s = by(rows(store, "stock_by_sku", "2024-03"), "sku")["RET"]
    # Net shipments of the 90 days = -3: more came back than went out, which is no demand, so days of
    # supply is unknown (not 5 / (-3 / 90) = -150), and all 5 on hand are excess (not 5 - 6 x (-3 / 6)
    # = 8 units, more than is on hand): excess value 5 x 2 = 10.
    assert s["days_of_supply"] is None
    assert s["excess_units"] == pytest.approx(5) and s["excess_value"] == pytest.approx(10)
    # COGS nets the return: -3 x 2 = -6 (README: returns count in the stock figures)
    assert kpis(store, "2024-03")["cogs"] == pytest.approx(-6)


def test_inventory_by_category_filters_and_a_new_product_master(store, tmp_path):
    """Per-category stock and COGS (read from the per-category facts) follow the product master:
    its categories and its fallback unit costs; a new master recomputes every month."""
    from kpi_helpers import products
    from stocklens import kpis as kpis_mod

    products(store, tmp_path, "A,Drill,Tools,S1,2,10\nB,Paint pot,Paint,S2,3,5\nC,Rag,,S2,1,5")
    stock(store, tmp_path, "2024-01", """
        A,10,,W1    # no stock cost: the master's 2 -> value 20
        B,5,4,W1    # stock cost 4 -> 20
        C,3,,W1     # no category, master cost 1 -> 3
    """)
    orders(store, tmp_path, "2024-01", """
        O1,1,A,2024-01-05,4,4,2024-01-10,0,,,C1,W1   # A: 4 shipped in January x 2 = COGS 8
        O2,1,B,2024-01-06,1,1,2024-01-12,0,,,C1,W1   # B: 1 x 4 = COGS 4
    """)
    got = by(rows(store, "inventory_by_category", "2024-01"), "category")
    assert {c: (r["inventory_units"], r["inventory_value"], r["cogs"]) for c, r in got.items()} == {
        "Tools": (10, 20, 8), "Paint": (5, 20, 4), "(no category)": (3, 3, 0)}
    tools = kpis_mod.kpis_for_month(store, "2024-01", filters=kpis_mod.Filters(categories=("Tools",)))
    assert (tools["inventory_value"], tools["cogs"]) == (20, 8)
    everything = kpis(store, "2024-01")
    assert (everything["inventory_value"], everything["cogs"]) == (43, 12)

    # A moves to Paint and costs 5 in the new master: Paint holds A and B
    products(store, tmp_path, "A,Drill,Paint,S1,5,10\nB,Paint pot,Paint,S2,3,5\nC,Rag,,S2,1,5")
    got = by(rows(store, "inventory_by_category", "2024-01"), "category")
    assert {c: (r["inventory_units"], r["inventory_value"], r["cogs"]) for c, r in got.items()} == {
        "Paint": (15, 70, 24), "(no category)": (3, 3, 0)}   # 10 x 5 + 20; 4 x 5 + 4
    everything = kpis(store, "2024-01")
    assert (everything["inventory_value"], everything["cogs"]) == (73, 24)
