"""Lines closed by absence (issue 11): an orders file loaded as "this file lists every open order
line" closes, as of its month's end, the lines open in the store that it does not list. Three
months of hand-made files through the real importer into a real store; every expected number is
worked out by hand in the comments.

Lines (SKU P<n> for line A<n>), January's file (normal load):
  A1 ordered 01-05, 10, 4 shipped 01-10              -> open 6
  A2 ordered 01-06, 5, nothing shipped               -> open 5
  A3 ordered 01-07, 3, 1 cancelled                   -> open 2
  A5 ordered 02-01 (after January's end), 2, promised 02-05 -> not open in January, carried
  January closing 6 + 5 + 2 = 13.
February's file lists A2 (2 shipped 02-10: open 3) and the new A4 (ordered 02-03, 4, all 4 shipped
02-05, on time). Loaded as listing every open line, it closes A1 (6), A3 (2) and A5 (2, open since
02-01) by absence: 10 units, dated 02-29. Without the option they stay open.
March's file (normal load) lists A3 again (1 shipped 03-05, still 1 cancelled: open 1): reopened.
A2 is not listed (a normal load closes nothing): it stays open 3. A1 and A5 stay closed.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kpi_helpers import ORDERS_HEADER, kpis, rows, stock, write_csv
from stocklens.store import load_file

JANUARY = """
    A1,1,P1,2024-01-05,10,4,2024-01-10,0,,,C1,W1
    A2,1,P2,2024-01-06,5,0,,0,,,C1,W1
    A3,1,P3,2024-01-07,3,0,,1,,,C1,W1
    A5,1,P5,2024-02-01,2,0,,0,2024-02-05,,C2,W1
"""
FEBRUARY = """
    A2,1,P2,2024-01-06,5,2,2024-02-10,0,,,C1,W1
    A4,1,P4,2024-02-03,4,4,2024-02-05,0,,,C1,W1
"""
MARCH = """
    A3,1,P3,2024-01-07,3,1,2024-03-05,1,,,C1,W1
