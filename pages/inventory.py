"""Inventory and turnover: how fast stock turns and what holding it costs."""
import polars as pl
import streamlit as st

from stocklens import charts, kpis
from stocklens.ui import components as ui
from stocklens.ui import state

month, ctx = state.page_start("Inventory and turnover")
state.prefetch("inventory", ctx)  # its results computed two at a time
months = kpis.window(month, 12)
trend = state.run("inventory_turnover", ctx, months=months)
now = trend.filter(pl.col("report_month") == month).row(0, named=True)
if not now["has_stock_upload"]:
    ui.missing_stock_note(month, False, True)
if ctx.filters.customers:
    st.caption("The customer filter applies to order figures only: stock is not held per customer.")

c = st.columns(4)
for col, kpi_id in zip(c, ui.in_units(["inventory_value", "turnover_annual", "dio_days", "holding_cost"], now)):
    with col:  # (files without costs: in units, said on the tiles)
        ui.tile(kpi_id, now[kpi_id], trend=trend)
if now["count_skus_unknown_cost"]:
    st.caption(f"{now['count_skus_unknown_cost']:,} SKUs on hand have no known cost and are left out of "
               "inventory value (see the data checks on the Data page).")

left, right = st.columns(2)
with left:
    turnover_ids = ui.in_units(["turnover_annual", "dio_days"], now)
    ui.chart(lambda: charts.lines_over_months(trend, turnover_ids,
                                              "Annual turnover and days inventory outstanding"
                                              + (" (in units)" if ui.costs_missing(now) else "")),
             "turnover_trend", data=trend, columns=turnover_ids,
             what="annual turnover and DIO", month=f"the 12 months ending {month}", zero_is_data=True)
with right:
    ui.chart(lambda: charts.cogs_vs_inventory(trend), "cogs_chart", data=trend,
             columns=["cogs", "avg_inventory_value"], what="COGS and average inventory value",
             month=f"the 12 months ending {month}")

st.subheader("Holding cost")
s = ctx.settings
rate = st.slider("What if the carrying rate were (per year)", 0.0, 0.60, float(round(s.carrying_rate, 2)),
                 0.01, format="%.2f", key="what_if_rate",
                 help="Scales capital, storage, service and risk in their current proportions. The saved "
                      "rate is changed on the Settings page.")
what_if_ctx = kpis.Context(month, s.with_rate(rate), ctx.filters)
holding = state.run("inventory_turnover", what_if_ctx, months=months)
ui.chart(lambda: charts.holding_cost_parts(holding), "holding_chart", data=holding,
         columns=[f"holding_cost_{p}" for p in ("capital", "storage", "service", "risk")],
         what="holding cost", month=f"the 12 months ending {month}")
st.caption(f"Carrying rate {rate:.0%} a year: capital {what_if_ctx.settings.carrying_capital:.1%}, storage "
           f"{what_if_ctx.settings.carrying_storage:.1%}, service {what_if_ctx.settings.carrying_service:.1%}, "
           f"risk {what_if_ctx.settings.carrying_risk:.1%}. {ui.REGISTRY['holding_cost'].definition}")

if now["has_stock_upload"]:
    st.subheader("By category")
    by_cat = state.run("inventory_by_category", ctx)
    if by_cat.height and not (by_cat.height == 1 and by_cat["category"][0] == "(no category)"):
        st.plotly_chart(charts.category_bars(by_cat), key="category_chart", width="stretch")
    elif not state.loaded_datasets(None):
        st.caption("No product master loaded: upload one with a category column on the Data page to see "
                   "turnover by category.")
    else:
        st.caption("The product master has no categories: upload one with a category column on the Data page to "
                   "see turnover by category.")
    ui.table(by_cat, "by_category", file_stem=f"inventory_by_category_{month}",
             column_config=ui.column_help("inventory_value", "cogs", "avg_inventory_value", "turnover_monthly",
                                          "turnover_annual", "dio_days", "holding_cost"), height=250)

    st.subheader("Dead and excess stock")
    c1, c2 = st.columns(2)
    for col, kpi_id in zip((c1, c2), ui.in_units(["dead_stock_value", "excess_stock_value"], now)):
        with col:
            ui.tile(kpi_id, now[kpi_id])
    at_risk = state.run("dead_and_excess_by_sku", ctx)
    ui.table(at_risk, "dead_excess", file_stem=f"dead_and_excess_{month}", column_config={
        **ui.column_help("days_of_supply"),
        "is_dead": st.column_config.CheckboxColumn("Dead", help=ui.REGISTRY["dead_stock_value"].definition),
        "excess_units": st.column_config.NumberColumn("Excess units", format="%,.0f",
                                                      help=ui.REGISTRY["excess_stock_value"].definition),
        "dead_value": st.column_config.NumberColumn("Dead value", format="%,.0f"),
        "excess_value": st.column_config.NumberColumn("Excess value", format="%,.0f"),
    }, height=320)
    bands = state.run("days_of_supply_bands", ctx)
    ui.chart(lambda: charts.days_of_supply_histogram(bands), "dos_chart", data=bands, columns=["count_skus"],
             what="days of supply", month=month)
    st.caption(ui.REGISTRY["days_of_supply"].definition)
