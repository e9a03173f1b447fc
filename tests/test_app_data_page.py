"""AppTest of the Data page's issue-11 parts: load a file without its bad rows, load several
files at once (the "every line is shipped" choice once for all), the Month box as the one source
of the month the Load button uses, the mapping grid's height, removing the demo, the sidebar's
default month, and captions that said the wrong thing.

Files are small and written by hand; expected figures are worked out in the comments.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from stocklens import audit, kpis
from stocklens.store import Store, load_file
from app_helpers import APP, TIMEOUT, _fresh_streamlit_caches, data_page, displayed, open_page, store_path, upload  # noqa: F401 (fixtures)


# Five order lines of March 2025; rows 3 and 5 of the file (counting the header as row 1) are bad:
# row 3 has the quantity "five", row 5 the date 2025-02-30. Without them: SO-1 (4 units) and SO-3
# (6 units) are loaded, none shipped -> backlog 10 units in 2 lines.
ORDERS_TWO_BAD = b"""Order No,Item Code,Order Date,Qty
SO-1,A,2025-03-03,4
SO-2,B,2025-03-04,five
SO-3,C,2025-03-05,6
SO-4,D,2025-02-30,1
"""
# An invoice file (no shipped column): every line shipped when the box is ticked (backlog 0),
# else 5 + 3 = 8 units open.
INVOICES = b"""Invoice,Item Code,Invoice Date,Qty
INV-1,A,2025-03-03,5
INV-2,B,2025-03-10,3
"""
STOCK_MARCH = b"""Item Code,On Hand,Unit Cost
A,2,1.50
B,10,2.00
"""
NOT_A_FILE = b"Order No,Customer\nX,Y\n"  # no SKU, date or quantity: refused as orders


def keyed(elements, prefix: str) -> list:
    return [w for w in elements if (w.key or "").startswith(prefix)]


def text_of(elements) -> str:
    return "\n".join(displayed(e.value) for e in elements)


def backlog_units(store_path: Path, month: str) -> float:
    with Store(store_path) as s:
        return kpis.kpis_for_month(s, month)["backlog_units"]


# --- load without the bad rows -------------------------------------------------------------------

def test_a_file_refused_for_row_errors_loads_without_them_and_says_which(store_path):
    at = upload(data_page(), ("orders_2025-03.csv", ORDERS_TWO_BAD))
    assert "cannot be loaded as it is" in text_of(at.error)
    assert keyed(at.button, "confirm_")[0].disabled
    skip = keyed(at.button, "skip_")
    assert [b.label for b in skip] == ["Load without the 2 bad rows"]

    skip[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    done = text_of(at.success)
    assert "Loaded 2 orders rows for 2025-03." in done
    assert "2 rows with errors were left out, as asked (rows 3, 5)" in done
    left_out = [d.value for d in at.dataframe if "Why" in d.value.columns or "why" in d.value.columns]
    assert len(left_out) == 1 and sorted(left_out[0]["row"].to_list()) == [3, 5]
    with Store(store_path) as s:
        assert s.query("select order_id from order_lines order by order_id")["order_id"].to_list() == ["SO-1", "SO-3"]
        assert s.loaded()["file_name"].to_list() == ["orders_2025-03.csv"]
    assert backlog_units(store_path, "2025-03") == 10  # 4 + 6


def test_no_skip_button_for_a_file_refused_as_a_whole(store_path):
    at = upload(data_page(), ("orders_2025-03.csv", NOT_A_FILE))
    assert "not found" in text_of(at.error)
    assert keyed(at.button, "skip_") == []


# --- several files -------------------------------------------------------------------------------

def test_load_all_loads_the_good_files_names_the_refused_one_and_ships_once_for_all(store_path):
    at = upload(data_page(), ("invoices_2025-03.csv", INVOICES), ("stock_2025-03.csv", STOCK_MARCH),
                ("orders_bad.csv", NOT_A_FILE))
    # One "every line is shipped" box for all files, none per file.
    assert [c.key for c in keyed(at.checkbox, "ship_")] == ["ship_all"]
    at.checkbox(key="ship_all").check().run()
    button = at.button(key="load_all")
    assert button.label == "Load all (2 of 3 files)"
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Load all" not in text_of(at.success)  # one file was refused: the summary is a warning
    done = text_of(at.warning)
    assert "invoices_2025-03.csv: Loaded 2 orders rows for 2025-03." in done
    assert "stock_2025-03.csv: Loaded 2 stock rows for 2025-03." in done
    assert "orders_bad.csv: refused, not loaded. Required column" in done
    with Store(store_path) as s:
        assert sorted(s.loaded()["file_name"].to_list()) == ["invoices_2025-03.csv", "stock_2025-03.csv"]
    assert backlog_units(store_path, "2025-03") == 0  # every invoice line shipped: the choice applied


def test_load_all_without_the_shipped_box_keeps_lines_open(store_path):
    at = upload(data_page(), ("invoices_2025-03.csv", INVOICES), ("stock_2025-03.csv", STOCK_MARCH))
    assert at.button(key="load_all").label == "Load all 2 files"
    at.button(key="load_all").click().run()
    assert not at.exception
    assert "invoices_2025-03.csv: Loaded 2 orders rows for 2025-03." in text_of(at.success)
    assert backlog_units(store_path, "2025-03") == 8  # 5 + 3 open


# --- the Month box -------------------------------------------------------------------------------

# Stock without dates: the month comes from the name. B: 4 on hand.
STOCK_NO_DATES = b"Item Code,On Hand\nB,4\n"


def test_the_month_box_shows_the_month_the_button_uses(store_path):
    at = upload(data_page(), ("stock_2025-02.csv", STOCK_NO_DATES))
    box = keyed(at.text_input, "month_")[0]
    assert box.value == "2025-02"
    assert "From the file name (the file has no dates)." in text_of(at.caption)
    assert displayed(keyed(at.button, "confirm_")[0].label) == "Load as stock (on hand at month end) for 2025-02"

    box.set_value("2025-01").run()
    assert displayed(keyed(at.button, "confirm_")[0].label) == "Load as stock (on hand at month end) for 2025-01"
    assert "Typed (proposed: 2025-02)." in text_of(at.caption)

    keyed(at.text_input, "month_")[0].set_value("").run()  # emptied: the proposal again, shown
    assert keyed(at.text_input, "month_")[0].value == "2025-02"
    assert displayed(keyed(at.button, "confirm_")[0].label) == "Load as stock (on hand at month end) for 2025-02"
    keyed(at.button, "confirm_")[0].click().run()
    with Store(store_path) as s:
        assert s.months("stock") == ["2025-02"]


def test_the_mapping_grid_height_fits_its_rows():
    """Streamlit draws a grid's rows 35 px high under a 35 px header (plus a 3 px border): the
    height given to the mapping grid shows every row (the browser test measures it on screen)."""
    from stocklens.ui.upload import grid_height

    assert grid_height(16) == 35 * 17 + 3  # the orders dataset's 16 columns and the header
    assert grid_height(1) == 73


# --- the demo ------------------------------------------------------------------------------------

def test_remove_the_demo(monkeypatch, demo_store_copy):
    monkeypatch.setenv("STOCKLENS_STORE", str(demo_store_copy))
    at = data_page()
    button = at.button(key="remove_demo")
    assert button.disabled
    at.checkbox(key="demo_confirm").check().run()
    at.button(key="remove_demo").click().run()
    assert not at.exception, [e.value for e in at.exception]
    with Store(demo_store_copy) as s:
        assert s.is_empty()
    assert "The demo is removed" in text_of(at.success)
    assert at.info[0].value.startswith("**No data yet.**")  # the demo is offered again
    deletes = [e for e in audit.read(demo_store_copy) if e["action"] == "delete"]
    assert deletes and all(e["user"] == "local" for e in deletes)


def test_no_remove_button_once_a_file_of_ones_own_is_loaded(monkeypatch, demo_store_copy):
    with Store(demo_store_copy) as s:
        month = s.months("orders")[-1]
        s.commit(__import__("stocklens.importer", fromlist=["prepare"]).prepare(
            STOCK_MARCH, "my_stock.csv", dataset="stock", month=month), STOCK_MARCH)
    monkeypatch.setenv("STOCKLENS_STORE", str(demo_store_copy))
    at = data_page()
    assert keyed(at.button, "remove_demo") == []


def test_a_file_named_like_the_demos_is_not_the_demo(store_path):
    """orders_2025-03.csv is also a demo file's name: without the demo in the audit log, it is
    the user's own, and no button offers to remove it."""
    at = upload(data_page(), ("orders_2025-03.csv", INVOICES))
    keyed(at.button, "confirm_")[0].click().run()
    assert keyed(at.button, "remove_demo") == []


