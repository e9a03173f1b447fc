"""Replenishment figures (issue 10, part B): demand, ABC-XYZ, forecast accuracy and the reorder
list, on small hand-made fixtures loaded through the real importer into a real store. Every
expected value is worked out by hand in the comments."""
from __future__ import annotations

import math

import pytest

from kpi_helpers import by, kpis, load, one, orders, products, rows, run_cli, save_settings, stock

# Three months of orders (2024-01..03), M = 2024-03, t = E(M) = 2024-03-31. The 90 days up to t
# are 2024-01-02..2024-03-31 (2024 is a leap year: t - 90 = 2024-01-01, excluded).
JAN = """
    L1,1,A,2024-01-01,4,4,2024-01-05,0,,,,     # A: t - 90 exactly: not in d; in January's series
    L2,1,A,2024-01-02,6,0,,0,,,,               # A: in d; January's series 4 + 6 = 10
    B1,1,B,2024-01-20,8,5,2024-01-25,0,,,,     # B: 8 ordered, 5 shipped in January
    C1,1,C,2024-01-10,15,15,2024-01-12,0,,,,   # C: 15 every month
"""
FEB = """
    L2,1,A,2024-01-02,6,2,2024-02-03,4,,,,     # A: shipped 2, cancelled 4: closed; net 6 - 4 = 2 for d
    L3,1,A,2024-02-10,20,0,,0,,,,              # A: February's series 20
    B1,1,B,2024-01-20,8,5,2024-01-25,0,,,,     # B: unchanged, still 3 open
    C2,1,C,2024-02-10,15,15,2024-02-12,0,,,,
    D1,1,D,2024-02-05,10,10,2024-02-06,0,,,,   # D: February 10
"""
MAR = """
    L3,1,A,2024-02-10,20,5,2024-03-05,0,,,,    # A: 5 shipped, 15 open
    L4,1,A,2024-03-15,30,14,2024-03-20,0,,,,   # A: March's series 30; 16 open
    L5,1,A,2024-03-16,-5,0,,0,,,,              # A: a return: no demand
    B1,1,B,2024-01-20,8,5,2024-01-25,0,,,,     # B: still 3 open
    C3,1,C,2024-03-10,15,0,,0,,,,              # C: 15 open
    D2,1,D,2024-03-05,20,5,2024-03-06,0,,,,    # D: March 20; 15 open
"""
MAR_STOCK = """
    A,10,2,W1     # unit cost as of March: A 2, the others 1 (E 3)
    B,0,1,W1
    C,31,1,W1
    D,5,1,W1
    E,7,3,W1      # E: in stock, never ordered nor shipped
"""
PRODUCTS = """
    A,Anvil,Tools,S1,9,10        # the master's cost 9 is not used: the stock file has one
    B,Bolt,Parts,S2,1,
    C,Chain,Parts,S1,1,
    D,Drill,Tools,S2,1,45
    E,Easel,Tools,S1,3,
"""


@pytest.fixture
def three_months(store, tmp_path):
    products(store, tmp_path, PRODUCTS)
    for month, text in (("2024-01", JAN), ("2024-02", FEB), ("2024-03", MAR)):
        orders(store, tmp_path, month, text)
    stock(store, tmp_path, "2024-03", MAR_STOCK)
    return store


def test_daily_demand_and_monthly_sigma(three_months):
    skus = by(rows(three_months, "abc_xyz_by_sku", "2024-03"), "sku")
    # d(s) = net ordered units of the lines ordered in 2024-01-02..03-31, latest version, / 90:
    # A: L2 6 - 4 cancelled (February's version) = 2, L3 20, L4 30 (L1 on t - 90 and the return
    #    L5 are out) = 52;  B: 8;  C: 15 x 3 = 45;  D: 10 + 20 = 30;  E: 0
    assert skus["A"]["daily_demand"] == pytest.approx(52 / 90)
    assert skus["B"]["daily_demand"] == pytest.approx(8 / 90)
    assert skus["C"]["daily_demand"] == pytest.approx(0.5)
    assert skus["D"]["daily_demand"] == pytest.approx(30 / 90)
    assert skus["E"]["daily_demand"] == 0
    # monthly series (lines ordered in the month, as reported at that month), Jan, Feb, Mar:
    # A 10, 20, 30: mean 20, sample sigma sqrt((100 + 0 + 100) / 2) = 10 (population: 8.165)
    # B 8, 0, 0: mean 8/3, sigma sqrt(((16/3)^2 + 2 (8/3)^2) / 2) = sqrt(192/9) = 4.6188
    # C 15, 15, 15: sigma 0;  D 0, 10, 20: mean 10, sigma 10
    assert skus["A"]["mean_monthly_demand"] == pytest.approx(20)
    assert skus["A"]["sigma_monthly_demand"] == pytest.approx(10)
    assert skus["B"]["sigma_monthly_demand"] == pytest.approx(math.sqrt(192 / 9))
    assert skus["C"]["sigma_monthly_demand"] == pytest.approx(0)
    assert skus["D"]["sigma_monthly_demand"] == pytest.approx(10)
    assert skus["E"]["sigma_monthly_demand"] is None and skus["E"]["demand_cv"] is None


