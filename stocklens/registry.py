"""The KPI registry, the single source of truth about each KPI: its id, label, unit (and so its
formats), one-sentence definition, the query file and column that compute it, which way is better,
and whether it is one of the CLI JSON's keys. Tiles, tooltips, chart titles and hovers, table
formats, exports and the CLI's JSON read them from here; PAGES lists the queries each page runs.
Imports nothing of the engine (stocklens.kpis runs the queries): chart builders use it freely.
"""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Formats:
    value: str  # Python format of a value (tiles)
    hover: str  # d3 format (chart hovers)
    column: str  # Streamlit NumberColumn format (tables)
    delta: str  # Python format of a change against the comparison month (percent: in points)
    axis: str  # what an axis title says after the label


UNITS = {
    "currency": Formats("{:,.0f}", ",.0f", "%,.0f", "{:+,.0f}", "value"),
    "units": Formats("{:,.0f}", ",.0f", "%,.0f", "{:+,.0f}", "units"),
    "count": Formats("{:,.0f}", ",.0f", "%,d", "{:+,.0f}", "count"),
    "days": Formats("{:,.1f}", ",.1f", "%,.1f", "{:+,.1f} days", "days"),
    "percent": Formats("{:.1%}", ".1%", "percent", "{:+.1f} pts", "%"),
    "ratio": Formats("{:.2f}", ".2f", "%.2f", "{:+.2f}", ""),
    "per_year": Formats("{:.2f}×", ".2f", "%.2f", "{:+.2f}", "times per year"),
    "per_month": Formats("{:.2f}×", ".2f", "%.2f", "{:+.2f}", "times per month"),
}


@dataclass(frozen=True)
class KPI:
    id: str
    label: str
    unit: str  # a key of UNITS
    definition: str
    query: str  # queries/kpis/<query>.sql
    column: str | None = None  # column of the query's result; defaults to id
    good: str = "neutral"  # up | down | neutral: which way is better, for tile deltas
    json: bool = False  # a top-level key of the CLI's month JSON (kpi-book 5), in registry order

    @property
    def formats(self) -> Formats:
        return UNITS[self.unit]

    def format(self, value) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        return self.formats.value.format(value)

    @property
    def axis_title(self) -> str:
        return f"{self.label} ({self.formats.axis})" if self.formats.axis else self.label


