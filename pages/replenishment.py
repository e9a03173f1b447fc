"""Replenishment: what is on order against the backorders, what to order now (per supplier, as a
draft PO), the ABC-XYZ classes, and how good the demand forecast was."""
import re

import polars as pl
import streamlit as st

from stocklens import charts
from stocklens.ui import components as ui
from stocklens.ui import state

month, ctx = state.page_start("Replenishment")
state.prefetch("replenishment", ctx)  # its results computed two at a time
s = ctx.settings
files = state.report_months().filter(pl.col("month") == month).row(0, named=True)
po = state.run("po_totals", ctx).row(0, named=True)
has_po = po["on_order_units"] is not None

st.caption(f"As reported at the end of {month}. Hover a figure or a column header for its definition.")
ui.missing_stock_note(month, files["has_stock"], files["has_orders"])
if not has_po:
    st.warning(f"No purchase-order file for {month}: what is on order is unknown. The coverage of backorders "
               "is not shown, and the reorder list counts nothing as on order (it may suggest what is already "
               "ordered). Upload the month's open PO lines on the Data page.")

cols = st.columns(3)
for col, kpi_id in zip(cols, ["on_order_units", "backorder_covered_units", "backorder_uncovered_units"]):
    with col:
        ui.tile(kpi_id, po[kpi_id])

# --- backorders against what is on order ----------------------------------------------------------
st.subheader(f"Backordered SKUs and what is on order, {month}")
coverage = state.run("backorder_coverage_by_sku", ctx)
if not (files["has_stock"] and files["has_orders"] and has_po):
    st.caption("Needs the month's orders, stock and purchase-order files.")
elif coverage.height == 0:
    st.success(f"No SKU is backordered at the end of {month}.")
else:
    st.caption("Covered: the part of the backorder that open PO lines will bring; the cover date is the expected "
               "date of the PO line that completes it (blank: not covered in full). Late: an open PO line of the "
               "SKU is past its expected date. Largest uncovered first.")
    ui.table(coverage, "coverage", file_stem=f"backorder_coverage_{month}", column_config={
        **ui.column_help("backorder_units", "on_order_units", "covered_units", "uncovered_units"),
        "next_expected_date": st.column_config.DateColumn("Next expected", help="The earliest expected date of an "
                                                          "open PO line of the SKU."),
        "count_late_lines": st.column_config.NumberColumn("Late PO lines", format="%d"),
        "is_late": st.column_config.CheckboxColumn("Late", help="An open PO line of the SKU is past its expected "
                                                   "date."),
        "cover_date": st.column_config.DateColumn("Cover date", help="The expected date at which the SKU's open PO "
                                                  "units, by expected date, reach its backorder."),
    }, height=280)

# --- ABC-XYZ ---------------------------------------------------------------------------------------
st.subheader("ABC-XYZ classes")
st.caption(f"ABC by shipped value at cost over the 12 months ending {month} (A: the top {s.abc_a:.0%} of value, "
           f"B: the next {s.abc_b:.0%}, C: the rest); XYZ by the coefficient of variation of monthly demand "
           "(X up to 0.5, Y up to 1.0, Z above). Choose classes below the matrix to filter the reorder list.")
matrix = state.run("abc_xyz_matrix", ctx)
ui.chart(lambda: charts.abc_xyz_heatmap(matrix), "abc_xyz", data=matrix, columns=["count_skus"],
         what="ABC-XYZ classes (no shipments at cost)", month=f"the 12 months ending {month}")
counts = dict(zip(matrix["abc_xyz_class"].to_list(), matrix["count_skus"].to_list()))
classes = st.pills("Reorder list: ABC-XYZ classes", list(counts), selection_mode="multi", key="abc_xyz_classes",
                   format_func=lambda c: f"{c} ({counts[c]:,})",
                   help="Keep the SKUs of these cells in the reorder list; none chosen keeps every SKU.")

# --- reorder list ----------------------------------------------------------------------------------
st.subheader(f"Reorder list, {month}")
st.caption(f"SKUs whose inventory position (on hand + on order - open demand) is at or below the reorder point, "
           f"with the quantity that brings it up to the order-up-to level. Service level {s.service_level:.0%}, "
           f"review period {s.review_period_days} days, lead time measured from receipts, else the product "
           f"master's, else {s.default_lead_time_days} days (Settings page). Value at unit cost.")
chosen = {"classes": sorted(classes)} if classes else {}
totals = state.run("reorder_by_supplier", ctx, **chosen) if files["has_stock"] and files["has_orders"] else None
if totals is None:
    st.caption("Needs the month's orders and stock files.")
elif totals.height == 0:
    st.success("Nothing to order: every SKU's inventory position is above its reorder point"
               + (" in the classes chosen." if classes else "."))
