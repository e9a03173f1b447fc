"""The KPI engine: the registry of every KPI and the runner of the SQL in queries/.

Every number of kpi-book section 3 is computed by one query file in queries/kpis/ (on the
intermediate macros of queries/intermediate/, over the facts of queries/facts/); this module only binds $named parameters,
runs queries, and assembles the CLI's JSON. Labels, units and definitions live in REGISTRY,
and every page, tooltip, export and the CLI read them from there.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import time
from dataclasses import dataclass, field
from statistics import NormalDist

import polars as pl

from . import settings as settings_mod
from . import sql
from .settings import Settings


@dataclass(frozen=True)
class KPI:
    id: str
    label: str
    unit: str  # units | currency | days | ratio | percent | count | per_year | per_month
    definition: str
    query: str  # queries/kpis/<query>.sql
    column: str | None = None  # column of the query's one-row result; defaults to id
    good: str = "neutral"  # up | down | neutral: which way is better, for tile deltas

    @property
    def fmt(self) -> str:
        return {"currency": "{:,.0f}", "units": "{:,.0f}", "days": "{:,.1f}", "percent": "{:.1%}",
                "ratio": "{:.2f}", "count": "{:,.0f}", "per_year": "{:.2f}×", "per_month": "{:.2f}×"}[self.unit]

    def format(self, value) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        return self.fmt.format(value)


REGISTRY: dict[str, KPI] = {k.id: k for k in [
    KPI("backlog_units", "Backlog units", "units",
        "Open customer demand at month end: ordered minus shipped minus cancelled, over lines ordered "
        "by then (returns left out).", "backlog_totals", good="down"),
    KPI("backlog_value", "Backlog value", "currency",
        "Open units times unit price; lines without a price add 0 (their count is shown).",
        "backlog_totals", good="neutral"),
    KPI("backlog_lines", "Open lines", "count", "Order lines with open units at month end.",
        "backlog_totals", good="down"),
    KPI("backlog_orders", "Open orders", "count", "Distinct orders with at least one open line.",
        "backlog_totals", good="down"),
    KPI("avg_age_days", "Average backlog age", "days",
        "Unit-weighted mean age of open units, age = month end minus order date, in days.",
        "backlog_totals", good="down"),
    KPI("past_due_units", "Past-due units", "units",
        "Open units of lines whose due date (promised date, else order date + default promise days) is "
        "before month end.", "backlog_totals", good="down"),
    KPI("past_due_share", "Past-due share", "percent", "Past-due units divided by backlog units.",
        "backlog_totals", good="down"),
    KPI("backorder_units", "Backorder units", "units",
        "Per SKU, open demand minus on hand (at least 0), summed: demand that stock cannot cover. "
        "Unknown without both the orders and the stock file of the month.", "backorder_totals", good="down"),
    KPI("backordered_skus", "Backordered SKUs", "count", "SKUs with backorder units above 0.",
        "backorder_totals", good="down"),
    KPI("backorder_rate", "Backorder rate", "percent", "Backorder units divided by backlog units.",
        "backorder_totals", good="down"),
    KPI("months_backordered", "Months backordered", "count",
        "In the last 12 months ending at the month (setting), the months in which the SKU had backorder "
        "units; only months with both an orders and a stock file count.", "frequently_backordered",
        good="down"),
    KPI("fill_rate_units", "Fill rate (units)", "percent",
        "For lines ordered in the month: units shipped by their due date (up to the net ordered) divided "
        "by net ordered units. Provisional until the next month is loaded.", "fill_rate", good="up"),
    KPI("fill_rate_lines", "Fill rate (lines)", "percent",
        "Share of lines ordered in the month that were shipped in full by their due date.", "fill_rate",
        good="up"),
    KPI("fill_rate_orders", "Fill rate (orders)", "percent",
        "Share of orders placed in the month whose every line was shipped in full by its due date.",
        "fill_rate", good="up"),
    KPI("inventory_units", "Inventory units", "units",
        "Sum over SKUs of on hand (a SKU's rows summed, at least 0) at month end.", "inventory_turnover"),
    KPI("inventory_value", "Inventory value", "currency",
        "Sum over SKUs of on hand times unit cost; SKUs with unknown cost are left out and counted.",
        "inventory_turnover", good="down"),
    KPI("cogs", "COGS", "currency",
        "Cost of goods sold: shipment units dated in the month times the SKU's unit cost.",
        "inventory_turnover", good="neutral"),
    KPI("avg_inventory_value", "Average inventory", "currency",
        "Mean of last month's and this month's inventory value when both stock files exist, else this "
        "month's.", "inventory_turnover", good="down"),
    KPI("turnover_monthly", "Monthly turnover", "per_month",
        "COGS of the month divided by average inventory value.", "inventory_turnover", good="up"),
    KPI("turnover_annual", "Annual turnover", "per_year",
        "Over the months of the last 12 with a stock file (n): their COGS divided by the mean of their "
        "average inventory, times 12 / n.", "inventory_turnover", good="up"),
    KPI("dio_days", "Days inventory outstanding", "days", "365 divided by annual turnover.",
        "inventory_turnover", good="down"),
    KPI("holding_cost", "Holding cost", "currency",
        "Average inventory value times the yearly carrying rate (capital, storage, service and risk) "
        "divided by 12.", "inventory_turnover", good="down"),
    KPI("dead_stock_value", "Dead stock value", "currency",
        "Value of SKUs on hand with no positive shipment in the 180 days up to month end. Unknown when "
        "an orders file of the last 6 months is missing, or when no dead SKU has a known cost.",
        "inventory_turnover", good="down"),
    KPI("excess_stock_value", "Excess stock value", "currency",
        "Value of stock above excess months (setting, 6) of monthly demand, demand = shipments of the "
        "last 6 calendar months / 6. Unknown when an orders file of those months is missing, or when no "
        "excess SKU has a known cost.", "inventory_turnover", good="down"),
    KPI("days_of_supply", "Days of supply", "days",
        "On hand divided by average daily shipment units of the last 90 days; unknown when an orders "
        "file of the last 6 months is missing.", "stock_by_sku"),
    # in units (issue 11): what the pages show when the files have no cost at all
    KPI("count_skus_unknown_cost", "SKUs without cost", "count",
        "SKUs on hand with no unit cost in this month's or an earlier stock file or in the product "
        "master: left out of inventory value. Add a product master with unit_cost to value them.",
        "inventory_turnover", good="down"),
    KPI("cogs_units", "Units shipped", "units",
        "Shipment units dated in the month, returns netted (COGS in units); unknown without the "
        "month's orders file.", "inventory_turnover"),
    KPI("avg_inventory_units", "Average inventory (units)", "units",
        "Mean of last month's and this month's inventory units when both stock files exist, else this "
        "month's.", "inventory_turnover", good="down"),
    KPI("turnover_monthly_units", "Monthly turnover (units)", "per_month",
        "Units shipped in the month divided by average inventory units.", "inventory_turnover", good="up"),
    KPI("turnover_annual_units", "Annual turnover (units)", "per_year",
        "Annual turnover counted in units instead of value: over the months of the last 12 with a stock "
        "and an orders file (n), their units shipped divided by the mean of their average inventory "
        "units, times 12 / n.", "inventory_turnover", good="up"),
    KPI("dio_days_units", "Days inventory outstanding (units)", "days",
        "365 divided by annual turnover in units.", "inventory_turnover", good="down"),
    KPI("dead_stock_units", "Dead stock units", "units",
        "Units on hand of SKUs with no positive shipment in the 180 days up to month end; unknown when "
        "an orders file of the last 6 months is missing.", "inventory_turnover", good="down"),
    KPI("excess_stock_units", "Excess stock units", "units",
        "Units on hand above excess months (setting, 6) of monthly demand; unknown when an orders file "
        "of the last 6 months is missing.", "inventory_turnover", good="down"),
    # purchase orders (issue 10): each as reported at the month, unknown without its PO file
    KPI("on_order_units", "On order", "units",
        "Open purchase order units at month end (ordered minus received by then), over lines ordered "
        "by then; unknown without the month's purchase-order file.", "po_totals", good="neutral"),
    KPI("late_po_lines", "Late PO lines", "count",
        "Purchase order lines with open units whose expected date is before month end.", "po_totals",
        good="down"),
    KPI("backorder_covered_units", "Backorders covered by POs", "units",
        "Per backordered SKU the smaller of its backorder units and its open PO units, summed; unknown "
        "without the month's orders, stock and purchase-order files.", "po_totals", good="neutral"),
    KPI("backorder_uncovered_units", "Backorders not on order", "units",
        "Per backordered SKU its backorder units beyond its open PO units, summed: what must still be "
        "bought.", "po_totals", good="down"),
    KPI("supplier_otif_lines", "Supplier OTIF (lines)", "percent",
        "Purchase order lines due (expected date) in the 12 months ending at the month that were "
        "received in full by their expected date, divided by the lines due.", "po_totals", good="up"),
    KPI("lead_time_actual_mean", "Lead time (actual)", "days",
        "Receipt date minus PO order date, averaged over the receipts of the last 12 months weighted "
        "by received units.", "supplier_scorecard", good="down"),
    KPI("lead_time_actual_p90", "Lead time, 90th percentile", "days",
        "The shortest lead time within which at least 90% of the units received in the last 12 "
        "months arrived.", "supplier_scorecard", good="down"),
    KPI("otif_lines", "OTIF (lines)", "percent",
        "The supplier's PO lines due in the last 12 months received in full by their expected date, "
        "divided by its lines due.", "supplier_scorecard", good="up"),
    KPI("lead_time_stated_master", "Lead time (stated, master)", "days",
        "The product master's lead time (lead_time_days), averaged over the supplier's SKUs.",
        "supplier_scorecard", good="down"),
    KPI("lead_time_stated_po", "Lead time (stated, POs)", "days",
        "Expected date minus order date, averaged over the supplier's PO lines ordered in the last 12 "
        "months.", "supplier_scorecard", good="down"),
    KPI("units_on_time", "Units on time", "units",
        "Units of the supplier's PO lines due in the last 12 months received by their expected date "
        "(at most the ordered units).", "supplier_scorecard", good="up"),
    KPI("late_open_lines", "Late open lines", "count",
        "The supplier's PO lines with open units whose expected date is before month end.",
        "supplier_scorecard", good="down"),
    KPI("covered_units", "Covered by POs", "units",
        "The smaller of the SKU's backorder units and its open PO units.", "backorder_coverage_by_sku",
        good="neutral"),
    KPI("uncovered_units", "Not on order", "units",
        "The SKU's backorder units beyond its open PO units: what must still be bought.",
        "backorder_coverage_by_sku", good="down"),
    KPI("forecast_wape", "Forecast error (WAPE)", "percent",
        "For the month's demand (net ordered units) forecast per SKU with the data up to the month "
        "before: the sum of |actual - forecast| divided by the sum of actual units.",
        "forecast_accuracy", good="down"),
    KPI("forecast_bias", "Forecast bias", "percent",
        "Sum of (forecast - actual) divided by the sum of actual units, for the same forecasts as "
        "WAPE: above 0 the forecast was too high, below 0 too low.", "forecast_accuracy"),
    KPI("daily_demand", "Daily demand", "units",
        "Net ordered units (ordered minus cancelled) of the lines ordered in the 90 days up to month "
        "end, divided by 90.", "reorder_list"),
    KPI("safety_stock", "Safety stock", "units",
        "z of the service level (setting, 95%) times the monthly demand's standard deviation over "
        "the last 12 months with an orders file times the square root of lead time / 30 days.",
        "reorder_list"),
    KPI("reorder_point", "Reorder point", "units",
        "Daily demand times lead time (days) plus safety stock.", "reorder_list"),
    KPI("order_up_to", "Order-up-to level", "units",
        "Daily demand times (lead time + review period, setting 30 days) plus safety stock.",
        "reorder_list"),
    KPI("inventory_position", "Inventory position", "units",
        "On hand plus on order (open purchase order units) minus open customer demand.", "reorder_list"),
    KPI("suggested_qty", "Suggested quantity", "units",
        "Order-up-to level minus inventory position, when the position is at or below the reorder "
        "point.", "reorder_list"),
    KPI("suggested_value", "Suggested value", "currency",
        "Suggested quantity times the SKU's unit cost.", "reorder_list"),
]}

BRIDGE_LABELS = {"opening": "Opening backlog", "new": "New orders", "shipped": "Shipped",
                 "cancelled": "Cancelled", "closed_by_absence": "Closed by absence", "restated": "Restated",
                 "closing": "Closing backlog"}


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


# Month-grain queries: one result (a row, or a row per age bucket) per month of $months, each
# month's independent of the other months asked for. Their results are kept per month and view
# (filters and settings: the store's month_figures), so that a page's 13-month trend reads 13
# stored results and the next month's view computes one month. The standard view's (no filters)
# are computed right after a load for the months it changed.
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
# The month figures that read purchase orders: what a PO upload makes stale (facts.invalidate_results).
PO_QUERIES = ("po_totals", "supplier_scorecard", "reorder_list", "reorder_by_supplier", "backorder_coverage_by_sku")


def run(store, query: str, ctx: Context, *, cached: bool = True, **extra) -> pl.DataFrame:
    """Run queries/<query>.sql with the context's parameters (only those the query names).

    A month-grain query or month aggregate reads each month's stored figures for its view
    (month_figures), computing the missing ones. Any other result already computed for the same query and
    parameters is read from the store's result cache (see queries/facts/schema.sql: loads
    invalidate exactly the months they can change)."""
    text = sql.load(query if "/" in query else f"kpis/{query}")
    params = sql.bind(text, {**ctx.params(), **extra})
    if not cached or store.read_only:
        return store.query(text, params)
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
        if runs and previous_month(m) == runs[-1][-1]:
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


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
    months = [m for m in window(last, EAGER_MONTHS) if m >= max(first, since or first)]
    if not months:
        return
    ctx = Context(last, settings_mod.load(store))
    for query in MONTH_GRAIN:
        run(store, query, ctx, months=months)
    for month in months:
        for query in MONTH_AGGREGATES:
            run(store, query, Context(month, ctx.settings))


def _max_month(params: dict) -> str:
    """The latest month a query reads uploads up to (its results depend on nothing later)."""
    months = [params[k] for k in ("month", "compare_month") if isinstance(params.get(k), str)]
    months += [m for k in ("months", "window") for m in (params.get(k) or [])]
    return max(months) if months else "9999-12"


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