KPIS = [
    KPI("backlog_units", "Backlog units", "units",
        "Open customer demand at month end: ordered minus shipped minus cancelled, over lines ordered "
        "by then (returns left out).", "backlog_totals", good="down", json=True),
    KPI("backlog_value", "Backlog value", "currency",
        "Open units times unit price; lines without a price add 0 (their count is shown).",
        "backlog_totals", good="neutral", json=True),
    KPI("backlog_lines", "Open lines", "count", "Order lines with open units at month end.",
        "backlog_totals", good="down", json=True),
    KPI("backlog_orders", "Open orders", "count", "Distinct orders with at least one open line.",
        "backlog_totals", good="down", json=True),
    KPI("avg_age_days", "Average backlog age", "days",
        "Unit-weighted mean age of open units, age = month end minus order date, in days.",
        "backlog_totals", good="down", json=True),
    KPI("past_due_units", "Past-due units", "units",
        "Open units of lines whose due date (promised date, else order date + default promise days) is "
        "before month end.", "backlog_totals", good="down", json=True),
    KPI("past_due_share", "Past-due share", "percent", "Past-due units divided by backlog units.",
        "backlog_totals", good="down"),
    KPI("backorder_units", "Backorder units", "units",
        "Per SKU, open demand minus on hand (at least 0), summed: demand that stock cannot cover. "
        "Unknown without both the orders and the stock file of the month.", "backorder_totals", good="down", json=True),
    KPI("backordered_skus", "Backordered SKUs", "count", "SKUs with backorder units above 0.",
        "backorder_totals", good="down", json=True),
    KPI("backorder_rate", "Backorder rate", "percent",
        "Backorder units divided by the open demand summed over SKUs (the backlog units): the share of open "
        "units that stock cannot cover.", "backorder_totals", good="down", json=True),
    KPI("months_backordered", "Months backordered", "count",
        "In the last 12 months ending at the month (setting), the months in which the SKU had backorder "
        "units; only months with both an orders and a stock file count.", "frequently_backordered",
        good="down"),
    KPI("fill_rate_units", "Fill rate (units)", "percent",
        "For lines ordered in the month: units shipped by their due date (up to the net ordered) divided "
        "by net ordered units. Provisional until the next month is loaded.", "fill_rate", good="up", json=True),
    KPI("fill_rate_lines", "Fill rate (lines)", "percent",
        "Share of lines ordered in the month that were shipped in full by their due date.", "fill_rate",
        good="up", json=True),
    KPI("fill_rate_orders", "Fill rate (orders)", "percent",
        "Share of orders placed in the month whose every line was shipped in full by its due date.",
        "fill_rate", good="up", json=True),
    KPI("inventory_units", "Inventory units", "units",
        "Sum over SKUs of on hand (a SKU's rows summed, at least 0) at month end.", "inventory_turnover", json=True),
    KPI("inventory_value", "Inventory value", "currency",
        "Sum over SKUs of on hand times unit cost; SKUs with unknown cost are left out and counted.",
        "inventory_turnover", good="down", json=True),
    KPI("cogs", "COGS", "currency",
        "Cost of goods sold: shipment units dated in the month times the SKU's unit cost.",
        "inventory_turnover", good="neutral", json=True),
    KPI("avg_inventory_value", "Average inventory", "currency",
        "Mean of last month's and this month's inventory value when both stock files exist, else this "
        "month's.", "inventory_turnover", good="down", json=True),
    KPI("turnover_monthly", "Monthly turnover", "per_month",
        "COGS of the month divided by average inventory value.", "inventory_turnover", good="up", json=True),
    KPI("turnover_annual", "Annual turnover", "per_year",
        "Over the months of the last 12 with a stock and an orders file (n): their COGS divided by the mean "
        "of their average inventory, times 12 / n; unknown when one of them has an unknown COGS or average "
        "inventory.", "inventory_turnover", good="up", json=True),
    KPI("dio_days", "Days inventory outstanding", "days", "365 divided by annual turnover.",
        "inventory_turnover", good="down", json=True),
    KPI("holding_cost", "Holding cost", "currency",
        "Average inventory value times the yearly carrying rate (capital, storage, service and risk) "
        "divided by 12.", "inventory_turnover", good="down", json=True),
    KPI("dead_stock_value", "Dead stock value", "currency",
        "Value of SKUs on hand with no positive shipment in the 180 days up to month end. Unknown when "
        "an orders file of the last 6 months is missing, or when no dead SKU has a known cost.",
        "inventory_turnover", good="down", json=True),
    KPI("excess_stock_value", "Excess stock value", "currency",
        "Value of stock above excess months (setting, 6) of monthly demand, demand = shipments of the "
        "last 6 calendar months / 6. Unknown when an orders file of those months is missing, or when no "
        "excess SKU has a known cost.", "inventory_turnover", good="down", json=True),
    KPI("days_of_supply", "Days of supply", "days",
        "On hand divided by average daily shipment units of the last 90 days; unknown when an orders "
        "file of the last 6 months is missing.", "stock_by_sku"),
    # in units (issue 11): what the pages show when the files have no cost at all
    KPI("cogs_units", "Units shipped", "units",
        "Shipment units dated in the month, returns netted (COGS in units); unknown without the "
        "month's orders file.", "inventory_turnover", json=True),
    KPI("avg_inventory_units", "Average inventory (units)", "units",
        "Mean of last month's and this month's inventory units when both stock files exist, else this "
        "month's.", "inventory_turnover", good="down", json=True),
    KPI("turnover_monthly_units", "Monthly turnover (units)", "per_month",
        "Units shipped in the month divided by average inventory units.", "inventory_turnover", good="up", json=True),
    KPI("turnover_annual_units", "Annual turnover (units)", "per_year",
        "Annual turnover counted in units instead of value: over the months of the last 12 with a stock "
        "and an orders file (n), their units shipped divided by the mean of their average inventory "
        "units, times 12 / n.", "inventory_turnover", good="up", json=True),
    KPI("dio_days_units", "Days inventory outstanding (units)", "days",
        "365 divided by annual turnover in units.", "inventory_turnover", good="down", json=True),
    KPI("dead_stock_units", "Dead stock units", "units",
        "Units on hand of SKUs with no positive shipment in the 180 days up to month end; unknown when "
        "an orders file of the last 6 months is missing.", "inventory_turnover", good="down", json=True),
    KPI("excess_stock_units", "Excess stock units", "units",
        "Units on hand above excess months (setting, 6) of monthly demand; unknown when an orders file "
        "of the last 6 months is missing.", "inventory_turnover", good="down", json=True),
    KPI("count_skus_unknown_cost", "SKUs without cost", "count",
        "SKUs on hand with no unit cost in this month's or an earlier stock file or in the product "
        "master: left out of inventory value. Add a product master with unit_cost to value them.",
        "inventory_turnover", good="down", json=True),
    # purchase orders (issue 10): each as reported at the month, unknown without its PO file
    KPI("on_order_units", "On order", "units",
        "Open purchase order units at month end (ordered minus received by then), over lines ordered "
        "by then; unknown without the month's purchase-order file.", "po_totals", good="neutral", json=True),
    KPI("backorder_covered_units", "Backorders covered by POs", "units",
        "Per backordered SKU the smaller of its backorder units and its open PO units, summed; unknown "
        "without the month's orders, stock and purchase-order files.", "po_totals", good="neutral", json=True),
    KPI("backorder_uncovered_units", "Backorders not on order", "units",
        "Per backordered SKU its backorder units beyond its open PO units, summed: what must still be "
        "bought.", "po_totals", good="down", json=True),
    KPI("late_po_lines", "Late PO lines", "count",
        "Purchase order lines with open units whose expected date is before month end.", "po_totals",
        good="down", json=True),
    KPI("supplier_otif_lines", "Supplier OTIF (lines)", "percent",
        "Purchase order lines due (expected date) in the 12 months ending at the month that were "
        "received in full by their expected date, divided by the lines due.", "po_totals", good="up", json=True),
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
        "forecast_accuracy", good="down", json=True),
    KPI("forecast_bias", "Forecast bias", "percent",
        "Sum of (forecast - actual) divided by the sum of actual units, for the same forecasts as "
        "WAPE: above 0 the forecast was too high, below 0 too low.", "forecast_accuracy", json=True),
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
]
REGISTRY: dict[str, KPI] = {k.id: k for k in KPIS}