def test_daily_demand_after_the_last_upload(three_months):
    # the 90-day demand is stored per month at load (sku_recent_demand) for the months with
    # uploads; at April (after every upload: no facts) it is computed from the lines: t = E(April)
    # = 2024-04-30, the 90 days 2024-02-01..04-30, each line's latest version of January..March:
    # A: L3 20 + L4 30 = 50 (L1, L2 ordered in January);  B: 0 (B1 in January);  C: C2 + C3 = 30;
    # D: 10 + 20 = 30;  E: 0
    skus = by(rows(three_months, "abc_xyz_by_sku", "2024-04"), "sku")
    assert {k: v["daily_demand"] for k, v in skus.items()} == pytest.approx(
        {"A": 50 / 90, "B": 0, "C": 30 / 90, "D": 30 / 90, "E": 0})


def test_sigma_unknown_with_one_month(three_months):
    # at January, one orders month only: no sigma, so no coefficient of variation: every SKU Z
    skus = by(rows(three_months, "abc_xyz_by_sku", "2024-01"), "sku")
    assert skus["A"]["mean_monthly_demand"] == pytest.approx(10)
    assert skus["A"]["sigma_monthly_demand"] is None
    assert {r["xyz_class"] for r in skus.values()} == {"Z"}


def test_abc_boundaries_and_xyz_thresholds(three_months):
    skus = by(rows(three_months, "abc_xyz_by_sku", "2024-03"), "sku")
    # 12-month shipped units x unit cost as of March:
    # A 4 + 2 + 5 + 14 = 25 x 2 = 50;  C 15 + 15 = 30 x 1 = 30;  D 10 + 5 = 15 x 1 = 15;
    # B 5 x 1 = 5;  E 0 x 3 = 0.  Total 100.
    assert {s: r["value_12m"] for s, r in skus.items()} == pytest.approx(
        {"A": 50, "C": 30, "D": 15, "B": 5, "E": 0})
    # share before each, value descending: A 0, C 0.50, D 0.80, B 0.95, E 1.00
    # C crosses 80% (0.50 -> 0.80) and starts in A: A. D starts exactly at 0.80: B.
    # B starts exactly at 0.95: C. E has no value: C.
    assert {s: r["abc_class"] for s, r in skus.items()} == {"A": "A", "C": "A", "D": "B", "B": "C", "E": "C"}
    assert skus["D"]["value_share_before"] == pytest.approx(0.80)
    # cv = sigma / mean: A 10/20 = 0.5 -> X (X <= 0.5); C 0 -> X; D 10/10 = 1.0 -> Y (Y <= 1.0);
    # B 4.6188 / 2.6667 = 1.73 -> Z; E no demand -> Z
    assert skus["A"]["demand_cv"] == pytest.approx(0.5)
    assert skus["D"]["demand_cv"] == pytest.approx(1.0)
    assert {s: r["xyz_class"] for s, r in skus.items()} == {"A": "X", "C": "X", "D": "Y", "B": "Z", "E": "Z"}
    # the list keeps the classes asked for
    kept = rows(three_months, "abc_xyz_by_sku", "2024-03", classes=["AX", "CZ"])
    assert sorted(r["sku"] for r in kept) == ["A", "B", "C", "E"]


def test_abc_shares_are_settings(three_months):
    # A below 0.50, B below 0.50 + 0.15 = 0.65: A (starts at 0) is A, C (starts at 0.50) is B,
    # D (0.80) and B (0.95) are C
    save_settings(three_months, abc_a=0.5, abc_b=0.15)
    skus = by(rows(three_months, "abc_xyz_by_sku", "2024-03"), "sku")
    assert {s: r["abc_class"] for s, r in skus.items()} == {"A": "A", "C": "B", "D": "C", "B": "C", "E": "C"}


