"""Month figures: each month's result of the month-grain KPI queries is stored per view (the
standard view's right after the load that changes it), read back by trends, and recomputed
exactly when a load, undo, delete, product master or settings change can alter it."""
from __future__ import annotations

import math

from stocklens import kpis, results, service, settings
from stocklens.store import Store

ORDERS = "order_id,sku,order_date,qty_ordered,qty_shipped,ship_date,promised_date\n"


def _write(folder, name, text):
    path = folder / name
    path.write_text(text)
    return path


def _stored(store) -> set[tuple[str, str]]:
    """(query, month) of the stored figures."""
    return set(store.query("select query, report_month from stored_results").iter_rows())


def _figure(store, query: str, month: str, column: str):
    """A value as the dashboard reads it (through the stored figures)."""
    frame = kpis.run(store, query, kpis.Context(month, settings.load(store)))
    return frame[column].item()


def _january_and_february(f) -> tuple[Store, object]:
    """A store with January's orders (10 ordered 01-10, 4 shipped 01-15) and February's (9
    shipped by 02-05), no promised date."""
    store = Store(f / "store")
    service.load_file(store, _write(f, "o1.csv", ORDERS + "C1,A,2024-01-10,10,4,2024-01-15,\n"),
                      dataset="orders", month="2024-01")
    service.load_file(store, _write(f, "o2.csv", ORDERS + "C1,A,2024-01-10,10,9,2024-02-05,\n"),
                      dataset="orders", month="2024-02")
    return store, f


def test_a_load_stores_the_figures_of_the_months_it_changes(tmp_path):
    store = Store(tmp_path / "store")
    f = tmp_path
    # January: 10 ordered on 01-10, promised 01-20, 4 shipped on 01-15: 6 open, past due at 01-31.
    service.load_file(store, _write(f, "o1.csv", ORDERS + "C1,A,2024-01-10,10,4,2024-01-15,2024-01-20\n"),
              dataset="orders", month="2024-01")
    stored_queries = results.MONTH_GRAIN + results.MONTH_AGGREGATES
    assert _stored(store) == {(q, "2024-01") for q in stored_queries}
    assert _figure(store, "backlog_totals", "2024-01", "backlog_units") == 6
    assert _figure(store, "backlog_totals", "2024-01", "past_due_units") == 6
    assert _figure(store, "fill_rate", "2024-01", "is_provisional") is True
    assert _figure(store, "fill_rate", "2024-01", "fill_rate_units") == 0.4  # 4 of 10 by the due date

    # February's orders: 5 more shipped on 02-05. February's figures are stored, January's fill
    # rate is recomputed (no longer provisional), January's other figures are kept as they were.
    before = store.query("select query, computed_at from stored_results where report_month = '2024-01'")
    service.load_file(store, _write(f, "o2.csv", ORDERS + "C1,A,2024-01-10,10,9,2024-02-05,2024-01-20\n"),
              dataset="orders", month="2024-02")
    assert _stored(store) == {(q, m) for q in stored_queries for m in ("2024-01", "2024-02")}
    after = dict(store.query("select query, computed_at from stored_results where report_month = '2024-01'")
                 .iter_rows())
    for query, computed_at in before.iter_rows():
        assert (after[query] != computed_at) == (query == "fill_rate"), query
    assert _figure(store, "fill_rate", "2024-01", "is_provisional") is False
    assert _figure(store, "backlog_totals", "2024-02", "backlog_units") == 1
    bridge = kpis.run(store, "backlog_bridge", kpis.Context("2024-02")).row(0, named=True)
    assert (bridge["opening"], bridge["shipped"], bridge["closing"]) == (6, 5, 1)

    # A trend reads the stored months, in month order, equal to a computation from scratch.
    ctx = kpis.Context("2024-02")
    for query in results.MONTH_GRAIN:
        stored = kpis.run(store, query, ctx, months=["2024-01", "2024-02"])
        computed = kpis.run(store, query, ctx, cached=False, months=["2024-01", "2024-02"])
        assert stored.equals(computed), query
    assert kpis.run(store, "backlog_totals", ctx, months=["2024-01", "2024-02"])["backlog_units"].to_list() == [6, 1]


