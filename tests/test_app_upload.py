"""AppTest of the Data page: files set on the file_uploader, the guessed dataset, the proposed
month, the upload report, confirm, and the table of what is loaded; bad files refused with their
reasons and nothing stored; undo and delete; the demo offered on an empty store.

The CSVs are small and written by hand, so the figures the Overview shows afterwards are worked
out below and also compared with the KPI engine.
"""
from __future__ import annotations

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from stocklens import kpis
from stocklens.registry import REGISTRY
from stocklens.store import Store, load_file
from app_helpers import _fresh_streamlit_caches, data_page, displayed, store_path, upload  # noqa: F401 (fixtures)


# Order lines of March 2025 as an ERP exports them (ERP column names, a leading-zero SKU):
#   SO-1/1  00412  10 ordered, 4 shipped  -> 6 open at 12.50 = 75.00
#   SO-1/2  00413   5 ordered, 0 shipped  -> 5 open at a price of 0 (kept, reported)
#   SO-2/1  00412   8 ordered, 8 shipped  -> closed
# Backlog at 2025-03-31: 11 units, value 75, 2 open lines of 1 order. No promised dates: due on
# the order date + 7 days (default) = 2025-03-10, before the month end: all 11 units past due.
ORDERS_MARCH = b"""Order No,Line,Item Code,Order Date,Qty Ordered,Qty Shipped,Ship Date,Unit Price,Customer,Warehouse
SO-1,1,00412,2025-03-03,10,4,2025-03-10,12.50,C-1,MAIN
SO-1,2,00413,2025-03-03,5,0,,0,C-1,MAIN
SO-2,1,00412,2025-03-20,8,8,2025-03-25,12.50,C-2,MAIN
"""
# Month-end stock, semicolon-separated with decimal commas:
#   00412: 2 on hand at 7.10 -> open demand 6, backorder 4;  00413: 10 at 3.50 -> covers its 5.
# Backorder units 4 (1 SKU), rate 4 / 11 = 36.4%; inventory value 2 * 7.10 + 10 * 3.50 = 49.20.
STOCK_MARCH = b"""Item Code;On Hand;Unit Cost;Warehouse;Snapshot Date
00412;2;7,10;MAIN;2025-03-31
00413;10;3,50;MAIN;2025-03-31
"""
HAND_WORKED = {"backlog_units": "11", "backlog_value": "75", "past_due_units": "11", "backorder_units": "4",
               "backorder_rate": "36.4%", "inventory_value": "49"}




def widget(elements, prefix: str):
    """The one widget whose key starts with prefix (the panels key their widgets per file)."""
    found = [w for w in elements if (w.key or "").startswith(prefix)]
    assert len(found) == 1, (prefix, [w.key for w in elements])
    return found[0]


def confirm_buttons(at: AppTest):
    return [b for b in at.button if (b.key or "").startswith("confirm_")]


def loaded_table(at: AppTest):
    """The 'What is loaded' table as a pandas frame, or None when nothing is loaded."""
    frames = [d.value for d in at.dataframe if "versions" in d.value.columns]
    return frames[0] if frames else None


def messages(elements) -> str:
    return "\n".join(displayed(e.value) for e in elements)


