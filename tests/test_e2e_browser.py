"""End to end in a real browser: `streamlit run app.py` on a free localhost port against a copy
of the demo store, driven by Debian's chromium through Playwright.

A shared link opened as the server's very first request asks to sign in (the store has users),
then lands on the same view; every page renders with the KPI engine's figures; a corrected stock
file uploaded through the browser is listed and changes the Overview in the same session; after a
restart without users, a shared link as the first request shows its page with the sidebar. A
full-page screenshot of every step is saved to test-artifacts/ (git-ignored) to be looked at.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from stocklens import audit, auth, kpis
from stocklens.kpis import Filters
from stocklens.registry import REGISTRY
from stocklens.store import Store, load_file

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
RUN_TIMEOUT_S = 180  # an uncached Overview on two busy cores takes tens of seconds
LABEL_TO_ID = {k.label: k.id for k in REGISTRY.values()}
PASSWORD = "e2e password 42"

pytestmark = pytest.mark.browser
# Debian's chromium is part of the test setup (./run test installs it): its absence is a failure.
assert Path(CHROMIUM).exists(), f"{CHROMIUM} not installed: run ./run test, or apt-get install chromium"
import playwright.sync_api as playwright_api  # noqa: E402


# --- the server --------------------------------------------------------------------------------

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


# --- the page ----------------------------------------------------------------------------------

def wait_ready(page, title: str) -> None:
    """Until the page's script run is over: its title shown, no 'running' status widget and no
    element still drawn as a skeleton for a second, and no exception on the page."""
    page.locator("[data-testid='stMain'] h1", has_text=title).wait_for(timeout=RUN_TIMEOUT_S * 1000)
    deadline = time.monotonic() + RUN_TIMEOUT_S
    quiet = 0
    while quiet < 4:
        if time.monotonic() > deadline:
            shoot(page, f"stuck_{title.split()[0].lower()}")
            origin = "/".join(page.url.split("/")[:3])
            try:
                with urllib.request.urlopen(f"{origin}/_stcore/health", timeout=10) as r:
                    health = f"{r.status} {r.read()[:40]!r}"
            except OSError as exc:
                health = repr(exc)
            status = page.locator("[data-testid='stStatusWidget']").all_inner_texts()
            dialog = page.locator("[role='dialog']").all_inner_texts()
            raise AssertionError(f"{title}: still running after {RUN_TIMEOUT_S} s; status widget {status}, "
                                 f"dialog {dialog}, server health {health}")
        # the script run's status widget, and skeletons of elements the browser has not drawn yet
        running = page.locator("[data-testid='stStatusWidget']").count() + \
            page.locator("[data-testid='stSkeleton']").count()
        quiet = 0 if running else quiet + 1
        page.wait_for_timeout(250)
    exceptions = page.locator("[data-testid='stException']")
    assert exceptions.count() == 0, exceptions.all_inner_texts()


def settled_metrics(page, ids) -> dict[str, str]:
    """The page's tiles once the expected ones are all drawn (the browser can lag behind the
    script run); whatever is shown after RUN_TIMEOUT_S otherwise, for the caller to assert on."""
    deadline = time.monotonic() + RUN_TIMEOUT_S
    shown = metrics(page)
    while set(shown) != set(ids) and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        shown = metrics(page)
    return shown


def metrics(page) -> dict[str, str]:
    out = {}
    for tile in page.locator("[data-testid='stMetric']").all():
        label = tile.locator("[data-testid='stMetricLabel']").inner_text().strip().removesuffix(" (provisional)")
        out[LABEL_TO_ID[label]] = tile.locator("[data-testid='stMetricValue']").inner_text().strip()
    return out


def _nudged(value):
    """DuckDB sums floats in parallel in no fixed order: x.5 may round either way (see test_app_pages)."""
    if value is None:
        return [None]
    eps = 1e-9 * max(1.0, abs(value))
    return [value, value - eps, value + eps]


def tile_mismatches(shown: dict, values: dict, ids) -> dict:
    bad = {}
    for k in ids:
        if shown.get(k) not in {REGISTRY[k].format(v) for v in _nudged(values[k])}:
            bad[k] = (shown.get(k), REGISTRY[k].format(values[k]))
    return bad


def sidebar_month(page) -> str:
    return page.locator("[data-testid='stSidebar'] input[aria-label='Month']").input_value()


def sidebar_filter(page, label: str) -> str:
    """The text of a sidebar filter: its label and the chosen values (or its placeholder)."""
    return page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']", has_text=label).inner_text()


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def grid_rows(page, ncols: int, index: int = -1) -> list[list[str]]:
    """The visible rows of the page's st.dataframe number `index` (its accessible grid cells)."""
    cells = page.locator("[data-testid='stDataFrame']").nth(index).locator("[role='gridcell']").all_inner_texts()
    return [cells[i:i + ncols] for i in range(0, len(cells), ncols)]


