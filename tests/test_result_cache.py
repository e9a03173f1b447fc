"""The store's result cache: a repeated query is read back, and a change of data forgets exactly
the results it can alter (a month's figures use only uploads of that month and earlier).
The standard view's month figures (tests/test_month_figures.py) are not in it: these tests
cache lists (backlog by customer, open lines) and filtered views."""
from __future__ import annotations

from stocklens import kpis, results
from stocklens.store import Store, load_file

ORDERS = "order_id,sku,order_date,qty_ordered,qty_shipped,ship_date\n"


def _write(folder, name, text):
    path = folder / name
    path.write_text(text)
    return path


def _view(store, month: str) -> None:
    """What a visit of the month caches: its KPI set, and lists of the Backlog page."""
    kpis.kpis_for_month(store, month)
    ctx = kpis.Context(month)
    kpis.run(store, "backlog_by_customer", ctx)
    kpis.run(store, "backlog_open_lines", ctx, limit=100)


def _cached_months(store) -> list[str]:
    """The months of the stored results other than month figures."""
    per_month = list(results.MONTH_GRAIN + results.MONTH_AGGREGATES)
    return sorted(set(store.query("select report_month from stored_results where not list_contains($q, query)",
                                  {"q": per_month})["report_month"].to_list()))


def test_results_are_cached_and_changes_forget_exactly_what_they_alter(tmp_path):
    store = Store(tmp_path / "store")
    f = tmp_path
    load_file(store, _write(f, "o1.csv", ORDERS + "C1,A,2024-01-10,5,0,\n"), dataset="orders", month="2024-01")
    load_file(store, _write(f, "o2.csv", ORDERS + "C1,A,2024-01-10,5,2,2024-02-03\n"), dataset="orders",
              month="2024-02")
    load_file(store, _write(f, "o3.csv", ORDERS + "C1,A,2024-01-10,5,4,2024-03-03\n"), dataset="orders",
              month="2024-03")
    for m in ("2024-01", "2024-02", "2024-03"):
        _view(store, m)
    assert _cached_months(store) == ["2024-01", "2024-02", "2024-03"]
    # a repeated query is the same frame, read back
    ctx = kpis.Context("2024-02")
    first = kpis.run(store, "backlog_by_customer", ctx)
    assert kpis.run(store, "backlog_by_customer", ctx).equals(first)
    assert first["backlog_units"].to_list() == [3]  # 5 ordered - 2 shipped by the end of February

    # Replacing March's orders forgets March and February (February's fill rate stops or starts
    # being provisional with March), keeps January.
    load_file(store, _write(f, "o3b.csv", ORDERS + "C1,A,2024-01-10,5,5,2024-03-04\n"), dataset="orders",
              month="2024-03")
    assert _cached_months(store) == ["2024-01"]
    assert kpis.kpis_for_month(store, "2024-03")["backlog_units"] == 0  # the new version, not the cached 1

    # A stock file of February forgets February and later, keeps January.
    for m in ("2024-02", "2024-03"):
        _view(store, m)
    load_file(store, _write(f, "s2.csv", "sku,qty_on_hand,unit_cost\nA,1,2\n"), dataset="stock", month="2024-02")
    assert _cached_months(store) == ["2024-01"]
    assert kpis.kpis_for_month(store, "2024-02")["backorder_units"] == 2  # demand 3 - on hand 1

    # A product master forgets everything (categories and fallback costs apply to every month).
    load_file(store, _write(f, "p.csv", "sku,category\nA,Tools\n"), dataset="products")
    assert _cached_months(store) == []
    filtered = kpis.kpis_for_month(store, "2024-02", filters=kpis.Filters(categories=("Tools",)))
    assert filtered["backlog_units"] == 3

    # Undo and delete forget like a load.
    kpis.kpis_for_month(store, "2024-03")
    store.undo("orders", "2024-03")
    assert kpis.kpis_for_month(store, "2024-03")["backlog_units"] == 1  # back to the first March file
    store.delete_month("orders", "2024-03")
    assert kpis.kpis_for_month(store, "2024-03")["backlog_units"] is None


def test_settings_are_part_of_the_key(tmp_path):
    from stocklens import settings

    store = Store(tmp_path / "store")
    load_file(store, _write(tmp_path, "o.csv", ORDERS + "C1,A,2024-01-10,5,0,\n"), dataset="orders",
              month="2024-01")
    # age 21 days at 01-31: bucket 0-30 by default, 16-30 with bounds 15, 30
    assert kpis.kpis_for_month(store, "2024-01")["age_buckets"]["0-30"] == 5
    settings.save(store, settings.Settings(age_bounds=(15, 30)))
    assert kpis.kpis_for_month(store, "2024-01")["age_buckets"] == {"0-15": 0, "16-30": 5, "31+": 0}


def test_invalidation_rules_on_the_one_table(store):
    """Each change forgets exactly its rows of stored_results: a month figure (backlog_totals,
    fill_rate, po_totals) per month, and a list (backlog_by_customer) under the latest month it
    reads, in January, February and March."""
    from stocklens import results

    queries = ("backlog_totals", "fill_rate", "po_totals", "backlog_by_customer")
    months = ("2024-01", "2024-02", "2024-03")

    def left_after(month, dataset):
        cur = store.cursor()
        cur.execute("delete from stored_results")
        cur.execute("insert into stored_results select q, 'k', m, ''::blob, now(), 0, 0 "
                    "from unnest($q) t(q), unnest($m) u(m)", {"q": list(queries), "m": list(months)})
        results.invalidate(cur, month, dataset)
        left = set(cur.execute("select query, report_month from stored_results").fetchall())
        cur.close()
        return {(q, m) for q in queries for m in months} - left  # what was forgotten

    everything = {(q, m) for q in queries for m in months}
    # orders of February: February on; of January, the fill rate and the list (provisional no more)
    assert left_after("2024-02", "orders") == {(q, m) for q in queries for m in ("2024-02", "2024-03")} | {
        ("fill_rate", "2024-01"), ("backlog_by_customer", "2024-01")}
    assert left_after("2024-02", "stock") == {(q, m) for q in queries for m in ("2024-02", "2024-03")}
    # purchase orders: of the month figures only po_totals; the list too
    assert left_after("2024-02", "purchase_orders") == {
        (q, m) for q in ("po_totals", "backlog_by_customer") for m in ("2024-02", "2024-03")}
    assert left_after(None, "products") == everything
    # settings: every month figure; a list is keyed by its parameters, settings included
    assert left_after(None, "settings") == {(q, m) for q in queries[:3] for m in months}
