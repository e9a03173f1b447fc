"""Helpers of the KPI engine tests (tests/test_kpi_*.py): write small hand-made CSV fixtures,
load them through the real importer into a real store, run the KPI queries.

Fixture text is CSV with comments: a line whose first non-blank character is '#' is dropped, and
so is everything after '  #' on a data line, so that every fixture row can say why it is there.
Leading indentation is removed. No '#' may appear inside a value.
"""
from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

from stocklens import kpis as kpis_mod
from stocklens import settings as settings_mod
from stocklens.store import load_file

PROJECT_ROOT = Path(__file__).resolve().parent.parent

ORDERS_HEADER = ("order_id,line_id,sku,order_date,qty_ordered,qty_shipped,ship_date,qty_cancelled,"
                 "promised_date,unit_price,customer,location")
STOCK_HEADER = "sku,qty_on_hand,unit_cost,location"

_COMMENT = re.compile(r"\s+#.*$")
_names = itertools.count(1)


def csv_text(text: str) -> str:
    """The CSV of a commented fixture: comment lines and trailing comments removed."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        out.append(_COMMENT.sub("", line).rstrip())
    return "\n".join(out) + "\n"


def write_csv(folder: Path, text: str, stem: str = "fixture") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}_{next(_names)}.csv"
    path.write_text(csv_text(text), encoding="utf-8")
    return path


def load(store, folder: Path, dataset: str, month: str | None, text: str, *, all_shipped: bool = False):
    """Write the fixture to a CSV file and load it with the real importer; it must be accepted."""
    path = write_csv(Path(folder), text, f"{dataset}_{month or 'all'}")
    prep, result = load_file(store, path, dataset=dataset, month=month, all_shipped=all_shipped)
    assert result is not None, [p.message for p in prep.problems]
    return prep


def orders(store, folder, month, rows: str, *, header: str = ORDERS_HEADER, all_shipped: bool = False):
    return load(store, folder, "orders", month, header + "\n" + rows, all_shipped=all_shipped)


def stock(store, folder, month, rows: str, *, header: str = STOCK_HEADER):
    return load(store, folder, "stock", month, header + "\n" + rows)


def products(store, folder, rows: str,
             header: str = "sku,description,category,supplier,unit_cost,lead_time_days"):
    return load(store, folder, "products", None, header + "\n" + rows)


def kpis(store, month: str) -> dict:
    """The CLI's JSON object (kpi-book section 5) for one month, with the store's settings."""
    return kpis_mod.kpis_for_month(store, month)


def rows(store, query: str, month: str, **extra) -> list[dict]:
    """All rows of queries/<query>.sql for month M, with the store's settings."""
    ctx = kpis_mod.Context(month, settings_mod.load(store))
    frame = kpis_mod.run(store, query, ctx, **extra)
    result = frame.to_dicts()
    if "report_month" in frame.columns:  # queries over a list of months: keep M's rows
        result = [r for r in result if r["report_month"] == month]
    return result


def one(store, query: str, month: str, **extra) -> dict:
    result = rows(store, query, month, **extra)
    assert len(result) == 1, result
    return result[0]


def by(records: list[dict], key: str) -> dict:
    return {r[key]: r for r in records}


def save_settings(store, **changes) -> None:
    current = settings_mod.load(store)
    settings_mod.save(store, settings_mod.Settings.from_json({**current.to_json(), **changes}))


def run_cli(*args, timeout: float = 300) -> subprocess.CompletedProcess:
    """python -m stocklens ARGS in a subprocess from the project root, without STOCKLENS_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STOCKLENS_")}
    return subprocess.run([sys.executable, "-m", "stocklens", *map(str, args)], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)
