"""CI smoke run of the benchmark (issue 5) at a tiny size: the command works end to end and
writes its JSON with every figure, sane values and pandas agreeing with stocklens. No timing is
asserted here: timings on a shared CI runner say nothing."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from stocklens import bench

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PAGES = ["overview", "backlog", "backorders", "inventory", "replenishment", "suppliers"]


def _positive(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


def _summary_ok(s: dict, n: int) -> bool:
    return s["n"] == n and all(_positive(s[k]) for k in ("median", "min", "max")) \
        and s["min"] <= s["median"] <= s["max"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bench")
    out = tmp / "results" / "bench.json"
    proc = subprocess.run(
        [sys.executable, "-m", "stocklens.bench", "--lines", "20000", "--months", "6", "--skus", "500",
         "--repeat", "1", "--warm-runs", "1", "--load-lines", "5000", "--history-check",
         "--out", str(out), "--workdir", str(tmp / "work")],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc, json.loads(out.read_text()), tmp


def test_writes_every_figure(run):
    proc, r, _ = run
    for key in ("machine", "versions", "parameters", "generated", "build", "month", "pages", "floor", "kpis_cli",
                "kpis_json", "load", "load_po", "pandas", "agreement", "slowest_query", "history", "targets",
                "total_s"):
        assert key in r, key
    assert r["machine"]["cpu_count"] >= 1
    assert r["versions"]["duckdb"] and r["versions"]["polars"] and r["versions"]["pandas"]
    assert r["parameters"]["lines"] == 20000 and r["parameters"]["months"] == 6
    assert r["month"] == bench.END_MONTH
    assert "targets" in proc.stdout and "overview: warm, computed" in proc.stdout  # the printed table
    assert "suppliers: warm, computed" in proc.stdout and "PO lines, new month" in proc.stdout


def test_generated_store_has_the_asked_shape(run):
    _, r, _ = run
    g = r["generated"]
    assert 0.9 * 20000 <= g["order_line_rows"] <= 1.1 * 20000
    assert g["distinct_lines"] < g["order_line_rows"]  # lines open across months: several versions
    assert g["skus"] == 500 and g["stock_rows_last_month"] >= 500
    assert g["rows_per_month_min"] > 0
    assert _positive(r["build"]["total_s"]) and r["build"]["orders_file_s"]["n"] == 6
    # purchase orders: about 3 line versions per SKU in each monthly file, lines open across months
    assert 0.8 * 3 * 500 * 6 <= g["po_line_rows"] <= 1.2 * 3 * 500 * 6
    assert g["po_distinct_lines"] < g["po_line_rows"] and g["po_rows_per_month_min"] > 0
    assert g["suppliers"] == 150 and g["second_source_skus"] > 0
    assert r["build"]["po_file_s"]["n"] == 6


def test_figures_are_sane(run):
    _, r, _ = run
    for page in PAGES + ["kpis_for_month"]:
        p = r["pages"][page]
        assert _summary_ok(p["warm_s"], 1) and _summary_ok(p["cold_s"], 1), page
        assert p["cold_process_s"]["median"] > p["cold_s"]["median"]  # the process also imports Python
        assert 20 < p["max_rss_mb"] < 8000
        assert p["warm_by_query_s"]
        if p["cached_s"] is not None:  # an engine with a result cache: repeat views are reported too
            assert _summary_ok(p["cached_s"], 1)
    assert set(r["pages"]["backorders"]["rows"]) >= {"backorder_totals", "frequently_backordered"}
    assert set(r["pages"]["replenishment"]["rows"]) >= {"reorder_list", "abc_xyz_matrix", "backorder_coverage_by_sku"}
    assert set(r["pages"]["suppliers"]["rows"]) >= {"supplier_scorecard", "po_late_lines", "supplier_single_source"}
    assert r["pages"]["suppliers"]["rows"]["supplier_scorecard"] > 1  # several suppliers with figures
    assert r["pages"]["replenishment"]["rows"]["reorder_list"] > 0
    for kind in ("new_month", "replace_month"):
        load = r["load"][kind]
        assert load["lines"] == 5000 and _summary_ok(load["wall_s"], 1) and load["max_rss_mb"] > 20
    assert r["load"]["new_month"]["month"] > r["month"] == r["load"]["replace_month"]["month"]
    for kind in ("new_month", "replace_month"):
        load = r["load_po"][kind]
        assert load["lines"] > 1000 and _summary_ok(load["wall_s"], 1) and load["max_rss_mb"] > 20
    assert r["load_po"]["new_month"]["month"] > r["month"] == r["load_po"]["replace_month"]["month"]
    assert _summary_ok(r["kpis_cli"]["wall_s"], 1)
    assert _summary_ok(r["floor"]["warm_s"], 1)
    assert all(_positive(v) for v in r["floor"]["ratio_page_warm"].values())
    pandas = r["pandas"]
    assert _positive(pandas["load_s"]) and _summary_ok(pandas["refresh_s"], 1)
    assert pandas["order_rows"] == r["generated"]["order_line_rows"]
    for key in ("ratio_overview_warm", "ratio_kpis_for_month_warm", "ratio_all_pages_warm"):
        assert _positive(pandas[key])
    h = r["history"]
    assert h["months"] == [6, 12] and set(h["warm_ratio"]) == set(PAGES)
    assert all(_positive(v) for v in h["warm_ratio"].values())


def test_pandas_agrees_with_stocklens(run):
    _, r, _ = run
    a = r["agreement"]
    assert a["required_agree"], a["differences"]
    for key, pair in a["headline"].items():
        assert pair["stocklens"] is not None and pair["stocklens"] == pytest.approx(pair["pandas"], rel=1e-6), key
    assert r["kpis_json"]["backlog_units"] > 0 and r["kpis_json"]["backorder_units"] > 0
    k = r["kpis_json"]
    assert k["on_order_units"] > 0 and k["late_po_lines"] > 0 and 0 < k["supplier_otif_lines"] < 1
    assert k["backorder_covered_units"] is not None and "on_order_units" in a["not_in_pandas"]


def test_targets_are_all_reported(run):
    _, r, _ = run
    assert set(r["targets"]) == set(bench.TARGETS)
    for key, t in r["targets"].items():
        assert t["value"] is not None, key
        assert t["met"] in (True, False), key


def test_load_test_leaves_the_store_as_it_was(run):
    """Every load is undone: the store ends with the months it was built with, and the monthly
    file of the last month is the generated one (the replacement was undone)."""
    _, r, tmp = run
    from stocklens.store import Store

    with Store(tmp / "work" / "store", read_only=True) as store:
        assert store.months("orders") == bench.stored_months(6)
        assert store.months("purchase_orders") == bench.stored_months(6)
        rows = store.query("select count(*) from orders where month = $m", {"m": r["month"]}).item()
        po_rows = store.query("select count(*) from purchase_orders where month = $m", {"m": r["month"]}).item()
    assert rows == r["generated"]["rows_per_month_last"]
    assert po_rows == r["generated"]["po_rows_per_month_last"]


def test_monthly_uploads_carry_lines_forward(tmp_path):
    """The generator's files follow kpi-book section 2: a line open at a month end is in the next
    month's upload, with cumulative quantities that never go down."""
    m = bench.generate(tmp_path, 6000, 4, 200, seed=3, load_lines=700)
    orders = {f["month"]: pl.read_csv(f["path"], infer_schema=False) for f in m["files"] if f["dataset"] == "orders"}
    months = m["months"]
    num = lambda c: pl.col(c).cast(pl.Float64)  # noqa: E731
    for before, after in zip(months, months[1:]):
        a = orders[before].with_columns(num("Qty Ordered"), num("Qty Shipped"), num("Qty Cancelled"))
        b = orders[after].with_columns(num("Qty Ordered"), num("Qty Shipped"), num("Qty Cancelled"))
        still_open = a.filter((pl.col("Qty Ordered") > 0)
                              & (pl.col("Qty Shipped") + pl.col("Qty Cancelled") < pl.col("Qty Ordered")))
        joined = still_open.join(b, on=["Order ID", "Line"], how="left", suffix="_next")
        assert joined["Qty Shipped_next"].null_count() == 0  # every open line is exported again
        assert (joined["Qty Shipped_next"] >= joined["Qty Shipped"]).all()
        assert (joined["Qty Cancelled_next"] >= joined["Qty Cancelled"]).all()
    last = pl.concat(list(orders.values()))
    assert last.filter(pl.col("Status") == "partial").height > 0
    assert last.filter(pl.col("Status") == "cancelled").height > 0
    assert last.filter(num("Qty Ordered") < 0).height > 0  # returns
    assert {f["rows"] for f in m["load_files"].values()} == {700}