# --- the test ----------------------------------------------------------------------------------

OVERVIEW = ["backlog_units", "backlog_value", "past_due_units", "avg_age_days", "backorder_units", "backorder_rate",
            "fill_rate_units", "fill_rate_orders", "inventory_value", "turnover_annual", "dio_days", "holding_cost",
            "dead_stock_value", "excess_stock_value", "backorder_uncovered_units", "supplier_otif_lines", "forecast_wape",
            "forecast_bias"]
PAGES = [  # url path, title, tiles
    ("", "Overview", OVERVIEW),
    ("backlog", "Backlog", ["backlog_units", "backlog_value", "past_due_share", "avg_age_days"]),
    ("backorders", "Backorders", ["backorder_units", "backordered_skus", "backorder_rate"]),
    ("inventory", "Inventory and turnover", ["inventory_value", "turnover_annual", "dio_days", "holding_cost",
                                             "dead_stock_value", "excess_stock_value"]),
    ("replenishment", "Replenishment", ["on_order_units", "backorder_covered_units", "backorder_uncovered_units",
                                        "forecast_wape", "forecast_bias"]),
    ("suppliers", "Suppliers", ["supplier_otif_lines", "late_po_lines", "on_order_units"]),
    ("data", "Data", []),
    ("settings", "Settings", []),
]


def _engine(store: Store, month: str, filters: Filters = Filters()) -> dict:
    out = kpis.kpis_for_month(store, month, filters=filters)
    out["past_due_share"] = out["past_due_units"] / out["backlog_units"] if out["backlog_units"] else None
    return out


def _recounted_stock(store: Store, month: str, folder: Path) -> Path:
    """The month's stock file as archived, with every positive count at WH-NORTH doubled: a
    corrected month-end stock that the user uploads to replace the month."""
    archive = store.query("select archive_path from loads where state = 'active' and dataset = 'stock' "
                          "and month = $m", {"m": month}).item()
    rows = list(csv.reader(io.StringIO((store.path / archive).read_text(encoding="utf-8"))))
    header = rows[0]
    qty, loc = header.index("Qty On Hand"), header.index("Location")
    for r in rows[1:]:
        if r[loc] == "WH-NORTH" and float(r[qty]) > 0:
            r[qty] = str(float(r[qty]) * 2).removesuffix(".0")
    path = folder / f"stock_recount_{month}.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return path


def _issue11_files(folder: Path, month: str) -> tuple[Path, Path, Path]:
    """Purchase-order files of the month (they change no figure the test reads afterwards): one
    with two bad rows (3: quantity "ten", 5: an impossible date), one good, and one that is not a
    PO file at all (no SKU or quantity)."""
    day = f"{month}-02"
    bad = folder / f"po_bad_rows_{month}.csv"
    bad.write_text(f"PO Number,Item Code,Qty Ordered,Order Date\nPO-E2E-1,SKU-1,10,{day}\n"
                   f"PO-E2E-2,SKU-2,ten,{day}\nPO-E2E-3,SKU-3,5,{day}\nPO-E2E-4,SKU-4,1,{month}-32\n")
    good = folder / f"po_more_{month}.csv"
    good.write_text(f"PO Number,Item Code,Qty Ordered,Order Date\nPO-E2E-9,SKU-9,4,{day}\n")
    broken = folder / "notes.csv"
    broken.write_text("Note,Author\nhello,ada\n")
    return bad, good, broken