def test_abc_xyz_matrix(three_months):
    cells = {r["abc_xyz_class"]: r for r in rows(three_months, "abc_xyz_matrix", "2024-03")}
    assert sorted(cells) == ["AX", "AY", "AZ", "BX", "BY", "BZ", "CX", "CY", "CZ"]
    # backorders at March: open demand - on hand: A 15 + 16 - 10 = 21; B 3 - 0 = 3; C 15 - 31 -> 0;
    # D 15 - 5 = 10; E none.
    # AX: A and C, value 50 + 30, backorders 21 + 0;  BY: D, 15, 10;  CZ: B and E, 5 + 0, 3 + 0
    assert (cells["AX"]["count_skus"], cells["AX"]["value_12m"], cells["AX"]["backorder_units"]) == (2, 80, 21)
    assert (cells["BY"]["count_skus"], cells["BY"]["value_12m"], cells["BY"]["backorder_units"]) == (1, 15, 10)
    assert (cells["CZ"]["count_skus"], cells["CZ"]["value_12m"], cells["CZ"]["backorder_units"]) == (2, 5, 3)
    for empty in ("AY", "AZ", "BX", "BZ", "CX", "CY"):
        assert (cells[empty]["count_skus"], cells[empty]["value_12m"], cells[empty]["backorder_units"]) == (0, 0, 0)
    # February has no stock file: backorder units unknown in every cell
    assert {r["backorder_units"] for r in rows(three_months, "abc_xyz_matrix", "2024-02")} == {None}
    # a supplier filter keeps its SKUs, with the classes of the whole assortment (S2: B and D)
    from stocklens import kpis as kpis_mod, settings as settings_mod
    ctx = kpis_mod.Context("2024-03", settings_mod.load(three_months), kpis_mod.Filters(suppliers=("S2",)))
    s2 = {r["abc_xyz_class"]: r["count_skus"] for r in kpis_mod.run(three_months, "abc_xyz_matrix", ctx).to_dicts()}
    assert s2["BY"] == 1 and s2["CZ"] == 1 and s2["AX"] == 0


def test_forecast_by_smoothing_and_its_accuracy(three_months):
    # For March, made with January and February (two orders months before M), alpha 0.3:
    # level = January's demand, then 0.3 x February's + 0.7 x level: forecast = 0.7 Jan + 0.3 Feb
    # A 0.7 x 10 + 0.3 x 20 = 13 (actual 30);  B 0.7 x 8 = 5.6 (0);  C 15 (15);  D 0.3 x 10 = 3 (20)
    per_sku = by(rows(three_months, "forecast_by_sku", "2024-03"), "sku")
    assert {s: r["forecast_units"] for s, r in per_sku.items()} == pytest.approx({"A": 13, "B": 5.6, "C": 15, "D": 3})
    assert {s: r["actual_units"] for s, r in per_sku.items()} == {"A": 30, "B": 0, "C": 15, "D": 20}
    assert {r["forecast_method"] for r in per_sku.values()} == {"smoothing"}
    # overall: actual 65, forecast 36.6, |errors| 17 + 5.6 + 0 + 17 = 39.6
    # WAPE 39.6 / 65 = 0.6092; bias (36.6 - 65) / 65 = -0.4369
    groups = by(rows(three_months, "forecast_accuracy", "2024-03"), "abc_group")
    assert groups["all"]["forecast_wape"] == pytest.approx(39.6 / 65)
    assert groups["all"]["forecast_bias"] == pytest.approx(-28.4 / 65)
    # per ABC class: A = A and C: |17| + 0 over 45 -> 17/45, bias (28 - 45) / 45; B = D: 17/20 and
    # -17/20; C = B (and E, no demand): actual 0 -> both null
    assert groups["A"]["forecast_wape"] == pytest.approx(17 / 45)
    assert groups["A"]["forecast_bias"] == pytest.approx(-17 / 45)
    assert groups["B"]["forecast_wape"] == pytest.approx(17 / 20)
    assert groups["C"]["forecast_wape"] is None and groups["C"]["forecast_bias"] is None
    assert groups["C"]["forecast_units"] == pytest.approx(5.6)
    month = kpis(three_months, "2024-03")
    assert month["forecast_wape"] == pytest.approx(39.6 / 65)
    assert month["forecast_bias"] == pytest.approx(-28.4 / 65)
    # January: no orders month before it, so no forecast: unknown
    assert kpis(three_months, "2024-01")["forecast_wape"] is None


def _month(i: int) -> str:
    return f"{2022 + i // 12}-{i % 12 + 1:02d}"


