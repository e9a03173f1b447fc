"""The demo store: built through the real importer, and coherent enough to show every KPI.

Each check is computed independently of the generator, from the store's tables (SQL) or from
the CSV files it wrote, so that a broken generator fails here rather than in a demo.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import statistics
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from stocklens.demo import write_demo_files, write_demo_store
from stocklens.store import Store


def expected_months(today: dt.date) -> list[str]:
    """The 24 months ending with the month before today's."""
    out, y, m = [], today.year, today.month
    for _ in range(24):
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        out.append(f"{y:04d}-{m:02d}")
    return out[::-1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    store = Store(root / "store")
    today = dt.date.today()
    started = time.perf_counter()
    summary = write_demo_store(store, seed=7, folder=root / "files")
    seconds = time.perf_counter() - started
    yield SimpleNamespace(store=store, files=root / "files", summary=summary, seconds=seconds,
                          months=expected_months(today))
    store.close()


def q(demo, sql: str, params: dict | None = None):
    return demo.store.query(sql, params).rows()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def checksums(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


def test_builds_in_well_under_a_minute(demo):
    assert demo.seconds < 60
    assert demo.months[0] in demo.summary and demo.months[-1] in demo.summary


def test_24_months_of_every_monthly_dataset_and_the_product_master(demo):
    assert demo.store.months("orders") == demo.months
    assert demo.store.months("stock") == demo.months
    assert demo.store.months("purchase_orders") == demo.months
    skus, categories, suppliers, with_cost, with_lead = q(demo, """
        select count(*), count(distinct category), count(distinct supplier), count(unit_cost),
               count(lead_time_days) from products""")[0]
    assert 250 <= skus <= 350
    assert 5 <= categories <= 7
    assert 6 <= suppliers <= 10
    assert with_cost == skus and with_lead == skus
    # every SKU ordered or stocked is in the master
    assert q(demo, "select count(*) from (select sku from orders union select sku from stock) "
                   "where sku not in (select sku from products)")[0][0] == 0


def test_order_lines_per_month_in_range_and_as_in_the_files(demo):
    stored = dict(q(demo, "select month, count(*) from orders group by month"))
    for month in demo.months:
        rows = read_csv(demo.files / f"orders_{month}.csv")
        assert stored[month] == len(rows), month  # one row per line: nothing merged or lost
        assert 2000 <= stored[month] <= 4000, (month, stored[month])


def test_partial_shipments_and_cancellations(demo):
    partial, cancelled, cancelled_whole, shipped_then_cancelled = q(demo, """
        select count(*) filter (where qty_shipped > 0 and qty_shipped < qty_ordered),
               count(*) filter (where qty_cancelled > 0),
               count(*) filter (where qty_cancelled = qty_ordered and qty_shipped = 0),
               count(*) filter (where qty_shipped > 0 and qty_cancelled > 0)
        from orders""")[0]
    assert partial >= 24
    assert cancelled >= 100
    assert cancelled_whole > 0 and shipped_then_cancelled > 0
    # cumulative quantities never exceed the order
    assert q(demo, "select count(*) from orders where qty_shipped + qty_cancelled > qty_ordered")[0][0] == 0


def test_some_lines_are_re_promised_between_months(demo):
    changed = q(demo, """
        select count(distinct (a.order_id, a.line_key)) from orders a join orders b
          on a.order_id = b.order_id and a.line_key = b.line_key and a.month < b.month
        where a.promised_date <> b.promised_date""")[0][0]
    assert changed >= 10


def test_open_lines_reappear_until_closed(demo):
    # A line open at the end of month M (not the last) is in M+1's file too.
    months = demo.months
    nxt = {m: n for m, n in zip(months, months[1:])}
    open_lines = q(demo, "select month, order_id, line_key from orders "
                         "where qty_shipped + qty_cancelled < qty_ordered and month < $last",
                   {"last": months[-1]})
    present = set(q(demo, "select month, order_id, line_key from orders"))
    missing = [r for r in open_lines if (nxt[r[0]], r[1], r[2]) not in present]
    assert open_lines and not missing


def test_leading_zero_skus_are_kept_as_text(demo):
    master = [r["SKU"] for r in read_csv(demo.files / "products.csv")]
    assert any(s.startswith("00") for s in master)
    assert sorted(master) == sorted(r[0] for r in q(demo, "select sku from products"))
    for table, query in (
        ("orders", "select count(distinct sku) filter (where sku like '0%'), "
                   "count(*) filter (where length(sku) <> 5) from orders"),
        ("stock", "select count(distinct sku) filter (where sku like '0%'), "
                  "count(*) filter (where length(sku) <> 5) from stock"),
    ):
        zero, bad = q(demo, query)[0]
        assert zero > 0 and bad == 0, table


def test_stock_has_locations_and_drifting_costs(demo):
    locations, missing_cost = q(demo, "select count(distinct location), count(*) - count(unit_cost) from stock")[0]
    assert locations >= 3 and missing_cost == 0
    first, last = demo.months[0], demo.months[-1]
    changed = q(demo, """
        select count(*) from (select sku, avg(unit_cost) c from stock where month = $a group by sku) x
        join (select sku, avg(unit_cost) c from stock where month = $b group by sku) y using (sku)
        where x.c <> y.c""", {"a": first, "b": last})[0][0]
    assert changed > 100


def test_a_slow_mover_has_stock_and_no_shipment_in_180_days(demo):
    last = demo.months[-1]
    end = dt.date(int(last[:4]), int(last[5:7]), 1).replace(day=28) + dt.timedelta(days=4)
    end = end - dt.timedelta(days=end.day)  # the month's last day
    slow = q(demo, """
        with on_hand as (select sku, sum(qty_on_hand) as qty from stock where month = $last group by sku),
             shipped as (select sku, max(ship_date) as last_ship from orders where qty_shipped > 0 group by sku)
        select o.sku from on_hand o left join shipped s using (sku)
        where o.qty > 0 and (s.last_ship is null or s.last_ship <= $end - interval 180 day)""",
             {"last": last, "end": end})
    assert len(slow) >= 1


def test_chronic_backorders(demo):
    last12 = demo.months[-12:]
    # For each month M, the latest version as of M of every line seen up to M gives open demand.
    frequent = q(demo, """
        with as_of as (select unnest($months) as m),
        versions as (
            select a.m, o.sku, o.qty_ordered - o.qty_shipped - o.qty_cancelled as open_qty,
                   row_number() over (partition by a.m, o.order_id, o.line_key order by o.month desc) as rn
            from as_of a join orders o on o.month <= a.m
            where o.qty_ordered > 0),
        demand as (select m, sku, sum(greatest(open_qty, 0)) as qty from versions where rn = 1 group by m, sku),
        on_hand as (select month as m, sku, greatest(sum(qty_on_hand), 0) as qty from stock group by month, sku)
        select d.sku, count(*) as months_backordered
        from demand d left join on_hand h using (m, sku)
        where d.qty > coalesce(h.qty, 0)
        group by d.sku having count(*) >= 3""", {"months": last12})
    assert len(frequent) >= 3


def test_stock_moves_with_receipts_and_shipments(demo):
    """on hand(M) = on hand(M-1) + received in M - shipped in M, per SKU, from the three files."""
    rows = q(demo, """
        with stock_sum as (select month, sku, sum(qty_on_hand) as qty from stock group by month, sku),
        shipped as (
            select month, sku, sum(qty_shipped - coalesce(prev, 0)) as qty from (
                select month, sku, qty_shipped,
                       lag(qty_shipped) over (partition by order_id, line_key order by month) as prev
                from orders) group by month, sku),
        received as (
            select month, sku, sum(coalesce(qty_received, 0) - coalesce(prev, 0)) as qty from (
                select month, sku, qty_received,
                       lag(qty_received) over (partition by po_id, line_id order by month) as prev
                from purchase_orders) group by month, sku),
        months as (select month, lag(month) over (order by month) as prev_month
                   from (select distinct month from stock))
        select m.month, s.sku, s.qty - p.qty as delta,
               coalesce(r.qty, 0) - coalesce(x.qty, 0) as flow
        from months m
        join stock_sum s on s.month = m.month
        join stock_sum p on p.month = m.prev_month and p.sku = s.sku
        left join received r on r.month = m.month and r.sku = s.sku
        left join shipped x on x.month = m.month and x.sku = s.sku
        where m.prev_month is not null""")
    assert len(rows) >= 23 * 250
    wrong = [r for r in rows if abs(r[2] - r[3]) > 1e-6]
    assert not wrong, wrong[:5]
    assert sum(abs(r[3]) for r in rows) > 0


# --- purchasing (issue 10): what the Replenishment and Suppliers pages show ---------------------

def test_some_skus_are_bought_from_two_suppliers(demo):
    """A second source takes part of the volume: SKUs whose PO lines of the last 12 months name
    two suppliers, the second (smaller) one with 10% to 60% of their ordered units."""
    rows = q(demo, """
        with lines as (
            select po_id, line_id, any_value(sku) as sku, any_value(supplier) as supplier,
                   arg_max(qty_ordered, month) as qty
            from purchase_orders where month >= $first group by po_id, line_id),
        per_supplier as (select sku, supplier, sum(qty) as qty from lines group by sku, supplier)
        select sku, count(*) as suppliers, min(qty) / sum(qty) as smaller_share
        from per_supplier group by sku having count(*) > 1""", {"first": demo.months[-12]})
    assert len(rows) >= 10
    assert all(r[1] == 2 for r in rows)
    shares = sorted(r[2] for r in rows)
    assert 0.1 <= shares[len(shares) // 2] <= 0.6, shares  # the median SKU
    # the product master names one supplier per SKU: the main one, with most of the volume
    assert q(demo, "select count(*) from products where supplier is null")[0][0] == 0


def test_backorders_partly_on_no_po_at_most_month_ends(demo):
    """uncovered(s, M) = max(0, backorder(s, M) - on order(s, M)): backorder = open demand -
    on hand (as test_chronic_backorders), on order = the open units of every PO line's latest
    version as of M. Some backorder is uncovered at 18 or more of the 24 month ends, and some is
    covered too (POs are open for backordered SKUs)."""
    rows = q(demo, """
        with as_of as (select unnest($months) as m),
        versions as (
            select a.m, o.sku, o.qty_ordered - o.qty_shipped - o.qty_cancelled as open_qty,
                   row_number() over (partition by a.m, o.order_id, o.line_key order by o.month desc) as rn
            from as_of a join orders o on o.month <= a.m
            where o.qty_ordered > 0),
        demand as (select m, sku, sum(greatest(open_qty, 0)) as qty from versions where rn = 1 group by m, sku),
        on_hand as (select month as m, sku, greatest(sum(qty_on_hand), 0) as qty from stock group by month, sku),
        backorders as (
            select d.m, d.sku, d.qty - coalesce(h.qty, 0) as units
            from demand d left join on_hand h using (m, sku) where d.qty > coalesce(h.qty, 0)),
        po_versions as (
            select a.m, p.sku, greatest(p.qty_ordered - coalesce(p.qty_received, 0), 0) as open_qty,
                   row_number() over (partition by a.m, p.po_id, p.line_id order by p.month desc) as rn
            from as_of a join purchase_orders p on p.month <= a.m),
        on_order as (select m, sku, sum(open_qty) as qty from po_versions where rn = 1 group by m, sku)
        select b.m, sum(greatest(b.units - coalesce(o.qty, 0), 0)) as uncovered,
               sum(least(b.units, coalesce(o.qty, 0))) as covered
        from backorders b left join on_order o using (m, sku)
        group by b.m""", {"months": demo.months})
    assert len(rows) == 24
    assert sum(1 for r in rows if r[1] > 0) >= 18, rows
    assert all(r[2] > 0 for r in rows)


def po_line_outcomes(demo) -> list[tuple]:
    """Per supplier, from the PO files: (supplier, lines due in the last 12 months, of them received
    in full by the expected date, mean days order -> full receipt, mean master lead time of its
    SKUs). A line's expected date is its latest version's; it is received in full by it when a
    version with qty_received >= qty_ordered is dated (received_date) on or before it."""
    return q(demo, """
        with latest as (
            select po_id, line_id, arg_max(supplier, month) as supplier, arg_max(sku, month) as sku,
                   arg_max(expected_date, month) as expected_date, arg_max(order_date, month) as order_date,
                   arg_max(qty_ordered, month) as qty
            from purchase_orders group by po_id, line_id),
        full_receipt as (
            select po_id, line_id, min(received_date) as received_date
            from purchase_orders where qty_received >= qty_ordered group by po_id, line_id),
        lines as (
            select l.*, f.received_date, p.lead_time_days
            from latest l left join full_receipt f using (po_id, line_id)
            join products p on p.sku = l.sku)
        select supplier,
               count(*) filter (where expected_date between $start and $end) as due,
               count(*) filter (where expected_date between $start and $end and received_date <= expected_date),
               avg(received_date - order_date) filter (where received_date is not null),
               avg(lead_time_days)
        from lines group by supplier order by supplier""",
             {"start": dt.date(int(demo.months[-12][:4]), int(demo.months[-12][5:7]), 1),
              "end": dt.date.fromisoformat(f"{demo.months[-1]}-01").replace(day=28) + dt.timedelta(days=4)})


def test_suppliers_differ_in_reliability(demo):
    """One supplier delivers nearly every line on time and in full, one rarely does, and one takes
    on average three weeks or more longer than the product master's lead times of its SKUs."""
    suppliers = po_line_outcomes(demo)
    assert len(suppliers) == 8 and all(r[1] >= 100 for r in suppliers)
    otif = {r[0]: r[2] / r[1] for r in suppliers}
    slower = {r[0]: r[3] - r[4] for r in suppliers}
    best, worst, slowest = max(otif, key=otif.get), min(otif, key=otif.get), max(slower, key=slower.get)
    assert otif[best] >= 0.9 and otif[worst] <= 0.3, otif
    assert slower[slowest] >= 18, slower
    assert len({best, worst, slowest}) == 3  # three different profiles
    assert 0.4 <= statistics.median(otif.values()) <= 0.8, otif  # the others: in between


def test_a_few_po_lines_have_no_expected_date_until_confirmed(demo):
    """A handful of PO lines per file have no expected date (not confirmed by the supplier at the
    month end); the next month's file gives them one."""
    blank = {}
    for month in demo.months:
        rows = read_csv(demo.files / f"purchase_orders_{month}.csv")
        assert all(r["Supplier"] for r in rows)
        blank[month] = [(r["PO Number"], r["Line"]) for r in rows if not r["Expected Date"]]
        assert len(blank[month]) <= max(10, len(rows) // 50), month
    assert sum(len(v) for v in blank.values()) >= 24
    for month, following in zip(demo.months, demo.months[1:]):
        dated = {(r["PO Number"], r["Line"]): r["Expected Date"]
                 for r in read_csv(demo.files / f"purchase_orders_{following}.csv")}
        assert all(dated.get(key) for key in blank[month]), month


def test_only_the_few_deliberate_imperfections_are_reported(demo):
    counts: dict[str, int] = {}
    for (findings,) in q(demo, "select findings from loads where state = 'active'"):
        for f in json.loads(findings or "[]"):
            counts[f["kind"]] = counts.get(f["kind"], 0) + f["count"]
    # two free-of-charge lines (listed again while still open) and one stock row at the wrong warehouse
    assert set(counts) == {"zero_price", "negative_stock"}
    assert 2 <= counts["zero_price"] <= 6 and counts["negative_stock"] == 1


def test_same_seed_same_files(demo, tmp_path):
    today = dt.date.today()
    write_demo_files(tmp_path / "again", seed=7, today=today)
    assert checksums(tmp_path / "again") == checksums(demo.files)
    write_demo_files(tmp_path / "other", seed=8, today=today)
    assert checksums(tmp_path / "other") != checksums(demo.files)
