"""Backorders: which SKUs stock cannot cover, and which keep going on backorder."""
import polars as pl
import streamlit as st

from stocklens import charts, kpis
from stocklens.ui import components as ui
from stocklens.ui import state

month, ctx = state.page_start("Backorders")
state.prefetch("backorders", ctx)  # its results computed two at a time
totals = state.run("backorder_totals", ctx)
now = totals.row(0, named=True)
if now["backorder_units"] is None:
    months = state.report_months().filter(pl.col("month") == month).row(0, named=True)
    ui.missing_stock_note(month, months["has_stock"], months["has_orders"])
    st.stop()

c = st.columns(3)
for col, kpi_id in zip(c, ["backorder_units", "backordered_skus", "backorder_rate"]):
    with col:
        ui.tile(kpi_id, now[kpi_id])

by_sku = state.run("backorders_by_sku", ctx)  # with what is on order
if by_sku.height:
    st.plotly_chart(charts.pareto(by_sku), key="pareto", width="stretch")
else:
    st.success(f"No SKU is backordered at the end of {month}: stock covers all open demand.")

s = ctx.settings
st.subheader("Frequently backordered")
st.caption(f"SKUs backordered in at least {s.frequent_backorder_months} of the {s.backorder_window_months} months "
           f"ending {month} (months with both an orders and a stock file), most months first. "
           "Change the threshold and window on the Settings page.")
ranking = state.run("frequently_backordered", ctx)
ui.table(ranking, "ranking", file_stem=f"frequently_backordered_{month}", column_config={
    **ui.column_help("months_backordered", "backorder_units", "days_of_supply"),
    "open_demand": st.column_config.NumberColumn("Open demand", format="%,.0f"),
    "on_hand": st.column_config.NumberColumn("On hand", format="%,.0f"),
    "lead_time_days": st.column_config.NumberColumn("Lead time (days)", format="%,.0f"),
}, height=320)

window = kpis.window(month, s.backorder_window_months)
top = ranking["sku"].head(20).to_list() or by_sku["sku"].head(20).to_list()
if top:
    history = state.run("backorder_history", ctx, window=window, skus=top)
    ui.chart(lambda: charts.backorder_heatmap(history, top, window), "heatmap", data=history,
             columns=["backorder_units"], what="backorders by SKU and month", month=f"the window ending {month}")

st.subheader("One SKU's history")
choices = list(dict.fromkeys(top + by_sku["sku"].to_list()))
if choices:
    sku = st.selectbox("SKU", choices, key="history_sku",
                       help="The frequently backordered SKUs first, then every SKU backordered this month.")
    sku_frame = state.run("sku_history", ctx, window=window, sku=sku)
    ui.chart(lambda: charts.sku_history(sku_frame, sku), "sku_history", data=sku_frame,
             columns=["open_demand", "on_hand", "backorder_units", "shipped_units", "receipts_units",
                      "on_order_units"], what=f"{ui.md_escape(sku)}", month=f"the window ending {month}")
    detail = by_sku.filter(pl.col("sku") == sku)
    if detail.height:
        d = detail.row(0, named=True)
        lead = "unknown" if d["lead_time_days"] is None else f"{d['lead_time_days']:.0f} days"
        if d["on_order_units"] is None:
            on_order = "On order unknown (no purchase-order file)."
        else:
            on_order = (f"On order {d['on_order_units']:,.0f} units"
                        + (f", next expected {d['next_expected_date']}" if d["next_expected_date"] else "")
                        + (f", {d['count_late_lines']} late PO line{'s' * (d['count_late_lines'] > 1)}"
                           if d["count_late_lines"] else "") + ".")
        st.caption(f"{ui.md_escape(sku)}: {d['count_customers']} customers and {d['count_lines']} open lines "
                   f"wait for {d['open_demand']:,.0f} units against {d['on_hand']:,.0f} on hand; oldest order "
                   f"{d['oldest_order_date']}. Supplier {ui.md_escape(d['supplier'] or 'unknown')}, lead time "
                   f"{lead}. {on_order}")

st.subheader(f"All backordered SKUs, {month}")
if by_sku.height and by_sku["on_order_units"].is_null().all():  # the PO columns are null only then
    st.caption(f"No purchase-order file for {month}: what is on order is unknown (blank).")
ui.table(by_sku, "by_sku", file_stem=f"backorders_by_sku_{month}", column_config={
    **ui.column_help("backorder_units", "days_of_supply", "on_order_units", "covered_units", "uncovered_units"),
    "next_expected_date": st.column_config.DateColumn("Next expected", help="The earliest expected date of an open "
                                                      "PO line of the SKU."),
    "is_late": st.column_config.CheckboxColumn("Late PO", help="An open PO line of the SKU is past its expected "
                                               "date."),
    "count_late_lines": st.column_config.NumberColumn("Late PO lines", format="%d"),
    "lead_time_days": st.column_config.NumberColumn("Lead time (days)", format="%,.0f"),
    "open_demand": st.column_config.NumberColumn("Open demand", format="%,.0f"),
    "on_hand": st.column_config.NumberColumn("On hand", format="%,.0f"),
    "cover_date": st.column_config.DateColumn("Cover date", help="The expected date at which the SKU's open PO units, "
                                              "by expected date, reach its backorder (blank: not covered in full)."),
}, height=320)
