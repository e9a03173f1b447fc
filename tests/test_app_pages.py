"""AppTest of every dashboard page on the demo store and on an empty store.

The tiles must show what the KPI engine returns (stocklens.kpis.kpis_for_month, which has its
own hand-worked tests): this checks that the pages ask the engine the right question (month,
comparison month, filters) and show its answer formatted by the registry. One demo store is
built per session (conftest.demo_store_dir); tests that only read point the app at it.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from stocklens import kpis
from stocklens.kpis import Filters
from stocklens.registry import REGISTRY
from stocklens.store import Store
from stocklens.ui.components import delta_text
from app_helpers import _fresh_streamlit_caches, open_page  # noqa: F401 (autouse fixture)

LABEL_TO_ID = {k.label: k.id for k in REGISTRY.values()}
PROVISIONAL = " (provisional)"

OVERVIEW_TILES = ["backlog_units", "backlog_value", "past_due_units", "avg_age_days", "backorder_units",
                  "backorder_rate", "fill_rate_units", "fill_rate_orders", "inventory_value", "turnover_annual",
                  "dio_days", "holding_cost", "dead_stock_value", "excess_stock_value", "backorder_uncovered_units",
                  "supplier_otif_lines", "forecast_wape", "forecast_bias"]
PAGES = {  # page script -> (title, the tiles it shows)
    "pages/overview.py": ("Overview", OVERVIEW_TILES),
    "pages/backlog.py": ("Backlog", ["backlog_units", "backlog_value", "past_due_share", "avg_age_days"]),
    "pages/backorders.py": ("Backorders", ["backorder_units", "backordered_skus", "backorder_rate"]),
    "pages/inventory.py": ("Inventory and turnover", ["inventory_value", "turnover_annual", "dio_days",
                                                       "holding_cost", "dead_stock_value", "excess_stock_value"]),
    "pages/replenishment.py": ("Replenishment", ["on_order_units", "backorder_covered_units",
                                                 "backorder_uncovered_units", "forecast_wape", "forecast_bias"]),
    "pages/suppliers.py": ("Suppliers", ["supplier_otif_lines", "late_po_lines", "on_order_units"]),
    "pages/data.py": ("Data", []),
    "pages/settings.py": ("Settings", []),
}




class Engine:
    """The KPI engine's answers on the session's demo store, each computed once."""

    def __init__(self, path: Path):
        self.path = path
        self.store = Store(path)
        self.months = self.store.run("store/report_months")["month"].to_list()
        self.latest = self.months[-1]

    @functools.lru_cache(maxsize=None)
    def kpis(self, month: str, filters: Filters = Filters()) -> dict:
        out = kpis.kpis_for_month(self.store, month, filters=filters)
        out["past_due_share"] = (out["past_due_units"] / out["backlog_units"]
                                 if out["backlog_units"] else None)
        return out

    def result(self, query: str, month: str, **extra) -> pl.DataFrame:
        return kpis.run(self.store, query, kpis.Context(month), **extra)

    def top(self, query: str, column: str, month: str) -> list[str]:
        frame = kpis.run(self.store, query, kpis.Context(month))
        return frame.sort("backlog_units", descending=True)[column].drop_nulls().to_list()


@pytest.fixture(scope="module")
def engine(demo_store_dir):
    e = Engine(demo_store_dir)
    yield e
    e.store.close()


@pytest.fixture
def demo_env(monkeypatch, demo_store_dir):
    monkeypatch.setenv("STOCKLENS_STORE", str(demo_store_dir))
    return demo_store_dir


def url(at: AppTest, key: str) -> list[str]:
    """A query parameter of the app's URL as a list (AppTest gives one value as a plain str)."""
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def tiles(at: AppTest) -> dict[str, str]:
    """The page's KPI tiles: kpi id -> value as shown."""
    out = {}
    for m in at.main.metric:
        kpi_id = LABEL_TO_ID[m.label.removesuffix(PROVISIONAL)]
        assert kpi_id not in out, f"tile {m.label} shown twice"
        out[kpi_id] = m.value
    return out