def test_two_files_guessed_checked_confirmed_listed_and_shown(store_path):
    at = upload(data_page(), ("march_orders.csv", ORDERS_MARCH), ("stock_2025-03.csv", STOCK_MARCH))
    assert [displayed(s.value) for s in at.subheader][:2] == ["march_orders.csv", "stock_2025-03.csv"]

    # Dataset guessed per file, month proposed from the file's dates.
    orders_ds, stock_ds = (s for s in at.selectbox if s.key.startswith("ds_"))
    assert (orders_ds.value, stock_ds.value) == ("orders", "stock")
    assert [t.value for t in at.text_input if t.key.startswith("month_")] == ["2025-03", "2025-03"]
    # How each file was read, and the report: the free-of-charge line is kept and reported.
    captions = messages(at.caption)
    assert "Read as CSV: UTF-8, comma-separated." in captions
    assert "Read as CSV: UTF-8, semicolon-separated." in captions and "decimal comma" in captions
    assert len(at.warning) == 1 and "1 rows have a unit price of 0" in displayed(at.warning[0].value)
    assert [s.value for s in at.success] == ["No problems found."]  # the stock file
    buttons = confirm_buttons(at)
    assert [displayed(b.label) for b in buttons] == ["Load as orders (order lines) for 2025-03",
                                          "Load as stock (on hand at month end) for 2025-03"]
    assert not any(b.disabled for b in buttons)
    assert loaded_table(at) is None and "Nothing yet." in messages(at.main.caption)

    confirm_buttons(at)[0].click().run()
    assert not at.exception
    assert "Loaded 3 orders rows for 2025-03." in messages(at.success)
    # At once, not on the next interaction: the sidebar (which runs before the page) offers the
    # new month, and the table lists the load.
    assert at.selectbox(key="month").options == ["2025-03"]
    assert loaded_table(at)["file_name"].to_list() == ["march_orders.csv"]
    confirm_buttons(at)[1].click().run()
    assert not at.exception
    assert "Loaded 2 stock rows for 2025-03." in messages(at.success)

    table = loaded_table(at)
    assert sorted(zip(table["dataset"], table["month"], table["rows_stored"], table["file_name"],
                      table["count_findings"], table["versions"])) == [
        ("orders", "2025-03", 3, "march_orders.csv", 1, 1),
        ("stock", "2025-03", 2, "stock_2025-03.csv", 0, 1)]
    assert at.selectbox(key="month").options == ["2025-03"]  # the sidebar knows the new month
    assert "Data checks for 2025-03" in messages(at.markdown)
    with Store(store_path) as s:
        skus = s.query("select sku from order_lines order by sku, order_id")["sku"].to_list()
        assert skus == ["00412", "00412", "00413"]  # leading zeros kept

    at.switch_page("pages/overview.py").run()
    assert not at.exception
    shown = {m.label.removesuffix(" (provisional)"): m.value for m in at.main.metric}
    assert {k: shown[REGISTRY[k].label] for k in HAND_WORKED} == HAND_WORKED
    with Store(store_path) as s:
        engine = kpis.kpis_for_month(s, "2025-03")
    assert all(shown[REGISTRY[k].label] == REGISTRY[k].format(engine[k]) for k in REGISTRY
               if REGISTRY[k].label in shown)


def test_month_changed_then_replaced_identical_undone_and_deleted(store_path):
    at = upload(data_page(), ("orders.csv", ORDERS_MARCH))
    month_input = widget(at.text_input, "month_")
    assert month_input.value == "2025-03"
    month_input.set_value("2025-04").run()  # the user knows better: the April export
    assert displayed(confirm_buttons(at)[0].label) == "Load as orders (order lines) for 2025-04"
    confirm_buttons(at)[0].click().run()
    assert "Loaded 3 orders rows for 2025-04." in messages(at.success)

    # A corrected file for the same month replaces it (SO-1/1 now fully shipped).
    corrected = ORDERS_MARCH.replace(b"SO-1,1,00412,2025-03-03,10,4,", b"SO-1,1,00412,2025-03-03,10,10,")
    upload(at, ("orders_v2.csv", corrected))
    widget(at.text_input, "month_").set_value("2025-04").run()
    confirm_buttons(at)[0].click().run()
    assert not at.exception
    assert "Loaded 3 orders rows for 2025-04, replacing the previous version." in messages(at.success)
    table = loaded_table(at)
    assert list(zip(table["month"], table["file_name"], table["versions"])) == [("2025-04", "orders_v2.csv", 2)]

    # The same bytes again change nothing.
    confirm_buttons(at)[0].click().run()
    assert "Identical to what is loaded for 2025-04: nothing changed." in messages(at.info)
    assert loaded_table(at)["versions"].to_list() == [2]

    # Undo and delete need the confirmation box ticked.
    assert at.button(key="undo_btn").disabled and at.button(key="delete_btn").disabled
    at.checkbox(key="manage_confirm").check().run()
    at.button(key="undo_btn").click().run()
    assert not at.exception
    table = loaded_table(at)
    assert list(zip(table["month"], table["file_name"], table["versions"])) == [("2025-04", "orders.csv", 1)]
    at.checkbox(key="manage_confirm").check().run()
    at.button(key="delete_btn").click().run()
    assert not at.exception
    assert loaded_table(at) is None and "Nothing yet." in messages(at.main.caption)
    with Store(store_path) as s:
        assert s.query("select count(*) from order_lines").item() == 0