def test_seasonal_forecast_with_24_months(store, tmp_path):
    # S ordered every month 2022-01..2023-12: 20 in January 2022, 40 in January 2023, else 10
    # in 2022 and 12 in 2023; January 2024: 36 actual. The 24 months before 2024-01 all have their
    # orders file: seasonal.  level = mean of 2023 = (40 + 11 x 12) / 12 = 172 / 12;
    # index = mean of the Januaries (20 + 40) / 2 = 30 over the 24-month mean (20 + 110 + 40 + 132)
    # / 24 = 302 / 24;  forecast = 172 / 12 x 30 x 24 / 302 = 10320 / 302 = 34.172
    for i in range(25):
        month = _month(i)
        units = 36 if i == 24 else (20 if i == 0 else 40 if i == 12 else 10 if i < 12 else 12)
        orders(store, tmp_path, month, f"S{i},1,S,{month}-15,{units},{units},{month}-16,0,,,,")
    forecast = one(store, "forecast_by_sku", "2024-01")
    assert forecast["forecast_method"] == "seasonal"
    assert forecast["forecast_units"] == pytest.approx(10320 / 302)
    assert kpis(store, "2024-01")["forecast_wape"] == pytest.approx(abs(36 - 10320 / 302) / 36)
    # December 2023 has only 23 months before it: smoothing over its last 12 months (2022-12..2023-11):
    # 10 x 0.7^11 + 40 x 0.3 x 0.7^10 + 12 x 0.3 x (0.7^9 + ... + 0.7^0)
    dec = one(store, "forecast_by_sku", "2023-12")
    expected = 10 * 0.7 ** 11 + 40 * 0.3 * 0.7 ** 10 + 12 * 0.3 * sum(0.7 ** j for j in range(10))
    assert dec["forecast_method"] == "smoothing"
    assert dec["forecast_units"] == pytest.approx(expected)


# --- the reorder list ------------------------------------------------------------------------------

PO_HEADER = "po_id,line_id,sku,supplier,order_date,expected_date,received_date,qty_ordered,qty_received,unit_cost"
MAR_POS = """
    P1,1,A,S1,2024-01-10,2024-01-25,2024-01-30,50,50,2    # A from S1 (its master supplier): 20 days
    P2,1,A,S9,2024-02-01,2024-03-01,2024-03-12,10,10,2    # A from S9: 40 days, not A's supplier
    P3,1,D,S2,2024-03-01,2024-04-15,,8,0,1               # D: 8 on order, due in April
    P4,1,B,S2,2024-02-20,2024-03-20,,2,0,1               # B: 2 on order, late (due 03-20)
"""
Z95 = 1.6449  # z(0.95), from a normal table


@pytest.fixture
def with_pos(three_months, tmp_path):
    load(three_months, tmp_path, "purchase_orders", "2024-03", PO_HEADER + "\n" + MAR_POS)
    return three_months


def test_reorder_list(with_pos):
    listed = rows(with_pos, "reorder_list", "2024-03")
    # per SKU at March (d and sigma as in test_daily_demand_and_monthly_sigma; review period 30):
    # A: d 52/90, sigma 10, L 20 measured (S1's receipt: 01-30 - 01-10; S9's 40 days is not A's
    #    supplier), SS = 1.6449 x 10 x sqrt(20/30) = 13.430, ROP = 52/90 x 20 + 13.430 = 24.986,
    #    OUT = 52/90 x 50 + 13.430 = 42.319; position = 10 on hand + 0 on order - 31 open = -21
    #    <= ROP: suggested 42.319 + 21 = 63.319, value x 2 = 126.64
    # B: d 8/90, sigma sqrt(192/9) = 4.6188, L 30 (no receipt, no master lead time: the default),
    #    SS = 1.6449 x 4.6188 = 7.5975, ROP = 8/90 x 30 + 7.5975 = 10.264, OUT = 8/90 x 60 + 7.5975
    #    = 12.931; position = 0 + 2 - 3 = -1: suggested 13.931, value x 1
    # C: d 0.5, sigma 0, L 30: ROP 15, OUT 30; position 31 - 15 = 16 > 15: not listed
    # D: d 30/90, sigma 10, L 45 (master), SS = 1.6449 x 10 x sqrt(1.5) = 20.146, ROP = 15 + 20.146
    #    = 35.146, OUT = 30/90 x 75 + 20.146 = 45.146; position = 5 + 8 - 15 = -2: suggested 47.146
    # E: no demand, nothing open: not listed.  By supplier (S1: A; S2: D 47.1 then B 13.9)
    assert [r["sku"] for r in listed] == ["A", "D", "B"]
    a, d, b = listed
    ss_a = Z95 * 10 * math.sqrt(20 / 30)
    assert (a["lead_time_days"], a["lead_time_source"]) == (20, "measured")
    assert (b["lead_time_days"], b["lead_time_source"]) == (30, "default")
    assert (d["lead_time_days"], d["lead_time_source"]) == (45, "product master")
    assert a["daily_demand"] == pytest.approx(52 / 90)
    assert a["safety_stock"] == pytest.approx(ss_a, rel=1e-4)
    assert a["reorder_point"] == pytest.approx(52 / 90 * 20 + ss_a, rel=1e-4)
    assert a["order_up_to"] == pytest.approx(52 / 90 * 50 + ss_a, rel=1e-4)
    assert (a["on_hand"], a["on_order"], a["open_demand"], a["inventory_position"]) == (10, 0, 31, -21)
    assert a["suggested_qty"] == pytest.approx(52 / 90 * 50 + ss_a + 21, rel=1e-4)
    assert a["suggested_value"] == pytest.approx(2 * (52 / 90 * 50 + ss_a + 21), rel=1e-4)
    assert a["abc_xyz_class"] == "AX" and a["supplier"] == "S1"
    ss_b = Z95 * math.sqrt(192 / 9)
    assert b["safety_stock"] == pytest.approx(ss_b, rel=1e-4)
    assert (b["on_order"], b["count_late_po_lines"], b["inventory_position"]) == (2, 1, -1)
    assert b["suggested_qty"] == pytest.approx(8 / 90 * 60 + ss_b + 1, rel=1e-4)
    ss_d = Z95 * 10 * math.sqrt(45 / 30)
    assert d["reorder_point"] == pytest.approx(30 / 90 * 45 + ss_d, rel=1e-4)
    assert (d["on_order"], d["inventory_position"], str(d["next_expected_date"])) == (8, -2, "2024-04-15")
    assert d["suggested_qty"] == pytest.approx(30 / 90 * 75 + ss_d + 2, rel=1e-4)
    assert all(r["on_order_known"] for r in listed)
    # the classes kept: only AX -> A
    assert [r["sku"] for r in rows(with_pos, "reorder_list", "2024-03", classes=["AX"])] == ["A"]


