"""Two sessions of one dashboard process at once (issue 9): writes take turns, and a figure
computed while a load commits is never kept after it.

The load's transaction is held open with the store's fault-injection pause
(STOCKLENS_TEST_PAUSE_BEFORE_COMMIT), so that the other session's work falls inside it every time,
not by chance."""
from __future__ import annotations

import threading
import time

import pytest

from stocklens import audit, kpis
from stocklens.errors import WriteInProgress
from stocklens.store import Store, load_file

ORDERS = "order_id,sku,order_date,qty_ordered,qty_shipped,ship_date,customer\n"
PAUSE = "STOCKLENS_TEST_PAUSE_BEFORE_COMMIT"


def _write(folder, name, text):
    path = folder / name
    path.write_text(text)
    return path


def _wait_for_pause(capsys, timeout=60.0) -> None:
    """Until the loading thread says its transaction is open and pausing before commit."""
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen += capsys.readouterr().out
        if "pausing before commit" in seen:
            return
        time.sleep(0.02)
    raise AssertionError("the load never reached its pause")


def _in_thread(fn, *args, **kwargs):
    errors: list[BaseException] = []

    def target():
        try:
            fn(*args, **kwargs)
        except BaseException as exc:  # the test asserts on it
            errors.append(exc)

    t = threading.Thread(target=target)
    t.start()
    return t, errors


@pytest.fixture
def two_months(tmp_path):
    """January and February of one customer's order: 10 units of A ordered in January, none shipped."""
    store = Store(tmp_path / "store")
    load_file(store, _write(tmp_path, "o1.csv", ORDERS + "SO1,A,2024-01-10,10,0,,CUST-0020\n"),
              dataset="orders", month="2024-01")
    load_file(store, _write(tmp_path, "o2.csv", ORDERS + "SO1,A,2024-01-10,10,0,,CUST-0020\n"),
              dataset="orders", month="2024-02")
    yield store
    store.close()


def test_a_filtered_view_computed_while_a_load_commits_is_not_kept(two_months, tmp_path, monkeypatch, capsys):
    store = two_months
    ctx = kpis.Context("2024-02", filters=kpis.Filters(customers=("CUST-0020",)))
    # February replaced: 7 of the 10 shipped on 2024-02-12, so 3 stay open.
    replacement = _write(tmp_path, "o2b.csv", ORDERS + "SO1,A,2024-01-10,10,7,2024-02-12,CUST-0020\n")
    monkeypatch.setenv(PAUSE, "1.5")
    loader, errors = _in_thread(load_file, store, replacement, dataset="orders", month="2024-02")
    _wait_for_pause(capsys)
    # Another session views February with a filter while the load's transaction is open: it
    # sees the data before the load (10 open), the load's invalidation cannot see its result.
    assert kpis.run(store, "backlog_by_customer", ctx)["backlog_units"].to_list() == [10]
    assert kpis.run(store, "backlog_totals", ctx)["backlog_units"].to_list() == [10]
    loader.join()
    assert errors == []
    # After the load: 10 - 7 = 3 open, in every later view and after a restart.
    assert kpis.run(store, "backlog_by_customer", ctx)["backlog_units"].to_list() == [3]
    assert kpis.run(store, "backlog_totals", ctx)["backlog_units"].to_list() == [3]
    store.close()
    reopened = Store(store.path)
    try:
        assert kpis.run(reopened, "backlog_by_customer", ctx)["backlog_units"].to_list() == [3]
        assert kpis.run(reopened, "backlog_totals", ctx)["backlog_units"].to_list() == [3]
    finally:
        reopened.close()


def test_a_result_of_an_older_data_version_is_refused_when_stored(two_months):
    store = two_months
    ctx = kpis.Context("2024-02", filters=kpis.Filters(customers=("CUST-0020",)))
    before = store.data_version()
    frame = kpis.run(store, "backlog_by_customer", ctx, cached=False)
    store.save_results("backlog_by_customer", "k-old", {"2024-02": frame}, 1.0, before - 1)
    store.save_results("backlog_by_customer", "k-now", {"2024-02": frame}, 1.0, before)
    kept = store.query("select params_key, data_version from stored_results where params_key like 'k-%'")
    assert kept.rows() == [("k-now", before)]


def test_two_sessions_loading_at_once_take_turns(two_months, tmp_path, monkeypatch, capsys):
    store = two_months
    march = _write(tmp_path, "o3.csv", ORDERS + "SO1,A,2024-01-10,10,10,2024-03-02,CUST-0020\n")
    april = _write(tmp_path, "o4.csv", ORDERS + "SO2,B,2024-04-03,4,0,,CUST-0021\n")
    monkeypatch.setenv(PAUSE, "1.0")
    first, first_errors = _in_thread(load_file, store, march, dataset="orders", month="2024-03", actor="ann")
    _wait_for_pause(capsys)
    # The second load starts while the first's transaction is open: it waits its turn.
    second, second_errors = _in_thread(load_file, store, april, dataset="orders", month="2024-04", actor="bob")
    first.join()
    second.join()
    assert first_errors == [] and second_errors == []
    assert store.months("orders") == ["2024-01", "2024-02", "2024-03", "2024-04"]
    # 10 shipped in March: nothing open; April adds SO2's 4 units.
    assert kpis.kpis_for_month(store, "2024-03")["backlog_units"] == 0
    assert kpis.kpis_for_month(store, "2024-04")["backlog_units"] == 4
    loads = [(e["user"], e["target"]) for e in audit.read(store.path) if e["action"] == "load"]
    assert loads[:2] == [("bob", "orders 2024-04"), ("ann", "orders 2024-03")]  # newest first


def test_a_write_that_cannot_wait_says_who_is_writing_and_changes_nothing(two_months, tmp_path, monkeypatch,
                                                                          capsys):
    store = two_months
    march = _write(tmp_path, "o3.csv", ORDERS + "SO1,A,2024-01-10,10,10,2024-03-02,CUST-0020\n")
    monkeypatch.setenv(PAUSE, "1.5")
    loader, errors = _in_thread(load_file, store, march, dataset="orders", month="2024-03", actor="ann")
    _wait_for_pause(capsys)
    store.write_wait = 0.2
    with pytest.raises(WriteInProgress, match=r"a load of orders 2024-03 by ann.*Nothing was changed"):
        store.undo("orders", "2024-02", actor="bob")
    loader.join()
    assert errors == []
    # February still has its one version: the undo did not happen.
    assert store.history("orders", "2024-02")["state"].to_list() == ["active"]
    assert [e["action"] for e in audit.read(store.path)][:1] == ["load"]