def test_replace_undo_delete_and_stock_recompute_the_stored_figures(tmp_path):
    store, f = _january_and_february(tmp_path)
    assert _figure(store, "backlog_totals", "2024-02", "backlog_units") == 1
    # replacing February: all 10 shipped -> nothing open
    service.load_file(store, _write(f, "o2b.csv", ORDERS + "C1,A,2024-01-10,10,10,2024-02-06,\n"),
              dataset="orders", month="2024-02")
    assert _figure(store, "backlog_totals", "2024-02", "backlog_units") == 0
    # February's stock: 0 on hand of A, demand 0 -> no backorders; undo the orders: demand 1 again
    service.load_file(store, _write(f, "s2.csv", "sku,qty_on_hand,unit_cost\nA,0,3\n"), dataset="stock",
                      month="2024-02")
    assert _figure(store, "backorder_totals", "2024-02", "backorder_units") == 0
    assert _figure(store, "inventory_turnover", "2024-02", "cogs") == 18  # 6 units shipped in Feb x 3
    service.undo(store, "orders", "2024-02")
    assert _figure(store, "backlog_totals", "2024-02", "backlog_units") == 1
    assert _figure(store, "backorder_totals", "2024-02", "backorder_units") == 1
    assert _figure(store, "inventory_turnover", "2024-02", "cogs") == 15  # 5 units x 3
    # deleting February's orders: unknown again, and January is provisional again
    service.delete_month(store, "orders", "2024-02")
    assert _figure(store, "backlog_totals", "2024-02", "backlog_units") is None
    assert _figure(store, "backorder_totals", "2024-02", "backorder_units") is None
    assert _figure(store, "fill_rate", "2024-01", "is_provisional") is True


def test_settings_change_and_filters(tmp_path):
    store = Store(tmp_path / "store")
    # ordered 01-10 without a promised date, nothing shipped: due 01-10 + promise days
    service.load_file(store, _write(tmp_path, "o.csv", ORDERS + "C1,A,2024-01-10,8,0,,\n"
                                                      "C2,B,2024-01-10,2,0,,\n"),
              dataset="orders", month="2024-01")
    service.load_file(store, _write(tmp_path, "p.csv", "sku,category\nA,Tools\nB,Paint\n"), dataset="products")
    # default 7 promise days: due 01-17, before 01-31 -> all 10 past due
    assert _figure(store, "backlog_totals", "2024-01", "past_due_units") == 10
    settings.save(store, settings.Settings(default_promise_days=30))  # due 02-09: none past due
    assert store.query("select count(*) from stored_results").item() == 0  # forgotten on save
    assert _figure(store, "backlog_totals", "2024-01", "past_due_units") == 0
    assert _stored(store) == {("backlog_totals", "2024-01")}  # computed on first use, then kept
    # a filtered view's figures are its own: computed from the lines, then kept under their key
    tools_ctx = kpis.Context("2024-01", settings.load(store), kpis.Filters(categories=("Tools",)))
    assert kpis.run(store, "backlog_totals", tools_ctx)["backlog_units"].item() == 8
    assert store.query("select count(*) from stored_results where query = 'backlog_totals'").item() == 2
    assert kpis.run(store, "backlog_totals", tools_ctx)["backlog_units"].item() == 8  # read back
    assert _figure(store, "backlog_totals", "2024-01", "backlog_units") == 10
    # a new product master forgets every view's figures (categories may have changed)
    service.load_file(store, _write(tmp_path, "p2.csv", "sku,category\nA,Paint\nB,Tools\n"), dataset="products")
    assert kpis.run(store, "backlog_totals", tools_ctx)["backlog_units"].item() == 2


def test_month_figures_agree_with_computing_on_the_demo(demo_store_copy):
    store = Store(demo_store_copy)
    month = store.months()[-1]
    ctx = kpis.Context(month, settings.load(store))
    trend = kpis.window(month, 13)
    for query in results.MONTH_GRAIN + results.MONTH_AGGREGATES:
        extra = {"months": trend} if query in results.MONTH_GRAIN else {}
        stored = kpis.run(store, query, ctx, **extra)
        computed = kpis.run(store, query, ctx, cached=False, **extra)
        assert stored.columns == computed.columns and stored.height == computed.height, query
        for column in stored.columns:
            for a, b in zip(stored[column].to_list(), computed[column].to_list()):
                if isinstance(a, float) and isinstance(b, float):
                    assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (query, column)
                else:
                    assert a == b, (query, column)