# --- the sidebar's month -------------------------------------------------------------------------

def test_the_default_month_is_the_latest_with_an_orders_file_and_a_po_only_month_is_said(store_path, tmp_path):
    april_stock = tmp_path / "stock_2025-04.csv"
    april_stock.write_bytes(STOCK_MARCH)
    march_orders = tmp_path / "orders_2025-03.csv"
    march_orders.write_bytes(INVOICES)
    po = tmp_path / "po_2025-05.csv"
    po.write_bytes(b"PO Number,Item Code,Qty Ordered,Order Date\nPO-1,A,10,2025-05-02\n")
    with Store(store_path) as s:
        load_file(s, march_orders, month="2025-03")
        load_file(s, april_stock, dataset="stock", month="2025-04")  # a later month with stock only
        load_file(s, po, dataset="purchase_orders", month="2025-05")
    at = data_page()
    assert at.selectbox(key="month").options == ["2025-04", "2025-03"]
    assert at.selectbox(key="month").value == "2025-03"

    link = AppTest.from_file(APP, default_timeout=TIMEOUT)
    link.query_params["month"] = "2025-05"
    link.run()
    assert not link.exception
    said = text_of(link.sidebar.warning)
    assert "2025-05 has no orders or stock file (only purchase orders loaded for it): showing 2025-03." in said
    assert link.selectbox(key="month").value == "2025-03"


