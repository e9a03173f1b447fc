"""Reusable pieces of the pages: KPI tiles, downloadable tables, empty states, and the edge
every user action and every page run goes through (file text shown as text, errors as a sentence
on the page and a traceback in the server log)."""
from __future__ import annotations

import logging
import math
import re
import string
from contextlib import contextmanager

import duckdb
import polars as pl
import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from .. import charts, export
from ..errors import ImportRefused, StoreError
from ..registry import REGISTRY

log = logging.getLogger("stocklens.ui")

# --- text from files, shown as text ----------------------------------------------------------

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and an escaped one is
# shown as itself: links, images, HTML, emphasis, code, LaTeX ($), Streamlit's :color[...]
# directives and emoji shortcodes all become plain text.
_MD_ESCAPES = {ord(c): "\\" + c for c in string.punctuation}
# Streamlit's markdown also rewrites text after parsing, where escapes are gone: it links bare
# URLs and e-mail addresses (http://, www., a@b), draws :streamlit: (an image) and :material_x:
# (an icon), and turns ->, <-, --, >=, <= into arrows and dashes. A word joiner (U+2060,
# invisible) inside each such sequence keeps it from matching.
_JOINER = "\u2060"
_BREAKS = re.compile(r"(?<=:)(?=//|[\w+-]+:)|(?<=www)(?=\.)|(?<=@)|(?<=[<>~-])(?=[->=])", re.IGNORECASE)


def md_escape(text) -> str:
    """`text` (a value from a file, a file name, an error message) as Markdown that Streamlit shows
    literally, on one line. Use it for every piece of data in a caption, alert, subheader, label or
    expander title; never for selectbox options or table cells, which are plain text already."""
    one_line = " ".join(str(text).splitlines())
    return _BREAKS.sub(_JOINER, one_line).translate(_MD_ESCAPES)


# --- errors: a sentence on the page, the traceback in the server log --------------------------

def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:300] if lines else type(exc).__name__


@contextmanager
def user_action(what: str):
    """Run one user action (load a file, undo, delete, save settings, load the demo): a known
    failure becomes a clear st.error naming `what` ("load the file"); its traceback goes to the
    server log. Streamlit's own rerun and stop pass through."""
    try:
        yield
    except ScriptControlException:
        raise
    except ImportRefused as exc:
        log.warning("%s refused", what, exc_info=True)
        reasons = "\n".join(f"- {md_escape(p.message)}" for p in exc.problems)
        st.error(f"**Could not {what}: the file was refused, nothing was stored.**\n\n{reasons}")
    except StoreError as exc:  # another process or session writes, or the store cannot be used
        log.warning("%s failed", what, exc_info=True)
        st.error(f"**Could not {what}.** {md_escape(exc)}")
    except ValueError as exc:  # invalid settings, nothing to undo or delete
        log.warning("%s failed", what, exc_info=True)
        st.error(f"**Could not {what}:** {md_escape(_first_line(exc))}")
    except duckdb.Error as exc:
        log.error("%s failed in the database", what, exc_info=True)
        st.error(f"**Could not {what}:** the database reported an error ({md_escape(_first_line(exc))}). "
                 "Nothing was changed. The details are in the server log.")


def run_page(run) -> None:
    """Call `run` (app.py: navigation.run) so that an unexpected error shows one sentence, not a
    traceback; the traceback goes to the server log."""
    try:
        run()
    except ScriptControlException:
        raise
    except Exception as exc:  # noqa: BLE001 (the outermost edge: anything left is unexpected)
        log.exception("unexpected error on a page")
        st.error(f"Something went wrong: {md_escape(_first_line(exc).rstrip('.'))}. The details are in the server log.")


def _is_num(v) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v))


def delta_text(kpi_id: str, value, previous) -> tuple[str | None, str]:
    """The change shown under a tile, and Streamlit's colour rule for it (good up or down). A
    change that rounds to 0 as shown is no change: no sign (so no arrow, see tile) and no colour."""
    k = REGISTRY[kpi_id]
    if not (_is_num(value) and _is_num(previous)):
        return None, "off"
    diff = value - previous
    text = k.formats.delta.format(diff * 100 if k.unit == "percent" else diff)  # percent: in points
    if re.fullmatch(r"[+-]0(\.0+)?( pts| days)?", text):
        return text[1:], "off"
    if previous:
        text += f" ({diff / abs(previous):+.0%})" if k.unit != "percent" else ""
    colour = {"up": "normal", "down": "inverse"}.get(k.good, "off")
    return text, colour


