"""The KPI registry (stocklens/registry.py), the single source of truth: every KPI's query exists
and computes its column on a small hand-made store, ids are unique, every unit has its formats,
and the page query lists match what the page scripts run."""
from __future__ import annotations

import re

import pytest

from kpi_helpers import PROJECT_ROOT, one, orders, stock
from stocklens import kpis
from stocklens.registry import KPIS, PAGES, REGISTRY, UNITS

QUERIES = PROJECT_ROOT / "queries" / "kpis"


def test_ids_are_unique_and_queries_exist():
    assert len(REGISTRY) == len(KPIS)
    for k in KPIS:
        assert (QUERIES / f"{k.query}.sql").is_file(), k.id
    for page, queries in PAGES.items():
        for query, _ in queries:
            assert (QUERIES / f"{query}.sql").is_file(), (page, query)


def test_every_unit_has_its_formats():
    assert {k.unit for k in KPIS} <= set(UNITS)
    # worked by hand: 1234.56 (and 0.4567 for a share) as each unit is written in a tile
    shown = {"currency": "1,235", "units": "1,235", "count": "1,235", "days": "1,234.6", "ratio": "1234.56",
             "per_year": "1234.56×", "per_month": "1234.56×", "percent": "45.7%"}
    assert set(shown) == set(UNITS)
    for unit, text in shown.items():
        k = next((k for k in KPIS if k.unit == unit), None)
        if k is not None:
            assert k.format(0.4567 if unit == "percent" else 1234.56) == text, unit
    for unit, f in UNITS.items():
        assert f.value and f.hover and f.column and f.delta, unit


@pytest.fixture
def small(store, tmp_path):
    """December stock only; January and February orders and stock (t = 2024-02-29 for February)."""
    jan = """
        O1,1,A,2024-01-10,10,4,2024-01-15,0,,2,K1,W1   # A: 4 of 10 shipped in January: 6 open
    """
    feb = jan + """
        O2,1,B,2024-02-05,5,0,,0,,3,K2,W1              # B: 5 open, no stock row: on hand 0
    """
    stock(store, tmp_path, "2023-12", "A,2,1.5,W1   # A: 2 on hand at 1.5 = 3, every month")
    for month, text in (("2024-01", jan), ("2024-02", feb)):
        orders(store, tmp_path, month, text)
        stock(store, tmp_path, month, "A,2,1.5,W1")
    return store


def test_every_kpi_query_returns_its_column(small):
    ctx = kpis.Context("2024-02")
    frames = {q: kpis.run(small, q, ctx) for q in {k.query for k in KPIS}}
    for k in KPIS:
        assert (k.column or k.id) in frames[k.query].columns, k.id


def test_the_two_definitions_the_review_found_diverging(small):
    # backorder_rate: backorder units / open demand summed over SKUs (the backlog units):
    # A max(0, 6 - 2) = 4, B 5 - 0 = 5 -> 9 of 6 + 5 = 11
    assert one(small, "backorder_totals", "2024-02")["backorder_rate"] == pytest.approx(9 / 11)
    # turnover_annual over the months of the last 12 with a stock AND an orders file: January and
    # February (n = 2; December has stock only, and its COGS is unknown). COGS 4 x 1.5 = 6 and 0;
    # average inventory 3 and 3 (2 x 1.5 each month) -> 6 / 3 x 12 / 2 = 12
    assert one(small, "inventory_turnover", "2024-02")["turnover_annual"] == pytest.approx(12)
    assert "stock and an orders file" in REGISTRY["turnover_annual"].definition
    header = (QUERIES / "inventory_turnover.sql").read_text()
    assert "turnover_annual: over the months of the last 12 with a stock and an orders upload" in header


# what a page runs only on a choice: draft_po in place of reorder_list when one supplier is chosen
ON_A_CHOICE = {"draft_po"}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_pages_run_the_queries_the_registry_lists(page):
    # each state.run("...") and state.trend(..., [...]) of the page script; an f-string names a
    # family (backlog_by_{dim}: backlog_by_customer, backlog_by_location)
    script = (PROJECT_ROOT / "pages" / f"{page}.py").read_text()
    named = re.findall(r'state\.run\(f?"([\w{}]+)"', script)
    for names in re.findall(r"state\.trend\([^\[]*\[([^\]]*)\]", script):
        named += re.findall(r'"(\w+)"', names)
    patterns = {re.sub(r"\{\w+\}", r"\\w+", q) for q in named} - ON_A_CHOICE
    listed = {q for q, _ in PAGES[page]}
    assert {q for q in listed if any(re.fullmatch(p, q) for p in patterns)} == listed, named
    assert {p for p in patterns if any(re.fullmatch(p, q) for q in listed)} == patterns, listed


@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_page_computes_its_listed_queries_ahead(page):
    """kpis.prefetch computes what PAGES lists for a page: the page must ask for its own list."""
    script = (PROJECT_ROOT / "pages" / f"{page}.py").read_text()
    assert re.findall(r'state\.prefetch\("(\w+)"', script) == [page]