# --- captions ------------------------------------------------------------------------------------

def test_a_product_master_without_categories_is_not_called_missing(store_path, tmp_path):
    products = tmp_path / "products.csv"
    products.write_bytes(b"Item Code,Description\nA,Widget\nB,Gadget\n")
    orders = tmp_path / "orders_2025-03.csv"
    orders.write_bytes(INVOICES)
    with Store(store_path) as s:
        load_file(s, orders, month="2025-03")
    at = data_page()
    assert "No product master loaded" in text_of(at.sidebar.caption)
    with Store(store_path) as s:
        load_file(s, products, dataset="products")
    at = data_page()
    captions = text_of(at.sidebar.caption)
    assert "No product master loaded" not in captions
    assert "The product master has no category or supplier column" in captions


def test_the_stock_checks_say_there_is_no_stock_file(store_path):
    at = upload(data_page(), ("orders_2025-03.csv", INVOICES))
    keyed(at.button, "confirm_")[0].click().run()
    captions = text_of(at.main.caption)
    assert "SKUs ordered but absent from the stock file: no stock file for 2025-03, not checked." in captions
    assert "absent from the stock file: none" not in captions
    upload(at, ("stock_2025-03.csv", STOCK_MARCH))
    keyed(at.button, "confirm_")[0].click().run()
    # A and B are in the stock file: the check runs and finds none.
    assert "✓ SKUs ordered but absent from the stock file: none" in text_of(at.main.caption)


def _store_with(store_path: Path, tmp_path: Path, files: dict[str, tuple[bytes, dict]]) -> None:
    with Store(store_path) as s:
        for name, (data, kwargs) in files.items():
            path = tmp_path / name
            path.write_bytes(data)
            prep, result = load_file(s, path, **kwargs)
            assert result is not None, prep.problems


def test_inventory_page_names_a_master_without_categories(store_path, tmp_path):
    _store_with(store_path, tmp_path, {
        "orders_2025-03.csv": (INVOICES, {"month": "2025-03"}),
        "stock_2025-03.csv": (STOCK_MARCH, {"dataset": "stock", "month": "2025-03"}),
        "products.csv": (b"Item Code,Description\nA,Widget\nB,Gadget\n", {"dataset": "products"})})
    captions = text_of(open_page("pages/inventory.py").main.caption)
    assert "The product master has no categories" in captions
    assert "No product master" not in captions


