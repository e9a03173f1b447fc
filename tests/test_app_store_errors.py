"""The dashboard on a store it cannot open (issue 9): a sentence on the page, never a traceback."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

from app_helpers import _fresh_streamlit_caches, displayed  # noqa: F401 (autouse fixture)
from conftest import PROJECT_ROOT

APP = str(Path(__file__).resolve().parent.parent / "app.py")

HOLD = """
import sys, time
from stocklens.store import Store
s = Store(sys.argv[1])
s.data_version()  # the database is open read-write in this process
print("holding", flush=True)
time.sleep(120)
"""


def test_a_second_dashboard_on_a_store_held_by_another_process(tmp_path, monkeypatch):
    store = tmp_path / "store"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(store)], cwd=PROJECT_ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        monkeypatch.setenv("STOCKLENS_STORE", str(store))
        at = AppTest.from_file(APP, default_timeout=60).run()
        assert not at.exception
        [error] = at.error
        shown = displayed(error.value)
        assert "cannot open its store" in shown and "open in another stocklens process" in shown
    finally:
        holder.kill()
        holder.wait()


def test_a_store_path_that_is_a_file(tmp_path, monkeypatch):
    a_file = tmp_path / "store.txt"
    a_file.write_text("not a store")
    monkeypatch.setenv("STOCKLENS_STORE", str(a_file))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "is a file, not a folder" in " ".join(displayed(e.value) for e in at.error)