def sign_in(page, name: str, password: str) -> None:
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_dashboard_end_to_end_in_chromium(demo_store_dir, demo_store_copy, tmp_path):
    server_store = demo_store_copy  # the server holds its store open read-write: a private copy
    auth.add_user(server_store, "ada", "admin", PASSWORD, actor="test")
    mirror_store = tmp_path / "mirror"  # the same data, for the engine's expected figures
    shutil.copytree(demo_store_dir, mirror_store)

    with Store(mirror_store) as mirror:
        months = mirror.months("orders")
        latest, earlier = months[-1], months[-7]
        before = _engine(mirror, latest)
        shared = _engine(mirror, earlier, Filters(categories=("Electrical",)))
        stock_file = _recounted_stock(mirror, latest, tmp_path)
        prep, result = load_file(mirror, stock_file, dataset="stock", month=latest)
        assert result is not None and result.status == "loaded", prep.problems
        after = _engine(mirror, latest)
        linked = _engine(mirror, earlier)
    assert after["inventory_value"] != before["inventory_value"]

    for old in ARTIFACTS.glob("*.png") if ARTIFACTS.exists() else []:
        old.unlink()
    proc, base = _start_server(server_store, tmp_path / "streamlit.log")
    try:
        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_context(viewport={"width": 1500, "height": 3000}).new_page()

                # 1. A colleague's link, as the server's very first request: the sign-in form and
                # nothing else (no menu, no month); signed in, the same page, month and filter.
                page.goto(f"{base}/backlog?month={earlier}&cat=Electrical")
                wait_ready(page, "stocklens")
                shoot(page, "00_sign_in")
                assert page.locator("[data-testid='stSidebarNav']").count() == 0
                assert page.locator("[data-testid='stMetric']").count() == 0
                sign_in(page, "ada", "not the password")
                page.get_by_text("The user name or the password is wrong.").wait_for(timeout=RUN_TIMEOUT_S * 1000)
                sign_in(page, "ada", PASSWORD)
                wait_ready(page, "Backlog")
                shoot(page, "01_shared_link_backlog")
                assert sidebar_month(page) == earlier
                assert "Electrical" in sidebar_filter(page, "Category")
                assert not tile_mismatches(metrics(page), shared, PAGES[1][2])
                assert f"month={earlier}" in page.url and "cat=Electrical" in page.url

                # 2. Every page, fresh (latest month, no filter), with the engine's figures.
                for n, (path, title, ids) in enumerate(PAGES, start=2):
                    page.goto(f"{base}/{path}")
                    wait_ready(page, title)
                    shoot(page, f"{n:02d}_{title.split()[0].lower()}")
                    assert sidebar_month(page) == latest
                    shown = settled_metrics(page, ids)
                    assert set(shown) == set(ids), title
                    assert not tile_mismatches(shown, before, ids), title

                # 3. Upload the recounted stock on the Data page, confirm, see it listed.
                page.goto(f"{base}/data")
                wait_ready(page, "Data")
                page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(stock_file))
                confirm = page.get_by_role("button", name=f"Load as stock (on hand at month end) for {latest}")
                confirm.wait_for(timeout=RUN_TIMEOUT_S * 1000)
                wait_ready(page, "Data")
                panel_text = page.locator("[data-testid='stMain']").inner_text()
                assert stock_file.name in panel_text
                assert page.get_by_role("combobox", name="Dataset", exact=True).input_value() \
                    == "Stock (on hand at month end)"  # guessed from the columns
                assert page.locator("input[aria-label='Month (YYYY-MM)']").input_value() == latest
                shoot(page, f"{len(PAGES) + 2:02d}_data_upload_preview")
                confirm.click()
                done = page.get_by_text(f"stock rows for {latest}, replacing the previous version.")
                done.wait_for(timeout=RUN_TIMEOUT_S * 1000)
                wait_ready(page, "Data")
                shoot(page, f"{len(PAGES) + 3:02d}_data_upload_loaded")
                # the table of what is loaded (the audit log's comes after it): dataset, month,
                # rows, file, loaded, warnings, versions
                rows = grid_rows(page, 7, index=-2)
                listed = [r for r in rows if r[:2] == ["stock", latest]]
                assert listed and listed[0][3] == stock_file.name and listed[0][6] == "2", rows[:6]
                audit_rows = grid_rows(page, 5)  # when, who, did, what, details: newest first
                assert audit_rows[0][1:4] == ["ada", "loaded a file", f"stock {latest}"], audit_rows[:2]

                # 4. Back to the Overview in the same session: the new stock shows at once.
                page.locator("[data-testid='stSidebarNav'] a", has_text="Overview").click()
                wait_ready(page, "Overview")
                shoot(page, f"{len(PAGES) + 4:02d}_overview_after_upload")
                shown = metrics(page)
                assert not tile_mismatches(shown, after, OVERVIEW)
                assert shown["inventory_value"] != REGISTRY["inventory_value"].format(before["inventory_value"])

                # 5. A file with two bad rows: refused, with the button to load it without them;
                # its mapping grid shows every row without scrolling inside it.
                bad_file, other_file, broken_file = _issue11_files(tmp_path, latest)
                page.goto(f"{base}/data")
                wait_ready(page, "Data")
                page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(bad_file))
                skip = page.get_by_role("button", name="Load without the 2 bad rows")
                skip.wait_for(timeout=RUN_TIMEOUT_S * 1000)
                wait_ready(page, "Data")
                editor = page.locator("[data-testid='stDataFrame']").first
                scroll = editor.locator(".dvn-scroller").evaluate("e => [e.scrollHeight, e.clientHeight]")
                assert scroll[0] <= scroll[1] + 1, scroll  # no scroll bar inside the grid
                shoot(page, f"{len(PAGES) + 5:02d}_data_bad_rows_refused")
                skip.click()
                page.get_by_text("2 rows with errors were left out, as asked (rows 3, 5)").wait_for(
                    timeout=RUN_TIMEOUT_S * 1000)
                wait_ready(page, "Data")
                shoot(page, f"{len(PAGES) + 6:02d}_data_bad_rows_left_out")
                grids = page.locator("[data-testid='stDataFrame']")
                which = [i for i in range(grids.count())
                         if "not a date" in grids.nth(i).locator("[role='gridcell']").all_inner_texts()]
                assert which, "no table of the rows left out"
                left_out = grid_rows(page, 4, index=which[0])  # row, column, value, why
                assert [r[0] for r in left_out] == ["3", "5"], left_out

                # 6. Two files at once: one loads, the other is refused and named.
                page.goto(f"{base}/data")
                wait_ready(page, "Data")
                page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
                    [str(other_file), str(broken_file)])
                load_all = page.get_by_role("button", name="Load all (1 of 2 files)")
                load_all.wait_for(timeout=RUN_TIMEOUT_S * 1000)
                wait_ready(page, "Data")
                shoot(page, f"{len(PAGES) + 7:02d}_data_load_all")
                load_all.click()
                page.get_by_text(f"{broken_file.name}: refused, not loaded.").wait_for(timeout=RUN_TIMEOUT_S * 1000)
                wait_ready(page, "Data")
                shoot(page, f"{len(PAGES) + 8:02d}_data_load_all_done")

                # 7. Signing out ends the session: the sign-in form again, also after a reload
                # (the pages above were each opened anew: the session's cookie kept them signed in).
                page.get_by_role("button", name="Sign out").click()
                wait_ready(page, "stocklens")
                assert page.locator("[data-testid='stMetric']").count() == 0
                page.goto(f"{base}/backlog")
                wait_ready(page, "stocklens")
                assert page.locator("[data-testid='stMetric']").count() == 0
            finally:
                browser.close()
    finally:
        _stop_server(proc)
    log = (tmp_path / "streamlit.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
    # the audit log names who did what through the browser
    events = [(e["user"], e["action"]) for e in audit.read(server_store)]
    assert events[:6] == [("ada", "sign_out"), ("ada", "load"), ("ada", "load"), ("ada", "load"), ("ada", "sign_in"),
                          ("ada", "sign_in_failed")]

    # 8. Restarted, without users (local mode): a shared link as the new server's very first request
    # shows its page with the navigation and the sidebar (state.page_setup), on the link's month.
    proc, base = _start_server(mirror_store, tmp_path / "streamlit_restarted.log")
    try:
        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_context(viewport={"width": 1500, "height": 3000}).new_page()
                page.goto(f"{base}/backorders?month={earlier}")
                wait_ready(page, "Backorders")
                shoot(page, f"{len(PAGES) + 9:02d}_restart_shared_link_backorders")
                assert page.locator("[data-testid='stSidebarNav'] a", has_text="Overview").count() == 1
                assert sidebar_month(page) == earlier
                assert not tile_mismatches(settled_metrics(page, PAGES[2][2]), linked, PAGES[2][2])
            finally:
                browser.close()
    finally:
        _stop_server(proc)
