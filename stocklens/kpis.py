"""The KPI engine: runs the query files of queries/kpis and assembles the CLI's JSON.

Every number of kpi-book section 3 is computed by one query file in queries/kpis/ (over the
intermediate macros of queries/intermediate/ and the facts of queries/facts/); this module binds
$named parameters (Context), runs queries through the stored results (stocklens.results) and
builds the JSON. Labels, units and definitions live in stocklens.registry.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from statistics import NormalDist

import polars as pl

from . import settings as settings_mod
from . import results, sql
from .registry import BRIDGE_LABELS
from .settings import Settings


@dataclass(frozen=True)
class Filters:
    """Global filters; an empty tuple keeps everything."""
    categories: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    customers: tuple[str, ...] = ()

    def params(self) -> dict:
        return {k: (list(v) if v else None) for k, v in
                (("categories", self.categories), ("suppliers", self.suppliers),
                 ("locations", self.locations), ("customers", self.customers))}


@dataclass
class Context:
    """What a query is asked for: the month M (queries over several months get $months, by
    default [M]; pass months=window(M, 12) to run for a trend), the settings and the filters."""
    month: str
    settings: Settings = field(default_factory=Settings)
    filters: Filters = field(default_factory=Filters)

    def params(self) -> dict:
        s = self.settings
        return {
            "month": self.month,
            "months": [self.month],
            "promise_days": s.default_promise_days,
            "age_bounds": list(s.age_bounds),
            "age_labels": s.age_labels,
            "carrying_rate": s.carrying_rate,
            "carrying_parts": {"capital": s.carrying_capital, "storage": s.carrying_storage,
                               "service": s.carrying_service, "risk": s.carrying_risk},
            "frequent_months": s.frequent_backorder_months,
            "excess_months": s.excess_months,
            "window": window(self.month, s.backorder_window_months),
            # replenishment (issue 10): z of the service level for safety stock
            "service_z": NormalDist().inv_cdf(s.service_level),
            "review_days": s.review_period_days,
            "default_lead_days": s.default_lead_time_days,
            "abc_a": s.abc_a,
            "abc_b": s.abc_b,
            "forecast_alpha": s.forecast_alpha,
            "classes": None,  # ABC-XYZ classes kept by the reorder list ('AX', 'BZ', ...); None keeps all
            **self.filters.params(),
        }


def window(month: str, n: int) -> list[str]:
    """The n months ending at month, oldest first."""
    y, m = int(month[:4]), int(month[5:7])
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def previous_month(month: str, years: int = 0) -> str:
    y, m = int(month[:4]), int(month[5:7])
    if years:
        return f"{y - years:04d}-{m:02d}"
    return f"{y - 1:04d}-12" if m == 1 else f"{y:04d}-{m - 1:02d}"


def run(store, query: str, ctx: Context, *, cached: bool = True, **extra) -> pl.DataFrame:
    """Run queries/<query>.sql with the context's parameters (only those the query names),
    reading and keeping its result in the store's stored results (stocklens.results) unless
    cached=False or the store is read-only."""
    text = sql.load(query if "/" in query else f"kpis/{query}")
    params = sql.bind(text, {**ctx.params(), **extra})
    if not cached or store.read_only:
        return store.query(text, params)
    return results.fetch(store, query, text, params)


def fill_month_figures(store, since: str | None) -> None:
    """Compute the standard view's month figures missing for the stored settings, from month
    `since` (every month when None) to the latest month with an orders or stock upload, but
    only among its EAGER_MONTHS latest months (older months are computed when first asked for).
    Called after a load, undo or delete: the first view of a month then reads stored figures."""
    if store.read_only:
        return
    first, last = store.query("select min(month), max(month) from uploaded_months "
                              "where dataset in ('orders', 'stock')").row(0)
    if last is None:
        return
    months = [m for m in window(last, results.EAGER_MONTHS) if m >= max(first, since or first)]
    if not months:
        return
    ctx = Context(last, settings_mod.load(store))
    for query in results.MONTH_GRAIN:
        run(store, query, ctx, months=months)
    for month in months:
        for query in results.MONTH_AGGREGATES:
            run(store, query, Context(month, ctx.settings))


def _clean(value):
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return value  # keep floats as floats: 12.0 stays a number, JSON writes 12.0
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _one_row(frame: pl.DataFrame) -> dict:
    return {k: _clean(v) for k, v in frame.row(0, named=True).items()} if frame.height else {}


def kpis_for_month(store, month: str, *, settings: Settings | None = None,
                   filters: Filters | None = None) -> dict:
    """Every KPI of kpi-book section 5's JSON for one month, null where the book says unknown."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month or ""):
        raise ValueError(f"month {month!r} is not of the form YYYY-MM")
    ctx = Context(month, settings or settings_mod.load(store), filters or Filters())
    backlog = _one_row(run(store, "backlog_totals", ctx))
    buckets = run(store, "backlog_age_buckets", ctx)
    bridge = _one_row(run(store, "backlog_bridge", ctx))
    backorders = _one_row(run(store, "backorder_totals", ctx))
    fill = _one_row(run(store, "fill_rate", ctx))
    stock = _one_row(run(store, "inventory_turnover", ctx))
    purchases = _one_row(run(store, "po_totals", ctx))
    forecast = _one_row(run(store, "forecast_accuracy", ctx).head(1))  # the 'all' row
    has_orders = backlog.get("backlog_units") is not None
    frequent = None
    if backorders.get("backorder_units") is not None:
        frequent = [{"sku": r["sku"], "months_backordered": r["months_backordered"],
                     "backorder_units": _clean(r["backorder_units"])}
                    for r in run(store, "frequently_backordered", ctx).iter_rows(named=True)]
    return {
        "month": month,
        "backlog_units": backlog.get("backlog_units"),
        "backlog_value": backlog.get("backlog_value"),
        "backlog_lines": backlog.get("backlog_lines"),
        "backlog_orders": backlog.get("backlog_orders"),
        "avg_age_days": backlog.get("avg_age_days"),
        "past_due_units": backlog.get("past_due_units"),
        "age_buckets": ({r["age_bucket"]: _clean(r["backlog_units"]) for r in buckets.iter_rows(named=True)}
                        if has_orders else {label: None for label in ctx.settings.age_labels}),
        # the book's six steps, and closed_by_absence (carved out of restated; 0 unless a file of
        # the month was loaded as listing every open line)
        "bridge": {k: bridge.get(k) for k in BRIDGE_LABELS},
        "backorder_units": backorders.get("backorder_units"),
        "backordered_skus": backorders.get("backordered_skus"),
        "backorder_rate": backorders.get("backorder_rate"),
        "frequently_backordered": frequent,
        "fill_rate_units": fill.get("fill_rate_units"),
        "fill_rate_lines": fill.get("fill_rate_lines"),
        "fill_rate_orders": fill.get("fill_rate_orders"),
        "inventory_units": stock.get("inventory_units"),
        "inventory_value": stock.get("inventory_value"),
        "cogs": stock.get("cogs"),
        "avg_inventory_value": stock.get("avg_inventory_value"),
        "turnover_monthly": stock.get("turnover_monthly"),
        "turnover_annual": stock.get("turnover_annual"),
        "dio_days": stock.get("dio_days"),
        "holding_cost": stock.get("holding_cost"),
        "dead_stock_value": stock.get("dead_stock_value"),
        "excess_stock_value": stock.get("excess_stock_value"),
        # in units (issue 11), for files without costs; null by the same rules as their value twins
        "cogs_units": stock.get("cogs_units"),
        "avg_inventory_units": stock.get("avg_inventory_units"),
        "turnover_monthly_units": stock.get("turnover_monthly_units"),
        "turnover_annual_units": stock.get("turnover_annual_units"),
        "dio_days_units": stock.get("dio_days_units"),
        "dead_stock_units": stock.get("dead_stock_units"),
        "excess_stock_units": stock.get("excess_stock_units"),
        "count_skus_unknown_cost": stock.get("count_skus_unknown_cost"),
        "on_order_units": purchases.get("on_order_units"),
        "backorder_covered_units": purchases.get("backorder_covered_units"),
        "backorder_uncovered_units": purchases.get("backorder_uncovered_units"),
        "late_po_lines": purchases.get("late_po_lines"),
        "supplier_otif_lines": purchases.get("supplier_otif_lines"),
        "forecast_wape": forecast.get("forecast_wape"),
        "forecast_bias": forecast.get("forecast_bias"),
    }