"""


def load_orders(store, folder: Path, month: str, text: str, *, complete: bool = False):
    path = write_csv(folder, ORDERS_HEADER + "\n" + text, f"orders_{month}")
    prep, result = load_file(store, path, dataset="orders", month=month, lists_every_open_line=complete)
    assert result is not None and result.status == "loaded", [p.message for p in prep.problems]
    return prep


def load_three_months(store, tmp_path, *, complete_february: bool = True):
    load_orders(store, tmp_path, "2024-01", JANUARY)
    load_orders(store, tmp_path, "2024-02", FEBRUARY, complete=complete_february)
    load_orders(store, tmp_path, "2024-03", MARCH)
    stock(store, tmp_path, "2024-02", """
        P1,0,1,W1     # no stock: A1's 6 open would all be backordered if it were still open
        P2,1,1,W1     # A2: 3 open - 1 on hand = 2 backordered
    """)


def open_lines(store, month: str) -> dict:
    return {r["order_id"]: r["open_qty"] for r in rows(store, "backlog_open_lines", month, limit=1000)}


def test_february_closes_the_lines_its_file_does_not_list(store, tmp_path):
    load_three_months(store, tmp_path)
    assert open_lines(store, "2024-01") == {"A1": 6, "A2": 5, "A3": 2}  # January unchanged
    feb = kpis(store, "2024-02")
    assert open_lines(store, "2024-02") == {"A2": 3}
    assert feb["backlog_units"] == 3 and feb["backlog_lines"] == 1
    # opening 13 + new (A4 4 + A5 2) 6 - shipped (A2 2 + A4 4) 6 - cancelled 0 - closed 10 = 3 = closing:
    # restated 0 (without the step, restated would be -10)
    assert feb["bridge"] == {"opening": 13, "new": 6, "shipped": 6, "cancelled": 0, "closed_by_absence": 10,
                             "restated": 0, "closing": 3}
    # backorders: only P2's 3 open - 1 on hand = 2 (P1's 6 are closed, not backordered)
    assert feb["backorder_units"] == 2 and feb["backordered_skus"] == 1
    # fill rate, lines ordered in February: A4 4 of 4 on time; A5 closed by absence is not shipped:
    # 0 of 2 on time (a closing is not a cancellation: A5 still counts 2 net ordered)
    assert feb["fill_rate_units"] == pytest.approx(4 / 6)
    assert feb["fill_rate_lines"] == pytest.approx(1 / 2) and feb["fill_rate_orders"] == pytest.approx(1 / 2)
    # not a cancellation: the quantities cancelled stay as reported (A3's 1), the closing is dated E(M)
    facts = store.query("select order_id, qty_cancelled, cancelled_in_month, closed_by_absence, open_qty "
                        "from line_facts where report_month = '2024-02' order by order_id").rows()
    assert facts == [("A1", 0, 0, 6, 0), ("A2", 0, 0, 0, 3), ("A3", 1, 0, 2, 0), ("A4", 0, 0, 0, 0),
                     ("A5", 0, 0, 2, 0)]
    # the data check no longer lists them
    assert rows(store, "checks/stale_open_lines", "2024-02") == []


def test_closed_lines_stay_closed_until_a_file_lists_them_again(store, tmp_path):
    load_three_months(store, tmp_path)
    mar = kpis(store, "2024-03")
    # A3 listed again in March: reopened, 3 - 1 shipped - 1 cancelled = 1 open; A2 (not listed by a
    # normal load) stays 3; A1 and A5 stay closed
    assert open_lines(store, "2024-03") == {"A2": 3, "A3": 1}
    # opening 3 + new 0 - shipped (A3 03-05) 1 - cancelled 0 - closed 0 + restated = 4:
    # restated = 4 - 2 = 2, A3's reopened 2 units
    assert mar["bridge"] == {"opening": 3, "new": 0, "shipped": 1, "cancelled": 0, "closed_by_absence": 0,
                             "restated": 2, "closing": 4}
    stale = rows(store, "checks/stale_open_lines", "2024-03")
    assert [(r["order_id"], r["open_qty"]) for r in stale] == [("A2", 3)]
    assert "--lists-every-open-line" in stale[0]["how_to_close"]


def test_without_the_option_nothing_is_closed(store, tmp_path):
    load_three_months(store, tmp_path, complete_february=False)
    feb = kpis(store, "2024-02")
    # A1 6 + A2 3 + A3 2 + A5 2 = 13; bridge: 13 + 6 - 6 - 0 - 0 = 13, restated 0
    assert open_lines(store, "2024-02") == {"A1": 6, "A2": 3, "A3": 2, "A5": 2}
    assert feb["bridge"]["closed_by_absence"] == 0 and feb["bridge"]["closing"] == 13
    assert feb["bridge"]["restated"] == 0
    assert open_lines(store, "2024-03") == {"A1": 6, "A2": 3, "A3": 1, "A5": 2}


def test_undo_and_replace_of_the_load_undo_the_closing(store, tmp_path):
    load_three_months(store, tmp_path, complete_february=False)
    # the same February file again, now as listing every open line: a new version of February
    load_orders(store, tmp_path, "2024-02", FEBRUARY, complete=True)
    assert open_lines(store, "2024-02") == {"A2": 3}
    assert open_lines(store, "2024-03") == {"A2": 3, "A3": 1}
    # undo: the previous version (without the option) is back, and with it the lines it did not close
    store.undo("orders", "2024-02")
    assert open_lines(store, "2024-02") == {"A1": 6, "A2": 3, "A3": 2, "A5": 2}
    assert kpis(store, "2024-02")["bridge"]["closed_by_absence"] == 0
    assert open_lines(store, "2024-03") == {"A1": 6, "A2": 3, "A3": 1, "A5": 2}
    # replaced by a file listing A1 too (still as every open line): only A3 and A5 close (2 + 2)
    load_orders(store, tmp_path, "2024-02", FEBRUARY + "A1,1,P1,2024-01-05,10,4,2024-01-10,0,,,C1,W1\n",
                complete=True)
    feb = kpis(store, "2024-02")
    assert open_lines(store, "2024-02") == {"A1": 6, "A2": 3}
    # 13 + 6 - 6 - 0 - 4 = 9 = closing (A1 6 + A2 3): restated 0
    assert feb["bridge"] == {"opening": 13, "new": 6, "shipped": 6, "cancelled": 0, "closed_by_absence": 4,
                             "restated": 0, "closing": 9}
    # deleting February: January's lines are open again in March as before (A3 reopened anyway)
    store.delete_month("orders", "2024-02")
    assert open_lines(store, "2024-03") == {"A1": 6, "A2": 5, "A3": 1, "A5": 2}


def test_a_reopened_line_closes_again_under_a_later_complete_file(store, tmp_path):
    load_three_months(store, tmp_path)
    # April's file lists every open line but none of them: A2 (3) and A3 (1) close; A1, A5 stay closed
    load_orders(store, tmp_path, "2024-04", "A9,1,P9,2024-04-02,1,1,2024-04-03,0,,,C1,W1\n", complete=True)
    apr = kpis(store, "2024-04")
    assert apr["backlog_units"] == 0
    # opening 4 + new 1 - shipped 1 - cancelled 0 - closed 4 = 0 = closing
    assert apr["bridge"] == {"opening": 4, "new": 1, "shipped": 1, "cancelled": 0, "closed_by_absence": 4,
                             "restated": 0, "closing": 0}


def test_option_is_stored_with_the_load_and_only_for_orders(store, tmp_path):
    load_orders(store, tmp_path, "2024-01", JANUARY, complete=True)
    options = store.query("select options from loads where state = 'active'").item()
    assert '"lists_every_open_line": true' in options
    from stocklens import importer

    prep = importer.prepare(b"sku,qty_on_hand\nP1,3\n", "stock.csv", dataset="stock", month="2024-01",
                            lists_every_open_line=True)
    assert prep.refused and "orders files only" in prep.problems[0].message


def test_cli_flag(cli, tmp_path):
    folder = tmp_path / "files"
    jan = write_csv(folder, ORDERS_HEADER + "\n" + JANUARY, "jan")
    feb = write_csv(folder, ORDERS_HEADER + "\n" + FEBRUARY, "feb")
    store = tmp_path / "store"
    assert cli("load", jan, "--dataset", "orders", "--month", "2024-01", "--store", store).returncode == 0
    plain = cli("load", feb, "--dataset", "orders", "--month", "2024-02", "--store", store)
    assert plain.returncode == 0, plain.stderr
    # the stale lines check points to the option
    assert "check stale open lines: 3 rows" in plain.stdout and "--lists-every-open-line" in plain.stdout
    done = cli("load", feb, "--dataset", "orders", "--month", "2024-02", "--lists-every-open-line", "--store", store)
    assert done.returncode == 0, done.stderr
    assert "stale open lines" not in done.stdout
    out = cli("kpis", "--month", "2024-02", "--json", "--store", store)
    import json

    bridge = json.loads(out.stdout)["bridge"]
    assert bridge["closed_by_absence"] == 10 and bridge["closing"] == 3 and bridge["restated"] == 0


def test_the_checks_bulk_action_closes_the_lines_no_later_file_listed(store, tmp_path):
    """Loaded without the option, February's stale lines (A1 6, A3 2, A5 2: see the module's
    docstring) are closed from the data check: February's own file again, marked as listing every
    open line. The same figures as loading it so in the first place; undo brings them back."""
    from stocklens import audit
    from stocklens.store import close_unlisted_lines

    load_orders(store, tmp_path, "2024-01", JANUARY)
    load_orders(store, tmp_path, "2024-02", FEBRUARY)
    stale = rows(store, "checks/stale_open_lines", "2024-02")
    assert sorted((r["order_id"], r["open_qty"]) for r in stale) == [("A1", 6), ("A3", 2), ("A5", 2)]
    result = close_unlisted_lines(store, "2024-02", actor="ann")
    assert result.status == "loaded" and result.replaced_load_id is not None
    assert open_lines(store, "2024-02") == {"A2": 3}
    assert kpis(store, "2024-02")["bridge"]["closed_by_absence"] == 10
    assert rows(store, "checks/stale_open_lines", "2024-02") == []
    assert [(e["user"], e["action"], e["target"]) for e in audit.read(store.path)][0] == \
        ("ann", "load", "orders 2024-02")
    with pytest.raises(ValueError, match="already loaded as listing every open line"):
        close_unlisted_lines(store, "2024-02")
    store.undo("orders", "2024-02")
    assert open_lines(store, "2024-02") == {"A1": 6, "A2": 3, "A3": 2, "A5": 2}


def test_the_bulk_action_on_the_data_page(tmp_path, monkeypatch):
    """The Data page: after February's load, the stale-lines check offers to close them."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from stocklens.store import Store

    st.cache_data.clear()
    st.cache_resource.clear()
    path = tmp_path / "store"
    monkeypatch.setenv("STOCKLENS_STORE", str(path))
    with Store(path) as s:
        load_orders(s, tmp_path, "2024-01", JANUARY)
    feb = write_csv(tmp_path, ORDERS_HEADER + "\n" + FEBRUARY, "feb_upload")
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120)
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="uploads").set_value([("orders_2024-02.csv", feb.read_bytes(), "text/csv")]).run()
    next(b for b in at.button if b.label.startswith("Load as")).click().run()
    button = at.button(key="close_unlisted_2024-02")
    assert button.label == "Close these 3 lines as of 2024-02"
    assert button.disabled  # until the user says the file lists every open line
    at.checkbox(key="close_unlisted_ok_2024-02").check().run()
    at.button(key="close_unlisted_2024-02").click().run()
    assert not at.exception
    assert any("Closed by absence as of 2024-02: 3 lines" in e.value.replace("\\", "") for e in at.success)
    with Store(path) as s:
        assert open_lines(s, "2024-02") == {"A2": 3}
    st.cache_data.clear()
    st.cache_resource.clear()