else:
    ALL = "All suppliers"
    supplier = st.selectbox("Supplier", [ALL] + totals["supplier"].to_list(), key="reorder_supplier",
                            help="The product master's supplier of each SKU. Suppliers with something to order, "
                                 "largest value first.")
    ui.table(totals, "reorder_totals", file_stem=f"reorder_by_supplier_{month}", column_config={
        "supplier": st.column_config.TextColumn("Supplier"),
        "count_skus": st.column_config.NumberColumn("SKUs to order", format="%d"),
        "suggested_qty": ui.kpi_column("suggested_qty", "Suggested units"),
        **ui.column_help("suggested_value"),
        "count_unknown_cost": st.column_config.NumberColumn("Unknown cost", format="%d",
                                                            help="SKUs without a unit cost: their value counts 0."),
        "count_backordered": st.column_config.NumberColumn("Backordered", format="%d",
                                                           help="SKUs whose open demand exceeds on hand."),
    }, height=240)

    # what a buyer orders first (the quantity), then why (stock, position, levels); every column downloads
    first = ["supplier", "sku", "description", "abc_xyz_class", "suggested_qty", "unit_cost", "suggested_value",
             "on_hand", "on_order", "next_expected_date", "count_late_po_lines", "open_demand", "inventory_position",
             "reorder_point", "order_up_to", "safety_stock", "daily_demand", "sigma_monthly_demand",
             "lead_time_days", "lead_time_source"]
    reorder = (state.run("reorder_list", ctx, **chosen) if supplier == ALL
               else state.run("draft_po", ctx, supplier=supplier, **chosen))
    reorder = reorder.select(first + [c for c in reorder.columns if c not in first])
    # a file name of letters, digits and _ whatever the supplier is called (also a valid sheet name)
    stem = re.sub(r"[^A-Za-z0-9]+", "_", supplier if supplier != ALL else "all").strip("_")[:40] or "supplier"
    st.markdown(f"**Draft purchase order: {ui.md_escape(supplier)}**, {reorder.height:,} SKUs")
    ui.table(reorder, "reorder", file_stem=f"draft_po_{stem}_{month}", column_config={
        **ui.column_help("daily_demand", "safety_stock", "reorder_point", "order_up_to", "inventory_position",
                         "suggested_qty", "suggested_value"),
        "abc_xyz_class": st.column_config.TextColumn("Class"),
        "on_hand": st.column_config.NumberColumn("On hand", format="%,.0f"),
        "on_order": st.column_config.NumberColumn("On order", format="%,.0f", help="Open PO units at month end."),
        "on_order_known": None, "abc_class": None, "xyz_class": None,  # in the download, not on screen
        "next_expected_date": st.column_config.DateColumn("Next expected"),
        "count_late_po_lines": st.column_config.NumberColumn("Late PO lines", format="%d"),
        "open_demand": st.column_config.NumberColumn("Open demand", format="%,.0f"),
        "sigma_monthly_demand": st.column_config.NumberColumn("σ monthly demand", format="%,.1f",
                                                              help="Standard deviation of monthly demand over the "
                                                                   "last 12 months with an orders file."),
        "lead_time_days": st.column_config.NumberColumn("Lead time (days)", format="%,.1f"),
        "lead_time_source": st.column_config.TextColumn("Lead time from"),
        "unit_cost": st.column_config.NumberColumn("Unit cost", format="%,.2f"),
    }, height=360)

# --- forecast accuracy -----------------------------------------------------------------------------
st.subheader("Demand forecast accuracy")
accuracy = state.run("forecast_accuracy", ctx)
overall = accuracy.row(0, named=True)  # the 'all' row first
c1, c2 = st.columns(2)
for col, kpi_id in ((c1, "forecast_wape"), (c2, "forecast_bias")):
    with col:
        ui.tile(kpi_id, overall[kpi_id])
method = overall["forecast_method"]
st.caption(f"The forecast of {month}'s net ordered units per SKU, made with the orders up to the month before "
           "(seasonal with 24 months of history, else exponential smoothing"
           + (f"; here: {method}" if method else "; none: no earlier month has an orders file")
           + "), against what was ordered. Per ABC class of the month:")
ui.grid(accuracy.drop("forecast_method"), "forecast_accuracy", column_config={
                 "abc_group": st.column_config.TextColumn("ABC class"),
                 "count_skus": st.column_config.NumberColumn("SKUs", format="%d"),
                 "actual_units": st.column_config.NumberColumn("Actual units", format="%,.0f"),
                 "forecast_units": st.column_config.NumberColumn("Forecast units", format="%,.0f"),
                 "abs_error_units": st.column_config.NumberColumn("Absolute error", format="%,.0f"),
                 **ui.column_help("forecast_wape", "forecast_bias"),
             })
