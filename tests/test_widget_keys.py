"""Every input widget of the dashboard's scripts has an explicit key=: its state then survives
reruns and page changes under a name of our choosing, and tests find it by that name.

Read from the sources (AST), so a widget drawn only in some state (an error, an empty store) is
checked too."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Streamlit's input widgets, called as st.<name>(...) or on a container (c1.download_button(...))
WIDGETS = {"button", "download_button", "form_submit_button", "link_button", "checkbox", "toggle", "radio",
           "selectbox", "multiselect", "select_slider", "slider", "text_input", "text_area", "number_input",
           "date_input", "time_input", "datetime_input", "file_uploader", "camera_input", "audio_input",
           "color_picker", "data_editor", "pills", "segmented_control", "feedback", "chat_input"}
SCRIPTS = sorted({ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "stocklens/ui").glob("*.py")})


def widgets_without_key(source: str) -> list[tuple[int, str]]:
    return [(node.lineno, node.func.attr) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WIDGETS
            and not any(k.arg == "key" for k in node.keywords)]


def test_the_scan_finds_a_widget_without_key():
    # not vacuous: a call on st. and one on a column, with and without key
    source = 'st.slider("Rate", 0, 1, key="r")\nst.slider("Rate", 0, 1)\nc1.download_button("a.csv", b"")\n'
    assert widgets_without_key(source) == [(2, "slider"), (3, "download_button")]


def test_every_widget_has_a_key():
    assert len(SCRIPTS) >= 10 and ROOT / "pages/inventory.py" in SCRIPTS
    missing = {str(p.relative_to(ROOT)): found for p in SCRIPTS if (found := widgets_without_key(p.read_text()))}
    assert not missing, missing
