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
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from statistics import NormalDist

import polars as pl

from . import settings as settings_mod
from . import results, sql
# window and previous_month are month arithmetic the registry's page list needs too; kpis.window stays
from .registry import AFTER_OTHER_RESULTS, BRIDGE_LABELS, REGISTRY, page_queries, previous_month, window  # noqa: F401
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


def run(store, query: str, ctx: Context, *, cached: bool = True, **extra) -> pl.DataFrame:
    """Run queries/<query>.sql with the context's parameters (only those the query names),
    reading and keeping its result in the store's stored results (stocklens.results) unless
    cached=False (a read-only store reads them and keeps nothing)."""
    text, params = _bound(query, ctx, extra)
    if not cached:
        return store.query(text, params)
    return results.fetch(store, query, text, params)


def _bound(query: str, ctx: Context, extra: dict) -> tuple[str, dict]:
    """The query's SQL text and the parameters it names, from the context and the extra ones."""
    text = sql.load(query if "/" in query else f"kpis/{query}")
    return text, sql.bind(text, {**ctx.params(), **extra})


def fill_month_figures(store, since: str | None) -> None:
    """Compute the standard view's month figures missing for the stored settings, from month
    `since` (every month when None) to the latest month with an orders or stock upload, but
    only among its EAGER_MONTHS latest months, and the month aggregates only of the
    EAGER_AGGREGATE_MONTHS latest (older months are computed when first asked for).
    Called after a load, undo or delete: the first view of a month then reads stored figures."""
    if store.read_only:
        return
    first, last = store.row("select min(month), max(month) from uploaded_months where dataset in ('orders', 'stock')")
    if last is None:
        return
    months = [m for m in window(last, results.EAGER_MONTHS) if m >= max(first, since or first)]
    if not months:
        return
    ctx = Context(last, settings_mod.load(store))
    calls = [(query, ctx, {"months": months}) for query in results.MONTH_GRAIN]
    calls += [(query, Context(month, ctx.settings), {}) for month in months[-results.EAGER_AGGREGATE_MONTHS:]
              for query in results.MONTH_AGGREGATES]
    run_many(store, _missing(store, calls))


def _missing(store, calls: list[tuple[str, Context, dict]]) -> list[tuple[str, Context, dict]]:
    """The calls whose results are not all stored (those would only be read, twice)."""
    return [(query, ctx, extra) for query, ctx, extra in calls
            if not results.is_stored(store, query, _bound(query, ctx, extra)[1])]


def run_many(store, calls: list[tuple[str, Context, dict]], timings: dict | None = None) -> list[pl.DataFrame]:
    """The results of several queries (query, context, extra parameters), as run() gives them,
    two at a time, each on its own cursor: most KPI queries are too small for DuckDB to keep two
    cores busy alone (the stored results are written one at a time, Store._cache_write).
    timings: seconds per query are added to it (the benchmark's)."""
    def one(call):
        started = time.perf_counter()
        frame = run(store, call[0], call[1], **call[2])
        if timings is not None:
            timings[call[0]] = timings.get(call[0], 0.0) + time.perf_counter() - started
        return frame

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(one, calls))


def prefetch(store, page: str, ctx: Context, compare: str | None = None, timings: dict | None = None) -> None:
    """Compute and store, two at a time, the results page `page` reads (registry.PAGES, with the
    comparison month `compare`), so that its reads, one after the other, find them stored. Not on
    a read-only store or while a change is being written: nothing would be stored."""
    if store.read_only or store.writer() is not None:
        return
    run_many(store, _missing(store, [(query, ctx, extra) for query, extra in page_queries(page, ctx, compare)
                                     if query not in AFTER_OTHER_RESULTS]), timings)


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
    """Every KPI of kpi-book section 5's JSON for one month, null where the book says unknown:
    the registry's KPIs marked json, in its order, each from its query's row; the nested parts
    after the KPI that they follow in the book."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month or ""):
        raise ValueError(f"month {month!r} is not of the form YYYY-MM")
    ctx = Context(month, settings or settings_mod.load(store), filters or Filters())
    in_json = [k for k in REGISTRY.values() if k.json]
    rows = {q: _one_row(run(store, q, ctx)) for q in dict.fromkeys(k.query for k in in_json)}
    buckets = run(store, "backlog_age_buckets", ctx)
    bridge = _one_row(run(store, "backlog_bridge", ctx))
    frequent = None
    if rows["backorder_totals"].get("backorder_units") is not None:
        frequent = [{"sku": r["sku"], "months_backordered": r["months_backordered"],
                     "backorder_units": _clean(r["backorder_units"])}
                    for r in run(store, "frequently_backordered", ctx).iter_rows(named=True)]
    nested = {
        "past_due_units": {
            "age_buckets": ({r["age_bucket"]: _clean(r["backlog_units"]) for r in buckets.iter_rows(named=True)}
                            if rows["backlog_totals"].get("backlog_units") is not None
                            else {label: None for label in ctx.settings.age_labels}),
            # the book's six steps, and closed_by_absence (carved out of restated; 0 unless a file
            # of the month was loaded as listing every open line)
            "bridge": {k: bridge.get(k) for k in BRIDGE_LABELS}},
        "backorder_rate": {"frequently_backordered": frequent},
    }
    out = {"month": month}
    for k in in_json:
        out[k.id] = rows[k.query].get(k.column or k.id)  # (forecast_accuracy: its first row, 'all')
        out.update(nested.get(k.id, {}))
    return out
