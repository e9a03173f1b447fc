"""Text from files is shown as text: file names, sheet names, column names, SKUs, customers,
suppliers, categories, status words and the importer's messages quoting them never render as
Markdown (links, images the browser fetches, LaTeX, HTML, Streamlit's :color[...] directives) in
a caption, alert, heading, label or expander, nor as HTML in a Plotly chart. And every user
action fails with a sentence on the page, never a traceback.

AppTest sees the Markdown source Streamlit sends to the browser: a payload written there
unescaped is what the browser would render. tests/test_e2e_escaping.py checks the same in
chromium.
"""
from __future__ import annotations

import csv
import io
import json
import logging
import re
import threading
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import element_tree as et

from stocklens import charts
from stocklens.store import Store, load_file
from app_helpers import _fresh_streamlit_caches  # noqa: F401 (autouse fixture)

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 180

LINK = "[x](http://127.0.0.1:9/beacon)"
IMAGE = "![i](http://127.0.0.1:9/i.png)"
TEX = "$\\frac{1}{2}$"
HTML = "<img src=x>"
COLOUR = ":red[x]"
PAYLOADS = [LINK, IMAGE, TEX, HTML, COLOUR]
SHEET = "<img src=x> $1$"  # a sheet name cannot hold [ ] : * ? / \


def displayed(markdown: str) -> str:
    """The text a browser shows for escaped Markdown: backslash escapes and word joiners dropped."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def markdown_texts(at: AppTest) -> list[str]:
    """Every string the page hands to Streamlit's Markdown renderer: bodies of markdown, captions,
    headings and alerts; labels and help of widgets, tiles and expanders."""
    texts = []
    for node in _walk(at._tree):
        if isinstance(node, (et.Markdown, et.AlertBase, et.HeadingBase, et.Toast)):
            texts.append(node.value)
        if isinstance(node, (et.Widget, et.Metric, et.Expander, et.Status)):
            texts.append(node.label)
        if isinstance(node, et.Widget) and getattr(node, "help", None):
            texts.append(node.help)
    return [t for t in texts if t]


# Characters with which a value could open a link, an image, HTML, LaTeX or a directive. No
# message of stocklens uses them itself, so any unescaped one came from the data.
UNESCAPED = re.compile(r"(?<!\\)[\[\]<>$]")


def assert_no_markup(at: AppTest) -> list[str]:
    texts = markdown_texts(at)
    for text in texts:
        assert not any(p in text for p in PAYLOADS), text
        assert not UNESCAPED.search(text), text
        # Bare URLs are linked after parsing, escapes or not: the sequence itself must be broken.
        assert not re.search(r"://|\\:\\/\\/|www\.|www\\\.", text), text
    assert not at.latex
    return texts


def plotly_strings(at: AppTest) -> list[str]:
    found = []
    for node in _walk(at._tree):
        if getattr(node, "type", None) == "plotly_chart":
            found += _strings(json.loads(node.proto.spec))
    return found


def _strings(obj) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _strings(v)]
    if isinstance(obj, (list, tuple)):
        return [s for v in obj for s in _strings(v)]
    return []


def assert_no_plotly_html(strings: list[str]) -> None:
    for s in strings:
        assert not re.search(r"<\s*(a|img)\b", s, re.I), s


# --- the Data page ------------------------------------------------------------------------------

def _orders_xlsx() -> bytes:
    """An orders workbook whose sheet name, SKUs, customers and status words carry payloads.
    SO-1/1 (SKU LINK, customer IMAGE, status COLOUR), SO-1/2 (SKU TEX, customer HTML, status LINK),
    SO-2/1 (SKU HTML, status HTML): three lines, every status word unknown."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    sheet = book.add_worksheet(SHEET)
    rows = [["Order No", "Line", "Item Code", "Order Date", "Qty Ordered", "Qty Shipped", "Customer", "Status"],
            ["SO-1", "1", f"A {LINK}", "2025-03-03", 10, 4, f"C {IMAGE}", COLOUR],
            ["SO-1", "2", f"B {TEX}", "2025-03-03", 5, 0, f"C {HTML}", LINK],
            ["SO-2", "1", f"C {HTML}", "2025-03-20", 8, 8, f"C {COLOUR}", HTML]]
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    return buf.getvalue()


