"""In a real browser, values from files are shown as text: `streamlit run app.py` on a store whose
SKUs, customers, locations, suppliers and categories carry Markdown, LaTeX and HTML payloads, and
files with such names, sheet, columns and values uploaded on the Data page. Chromium must draw no
link or image from them, no formula, fetch nothing from the beacon address, and show each payload
as written. (Launch flags and server start as in tests/test_e2e_browser.py.)
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from test_ui_escaping import (BAD_VALUE, COLOUR, HTML, IMAGE, LINK, MISSING_COLUMNS, NAMES, SHEET, TEX,
                              _orders_xlsx, write_payload_store)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
RUN_TIMEOUT_S = 180
BEACON = "127.0.0.1:9"  # the payloads' links and images point here (port 9: nothing listens)

pytestmark = pytest.mark.browser
assert Path(CHROMIUM).exists(), f"{CHROMIUM} not installed: run ./run test, or apt-get install chromium"
import playwright.sync_api as playwright_api  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(store: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("STOCKLENS_")}
    env["STOCKLENS_STORE"] = str(store)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless=true", f"--server.port={port}",
         "--server.address=127.0.0.1", "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"],
        cwd=PROJECT_ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"streamlit did not become healthy in 60 s:\n{log.read_text()}")


def _stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def wait_ready(page, title: str) -> None:
    """Until the script run is over and the browser has drawn everything (no status widget, no
    skeleton, for a second)."""
    page.locator("[data-testid='stMain'] h1", has_text=title).wait_for(timeout=RUN_TIMEOUT_S * 1000)
    deadline = time.monotonic() + RUN_TIMEOUT_S
    quiet = 0
    while quiet < 4:
        assert time.monotonic() < deadline, f"{title}: still running after {RUN_TIMEOUT_S} s"
        running = page.locator("[data-testid='stStatusWidget']").count() + \
            page.locator("[data-testid='stSkeleton']").count()
        quiet = 0 if running else quiet + 1
        page.wait_for_timeout(250)
    assert page.locator("[data-testid='stException']").count() == 0


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
