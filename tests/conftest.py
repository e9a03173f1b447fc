"""Shared helpers for the importer and store tests: real files, a real DuckDB store, no mocks."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from stocklens.store import Store  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def store(tmp_path):
    """An empty store in a temporary folder, closed after the test."""
    s = Store(tmp_path / "store")
    yield s
    s.close()


def _run_cli(*args, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("STOCKLENS_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "stocklens", *map(str, args)],
        cwd=PROJECT_ROOT, env=full_env, capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture(scope="session")
def cli():
    """Run `python -m stocklens ARGS...` in a subprocess from the project root."""
    return _run_cli


def _snapshot(store: Store) -> dict:
    """Everything a load could change: the data version, every table of the store, row for row."""
    def rows(sql: str):
        return store.query(sql).rows()

    return {
        "data_version": store.data_version(),
        "loads": rows("select * from loads order by load_id"),
        "order_lines": rows("select * from order_lines order by all"),
        "stock_rows": rows("select * from stock_rows order by all"),
        "product_rows": rows("select * from product_rows order by all"),
        "po_lines": rows("select * from po_lines order by all"),
        "mappings": rows("select * from mappings order by layout"),
    }


@pytest.fixture
def snapshot():
    return _snapshot


# --- dashboard tests (test_app_pages, test_app_upload, test_e2e_browser) ---------------------

@pytest.fixture(scope="session")
def demo_store_dir(tmp_path_factory) -> Path:
    """ONE demo store per test session (seed 7, written through the importer), closed after
    writing. Tests that only read may point the app at it; tests that write use demo_store_copy."""
    from stocklens import demo

    path = tmp_path_factory.mktemp("demo_session") / "store"
    s = Store(path)
    try:
        demo.write_demo_store(s, seed=7)
    finally:
        s.close()
    return path


@pytest.fixture
def demo_store_copy(demo_store_dir, tmp_path) -> Path:
    """A private copy of the session's demo store (the DuckDB file plus its archive folder)."""
    import shutil

    target = tmp_path / "demo_store"
    shutil.copytree(demo_store_dir, target)
    return target
