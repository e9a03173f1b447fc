"""Stored results: KPI query results kept in the store, so that a page reads what a load or an
earlier view computed instead of computing it again.

Two kinds, by how a query's result depends on months: month figures (a month-grain query or a
month aggregate: one stored result per month and view) and other results (one per query and
parameters, with the latest month they read). Every result carries the data version read before
computing it and is stored only if no change is being written and that version is still current
(Store._cache_write). One entry point forgets what a change makes stale: invalidate().
"""
from __future__ import annotations

import hashlib
import json
import time

import polars as pl

from .facts import _shift

# Month-grain queries: one result (a row, or a row per age bucket) per month of $months, each
# month's independent of the other months asked for. Their results are kept per month and view
# (filters and settings: the store's month_figures), so that a page's 13-month trend reads 13
# stored results and the next month's view computes one month. The standard view's (no filters)
# are computed right after a load for the months it changed (kpis.fill_month_figures).
MONTH_GRAIN = ("backlog_totals", "backlog_age_buckets", "backorder_totals", "fill_rate", "inventory_turnover",
               "po_totals")
# One month's aggregates ($month and the context's parameters only), kept per month the same way:
# small ones, and the buyer's lists that the Replenishment page reads whole (the reorder list, its
# totals per supplier, the coverage of backorders: 0.1-0.4 s each at 50k SKUs, so computed at load
# rather than at the first view). Other lists (per SKU, per line, per customer) are computed on
# demand, and kept in the result cache.
MONTH_AGGREGATES = ("backlog_bridge", "backlog_by_location", "inventory_by_category", "days_of_supply_bands",
                    "abc_xyz_matrix", "forecast_accuracy", "supplier_scorecard", "reorder_list",
                    "reorder_by_supplier", "backorder_coverage_by_sku")
# How many of the latest months fill_month_figures computes after a change: the overview's trend.
EAGER_MONTHS = 13
# The month figures that read purchase orders: what a PO upload makes stale (invalidate).
PO_QUERIES = ("po_totals", "supplier_scorecard", "reorder_list", "reorder_by_supplier", "backorder_coverage_by_sku")


def fetch(store, query: str, text: str, params: dict) -> pl.DataFrame:
    """The result of query (its SQL text, bound to params) from the stored results, computing and
    storing it when missing (see kpis.run)."""
    if query in MONTH_GRAIN or query in MONTH_AGGREGATES:
        return _by_month(store, query, text, params)
    key = hashlib.sha256(json.dumps([query, params], sort_keys=True, default=str).encode()).hexdigest()
    hit = store.cached_result(key)
    if hit is not None:
        return hit
    # the data version before computing: a result whose data a load replaced meanwhile is not kept
    version = store.data_version()
    started = time.perf_counter()
    frame = store.query(text, params)
    store.save_result(key, query, _max_month(params), frame, (time.perf_counter() - started) * 1000, version)
    return frame


def _by_month(store, query: str, text: str, params: dict) -> pl.DataFrame:
    """A month-grain query ($months) or a month aggregate ($month) from the stored month figures,
    computing and storing the months missing."""
    grain = "months" if "months" in params else "month"
    months = sorted(set(params["months"])) if grain == "months" else [params["month"]]
    rest = {k: v for k, v in params.items() if k != grain}
    key = hashlib.sha256(json.dumps([query, rest], sort_keys=True, default=str).encode()).hexdigest()
    parts = store.month_figures(query, key, months)
    missing = [m for m in months if m not in parts]
    version = store.data_version() if missing else None  # before computing (see run)
    if missing and grain == "month":
        started = time.perf_counter()
        frame = store.query(text, params)
        store.save_month_figures(query, key, {missing[0]: frame}, (time.perf_counter() - started) * 1000,
                                 version)
        parts[missing[0]] = frame
    for span in _consecutive(missing) if grain == "months" else []:
        # one query per run of consecutive missing months (inventory_turnover reads $months as a
        # range: its last month and length)
        started = time.perf_counter()
        frame = store.query(text, {**params, "months": span})
        new = {m: frame.filter(pl.col("report_month") == m) for m in span}
        store.save_month_figures(query, key, new, (time.perf_counter() - started) * 1000, version)
        parts.update(new)
    return pl.concat([parts[m] for m in months], how="vertical_relaxed")


def _consecutive(months: list[str]) -> list[list[str]]:
    """Sorted YYYY-MM months split into runs of consecutive months."""
    runs: list[list[str]] = []
    for m in months:
        if runs and _shift(m, -1) == runs[-1][-1]:
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


def _max_month(params: dict) -> str:
    """The latest month a query reads uploads up to (its results depend on nothing later)."""
    months = [params[k] for k in ("month", "compare_month") if isinstance(params.get(k), str)]
    months += [m for k in ("months", "window") for m in (params.get(k) or [])]
    return max(months) if months else "9999-12"


def invalidate(cur, changed_month: str | None, dataset: str) -> None:
    """Forget the stored results that a change makes stale, inside the change's transaction:
    `dataset`'s `changed_month` loaded, undone or deleted ("settings": the KPI settings changed)."""
    if dataset == "settings":  # results are keyed by their parameters: only the month figures
        cur.execute("delete from month_figures")
    elif dataset == "products" or not changed_month:
        cur.execute("delete from result_cache")
        cur.execute("delete from month_figures")
    elif dataset == "orders":  # the month before stops (or starts) being provisional
        cur.execute("delete from result_cache where max_month >= $m", {"m": _shift(changed_month, -1)})
        cur.execute("delete from month_figures where report_month >= $m "
                    "or (query = 'fill_rate' and report_month = $before)",
                    {"m": changed_month, "before": _shift(changed_month, -1)})
    elif dataset == "stock":
        cur.execute("delete from result_cache where max_month >= $m", {"m": changed_month})
        cur.execute("delete from month_figures where report_month >= $m", {"m": changed_month})
    elif dataset == "purchase_orders":  # only the figures that read purchase orders
        cur.execute("delete from result_cache where max_month >= $m", {"m": changed_month})
        cur.execute("delete from month_figures where report_month >= $m and list_contains($q, query)",
                    {"m": changed_month, "q": list(PO_QUERIES)})