# Files without any cost (issue 11): the value figures are unknown, so the tiles show these
# figures in units in their place, saying why and how to add costs.
UNITS_INSTEAD = {"inventory_value": "inventory_units", "turnover_annual": "turnover_annual_units",
                 "dio_days": "dio_days_units", "holding_cost": "cogs_units",
                 "dead_stock_value": "dead_stock_units", "excess_stock_value": "excess_stock_units"}
NO_COSTS_NOTE = ("In units: no SKU on hand has a cost. Add costs on the Data page: a product master with "
                 "unit_cost, or unit_cost in the stock file.")


def costs_missing(row: dict) -> bool:
    """A month with a stock file whose value is unknown while its units are known: no cost at all."""
    return bool(row.get("has_stock_upload")) and row.get("inventory_value") is None \
        and row.get("inventory_units") is not None


def in_units(kpi_ids: list[str], row: dict) -> list[str]:
    """The tiles to show for a month: the value figures' units counterparts when costs are missing."""
    return [UNITS_INSTEAD.get(k, k) for k in kpi_ids] if costs_missing(row) else list(kpi_ids)


def tile(kpi_id: str, value, previous=None, trend: pl.DataFrame | None = None, *, note: str = "",
         compare_label: str = "", unknown: str = "Unknown for this month.") -> None:
    """One KPI: value, change against the comparison month coloured good/bad, the definition on
    hover, and a 12-month sparkline. `unknown`: what to say under an unknown value."""
    k = REGISTRY[kpi_id]
    delta, colour = delta_text(kpi_id, value, previous)
    label = k.label + (f" {note}" if note else "")
    help_text = k.definition + (f"\n\nCompared with {compare_label}." if compare_label and delta else "")
    arrow = "auto" if delta and delta[0] in "+-" else "off"  # no arrow for no change
    with st.container(border=True):
        st.metric(label, k.format(value), delta=delta, delta_color=colour, delta_arrow=arrow, help=help_text)
        if trend is not None and trend.height and trend[kpi_id].drop_nulls().len() > 1:
            st.plotly_chart(charts.sparkline(trend, kpi_id), config={"displayModeBar": False},
                            key=f"spark_{kpi_id}", width="stretch")
        elif value is None:
            st.caption(unknown)
        if kpi_id in UNITS_INSTEAD.values():
            st.caption(NO_COSTS_NOTE)


def has_values(frame: pl.DataFrame | None, *columns: str, zero_is_data: bool = False) -> bool:
    """Whether a chart of these columns would draw anything: a value that is not null (nor 0,
    unless 0 is a value the chart shows, like a past-due share of 0%)."""
    if frame is None or frame.height == 0:
        return False
    for c in columns:
        values = frame[c].cast(pl.Float64, strict=False).fill_nan(None).drop_nulls()
        if values.len() and (zero_is_data or values.abs().max() > 0):
            return True
    return False


def chart(build, key: str, *, data: pl.DataFrame | None, columns: list[str], what: str, month: str,
          zero_is_data: bool = False, **kwargs) -> None:
    """A Plotly chart, or "No data for <what> in <month>." where it would be empty axes. `build`
    makes the figure (called only when there is something to draw)."""
    if not has_values(data, *columns, zero_is_data=zero_is_data):
        st.caption(f"No data for {what} in {month}.")
        return
    st.plotly_chart(build(), key=key, width="stretch", **kwargs)


# Headers for the columns that the queries name in snake_case (KPI ids take the registry's label).
COLUMN_LABELS = {
    "sku": "SKU", "order_id": "Order", "line_key": "Line", "customer": "Customer", "location": "Location",
    "category": "Category", "supplier": "Supplier", "description": "Description", "order_date": "Ordered",
    "due_date": "Due", "qty_ordered": "Ordered units", "shipped_to_date": "Shipped units",
    "open_qty": "Open units", "unit_price": "Unit price", "open_value": "Open value",
    "open_demand": "Open demand", "on_hand": "On hand", "unit_cost": "Unit cost", "stock_value": "Stock value",
    "shipped_units_90d": "Shipped, 90 days", "monthly_demand": "Monthly demand", "lead_time_days": "Lead time (days)",
    "count_customers": "Customers", "count_lines": "Open lines", "count_orders": "Orders",
    "oldest_order_date": "Oldest order", "dataset": "Dataset", "month": "Month", "file_name": "File", "is_dead": "Dead",
    "excess_units": "Excess units", "dead_value": "Dead value", "excess_value": "Excess value",
    "last_reported_month": "Last reported",
}


def _label(name: str) -> str:
    return REGISTRY[name].label if name in REGISTRY else COLUMN_LABELS.get(name, name.replace("_", " ").capitalize())


