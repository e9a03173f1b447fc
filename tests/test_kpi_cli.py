"""The command line of kpi-book section 5 in a subprocess: `load`, `months`, `kpis --json`; the JSON
has exactly the book's keys (nested ones too), null where unknown. Then the UCI Online Retail files
(/work/shared/data/uci-online-retail, invoice lines: shipped sales) loaded with --all-shipped."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kpi_helpers import ORDERS_HEADER, STOCK_HEADER, run_cli, write_csv

from shared_data import UCI_DIR

# kpi-book section 5, copied by hand, in its order (the registry's KPIs marked json, in registry
# order, with the nested parts where the book has them)
TOP_KEYS = [
    "month", "backlog_units", "backlog_value", "backlog_lines", "backlog_orders", "avg_age_days",
    "past_due_units", "age_buckets", "bridge", "backorder_units", "backordered_skus", "backorder_rate",
    "frequently_backordered", "fill_rate_units", "fill_rate_lines", "fill_rate_orders", "inventory_units",
    "inventory_value", "cogs", "avg_inventory_value", "turnover_monthly", "turnover_annual", "dio_days",
    "holding_cost", "dead_stock_value", "excess_stock_value",
    # in units, for files without costs (issue 11)
    "cogs_units", "avg_inventory_units", "turnover_monthly_units", "turnover_annual_units", "dio_days_units",
    "dead_stock_units", "excess_stock_units", "count_skus_unknown_cost",
    # purchase orders and replenishment (issue 10)
    "on_order_units", "backorder_covered_units", "backorder_uncovered_units", "late_po_lines",
    "supplier_otif_lines", "forecast_wape", "forecast_bias",
]
AGE_KEYS = ["0-30", "31-60", "61-90", "91-180", "181+"]
# the book's six steps and closed_by_absence (issue 11: carved out of restated)
BRIDGE_KEYS = ["opening", "new", "shipped", "cancelled", "closed_by_absence", "restated", "closing"]
FREQUENT_KEYS = ["sku", "months_backordered", "backorder_units"]
STOCK_FIGURES = ("inventory_units", "inventory_value", "avg_inventory_value", "turnover_monthly", "holding_cost",
                 "dead_stock_value", "excess_stock_value")
BACKORDER_FIGURES = ("backorder_units", "backordered_skus", "backorder_rate", "frequently_backordered")

UCI = UCI_DIR


def cli_ok(*args) -> str:
    done = run_cli(*args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def cli_kpis(store_dir, month: str) -> dict:
    return json.loads(cli_ok("kpis", "--month", month, "--json", "--store", store_dir))


def assert_book_keys(k: dict) -> None:
    """The book's keys in the book's order (json.loads keeps the order printed)."""
    assert list(k) == TOP_KEYS
    assert list(k["age_buckets"]) == AGE_KEYS
    assert list(k["bridge"]) == BRIDGE_KEYS
    for item in k["frequently_backordered"] or []:
        assert list(item) == FREQUENT_KEYS


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    """Dec 2023 .. Mar 2024 loaded through the CLI: orders and stock for Dec, Jan, Feb; orders only in Mar."""
    base = tmp_path_factory.mktemp("cli")
    store_dir = base / "store"
    carried = """
        C2,1,B,2023-12-10,3,0,,0,,1,K2,W1   # 3 of B open in every month; B is in no stock file: backordered 3 months
    """
    stock_text = STOCK_HEADER + """
        A,4,1.5,W1    # A: 4 on hand at 1.5 = 6 in every stock month
    """
    feb = carried + """
        C1,1,A,2024-02-01,10,4,2024-02-05,0,,2,K1,W1   # ordered in February: 4 shipped on 02-05, 6 open at price 2
    """
    for month, text in (("2023-12", carried), ("2024-01", carried), ("2024-02", feb), ("2024-03", feb)):
        path = write_csv(base / "files", ORDERS_HEADER + "\n" + text, f"orders_{month}")
        cli_ok("load", path, "--dataset", "orders", "--month", month, "--store", store_dir)
        if month != "2024-03":
            path = write_csv(base / "files", stock_text, f"stock_{month}")
            cli_ok("load", path, "--dataset", "stock", "--month", month, "--store", store_dir)
    return store_dir


def test_kpis_json_keys_and_values(small_store):
    k = cli_kpis(small_store, "2024-02")
    assert_book_keys(k)
    assert k["month"] == "2024-02"
    # t = 2024-02-29. Open: C1 6 (age 28, due 02-08), C2 3 (age 21 + 31 + 29 = 81, due 12-17).
    assert k["backlog_units"] == 9 and k["backlog_lines"] == 2 and k["backlog_orders"] == 2
    assert k["backlog_value"] == pytest.approx(6 * 2 + 3 * 1)
    assert k["avg_age_days"] == pytest.approx((6 * 28 + 3 * 81) / 9)
    assert k["past_due_units"] == 9
    assert k["age_buckets"] == {"0-30": 6, "31-60": 0, "61-90": 3, "91-180": 0, "181+": 0}
    # opening = January's 3; new 10; shipped 4; closing 9; restated = 9 - (3 + 10 - 4 - 0) = 0
    assert k["bridge"] == {"opening": 3, "new": 10, "shipped": 4, "cancelled": 0, "closed_by_absence": 0,
                           "restated": 0, "closing": 9}
    # A: max(0, 6 - 4) = 2; B: 3 - 0 = 3 -> 5 of 9
    assert k["backorder_units"] == 5 and k["backordered_skus"] == 2
    assert k["backorder_rate"] == pytest.approx(5 / 9)
    # B backordered in Dec, Jan and Feb (3 >= 3); A in February only
    assert k["frequently_backordered"] == [{"sku": "B", "months_backordered": 3, "backorder_units": 3}]
    # C1: due 02-08, 4 of 10 shipped on 02-05
    assert k["fill_rate_units"] == pytest.approx(0.4)
    assert k["fill_rate_lines"] == 0 and k["fill_rate_orders"] == 0
    # stock: 4 x 1.5 = 6 every month; cogs Feb = 4 x 1.5 = 6; average (6 + 6) / 2 = 6
    assert k["inventory_units"] == 4 and k["inventory_value"] == pytest.approx(6)
    assert k["cogs"] == pytest.approx(6) and k["avg_inventory_value"] == pytest.approx(6)
    assert k["turnover_monthly"] == pytest.approx(1)
    # annual over Dec, Jan, Feb (n = 3): (0 + 0 + 6) / ((6 + 6 + 6) / 3) x 12 / 3 = 4; DIO 365 / 4
    assert k["turnover_annual"] == pytest.approx(4) and k["dio_days"] == pytest.approx(91.25)
    assert k["holding_cost"] == pytest.approx(6 * 0.25 / 12)
    # A shipped on 02-05 (not dead); excess: 4 - 6 x (4 / 6) = 0
    assert k["dead_stock_value"] == 0 and k["excess_stock_value"] == 0


def test_kpis_json_null_where_unknown(small_store):
    mar = cli_kpis(small_store, "2024-03")  # orders, no stock
    assert_book_keys(mar)
    assert mar["backlog_units"] == 9
    for key in STOCK_FIGURES + BACKORDER_FIGURES:
        assert mar[key] is None, key
    assert mar["fill_rate_units"] is None  # no line ordered in March: 0 / 0

    empty = cli_kpis(small_store, "2024-06")  # nothing loaded for June
    assert_book_keys(empty)
    assert empty["cogs"] is None  # no orders upload: June's shipments are not reported
    assert empty["age_buckets"] == {key: None for key in AGE_KEYS}
    assert empty["bridge"] == {key: None for key in BRIDGE_KEYS}
    for key in ("backlog_units", "backlog_value", "backlog_lines", "backlog_orders", "avg_age_days",
                "past_due_units", "fill_rate_units", "fill_rate_lines", "fill_rate_orders") \
            + STOCK_FIGURES + BACKORDER_FIGURES:
        assert empty[key] is None, key


def test_months_lists_what_is_loaded(small_store, tmp_path):
    out = cli_ok("months", "--store", small_store)
    listed = {tuple(line.split()[:2]) for line in out.splitlines()[1:] if line.strip()}
    assert listed == {("2023-12", "orders"), ("2023-12", "stock"), ("2024-01", "orders"), ("2024-01", "stock"),
                      ("2024-02", "orders"), ("2024-02", "stock"), ("2024-03", "orders")}
    as_json = json.loads(cli_ok("months", "--json", "--store", small_store))
    assert {(r["month"], r["dataset"]) for r in as_json} == listed
    assert "empty" in cli_ok("months", "--store", tmp_path / "nothing")


# --- UCI Online Retail --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def uci_store(tmp_path_factory):
    store_dir = tmp_path_factory.mktemp("uci") / "store"
    files = sorted(UCI.glob("online_retail_*.csv"))
    assert [f.stem[-7:] for f in files] == ["2010-12", "2011-01", "2011-02", "2011-03"]
    for f in files:
        # SOURCE.md: invoice lines (shipped sales); the synonyms map InvoiceNo, StockCode,
        # InvoiceDate, Quantity, UnitPrice and CustomerID
        cli_ok("load", f, "--dataset", "orders", "--month", f.stem[-7:], "--all-shipped", "--store", store_dir)
    return store_dir


def test_uci_all_shipped_march_2011(uci_store):
    k = cli_kpis(uci_store, "2011-03")
    assert_book_keys(k)
    # every line is shipped on its order date: nothing open, every line on time (returns left out)
    assert k["backlog_units"] == 0 and k["backlog_lines"] == 0 and k["backlog_value"] == 0
    assert k["avg_age_days"] is None  # no open units
    assert k["age_buckets"] == {key: 0 for key in AGE_KEYS}
    assert k["fill_rate_units"] == 1 and k["fill_rate_lines"] == 1 and k["fill_rate_orders"] == 1
    # nothing open at February's end either; lines ordered in March ship in March
    b = k["bridge"]
    assert b["opening"] == 0 and b["closing"] == 0 and b["cancelled"] == 0 and b["restated"] == 0
    assert b["new"] == b["shipped"] > 0
    # no stock and no cost in these files: every stock, cost and backorder figure is unknown
    for key in STOCK_FIGURES + BACKORDER_FIGURES + ("cogs", "turnover_annual", "dio_days"):
        assert k[key] is None, key


def test_uci_months(uci_store):
    out = cli_ok("months", "--store", uci_store)
    listed = {tuple(line.split()[:2]) for line in out.splitlines()[1:] if line.strip()}
    assert listed == {(m, "orders") for m in ("2010-12", "2011-01", "2011-02", "2011-03")}
