"""The benchmark of issue 5: how fast stocklens stays as history grows.

    python -m stocklens.bench --lines 10000000 [--months 36] [--skus 50000] [--repeat 5]
                              [--out bench-results/bench.json] [--workdir DIR] [--keep]
                              [--history-check] [--load-lines 300000] [--warm-runs 3]
                              [--po-per-sku 3]

What it does, in order (everything under the work dir; a temporary one unless --workdir/--keep):

1. Generates a synthetic store, seeded and vectorised (numpy/polars): N order line *rows* (the
   versions stored over all monthly uploads, so about N/M rows per monthly file) spread over M
   months, with partial shipments, cancellations, returns, re-promised dates and lines that stay
   open across months (each monthly upload holds every line open at its month end or changed
   during the month, with cumulative quantities: kpi-book section 2); S SKUs with a skewed
   popularity (a few chronically short); one stock snapshot per month (one row per SKU, two
   locations for some, unit costs, a few rows without cost or negative); a product master with
   categories and suppliers; monthly purchase-order files (about --po-per-sku line versions per
   SKU each: 150,000 at 50,000 SKUs) of 150 suppliers of different reliability (mean delay -2 to
   12 days, spread, share of short deliveries whose rest follows later; one in ten confirms 10-30
   days more than the master's lead time), one SKU in ten with a second supplier, a few lines
   without expected date, each file holding the lines open at its month end or received during
   the month with cumulative receipts (drawn from a stream of their own: the other files are what
   they were without them). Files are written as CSV and loaded through the real importer
   (store.load_file), products first, then stock, orders and purchase orders month by month. Two
   extra orders files of exactly --load-lines lines are written for the load test: the month
   after the last one (a new month) and a re-export of the last month (a replacement); and two PO
   files: the month after the last, and the last month re-exported with one in ten of its open
   lines received in full on its last day.
2. Measures, each in a fresh subprocess (wall time and peak RSS from wait4), over --repeat runs:
   - `python -m stocklens load` of the new month, then of the replacement of the last month,
     each followed by `python -m stocklens undo` (timed too) so that every run starts from the
     same state, after one load and undo of each that are not measured (the store's pages in the
     OS cache, as on a machine in use);
     the same for a monthly PO file (the new month's, then the last month's re-export);
   - each dashboard page's full set of queries for the last month (registry.PAGES: Overview,
     Backlog, Backorders, Inventory, Replenishment, Suppliers; the
     Backorders page's history queries get the frequently-backordered top 20 / top 1 SKUs as
     the page does): cold = the first run in a new process with a new Store (reported as
     open + queries, without Python's import time; the process total is reported too), warm =
     the same queries again in that process (--warm-runs times; DuckDB's buffer pool warm).
     Both are computed: where the engine keeps a result cache in the store, it is emptied
     before each of these refreshes, as an upload does for the months it changes, so they are
     what the first view after an upload costs; the same refreshes read back from the cache
     are reported apart ("cached"). The month figures (results.MONTH_GRAIN results of the standard
     view, computed during each load for the months it changes, and timed in the load figures)
     are facts and stay; "on demand" refreshes empty them too, as a filtered view or the first
     view after a settings change once found them; "filtered view" refreshes run the page with
     a category filter (the category of the most SKUs), the stored month figures and result
     cache emptied before each: a filtered view's first view. "Cold" does not flush the OS
     file cache: the database file was just written and sits in it;
   - a settings change as the Settings page saves it (service.save_settings: a service level
     change, then back; each save recomputes the standard view's figures of the latest 13
     months, so the first view after it costs what "computed" does), in one process;
   - `python -m stocklens kpis --month M --json` as a whole process (computed, and cached);
   - kpis.kpis_for_month in process, cold and warm (the same KPI set as the pandas version).
3. Computes the same KPI set (the `kpis --json` object of the last month) with a plain pandas
   implementation, written the way Streamlit dashboards usually are: all order line versions
   and stock rows read into DataFrames once (st.cache_data style; timed apart), then per refresh
   filter, sort, groupby/shift, merge. Its backlog_units, backorder_units and inventory_value must
   agree with stocklens within 1e-6 (relative); every other KPI it computes is compared and
   reported (the purchase-order and forecast KPIs are not in the pandas version: listed apart).
4. The floor: one DuckDB scan of the columns the KPIs read (order_lines, stock_rows, po_lines).
5. Prints a table and writes the JSON (machine, versions, parameters, every figure, the issue's
   targets and whether each is met). --history-check also builds a store with the same lines
   per month over 12 months (--history-months) and reports each page's warm time over 36 months
   / over 12 months; the two stores' page processes alternate, so that a change in the load of
   a shared machine does not pass for an effect of history.

The targets are stated for 10,000,000 lines on the project's 2-core machine; at other sizes the
"met" flags only say how that run compares with them. Uses only stocklens' public API: Store,
load_file, kpis.run, registry.page_queries, kpis.kpis_for_month and the command line.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KPI_PAGES = ("overview", "backlog", "backorders", "inventory")  # the pages of the pandas KPI set
PAGES = KPI_PAGES + ("replenishment", "suppliers")
WARMUP_MONTHS = 12  # orders are simulated from this many months before the first stored month
END_MONTH = "2025-12"  # the last stored month (fixed, so that runs are comparable)
MARKER = ".stocklens-bench"
RESULT_PREFIX = "BENCH_RESULT "

TARGETS = {
    "page_warm_s": ("every page's queries for a month, warm", "<=", 0.300),
    "po_pages_warm_s": ("the Replenishment and Suppliers pages' queries, warm (worst of the two)", "<=", 0.300),
    "page_cold_s": ("every page's queries for a month, cold (new process, excluding Python imports)", "<=", 1.5),
    "load_300k_s": ("loading a 300,000-line monthly CSV (new month and replacing a month), process wall", "<=", 5.0),
    "undo_s": ("undoing that load (new month and replaced month), process wall", "<=", 2.0),
    "filtered_view_s": ("a filtered view: each page's queries with one category filter, on demand (worst page)",
                        "<=", 1.0),
    "settings_view_s": ("the first view after a settings change (worst page, warm computed: the save computes "
                        "the month figures)", "<=", 1.0),
    "pandas_ratio": ("page refresh vs the pandas implementation (pandas refresh / overview warm)", ">=", 10.0),
    "peak_memory_mb": ("peak memory (max RSS) of any stocklens process measured", "<=", 2048.0),
    "history_ratio": ("latest month's page time over 36 months / over 12 months (worst page, warm)", "<=", 1.5),
}
MUST_AGREE = ("backlog_units", "backorder_units", "inventory_value")

ORDER_HEADERS = ("Order ID", "Line", "SKU", "Order Date", "Qty Ordered", "Qty Shipped", "Ship Date",
                 "Qty Cancelled", "Promised Date", "Unit Price", "Customer", "Location", "Status")
STOCK_HEADERS = ("SKU", "Location", "Qty On Hand", "Unit Cost", "Snapshot Date")
PRODUCT_HEADERS = ("SKU", "Description", "Category", "Supplier", "Unit Cost", "Lead Time Days")
PO_HEADERS = ("PO Number", "Line", "SKU", "Supplier", "Order Date", "Expected Date", "Received Date",
              "Qty Ordered", "Qty Received", "Unit Cost")
LOCATIONS = ("WH-1", "WH-2", "WH-3")
N_SUPPLIERS = 150


# --- calendar ----------------------------------------------------------------------------------

def add_months(month: str, n: int) -> str:
    i = int(month[:4]) * 12 + int(month[5:7]) - 1 + n
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    start = dt.date(int(month[:4]), int(month[5:7]), 1)
    nxt = add_months(month, 1)
    return start, dt.date(int(nxt[:4]), int(nxt[5:7]), 1) - dt.timedelta(days=1)


def stored_months(months: int, end_month: str = END_MONTH) -> list[str]:
    return [add_months(end_month, i - months + 1) for i in range(months)]


# --- 1. synthetic data -------------------------------------------------------------------------

def _lines_and_versions(rng, n_orders: int, months: int, pop, chronic, by_metre, price, W: int):
    """Orders, their lines and each line's lifecycle, expanded into one row per (line, upload
    month) for months 0..months (month `months` is the one after the last stored month).
    Month index i is stored month i; -W..-1 are simulated before the first upload."""
    import numpy as np

    idx = np.arange(-W, months + 2)
    base = np.datetime64(add_months(END_MONTH, -(months - 1)), "M")
    starts = (base + idx).astype("datetime64[D]").astype(np.int64)
    mstart, mend = starts[:-1], starts[1:] - 1  # position p is month p - W
    INF = np.int64(10**9)

    # orders: month, day, customer, location; ids follow the order date
    n_cust = max(200, len(pop) // 5)
    cust_w = 1.0 / (np.arange(n_cust) + 3.0) ** 0.9
    o_month = rng.integers(-W, months + 1, n_orders)
    days_in_month = mend[o_month + W] - mstart[o_month + W] + 1
    o_day = mstart[o_month + W] + (rng.random(n_orders) * days_in_month).astype(np.int64)
    order = np.argsort(o_day, kind="stable")
    o_month, o_day = o_month[order], o_day[order]
    o_cust = rng.choice(n_cust, n_orders, p=cust_w / cust_w.sum())
    o_loc = rng.choice(len(LOCATIONS), n_orders, p=[0.5, 0.3, 0.2])
    sizes = np.minimum(rng.geometric(0.4, n_orders), 40)

    # lines
    line_order = np.repeat(np.arange(n_orders), sizes)
    L = line_order.size
    line_no = np.arange(L) - np.repeat(np.cumsum(sizes) - sizes, sizes) + 1
    sku = rng.choice(len(pop), L, p=pop)
    order_day = o_day[line_order]
    order_m = o_month[line_order]
    metre = by_metre[sku]
    # quantities in steps of 0.5 (by the metre) or 1: exact in binary, so that sums of events
    # close a line to exactly 0 in any order of addition
    q = np.where(metre, np.maximum(0.5, np.round(rng.lognormal(2.5, 0.8, L) * 2) / 2),
                 1.0 + rng.geometric(0.13, L))
    u = rng.random(L)
    is_return = u < 0.005
    full_cancel = (u >= 0.005) & (u < 0.02)
    part_cancel = (u >= 0.02) & (u < 0.06)
    stale = (u >= 0.06) & (u < 0.066)  # ships a part, the rest waits many months, then is cancelled

    k = rng.choice([1, 2, 3], L, p=[0.72, 0.20, 0.08])
    k = np.minimum(k, np.where(metre, q * 2, q).astype(np.int64))
    k = np.where(part_cancel | stale, 1, k)
    delay = np.where(chronic[sku], 40.0, 8.0)
    s1 = order_day + np.floor(rng.exponential(delay)).astype(np.int64)
    s2 = s1 + 1 + np.floor(rng.exponential(20.0, L)).astype(np.int64)
    s3 = s2 + 1 + np.floor(rng.exponential(20.0, L)).astype(np.int64)
    f1 = np.where(k == 2, rng.uniform(0.3, 0.8, L), rng.uniform(0.2, 0.5, L))
    f2 = f1 + rng.uniform(0.2, 0.4, L)

    def part(frac, low, high):
        raw = np.where(metre, np.floor(q * frac * 2) / 2, np.floor(q * frac))
        step = np.where(metre, 0.5, 1.0)
        return np.clip(raw, low + step, high - step)

    c1 = np.where(k == 1, q, part(f1, 0.0, q))
    c2 = np.where(k == 3, part(f2, c1, q), q)
    c3 = q
    # partial then cancelled / stale: the first shipment is a part only
    half = np.where(metre, np.floor(q) / 2, np.floor(q / 2))
    c1 = np.where(part_cancel | stale, half, c1)
    s2 = np.where(k >= 2, s2, INF)
    s3 = np.where(k == 3, s3, INF)
    s1 = np.where(full_cancel, INF, s1)
    s1 = np.where((part_cancel | stale) & (c1 <= 0), INF, s1)
    cancel_day = np.full(L, INF)
    cancel_day = np.where(full_cancel, order_day + np.floor(rng.exponential(20.0, L)).astype(np.int64), cancel_day)
    base_day = np.where(s1 < INF, s1, order_day)
    cancel_day = np.where(part_cancel, base_day + 1 + np.floor(rng.exponential(15.0, L)).astype(np.int64), cancel_day)
    cancel_day = np.where(stale, base_day + 60 + np.floor(rng.exponential(300.0, L)).astype(np.int64), cancel_day)
    cancel_qty = np.where(full_cancel, q, np.where(part_cancel | stale, q - np.where(s1 < INF, c1, 0.0), 0.0))
    # returns: a negative line, "shipped" back on its order date
    q = np.where(is_return, -q, q)
    s1 = np.where(is_return, order_day, s1)
    c1 = np.where(is_return, q, c1)
    s2 = np.where(is_return, INF, s2)
    s3 = np.where(is_return, INF, s3)
    cancel_day = np.where(is_return, INF, cancel_day)
    cancel_qty = np.where(is_return, 0.0, cancel_qty)

    last_event = np.maximum.reduce([np.where(s < INF, s, -INF) for s in (s1, s2, s3, cancel_day)])
    close_m = np.searchsorted(mstart, last_event, side="right") - 1 - W  # month index of the last event
    first_v = np.maximum(order_m, 0)
    last_v = np.minimum(np.maximum(close_m, order_m), months)
    count = np.clip(last_v - first_v + 1, 0, None)

    promised0 = order_day + 7 + rng.integers(0, 15, L)
    repromise = rng.random(L) < 0.3
    unit_price = np.round(price[sku] * rng.uniform(0.85, 1.0, L), 2)
    v = rng.random(L)
    unit_price = np.where(v < 0.005, np.nan, np.where(v < 0.007, 0.0, unit_price))

    # expand: one row per line and upload month
    li = np.repeat(np.arange(L), count)
    vm = first_v[li] + (np.arange(li.size) - np.repeat(np.cumsum(count) - count, count))
    E = mend[vm + W]
    shipped = np.where(s3[li] <= E, c3[li], np.where(s2[li] <= E, c2[li], np.where(s1[li] <= E, c1[li], 0.0)))
    ship_day = np.where(s3[li] <= E, s3[li], np.where(s2[li] <= E, s2[li], np.where(s1[li] <= E, s1[li], INF)))
    cancelled = np.where(cancel_day[li] <= E, cancel_qty[li], 0.0)
    promised = np.where(repromise[li] & (vm > order_m[li]),
                        np.maximum(promised0[li], mend[np.maximum(vm - 1, -W) + W] + 10), promised0[li])
    ql = q[li]
    status = np.where((cancelled > 0) & (shipped + cancelled >= ql), 3,
                      np.where((shipped >= ql) | (ql < 0), 2, np.where(shipped > 0, 1, 0)))
    return {
        "vm": vm.astype(np.int32), "oid": line_order[li].astype(np.int64), "line": line_no[li].astype(np.int32),
        "sku": sku[li].astype(np.int32), "order_day": order_day[li].astype(np.int32), "q": ql,
        "shipped": shipped, "ship_day": ship_day, "cancelled": cancelled, "promised": promised.astype(np.int32),
        "price": unit_price[li], "cust": o_cust[line_order[li]].astype(np.int32),
        "loc": o_loc[line_order[li]].astype(np.int8), "status": status.astype(np.int8),
        "new": (vm == order_m[li]),
    }, L


def _po_lines_and_versions(rng, n_lines: int, months: int, W: int, sku_p, supplier_of, second_of, lead_days,
                           monthly_units, cost, profile: dict):
    """Purchase order lines and their receipts, expanded like _lines_and_versions into one row per
    (PO line, upload month) for months 0..months: each monthly PO file holds the lines open at its
    month end or received during the month, with cumulative qty_received and the latest receipt
    date. A line goes to the SKU's supplier (the product master's) or, for SKUs with a second
    source, 30% of the time to that one; one PO per supplier and order day. Expected date = order
    date + the master's lead time + the supplier's extra confirmed days (0.3% blank); received on
    the expected date + the supplier's delay (normal, per-supplier mean and spread); a supplier's
    share of lines arrive short, the rest 1 to ~5 weeks later (2% of those 2 to 6 months later)."""
    import numpy as np

    idx = np.arange(-W, months + 2)
    base = np.datetime64(add_months(END_MONTH, -(months - 1)), "M")
    starts = (base + idx).astype("datetime64[D]").astype(np.int64)
    mstart, mend = starts[:-1], starts[1:] - 1  # position p is month p - W
    INF = np.int64(10**9)

    # lines ordered up to 6 months before the first upload may still be open in it
    o_month = rng.integers(-min(W, 6), months + 1, n_lines)
    days_in_month = mend[o_month + W] - mstart[o_month + W] + 1
    order_day = mstart[o_month + W] + (rng.random(n_lines) * days_in_month).astype(np.int64)
    sku = rng.choice(len(sku_p), n_lines, p=sku_p)
    to_second = (second_of[sku] > 0) & (rng.random(n_lines) < 0.3)
    supplier = np.where(to_second, second_of[sku], supplier_of[sku])
    expected = order_day + lead_days[sku] + profile["extra_days"][supplier]
    blank_expected = rng.random(n_lines) < 0.003
    delay = np.rint(rng.normal(profile["delay_mean"][supplier], profile["delay_sd"][supplier])).astype(np.int64)
    r1 = np.maximum(order_day + 1, expected + np.maximum(delay, -5))
    q = np.maximum(1.0, np.rint(monthly_units[sku] * rng.uniform(0.5, 1.5, n_lines)))
    short = (rng.random(n_lines) < profile["short_p"][supplier]) & (q >= 2)
    c1 = np.where(short, np.clip(np.floor(q * rng.uniform(0.4, 0.9, n_lines)), 1.0, q - 1), q)
    rest_days = np.where(rng.random(n_lines) < 0.02, 60 + rng.exponential(60.0, n_lines),
                         1 + rng.exponential(14.0, n_lines))
    r2 = np.where(short, r1 + np.floor(rest_days).astype(np.int64), INF)
    last_event = np.where(short, r2, r1)
    close_m = np.searchsorted(mstart, last_event, side="right") - 1 - W
    first_v = np.maximum(o_month, 0)
    last_v = np.minimum(np.maximum(close_m, o_month), months)
    count = np.clip(last_v - first_v + 1, 0, None)
    unit_cost = np.round(cost[sku] * rng.uniform(0.95, 1.05, n_lines), 2)

    # one PO per supplier and order day, its lines numbered 1, 2, ...
    order = np.lexsort((supplier, order_day))
    key = order_day[order] * (N_SUPPLIERS + 1) + supplier[order]
    change = np.concatenate(([True], key[1:] != key[:-1]))
    po_sorted = np.cumsum(change) - 1
    line_sorted = np.arange(n_lines) - np.flatnonzero(change)[po_sorted] + 1
    po, line = np.empty(n_lines, np.int64), np.empty(n_lines, np.int64)
    po[order], line[order] = po_sorted + 1, line_sorted

    li = np.repeat(np.arange(n_lines), count)
    vm = first_v[li] + (np.arange(li.size) - np.repeat(np.cumsum(count) - count, count))
    E = mend[vm + W]
    got1, got2 = r1[li] <= E, r2[li] <= E
    return {
        "vm": vm.astype(np.int32), "po": po[li], "line": line[li].astype(np.int32), "sku": sku[li].astype(np.int32),
        "supplier": supplier[li].astype(np.int32), "order_day": order_day[li].astype(np.int32),
        "expected": np.where(blank_expected[li], INF, expected[li]), "q": q[li],
        "received": np.where(got2, q[li], np.where(got1, c1[li], 0.0)),
        "recv_day": np.where(got2, r2[li], np.where(got1, r1[li], INF)), "cost": unit_cost[li],
    }, n_lines


def _po_csv_frame(rows):
    """The CSV columns of PO line rows (integer codes turned into the file's text)."""
    import polars as pl

    day = lambda c: pl.when(pl.col(c) < 10**8).then(pl.col(c)).cast(pl.Int32).cast(pl.Date)  # noqa: E731
    return rows.select(
        pl.format("PO{}", pl.col("po").cast(pl.String).str.zfill(9)).alias("PO Number"),
        pl.col("line").cast(pl.String).alias("Line"),
        pl.col("sku").add(1).cast(pl.String).str.zfill(6).alias("SKU"),
        pl.format("Supplier {}", pl.col("supplier").cast(pl.String).str.zfill(3)).alias("Supplier"),
        pl.col("order_day").cast(pl.Date).alias("Order Date"),
        day("expected").alias("Expected Date"),
        day("recv_day").alias("Received Date"),
        pl.col("q").alias("Qty Ordered"),
        pl.col("received").alias("Qty Received"),
        pl.col("cost").alias("Unit Cost"),
    )


def _orders_csv_frame(rows):
    """The CSV columns of order line rows (integer codes turned into the file's text)."""
    import polars as pl

    day = lambda c: pl.when(pl.col(c) < 10**8).then(pl.col(c)).cast(pl.Int32).cast(pl.Date)  # noqa: E731
    return rows.select(
        pl.format("SO{}", pl.col("oid").cast(pl.String).str.zfill(9)).alias("Order ID"),
        pl.col("line").cast(pl.String).alias("Line"),
        pl.col("sku").add(1).cast(pl.String).str.zfill(6).alias("SKU"),
        pl.col("order_day").cast(pl.Date).alias("Order Date"),
        pl.col("q").alias("Qty Ordered"),
        pl.col("shipped").alias("Qty Shipped"),
        day("ship_day").alias("Ship Date"),
        pl.col("cancelled").alias("Qty Cancelled"),
        pl.col("promised").cast(pl.Date).alias("Promised Date"),
        pl.col("price").fill_nan(None).alias("Unit Price"),
        pl.format("C{}", pl.col("cust").cast(pl.String).str.zfill(6)).alias("Customer"),
        pl.col("loc").replace_strict(dict(enumerate(LOCATIONS)), return_dtype=pl.String).alias("Location"),
        pl.col("status").replace_strict({0: "open", 1: "partial", 2: "shipped", 3: "cancelled"},
                                        return_dtype=pl.String).alias("Status"),
    )


def _resize(rows, n: int, rng, next_oid: int):
    """Exactly n rows: a random subset, or the rows plus copies of the month's new lines (as
    new one-line orders) to make up the number."""
    import numpy as np
    import polars as pl

    if rows.height >= n:
        keep = np.sort(rng.choice(rows.height, n, replace=False))
        return rows[keep]
    pool = rows.filter(pl.col("new"))
    if pool.height == 0:
        pool = rows
    extra = pool[rng.integers(0, pool.height, n - rows.height)]
    extra = extra.with_columns(pl.Series("oid", np.arange(next_oid, next_oid + extra.height), dtype=pl.Int64),
                               pl.lit(1, dtype=pl.Int32).alias("line"))
    return pl.concat([rows, extra])


def generate(folder: Path, lines: int, months: int, skus: int, seed: int, load_lines: int,
             po_per_sku: float = 3.0) -> dict:
    """Write the synthetic CSV files into folder; returns the manifest (files in load order).
    po_per_sku: PO line versions per SKU in each monthly PO file (about)."""
    import numpy as np
    import polars as pl

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    W = WARMUP_MONTHS
    names = stored_months(months)

    # SKUs: popularity ~ 1 / rank^1.1, a few chronically short, some sold by the metre
    rank = rng.permutation(skus)
    pop = 1.0 / (rank + 8.0) ** 1.1
    pop /= pop.sum()
    chronic = rng.random(skus) < 0.02
    by_metre = rng.random(skus) < 0.05
    cost = np.maximum(0.2, np.round(np.exp(rng.normal(2.3, 1.0, skus)), 2))
    price = np.round(cost * rng.uniform(1.25, 1.9, skus), 2)

    # How many orders give `lines` stored rows: measured on a pilot sample of the same process.
    pilot_orders = 40_000
    pilot, _ = _lines_and_versions(np.random.default_rng(seed + 1), pilot_orders, months, pop, chronic,
                                   by_metre, price, W)
    rows_per_order = float(np.count_nonzero(pilot["vm"] < months)) / pilot_orders
    n_orders = max(1, round(lines / rows_per_order))
    cols, n_lines = _lines_and_versions(rng, n_orders, months, pop, chronic, by_metre, price, W)
    rows = pl.DataFrame(cols)
    del cols
    distinct_lines = rows.filter(pl.col("vm") < months).select(pl.struct("oid", "line").n_unique()).item()
    parts = rows.partition_by("vm", as_dict=True)
    del rows
    files = []
    rows_per_month = {}
    next_oid = n_orders + 1

    # product master (the draws in the order they always were: the files stay as they were)
    n_cat = 20
    cat_w = 1.0 / (np.arange(n_cat) + 2.0)
    codes = pl.Series(np.arange(1, skus + 1)).cast(pl.String).str.zfill(6)
    category = rng.choice(n_cat, skus, p=cat_w / cat_w.sum()) + 1
    supplier_of = rng.integers(1, N_SUPPLIERS + 1, skus)
    lead_days = rng.integers(7, 91, skus)
    products = pl.DataFrame({
        "SKU": codes,
        "Description": "Item " + codes,
        "Category": "Category " + pl.Series(category).cast(pl.String).str.zfill(2),
        "Supplier": "Supplier " + pl.Series(supplier_of).cast(pl.String).str.zfill(3),
        "Unit Cost": cost,
        "Lead Time Days": lead_days,
    })
    path = folder / "products.csv"
    products.write_csv(path)
    files.append({"dataset": "products", "month": None, "path": str(path), "rows": products.height})

    # monthly stock: on hand ~ a SKU's monthly demand x its cover, with stock-outs, dead stock,
    # a second location for some SKUs, a few negative rows and rows without a cost
    mean_q = 8.5
    demand = pop * (n_lines * mean_q / (months + W + 1))  # units ordered per month
    cover = np.where(chronic, 0.15, rng.lognormal(np.log(1.3), 0.5, skus))
    dead = rng.random(skus) < 0.03
    two_loc = rng.random(skus) < 0.10

    # purchase orders, from a stream of their own (the other files stay as they were without them):
    # suppliers of different reliability (mean delay -2 to 12 days, spread, share of short
    # deliveries; one in ten confirms 10-30 days more than the master's lead time), a second
    # supplier for one SKU in ten, lines per SKU growing with its popularity
    po_rng = np.random.default_rng([seed, 10])
    profile = {"delay_mean": np.clip(po_rng.normal(1.0, 3.0, N_SUPPLIERS + 1), -2.0, 12.0),
               "delay_sd": po_rng.uniform(1.0, 6.0, N_SUPPLIERS + 1),
               "short_p": po_rng.uniform(0.02, 0.2, N_SUPPLIERS + 1),
               "extra_days": np.where(po_rng.random(N_SUPPLIERS + 1) < 0.1,
                                      po_rng.integers(10, 31, N_SUPPLIERS + 1), 0)}
    other = (supplier_of + po_rng.integers(1, N_SUPPLIERS, skus) - 1) % N_SUPPLIERS + 1  # never the same
    second_of = np.where(po_rng.random(skus) < 0.1, other, 0)
    sku_p = pop ** 0.6
    sku_p /= sku_p.sum()
    po_args = (months, W, sku_p, supplier_of, second_of, lead_days, demand, cost, profile)
    pilot_lines = 20_000
    pilot_po, _ = _po_lines_and_versions(np.random.default_rng([seed, 11]), pilot_lines, *po_args)
    rows_per_po_line = float(np.count_nonzero(pilot_po["vm"] < months)) / pilot_lines
    n_po_lines = max(1, round(po_per_sku * skus * months / rows_per_po_line))
    po_rows, _ = _po_lines_and_versions(po_rng, n_po_lines, *po_args)
    po_rows = pl.DataFrame(po_rows)
    po_distinct = po_rows.filter(pl.col("vm") < months).select(pl.struct("po", "line").n_unique()).item()
    po_parts = po_rows.partition_by("vm", as_dict=True)
    del po_rows
    po_rows_per_month = {}

    for i, m in enumerate(names):
        qty = np.round(demand * cover * rng.uniform(0.4, 1.6, skus))
        qty = np.where(rng.random(skus) < 0.05, 0.0, qty)
        qty = np.where(dead, 5.0 + (np.arange(skus) % 46), qty)
        unit_cost = np.round(cost * (1 + 0.003 * i) * rng.uniform(0.98, 1.02, skus), 2)
        first = np.where(two_loc, np.floor(qty * 0.7), qty)
        sku_ix = np.concatenate([np.arange(skus), np.flatnonzero(two_loc)])
        q_on_hand = np.concatenate([first, (qty - first)[two_loc]])
        loc = np.concatenate([np.zeros(skus, dtype=np.int8), np.ones(int(two_loc.sum()), dtype=np.int8)])
        r = rng.random(sku_ix.size)
        q_on_hand = np.where(r < 0.001, -1.0 - (sku_ix % 5), q_on_hand)
        uc = np.where(r > 0.997, np.nan, unit_cost[sku_ix])
        _, end = month_bounds(m)
        stock = pl.DataFrame({"n": sku_ix + 1, "loc": loc, "q": q_on_hand, "c": uc}).select(
            pl.col("n").cast(pl.String).str.zfill(6).alias("SKU"),
            pl.col("loc").replace_strict({0: "WH-1", 1: "WH-2"}, return_dtype=pl.String).alias("Location"),
            pl.col("q").alias("Qty On Hand"),
            pl.col("c").fill_nan(None).alias("Unit Cost"),
            pl.lit(end).alias("Snapshot Date"),
        )
        path = folder / f"stock_{m}.csv"
        stock.write_csv(path)
        files.append({"dataset": "stock", "month": m, "path": str(path), "rows": stock.height})

        month_rows = parts.get((i,))
        frame = _orders_csv_frame(month_rows)
        path = folder / f"orders_{m}.csv"
        frame.write_csv(path, date_format="%Y-%m-%d")
        rows_per_month[m] = frame.height
        files.append({"dataset": "orders", "month": m, "path": str(path), "rows": frame.height})

        frame = _po_csv_frame(po_parts[(i,)])
        path = folder / f"purchase_orders_{m}.csv"
        frame.write_csv(path, date_format="%Y-%m-%d")
        po_rows_per_month[m] = frame.height
        files.append({"dataset": "purchase_orders", "month": m, "path": str(path), "rows": frame.height})

    # the load test's files: a new month (the one after the last) and the last month re-exported
    new_month = add_months(names[-1], 1)
    load_files = {}
    for kind, month, source in (("new_month", new_month, parts.get((months,))),
                                ("replace_month", names[-1], parts.get((months - 1,)))):
        resized = _resize(source, load_lines, rng, next_oid)
        next_oid += load_lines
        path = folder / f"load_{kind}_{month}.csv"
        _orders_csv_frame(resized).write_csv(path, date_format="%Y-%m-%d")
        load_files[kind] = {"month": month, "path": str(path), "rows": resized.height}
    # the PO load test's: the month after the last as exported, and the last month re-exported with
    # one in ten lines still open then received in full on the month's last day (a correction)
    po_load_files = {}
    _, last_day = month_bounds(names[-1])
    last_day = (np.datetime64(last_day, "D") - np.datetime64(0, "D")).astype(np.int64)
    redone = po_parts[(months - 1,)]
    late_receipt = pl.Series(po_rng.random(redone.height) < 0.1) & (redone["received"] < redone["q"])
    redone = redone.with_columns(pl.when(late_receipt).then(pl.col("q")).otherwise(pl.col("received")).alias("received"),
                                 pl.when(late_receipt).then(last_day).otherwise(pl.col("recv_day")).alias("recv_day"))
    for kind, month, source in (("new_month", new_month, po_parts[(months,)]), ("replace_month", names[-1], redone)):
        path = folder / f"load_po_{kind}_{month}.csv"
        frame = _po_csv_frame(source)
        frame.write_csv(path, date_format="%Y-%m-%d")
        po_load_files[kind] = {"month": month, "path": str(path), "rows": frame.height}

    stored = sum(rows_per_month.values())
    return {
        "files": files,
        "load_files": load_files,
        "po_load_files": po_load_files,
        "months": names,
        "stats": {
            "order_line_rows": stored,
            "distinct_lines": distinct_lines,
            "rows_per_month_min": min(rows_per_month.values()),
            "rows_per_month_max": max(rows_per_month.values()),
            "rows_per_month_last": rows_per_month[names[-1]],
            "orders_generated": n_orders,
            "skus": skus,
            "stock_rows_last_month": [f["rows"] for f in files if f["dataset"] == "stock"][-1],
            "warmup_months": W,
            "po_line_rows": sum(po_rows_per_month.values()),
            "po_distinct_lines": po_distinct,
            "po_rows_per_month_min": min(po_rows_per_month.values()),
            "po_rows_per_month_max": max(po_rows_per_month.values()),
            "po_rows_per_month_last": po_rows_per_month[names[-1]],
            "suppliers": N_SUPPLIERS,
            "second_source_skus": int(np.count_nonzero(second_of)),
        },
    }


def build_store(store_dir: Path, manifest: dict) -> dict:
    """Load every file through the real importer (products first), as a user's uploads are."""
    from .store import Store, load_file

    expected = {"products": PRODUCT_HEADERS, "stock": STOCK_HEADERS, "orders": ORDER_HEADERS,
                "purchase_orders": PO_HEADERS}
    seconds = {"products": [], "stock": [], "orders": [], "purchase_orders": []}
    started = time.perf_counter()
    with Store(store_dir) as store:
        # store.load_file computes no figures: as the demo does, they are filled once after the last file
        for f in manifest["files"]:
            t = time.perf_counter()
            prep, result = load_file(store, f["path"], dataset=f["dataset"], month=f["month"])
            seconds[f["dataset"]].append(time.perf_counter() - t)
            if result is None:
                raise RuntimeError(f"{f['path']} was refused:\n{prep.refusal().summary()}")
            if sorted(prep.mapping.values()) != sorted(expected[f["dataset"]]):
                raise RuntimeError(f"{f['path']}: the importer mapped {prep.mapping}; some column was left out")
            if result.rows_stored != f["rows"]:
                raise RuntimeError(f"{f['path']}: {result.rows_stored} rows stored of {f['rows']}")
        from .kpis import fill_month_figures

        fill_month_figures(store, None)
    return {"total_s": time.perf_counter() - started,
            "orders_file_s": summary(seconds["orders"]), "stock_file_s": summary(seconds["stock"]),
            "po_file_s": summary(seconds["purchase_orders"])}


# --- measuring ---------------------------------------------------------------------------------

def summary(values: list[float]) -> dict | None:
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def _child_env() -> dict:
    env = dict(os.environ)
    env.pop("STOCKLENS_TEST_PAUSE_BEFORE_COMMIT", None)  # never pause a measured load
    env.pop("STOCKLENS_STORE", None)  # every command gets --store
    return env


# Runs `python -m MODULE ARGS` and, at exit, prints the process's own peak RSS (VmHWM). The
# ru_maxrss that wait4 returns is no good here: Linux carries the parent's high-water mark over
# fork and exec, so every child would report at least the benchmark's own memory.
_WRAPPER = """
import atexit, runpy, sys
def _hwm():
    try:
        for line in open('/proc/self/status'):
            if line.startswith('VmHWM:'):
                sys.stderr.write('BENCH_VMHWM_KB ' + line.split()[1] + '\\n')
                sys.stderr.flush()
    except OSError:
        pass
atexit.register(_hwm)
module = sys.argv[1]
sys.argv = [module] + sys.argv[2:]
runpy.run_module(module, run_name='__main__', alter_sys=True)
"""


def run_module(module: str, args: list, timeout: float) -> dict:
    """python -m module args, from the project root: wall time, peak RSS, output."""
    result = run_process([sys.executable, "-c", _WRAPPER, module, *map(str, args)], timeout)
    hwm = [ln for ln in result["stderr"].splitlines() if ln.startswith("BENCH_VMHWM_KB ")]
    if hwm:
        result["max_rss_mb"] = int(hwm[-1].split()[1]) / 1024
    return result


def run_process(argv: list[str], timeout: float) -> dict:
    """Run a command from the project root; its wall time and ru_maxrss (see _WRAPPER)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started, started_epoch = time.perf_counter(), time.time()
        proc = subprocess.Popen(argv, cwd=PROJECT_ROOT, env=_child_env(), stdout=out, stderr=err)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        result = {"argv": argv, "returncode": proc.returncode, "wall_s": wall, "started_epoch": started_epoch,
                  "max_rss_mb": usage.ru_maxrss / 1024, "stdout": out.read().decode("utf-8", "replace"),
                  "stderr": err.read().decode("utf-8", "replace")}
    if result["returncode"] != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} failed ({result['returncode']}):\n"
                           f"{result['stdout'][-2000:]}\n{result['stderr'][-4000:]}")
    return result


def run_worker(kind: str, args: list[str], timeout: float) -> dict:
    """python -m stocklens.bench worker KIND ...: its JSON result plus the process figures."""
    proc = run_module("stocklens.bench", ["worker", kind, *args], timeout)
    lines = [ln for ln in proc["stdout"].splitlines() if ln.startswith(RESULT_PREFIX)]
    if not lines:
        raise RuntimeError(f"worker {kind} printed no result:\n{proc['stdout'][-2000:]}\n{proc['stderr'][-2000:]}")
    result = json.loads(lines[-1][len(RESULT_PREFIX):])
    result["process_s"] = proc["wall_s"]
    result["max_rss_mb"] = proc["max_rss_mb"]
    if "cold_done_epoch" in result:  # from spawning the process to the end of its first refresh
        result["cold_process_s"] = result["cold_done_epoch"] - proc["started_epoch"]
    return result


def stocklens_cli(args: list, timeout: float) -> dict:
    """python -m stocklens ARGS, as a user runs it."""
    return run_module("stocklens", args, timeout)


# --- the worker processes ----------------------------------------------------------------------

def _timed(fn):
    t = time.perf_counter()
    value = fn()
    return time.perf_counter() - t, value


def _run_page(store, page: str, month: str, categories: tuple = ()) -> tuple[float, dict, dict]:
    """One refresh of a page: every query of registry.PAGES, as the page runs them (computed ahead
    two at a time, kpis.prefetch, then read; with a category filter when `categories` is given)."""
    from . import kpis, registry

    ctx = kpis.Context(month, filters=kpis.Filters(categories=categories))
    times, rows = {}, {}
    started = time.perf_counter()
    if page == "kpis_for_month":
        times["kpis_for_month"], result = _timed(lambda: kpis.kpis_for_month(store, month))
        rows["kpis_for_month"] = 1
        return time.perf_counter() - started, times, rows
    # as the page does (state.prefetch): its results computed two at a time, then read one by one
    # (a query's time: its computing, on one of the two threads, and its reading)
    kpis.prefetch(store, page, ctx, timings=times)
    results = {}
    for query, extra in registry.page_queries(page, ctx):
        extra = dict(extra)
        if query in ("backorder_history", "sku_history"):
            # as the page does: the ranking's top 20 SKUs (else the 20 most backordered) for the
            # heat map, and the first of them for the one-SKU chart; nothing to show without any
            top = top_skus(results)
            if not top:
                continue
            extra["skus" if query == "backorder_history" else "sku"] = top if query == "backorder_history" else top[0]
        seconds, frame = _timed(lambda: kpis.run(store, query, ctx, **extra))
        results[query] = frame
        times[query] = times.get(query, 0.0) + seconds
        rows[query] = frame.height
    return time.perf_counter() - started, times, rows


def top_skus(results: dict) -> list[str]:
    ranking = results.get("frequently_backordered")
    by_sku = results.get("backorders_by_sku")
    return (ranking["sku"].head(20).to_list() if ranking is not None else []) or \
           (by_sku["sku"].head(20).to_list() if by_sku is not None else [])


FLOOR_SQL = {
    "order_lines": """
        select count(*), sum(qty_ordered), sum(qty_shipped), sum(qty_cancelled), sum(unit_price),
               min(order_date), max(ship_date), max(promised_date), max(month), max(load_id),
               max(order_id), max(line_key), max(sku), max(customer), max(location)
        from order_lines""",
    "stock_rows": """
        select count(*), sum(qty_on_hand), sum(unit_cost), max(month), max(load_id), max(sku), max(location)
        from stock_rows""",
    "po_lines": """
        select count(*), sum(qty_ordered), sum(qty_received), sum(received_increment), min(order_date),
               max(expected_date), max(received_on), max(month), max(load_id), max(po_uid), max(sku),
               max(supplier)
        from po_lines""",
}


def worker_page(argv: list[str]) -> dict:
    """One page (or kpis_for_month, or the floor scan) in this fresh process: cold, then warm."""
    p = argparse.ArgumentParser(prog="stocklens.bench worker page")
    p.add_argument("--store", required=True)
    p.add_argument("--month", required=True)
    p.add_argument("--page", required=True)
    p.add_argument("--warm-runs", type=int, default=3)
    a = p.parse_args(argv)
    import_s, _ = _timed(lambda: (__import__("stocklens.store"), __import__("stocklens.kpis")))
    from .store import Store

    store = Store(a.store)
    open_s, _ = _timed(lambda: store.cursor().close())  # the database object, its schema and views
    # An engine with a result cache (Store.clear_result_cache) reads a page computed before back
    # from the store: "computed" refreshes empty it first (what the first view after any upload
    # costs), "cached" refreshes read it.
    clear = getattr(store, "clear_result_cache", None) if a.page != "floor" else None
    if a.page == "floor":
        def refresh():
            started = time.perf_counter()
            times = {}
            for name, text in FLOOR_SQL.items():
                times[name], _ = _timed(lambda: store.query(text))
            return time.perf_counter() - started, times, {}
    else:
        def refresh(categories=()):
            return _run_page(store, a.page, a.month, categories)

    def computed():
        if clear is not None:
            clear()
        return refresh()

    cold_s, cold_times, rows = computed()
    cold_done_epoch = time.time()
    warm = [computed() for _ in range(a.warm_runs)]
    cached = [refresh() for _ in range(a.warm_runs)] if clear is not None else []
    # "on demand": the stored month figures emptied too, as for a filtered view or the first
    # view after a settings change (the page then computes its trends and stores them again)
    on_demand = []
    clear_figures = getattr(store, "clear_month_figures", None) if a.page != "floor" else None
    filtered = []
    if clear_figures is not None:
        for _ in range(a.warm_runs):
            clear_figures()
            on_demand.append(computed())
        # "filtered view": the same with the busiest category as filter, its first view (nothing
        # stored for it: the filtered month figures and lists emptied before each)
        busiest = store.query(FILTER_CATEGORY_SQL).item()
        for _ in range(a.warm_runs if a.page != "kpis_for_month" else 0):
            clear_figures()
            clear()
            filtered.append(refresh((busiest,)))
        computed()  # the page's standard figures stored again, as the on-demand runs leave them
    store.close()
    return {"page": a.page, "import_s": import_s, "open_s": open_s, "cold_queries_s": cold_s,
            "cold_s": open_s + cold_s, "cold_done_epoch": cold_done_epoch, "cold_by_query": cold_times, "rows": rows,
            "warm_s": [w[0] for w in warm], "warm_by_query": [w[1] for w in warm],
            "cached_s": [c[0] for c in cached], "result_cache": clear is not None,
            "on_demand_s": [o[0] for o in on_demand], "filtered_s": [f[0] for f in filtered]}


# the category filter of the "filtered view" figures: the category of the most SKUs
FILTER_CATEGORY_SQL = ("select category from product_facts where category is not null "
                       "group by category order by count(*) desc, category limit 1")


def worker_settings(argv: list[str]) -> dict:
    """A settings change as the Settings page saves it (service.save_settings: the settings stored,
    then the standard view's month figures recomputed with them), then the settings restored the
    same way: the wall time of each save."""
    p = argparse.ArgumentParser(prog="stocklens.bench worker settings")
    p.add_argument("--store", required=True)
    a = p.parse_args(argv)
    import dataclasses

    from . import service, settings as settings_mod
    from .store import Store

    with Store(a.store) as store:
        before = settings_mod.load(store)
        changed = dataclasses.replace(before, service_level=0.9 if before.service_level != 0.9 else 0.95)
        walls = [_timed(lambda s=s: service.save_settings(store, s, actor="bench"))[0] for s in (changed, before)]
    return {"save_s": walls}


def worker_explain(argv: list[str]) -> dict:
    """Profile one page query, warm (it runs once before): DuckDB's JSON profile is written to
    --out, and the most expensive operators are returned."""
    p = argparse.ArgumentParser(prog="stocklens.bench worker explain")
    p.add_argument("--store", required=True)
    p.add_argument("--month", required=True)
    p.add_argument("--page", required=True)
    p.add_argument("--query", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    from . import kpis, registry, sql
    from .store import Store

    ctx = kpis.Context(a.month)
    extra = dict(next(e for q, e in registry.page_queries(a.page, ctx) if q == a.query))
    with Store(a.store) as store:
        if a.query in ("backorder_history", "sku_history"):
            top = kpis.run(store, "frequently_backordered", ctx)["sku"].head(20).to_list() or ["?"]
            if a.query == "backorder_history":
                extra["skus"] = top
            else:
                extra["sku"] = top[0]
        kpis.run(store, a.query, ctx, **extra)
        text = sql.load(f"kpis/{a.query}")
        params = {**ctx.params(), **extra}
        wanted = {k: params[k] for k in set(re.findall(r"\$([a-z_][a-z0-9_]*)", text))}
        cur = store.cursor()
        try:
            cur.execute("pragma enable_profiling = 'json'")
            # a pragma takes no $parameters: the path (the bench's own output file) is quoted here
            cur.execute("pragma profiling_output = '" + str(Path(a.out).resolve()).replace("'", "''") + "'")
            cur.sql(text, params=wanted).fetchall()
            cur.execute("pragma disable_profiling")
        finally:
            cur.close()
    profile = json.loads(Path(a.out).read_text())
    operators = []

    def walk(node):
        operators.append(node)
        for child in node.get("children", []):
            walk(child)

    for node in profile.get("operator", []):
        walk(node)
    top_ops = sorted(operators, key=lambda n: -(n.get("timing") or 0))[:12]
    return {"query": a.query, "profile": a.out,
            "totals": {**{k: profile.get("query", {}).get(k) for k in ("total_time", "cpu_time", "total_rows_scanned")},
                       **{k: profile.get("system", {}).get(k) for k in ("peak_buffer_memory", "total_bytes_spilled")}},
            "top_operators": [{"operator": n.get("name"), "seconds": n.get("timing"),
                               "rows": n.get("intermediate_rows"), "info": json.dumps(n.get("extra_info"))[:300]}
                              for n in top_ops]}


def worker_pandas(argv: list[str]) -> dict:
    p = argparse.ArgumentParser(prog="stocklens.bench worker pandas")
    p.add_argument("--manifest", required=True)
    p.add_argument("--month", required=True)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    manifest = json.loads(Path(a.manifest).read_text())
    import_s, _ = _timed(lambda: __import__("pandas"))
    load_s, data = _timed(lambda: pandas_load(manifest))
    refreshes, steps, result = [], [], None
    for _ in range(a.repeat):
        timings = {}
        seconds, result = _timed(lambda: pandas_kpis(data, a.month, timings))
        refreshes.append(seconds)
        steps.append(timings)
    Path(a.out).write_text(json.dumps(result, default=str), encoding="utf-8")
    return {"import_s": import_s, "load_s": load_s, "refresh_s": refreshes, "steps_s": steps,
            "order_rows": len(data["orders"]), "stock_rows": len(data["stock"])}


WORKERS = {"page": worker_page, "pandas": worker_pandas, "explain": worker_explain, "settings": worker_settings}


# --- 3. the same KPI set in plain pandas ---------------------------------------------------------

ORDER_COLUMNS = dict(zip(ORDER_HEADERS, ("order_id", "line_id", "sku", "order_date", "qty_ordered", "qty_shipped",
                                         "ship_date", "qty_cancelled", "promised_date", "unit_price", "customer",
                                         "location", "status")))
STOCK_COLUMNS = dict(zip(STOCK_HEADERS, ("sku", "location", "qty_on_hand", "unit_cost", "snapshot_date")))
PRODUCT_COLUMNS = dict(zip(PRODUCT_HEADERS, ("sku", "description", "category", "supplier", "unit_cost",
                                             "lead_time_days")))


def pandas_load(manifest: dict) -> dict:
    """What a dashboard caches with st.cache_data: every monthly file read into one DataFrame."""
    import pandas as pd

    text = {"Order ID": str, "Line": str, "SKU": str, "Customer": str, "Location": str, "Status": str}
    orders, stock, products = [], [], None
    for f in manifest["files"]:
        if f["dataset"] == "orders":
            frame = pd.read_csv(f["path"], dtype=text, parse_dates=["Order Date", "Ship Date", "Promised Date"])
            frame["month"] = f["month"]
            orders.append(frame)
        elif f["dataset"] == "stock":
            frame = pd.read_csv(f["path"], dtype={"SKU": str, "Location": str}, parse_dates=["Snapshot Date"])
            frame["month"] = f["month"]
            stock.append(frame)
        elif f["dataset"] == "products":
            products = pd.read_csv(f["path"], dtype={"SKU": str})  # (purchase orders: no KPI of this set)
    return {"orders": pd.concat(orders, ignore_index=True).rename(columns=ORDER_COLUMNS),
            "stock": pd.concat(stock, ignore_index=True).rename(columns=STOCK_COLUMNS),
            "products": products.rename(columns=PRODUCT_COLUMNS)}


def _pandas_line_states(v, month: str, with_due: bool):
    """Every line as reported at month (versions of months <= month): kpi-book section 2."""
    import numpy as np
    import pandas as pd

    keys = ["order_id", "line_id"]
    start, end = (pd.Timestamp(d) for d in month_bounds(month))
    vk = v[v["month"] <= month]
    on = vk["shipped_on"]
    sums = pd.DataFrame({
        "order_id": vk["order_id"], "line_id": vk["line_id"],
        "shipped_to_date": vk["ship_inc"].where(on <= end, 0.0),
        "cancelled_to_date": vk["cancel_inc"].where(vk["version_end"] <= end, 0.0),
        "shipped_in_month": vk["ship_inc"].where((on >= start) & (on <= end), 0.0),
        "cancelled_in_month": vk["cancel_inc"].where((vk["version_end"] >= start) & (vk["version_end"] <= end), 0.0),
    }).groupby(keys, sort=False).sum()
    lines = vk.drop_duplicates(keys, keep="last").join(sums, on=keys)
    lines = lines[lines["qty_ordered"] > 0].copy()
    lines["due_date"] = lines["promised_date"].fillna(lines["order_date"] + pd.Timedelta(days=7))
    remaining = (lines["qty_ordered"] - lines["shipped_to_date"] - lines["cancelled_to_date"]).clip(lower=0)
    lines["open_qty"] = np.where(lines["order_date"] <= end, remaining, 0.0)
    lines["age_days"] = (end - lines["order_date"]).dt.days
    lines["is_new"] = (lines["order_date"] >= start) & (lines["order_date"] <= end)
    lines["net_ordered"] = lines["qty_ordered"] - lines["qty_cancelled"]
    if with_due:
        both = vk[keys + ["ship_inc", "shipped_on"]].merge(lines[keys + ["due_date"]], on=keys)
        by_due = both["ship_inc"].where(both["shipped_on"] <= both["due_date"], 0.0) \
            .groupby([both["order_id"], both["line_id"]]).sum().rename("shipped_by_due")
        lines = lines.join(by_due, on=keys)
    return lines


def _none(x):
    import math

    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def pandas_kpis(data: dict, month: str, timings: dict | None = None) -> dict:
    """The `kpis --json` object of month, computed per refresh from the cached DataFrames."""
    import numpy as np
    import pandas as pd

    timings = {} if timings is None else timings
    clock = [time.perf_counter()]

    def step(name):
        now = time.perf_counter()
        timings[name] = timings.get(name, 0.0) + now - clock[0]
        clock[0] = now

    orders, stock, products = data["orders"], data["stock"], data["products"]
    keys = ["order_id", "line_id"]
    months12 = [add_months(month, i) for i in range(-11, 1)]
    months13 = [add_months(month, -12)] + months12
    order_months, stock_months = set(orders["month"].unique()), set(stock["month"].unique())
    start, end = (pd.Timestamp(d) for d in month_bounds(month))
    ends = {m: pd.Timestamp(month_bounds(m)[1]) for m in order_months}

    # the versions as reported at M, each line's in month order, with the events they contribute
    v = orders[orders["month"] <= month].sort_values(keys + ["month"])
    previous = v.groupby(keys, sort=False)[["qty_shipped", "qty_cancelled"]].shift(1).fillna(0.0)
    v["ship_inc"] = v["qty_shipped"] - previous["qty_shipped"]
    v["cancel_inc"] = v["qty_cancelled"] - previous["qty_cancelled"]
    v["version_end"] = v["month"].map(ends)
    v["shipped_on"] = v["ship_date"].fillna(v["version_end"])
    events = v.loc[v["ship_inc"] != 0, ["month", "sku", "shipped_on", "ship_inc"]]
    step("versions_and_events")

    states = {}
    for m in months12:  # every line as reported at each month of the window (the ranking needs them)
        s = _pandas_line_states(v, m, with_due=(m == month))
        states[m] = s if m == month else s[["sku", "open_qty"]]
    step("line_states_12_months")

    # backlog
    lines = states[month]
    open_ = lines[lines["open_qty"] > 0]
    units = open_["open_qty"].sum()
    has_orders = month in order_months
    age = pd.cut(open_["age_days"], [-np.inf, 30, 60, 90, 180, np.inf],
                 labels=["0-30", "31-60", "61-90", "91-180", "181+"])
    buckets = open_["open_qty"].groupby(age, observed=False).sum()
    previous_open = states[add_months(month, -1)]
    opening = previous_open.loc[previous_open["open_qty"] > 0, "open_qty"].sum()
    new = lines.loc[lines["is_new"], "qty_ordered"].sum()
    shipped, cancelled = lines["shipped_in_month"].sum(), lines["cancelled_in_month"].sum()
    result = {
        "month": month,
        "backlog_units": units,
        "backlog_value": (open_["open_qty"] * open_["unit_price"].fillna(0)).sum(),
        "backlog_lines": len(open_),
        "backlog_orders": open_["order_id"].nunique(),
        "avg_age_days": (open_["open_qty"] * open_["age_days"]).sum() / units if units else None,
        "past_due_units": open_.loc[open_["due_date"] < end, "open_qty"].sum(),
        "age_buckets": {str(k): b for k, b in buckets.items()},
        "bridge": {"opening": opening, "new": new, "shipped": shipped, "cancelled": cancelled,
                   "restated": units - (opening + new - shipped - cancelled), "closing": units},
    }
    if not has_orders:
        result.update({k: None for k in ("backlog_units", "backlog_value", "backlog_lines", "backlog_orders",
                                         "avg_age_days", "past_due_units")})
    step("backlog")

    # backorders: per month of the window with both uploads, demand per SKU against on hand
    def on_hand_at(m):
        return stock[stock["month"] == m].groupby("sku")["qty_on_hand"].sum().clip(lower=0)

    backorders = {}
    for m in months12:
        if m in order_months and m in stock_months:
            s = states[m]
            demand = s[s["open_qty"] > 0].groupby("sku")["open_qty"].sum()
            backorders[m] = (demand, (demand - on_hand_at(m).reindex(demand.index).fillna(0)).clip(lower=0))
    if month in backorders:
        demand, bo = backorders[month]
        result.update(backorder_units=bo.sum(), backordered_skus=int((bo > 0).sum()),
                      backorder_rate=bo.sum() / demand.sum() if demand.sum() else None)
        counts = pd.concat([(b > 0).astype(int) for _, b in backorders.values()]).groupby(level=0).sum()
        ranking = pd.DataFrame({"months_backordered": counts[counts >= 3]})
        ranking["backorder_units"] = bo.reindex(ranking.index).fillna(0.0)
        ranking = ranking.rename_axis("sku").reset_index().sort_values(
            ["months_backordered", "backorder_units", "sku"], ascending=[False, False, True])
        result["frequently_backordered"] = [
            {"sku": r.sku, "months_backordered": int(r.months_backordered), "backorder_units": r.backorder_units}
            for r in ranking.itertuples()]
    else:
        result.update(backorder_units=None, backordered_skus=None, backorder_rate=None, frequently_backordered=None)
    step("backorders_12_months")

    # fill rate of the lines ordered in M
    fl = lines[lines["is_new"] & (lines["net_ordered"] > 0)].copy()
    fl["on_time"] = np.minimum(fl["net_ordered"], fl["shipped_by_due"])
    fl["filled"] = fl["on_time"] == fl["net_ordered"]
    result.update(
        fill_rate_units=fl["on_time"].sum() / fl["net_ordered"].sum() if len(fl) else None,
        fill_rate_lines=fl["filled"].mean() if len(fl) else None,
        fill_rate_orders=fl.groupby("order_id")["filled"].all().mean() if len(fl) else None)
    step("fill_rate")

    # inventory: unit cost (weighted by on hand, else the latest earlier month's, else the master's)
    sc = stock[stock["unit_cost"].notna() & (stock["month"] <= month)].copy()
    sc["w"] = sc["qty_on_hand"].clip(lower=0)
    sc["wc"] = sc["w"] * sc["unit_cost"]
    mc = sc.groupby(["month", "sku"]).agg(w=("w", "sum"), wc=("wc", "sum"), mean=("unit_cost", "mean")).reset_index()
    mc["cost"] = np.where(mc["w"] > 0, mc["wc"] / mc["w"].where(mc["w"] > 0), mc["mean"])
    master = products.drop_duplicates("sku", keep="last").set_index("sku")["unit_cost"].dropna()

    def cost_at(m):
        c = mc[mc["month"] <= m].sort_values("month").drop_duplicates("sku", keep="last").set_index("sku")["cost"]
        return c.combine_first(master)

    inventory, cogs = {}, {}
    for m in months13:
        if m in stock_months:
            oh = on_hand_at(m)
            cost = cost_at(m).reindex(oh.index)
            on = oh > 0
            inventory[m] = {"units": oh.sum(),
                            "value": 0.0 if not on.any() else (None if cost[on].isna().all() else (oh * cost).sum()),
                            "on_hand": oh, "cost": cost}
        if m in months12:
            m_start, m_end = (pd.Timestamp(d) for d in month_bounds(m))
            e = events[(events["month"] <= m) & (events["shipped_on"] >= m_start) & (events["shipped_on"] <= m_end)]
            by_sku = e.groupby("sku")["ship_inc"].sum()
            cost = cost_at(m).reindex(by_sku.index)
            cogs[m] = 0.0 if len(by_sku) == 0 else (None if cost.notna().sum() == 0 else (by_sku * cost).sum())

    def avg_inventory(m):
        if m not in inventory:
            return None
        now, before = inventory[m]["value"], inventory.get(add_months(m, -1))
        if before is None:
            return now
        return None if now is None or before["value"] is None else (before["value"] + now) / 2

    avg = avg_inventory(month)
    with_stock = [m for m in months12 if m in stock_months]
    cogs_12 = [cogs[m] for m in with_stock if cogs[m] is not None]
    avgs_12 = [a for a in (avg_inventory(m) for m in with_stock) if a is not None]
    annual = None
    if cogs_12 and avgs_12 and statistics.mean(avgs_12):
        annual = sum(cogs_12) / statistics.mean(avgs_12) * 12 / len(with_stock)
    result.update(
        inventory_units=inventory[month]["units"] if month in inventory else None,
        inventory_value=inventory[month]["value"] if month in inventory else None,
        cogs=cogs.get(month),
        avg_inventory_value=avg,
        turnover_monthly=cogs[month] / avg if avg and cogs.get(month) is not None else None,
        turnover_annual=annual,
        dio_days=365 / annual if annual else None,
        holding_cost=avg * 0.25 / 12 if avg is not None else None,
    )
    step("inventory_and_cogs_13_months")

    # dead and excess stock at M
    if month in inventory:
        oh, cost = inventory[month]["on_hand"], inventory[month]["cost"]
        e = events[events["month"] <= month]
        recent = e[(e["ship_inc"] > 0) & (e["shipped_on"] > end - pd.Timedelta(days=180)) & (e["shipped_on"] <= end)]
        six = e[(e["shipped_on"] >= start - pd.DateOffset(months=5)) & (e["shipped_on"] <= end)]
        # as stocklens documents it (queries/intermediate/07_sku_stock.sql): net shipments below 0
        # (more returned than shipped) are no demand
        shipped_6m = six.groupby("sku")["ship_inc"].sum().reindex(oh.index).fillna(0.0).clip(lower=0)
        dead = (oh > 0) & ~oh.index.isin(recent["sku"].unique())
        excess_units = (oh - 6 * shipped_6m / 6).clip(lower=0)
        result.update(dead_stock_value=(oh * cost)[dead].sum(), excess_stock_value=(excess_units * cost).sum())
    else:
        result.update(dead_stock_value=None, excess_stock_value=None)
    step("dead_and_excess")
    return _plain(result)


def _plain(value):
    """numpy scalars to Python numbers (NaN to None), recursively."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str) or value is None:
        return value
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return _none(value)
    return value


def compare_kpis(ours: dict, theirs: dict, rel: float = 1e-6) -> list[str]:
    """Where the pandas KPIs differ from stocklens' (empty when they agree)."""
    out = []

    def same(a, b):
        if a is None or b is None:
            return a is None and b is None
        if isinstance(a, str) or isinstance(b, str):
            return a == b
        return abs(a - b) <= rel * max(abs(a), abs(b)) + 1e-9

    def walk(path, a, b):
        if isinstance(a, dict) and isinstance(b, dict):
            for k in a.keys() | b.keys():
                walk(f"{path}.{k}" if path else k, a.get(k), b.get(k))
        elif isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                out.append(f"{path}: {len(a)} entries in stocklens, {len(b)} in pandas")
            for i, (x, y) in enumerate(zip(a, b)):
                walk(f"{path}[{i}]", x, y)
                if len(out) > 20:
                    return
        elif not same(a, b):
            out.append(f"{path}: stocklens {a!r}, pandas {b!r}")

    walk("", ours, theirs)
    return out


# --- the run -----------------------------------------------------------------------------------

def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = None
    try:
        mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        pass
    return {"platform": platform.platform(), "python": platform.python_version(), "cpu": cpu,
            "cpu_count": os.cpu_count(), "memory_gb": mem_gb, "nice": os.nice(0),
            "load_average_start": os.getloadavg()}


def versions() -> dict:
    out = {}
    for name in ("duckdb", "polars", "pandas", "numpy", "pyarrow"):
        try:
            out[name] = __import__(name).__version__
        except ImportError:
            out[name] = None
    try:
        out["stocklens_commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True,
            timeout=10).stdout.strip() or None
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "stocklens", "queries",
                                ":(exclude)stocklens/bench.py"], cwd=PROJECT_ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        out["stocklens_engine_modified"] = bool(dirty)  # uncommitted changes to the engine when measured
    except (OSError, subprocess.SubprocessError):
        out["stocklens_commit"] = None
    return out


def prepare_workdir(args) -> tuple[Path, bool]:
    if args.workdir:
        workdir = Path(args.workdir).resolve()
        if workdir.exists() and any(workdir.iterdir()) and not (workdir / MARKER).exists():
            raise SystemExit(f"{workdir} is not empty and not a benchmark work dir: choose another --workdir")
        workdir.mkdir(parents=True, exist_ok=True)
        created = False
    else:
        workdir = Path(tempfile.mkdtemp(prefix="stocklens-bench-"))
        created = True
    (workdir / MARKER).write_text("stocklens benchmark work dir: its content is rebuilt by each run\n")
    return workdir, created


def build(workdir: Path, name: str, lines: int, months: int, args) -> tuple[dict, Path, dict]:
    """Generate the files and load them into workdir/store<name> (or reuse both with --reuse)."""
    data_dir, store_dir = workdir / f"data{name}", workdir / f"store{name}"
    manifest_path = data_dir / "manifest.json"
    spec = {"lines": lines, "months": months, "skus": args.skus, "seed": args.seed,
            "load_lines": args.load_lines, "end_month": END_MONTH, "po_per_sku": args.po_per_sku}
    if args.reuse and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("spec") == spec and manifest.get("built"):
            log(f"reusing the store of {manifest['stats']['order_line_rows']:,} rows in {store_dir}")
            return manifest, store_dir, manifest["build"]
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.rmtree(store_dir, ignore_errors=True)
    log(f"generating {lines:,} order line rows over {months} months, {args.skus:,} SKUs (seed {args.seed})")
    gen_s, manifest = _timed(lambda: generate(data_dir, lines, months, args.skus, args.seed, args.load_lines,
                                              args.po_per_sku))
    log(f"generated {manifest['stats']['order_line_rows']:,} order line rows and "
        f"{manifest['stats']['po_line_rows']:,} PO line rows in {gen_s:.1f} s; loading every file "
        f"through the importer into {store_dir}")
    figures = build_store(store_dir, manifest)
    figures["generate_s"] = gen_s
    log(f"store built in {figures['total_s']:.1f} s")
    manifest.update(spec=spec, built=True, build=figures)
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return manifest, store_dir, figures


def measure_pages(stores: list[Path], month: str, pages, args) -> list[dict]:
    """Each page's figures on each store. With several stores (the history check) their processes
    alternate, run by run, so that a change in the machine's load hits every store alike."""
    runs = {}
    for page in pages:
        for r in range(args.repeat):
            for i, store_dir in enumerate(stores):
                which = f" ({store_dir.name})" if len(stores) > 1 else ""
                log(f"page {page}: process {r + 1} of {args.repeat}{which}")
                runs.setdefault((i, page), []).append(
                    run_worker("page", ["--store", store_dir, "--month", month, "--page", page,
                                        "--warm-runs", args.warm_runs], args.timeout))
    return [{page: _page_figures(runs[(i, page)]) for page in pages} for i in range(len(stores))]


def _page_figures(runs: list[dict]) -> dict:
    warm = [w for run in runs for w in run["warm_s"]]
    by_query = {}
    for run in runs:
        for timing in run["warm_by_query"]:
            for q, sec in timing.items():
                by_query.setdefault(q, []).append(sec)
    return {
        "warm_s": summary(warm),
        "cached_s": summary([c for run in runs for c in run.get("cached_s", [])]),
        "on_demand_s": summary([c for run in runs for c in run.get("on_demand_s", [])]),
        "filtered_s": summary([c for run in runs for c in run.get("filtered_s", [])]),
        "cold_s": summary([run["cold_s"] for run in runs]),
        "cold_queries_s": summary([run["cold_queries_s"] for run in runs]),
        "open_s": summary([run["open_s"] for run in runs]),
        "import_s": summary([run["import_s"] for run in runs]),
        "cold_process_s": summary([run["cold_process_s"] for run in runs]),
        "process_s": summary([run["process_s"] for run in runs]),
        "max_rss_mb": max(run["max_rss_mb"] for run in runs),
        "warm_by_query_s": {q: statistics.median(v) for q, v in by_query.items()},
        "cold_by_query_s": {q: statistics.median([run["cold_by_query"].get(q, 0.0) for run in runs])
                            for q in runs[0]["cold_by_query"]},
        "rows": runs[0]["rows"],
    }


def measure_loads(store_dir: Path, load_files: dict, args, dataset: str = "orders") -> dict:
    out = {}
    for kind, f in load_files.items():
        walls, rss, undo_walls = [], [], []
        # one load and undo not measured first: the store's pages are then in the OS cache, as on
        # a machine in use (this machine's memory manager evicts idle file pages: a first load
        # after minutes of other work read its history from disk, up to 5x slower)
        for argv in (["load", f["path"], "--dataset", dataset, "--month", f["month"], "--store", store_dir],
                     ["undo", "--dataset", dataset, "--month", f["month"], "--store", store_dir]):
            stocklens_cli(argv, args.timeout)
        for r in range(args.repeat):
            log(f"load {f['rows']:,} {dataset} lines ({kind.replace('_', ' ')} {f['month']}): "
                f"run {r + 1} of {args.repeat}")
            proc = stocklens_cli(["load", f["path"], "--dataset", dataset, "--month", f["month"],
                                  "--store", store_dir], args.timeout)
            if f"{f['rows']} stored" not in proc["stdout"]:
                raise RuntimeError(f"unexpected load output: {proc['stdout'][:500]}")
            walls.append(proc["wall_s"])
            rss.append(proc["max_rss_mb"])
            undo = stocklens_cli(["undo", "--dataset", dataset, "--month", f["month"], "--store", store_dir],
                                 args.timeout)
            undo_walls.append(undo["wall_s"])
            rss.append(undo["max_rss_mb"])
        out[kind] = {"month": f["month"], "lines": f["rows"], "wall_s": summary(walls),
                     "undo_wall_s": summary(undo_walls), "max_rss_mb": max(rss)}
    return out


def clear_result_cache(store_dir: Path) -> bool:
    """Empty the store's result cache, if the engine has one (then the next run computes)."""
    from .store import Store

    with Store(store_dir) as store:
        clear = getattr(store, "clear_result_cache", None)
        if clear is not None:
            clear()
        return clear is not None


def measure_kpis_cli(store_dir: Path, month: str, args) -> tuple[dict, dict]:
    """kpis --json as a process: computed (result cache emptied before), then again (cached)."""
    walls, cached_walls, rss, result = [], [], [], None
    for r in range(args.repeat):
        log(f"kpis --json: run {r + 1} of {args.repeat}")
        has_cache = clear_result_cache(store_dir)
        for target in ([walls, cached_walls] if has_cache else [walls]):
            proc = stocklens_cli(["kpis", "--month", month, "--json", "--store", store_dir], args.timeout)
            target.append(proc["wall_s"])
            rss.append(proc["max_rss_mb"])
            result = json.loads(proc["stdout"])
    return {"wall_s": summary(walls), "cached_wall_s": summary(cached_walls), "max_rss_mb": max(rss)}, result


def measure_pandas(workdir: Path, manifest: dict, month: str, args) -> tuple[dict, dict]:
    log(f"pandas: load once, then {args.pandas_repeat} refreshes")
    out_path = workdir / "pandas_kpis.json"
    run = run_worker("pandas", ["--manifest", workdir / "data" / "manifest.json", "--month", month,
                                "--repeat", args.pandas_repeat, "--out", out_path], args.timeout)
    steps = {k: statistics.median([s[k] for s in run["steps_s"]]) for k in run["steps_s"][0]}
    return {"load_s": run["load_s"], "import_s": run["import_s"], "refresh_s": summary(run["refresh_s"]),
            "refresh_steps_s": steps, "process_s": run["process_s"], "max_rss_mb": run["max_rss_mb"],
            "order_rows": run["order_rows"], "stock_rows": run["stock_rows"]}, json.loads(out_path.read_text())


def median_of(d: dict | None) -> float | None:
    return d["median"] if d else None


def ratio(a, b):
    return a / b if a is not None and b else None


def evaluate_targets(r: dict) -> dict:
    pages = r["pages"]
    worst_warm = max(median_of(pages[p]["warm_s"]) for p in PAGES)
    worst_cold = max(median_of(pages[p]["cold_s"]) for p in PAGES)
    load = max(median_of(v["wall_s"]) for v in r["load"].values())
    filtered = [median_of(pages[p].get("filtered_s")) for p in PAGES]
    loads = list(r["load"].values()) + list(r.get("load_po", {}).values())
    stocklens_rss = [pages[p]["max_rss_mb"] for p in pages] + [v["max_rss_mb"] for v in loads] \
        + [r["kpis_cli"]["max_rss_mb"]]
    values = {
        "page_warm_s": worst_warm,
        "po_pages_warm_s": max(median_of(pages[p]["warm_s"]) for p in ("replenishment", "suppliers")),
        "page_cold_s": worst_cold,
        "load_300k_s": load,
        "undo_s": max(median_of(v["undo_wall_s"]) for v in r["load"].values()),
        "filtered_view_s": None if None in filtered else max(filtered),
        "settings_view_s": worst_warm if r.get("settings") else None,
        "pandas_ratio": r["pandas"]["ratio_overview_warm"] if r.get("pandas") else None,
        "peak_memory_mb": max(stocklens_rss),
        "history_ratio": r["history"]["worst_warm_ratio"] if r.get("history") else None,
    }
    cached = [median_of(pages[p]["cached_s"]) for p in PAGES]
    out = {}
    for key, (text, op, target) in TARGETS.items():
        value = values[key]
        met = None if value is None else (value <= target if op == "<=" else value >= target)
        out[key] = {"target": f"{op} {target:g}", "what": text, "value": value, "met": met}
    if r.get("settings"):
        out["settings_view_s"]["value_save"] = median_of(r["settings"]["save_s"])
    if all(c is not None for c in cached):  # for information: a repeat view, read from the result cache
        out["page_warm_s"]["value_cached"] = max(cached)
        out["po_pages_warm_s"]["value_cached"] = max(median_of(pages[p]["cached_s"])
                                                     for p in ("replenishment", "suppliers"))
    return out


def fmt_s(x) -> str:
    if x is None:
        return "-"
    return f"{x * 1000:,.0f} ms" if x < 1 else f"{x:,.2f} s"


def print_table(r: dict, out=sys.stdout) -> None:
    p = r["parameters"]
    g = r["generated"]
    w = out.write
    w(f"\nstocklens benchmark: {g['order_line_rows']:,} order line rows ({g['distinct_lines']:,} lines), "
      f"{p['months']} months, {p['skus']:,} SKUs; {g['rows_per_month_last']:,} rows in the last monthly file; "
      f"{g['po_line_rows']:,} PO line rows ({g['po_distinct_lines']:,} lines, {g['suppliers']} suppliers), "
      f"{g['po_rows_per_month_last']:,} in the last monthly PO file\n")
    m = r["machine"]
    w(f"{m['cpu_count']} CPUs ({m['cpu']}), {m['memory_gb']} GB; load average {m['load_average_start'][0]:.1f} "
      f"at start, {m.get('load_average_end', [0])[0]:.1f} at end; duckdb {r['versions']['duckdb']}, "
      f"polars {r['versions']['polars']}, pandas {r['versions']['pandas']}\n\n")
    w(f"{'figure':58} {'median':>11} {'min':>11} {'max':>11} {'RSS MB':>8}\n")

    def row(name, s, rss=None):
        s = s or {}
        w(f"{name:58} {fmt_s(s.get('median')):>11} {fmt_s(s.get('min')):>11} {fmt_s(s.get('max')):>11} "
          f"{'' if rss is None else f'{rss:,.0f}':>8}\n")

    for kind, v in r["load"].items():
        row(f"load {v['lines']:,} lines, {kind.replace('_', ' ')} (process)", v["wall_s"], v["max_rss_mb"])
        row(f"undo of that load, {kind.replace('_', ' ')} (process)", v["undo_wall_s"])
    for kind, v in r.get("load_po", {}).items():
        row(f"load {v['lines']:,} PO lines, {kind.replace('_', ' ')} (process)", v["wall_s"], v["max_rss_mb"])
        row(f"undo of that PO load, {kind.replace('_', ' ')} (process)", v["undo_wall_s"])
    if r.get("settings"):
        row("settings change: service.save_settings (13 months' figures)", r["settings"]["save_s"])
    for page, v in r["pages"].items():
        row(f"{page}: warm, computed", v["warm_s"])
        if v.get("cached_s"):
            row(f"{page}: warm, read from the result cache", v["cached_s"])
        if v.get("on_demand_s"):
            row(f"{page}: warm, on demand (no stored month figures)", v["on_demand_s"])
        if v.get("filtered_s"):
            row(f"{page}: warm, filtered view (one category, on demand)", v["filtered_s"])
        row(f"{page}: cold, computed (open + queries)", v["cold_s"], v["max_rss_mb"])
        row(f"{page}: cold, from process start (with imports)", v["cold_process_s"])
    row("kpis --json (process), computed", r["kpis_cli"]["wall_s"], r["kpis_cli"]["max_rss_mb"])
    if r["kpis_cli"].get("cached_wall_s"):
        row("kpis --json (process), from the result cache", r["kpis_cli"]["cached_wall_s"])
    row("floor: one scan of the columns read, warm", r["floor"]["warm_s"], r["floor"]["max_rss_mb"])
    if r.get("pandas"):
        pd_ = r["pandas"]
        row("pandas: read every file into DataFrames (once)", {"median": pd_["load_s"]}, pd_["max_rss_mb"])
        row("pandas: one refresh of the KPI set", pd_["refresh_s"])
        w(f"\nratio pandas refresh / overview warm: {pd_['ratio_overview_warm']:.1f}x; / kpis_for_month warm: "
          f"{pd_['ratio_kpis_for_month_warm']:.1f}x; / all four pages warm: {pd_['ratio_all_pages_warm']:.1f}x\n")
        agree = r["agreement"]
        n_diff = len(agree["differences"])
        w(f"pandas and stocklens agree on {', '.join(MUST_AGREE)}: {'yes' if agree['required_agree'] else 'NO'}; "
          f"on every KPI the pandas version computes: {'yes' if not n_diff else f'no, {n_diff} differ'}\n")
    w("ratio page warm / floor: " + ", ".join(f"{k} {v:.1f}x" for k, v in r["floor"]["ratio_page_warm"].items()
                                              if v is not None) + "\n")
    if r.get("history"):
        h = r["history"]
        w(f"history (warm, {h['months'][0]} vs {h['months'][1]} months of the same lines per month): " + ", ".join(
            f"{k} {v:.2f}x" for k, v in h["warm_ratio"].items() if v is not None) + "\n")
    w("\ntargets (stated for 10,000,000 lines on 2 cores):\n")
    for key, t in r["targets"].items():
        value = t["value"]
        shown = "-" if value is None else (fmt_s(value) if key.endswith("_s") else f"{value:,.2f}")
        met = {True: "met", False: "NOT met", None: "not measured"}[t["met"]]
        w(f"  {t['what']:92} {t['target']:>9}  {shown:>10}  {met}\n")
    slow = r.get("slowest_query")
    if slow:
        w(f"\nslowest warm query: {slow['query']} on {slow['page']} ({fmt_s(slow['seconds'])})"
          f"{'; its DuckDB profile: ' + slow['explain'] if slow.get('explain') else ''}\n")
        for op in slow.get("top_operators", [])[:5]:
            w(f"  {op['operator']:24} {fmt_s(op['seconds']):>10} {op['rows'] or 0:>14,} rows  {op['info'][:90]}\n")


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m stocklens.bench", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lines", type=int, default=10_000_000, help="order line rows stored over all months")
    p.add_argument("--months", type=int, default=36)
    p.add_argument("--skus", type=int, default=50_000)
    p.add_argument("--repeat", type=int, default=5, help="measured runs (fresh processes) of each figure")
    p.add_argument("--warm-runs", type=int, default=3, help="warm refreshes in each page process")
    p.add_argument("--pandas-repeat", type=int, help="pandas refreshes (default: --repeat, at most 3)")
    p.add_argument("--load-lines", type=int, default=300_000, help="lines of the load test's monthly file")
    p.add_argument("--po-per-sku", type=float, default=3.0,
                   help="PO line versions per SKU in each monthly purchase-order file (about)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", default="bench-results/bench.json")
    p.add_argument("--workdir", help="work dir (default: a temporary one, removed unless --keep)")
    p.add_argument("--keep", action="store_true", help="keep the work dir (files and stores)")
    p.add_argument("--reuse", action="store_true",
                   help="reuse the files and store of a previous run in --workdir with the same parameters")
    p.add_argument("--history-check", action="store_true",
                   help="also build a store of --history-months months with the same lines per month "
                        "and compare each page's time for the last month (the issue's target: 36 vs 12)")
    p.add_argument("--history-months", type=int, default=12)
    p.add_argument("--no-pandas", action="store_true", help="skip the pandas comparison")
    p.add_argument("--timeout", type=float, default=7200, help="seconds allowed to each measured process")
    args = p.parse_args(argv)
    if args.pandas_repeat is None:
        args.pandas_repeat = min(3, args.repeat)
    if args.months < 2 or args.lines < 1000 or args.skus < 10 or args.repeat < 1 or args.load_lines < 1:
        p.error("need --months >= 2, --lines >= 1000, --skus >= 10, --repeat >= 1, --load-lines >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["worker"]:
        result = WORKERS[argv[1]](argv[2:])
        print(RESULT_PREFIX + json.dumps(result, default=str), flush=True)
        return 0
    args = parse_args(argv)
    started = time.perf_counter()
    r = {"machine": machine(), "versions": versions(), "started_at": dt.datetime.now().isoformat(timespec="seconds"),
         "parameters": {k: getattr(args, k) for k in ("lines", "months", "skus", "repeat", "warm_runs",
                                                      "pandas_repeat", "load_lines", "po_per_sku", "seed",
                                                      "history_check", "history_months")},
         "environment": {"STOCKLENS_MEMORY_LIMIT": os.environ.get("STOCKLENS_MEMORY_LIMIT")},
         "definitions": {
             "warm": "median over repeat x warm_runs refreshes, each after the first in its process, computed "
                     "(the store's result cache, where the engine has one, emptied before each)",
             "cached": "the same refreshes read back from the store's result cache (a repeat view)",
             "cold": "first refresh in a new process, computed: Store opened + queries, without Python imports",
             "cold_process": "from spawning that process to the end of its first refresh (imports included)",
             "process": "wall time of the whole page process (its cold and warm refreshes)",
             "load": "wall time of `python -m stocklens load` (the process), then undone for the next run",
             "load_po": "the same for a monthly purchase-order file: the month after the last, and the last "
                        "re-exported",
             "undo": "wall time of `python -m stocklens undo` of that load (the process)",
             "filtered": "each page's refresh with a category filter (the category of the most SKUs), its first "
                         "view: the stored month figures and the result cache emptied before each",
             "settings": "wall time of service.save_settings (a service level change, then back), which "
                         "recomputes the standard view's month figures of the latest 13 months",
             "max_rss_mb": "peak resident memory of the process (wait4 ru_maxrss)",
             "pandas_refresh": "the kpis --json set of the last month from DataFrames already in memory",
         }}
    workdir, created = prepare_workdir(args)
    r["parameters"]["workdir"] = str(workdir)
    out_path = Path(args.out)

    def save(status: str) -> None:
        """Write what is measured so far: a run that fails late keeps its figures."""
        r["status"] = status
        out_path.parent.mkdir(parents=True, exist_ok=True)
        out_path.write_text(json.dumps(r, indent=1, default=str), encoding="utf-8")

    try:
        manifest, store_dir, figures = build(workdir, "", args.lines, args.months, args)
        month = manifest["months"][-1]
        r["generated"] = manifest["stats"]
        r["build"] = figures
        r["month"] = month

        short = None
        if args.history_check:  # built first, so that both stores' pages are measured side by side
            short = args.history_months
            lines_short = round(args.lines * short / args.months)
            manifest_s, store_s, figures_s = build(workdir, f"{short}m", lines_short, short, args)
        save("running")
        measured = measure_pages([store_dir] + ([store_s] if short else []), month, PAGES, args)
        r["pages"] = measured[0]
        r["pages"].update(measure_pages([store_dir], month, ("kpis_for_month",), args)[0])
        if short:
            pages_s = measured[1]
            warm_ratio = {p: ratio(median_of(r["pages"][p]["warm_s"]), median_of(pages_s[p]["warm_s"])) for p in PAGES}
            cold_ratio = {p: ratio(median_of(r["pages"][p]["cold_s"]), median_of(pages_s[p]["cold_s"])) for p in PAGES}
            r["history"] = {"months": [args.months, short], "lines": [args.lines, lines_short],
                            "generated_short": manifest_s["stats"], "build_short": figures_s, "pages_short": pages_s,
                            "warm_ratio": warm_ratio, "cold_ratio": cold_ratio,
                            "worst_warm_ratio": max(v for v in warm_ratio.values() if v is not None)}
        save("running")
        floor = measure_pages([store_dir], month, ("floor",), args)[0]["floor"]
        r["floor"] = {"warm_s": floor["warm_s"], "cold_s": floor["cold_s"], "max_rss_mb": floor["max_rss_mb"],
                      "by_table_s": floor["warm_by_query_s"], "sql": FLOOR_SQL}
        floor_s = median_of(floor["warm_s"])
        r["floor"]["ratio_page_warm"] = {p: ratio(median_of(r["pages"][p]["warm_s"]), floor_s) for p in r["pages"]}
        r["kpis_cli"], stocklens_kpis = measure_kpis_cli(store_dir, month, args)
        r["kpis_json"] = stocklens_kpis
        save("running")
        # before the loads: each save recomputes the latest 13 months' standard figures, which the
        # pages' on-demand runs emptied, so that a load computes only those of the months it changes
        log("settings change and back (service.save_settings)")
        r["settings"] = {"save_s": summary(run_worker("settings", ["--store", store_dir], args.timeout)["save_s"])}
        r["load"] = measure_loads(store_dir, manifest["load_files"], args)
        r["load_po"] = measure_loads(store_dir, manifest["po_load_files"], args, "purchase_orders")
        save("running")

        pandas_result = None
        if not args.no_pandas:
            try:
                r["pandas"], pandas_result = measure_pandas(workdir, manifest, month, args)
            except RuntimeError as exc:  # e.g. out of memory at a large size: report it, go on
                log(f"the pandas comparison failed: {str(exc)[-300:]}")
                r["pandas_error"] = str(exc)[-2000:]
        if pandas_result is not None:
            refresh = median_of(r["pandas"]["refresh_s"])
            all_pages = sum(median_of(r["pages"][p]["warm_s"]) for p in KPI_PAGES)
            r["pandas"].update(
                ratio_overview_warm=ratio(refresh, median_of(r["pages"]["overview"]["warm_s"])),
                ratio_kpis_for_month_warm=ratio(refresh, median_of(r["pages"]["kpis_for_month"]["warm_s"])),
                ratio_all_pages_warm=ratio(refresh, all_pages),
                ratio_per_page_warm={p: ratio(refresh, median_of(r["pages"][p]["warm_s"])) for p in KPI_PAGES})
            # compared on the KPIs the pandas version computes (not the purchase-order and forecast ones)
            differences = compare_kpis({k: stocklens_kpis.get(k) for k in pandas_result}, pandas_result)
            required = [d for d in differences if d.split(":")[0] in MUST_AGREE]
            r["agreement"] = {"required": list(MUST_AGREE), "required_agree": not required,
                              "differences": differences,
                              "not_in_pandas": sorted(set(stocklens_kpis) - set(pandas_result)),
                              "headline": {k: {"stocklens": stocklens_kpis.get(k), "pandas": pandas_result.get(k)}
                                           for k in MUST_AGREE}}
            save("running")

        slowest = max(((page, q, s) for page in PAGES for q, s in r["pages"][page]["warm_by_query_s"].items()),
                      key=lambda x: x[2])
        r["slowest_query"] = {"page": slowest[0], "query": slowest[1], "seconds": slowest[2]}
        profile_path = out_path.with_suffix(".profile.json")
        try:
            out_path.parent.mkdir(parents=True, exist_ok=True)
            profile = run_worker("explain", ["--store", store_dir, "--month", month, "--page", slowest[0],
                                             "--query", slowest[1], "--out", profile_path], args.timeout)
            r["slowest_query"].update(explain=str(profile_path), totals=profile["totals"],
                                      top_operators=profile["top_operators"])
        except RuntimeError as exc:  # the profile is a help, not a figure
            r["slowest_query"]["explain_error"] = str(exc)[-500:]

        r["targets"] = evaluate_targets(r)
        r["machine"]["load_average_end"] = os.getloadavg()
        r["total_s"] = time.perf_counter() - started
        save("complete")
        print_table(r)
        kept = f"; work dir {workdir}" if args.keep or not created else ""
        print(f"\nwritten {out_path} in {r['total_s'] / 60:.1f} min{kept}")
        if r.get("agreement") and not r["agreement"]["required_agree"]:
            print("stocklens and pandas DISAGREE on " + "; ".join(
                d for d in r["agreement"]["differences"] if d.split(":")[0] in MUST_AGREE), file=sys.stderr)
            return 1
        return 0
    except BaseException as exc:
        r["error"] = f"{type(exc).__name__}: {str(exc)[-3000:]}"
        save("failed")
        log(f"failed; the figures measured so far are in {out_path}")
        raise
    finally:
        if created and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