def deltas(at: AppTest) -> dict[str, str | None]:
    return {LABEL_TO_ID[m.label.removesuffix(PROVISIONAL)]: (m.delta or None) for m in at.main.metric}


def _nudged(value):
    """The value and its neighbours one part in a billion away. DuckDB sums floats in parallel,
    in no fixed order, so a figure that is exactly x.5 (money: 400,178.50) comes out as
    400178.4999999999 or 400178.50000000006 from one run to the next and rounds either way."""
    if value is None or not isinstance(value, (int, float)):
        return [value]
    eps = 1e-9 * max(1.0, abs(value))
    return [value, value - eps, value + eps]


def tile_mismatches(shown: dict[str, str], values: dict, ids: list[str]) -> dict:
    """Tiles whose text is not the registry's format of the engine's value: {id: (shown, expected)}."""
    assert set(shown) == set(ids), f"tiles shown {sorted(shown)}, expected {sorted(ids)}"
    bad = {}
    for k in ids:
        if shown[k] not in {REGISTRY[k].format(v) for v in _nudged(values[k])}:
            bad[k] = (shown[k], REGISTRY[k].format(values[k]))
    return bad


def delta_mismatches(shown: dict[str, str | None], now: dict, before: dict, ids: list[str]) -> dict:
    bad = {}
    for k in ids:
        allowed = {delta_text(k, v, p)[0] for v in _nudged(now[k]) for p in _nudged(before[k])}
        if shown[k] not in allowed:
            bad[k] = (shown[k], delta_text(k, now[k], before[k])[0])
    return bad


def _plain(value):
    """A cell as compared: dates as ISO text (pandas gives datetimes, the engine dates)."""
    return value.isoformat()[:10] if isinstance(value, (dt.date, dt.datetime)) else value


def row_mismatches(shown, frame: pl.DataFrame, columns: list[str] | None = None, *, key: str | None = None) -> list:
    """Where a table shown (AppTest's pandas frame) differs from the engine's rows, in their order
    (or both sorted by `key`): in `columns`, or in every column of the engine's frame; floats to
    1e-9. Empty: the same."""
    columns = columns or frame.columns
    got = pl.from_pandas(shown[columns].reset_index(drop=True))
    if key:
        got, frame = got.sort(key), frame.sort(key)
    if got.height != frame.height:
        return [("rows", got.height, frame.height)]
    bad = []
    for c in columns:
        for i, (a, b) in enumerate(zip(got[c].to_list(), frame[c].to_list())):
            a, b = _plain(a), _plain(b)
            if isinstance(a, float) and isinstance(b, float):
                if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9):
                    bad.append((c, i, a, b))
            elif a != b:
                bad.append((c, i, a, b))
    return bad


# --- every page, demo store ------------------------------------------------------------------

