"""In a real browser, values from files are shown as text: `streamlit run app.py` on a store whose
SKUs, customers, locations, suppliers and categories carry Markdown, LaTeX and HTML payloads, and
files with such names, sheet, columns and values uploaded on the Data page. Chromium must draw no
link or image from them, no formula, fetch nothing from the beacon address, and show each payload
as written. (The server, browser and page helpers of tests/test_e2e_browser.py.)
"""
from __future__ import annotations

import pytest

from test_e2e_browser import (ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, RUN_TIMEOUT_S, _start_server, _stop_server,
                              playwright_api, wait_ready)
from test_ui_escaping import (BAD_VALUE, COLOUR, HTML, IMAGE, LINK, MISSING_COLUMNS, NAMES, SHEET, TEX,
                              _orders_xlsx, write_payload_store)

BEACON = "127.0.0.1:9"  # the payloads' links and images point here (port 9: nothing listens)

pytestmark = pytest.mark.browser


def assert_plain(page, name: str, *visible: str) -> None:
    """No link or image drawn from a payload, no formula, and each of `visible` shown as written."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"escaping_{name}.png"), full_page=True)
    refs = page.evaluate("""() => Array.from(document.querySelectorAll('*')).flatMap(e =>
        ['href', 'xlink:href', 'src'].map(a => [e.tagName.toLowerCase(), a, e.getAttribute(a)]))
        .filter(x => x[2] !== null)""")
    assert not [r for r in refs if BEACON in r[2]], (name, page.evaluate("""() => Array.from(
        document.querySelectorAll('a')).filter(a => (a.getAttribute('href') || '').includes('127.0.0.1:9'))
        .map(a => a.parentElement.parentElement.outerHTML.slice(0, 600) + ' IN ' + (a.closest('[data-testid]') ||
        {}).getAttribute?.('data-testid'))"""))
    assert not [r for r in refs if r[0] == "img" and r[2] == "x"], name  # <img src=x> drawn
    assert page.locator(".katex, .katex-display, math").count() == 0, name  # $...$ drawn as a formula
    # Table cells are drawn on a canvas; their text is in hidden grid cells (what the canvas draws).
    cells = page.locator("[data-testid='stMain'] [role='gridcell']").all_text_contents()
    text = "\n".join([page.locator("[data-testid='stMain']").inner_text(), *cells]).replace("\u2060", "")
    for payload in visible:
        assert payload in text, (name, payload)


def test_payloads_in_files_are_shown_as_text_in_chromium(tmp_path):
    store = tmp_path / "store"
    write_payload_store(store, tmp_path)
    requests: list[str] = []
    proc, base = _start_server(store, tmp_path / "streamlit.log")
    try:
        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_context(viewport={"width": 1500, "height": 3000}).new_page()
                page.on("request", lambda r: requests.append(r.url))

                page.goto(f"{base}/")
                wait_ready(page, "Overview")
                # The 'what changed' tables name the SKUs and customers: plain table cells.
                page.locator("[role='gridcell']", has_text=f"A {LINK}").first.wait_for(
                    state="attached", timeout=RUN_TIMEOUT_S * 1000)
                assert_plain(page, "overview", f"A {LINK}", f"C {IMAGE}")

                page.goto(f"{base}/backorders")
                wait_ready(page, "Backorders")
                caption = page.locator("[data-testid='stCaptionContainer']", has_text="customers and")
                caption.wait_for(timeout=RUN_TIMEOUT_S * 1000)
                assert_plain(page, "backorders", f"Supplier Sup {LINK}, lead time 14 days.")
                sku = page.locator("input[aria-label='SKU']").input_value()
                assert caption.inner_text().replace("\u2060", "").startswith(f"{sku}: 1 customers")

                page.goto(f"{base}/data")
                wait_ready(page, "Data")
                page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files([
                    {"name": NAMES["xlsx"], "buffer": _orders_xlsx(),
                     "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
                    {"name": NAMES["missing"], "buffer": MISSING_COLUMNS, "mimeType": "text/csv"},
                    {"name": NAMES["bad"], "buffer": BAD_VALUE, "mimeType": "text/csv"},
                ])
                page.get_by_text("Columns in the file:").wait_for(timeout=RUN_TIMEOUT_S * 1000)
                page.get_by_text("not a number").wait_for(timeout=RUN_TIMEOUT_S * 1000)
                wait_ready(page, "Data")
                assert_plain(page, "data", NAMES["xlsx"], NAMES["missing"], NAMES["bad"],
                             f"Read sheet '{SHEET}' of the workbook",
                             f"Columns in the file: Order No, Item Code, {TEX}, {HTML}, {LINK}.",
                             f"(value: '{IMAGE}')", repr(COLOUR))
            finally:
                browser.close()
    finally:
        _stop_server(proc)
    assert not [u for u in requests if BEACON in u], [u for u in requests if BEACON in u]
    log = (tmp_path / "streamlit.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
