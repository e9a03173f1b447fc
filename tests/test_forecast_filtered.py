"""The forecast with a category filter: sku_forecast computes only the filtered SKUs, but each
SKU keeps the ABC class of the whole assortment's ranking (a filter selects SKUs, it does not
re-rank them). The three-month fixture of test_kpi_replenishment, worked by hand."""
from __future__ import annotations

import pytest

from kpi_helpers import by, rows
from test_kpi_replenishment import three_months  # noqa: F401  (the fixture)

# The whole assortment's ABC (test_abc_boundaries_and_xyz_thresholds): 12-month value A 50, C 30,
# D 15, B 5, E 0 (total 100): A and C class A, D class B, B and E class C.
# Categories (PRODUCTS): Tools = A, D, E; Parts = B, C.
# Forecasts for March (0.7 x January + 0.3 x February) and March's actual units:
# A 13 (30), B 5.6 (0), C 15 (15), D 3 (20); E never ordered: no forecast row.


def test_tools_keep_the_whole_assortments_classes(three_months):
    groups = by(rows(three_months, "forecast_accuracy", "2024-03", categories=["Tools"]), "abc_group")
    # all = A and D: actual 50, forecast 16, |errors| 17 + 17 = 34
    assert groups["all"]["actual_units"] == pytest.approx(50)
    assert groups["all"]["forecast_units"] == pytest.approx(16)
    assert groups["all"]["forecast_wape"] == pytest.approx(34 / 50)
    # A = A alone: 17 / 30. Ranked within Tools only (A 50, D 15 of 65), D would start at
    # 50/65 = 0.77 < 0.80 and be A too (34 / 50 here, and B empty)
    assert groups["A"]["count_skus"] == 1
    assert groups["A"]["forecast_wape"] == pytest.approx(17 / 30)
    assert groups["A"]["forecast_bias"] == pytest.approx(-17 / 30)
    # B = D: 17 / 20, as in the whole assortment
    assert groups["B"]["count_skus"] == 1
    assert groups["B"]["forecast_wape"] == pytest.approx(17 / 20)
    # C: E has no forecast and no demand
    assert groups["C"]["count_skus"] == 0 and groups["C"]["forecast_wape"] is None
    # differs from the unfiltered figure (A = A and C: 17 / 45)
    unfiltered = by(rows(three_months, "forecast_accuracy", "2024-03"), "abc_group")
    assert unfiltered["A"]["forecast_wape"] == pytest.approx(17 / 45)


def test_parts_keep_the_whole_assortments_classes(three_months):
    groups = by(rows(three_months, "forecast_accuracy", "2024-03", categories=["Parts"]), "abc_group")
    # all = B and C: actual 15, forecast 20.6, |errors| 5.6 + 0
    assert groups["all"]["forecast_units"] == pytest.approx(20.6)
    assert groups["all"]["forecast_wape"] == pytest.approx(5.6 / 15)
    # A = C: exact. B is class C (it starts at 0.95 of the whole assortment's value); ranked within
    # Parts (C 30, B 5) it would start at 30/35 = 0.86 and be B
    assert groups["A"]["forecast_wape"] == pytest.approx(0)
    assert groups["B"]["count_skus"] == 0 and groups["B"]["forecast_units"] is None
    assert groups["C"]["count_skus"] == 1
    assert groups["C"]["forecast_units"] == pytest.approx(5.6)
    assert groups["C"]["forecast_wape"] is None  # actual 0
    per_sku = by(rows(three_months, "forecast_by_sku", "2024-03", categories=["Parts"]), "sku")
    assert {s: (r["abc_class"], r["forecast_units"]) for s, r in per_sku.items()} == \
        {"B": ("C", pytest.approx(5.6)), "C": ("A", pytest.approx(15))}
