"""Overview: the month at a glance for executives."""
import polars as pl
import streamlit as st

from stocklens import kpis
from stocklens.ui import components as ui
from stocklens.ui import state

month, ctx = state.page_start("Overview")
compare = state.compare_month(month)
state.prefetch("overview", ctx, compare)  # its results computed two at a time
months = kpis.window(month, 13)  # 12 for the sparklines, plus last year's month for the comparison
trend = state.trend(ctx, months, ["backlog_totals", "backorder_totals", "fill_rate", "inventory_turnover",
                                  "po_totals"])
# The forecast's accuracy is one month's figure (no trend): this month's and the comparison month's.
forecast_now = state.run("forecast_accuracy", ctx).row(0, named=True)  # the 'all' row
forecast_before = state.run("forecast_accuracy", state.context(compare)).row(0, named=True)
now = trend.filter(pl.col("report_month") == month).row(0, named=True)
before = trend.filter(pl.col("report_month") == compare)
before = before.row(0, named=True) if before.height else {}
now |= {k: forecast_now[k] for k in ("forecast_wape", "forecast_bias")}
before |= {k: forecast_before[k] for k in ("forecast_wape", "forecast_bias")}
spark = trend.tail(12)

st.caption(f"As reported at the end of {month}, compared with {compare}. Hover a figure for its definition.")
ui.missing_stock_note(month, now["has_stock_upload"], now["has_orders_upload"])

sections = [
    ("Backlog", ["backlog_units", "backlog_value", "past_due_units", "avg_age_days"]),
    ("Backorders and service", ["backorder_units", "backorder_rate", "fill_rate_units", "fill_rate_orders"]),
    ("Inventory", ["inventory_value", "turnover_annual", "dio_days", "holding_cost"]),
    ("Stock at risk", ["dead_stock_value", "excess_stock_value"]),
    ("Purchasing and demand forecast", ["backorder_uncovered_units", "supplier_otif_lines", "forecast_wape",
                                        "forecast_bias"]),
]
for title, ids in sections:
    ids = ui.in_units(ids, now)  # files without costs: the figures in units, said on the tiles
    st.subheader(title)
    cols = st.columns(4)
    for col, kpi_id in zip(cols, ids):
        with col:
            note = "(provisional)" if kpi_id.startswith("fill_rate") and now.get("is_provisional") else ""
            ui.tile(kpi_id, now.get(kpi_id), before.get(kpi_id), spark if kpi_id in spark.columns else None,
                    note=note, compare_label=compare)

st.subheader(f"What changed since {compare}")
changes = state.run("backlog_changes", ctx, compare_month=compare)
if changes.height == 0:
    st.caption("No open backlog in either month.")
else:
    c1, c2, c3 = st.columns(3)
    config = {
        "backlog_units": ui.kpi_column("backlog_units", "Backlog"),
        "backlog_change": st.column_config.NumberColumn("Δ backlog", format="%+,.0f"),
        "backorder_units": ui.kpi_column("backorder_units", "Backorder"),
        "backorder_change": st.column_config.NumberColumn("Δ backorder", format="%+,.0f"),
    }
    columns = {  # backorders are per SKU: customers and age buckets show the backlog only
        "sku": ["key", "backlog_units", "backlog_change", "backorder_change"],
        "customer": ["key", "backlog_units", "backlog_change"],
        "age_bucket": ["key", "backlog_units", "backlog_change"],
    }
    for col, kind, label, one in ((c1, "sku", "SKUs", "SKU"), (c2, "customer", "Customers", "Customer"),
                                  (c3, "age_bucket", "Age buckets", "Age (days)")):
        part = changes.filter(pl.col("kind") == kind).select(columns[kind])
        with col:
            st.markdown(f"**{label}** that moved most")
            ui.grid(part.head(8), f"changes_{kind}", column_config={**config, "key": st.column_config.TextColumn(one)})
