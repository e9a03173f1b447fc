"""Shared by the AppTest files."""
import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TIMEOUT = 240  # a first, uncached Overview runs 13-month queries: slow on two busy cores


@pytest.fixture(autouse=True)
def _fresh_streamlit_caches():
    """cache_data / cache_resource live as long as the process: start and end every test clean."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def displayed(markdown: str) -> str:
    """The text a browser shows for Markdown whose data was escaped (components.md_escape): the
    backslash escapes and invisible word joiners dropped."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


@pytest.fixture
def store_path(monkeypatch, tmp_path) -> Path:
    path = tmp_path / "store"
    monkeypatch.setenv("STOCKLENS_STORE", str(path))
    return path


def open_page(page: str, query_params: dict | None = None) -> AppTest:
    """Run app.py (st.navigation, the sidebar) with `page` selected, as a browser opening its URL."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in (query_params or {}).items():
        at.query_params[k] = v
    if page != "pages/overview.py":
        # Before the first run AppTest finds the page by file name: ours match their url_path.
        at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def data_page() -> AppTest:
    return open_page("pages/data.py")


def upload(at: AppTest, *files: tuple[str, bytes]) -> AppTest:
    at.file_uploader(key="uploads").set_value([(name, data, "text/csv") for name, data in files]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at
