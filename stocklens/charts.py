"""Pure chart builders: a small, already aggregated frame in, a Plotly figure out.

No aggregation and no Streamlit here; titles and hover labels come from the KPI registry.
Plotly reads a small HTML subset (<a href>, <b>, <br>, ...) in every text, hover, tick label and
title: each string that comes from the data goes through plain() first.
"""
from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from .registry import BRIDGE_LABELS, REGISTRY

PALETTE = ["#1f4e79", "#2e86c1", "#85c1e9", "#f5b041", "#dc7633", "#922b21", "#7d3c98", "#17a589"]
BUCKET_COLOURS = ["#1e8449", "#82c341", "#f4d03f", "#eb984e", "#c0392b", "#7b241c", "#4a235a"]
GOOD, BAD, NEUTRAL = "#1e8449", "#c0392b", "#5d6d7e"


def _fmt(kpi_id: str) -> str:
    """The KPI's d3 number format, for hovers."""
    return REGISTRY[kpi_id].formats.hover


def _hover(kpi_id: str, before: str = "", axis: str = "y", after: str = "") -> str:
    """A hover showing a KPI's value in its format, its label in the side box."""
    return f"{before}%{{{axis}:{_fmt(kpi_id)}}}{after}<extra>{REGISTRY[kpi_id].label}</extra>"


