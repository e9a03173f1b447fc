"""The CLI on real data: the four monthly UCI Online Retail files (../shared/data/uci-online-retail,
see its SOURCE.md), loaded as shipped sales with --all-shipped, checked against figures computed
here independently from the raw files with the csv module.

Raw file facts the expectations rest on (SOURCE.md and the stack notes): header
InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country; one row per
invoice line; an invoice may list the same StockCode on several rows (one line of the store, its
quantities summed); cancellations have invoice numbers starting with C and negative quantities;
customer ids are written as floats ("17850.0") or blank; descriptions carry trailing spaces.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import pytest

from stocklens.store import Store

from shared_data import UCI_DIR

DATA = UCI_DIR
MONTHS = ["2010-12", "2011-01", "2011-02", "2011-03"]


def raw_figures(path: Path) -> dict:
    """Per file, with the csv module only: rows, distinct (InvoiceNo, StockCode) keys after trimming
    spaces, the sum of Quantity, rows with Quantity <= 0, keys whose summed Quantity is <= 0,
    distinct non-blank customer ids (as integers written as text), and the latest invoice date."""
    rows = 0
    qty_by_key: dict[tuple[str, str], int] = defaultdict(int)
    qty_sum = 0
    non_positive_rows = 0
    customers: set[str] = set()
    latest = ""
    with path.open(newline="", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            rows += 1
            key = (rec["InvoiceNo"].strip(), rec["StockCode"].strip())
            q = int(rec["Quantity"])
            qty_by_key[key] += q
            qty_sum += q
            non_positive_rows += q <= 0
            if rec["CustomerID"].strip():
                customers.add(str(int(float(rec["CustomerID"]))))
            latest = max(latest, rec["InvoiceDate"][:10])
    return {
        "rows": rows,
        "lines": len(qty_by_key),
        "qty": qty_sum,
        "non_positive_rows": non_positive_rows,
        "non_positive_lines": sum(1 for q in qty_by_key.values() if q <= 0),
        "customers": customers,
        "latest": latest,
    }


@pytest.fixture(scope="module")
def uci_store(tmp_path_factory, cli):
    if not DATA.is_dir():
        raise AssertionError(f"the UCI data set is missing at {DATA}")
    store_dir = tmp_path_factory.mktemp("uci") / "store"
    outputs = {}
    for month in MONTHS:
        out = cli("load", DATA / f"online_retail_{month}.csv", "--dataset", "orders", "--all-shipped",
                       "--store", store_dir)
        assert out.returncode == 0, out.stderr
        outputs[month] = out.stdout
    months_json = cli("months", "--json", "--store", store_dir)
    assert months_json.returncode == 0, months_json.stderr
    return store_dir, outputs, json.loads(months_json.stdout)


@pytest.fixture(scope="module")
def raw():
    return {m: raw_figures(DATA / f"online_retail_{m}.csv") for m in MONTHS}


def test_each_month_proposed_from_its_dates(uci_store, raw):
    _, outputs, _ = uci_store
    for month in MONTHS:
        # The file of month M has its latest invoice in M, so M is proposed and used.
        assert raw[month]["latest"][:7] == month
        assert f"as orders {month}: {raw[month]['rows']} rows read, {raw[month]['lines']} stored" in outputs[month]


def test_stored_lines_match_the_raw_files(uci_store, raw):
    store_dir, _, _ = uci_store
    with Store(store_dir) as s:
        got = {r[0]: r[1:] for r in s.query(
            "select month, count(*), sum(qty_ordered), sum(qty_shipped), "
            "count(*) filter (where qty_ordered <= 0), count(distinct customer), "
            "count(*) filter (where ship_date <> order_date) "
            "from orders group by month").rows()}
        assert sorted(got) == MONTHS
        for m in MONTHS:
            lines, qty, shipped, non_positive, customers, ship_not_on_order_date = got[m]
            assert lines == raw[m]["lines"], m
            assert qty == raw[m]["qty"], m
            # --all-shipped: no line has shipping information, so all of it ships on its order date.
            assert shipped == raw[m]["qty"], m
            assert ship_not_on_order_date == 0, m
            assert non_positive == raw[m]["non_positive_lines"], m
            assert customers == len(raw[m]["customers"]), m
        assert s.data_version() == len(MONTHS)


def test_months_json_matches_the_raw_files(uci_store, raw):
    _, _, months = uci_store
    by_month = {m["month"]: m for m in months}
    assert sorted(by_month) == MONTHS
    for m in MONTHS:
        entry = by_month[m]
        assert entry["dataset"] == "orders" and entry["file_name"] == f"online_retail_{m}.csv"
        assert entry["rows_read"] == raw[m]["rows"]
        assert entry["rows_stored"] == raw[m]["lines"]
        assert entry["count_earlier_versions"] == 0


def test_returns_are_counted_in_the_findings(uci_store, raw):
    store_dir, _, _ = uci_store
    with Store(store_dir) as s:
        for m in MONTHS:
            findings = json.loads(s.query(
                "select findings from loads where month = $m and state = 'active'", {"m": m}).item())
            returns = next(f for f in findings if f["kind"] == "returns")
            # The finding counts rows of the file with Quantity <= 0.
            assert returns["count"] == raw[m]["non_positive_rows"], m


def test_values_as_written_in_the_file(uci_store):
    store_dir, _, _ = uci_store
    with Store(store_dir) as s:
        # First row of the December file: 536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,
        # 2010-12-01 08:26:00,2.55,17850.0,United Kingdom -> customer "17850", not "17850.0".
        assert s.query(
            "select sku, order_date, qty_ordered, unit_price, customer from orders "
            "where order_id = '536365' and sku = '85123A'").rows() == [
            ("85123A", dt.date(2010, 12, 1), 6.0, 2.55, "17850")]
        # Stored codes and ids are trimmed and no customer id ends in ".0". (In these files the
        # trailing spaces are in Description, which is not stored for orders; trimming of codes
        # itself is tested with a hand-written file in test_import_formats.)
        assert s.query(
            "select count(*) from orders where sku <> trim(sku) or order_id <> trim(order_id) "
            "or customer like '%.0'").item() == 0
        # Cancellation invoices keep their "C" and their negative quantity.
        assert s.query(
            "select count(*) from orders where order_id like 'C%' and qty_ordered > 0").item() == 0