def test_reorder_point_boundary_and_settings(with_pos):
    # default lead time 32 days: C's ROP = 0.5 x 32 + 0 = 16 = its position 16: listed (position <=
    # ROP), suggested = 0.5 x (32 + 30) - 16 = 15. B's L is 32 too: SS = z x 4.6188 x sqrt(32/30).
    # Service level 0.5: z = 0, no safety stock: A's suggested = 52/90 x 50 + 21.
    save_settings(with_pos, default_lead_time_days=32, service_level=0.5)
    listed = by(rows(with_pos, "reorder_list", "2024-03"), "sku")
    assert listed["C"]["suggested_qty"] == pytest.approx(15)
    assert listed["C"]["inventory_position"] == listed["C"]["reorder_point"] == 16
    assert listed["A"]["safety_stock"] == 0
    assert listed["A"]["suggested_qty"] == pytest.approx(52 / 90 * 50 + 21)
    assert listed["B"]["lead_time_days"] == 32


def test_reorder_without_po_file_or_stock(three_months, tmp_path):
    # no PO upload: nothing on order (flagged unknown), lead times from the master or the default
    a = by(rows(three_months, "reorder_list", "2024-03"), "sku")["A"]
    assert (a["on_order"], a["on_order_known"]) == (0, False)
    assert (a["lead_time_days"], a["lead_time_source"]) == (10, "product master")
    # the list just computed is cached; a PO upload for March replaces it: A's lead time measured
    load(three_months, tmp_path, "purchase_orders", "2024-03", PO_HEADER + "\n" + MAR_POS)
    a = by(rows(three_months, "reorder_list", "2024-03"), "sku")["A"]
    assert (a["lead_time_days"], a["lead_time_source"], a["on_order_known"]) == (20, "measured", True)
    # February has no stock file: on hand unknown, no list
    assert rows(three_months, "reorder_list", "2024-02") == []


def test_cli_reorder_json(with_pos):
    path = with_pos.path
    with_pos.close()
    done = run_cli("reorder", "--month", "2024-03", "--json", "--supplier", "S2", "--store", path)
    assert done.returncode == 0, done.stderr
    import json
    listed = json.loads(done.stdout)
    # S2's SKUs to order: D (47.146 x 1) then B (13.931 x 1), as in test_reorder_list
    assert [(r["sku"], r["supplier"]) for r in listed] == [("D", "S2"), ("B", "S2")]
    assert listed[0]["suggested_qty"] == pytest.approx(30 / 90 * 75 + Z95 * 10 * math.sqrt(1.5) + 2, rel=1e-4)
    assert listed[0]["next_expected_date"] == "2024-04-15"
    bad = run_cli("reorder", "--month", "March", "--json", "--store", path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "YYYY-MM" in bad.stderr