def test_a_settings_change_stores_the_trend_and_the_latest_two_months_lists(tmp_path):
    store = Store(tmp_path / "store")
    for month, shipped in (("2024-01", 0), ("2024-02", 2), ("2024-03", 4)):
        service.load_file(store, _write(tmp_path, f"o{month}.csv",
                                        ORDERS + f"C1,A,2024-01-10,5,{shipped},2024-01-15,\n"),
                          dataset="orders", month=month)
    service.save_settings(store, settings.Settings(default_promise_days=30))
    stored = _stored(store)
    # the trend's month-grain figures of every month; the lists of March and of February (the comparison)
    assert stored == {(q, m) for q in results.MONTH_GRAIN for m in ("2024-01", "2024-02", "2024-03")} | \
        {(q, m) for q in results.MONTH_AGGREGATES for m in ("2024-02", "2024-03")}
    # January's lists are computed at their first view, with the new settings: 5 open, due 02-09
    bridge = kpis.run(store, "backlog_bridge", kpis.Context("2024-01", settings.load(store))).row(0, named=True)
    assert (bridge["new"], bridge["closing"]) == (5, 5)
    assert ("backlog_bridge", "2024-01") in _stored(store)


def _stored_rows(store) -> set[tuple]:
    return set(store.query("select query, params_key, report_month, computed_at from stored_results").iter_rows())


def test_undoing_the_latest_load_restores_the_figures_it_made_stale(tmp_path):
    """An undo that directly follows its load brings back the data the forgotten figures were
    computed on: they are restored (the same rows, computed_at included), not computed again."""
    store, f = _january_and_february(tmp_path)
    before = _stored_rows(store)
    # replacing February (all 10 shipped) forgets February's figures and January's fill rate
    service.load_file(store, _write(f, "o2b.csv", ORDERS + "C1,A,2024-01-10,10,10,2024-02-06,\n"),
                      dataset="orders", month="2024-02")
    assert _figure(store, "backlog_totals", "2024-02", "backlog_units") == 0
    assert _stored_rows(store) != before
    service.undo(store, "orders", "2024-02")
    assert _stored_rows(store) == before
    assert store.query("select count(*) from shelved_results").item() == 0
    # and they are right: 10 ordered, 9 shipped by 02-05 -> 1 open; as computed from the lines
    assert _figure(store, "backlog_totals", "2024-02", "backlog_units") == 1
    ctx = kpis.Context("2024-02", settings.load(store))
    for query in results.MONTH_GRAIN:
        stored = kpis.run(store, query, ctx, months=["2024-01", "2024-02"])
        assert stored.equals(kpis.run(store, query, ctx, cached=False, months=["2024-01", "2024-02"])), query
    for query in results.MONTH_AGGREGATES:
        assert kpis.run(store, query, ctx).equals(kpis.run(store, query, ctx, cached=False)), query


def test_a_change_between_a_load_and_its_undo_leaves_nothing_to_restore(tmp_path):
    """Figures forgotten by a load are computed on the data of that moment: after any other
    change (here February's stock, which makes its backorders known), its undo computes them."""
    store, f = _january_and_february(tmp_path)
    assert _figure(store, "backorder_totals", "2024-02", "backorder_units") is None  # no stock file
    service.load_file(store, _write(f, "o2b.csv", ORDERS + "C1,A,2024-01-10,10,10,2024-02-06,\n"),
                      dataset="orders", month="2024-02")
    for settings_change in (False, True):
        if settings_change:  # the same with a settings change between them
            service.load_file(store, _write(f, "o2b.csv", ORDERS + "C1,A,2024-01-10,10,10,2024-02-06,\n"),
                              dataset="orders", month="2024-02")
            # 60 days to promise: ordered 01-10 without a promised date, due 03-10, not past due
            settings.save(store, settings.Settings(default_promise_days=60))
        else:
            service.load_file(store, _write(f, "s2.csv", "sku,qty_on_hand,unit_cost\nA,0,3\n"), dataset="stock",
                              month="2024-02")
        service.undo(store, "orders", "2024-02")
        # 1 open of A against 0 on hand: 1 backordered, known now that February's stock is loaded
        assert _figure(store, "backorder_totals", "2024-02", "backorder_units") == 1
        assert _figure(store, "backlog_totals", "2024-02", "backlog_units") == 1
        assert _figure(store, "backlog_totals", "2024-02", "past_due_units") == (0 if settings_change else 1)
