"""The CLI's reading commands (kpis, reorder, months) open the store read-only when it holds this
version's facts and definitions: several may read at once, and none needs the writer lock. A store
an older version built is opened read-write (and brought up to date); a store the dashboard holds
is refused with what to do."""
from __future__ import annotations

import json
import subprocess
import sys

import duckdb

from stocklens import facts, kpis
from stocklens.store import DB_FILE, PROJECT_ROOT, Store, load_file

ORDERS = "order_id,sku,order_date,qty_ordered,qty_shipped,ship_date\n"


def _store(tmp_path):
    """January: 10 of A ordered on 01-10, 4 shipped on 01-15 (6 open); 5 of A on hand at 2.00."""
    (tmp_path / "o.csv").write_text(ORDERS + "C1,A,2024-01-10,10,4,2024-01-15\n")
    (tmp_path / "s.csv").write_text("sku,qty_on_hand,unit_cost\nA,5,2\n")
    path = tmp_path / "store"
    with Store(path) as store:
        load_file(store, tmp_path / "o.csv", dataset="orders", month="2024-01")
        load_file(store, tmp_path / "s.csv", dataset="stock", month="2024-01")
        read_write = kpis.kpis_for_month(store, "2024-01")  # computed and stored
    return path, read_write


def _start(*args):
    return subprocess.Popen([sys.executable, "-m", "stocklens", *map(str, args)], cwd=PROJECT_ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_read_only_kpis_at_once_while_another_process_reads(tmp_path):
    path, read_write = _store(tmp_path)
    assert (read_write["backlog_units"], read_write["inventory_value"]) == (6, 10.0)  # 10 - 4; 5 x 2.00
    # This process holds the file read-only: a read-write open elsewhere would be refused (one
    # writer, and no writer beside readers), so the commands succeed only if they read read-only.
    holder = duckdb.connect(str(path / DB_FILE), read_only=True)
    try:
        runs = [_start("kpis", "--month", "2024-01", "--json", "--store", path) for _ in range(2)]
        runs.append(_start("months", "--json", "--store", path))
        outputs = [run.communicate(timeout=120) + (run.returncode,) for run in runs]
    finally:
        holder.close()
    for out, err, code in outputs:
        assert code == 0, err
    assert json.loads(outputs[0][0]) == json.loads(outputs[1][0]) == read_write
    assert [r["month"] for r in json.loads(outputs[2][0])] == ["2024-01", "2024-01"]


def test_a_store_an_older_version_built_is_opened_read_write_and_brought_up_to_date(tmp_path):
    path, read_write = _store(tmp_path)
    con = duckdb.connect(str(path / DB_FILE))
    con.execute("update meta set value = 1 where key = 'facts_version'")
    con.execute("delete from meta where key = 'layers_hash'")  # as before this version recorded it
    con.close()
    run = subprocess.run([sys.executable, "-m", "stocklens", "kpis", "--month", "2024-01", "--json",
                          "--store", path], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == read_write
    with Store(path, read_only=True) as store:  # rebuilt and recorded: the next reads are read-only
        assert store.is_current()
        assert store.query("select value from meta where key = 'facts_version'").item() == facts.FACTS_VERSION


def test_while_the_dashboard_holds_the_store_the_command_says_what_to_do(tmp_path):
    path, _ = _store(tmp_path)
    dashboard = Store(path)  # read-write, as the running dashboard's process
    dashboard.data_version()
    try:
        run = subprocess.run([sys.executable, "-m", "stocklens", "kpis", "--month", "2024-01", "--json",
                              "--store", path], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    finally:
        dashboard.close()
    assert run.returncode == 3
    assert "open for writing in another stocklens process (usually the running dashboard)" in run.stderr
    assert "Read the figures on the dashboard" in run.stderr and "Nothing was changed" in run.stderr
    assert "Traceback" not in run.stderr