BRIDGE_LABELS = {"opening": "Opening backlog", "new": "New orders", "shipped": "Shipped",
                 "cancelled": "Cancelled", "closed_by_absence": "Closed by absence", "restated": "Restated",
                 "closing": "Closing backlog"}


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


def _months(n: int):
    return lambda ctx, compare: {"months": window(ctx.month, n)}


def _same(ctx, compare) -> dict:
    return {}


def _backorder_window(ctx, **extra) -> dict:
    return {"window": window(ctx.month, ctx.settings.backorder_window_months), **extra}


# The queries each page (pages/<page>.py) runs for a month, each with the builder of its extra
# parameters from the kpis.Context and the comparison month: what a page computes ahead, two at a
# time (kpis.prefetch), and the benchmark times as a page's refresh; a test checks them against
# the page scripts.
PAGES = {
    "overview": [("backlog_totals", _months(13)), ("backorder_totals", _months(13)), ("fill_rate", _months(13)),
                 ("inventory_turnover", _months(13)), ("po_totals", _months(13)), ("forecast_accuracy", _same),
                 ("forecast_accuracy", lambda ctx, compare: {"month": compare}),
                 ("backlog_changes", lambda ctx, compare: {"compare_month": compare})],
    "backlog": [("backlog_totals", _months(12)), ("backlog_age_buckets", _months(12)), ("backlog_bridge", _same),
                ("backlog_open_lines", lambda ctx, compare: {"limit": 5000}), ("backlog_by_customer", _same),
                ("backlog_by_location", _same)],
    "backorders": [("backorder_totals", _same), ("backorders_by_sku", _same), ("frequently_backordered", _same),
                   ("backorder_history", lambda ctx, compare: _backorder_window(ctx, skus=[])),
                   ("sku_history", lambda ctx, compare: _backorder_window(ctx, sku=""))],
    "inventory": [("inventory_turnover", _months(12)), ("inventory_by_category", _same),
                  ("dead_and_excess_by_sku", _same), ("days_of_supply_bands", _same)],
    "replenishment": [("po_totals", _same), ("backorder_coverage_by_sku", _same), ("abc_xyz_matrix", _same),
                      ("reorder_by_supplier", _same), ("reorder_list", _same), ("forecast_accuracy", _same)],
    "suppliers": [("po_totals", _same), ("supplier_scorecard", _same), ("po_late_lines", _same),
                  ("supplier_single_source", _same)],
}


# Queries a page runs with other results (the SKUs of the ranking): not computed ahead
# (kpis.prefetch).
AFTER_OTHER_RESULTS = ("backorder_history", "sku_history")


def page_queries(page: str, ctx, compare: str | None = None) -> list[tuple[str, dict]]:
    """The queries of PAGES[page] with their extra parameters for the context's month and the
    comparison month (by default the month before)."""
    compare = compare or previous_month(ctx.month)
    return [(query, extra(ctx, compare)) for query, extra in PAGES[page]]