def test_invoices_only_backlog_page_says_there_is_nothing_instead_of_empty_charts(store_path, tmp_path):
    """UCI-style invoices (every line shipped, a customer on each): no open backlog, so no chart of
    it is drawn, and the customer breakdown does not claim the file has no customer column."""
    invoices = b"Invoice,Item Code,Invoice Date,Qty,CustomerID\nINV-1,A,2025-03-03,5,17850.0\nINV-2,B,2025-03-10,3,13047.0\n"
    _store_with(store_path, tmp_path, {"invoices_2025-03.csv": (invoices, {"month": "2025-03", "all_shipped": True})})
    at = open_page("pages/backlog.py")
    captions = text_of(at.main.caption)
    assert "No data for the backlog by age bucket in the 12 months ending 2025-03." in captions
    assert "No data for the past-due share in the 12 months ending 2025-03." in captions
    assert "No open backlog at the end of 2025-03: nothing to show by customer." in captions
    assert "no customer column" not in captions
    # The bridge has data (8 units ordered and 8 shipped in the month): the one chart drawn.
    assert [c.key for c in at.get("plotly_chart")] == ["bridge_chart"]


# --- after the engine's issue-11 work: closed by absence, figures in units -----------------------

# March: SO-1 (10 units) and SO-2 (5 units) open. April's file lists every open line and lists only
# SO-2: SO-1 is closed by absence as of April. April backlog 5; its bridge: opening 15, nothing new,
# shipped or cancelled, 10 closed by absence, closing 5 (restated 0).
OPEN_MARCH = b"Order No,Item Code,Order Date,Qty Ordered,Qty Shipped\nSO-1,A,2025-03-03,10,0\nSO-2,B,2025-03-04,5,0\n"
OPEN_APRIL = b"Order No,Item Code,Order Date,Qty Ordered,Qty Shipped\nSO-2,B,2025-03-04,5,0\n"


@pytest.mark.parametrize("ticked", [True, False])
def test_a_file_that_lists_every_open_line_closes_the_others_and_the_bridge_shows_it(store_path, tmp_path, ticked):
    import json

    _store_with(store_path, tmp_path, {"orders_2025-03.csv": (OPEN_MARCH, {"month": "2025-03"})})
    at = upload(data_page(), ("open_lines_2025-04.csv", OPEN_APRIL))
    box = keyed(at.checkbox, "lists_every_")
    assert [b.label for b in box] == ["This file lists every open order line"]
    assert "Closed by absence" in box[0].help
    keyed(at.text_input, "month_")[0].set_value("2025-04").run()  # (its dates are March's)
    if ticked:
        keyed(at.checkbox, "lists_every_")[0].check().run()
    keyed(at.button, "confirm_")[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert backlog_units(store_path, "2025-04") == (5 if ticked else 15)

    backlog = open_page("pages/backlog.py")
    bridge = [c for c in backlog.get("plotly_chart") if c.key == "bridge_chart"]
    spec = json.loads(bridge[0].proto.spec)["data"][0]
    steps = dict(zip(spec["x"], spec["y"]))
    assert steps["Closed by absence"] == (-10 if ticked else 0)
    assert steps["Opening backlog"] == 15 and steps["Closing backlog"] == (5 if ticked else 15)


# Stock without any cost: A 2 and B 10 on hand = 12 units; the invoices ship 5 + 3 = 8 units in
# March. Turnover in units over the n = 1 month with both files: 8 / 12 * 12 / 1 = 8.00 a year;
# DIO 365 / 8 = 45.6 days.
STOCK_NO_COST = b"Item Code,On Hand\nA,2\nB,10\n"


@pytest.mark.parametrize("path, title", [("pages/overview.py", "Overview"), ("pages/inventory.py", "Inventory")])
def test_without_costs_the_tiles_show_units_and_say_how_to_add_costs(store_path, tmp_path, path, title):
    _store_with(store_path, tmp_path, {
        "invoices_2025-03.csv": (INVOICES, {"month": "2025-03", "all_shipped": True}),
        "stock_2025-03.csv": (STOCK_NO_COST, {"dataset": "stock", "month": "2025-03"})})
    at = open_page(path)
    shown = {m.label.removesuffix(" (provisional)"): m.value for m in at.main.metric}
    assert shown["Inventory units"] == "12"
    assert shown["Annual turnover (units)"] == "8.00×"
    assert shown["Days inventory outstanding (units)"] == "45.6"
    assert shown["Units shipped"] == "8"
    assert "Inventory value" not in shown and "Annual turnover" not in shown
    assert "In units: no SKU on hand has a cost. Add costs on the Data page: a product master with unit_cost, " \
           "or unit_cost in the stock file." in text_of(at.main.caption)
