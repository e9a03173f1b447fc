"""The store: atomic month replacement (even under kill -9), idempotent re-upload, undo, delete,
the archive of original bytes, the load log, remembered mappings, and a store held by another
process. Real DuckDB files in a temporary folder; the CLI runs in real subprocesses.

Fixtures: orders_2024-03_v1.csv holds M1 (A, 10 ordered, 4 shipped 2024-03-05, 2.50) and M2
(B, 3 ordered, 4.00); orders_2024-03_v2.csv is the same month exported later: M1 fully shipped
2024-03-20, M2 1 shipped 2024-03-25, and a new M3 (C, 7 ordered, 1.00).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stocklens.importer import prepare
from stocklens.store import Store, load_file

PROJECT_ROOT = Path(__file__).resolve().parent.parent
D = dt.date

LINES = "select order_id, sku, qty_ordered, qty_shipped, ship_date, unit_price from orders order by order_id"
V1_LINES = [("M1", "A", 10.0, 4.0, D(2024, 3, 5), 2.5), ("M2", "B", 3.0, 0.0, None, 4.0)]
V2_LINES = [("M1", "A", 10.0, 10.0, D(2024, 3, 20), 2.5), ("M2", "B", 3.0, 1.0, D(2024, 3, 25), 4.0),
            ("M3", "C", 7.0, 0.0, None, 1.0)]


def test_versions_of_a_month_replace_each_other(store, fixtures):
    _, first = load_file(store, fixtures / "orders_2024-03_v1.csv", dataset="orders")
    assert store.query(LINES).rows() == V1_LINES
    _, second = load_file(store, fixtures / "orders_2024-03_v2.csv", dataset="orders")
    assert second.status == "loaded" and second.replaced_load_id == first.load_id
    assert store.query(LINES).rows() == V2_LINES
    assert store.data_version() == 2
    # The superseded version's rows stay in the table (for undo) but not in the orders view.
    assert store.query("select count(*) from order_lines").item() == 5
    assert store.query("select load_id, state from loads order by load_id").rows() == [
        (first.load_id, "superseded"), (second.load_id, "active")]


def test_kill_9_inside_the_transaction_leaves_the_previous_version(tmp_path, fixtures, snapshot):
    store_dir = tmp_path / "store"
    with Store(store_dir) as s:
        load_file(s, fixtures / "orders_2024-03_v1.csv", dataset="orders")
        before = snapshot(s)
    env = {k: v for k, v in os.environ.items() if not k.startswith("STOCKLENS_")}
    env["STOCKLENS_TEST_PAUSE_BEFORE_COMMIT"] = "30"
    proc = subprocess.Popen(
        [sys.executable, "-m", "stocklens", "load", str(fixtures / "orders_2024-03_v2.csv"),
         "--dataset", "orders", "--store", str(store_dir)],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        seen, deadline = "", time.monotonic() + 60
        while "transaction open, pausing before commit" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            line = proc.stdout.readline()
            if not line:
                break
            seen += line
        assert "transaction open, pausing before commit" in seen, (seen, proc.poll())
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL

    with Store(store_dir) as s:
        # Exactly the state before: version 1 of March, no trace of version 2 in any table.
        assert snapshot(s) == before
        assert s.query(LINES).rows() == V1_LINES
        # And the store still works: loading version 2 again succeeds.
        _, result = load_file(s, fixtures / "orders_2024-03_v2.csv", dataset="orders")
        assert result.status == "loaded"
        assert s.query(LINES).rows() == V2_LINES
        assert s.data_version() == before["data_version"] + 1


def test_identical_re_upload_changes_nothing(store, fixtures, tmp_path, snapshot):
    _, first = load_file(store, fixtures / "orders_2024-03_v1.csv", dataset="orders")
    before = snapshot(store)
    _, again = load_file(store, fixtures / "orders_2024-03_v1.csv", dataset="orders")
    assert again.status == "unchanged" and again.load_id == first.load_id and again.rows_stored == 2
    # The same bytes under another name are the same upload too.
    copy = tmp_path / "march copy.csv"
    copy.write_bytes((fixtures / "orders_2024-03_v1.csv").read_bytes())
    _, renamed = load_file(store, copy, dataset="orders")
    assert renamed.status == "unchanged"
    assert snapshot(store) == before  # same data_version, no new load row
    # Read differently (every line shipped), the same bytes are a new version.
    _, shipped = load_file(store, fixtures / "orders_2024-03_v1.csv", dataset="orders", all_shipped=True)
    assert shipped.status == "loaded" and shipped.replaced_load_id == first.load_id
    assert store.data_version() == before["data_version"] + 1


def test_identical_re_upload_through_the_cli(tmp_path, fixtures, cli):
    store_dir = tmp_path / "store"
    args = ("load", fixtures / "orders_2024-03_v1.csv", "--dataset", "orders", "--store", store_dir)
    first = cli(*args)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Loaded orders_2024-03_v1.csv as orders 2024-03: 2 rows read, 2 stored (load 1).")
    again = cli(*args)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == ("orders_2024-03_v1.csv: identical to the orders already loaded for "
                                    "2024-03 (load 1); nothing changed.")
    with Store(store_dir) as s:
        assert s.data_version() == 1
        assert s.query("select count(*) from loads").item() == 1


def test_undo_brings_back_the_previous_version(store, fixtures):
    _, first = load_file(store, fixtures / "orders_2024-03_v1.csv", dataset="orders")
    v1_rows = store.query("select * exclude (load_id) from orders order by all").rows()
    load_file(store, fixtures / "orders_2024-03_v2.csv", dataset="orders")
    load_file(store, fixtures / "orders_2024-04.csv", dataset="orders")
    version = store.data_version()

    assert store.undo("orders", "2024-03") == first.load_id
    assert store.query("select * exclude (load_id) from orders where month = '2024-03' order by all").rows() == v1_rows
    assert store.query(LINES).rows()[:2] == V1_LINES
    assert store.data_version() == version + 1
    assert store.query("select file_name, state from loads order by load_id").rows() == [
        ("orders_2024-03_v1.csv", "active"), ("orders_2024-03_v2.csv", "undone"),
        ("orders_2024-04.csv", "active")]
    # The undone version's rows are gone from the table, not only hidden.
    assert store.query("select count(*) from order_lines where month = '2024-03'").item() == 2
    # April is untouched.
    assert store.query("select order_id from orders where month = '2024-04'").rows() == [("M4",)]


def test_undo_of_the_only_version_empties_the_month(store, fixtures):
    load_file(store, fixtures / "orders_2024-03_v1.csv", dataset="orders")
    load_file(store, fixtures / "orders_2024-04.csv", dataset="orders")
    assert store.undo("orders", "2024-03") is None
    assert store.months("orders") == ["2024-04"]
    assert store.query("select count(*) from order_lines where month = '2024-03'").item() == 0
    with pytest.raises(ValueError, match="nothing to undo: no orders loaded for 2024-03"):
        store.undo("orders", "2024-03")


def test_undo_through_the_cli(tmp_path, fixtures, cli):
    store_dir = tmp_path / "store"
    with Store(store_dir) as s:
        load_file(s, fixtures / "orders_2024-03_v1.csv", dataset="orders")
        load_file(s, fixtures / "orders_2024-03_v2.csv", dataset="orders")
    out = cli("undo", "--dataset", "orders", "--month", "2024-03", "--store", store_dir)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Undone: orders 2024-03 is back to load 1."
    with Store(store_dir) as s:
        assert s.query(LINES).rows() == V1_LINES


def test_delete_month(store, fixtures):
    _, v1 = load_file(store, fixtures / "orders_2024-03_v1.csv", dataset="orders")
    _, v2 = load_file(store, fixtures / "orders_2024-03_v2.csv", dataset="orders")
    load_file(store, fixtures / "orders_2024-04.csv", dataset="orders")
    archived = [store.path / p for p in store.query(
        "select archive_path from loads where month = '2024-03' order by load_id").get_column("archive_path")]
    version = store.data_version()

    # Both versions of March go.
    assert store.delete_month("orders", "2024-03") == 2
    assert store.months("orders") == ["2024-04"]
    assert store.query("select distinct month from order_lines").rows() == [("2024-04",)]
    assert store.query("select load_id, state from loads where month = '2024-03' order by load_id").rows() == [
        (v1.load_id, "deleted"), (v2.load_id, "deleted")]
    assert store.data_version() == version + 1
    # Undo cannot bring a deleted month back; its files stay archived.
    with pytest.raises(ValueError):
        store.undo("orders", "2024-03")
    assert all(p.is_file() for p in archived)
    with pytest.raises(ValueError, match="nothing to delete"):
        store.delete_month("orders", "2024-03")


def test_original_bytes_are_archived(store, fixtures):
    # A UTF-16 file: the archive must hold the bytes as uploaded, not the decoded text.
    path = fixtures / "orders_tab_utf16.txt"
    original = path.read_bytes()
    load_file(store, path, dataset="orders")
    sha, archive_path = store.query("select sha256, archive_path from loads").row(0)
    assert sha == hashlib.sha256(original).hexdigest()
    archived = store.path / archive_path
    assert archived.is_file() and archived.suffix == ".txt"
    assert archived.read_bytes() == original
    assert hashlib.sha256(archived.read_bytes()).hexdigest() == sha


def test_load_log(store, fixtures):
    t0 = dt.datetime.now() - dt.timedelta(seconds=5)
    _, first = load_file(store, fixtures / "orders_2024-03_v1.csv", dataset="orders")
    load_file(store, fixtures / "orders_duplicates.csv", dataset="orders", month="2024-03")
    t1 = dt.datetime.now() + dt.timedelta(seconds=5)
    log = store.query(
        "select dataset, month, file_name, rows_read, rows_stored, findings, loaded_at, state, ended_at "
        "from loads order by load_id").rows(named=True)
    assert [(r["dataset"], r["month"], r["file_name"], r["rows_read"], r["rows_stored"], r["state"])
            for r in log] == [
        ("orders", "2024-03", "orders_2024-03_v1.csv", 2, 2, "superseded"),
        # 4 rows read, 3 lines stored (two rows of D1/A summed).
        ("orders", "2024-03", "orders_duplicates.csv", 4, 3, "active"),
    ]
    assert json.loads(log[0]["findings"]) == []
    assert {f["kind"]: f["count"] for f in json.loads(log[1]["findings"])} == {"zero_price": 1, "duplicated_lines": 2}
    assert all(t0 <= r["loaded_at"] <= t1 for r in log)
    assert log[0]["ended_at"] is not None and log[1]["ended_at"] is None
    # The summary of what is loaded: one row per active month, with its earlier versions counted.
    loaded = store.loaded().select("dataset", "month", "file_name", "rows_stored", "count_findings",
                                   "count_earlier_versions").rows()
    assert loaded == [("orders", "2024-03", "orders_duplicates.csv", 3, 2, 1)]


def test_mapping_given_once_is_remembered_for_the_same_layout(tmp_path, fixtures, cli):
    store_dir = tmp_path / "store"
    april = fixtures / "erp_layout_2024-04.csv"
    # None of Beleg, Teilenummer, Belegdatum, Stueckzahl is a known synonym: alone, refused.
    alone = prepare(april.read_bytes(), april.name, dataset="orders")
    assert alone.refused and alone.problems[0].kind == "missing_column"

    first = cli("load", fixtures / "erp_layout_2024-03.csv", "--dataset", "orders", "--store", store_dir,
                "--map", "Beleg=order_id", "--map", "Teilenummer=sku", "--map", "Belegdatum=order_date",
                "--map", "Stueckzahl=qty_ordered")
    assert first.returncode == 0, first.stderr
    second = cli("load", april, "--dataset", "orders", "--store", store_dir)
    assert second.returncode == 0, second.stderr
    assert ("Columns: Beleg -> order_id, Teilenummer -> sku, Belegdatum -> order_date, "
            "Stueckzahl -> qty_ordered") in second.stdout
    with Store(store_dir) as s:
        # April: E3 (A, 4) and E4 (C, 2 + 1 = 3 from two rows); March: E1 and E2 as mapped.
        assert s.query("select month, order_id, sku, order_date, qty_ordered from orders "
                       "order by month, order_id").rows() == [
            ("2024-03", "E1", "A", D(2024, 3, 4), 2.0), ("2024-03", "E2", "B", D(2024, 3, 9), 5.0),
            ("2024-04", "E3", "A", D(2024, 4, 1), 4.0), ("2024-04", "E4", "C", D(2024, 4, 15), 3.0)]
        assert s.query("select count(*) from mappings").item() == 1


def test_cli_refuses_a_store_held_by_another_process(store, fixtures, cli, snapshot):
    load_file(store, fixtures / "orders_2024-03_v1.csv", dataset="orders")
    before = snapshot(store)
    # This test process holds the store read-write (as the running dashboard would).
    held = store.cursor()
    try:
        out = cli("load", fixtures / "orders_2024-03_v2.csv", "--dataset", "orders", "--store", store.path)
    finally:
        held.close()
    assert out.returncode != 0
    assert "is open in another stocklens process" in out.stderr
    assert "Nothing was changed." in out.stderr
    assert "Traceback" not in out.stderr
    store.close()
    # Released: the store is intact, and the same load now goes through.
    with Store(store.path) as s:
        assert snapshot(s) == before
    ok = cli("load", fixtures / "orders_2024-03_v2.csv", "--dataset", "orders", "--store", store.path)
    assert ok.returncode == 0, ok.stderr
    with Store(store.path) as s:
        assert s.query(LINES).rows() == V2_LINES


def test_facts_built_by_another_version_are_rebuilt_when_the_store_opens(tmp_path):
    from stocklens import kpis

    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "orders_jan.csv").write_text(
        "order_id,sku,order_date,qty_ordered,qty_shipped,ship_date\n"
        "R1,A,2024-01-05,10,4,2024-01-20\n")   # 6 open at the end of January
    (folder / "orders_feb.csv").write_text(
        "order_id,sku,order_date,qty_ordered,qty_shipped,ship_date\n"
        "R1,A,2024-01-05,10,9,2024-02-10\n")   # 5 more shipped on 02-10: 1 open
    (folder / "stock_feb.csv").write_text("sku,qty_on_hand,unit_cost\nA,0,2\n")  # 1 backordered
    store = Store(tmp_path / "store")
    load_file(store, folder / "orders_jan.csv", dataset="orders", month="2024-01")
    load_file(store, folder / "orders_feb.csv", dataset="orders", month="2024-02")
    load_file(store, folder / "stock_feb.csv", dataset="stock", month="2024-02")
    before = kpis.kpis_for_month(store, "2024-02")
    assert before["backlog_units"] == 1 and before["bridge"]["shipped"] == 5 and before["backorder_units"] == 1
    # Simulate a store whose facts another version built: wrong events, no facts, an old version,
    # and order lines stored before they carried a line_uid (facts version 5 and older).
    cur = store.cursor()
    cur.execute("update order_lines set shipped_increment = 0")
    cur.execute("alter table order_lines drop column line_uid")
    cur.execute("delete from line_facts")
    cur.execute("delete from stock_on_hand")
    cur.execute("update meta set value = 0 where key = 'facts_version'")
    store.close()
    reopened = Store(tmp_path / "store")
    assert kpis.kpis_for_month(reopened, "2024-02") == before


def test_the_old_cache_tables_are_dropped_and_the_stored_results_table_created(tmp_path):
    """A store of the version before: month_figures and result_cache held the stored results (only
    caches): opening it drops them and creates stored_results."""
    import duckdb

    path = tmp_path / "store"
    with Store(path) as new:
        new.data_version()
    con = duckdb.connect(str(path / "stocklens.duckdb"))
    con.execute("drop table stored_results")
    con.execute("create table month_figures (query varchar, report_month varchar)")
    con.execute("create table result_cache (cache_key varchar, max_month varchar)")
    con.close()
    with Store(path) as store:
        tables = set(store.query("select table_name from duckdb_tables()")["table_name"])
        assert "stored_results" in tables and not {"month_figures", "result_cache"} & tables


def _facts_snapshot(store: Store) -> dict:
    """Every fact table's rows and every stored version's events, in a canonical order (a line's
    shipment events are listed in no particular order)."""
    from stocklens import facts

    cur = store.cursor()
    out = {"events": cur.execute("select load_id, line_uid, shipped_increment, shipped_on, cancelled_increment "
                                 "from order_lines order by all").fetchall()}
    for spec in facts._FAMILIES.values():
        for table in spec["tables"]:
            rows = cur.table(table).fetchall()
            out[table] = sorted(repr(tuple(sorted(v, key=repr) if isinstance(v, list) else v for v in r))
                                for r in rows)
    cur.close()
    return out


def test_undoing_the_latest_load_leaves_the_facts_a_rebuild_makes(tmp_path):
    """Undoing the latest change skips recomputing the re-activated month's events (they are as
    they were before it) but not the later months': a past month replaced, then undone, leaves
    exactly the events and facts that a rebuild from the stored versions computes."""
    from stocklens import facts, service

    head = "order_id,sku,order_date,qty_ordered,qty_shipped,ship_date\n"
    files = {"jan": "R1,A,2024-01-05,10,4,2024-01-20\n",      # 4 shipped in January
             "feb": "R1,A,2024-01-05,10,6,2024-02-10\n",      # 2 more in February
             "feb2": "R1,A,2024-01-05,10,9,2024-02-12\n",     # replacement: 5 more in February
             "mar": "R1,A,2024-01-05,10,10,2024-03-03\n"}     # all shipped in March
    for name, body in files.items():
        (tmp_path / f"{name}.csv").write_text(head + body)
    store = Store(tmp_path / "store")
    for name, month in (("jan", "2024-01"), ("feb", "2024-02"), ("mar", "2024-03")):
        service.load_file(store, tmp_path / f"{name}.csv", dataset="orders", month=month)
    before = _facts_snapshot(store)
    service.load_file(store, tmp_path / "feb2.csv", dataset="orders", month="2024-02")
    # March's version now adds 10 - 9 = 1 shipped unit (it added 10 - 6 = 4)
    assert store.query("select shipped_increment from orders where month = '2024-03'").item() == 1
    service.undo(store, "orders", "2024-02")
    assert store.query("select shipped_increment from orders where month = '2024-03'").item() == 4
    undone = _facts_snapshot(store)
    assert undone == before
    cur = store.cursor()
    cur.execute("begin transaction")
    facts.rebuild_all(cur)
    cur.execute("commit")
    cur.close()
    assert _facts_snapshot(store) == before


def test_undoing_a_replacement_of_the_latest_month_restores_its_facts(tmp_path):
    """Replacing the latest month shelves its line facts; undoing that load (the latest change)
    puts them back instead of building them again, leaving what a rebuild makes. After any other
    change the shelf is empty and the undo builds them."""
    from stocklens import facts, service

    head = "order_id,sku,order_date,qty_ordered,qty_shipped,ship_date\n"
    # R3 is in January's file only: February carries it, its attributes those of its January version
    files = {"jan": "R1,A,2024-01-05,10,4,2024-01-20\nR3,C,2024-01-07,3,0,\n",
             "feb": "R1,A,2024-01-05,10,6,2024-02-10\nR2,B,2024-02-03,5,0,\n",
             "feb2": "R1,A,2024-01-05,10,9,2024-02-12\nR2,B,2024-02-03,5,5,2024-02-20\n",
             "stock": "sku,qty_on_hand,unit_cost\nA,1,2\n"}
    for name, body in files.items():
        (tmp_path / f"{name}.csv").write_text(head + body if name != "stock" else body)
    store = Store(tmp_path / "store")
    service.load_file(store, tmp_path / "jan.csv", dataset="orders", month="2024-01")
    service.load_file(store, tmp_path / "feb.csv", dataset="orders", month="2024-02")
    before = _facts_snapshot(store)["line_facts"]

    def open_units():
        return store.query("select sum(open_qty) from line_facts where report_month = '2024-02'").item()

    def rebuild():
        cur = store.cursor()
        cur.execute("begin transaction")
        facts.rebuild_all(cur)
        cur.execute("commit")
        cur.close()

    service.load_file(store, tmp_path / "feb2.csv", dataset="orders", month="2024-02")
    # February's facts before the replacement are on the shelf: R1 10 - 6 = 4 open, R2 5, R3 3
    assert sorted(store.query("select open_qty from shelved_line_events").to_series().to_list()) == [3, 4, 5]
    assert open_units() == 4  # now R1 10 - 9, R2 all shipped, R3 3
    # what the undo puts back is the shelf: altered on purpose, the alteration shows
    cur = store.cursor()
    cur.execute("update shelved_line_events set open_qty = open_qty + 100")
    cur.close()
    service.undo(store, "orders", "2024-02")
    assert open_units() == 312
    assert store.query("select count(*) from shelved_line_events").item() == 0
    rebuild()
    assert open_units() == 12 and _facts_snapshot(store)["line_facts"] == before

    # unaltered, the undo leaves the facts of before the replacement, as a rebuild makes them
    service.load_file(store, tmp_path / "feb2.csv", dataset="orders", month="2024-02")
    service.undo(store, "orders", "2024-02")
    assert _facts_snapshot(store)["line_facts"] == before

    # a change in between (February's stock) empties the shelf: the undo builds February
    service.load_file(store, tmp_path / "feb2.csv", dataset="orders", month="2024-02")
    service.load_file(store, tmp_path / "stock.csv", dataset="stock", month="2024-02")
    assert store.query("select count(*) from shelved_line_events").item() == 0
    service.undo(store, "orders", "2024-02")
    assert open_units() == 12 and _facts_snapshot(store)["line_facts"] == before



def test_undoing_a_replacement_of_the_latest_po_month_restores_its_supplier_facts(tmp_path):
    """Replacing the latest PO month shelves its supplier facts (12 months of PO versions to read
    again); undoing that load while it is the latest change puts them back, and after any other
    change the undo builds them."""
    from stocklens import service

    head = "po_id,line_id,sku,supplier,order_date,expected_date,received_date,qty_ordered,qty_received\n"
    files = {
        # Q1 due 04-20, received 04-21: late; Q2 due 05-10, 5 of 20 by then: late
        "may": "Q1,1,A,S1,2024-04-01,2024-04-20,2024-04-21,10,10\nQ2,1,A,S1,2024-04-10,2024-05-10,2024-05-08,20,5\n",
        # Q3 due 06-10, received in full on 06-10: on time in full
        "jun": "Q2,1,A,S1,2024-04-10,2024-05-10,2024-06-03,20,20\nQ3,1,B,S1,2024-05-20,2024-06-10,2024-06-10,5,5\n",
        # the same month exported again: Q3 not received yet, so late
        "jun2": "Q2,1,A,S1,2024-04-10,2024-05-10,2024-06-03,20,20\nQ3,1,B,S1,2024-05-20,2024-06-10,,5,0\n",
    }
    for name, body in files.items():
        (tmp_path / f"{name}.csv").write_text(head + body)
    (tmp_path / "orders.csv").write_text("order_id,sku,order_date,qty_ordered\nO1,A,2024-06-01,5\n")
    store = Store(tmp_path / "store")
    service.load_file(store, tmp_path / "may.csv", dataset="purchase_orders", month="2024-05")
    service.load_file(store, tmp_path / "jun.csv", dataset="purchase_orders", month="2024-06")
    before = _facts_snapshot(store)["po_supplier_facts"]

    def otif_lines():  # June's lines due and received in full by their expected date, per SKU
        return store.query("select sku, count_lines_due, count_lines_otif from po_supplier_facts "
                           "where report_month = '2024-06' order by sku").rows()

    assert otif_lines() == [("A", 2, 0), ("B", 1, 1)]
    service.load_file(store, tmp_path / "jun2.csv", dataset="purchase_orders", month="2024-06")
    assert otif_lines() == [("A", 2, 0), ("B", 1, 0)]
    # June's figures before the replacement are on the shelf
    assert store.query("select sku, count_lines_otif from shelved_po_supplier_facts order by sku").rows() == [
        ("A", 0), ("B", 1)]
    # what the undo puts back is the shelf: altered on purpose, the alteration shows
    cur = store.cursor()
    cur.execute("update shelved_po_supplier_facts set count_lines_otif = count_lines_otif + 100")
    cur.close()
    service.undo(store, "purchase_orders", "2024-06")
    assert otif_lines() == [("A", 2, 100), ("B", 1, 101)]
    assert store.query("select count(*) from shelved_po_supplier_facts").item() == 0

    # a change in between (an orders upload) empties the shelf: the undo builds June's figures
    service.load_file(store, tmp_path / "jun2.csv", dataset="purchase_orders", month="2024-06")
    service.load_file(store, tmp_path / "orders.csv", dataset="orders", month="2024-06")
    assert store.query("select count(*) from shelved_po_supplier_facts").item() == 0
    service.undo(store, "purchase_orders", "2024-06")
    assert otif_lines() == [("A", 2, 0), ("B", 1, 1)] and _facts_snapshot(store)["po_supplier_facts"] == before

    # unaltered, the undo leaves the figures of before the replacement
    service.load_file(store, tmp_path / "jun2.csv", dataset="purchase_orders", month="2024-06")
    service.undo(store, "purchase_orders", "2024-06")
    assert _facts_snapshot(store)["po_supplier_facts"] == before
    store.close()

def test_rows_deleted_by_a_replacement_stay_deleted_after_a_checkpoint_without_merges(tmp_path, fixtures):
    """The store's checkpoints do not merge partly deleted row groups (max_vacuum_tasks 0, see
    Store._connect): replacing March deletes March's and April's facts, which share row groups
    with the rows kept; after a checkpoint and a reopen, only the kept and the new rows read back."""
    store = Store(tmp_path / "store")
    load_file(store, fixtures / "orders_2024-03_v1.csv", dataset="orders")
    load_file(store, fixtures / "orders_2024-04.csv", dataset="orders")
    load_file(store, fixtures / "orders_2024-03_v2.csv", dataset="orders")
    assert store.row("select current_setting('max_vacuum_tasks')")[0] == 0
    store.cursor().execute("checkpoint")
    store.close()

    store = Store(tmp_path / "store")
    try:
        assert store.query(LINES).rows() == V2_LINES + [("M4", "A", 1.0, 0.0, None, 2.5)]
        # March as v2 reports it: M1 shipped in full (open 0), M2 open 3 - 1 = 2, M3 open 7.
        # April: M4's 1 open, and M2 and M3 carried open (April's file does not list them).
        assert store.query("select report_month, order_id, open_qty from line_facts order by all").rows() == [
            ("2024-03", "M1", 0.0), ("2024-03", "M2", 2.0), ("2024-03", "M3", 7.0),
            ("2024-04", "M2", 2.0), ("2024-04", "M3", 7.0), ("2024-04", "M4", 1.0)]
    finally:
        store.close()