def _default_config(frame: pl.DataFrame, given: dict | None) -> dict:
    """Readable headers and number formats for every column the caller did not configure; a
    KPI's column takes the registry's label, format and definition."""
    cfg = dict(given or {})
    for name, dtype in frame.schema.items():
        if name in cfg:
            continue
        label = _label(name)
        if name in REGISTRY:
            cfg[name] = kpi_column(name)
        elif dtype.is_float():
            cfg[name] = st.column_config.NumberColumn(label, format="%,.2f")
        elif dtype.is_integer():
            cfg[name] = st.column_config.NumberColumn(label, format="%,d")
        else:
            cfg[name] = st.column_config.Column(label)
    return cfg


def display_names(frame: pl.DataFrame, column_config: dict | None = None) -> dict[str, str]:
    """Each column's header as the table shows it (for the downloads' headers too): the label
    configured, else the registry's, else COLUMN_LABELS; made unique."""
    names: dict[str, str] = {}
    for name in frame.columns:
        given = (column_config or {}).get(name)
        label = given.get("label") if isinstance(given, dict) and given.get("label") else _label(name)
        base, n = label, 2
        while label in names.values():  # (two columns of one label: a spreadsheet needs distinct headers)
            label, n = f"{base} ({n})", n + 1
        names[name] = label
    return names


def grid(frame: pl.DataFrame, key: str, column_config: dict | None = None, **kwargs) -> None:
    """A table without downloads: readable headers, blanks for unknown values."""
    st.dataframe(frame, key=key, hide_index=True, width="stretch", placeholder="",
                 column_config=_default_config(frame, column_config), **kwargs)


def table(frame: pl.DataFrame, key: str, *, file_stem: str, column_config: dict | None = None,
          height: int | None = None) -> None:
    """A table with CSV and Excel downloads (headers as shown, blank cells for unknown values)
    whose text cells cannot run as formulas."""
    if height is not None and frame.height < height // 40:
        height = None  # a short table takes its own height, without empty rows under it
    st.dataframe(frame, key=f"df_{key}", hide_index=True, column_config=_default_config(frame, column_config),
                 height=height if height is not None else "auto", width="stretch", placeholder="")
    headers = display_names(frame, column_config)
    # A horizontal row, not st.columns([1, 1, 6]): in a half-width column those columns were too
    # narrow and cut the buttons' labels to one letter.
    row = st.container(horizontal=True)
    row.download_button("CSV", export.to_csv_bytes(frame, headers), f"{file_stem}.csv", "text/csv",
                        key=f"csv_{key}", icon=":material/download:")
    row.download_button("Excel", export.to_excel_bytes(frame, file_stem[:31], headers), f"{file_stem}.xlsx",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        key=f"xlsx_{key}", icon=":material/download:")


def kpi_column(kpi_id: str, label: str | None = None, help: str | None = None):
    """A KPI's table column: the registry's label (or `label`), format and definition (or `help`)."""
    k = REGISTRY[kpi_id]
    return st.column_config.NumberColumn(label or k.label, help=help or k.definition, format=k.formats.column)


def column_help(*kpi_ids: str) -> dict:
    """Column configs for a table's KPI columns, from the registry."""
    return {k: kpi_column(k) for k in kpi_ids}


def no_data() -> None:
    """The empty store: offer the demo or an upload."""
    from .. import demo
    from . import auth as auth_ui
    from . import state

    if not auth_ui.current_user().can("load"):  # a viewer cannot upload: say who can
        st.info("**No data yet.** An analyst or admin loads the monthly files on the Data page; the figures "
                "show here once they have.")
        return
    st.info("**No data yet.** stocklens needs your monthly order lines (and, for backorders and turnover, "
            "your month-end stock). Load the demo to look around, or upload your own files.")
    c1, c2 = st.columns(2)
    if c1.button("Load demo data (24 months)", type="primary", key="load_demo", icon=":material/play_arrow:"):
        with user_action("load the demo data"), st.spinner("Writing the demo store through the importer…"):
            demo.write_demo_store(state.store(), actor=auth_ui.actor())
            st.rerun()
    c2.page_link("pages/data.py", label="Upload your files", icon=":material/upload:")


def missing_stock_note(month: str, has_stock: bool, has_orders: bool) -> None:
    if not has_orders:
        st.warning(f"No orders file for {month}: backlog, bridge and fill-rate figures are unknown for this month. "
                   "Upload the month's order lines on the Data page.")
    if not has_stock:
        st.warning(f"No stock file for {month}: backorders, inventory value, turnover, holding cost and dead and "
                   "excess stock are unknown (shown as –) for this month. Upload the month-end stock on the Data "
                   "page.")