@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_on_demo_store_with_engine_figures(page, demo_env, engine):
    title, ids = PAGES[page]
    at = open_page(page)
    assert [t.value for t in at.title] == [title]
    assert at.selectbox(key="month").value == engine.latest  # defaults to the latest month loaded
    assert at.selectbox(key="month").options == engine.months[::-1]
    want = engine.kpis(engine.latest)
    assert not tile_mismatches(tiles(at), want, ids)

    if page == "pages/overview.py":
        # Deltas against the previous month, and the fill rate marked provisional (no next month yet).
        before = engine.kpis(kpis.previous_month(engine.latest))
        assert not delta_mismatches(deltas(at), want, before, ids)
        labels = {m.label for m in at.main.metric}
        assert {"Fill rate (units)" + PROVISIONAL, "Fill rate (orders)" + PROVISIONAL} <= labels
        assert any(f"end of {engine.latest}, compared with {kpis.previous_month(engine.latest)}" in c.value
                   for c in at.main.caption)
        assert not at.main.warning  # the demo has both files every month: no partial-month warning
    elif page == "pages/backlog.py":
        lines = at.dataframe[0].value  # the oldest open lines
        assert len(lines) == want["backlog_lines"]
        assert lines["open_qty"].sum() == pytest.approx(want["backlog_units"])
        assert lines["order_id"].nunique() == want["backlog_orders"]
    elif page == "pages/backorders.py":
        ranking, by_sku = (d.value for d in at.dataframe)
        assert list(ranking["sku"]) == [r["sku"] for r in want["frequently_backordered"]]
        assert len(by_sku) == want["backordered_skus"]
        assert by_sku["backorder_units"].sum() == pytest.approx(want["backorder_units"])
        # next to every SKU what is on order, as the engine's coverage says
        assert not row_mismatches(by_sku, engine.result("backorder_coverage_by_sku", engine.latest),
                         ["sku", "on_order_units", "next_expected_date", "is_late", "covered_units",
                          "uncovered_units", "cover_date"], key="sku")
        assert by_sku["uncovered_units"].sum() == pytest.approx(want["backorder_uncovered_units"])
    elif page == "pages/replenishment.py":
        coverage, totals, reorder, accuracy = (d.value for d in at.dataframe)
        assert not row_mismatches(coverage, engine.result("backorder_coverage_by_sku", engine.latest))
        full = engine.result("reorder_list", engine.latest)
        assert not row_mismatches(reorder, full)  # every supplier's, every column (the draft PO download)
        # the totals per supplier add up the list's rows (a SKU without a master supplier: '(no supplier)')
        per_supplier = (full.group_by(pl.col("supplier").fill_null("(no supplier)"))
                        .agg(pl.len(), pl.col("suggested_value").fill_null(0).sum()))
        assert {r[0]: (r[1], pytest.approx(r[2])) for r in per_supplier.iter_rows()} == \
            {s: (n, v) for s, n, v in zip(totals["supplier"], totals["count_skus"], totals["suggested_value"])}
        assert not row_mismatches(accuracy, engine.result("forecast_accuracy", engine.latest).drop("forecast_method"))
        assert at.selectbox(key="reorder_supplier").options == ["All suppliers"] + list(totals["supplier"])
    elif page == "pages/suppliers.py":
        scorecard, late, single = (d.value for d in at.dataframe)
        assert not row_mismatches(scorecard, engine.result("supplier_scorecard", engine.latest))
        assert len(late) == want["late_po_lines"]
        assert not row_mismatches(single, engine.result("supplier_single_source", engine.latest))
    elif page == "pages/data.py":
        loaded = at.dataframe[0].value
        assert len(loaded) == 3 * len(engine.months) + 1  # orders, stock, POs per month, plus products
        assert set(loaded["dataset"]) == {"orders", "stock", "purchase_orders", "products"}
        assert not [b for b in at.button if b.key == "load_demo"]  # no demo offer on a loaded store
    elif page == "pages/settings.py":
        assert any("carrying rate 25.0% a year" in c.value for c in at.main.caption)


# --- month, comparison, filters ----------------------------------------------------------------

def test_changing_the_month_changes_the_tiles(demo_env, engine):
    at = open_page("pages/overview.py")
    month = engine.months[-2]
    at.selectbox(key="month").set_value(month).run()
    assert not at.exception
    want = engine.kpis(month)
    assert not tile_mismatches(tiles(at), want, OVERVIEW_TILES)
    assert tile_mismatches(tiles(at), engine.kpis(engine.latest), OVERVIEW_TILES), "the tiles did not change"
    assert not delta_mismatches(deltas(at), want, engine.kpis(kpis.previous_month(month)), OVERVIEW_TILES)
    assert any(f"end of {month}, compared with {kpis.previous_month(month)}" in c.value for c in at.main.caption)
    # The next month is loaded, so this month's fill rate is final, no longer provisional.
    assert not [m.label for m in at.main.metric if m.label.endswith(PROVISIONAL)]
    assert url(at, "month") == [month]  # the view lives in the URL


def test_comparing_with_the_same_month_last_year(demo_env, engine):
    at = open_page("pages/overview.py")
    at.radio(key="compare").set_value("Same month last year").run()
    assert not at.exception
    year_ago = kpis.previous_month(engine.latest, years=1)
    now = engine.kpis(engine.latest)
    assert not tile_mismatches(tiles(at), now, OVERVIEW_TILES)
    assert not delta_mismatches(deltas(at), now, engine.kpis(year_ago), OVERVIEW_TILES)
    assert any(f"compared with {year_ago}" in c.value for c in at.main.caption)
    assert url(at, "cmp") == ["year"]


