"""Shared by the AppTest files."""
import re

import pytest
import streamlit as st


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
