"""Backlog: how big and how old is the unshipped order book."""
import polars as pl
import streamlit as st

from stocklens import charts, kpis
from stocklens.ui import components as ui
from stocklens.ui import state

month, ctx = state.page_start("Backlog")
state.prefetch("backlog", ctx)  # its results computed two at a time
months = kpis.window(month, 12)
totals = state.run("backlog_totals", ctx, months=months)
now = totals.filter(pl.col("report_month") == month).row(0, named=True)
if not now["has_orders_upload"]:
    ui.missing_stock_note(month, True, False)
    st.stop()

c = st.columns(4)
for col, kpi_id in zip(c, ["backlog_units", "backlog_value", "past_due_share", "avg_age_days"]):
    with col:
        ui.tile(kpi_id, now[kpi_id], trend=totals)
if now["count_lines_without_price"]:
    st.caption(f"{now['count_lines_without_price']:,} open lines have no unit price: they add 0 to backlog value.")

left, right = st.columns([3, 2])
with left:
    measure = st.segmented_control("Show", ["Units", "Value"], default="Units", key="backlog_measure")
    buckets = state.run("backlog_age_buckets", ctx, months=months)
    column = "backlog_value" if measure == "Value" else "backlog_units"
    ui.chart(lambda: charts.age_buckets_stacked(buckets, column), "age_chart", data=buckets, columns=[column],
             what="the backlog by age bucket", month=f"the 12 months ending {month}")
with right:
    bridge = state.run("backlog_bridge", ctx)
    if ui.has_values(bridge, *bridge.columns):
        st.plotly_chart(charts.bridge_waterfall(bridge.row(0, named=True), month), key="bridge_chart",
                        width="stretch")
        st.caption("Restated: changes to lines already in the backlog (quantities raised or lowered, lines no "
                   "longer exported), so that the bridge always closes."
                   + (" Closed by absence: open lines that an orders file marked \"This file lists every open "
                      "order line\" no longer lists." if "closed_by_absence" in bridge.columns else ""))
    else:
        st.caption(f"No data for the backlog bridge in {month}: no open backlog at either month end, and "
                   "nothing ordered, shipped or cancelled.")

ui.chart(lambda: charts.past_due_share(totals), "past_due_chart", data=totals, columns=["past_due_share"],
         what="the past-due share", month=f"the 12 months ending {month}", zero_is_data=True)

st.subheader("Oldest open lines")
lines = state.run("backlog_open_lines", ctx, limit=5000)
search = st.text_input("Search order, SKU, customer or location", key="open_lines_search",
                       placeholder="e.g. an order number or a SKU")
if search:
    needle = search.strip().lower()
    lines = lines.filter(pl.any_horizontal(
        pl.col(c).cast(pl.String).str.to_lowercase().str.contains(needle, literal=True)
        for c in ("order_id", "sku", "customer", "location")))
if lines.height == 0:
    st.caption(f"No open lines at the end of {month}" + (" match the search." if search else "."))
else:
    st.caption(f"{lines.height:,} open lines shown (oldest first, at most 5,000); sort by any column.")
    ui.table(lines, "open_lines", file_stem=f"open_lines_{month}", column_config={
        "order_date": st.column_config.DateColumn("Order date", format="YYYY-MM-DD"),
        "due_date": st.column_config.DateColumn("Due date", format="YYYY-MM-DD"),
        "is_past_due": st.column_config.CheckboxColumn("Past due", help=ui.REGISTRY["past_due_units"].definition),
        "open_qty": st.column_config.NumberColumn("Open units", format="%,.2f"),
        "open_value": st.column_config.NumberColumn("Open value", format="%,.2f"),
        "age_days": st.column_config.NumberColumn("Age (days)", help=ui.REGISTRY["avg_age_days"].definition),
        "last_reported_month": st.column_config.TextColumn(
            "Last reported", help="The latest upload that listed this line. An earlier month than the one shown "
            "means later files no longer listed it (see the data checks on the Data page)."),
    }, height=380)

st.subheader("By customer and location")
c1, c2 = st.columns(2)
for col, dim in ((c1, "customer"), (c2, "location")):
    frame = state.run(f"backlog_by_{dim}", ctx)
    with col:
        if frame.height == 0:  # (not "no column": an invoice file has customers and no open line)
            st.caption(f"No open backlog at the end of {month}: nothing to show by {dim}.")
            continue
        if set(frame[dim].to_list()) <= {None, f"(no {dim})"}:
            st.caption(f"No open line of {month} has a {dim}: the orders files have no {dim} column, or leave "
                       "it blank.")
            continue
        st.plotly_chart(charts.breakdown_bars(frame, dim, "backlog_units"), key=f"by_{dim}", width="stretch")
        ui.table(frame, f"by_{dim}", file_stem=f"backlog_by_{dim}_{month}",
                 column_config=ui.column_help("backlog_units", "backlog_value", "past_due_units", "avg_age_days"),
                 height=250)
