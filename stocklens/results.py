"""Stored results: KPI query results kept in the store, so that a page reads what a load or an
earlier view computed instead of computing it again.

One table (stored_results), keyed by query, parameters and month, holds two kinds, by how a
query's result depends on months: month figures (a month-grain query or a month aggregate: one
stored result per month and view) and other results (one per query and parameters, under the
latest month they read). Every result carries the data version read before computing it and is
stored only if no change is being written and that version is still current (Store._cache_write).
One entry point forgets what a change makes stale: invalidate(). The store never computes
figures itself: stocklens.service does, after each change.
"""
from __future__ import annotations

import hashlib
import json
import time

import polars as pl

from . import sql
from .facts import _shift

# Month-grain queries: one result (a row, or a row per age bucket) per month of $months, each
# month's independent of the other months asked for. Their results are kept per month and view
# (filters and settings), so that a page's 13-month trend reads 13 stored results and the next
# month's view computes one month. The standard view's (no filters)
# are computed right after a change for the months it changed (stocklens.service.refresh).
MONTH_GRAIN = ("backlog_totals", "backlog_age_buckets", "backorder_totals", "fill_rate", "inventory_turnover",
               "po_totals")
# One month's aggregates ($month and the context's parameters only), kept per month the same way:
# small ones, and the lists that the Replenishment and Backorders pages read whole (the reorder
# list, its totals per supplier, the coverage of backorders, the backordered SKUs and the
# frequently backordered ones: 0.1-0.4 s each at 50k SKUs, so computed at load rather than at the
# first view). Other lists (per SKU, per line, per customer) are computed on demand, and stored
# under the latest month they read.
MONTH_AGGREGATES = ("backlog_bridge", "backlog_by_location", "inventory_by_category", "days_of_supply_bands",
                    "abc_xyz_matrix", "forecast_accuracy", "supplier_scorecard", "reorder_list",
                    "reorder_by_supplier", "backorder_coverage_by_sku", "backorders_by_sku", "frequently_backordered")
# How many of the latest months fill_month_figures computes after a change: the month-grain
# figures of the Overview's 13-month trend, the month aggregates of the latest month and the one
# before (the default comparison). An older month's aggregates are computed at its first view
# (0.1-0.5 s each at 10M lines), so that a settings change or a new product master, which make
# every month stale, do not recompute 13 months of buyer's lists before the save returns.
EAGER_MONTHS = 13
EAGER_AGGREGATE_MONTHS = 2
# The month figures that read purchase orders: what a PO upload makes stale (invalidate).
PO_QUERIES = ("po_totals", "supplier_scorecard", "reorder_list", "reorder_by_supplier", "backorder_coverage_by_sku",
              "backorders_by_sku")


def fetch(store, query: str, text: str, params: dict) -> pl.DataFrame:
    """The result of query (its SQL text, bound to params) from the stored results, computing and
    storing what is missing (see kpis.run). A month figure is stored per month ($months, else
    $month) under the key of its other parameters; any other result under the latest month it
    reads and the key of all its parameters."""
    grain, months, key = _address(query, params)
    parts = store.stored_results(query, key, months)
    missing = [m for m in months if m not in parts]
    # the data version before computing: a result whose data a load replaced meanwhile is not kept
    version = store.data_version() if missing else None
    # one query per run of consecutive missing months (inventory_turnover reads $months as a
    # range: its last month and length)
    for span in _consecutive(missing) if grain == "months" else [missing] if missing else []:
        started = time.perf_counter()
        if grain == "months":
            frame = store.query(text, {**params, "months": span})
            new = {m: frame.filter(pl.col("report_month") == m) for m in span}
        else:
            new = {span[0]: store.query(text, params)}
        store.save_results(query, key, new, (time.perf_counter() - started) * 1000, version)
        parts.update(new)
    return pl.concat([parts[m] for m in months], how="vertical_relaxed") if grain == "months" else parts[months[0]]


def is_stored(store, query: str, params: dict) -> bool:
    """Whether fetch would find every part of this result stored (without reading it)."""
    _, months, key = _address(query, params)
    return store.stored_months(query, key, months) >= set(months)


def _address(query: str, params: dict) -> tuple[str | None, list[str], str]:
    """Where a result is stored: its grain ("months", "month" or None), its months and its key."""
    grain = None
    if query in MONTH_GRAIN or query in MONTH_AGGREGATES:
        grain = "months" if "months" in params else "month"
        months = sorted(set(params["months"])) if grain == "months" else [params["month"]]
        rest = {k: v for k, v in params.items() if k != grain}
    else:
        months, rest = [_max_month(params)], params
    return grain, months, hashlib.sha256(json.dumps([query, rest], sort_keys=True, default=str).encode()).hexdigest()


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


# What each kind of change forgets (invalidate): the stored results it makes stale, as a
# condition on stored_results. A month's results read uploads of that month and earlier only.
_FORGET = {
    # other results are keyed by all their parameters, settings included: only the month figures
    "settings": "list_contains($per_month, query)",
    "all": "true",
    # the month before stops (or starts) being provisional: its fill rate, and the other results
    # that read it
    "orders": "report_month >= $month or (report_month = $before "
              "and (query = 'fill_rate' or not list_contains($per_month, query)))",
    "stock": "report_month >= $month",
    # of the month figures, only those that read purchase orders
    "purchase_orders": "report_month >= $month and (list_contains($po, query) or not list_contains($per_month, query))",
}


def invalidate(cur, changed_month: str | None, dataset: str, *, load_id: int | None = None,
               undone_load_id: int | None = None) -> bool:
    """Forget the stored results that a change makes stale, inside the change's transaction:
    `dataset`'s `changed_month` loaded, undone or deleted ("settings": the KPI settings changed;
    a product master, or no month: everything).

    A load (load_id) shelves what it forgets. Undoing that load while it is the latest change
    (undone_load_id; meta 'shelved_by' names the load of the shelf) brings back the data those
    results were computed on (the facts are rebuilt from it): they are restored, not computed
    again. Any other change empties the shelf. Returns whether this change reverses the latest."""
    shelved_by = cur.execute("select value from meta where key = 'shelved_by'").fetchone()
    reverses = undone_load_id is not None and shelved_by is not None and shelved_by[0] == undone_load_id
    rule = dataset if dataset == "settings" or (changed_month and dataset in _FORGET) else "all"
    params = {"month": changed_month, "before": changed_month and _shift(changed_month, -1),
              "per_month": list(MONTH_GRAIN + MONTH_AGGREGATES), "po": list(PO_QUERIES)}
    stale = _FORGET[rule]
    cur.execute("delete from meta where key = 'shelved_by'")
    if load_id is not None:
        cur.execute("delete from shelved_results")
        text = f"insert into shelved_results select $load_id, * from stored_results where {stale}"
        cur.execute(text, sql.bind(text, {**params, "load_id": load_id}))
        cur.execute("insert into meta values ('shelved_by', $id)", {"id": load_id})
    text = f"delete from stored_results where {stale}"
    cur.execute(text, sql.bind(text, params))
    if reverses:
        cur.execute("insert or replace into stored_results select * exclude (load_id) from shelved_results")
    if load_id is None:
        cur.execute("delete from shelved_results")
    return reverses