def test_monthly_po_files_carry_open_lines_forward(tmp_path):
    """The PO files follow the same rule: a PO line with units still to receive at a month end is in
    the next month's file, its receipts never go down; some arrive in part, some after their
    expected date, a few lines have no expected date, and some SKUs are bought from two suppliers
    (most lines from the product master's)."""
    m = bench.generate(tmp_path, 6000, 4, 200, seed=3, load_lines=700)
    files = {f["month"]: pl.read_csv(f["path"], infer_schema=False) for f in m["files"]
             if f["dataset"] == "purchase_orders"}
    num = lambda c: pl.col(c).cast(pl.Float64)  # noqa: E731
    for before, after in zip(m["months"], m["months"][1:]):
        a = files[before].with_columns(num("Qty Ordered"), num("Qty Received"))
        b = files[after].with_columns(num("Qty Received"))
        still_open = a.filter(pl.col("Qty Received") < pl.col("Qty Ordered"))
        joined = still_open.join(b, on=["PO Number", "Line"], how="left", suffix="_next")
        assert still_open.height > 0 and joined["Qty Received_next"].null_count() == 0
        assert (joined["Qty Received_next"] >= joined["Qty Received"]).all()
    every = pl.concat(list(files.values())).with_columns(num("Qty Ordered"), num("Qty Received"))
    assert every.filter((pl.col("Qty Received") > 0) & (pl.col("Qty Received") < pl.col("Qty Ordered"))).height > 0
    assert every.filter(pl.col("Received Date") > pl.col("Expected Date")).height > 0  # ISO dates compare as text
    assert 0 < every["Expected Date"].null_count() < every.height / 100
    products = pl.read_csv(tmp_path / "products.csv", infer_schema=False).select("SKU", pl.col("Supplier").alias("main"))
    lines = every.unique(["PO Number", "Line"]).join(products, on="SKU")
    assert lines.group_by("SKU").agg(pl.col("Supplier").n_unique().alias("n")).filter(pl.col("n") == 2).height > 0
    assert (lines["Supplier"] == lines["main"]).mean() > 0.8
