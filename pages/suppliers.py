"""Suppliers: who delivers on time and as fast as promised, which PO lines are late, and which
backordered SKUs depend on a single supplier."""
import polars as pl
import streamlit as st

from stocklens import charts
from stocklens.ui import components as ui
from stocklens.ui import state

month, ctx = state.page_start("Suppliers")
state.prefetch("suppliers", ctx)  # its results computed two at a time
po = state.run("po_totals", ctx).row(0, named=True)
st.caption(f"As reported at the end of {month}; lead times and OTIF over the 12 months ending {month}. Hover a "
           "figure or a column header for its definition.")
if po["on_order_units"] is None:
    st.warning(f"No purchase-order file for {month}: supplier figures are unknown for this month. Upload the "
               "month's open and received PO lines on the Data page.")
    st.stop()

cols = st.columns(3)
for col, kpi_id in zip(cols, ["supplier_otif_lines", "late_po_lines", "on_order_units"]):
    with col:
        ui.tile(kpi_id, po[kpi_id])

st.subheader("Scorecard")
scorecard = state.run("supplier_scorecard", ctx)
ui.chart(lambda: charts.supplier_lead_times(scorecard.sort("received_units", descending=True, nulls_last=True)),
         "lead_times", data=scorecard,
         columns=["lead_time_stated_master", "lead_time_actual_mean", "lead_time_actual_p90"],
         what="supplier lead times", month=f"the 12 months ending {month}")
first = ["supplier", "otif_lines", "lead_time_actual_mean", "lead_time_actual_p90", "lead_time_stated_master",
         "lead_time_stated_po", "late_open_lines", "backorder_units", "units_on_time", "units_due"]
ui.table(scorecard.select(first + [c for c in scorecard.columns if c not in first]), "scorecard",
         file_stem=f"supplier_scorecard_{month}", column_config={
    **ui.column_help("lead_time_actual_mean", "lead_time_actual_p90", "lead_time_stated_master",
                     "lead_time_stated_po", "otif_lines", "units_on_time", "late_open_lines"),
    "supplier": st.column_config.TextColumn("Supplier", help="The PO line's supplier, else the product master's "
                                            "supplier of its SKU."),
    "count_skus_ordered": st.column_config.NumberColumn("SKUs ordered", format="%d"),
    "received_units": st.column_config.NumberColumn("Received units", format="%,.0f",
                                                    help="Units received in the last 12 months."),
    "po_lines_due": st.column_config.NumberColumn("Lines due", format="%,d",
                                                  help="PO lines with an expected date in the last 12 months."),
    "po_lines_otif": st.column_config.NumberColumn("Lines OTIF", format="%,d",
                                                   help="Of the lines due, those received in full by their "
                                                        "expected date."),
    "units_due": st.column_config.NumberColumn("Units due", format="%,.0f"),
    "on_time_units_share": st.column_config.NumberColumn("Units on time (share)", format="percent",
                                                         help="Units on time divided by units due."),
    "late_open_units": st.column_config.NumberColumn("Late open units", format="%,.0f"),
    "backorder_units": ui.kpi_column(
        "backorder_units", "Backorder units of its SKUs",
        help="Backorder units at month end of the SKUs the product master gives this supplier; unknown without "
             "the month's orders and stock files."),
}, height=360)

st.subheader(f"Late PO lines, {month}")
late = state.run("po_late_lines", ctx)
if late.height == 0:
    st.success(f"No open PO line is past its expected date at the end of {month}.")
else:
    st.caption("Open PO lines past their expected date, most days late first.")
    ui.table(late, "late_lines", file_stem=f"late_po_lines_{month}", column_config={
        "po_id": st.column_config.TextColumn("PO"),
        "line_key": st.column_config.TextColumn("Line"),
        "order_date": st.column_config.DateColumn("Ordered"),
        "expected_date": st.column_config.DateColumn("Expected"),
        "last_reported_month": st.column_config.TextColumn("Last reported"),
        "days_late": st.column_config.NumberColumn("Days late", format="%d"),
        "qty_ordered": st.column_config.NumberColumn("Ordered units", format="%,.0f"),
        "received_to_date": st.column_config.NumberColumn("Received units", format="%,.0f"),
        "open_qty": st.column_config.NumberColumn("Open units", format="%,.0f"),
    }, height=320)

st.subheader("Single-source risk")
single = state.run("supplier_single_source", ctx)
files = state.report_months().filter(pl.col("month") == month).row(0, named=True)
if not (files["has_orders"] and files["has_stock"]):
    st.caption(f"Needs the orders and stock files of {month} (backorders are unknown without them).")
elif single.height == 0:
    st.success("No backordered SKU depends on a single supplier.")
else:
    st.caption("Backordered SKUs whose purchase orders of the last 12 months all went to one supplier: a second "
               "source would lower the risk.")
    ui.table(single, "single_source", file_stem=f"single_source_{month}", column_config={
        **ui.column_help("backorder_units", "on_order_units", "uncovered_units"),
        "cover_date": st.column_config.DateColumn("Cover date"),
        "po_line_versions": st.column_config.NumberColumn("PO line versions", format="%,d",
                                                          help="PO line versions of the SKU in the last 12 months."),
    }, height=280)
