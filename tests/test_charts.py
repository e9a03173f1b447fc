"""Pure builders and helpers behind the captions: sparklines, the bridge, the change under a
tile, and the downloads' headers and empty cells."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import polars as pl

from stocklens import charts, export
from stocklens.registry import REGISTRY
from stocklens.ui.components import _default_config, delta_text, display_names, has_values

MONTHS = [f"2024-{m:02d}" for m in range(4, 13)] + ["2025-01", "2025-02", "2025-03"]


def test_a_sparkline_spans_the_months_with_data_evenly():
    # 12 months in the window, data only in the last 3: the line fills the tile (x = those 3
    # months, as categories), not the right quarter of a 12-month axis.
    frame = pl.DataFrame({"report_month": MONTHS, "backlog_units": [None] * 9 + [5.0, 7.0, 6.0]})
    fig = charts.sparkline(frame, "backlog_units")
    assert list(fig.data[0].x) == ["2025-01", "2025-02", "2025-03"]
    assert list(fig.data[0].y) == [5.0, 7.0, 6.0]
    assert fig.layout.xaxis.type == "category"


def test_a_sparkline_keeps_a_gap_inside_the_months_with_data():
    frame = pl.DataFrame({"report_month": MONTHS[:4], "backlog_units": [None, 1.0, None, 2.0]})
    fig = charts.sparkline(frame, "backlog_units")
    assert list(fig.data[0].x) == ["2024-05", "2024-06", "2024-07"]
    assert list(fig.data[0].y) == [1.0, None, 2.0]


def test_the_bridge_draws_closed_by_absence_as_its_own_step():
    # opening 10 + new 5 - shipped 4 - cancelled 1 - closed by absence 3 + restated 0 = closing 7
    row = {"opening": 10.0, "new": 5.0, "shipped": 4.0, "cancelled": 1.0, "closed_by_absence": 3.0,
           "restated": 0.0, "closing": 7.0}
    fig = charts.bridge_waterfall(row, "2025-03")
    assert list(fig.data[0].x) == ["Opening backlog", "New orders", "Shipped", "Cancelled", "Closed by absence",
                                   "Restated", "Closing backlog"]
    assert list(fig.data[0].y) == [10.0, 5.0, -4.0, -1.0, -3.0, 0.0, 7.0]
    without = {k: v for k, v in row.items() if k != "closed_by_absence"}
    assert "Closed by absence" not in list(charts.bridge_waterfall(without, "2025-03").data[0].x)


def test_no_change_has_no_sign_no_colour():
    assert delta_text("backlog_units", 120, 120) == ("0", "off")
    assert delta_text("backlog_units", 120.3, 120) == ("0", "off")  # shown rounded: no change
    assert delta_text("backlog_units", 119.8, 120) == ("0", "off")  # not "-0"
    assert delta_text("backorder_rate", 0.25, 0.25) == ("0.0 pts", "off")
    assert delta_text("avg_age_days", 30.0, 30.0) == ("0.0 days", "off")
    # a real change keeps its sign (the arrow) and the good/bad colour: backlog up is bad
    assert delta_text("backlog_units", 130, 120) == ("+10 (+8%)", "inverse")


def test_empty_or_zero_data_is_no_chart():
    frame = pl.DataFrame({"a": [None, 0.0], "b": [None, None]})
    assert not has_values(frame, "a", "b")
    assert has_values(frame, "a", zero_is_data=True)  # (a share of 0% is a value)
    assert not has_values(pl.DataFrame({"a": []}), "a")
    assert has_values(pl.DataFrame({"a": [0.0, 2.0]}), "a")


def test_downloads_use_the_headers_shown_and_leave_unknown_cells_empty():
    import fastexcel

    frame = pl.DataFrame({"sku": ["A", "=cmd"], "open_demand": [3.0, None], "backorder_units": [1.0, None],
                          "next_expected_date": [None, None]}, schema_overrides={"next_expected_date": pl.Date})
    headers = display_names(frame, {"next_expected_date": {"label": "Next expected"}})
    assert headers == {"sku": "SKU", "open_demand": "Open demand", "backorder_units": "Backorder units",
                       "next_expected_date": "Next expected"}
    text = export.to_csv_bytes(frame, headers).decode("utf-8-sig")
    assert text.splitlines() == ["SKU,Open demand,Backorder units,Next expected", "A,3.0,1.0,", "'=cmd,,,"]
    assert "None" not in text
    sheet = fastexcel.read_excel(export.to_excel_bytes(frame, "x", headers)).load_sheet(0).to_polars()
    assert sheet.columns == ["SKU", "Open demand", "Backorder units", "Next expected"]
    assert sheet.row(1) == ("'=cmd", None, None, None)


def test_two_columns_of_one_label_get_distinct_headers():
    frame = pl.DataFrame({"count_lines": [1], "backlog_lines": [2]})  # both "Open lines"
    assert display_names(frame) == {"count_lines": "Open lines", "backlog_lines": "Open lines (2)"}


def test_a_trend_starts_at_the_first_month_with_a_value():
    frame = pl.DataFrame({"report_month": MONTHS, "turnover_annual": [None] * 11 + [8.0],
                          "dio_days": [None] * 11 + [45.6]})
    fig = charts.lines_over_months(frame, ["turnover_annual", "dio_days"], "t")
    assert [list(t.x) for t in fig.data] == [["2025-03"], ["2025-03"]]


def test_charts_import_neither_the_engine_nor_the_database():
    code = ("import sys, stocklens.charts; "
            "print([m for m in ('stocklens.kpis', 'duckdb', 'streamlit') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_hovers_and_table_columns_take_the_registry_label_format_and_definition():
    frame = pl.DataFrame({"category": ["X"], "turnover_annual": [2.5], "dio_days": [146.0]})
    fig = charts.category_bars(frame)
    assert fig.data[1].hovertemplate == "%{x}: %{y:,.1f}<extra>Days inventory outstanding</extra>"
    cfg = _default_config(pl.DataFrame({"backlog_lines": [1200], "turnover_annual": [2.5]}), None)
    assert (cfg["backlog_lines"]["label"], cfg["backlog_lines"]["type_config"]["format"]) == ("Open lines", "%,d")
    assert cfg["turnover_annual"]["type_config"]["format"] == "%.2f"
    assert cfg["turnover_annual"]["help"] == REGISTRY["turnover_annual"].definition