# Refused: no order date and no quantity; the columns found are listed in the refusal.
MISSING_COLUMNS = f"Order No,Item Code,{TEX},{HTML},\"{LINK}\"\nSO-1,A,1,2,3\n".encode()
# Refused: a quantity that is no number; the refusal quotes the value.
BAD_VALUE = f"Order No,Item Code,Order Date,Qty\nSO-1,A,2025-03-01,\"{IMAGE}\"\n".encode()
NAMES = {"xlsx": f"orders {LINK}.xlsx", "missing": f"orders {TEX} {COLOUR}.csv",
         "bad": f"orders {HTML} {IMAGE}.csv"}


@pytest.fixture
def store_path(monkeypatch, tmp_path) -> Path:
    path = tmp_path / "store"
    monkeypatch.setenv("STOCKLENS_STORE", str(path))
    return path


def test_the_data_page_shows_file_text_as_text(store_path):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/data.py")
    at.run()
    at.file_uploader(key="uploads").set_value([
        (NAMES["xlsx"], _orders_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (NAMES["missing"], MISSING_COLUMNS, "text/csv"),
        (NAMES["bad"], BAD_VALUE, "text/csv"),
    ]).run()
    assert not at.exception, [e.value for e in at.exception]

    texts = assert_no_markup(at)
    shown = "\n".join(displayed(t) for t in texts)
    # Each value is there, shown literally: file names as headings, the sheet in how the file was
    # read, the columns of the refused file, the bad value, the unknown status words.
    assert [displayed(s.value) for s in at.subheader][:3] == [NAMES["xlsx"], NAMES["missing"], NAMES["bad"]]
    assert f"Read sheet '{SHEET}' of the workbook" in shown
    assert f"Columns in the file: Order No, Item Code, {TEX}, {HTML}, {LINK}." in shown
    assert f"(value: '{IMAGE}')" in shown
    assert all(repr(word) in shown for word in (COLOUR, LINK, HTML))  # status words
    assert [s for s in at.selectbox if (s.key or "").startswith("sheet_")][0].value == SHEET  # plain option

    # Loaded: the messages after the load, and the list of what is loaded, stay plain too.
    [b for b in at.button if (b.key or "").startswith("confirm_")][0].click().run()
    assert not at.exception
    assert "Loaded 3 orders rows for 2025-03." in "\n".join(displayed(s.value) for s in at.success)
    assert_no_markup(at)
    with Store(store_path) as s:  # stored as written
        assert sorted(s.query("select sku from order_lines")["sku"].to_list()) == \
            sorted([f"A {LINK}", f"B {TEX}", f"C {HTML}"])
    at.checkbox(key="manage_confirm").check().run()
    at.button(key="undo_btn").click().run()
    assert not at.exception
    assert_no_markup(at)


# --- the report pages -------------------------------------------------------------------------

def _csv(rows: list[list]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def write_payload_store(path: Path, folder: Path) -> None:
    """One month (2025-03) whose SKUs, customers, locations, suppliers and categories carry the
    payloads, loaded through the importer. Every SKU is backordered (on hand 1, open demand more)
    and has a late open PO line from its supplier."""
    skus = [f"A {LINK}", f"B {TEX}", f"C {HTML}", f"D {COLOUR}", f"E {IMAGE}"]
    customers = [f"C {IMAGE}", f"C {HTML}", f"C {LINK}", f"C {TEX}", f"C {COLOUR}"]
    orders = [["order_id", "line_id", "sku", "order_date", "qty_ordered", "qty_shipped", "unit_price",
               "customer", "location"]]
    for i, (sku, customer) in enumerate(zip(skus, customers), start=1):
        orders.append([f"SO-{i}", "1", sku, "2025-03-03", "10", "2", "5", customer, f"WH {HTML}"])
    stock = [["sku", "qty_on_hand", "unit_cost", "location"]] + [[s, "1", "3", f"WH {HTML}"] for s in skus]
    products = [["sku", "description", "category", "supplier", "unit_cost", "lead_time_days"]] + [
        [s, f"item {LINK}", f"Cat {p}", f"Sup {p}", "3", "14"] for s, p in zip(skus, PAYLOADS)]
    # one late open PO line per SKU, from the master's supplier: coverage, late lines, scorecard,
    # single-source risk and the reorder list all name the suppliers
    pos = [["po_id", "line_id", "sku", "supplier", "order_date", "expected_date", "qty_ordered", "qty_received"]] + [
        [f"PO-{i}", "1", s, f"Sup {p}", "2025-02-01", "2025-03-10", "5", "0"]
        for i, (s, p) in enumerate(zip(skus, PAYLOADS), start=1)]
    with Store(path) as store:
        for name, rows, dataset in (("orders.csv", orders, "orders"), ("stock.csv", stock, "stock"),
                                    ("products.csv", products, "products"), ("po.csv", pos, "purchase_orders")):
            file = folder / name
            file.write_text(_csv(rows), encoding="utf-8")
            prep, result = load_file(store, file, dataset=dataset, month="2025-03" if dataset != "products" else None)
            assert result is not None and result.status == "loaded", prep.problems


def test_load_all_and_load_without_bad_rows_show_file_text_as_text(store_path):
    """The Load all summary names each file (and a refused one's reasons), the load without the bad
    rows quotes them: all as text."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/data.py")
    at.run()
    good = f"Order No,Item Code,Order Date,Qty\nSO-1,A {LINK},2025-03-01,2\n".encode()
    two_bad = f"Order No,Item Code,Order Date,Qty\nSO-1,A,2025-03-01,2\nSO-2,B,2025-03-01,\"{IMAGE}\"\n".encode()
    at.file_uploader(key="uploads").set_value([
        (f"orders {HTML} 2025-03.csv", good, "text/csv"), (NAMES["missing"], MISSING_COLUMNS, "text/csv")]).run()
    at.button(key="load_all").click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = "\n".join(displayed(t) for t in assert_no_markup(at))
    assert f"orders {HTML} 2025-03.csv: Loaded 1 orders rows for 2025-03." in shown
    assert f"{NAMES['missing']}: refused, not loaded." in shown

    at.file_uploader(key="uploads").set_value([(f"more {COLOUR}.csv", two_bad, "text/csv")]).run()
    [skip] = [b for b in at.button if (b.key or "").startswith("skip_")]
    skip.click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = "\n".join(displayed(t) for t in assert_no_markup(at))
    assert "1 rows with errors were left out, as asked (rows 3)" in shown


def test_a_linked_month_without_orders_or_stock_is_said_as_text(store_path, tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_bytes(b"Order No,Item Code,Order Date,Qty\nSO-1,A,2025-03-01,2\n")
    with Store(store_path) as s:
        load_file(s, orders, month="2025-03")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["month"] = LINK
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = "\n".join(displayed(t) for t in assert_no_markup(at))
    assert f"{LINK} has no orders or stock file (nothing loaded for it): showing 2025-03." in shown


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/backlog.py", "pages/backorders.py",
                                  "pages/inventory.py", "pages/replenishment.py", "pages/suppliers.py",
                                  "pages/data.py"])
def test_report_pages_show_data_values_as_text(page, store_path, tmp_path):
    write_payload_store(store_path, tmp_path)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if page != "pages/overview.py":
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    texts = assert_no_markup(at)
    strings = plotly_strings(at)
    assert_no_plotly_html(strings)
    if page == "pages/backorders.py":
        # The SKU's line names it and its supplier, both literally; the charts name the SKUs.
        shown = [displayed(t) for t in texts]
        sku = at.selectbox(key="history_sku").value
        supplier = f"Sup {PAYLOADS[[f'A {LINK}', f'B {TEX}', f'C {HTML}', f'D {COLOUR}', f'E {IMAGE}'].index(sku)]}"
        assert any(t.startswith(f"{sku}: ") and f"Supplier {supplier}," in t for t in shown), shown
        assert "C &lt;img src=x&gt;" in strings
    if page == "pages/backlog.py":
        assert "C &lt;img src=x&gt;" in strings  # the customer bars
    if page == "pages/inventory.py":
        assert "Cat &lt;img src=x&gt;" in strings  # the category bars
    if page == "pages/suppliers.py":
        assert "Sup &lt;img src=x&gt;" in strings  # the lead-time bars
        assert len(at.dataframe) == 3  # scorecard, late lines, single-source risk: every supplier's
    if page == "pages/replenishment.py":
        # the draft PO of one supplier is titled with its name, literally
        picker = at.selectbox(key="reorder_supplier")
        supplier = next(o for o in picker.options if HTML in o)
        picker.set_value(supplier).run()
        assert not at.exception
        shown = [displayed(t) for t in assert_no_markup(at)]
        assert any(t.startswith(f"**Draft purchase order: {supplier}**") for t in shown), shown


# --- chart builders -------------------------------------------------------------------------------

ANCHOR = '<a href="http://127.0.0.1:9/beacon">x</a>'


def _figure_strings(fig) -> list[str]:
    return _strings(fig.to_plotly_json())


BUILDERS = {
    "breakdown_bars": lambda: charts.breakdown_bars(
        pl.DataFrame({"customer": [ANCHOR, HTML], "backlog_units": [5.0, 3.0]}), "customer", "backlog_units"),
    "pareto": lambda: charts.pareto(pl.DataFrame({"sku": [ANCHOR, HTML], "backorder_units": [5.0, 3.0]})),
    "backorder_heatmap": lambda: charts.backorder_heatmap(
        pl.DataFrame({"report_month": ["2025-03"], "sku": [ANCHOR], "backorder_units": [4.0]}),
        [ANCHOR, HTML], ["2025-02", "2025-03"]),
    "sku_history": lambda: charts.sku_history(
        pl.DataFrame({"report_month": ["2025-03"], "open_demand": [8.0], "on_hand": [4.0],
                      "backorder_units": [4.0], "shipped_units": [2.0], "receipts_units": [3.0],
                      "on_order_units": [5.0]}), ANCHOR),
    "supplier_lead_times": lambda: charts.supplier_lead_times(
        pl.DataFrame({"supplier": [ANCHOR, HTML], "lead_time_stated_master": [10.0, None],
                      "lead_time_actual_mean": [12.0, 5.0], "lead_time_actual_p90": [15, 6],
                      "otif_lines": [0.5, None]})),
    "category_bars": lambda: charts.category_bars(
        pl.DataFrame({"category": [ANCHOR, HTML], "turnover_annual": [2.0, 3.0], "dio_days": [40.0, 50.0]})),
    "age_buckets_stacked": lambda: charts.age_buckets_stacked(
        pl.DataFrame({"report_month": ["2025-03"], "bucket_no": [1], "age_bucket": [ANCHOR],
                      "backlog_units": [3.0], "backlog_value": [9.0]}), "backlog_units"),
    "days_of_supply_histogram": lambda: charts.days_of_supply_histogram(
        pl.DataFrame({"bin_no": [1], "bin_label": [ANCHOR], "count_skus": [2], "stock_value": [10.0]})),
}


@pytest.mark.parametrize("builder", list(BUILDERS))
def test_chart_builders_show_data_values_as_text(builder):
    strings = _figure_strings(BUILDERS[builder]())
    assert_no_plotly_html(strings)
    # Shown literally: Plotly turns the entities back into the characters written.
    assert any('&lt;a href="http://127.0.0.1:9/beacon"&gt;x&lt;/a&gt;' in s for s in strings), strings


def test_plain_leaves_ordinary_text_alone_and_escapes_every_ampersand():
    assert charts.plain("Pacific Fastening Co.") == "Pacific Fastening Co."
    assert charts.plain("A&B <b>") == "A&amp;B &lt;b&gt;"
    assert charts.plain("&lt;") == "&amp;lt;"  # written as an entity, shown as written


# --- errors: a sentence on the page, the traceback in the server log ----------------------------

def test_a_settings_save_while_another_change_is_written_says_so(store_path, monkeypatch, caplog):
    """Another session's load holds the store's write lock: the save waits 0 s (STOCKLENS_WRITE_WAIT)
    and the page says what happened, with no traceback; the settings are unchanged."""
    from stocklens import settings as settings_mod
    from stocklens.ui import state

    monkeypatch.setenv("STOCKLENS_WRITE_WAIT", "0")
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/settings.py")
    at.run()
    store = state.store()  # the process's one Store, shared by every session
    holding, release = threading.Event(), threading.Event()

    def other_session():
        with store.writing("dana", "a load of orders 2025-03"):
            holding.set()
            release.wait(60)

    writer = threading.Thread(target=other_session)
    writer.start()
    try:
        holding.wait(10)
        at.text_input[0].set_value("10, 20, 40")
        with caplog.at_level(logging.WARNING, logger="stocklens.ui"):
            [b for b in at.button if b.label == "Save settings"][0].click().run()
    finally:
        release.set()
        writer.join()
    assert not at.exception, [e.value for e in at.exception]
    error = displayed(at.error[0].value)
    assert error.startswith("**Could not save the settings.** Another change is being written to the store "
                            "(a load of orders 2025-03 by dana")
    assert "Traceback" not in error
    assert any(r.exc_info for r in caplog.records if r.name == "stocklens.ui")  # the traceback: server side
    assert settings_mod.load(store).age_bounds == (30, 60, 90, 180)


def test_settings_that_are_not_numbers_are_refused_with_a_reason(store_path):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/settings.py")
    at.run()
    at.text_input[0].set_value("30, sixty")
    [b for b in at.button if b.label == "Save settings"][0].click().run()
    assert not at.exception
    assert displayed(at.error[0].value) == ("**Could not save the settings:** the age bucket bounds must be "
                                            "whole days separated by commas, e.g. 30, 60, 90, 180, not '30, sixty'")


def _undo_nothing():
    import streamlit as st  # noqa: F401 (an AppTest script)

    from stocklens.ui import components, state

    with components.user_action("undo the last load of orders 2025-03"):
        state.store().undo("orders", "2025-03")


def _unexpected():
    from stocklens.ui import components

    def page():
        raise KeyError("report_month")

    components.run_page(page)


def test_an_undo_of_nothing_is_a_sentence(store_path, caplog):
    at = AppTest.from_function(_undo_nothing, default_timeout=TIMEOUT)
    with caplog.at_level(logging.WARNING, logger="stocklens.ui"):
        at.run()
    assert not at.exception
    assert displayed(at.error[0].value) == ("**Could not undo the last load of orders 2025-03:** nothing to "
                                            "undo: no orders loaded for 2025-03")
    assert any(r.exc_info for r in caplog.records if r.name == "stocklens.ui")


def test_an_unexpected_error_on_a_page_is_one_line_and_the_traceback_is_logged(caplog):
    at = AppTest.from_function(_unexpected, default_timeout=TIMEOUT)
    with caplog.at_level(logging.ERROR, logger="stocklens.ui"):
        at.run()
    assert not at.exception
    assert displayed(at.error[0].value) == ("Something went wrong: 'report_month'. The details are in the "
                                            "server log.")
    logged = [r for r in caplog.records if r.name == "stocklens.ui" and r.exc_info]
    assert logged and logged[0].exc_info[0] is KeyError