REFUSED = {
    "missing column": (
        "orders_march.csv", b"Order No,Item Code,Order Date,Customer\nA-1,SKU-1,2025-03-01,C1\n", "orders",
        ["Required column qty_ordered not found for dataset orders.",
         "Columns in the file: Order No, Item Code, Order Date, Customer."]),
    "bad values": (
        "orders_bad.csv",
        b"Order No,Item Code,Order Date,Qty\nA-1,SKU-1,2025-03-01,3\nA-2,SKU-2,2025-03-02,five\n"
        b"A-3,SKU-3,2025-02-30,1\n", None,
        ["Row 3, column 'Qty': not a number (a quantity is needed) (value: 'five').",
         "Row 4, column 'Order Date': not a date (value: '2025-02-30')."]),
    "wrong dataset": ("march_orders.csv", ORDERS_MARCH, "stock", ["Required column qty_on_hand not found"]),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_bad_file_is_refused_with_reasons_and_nothing_is_stored(case, store_path, snapshot, fixtures):
    name, data, dataset, reasons = REFUSED[case]
    with Store(store_path) as s:  # something already loaded, which must stay exactly as it is
        load_file(s, fixtures / "orders_2024-03_v1.csv", month="2024-03")
        before = snapshot(s)
    at = upload(data_page(), (name, data))
    if dataset:  # the guess is changeable; choosing this dataset makes the file unloadable
        widget(at.selectbox, "ds_").set_value(dataset).run()
        assert not at.exception
    assert len(at.error) == 1
    error = displayed(at.error[0].value)
    assert error.startswith("**This file cannot be loaded as it is; nothing of it will be stored.**")
    for reason in reasons:
        assert reason in error
    assert confirm_buttons(at)[0].disabled  # (AppTest, like a browser, cannot click it)
    at.run()
    assert not at.exception and not at.success
    assert loaded_table(at)["file_name"].to_list() == ["orders_2024-03_v1.csv"]
    with Store(store_path) as s:
        assert snapshot(s) == before


def test_an_empty_file_is_refused(store_path):
    at = upload(data_page(), ("orders_empty.csv", b""))
    assert "orders_empty.csv is empty (0 bytes)." in displayed(at.error[0].value)
    assert confirm_buttons(at)[0].disabled


def test_an_empty_store_offers_the_demo_and_the_button_loads_it(store_path, demo_store_dir):
    """The first start: the Data page (like every page) offers the demo; one press loads the same
    24 months as the session's demo store (same seed), each file through the importer."""
    at = data_page()
    assert at.info[0].value.startswith("**No data yet.**")
    at.button(key="load_demo").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.info and not [b for b in at.button if b.key == "load_demo"]
    with Store(demo_store_dir) as s:
        months = s.months("orders")
        expected = sorted(s.loaded().select("dataset", "month", "rows_stored").rows(),
                          key=lambda r: (r[0], r[1] or ""))
    table = loaded_table(at)
    months_shown = [m if isinstance(m, str) else None for m in table["month"]]  # products: no month
    shown = sorted(zip(table["dataset"], months_shown, table["rows_stored"]), key=lambda r: (r[0], r[1] or ""))
    assert shown == [tuple(r) for r in expected]
    assert at.selectbox(key="month").options == months[::-1]


# --- undo and delete: the confirmation never carries over ----------------------------------------

def _loaded_with_two_versions_of_march() -> AppTest:
    """orders 2025-04 (one version) and orders 2025-03 (two versions: orders.csv, then
    orders_v2.csv), loaded through the page. The list shows 2025-04 first, newest month first."""
    at = upload(data_page(), ("orders.csv", ORDERS_MARCH))
    confirm_buttons(at)[0].click().run()
    corrected = ORDERS_MARCH.replace(b"SO-1,1,00412,2025-03-03,10,4,", b"SO-1,1,00412,2025-03-03,10,10,")
    upload(at, ("orders_v2.csv", corrected))
    confirm_buttons(at)[0].click().run()
    upload(at, ("orders_april.csv", ORDERS_MARCH.replace(b"2025-03", b"2025-04")))
    confirm_buttons(at)[0].click().run()
    assert not at.exception
    table = loaded_table(at)
    assert list(zip(table["month"], table["file_name"], table["versions"])) == [
        ("2025-04", "orders_april.csv", 1), ("2025-03", "orders_v2.csv", 2)]
    return at


def test_undo_unticks_the_confirmation_keeps_the_choice_and_says_what_was_undone(store_path):
    at = _loaded_with_two_versions_of_march()
    at.selectbox(key="manage_choice").set_value(("orders", "2025-03")).run()
    at.checkbox(key="manage_confirm").check().run()
    at.button(key="undo_btn").click().run()
    assert not at.exception

    # Back to the first file of March; the choice stays on March, the box is unticked (one more
    # click can no longer undo or delete anything), and the page says what was done.
    table = loaded_table(at)
    assert list(zip(table["month"], table["file_name"], table["versions"])) == [
        ("2025-04", "orders_april.csv", 1), ("2025-03", "orders.csv", 1)]
    assert at.selectbox(key="manage_choice").value == ("orders", "2025-03")
    assert at.checkbox(key="manage_confirm").value is False
    assert at.button(key="undo_btn").disabled and at.button(key="delete_btn").disabled
    with Store(store_path) as s:
        loaded_at = s.loaded().filter(pl.col("month") == "2025-03")["loaded_at"].item()
    done = messages(at.success)
    assert f"Undone: orders 2025-03 is back to the file orders.csv loaded at {loaded_at:%Y-%m-%d %H:%M}." in done

    at.checkbox(key="manage_confirm").check().run()
    at.button(key="delete_btn").click().run()
    assert "Deleted: orders 2025-03, all its 1 version (the archived files stay)." in messages(at.success)
    assert at.checkbox(key="manage_confirm").value is False
    assert list(loaded_table(at)["month"]) == ["2025-04"]


def test_a_new_choice_unticks_the_confirmation(store_path):
    at = _loaded_with_two_versions_of_march()
    at.selectbox(key="manage_choice").set_value(("orders", "2025-04")).run()
    at.checkbox(key="manage_confirm").check().run()
    assert not at.button(key="undo_btn").disabled
    at.selectbox(key="manage_choice").set_value(("orders", "2025-03")).run()
    assert not at.exception
    assert at.checkbox(key="manage_confirm").value is False
    assert at.button(key="undo_btn").disabled and at.button(key="delete_btn").disabled


def test_a_month_removed_by_another_session_is_not_replaced_by_the_next_in_the_list(store_path):
    """The box ticked for orders 2025-04; another session deletes that month; the click that
    follows must not undo whatever the list now shows first (orders 2025-03)."""
    from stocklens.ui import state

    at = _loaded_with_two_versions_of_march()
    at.selectbox(key="manage_choice").set_value(("orders", "2025-04")).run()
    at.checkbox(key="manage_confirm").check().run()
    state.store().delete_month("orders", "2025-04")  # the process's one Store, as another session
    at.button(key="undo_btn").click().run()
    assert not at.exception
    assert "orders 2025-04 is no longer loaded (changed in another session): nothing was done." \
        in messages(at.warning)
    table = loaded_table(at)
    assert list(zip(table["month"], table["file_name"], table["versions"])) == [("2025-03", "orders_v2.csv", 2)]
    assert at.checkbox(key="manage_confirm").value is False