def page_queries(page: str, ctx: Context) -> list[tuple[str, dict]]:
    """The queries a dashboard page runs for a month, with their extra parameters: what the
    benchmark times as "a page's full set of queries" (keep in step with pages/*.py)."""
    m = ctx.month
    w12, w13 = window(m, 12), window(m, 13)
    s = ctx.settings
    bo_window = window(m, s.backorder_window_months)
    return {
        "overview": [("backlog_totals", {"months": w13}), ("backorder_totals", {"months": w13}),
                     ("fill_rate", {"months": w13}), ("inventory_turnover", {"months": w13}),
                     ("po_totals", {"months": w13}), ("forecast_accuracy", {}),
                     ("forecast_accuracy", {"month": previous_month(m)}),
                     ("backlog_changes", {"compare_month": previous_month(m)})],
        "backlog": [("backlog_totals", {"months": w12}), ("backlog_age_buckets", {"months": w12}),
                    ("backlog_bridge", {}), ("backlog_open_lines", {"limit": 5000}),
                    ("backlog_by_customer", {}), ("backlog_by_location", {})],
        "backorders": [("backorder_totals", {}), ("backorders_by_sku", {}), ("frequently_backordered", {}),
                       ("backorder_history", {"window": bo_window, "skus": []}),
                       ("sku_history", {"window": bo_window, "sku": ""})],
        "inventory": [("inventory_turnover", {"months": w12}), ("inventory_by_category", {}),
                      ("stock_by_sku", {}), ("days_of_supply_bands", {})],
        "replenishment": [("po_totals", {}), ("backorder_coverage_by_sku", {}), ("abc_xyz_matrix", {}),
                          ("reorder_by_supplier", {}), ("reorder_list", {}), ("forecast_accuracy", {})],
        "suppliers": [("po_totals", {}), ("supplier_scorecard", {}), ("po_late_lines", {}),
                      ("supplier_single_source", {})],
    }[page]