def plain(value) -> str:
    """A value from the data (SKU, customer, category, ...) as Plotly text that shows literally:
    `<a href=...>` is shown as written, never drawn as a link (Plotly decodes these entities)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain_list(values) -> list[str]:
    return [plain(v) if v is not None else "(none)" for v in values]


def _layout(fig: go.Figure, title: str, y_title: str = "", height: int = 360) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 15}},
        height=height, margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        plot_bgcolor="white", hovermode="x unified",
    )
    fig.update_layout(yaxis={"title": {"text": y_title}, "gridcolor": "#eaecee", "zerolinecolor": "#d5d8dc"})
    fig.update_xaxes(gridcolor="#f4f6f6")
    return fig


def sparkline(frame: pl.DataFrame, kpi_id: str) -> go.Figure:
    """A 12-month line under a KPI tile: frame(report_month, <kpi_id>). The x axis spans the
    months from the first to the last with a value, evenly spaced (months as categories): a KPI
    with three months of data fills the tile instead of sitting at its right end."""
    known = frame.with_row_index("_i").filter(pl.col(kpi_id).is_not_null())["_i"]
    part = frame.slice(known.min(), known.max() - known.min() + 1) if known.len() else frame.head(0)
    fig = go.Figure(go.Scatter(
        x=part["report_month"].to_list(), y=part[kpi_id].to_list(), mode="lines+markers",
        line={"width": 2, "color": PALETTE[1]}, marker={"size": 3},
        hovertemplate=f"%{{x}}: %{{y:{_fmt(kpi_id)}}}<extra></extra>", connectgaps=False))
    fig.update_layout(height=70, margin={"l": 0, "r": 0, "t": 0, "b": 0}, showlegend=False,
                      plot_bgcolor="white", xaxis={"visible": False, "type": "category"}, yaxis={"visible": False})
    return fig


def age_buckets_stacked(frame: pl.DataFrame, measure: str) -> go.Figure:
    """frame(report_month, bucket_no, age_bucket, backlog_units, backlog_value): stacked bars."""
    kpi = REGISTRY[measure]
    fig = go.Figure()
    buckets = frame.select("bucket_no", "age_bucket").unique().sort("bucket_no")
    for i, (_, label) in enumerate(buckets.iter_rows()):
        part = frame.filter(pl.col("age_bucket") == label).sort("report_month")
        fig.add_bar(x=part["report_month"].to_list(), y=part[measure].to_list(), name=f"{plain(label)} days",
                    marker_color=BUCKET_COLOURS[i % len(BUCKET_COLOURS)],
                    hovertemplate=f"{plain(label)} days: %{{y:{_fmt(measure)}}}<extra></extra>")
    fig.update_layout(barmode="stack")
    return _layout(fig, f"{kpi.label} by age bucket, per month", kpi.axis_title)


def bridge_waterfall(row: dict, month: str) -> go.Figure:
    """row: opening, new, shipped, cancelled, [closed_by_absence,] restated, closing (units).
    Closed by absence (lines a file that lists every open line no longer lists) is its own step,
    drawn only when the row has it."""
    decreases = ["shipped", "cancelled"] + (["closed_by_absence"] if "closed_by_absence" in row else [])
    steps = ["opening", "new", *decreases, "restated", "closing"]
    values = ([row["opening"], row["new"]] + [-(row[s] or 0) for s in decreases]
              + [row["restated"], row["closing"]])
    measures = ["absolute"] + ["relative"] * (len(steps) - 2) + ["total"]
    fig = go.Figure(go.Waterfall(
        x=[BRIDGE_LABELS.get(s, s.replace("_", " ").capitalize()) for s in steps], y=values, measure=measures,
        increasing={"marker": {"color": "#e67e22"}}, decreasing={"marker": {"color": GOOD}},
        totals={"marker": {"color": PALETTE[0]}}, connector={"line": {"color": "#aab7b8"}},
        text=[f"{v:,.0f}" for v in values], textposition="outside",
        hovertemplate="%{x}: %{y:,.0f} units<extra></extra>"))
    fig.update_layout(hovermode="closest")
    return _layout(fig, f"Backlog bridge, {month} (units)", "Units")


def past_due_share(frame: pl.DataFrame) -> go.Figure:
    """frame(report_month, past_due_share)."""
    fig = go.Figure(go.Scatter(x=frame["report_month"].to_list(), y=frame["past_due_share"].to_list(),
                               mode="lines+markers", line={"color": BAD},
                               hovertemplate=_hover("past_due_share", "%{x}: ")))
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    return _layout(fig, "Past-due share of backlog units", REGISTRY["past_due_share"].axis_title, height=300)


def breakdown_bars(frame: pl.DataFrame, dimension: str, measure: str, top: int = 15) -> go.Figure:
    """Horizontal bars of the largest `top` rows: frame(<dimension>, <measure>), sorted already."""
    kpi = REGISTRY[measure]
    part = frame.head(top)
    labels = _plain_list(part[dimension].to_list())
    fig = go.Figure(go.Bar(x=part[measure].to_list()[::-1], y=labels[::-1], orientation="h",
                           marker_color=PALETTE[1],
                           hovertemplate=f"%{{y}}: %{{x:{_fmt(measure)}}}<extra></extra>"))
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(title_text=kpi.axis_title)
    return _layout(fig, f"{kpi.label} by {dimension} (top {min(top, frame.height)})", "",
                   height=max(260, 24 * part.height + 90))


def pareto(frame: pl.DataFrame, top: int = 40) -> go.Figure:
    """frame(sku, backorder_units) sorted descending: bars plus cumulative share of all SKUs."""
    total = frame["backorder_units"].sum() or 0
    part = frame.head(top)
    cumulative = (frame["backorder_units"].cum_sum() / total).head(top).to_list() if total else []
    fig = go.Figure()
    skus = _plain_list(part["sku"].to_list())
    fig.add_bar(x=skus, y=part["backorder_units"].to_list(), name=REGISTRY["backorder_units"].label,
                marker_color=PALETTE[0], hovertemplate=_hover("backorder_units", "%{x}: "))
    fig.add_scatter(x=skus, y=cumulative, name="Cumulative share", yaxis="y2",
                    mode="lines+markers", line={"color": "#e67e22"},
                    hovertemplate="%{x}: %{y:.1%} of all backorder units<extra></extra>")
    fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%", "range": [0, 1.05], "dtick": 0.2,
                              "title": {"text": "Cumulative share"}, "showgrid": False})
    fig.update_xaxes(type="category", title_text="SKU")
    return _layout(fig, f"{REGISTRY['backorder_units'].label} by SKU (Pareto, top {part.height} of {frame.height})",
                   REGISTRY["backorder_units"].axis_title, height=400)


def backorder_heatmap(frame: pl.DataFrame, skus: list[str], months: list[str]) -> go.Figure:
    """frame(report_month, sku, backorder_units) long form; one row per SKU of `skus`, in that order."""
    lookup = {(r["sku"], r["report_month"]): r["backorder_units"] for r in frame.iter_rows(named=True)}
    z = [[lookup.get((s, m)) for m in months] for s in skus]
    fig = go.Figure(go.Heatmap(z=z, x=months, y=_plain_list(skus), colorscale="OrRd", zmin=0,
                               hovertemplate=_hover("backorder_units", "%{y} in %{x}: ", "z"),
                               colorbar={"title": {"text": "units"}}))
    fig.update_yaxes(type="category", autorange="reversed")
    fig.update_xaxes(type="category")
    fig.update_layout(hovermode="closest")
    return _layout(fig, f"{REGISTRY['backorder_units'].label} by SKU and month (blank: not backordered or no data)",
                   "SKU", height=max(300, 22 * len(skus) + 120))


def sku_history(frame: pl.DataFrame, sku: str) -> go.Figure:
    """frame(report_month, open_demand, on_hand, backorder_units, shipped_units, receipts_units,
    on_order_units); the PO columns are null in months without a purchase-order file."""
    fig = go.Figure()
    months = frame["report_month"].to_list()
    fig.add_bar(x=months, y=frame["backorder_units"].to_list(), name=REGISTRY["backorder_units"].label,
                marker_color=BAD, hovertemplate=_hover("backorder_units"))
    fig.add_bar(x=months, y=frame["shipped_units"].to_list(), name="Shipped in month", marker_color="#85c1e9",
                hovertemplate="%{y:,.0f}<extra>Shipped</extra>")
    fig.add_bar(x=months, y=frame["receipts_units"].to_list(), name="Received in month", marker_color="#a9cce3",
                marker_pattern_shape="/", hovertemplate="%{y:,.0f}<extra>Received (POs)</extra>")
    fig.add_scatter(x=months, y=frame["open_demand"].to_list(), name="Open demand", mode="lines+markers",
                    line={"color": PALETTE[0]}, hovertemplate="%{y:,.0f}<extra>Open demand</extra>")
    fig.add_scatter(x=months, y=frame["on_hand"].to_list(), name="On hand", mode="lines+markers",
                    line={"color": GOOD, "dash": "dot"}, hovertemplate="%{y:,.0f}<extra>On hand</extra>")
    fig.add_scatter(x=months, y=frame["on_order_units"].to_list(), name=REGISTRY["on_order_units"].label,
                    mode="lines+markers", line={"color": "#e67e22", "dash": "dash"}, connectgaps=False,
                    hovertemplate=_hover("on_order_units"))
    fig.update_xaxes(type="category")
    return _layout(fig, f"{plain(sku)}: demand, stock, backorders, shipments, receipts and on order per month",
                   "Units", height=400)


def abc_xyz_heatmap(frame: pl.DataFrame, measure: str = "count_skus") -> go.Figure:
    """frame(abc_class, xyz_class, count_skus, value_12m, backorder_units): the 3 x 3 matrix,
    coloured by `measure`, every cell labelled with its three figures."""
    cells = {(r["abc_class"], r["xyz_class"]): r for r in frame.iter_rows(named=True)}
    abc, xyz = ["A", "B", "C"], ["X", "Y", "Z"]

    def text(r) -> str:
        if r is None:
            return ""
        return f"<b>{r['abc_class']}{r['xyz_class']}</b><br>{r['count_skus']:,} SKUs<br>value {r['value_12m']:,.0f}" \
               f"<br>backorder {REGISTRY['backorder_units'].format(r['backorder_units'])}"

    z = [[(cells.get((a, x)) or {}).get(measure) for x in xyz] for a in abc]
    labels = [[text(cells.get((a, x))) for x in xyz] for a in abc]
    names = {"count_skus": "SKUs", "value_12m": "12-month value", "backorder_units": "backorder units"}
    fig = go.Figure(go.Heatmap(
        z=z, x=["X (steady)", "Y (variable)", "Z (erratic)"], y=["A (top 80% of value)", "B (next 15%)", "C (rest)"],
        text=labels, texttemplate="%{text}", textfont={"size": 13}, colorscale="Blues", zmin=0,
        hovertemplate="%{text}<extra></extra>", colorbar={"title": {"text": names[measure]}}))
    fig.update_yaxes(type="category", autorange="reversed")
    fig.update_xaxes(type="category")
    fig.update_layout(hovermode="closest")
    return _layout(fig, f"ABC-XYZ matrix (colour: {names[measure]})", "", height=380)


def supplier_lead_times(frame: pl.DataFrame, top: int = 25) -> go.Figure:
    """frame(supplier, lead_time_stated_master, lead_time_actual_mean, lead_time_actual_p90,
    otif_lines), in the order to show (the first `top` rows): stated against actual lead time per
    supplier as horizontal bars, the 90th percentile as a marker, OTIF in the hover."""
    part = frame.head(top)
    names = _plain_list(part["supplier"].to_list())[::-1]
    otif = [REGISTRY["otif_lines"].format(v) for v in part["otif_lines"].to_list()][::-1]
    fig = go.Figure()
    fig.add_bar(y=names, x=part["lead_time_stated_master"].to_list()[::-1], orientation="h",
                name=REGISTRY["lead_time_stated_master"].label, marker_color="#aab7b8",
                hovertemplate=_hover("lead_time_stated_master", "%{y}: ", "x"))
    fig.add_bar(y=names, x=part["lead_time_actual_mean"].to_list()[::-1], orientation="h",
                name=REGISTRY["lead_time_actual_mean"].label, marker_color=PALETTE[1], customdata=otif,
                hovertemplate=_hover("lead_time_actual_mean", "%{y}: ", "x", ", OTIF %{customdata}"))
    fig.add_scatter(y=names, x=part["lead_time_actual_p90"].to_list()[::-1], mode="markers",
                    name=REGISTRY["lead_time_actual_p90"].label,
                    marker={"symbol": "diamond", "size": 10, "color": BAD},
                    hovertemplate=_hover("lead_time_actual_p90", "%{y}: ", "x"))
    fig.update_layout(barmode="group", hovermode="closest")
    fig.update_xaxes(title_text="Days from PO order date", rangemode="tozero")
    fig.update_yaxes(type="category")
    return _layout(fig, f"Lead time per supplier: stated against actual (last 12 months, {part.height} of "
                        f"{frame.height} suppliers)", "", height=max(300, 46 * part.height + 110))


def lines_over_months(frame: pl.DataFrame, kpi_ids: list[str], title: str) -> go.Figure:
    """frame(report_month, *kpi_ids): one line per KPI; a second KPI of another unit on a right axis.
    The months before the first with a value are left out (not an empty stretch of axis)."""
    known = frame.with_row_index("_i").filter(pl.any_horizontal(pl.col(k).is_not_null() for k in kpi_ids))["_i"]
    frame = frame.slice(known.min()) if known.len() else frame
    fig = go.Figure()
    first_unit = REGISTRY[kpi_ids[0]].unit
    for i, k in enumerate(kpi_ids):
        kpi = REGISTRY[k]
        right = kpi.unit != first_unit
        fig.add_scatter(x=frame["report_month"].to_list(), y=frame[k].to_list(), name=kpi.label,
                        mode="lines+markers", line={"color": PALETTE[i * 3 % len(PALETTE)]},
                        yaxis="y2" if right else "y",
                        hovertemplate=_hover(k))
        if right:
            fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "nticks": 6,
                                      "tickformat": ",.0f", "title": {"text": kpi.axis_title},
                                      "rangemode": "tozero"})
    fig.update_yaxes(rangemode="tozero")
    return _layout(fig, title, REGISTRY[kpi_ids[0]].axis_title)


def cogs_vs_inventory(frame: pl.DataFrame) -> go.Figure:
    """frame(report_month, cogs, avg_inventory_value)."""
    fig = go.Figure()
    fig.add_bar(x=frame["report_month"].to_list(), y=frame["cogs"].to_list(), name=REGISTRY["cogs"].label,
                marker_color=PALETTE[1], hovertemplate=_hover("cogs"))
    fig.add_scatter(x=frame["report_month"].to_list(), y=frame["avg_inventory_value"].to_list(),
                    name=REGISTRY["avg_inventory_value"].label, mode="lines+markers",
                    line={"color": PALETTE[0]}, hovertemplate=_hover("avg_inventory_value"))
    return _layout(fig, "COGS against average inventory value, per month", "Value")


def holding_cost_parts(frame: pl.DataFrame) -> go.Figure:
    """frame(report_month, holding_cost_capital, _storage, _service, _risk)."""
    fig = go.Figure()
    for i, part in enumerate(("capital", "storage", "service", "risk")):
        fig.add_bar(x=frame["report_month"].to_list(), y=frame[f"holding_cost_{part}"].to_list(),
                    name=part.capitalize(), marker_color=PALETTE[i],
                    hovertemplate=f"%{{y:{_fmt('holding_cost')}}}<extra>{part.capitalize()}</extra>")
    fig.update_layout(barmode="stack")
    return _layout(fig, "Holding cost per month by part", REGISTRY["holding_cost"].axis_title)


def category_bars(frame: pl.DataFrame) -> go.Figure:
    """frame(category, turnover_annual, dio_days)."""
    fig = go.Figure()
    cats = _plain_list(frame["category"].to_list())
    fig.add_bar(x=cats, y=frame["turnover_annual"].to_list(), name=REGISTRY["turnover_annual"].label,
                marker_color=PALETTE[1], hovertemplate=_hover("turnover_annual", "%{x}: "))
    fig.add_scatter(x=cats, y=frame["dio_days"].to_list(), name=REGISTRY["dio_days"].label, yaxis="y2",
                    mode="markers", marker={"size": 11, "color": "#e67e22"},
                    hovertemplate=_hover("dio_days", "%{x}: "))
    fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "showgrid": False,
                              "title": {"text": REGISTRY["dio_days"].axis_title}, "rangemode": "tozero"},
                      hovermode="closest")
    fig.update_xaxes(type="category")
    return _layout(fig, "Annual turnover and DIO by category", REGISTRY["turnover_annual"].axis_title)


def days_of_supply_histogram(frame: pl.DataFrame) -> go.Figure:
    """frame(bin_no, bin_label, count_skus, stock_value), binned in SQL."""
    fig = go.Figure(go.Bar(x=_plain_list(frame["bin_label"].to_list()), y=frame["count_skus"].to_list(),
                           marker_color=PALETTE[1], customdata=frame["stock_value"].to_list(),
                           hovertemplate="%{x} days: %{y:,.0f} SKUs, value %{customdata:,.0f}<extra></extra>"))
    fig.update_xaxes(type="category", title_text="Days of supply")
    fig.update_layout(hovermode="closest")
    return _layout(fig, "Days of supply: SKUs on hand by band", "SKUs", height=320)