FILTERS = {  # filter -> (Filters field, URL key, values chosen; None: the two largest customers)
    "category": ("categories", "cat", ["Fasteners"]),
    "supplier": ("suppliers", "sup", ["Pacific Fastening Co.", "Voltaris SpA"]),
    "location": ("locations", "loc", ["WH-SOUTH"]),
    "customer": ("customers", "cust", None),
}


@pytest.mark.parametrize("kind", list(FILTERS))
def test_each_filter_changes_the_tiles_as_the_engine_says(kind, demo_env, engine):
    field, url_key, values = FILTERS[kind]
    # Customers: the two with the largest backlog, a change the tiles must show.
    values = values or engine.top("backlog_by_customer", "customer", engine.latest)[:2]
    at = open_page("pages/overview.py")
    unfiltered = engine.kpis(engine.latest)
    widget = at.multiselect(key=f"filter_{kind}")
    assert values and set(values) <= set(widget.options), (values, widget.options)
    widget.set_value(values).run()
    assert not at.exception
    want = engine.kpis(engine.latest, Filters(**{field: tuple(values)}))
    shown = tiles(at)
    assert not tile_mismatches(shown, want, OVERVIEW_TILES)
    assert "backlog_units" in tile_mismatches(shown, unfiltered, OVERVIEW_TILES)
    assert url(at, url_key) == values

    # The filters are global: the next page shows the same filtered figures.
    at.switch_page("pages/backorders.py").run()
    assert not at.exception
    assert at.multiselect(key=f"filter_{kind}").value == values
    assert not tile_mismatches(tiles(at), want, PAGES["pages/backorders.py"][1])

    at.switch_page("pages/overview.py").run()
    at.multiselect(key=f"filter_{kind}").set_value([]).run()  # back to everything
    assert not tile_mismatches(tiles(at), unfiltered, OVERVIEW_TILES)
    assert url_key not in at.query_params


def test_a_shared_link_reproduces_month_and_filters(demo_env, engine):
    month = engine.months[-8]
    at = open_page("pages/inventory.py", {"month": month, "loc": "WH-NORTH", "cmp": "year"})
    assert at.selectbox(key="month").value == month
    assert at.multiselect(key="filter_location").value == ["WH-NORTH"]
    assert at.radio(key="compare").value == "Same month last year"
    want = engine.kpis(month, Filters(locations=("WH-NORTH",)))
    assert not tile_mismatches(tiles(at), want, PAGES["pages/inventory.py"][1])


def test_a_link_to_a_month_not_loaded_falls_back_to_the_latest(demo_env, engine):
    at = open_page("pages/inventory.py", {"month": "1999-01", "cat": "No such category"})
    assert at.selectbox(key="month").value == engine.latest
    assert at.multiselect(key="filter_category").value == []
    assert not tile_mismatches(tiles(at), engine.kpis(engine.latest), PAGES["pages/inventory.py"][1])
    assert url(at, "month") == [engine.latest] and "cat" not in at.query_params


# --- empty store -------------------------------------------------------------------------------

@pytest.mark.parametrize("page", list(PAGES))
def test_page_renders_on_an_empty_store(page, monkeypatch, tmp_path):
    monkeypatch.setenv("STOCKLENS_STORE", str(tmp_path / "empty_store"))
    at = open_page(page)
    assert [t.value for t in at.title] == [PAGES[page][0]]
    assert not at.metric
    assert [c.value for c in at.sidebar.caption][0] == "No data loaded yet."  # (then the sign-in mode)
    buttons = [b.key for b in at.button]
    if page == "pages/settings.py":
        assert "reset_settings" in buttons
        return
    assert len(at.info) == 1 and at.info[0].value.startswith("**No data yet.**")
    assert "load_demo" in buttons
    if page == "pages/data.py":
        assert any(c.value == "Nothing yet." for c in at.main.caption)
        assert at.file_uploader(key="uploads")
