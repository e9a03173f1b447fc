"""The Replenishment and Suppliers pages (issue 10) and the results written for them: the
backordered SKUs with what is on order (Backorders page), the reorder list's totals per supplier,
the month figures kept for them, and the pages themselves in AppTest on the demo store (their
figures are the engine's) and on stores without a month's PO or stock file.

Hand-worked fixtures as in tests/test_kpi_purchase_orders.py: t = E(M), the last day of M."""
from __future__ import annotations

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from app_helpers import _fresh_streamlit_caches, displayed, open_page  # noqa: F401 (autouse fixture)
from kpi_helpers import orders, products, rows, stock, write_csv
from stocklens import kpis, service
from stocklens.registry import REGISTRY
from stocklens.store import Store
from test_kpi_purchase_orders import COVER_ORDERS, COVER_PO, COVER_PRODUCTS, COVER_STOCK, PO_HEADER, purchase_orders



# --- backordered SKUs with what is on order ---------------------------------------------------------

def test_backordered_skus_carry_their_open_po_units_next_date_and_late_flag(store, tmp_path):
    products(store, tmp_path, COVER_PRODUCTS)
    orders(store, tmp_path, "2024-03", COVER_ORDERS)
    stock(store, tmp_path, "2024-03", COVER_STOCK)
    purchase_orders(store, tmp_path, "2024-03", COVER_PO)
    got = {r["sku"]: (r["backorder_units"], r["open_demand"], r["on_hand"], r["on_order_units"],
                      str(r["next_expected_date"]) if r["next_expected_date"] else None, r["is_late"],
                      r["covered_units"], r["uncovered_units"], str(r["cover_date"]) if r["cover_date"] else None)
           for r in rows(store, "backorders_by_sku", "2024-03")}
    # (test_kpi_purchase_orders works these out) A: demand 10, 2 on hand, backorder 8; open PO lines
    # P13 1 (03-15, late), P11 2 + P12 3 (04-05), P10 5 (04-20): on order 11, next 03-15, late, covered
    # 8 at 04-20. B: 4 - 0, on order 3 (04-10): 1 uncovered. C: 6 - 1 = 5, P30 6 without an expected
    # date: covered, no date. E: 3, no stock row, nothing on order. D (5 on hand for 2): not listed.
    assert got == {
        "A": (8, 10, 2, 11, "2024-03-15", True, 8, 0, "2024-04-20"),
        "B": (4, 4, 0, 3, "2024-04-10", False, 3, 1, None),
        "C": (5, 6, 1, 6, None, False, 5, 0, None),
        "E": (3, 3, 0, 0, None, False, 0, 3, None),
    }
    # largest backorder first
    assert [r["sku"] for r in rows(store, "backorders_by_sku", "2024-03")] == ["A", "C", "B", "E"]


def test_without_the_months_po_file_on_order_is_unknown_not_zero(store, tmp_path):
    products(store, tmp_path, COVER_PRODUCTS)
    orders(store, tmp_path, "2024-03", COVER_ORDERS)
    stock(store, tmp_path, "2024-03", COVER_STOCK)
    purchase_orders(store, tmp_path, "2024-02", COVER_PO)  # February's PO file, not March's
    got = rows(store, "backorders_by_sku", "2024-03")
    assert [r["sku"] for r in got] == ["A", "C", "B", "E"]  # the backorders are known
    for r in got:
        assert (r["on_order_units"], r["next_expected_date"], r["is_late"], r["covered_units"],
                r["uncovered_units"], r["cover_date"]) == (None,) * 6


# --- the reorder list per supplier ------------------------------------------------------------------

REORDER_PRODUCTS = """
    A,Drill,Tools,S1,2,30     # lead time 30 days (master: no PO receipts)
    B,Saw,Tools,S1,1,10
    C,Paint,Paint,S2,,20      # no master cost, and no stock cost below: value unknown
"""
# D is in no master row: '(no supplier)', default lead time 30 days.
REORDER_ORDERS = """
    O1,1,A,2024-03-10,90,0,,0,,,,              # A: 90 ordered in the 90 days to 03-31 -> d = 1; open 90
    O2,1,B,2024-03-10,9,9,2024-03-11,0,,,,     # B: d = 0.1, nothing open
    O3,1,C,2024-03-10,45,45,2024-03-11,0,,,,   # C: d = 0.5, nothing open
    O4,1,D,2024-03-10,30,0,,0,,,,              # D: d = 1/3, open 30
"""
REORDER_STOCK = """
    A,0,2,W1      # A: position 0 + 0 - 90 = -90
    B,100,1,W1    # B: position 100
    C,0,,W1       # C: position 0, no cost
    D,10,1,W1     # D: position 10 - 30 = -20
"""
# One month of orders: no demand sigma, no safety stock. Review period 30 days (default).
# A: reorder point 1 x 30 = 30 >= -90: order-up-to 1 x (30 + 30) = 60, suggested 60 + 90 = 150, value 300.
# B: reorder point 0.1 x 10 = 1 < 100: nothing to order.
# C: reorder point 0.5 x 20 = 10 >= 0: order-up-to 0.5 x 50 = 25, suggested 25, value unknown.
# D: reorder point 1/3 x 30 = 10 >= -20: order-up-to 1/3 x 60 = 20, suggested 40, value 40.


def test_reorder_totals_per_supplier(store, tmp_path):
    products(store, tmp_path, REORDER_PRODUCTS)
    orders(store, tmp_path, "2024-03", REORDER_ORDERS)
    stock(store, tmp_path, "2024-03", REORDER_STOCK)
    got = [(r["supplier"], r["count_skus"], r["suggested_qty"], r["suggested_value"], r["count_unknown_cost"],
            r["count_backordered"]) for r in rows(store, "reorder_by_supplier", "2024-03")]
    # largest value first; C's unknown value adds 0 and is counted; backordered: open demand > on hand
    assert got == [("S1", 1, pytest.approx(150), pytest.approx(300), 0, 1),
                   ("(no supplier)", 1, pytest.approx(40), pytest.approx(40), 0, 1),
                   ("S2", 1, pytest.approx(25), 0, 1, 0)]
    # a supplier filter keeps its SKUs; no month without the stock file
    s2 = kpis.Context("2024-03", filters=kpis.Filters(suppliers=("S2",)))
    assert kpis.run(store, "reorder_by_supplier", s2)["supplier"].to_list() == ["S2"]
    assert rows(store, "reorder_by_supplier", "2024-02") == []


# --- month figures ----------------------------------------------------------------------------------

def test_the_scorecard_matrix_and_forecast_accuracy_are_stored_and_a_po_upload_renews_the_scorecard(store, tmp_path):
    products(store, tmp_path, REORDER_PRODUCTS)
    orders(store, tmp_path, "2024-03", REORDER_ORDERS)
    stock(store, tmp_path, "2024-03", REORDER_STOCK)

    def upload_po(line):  # as the Data page does: the load, then its month figures (stocklens.service)
        path = write_csv(tmp_path, f"{PO_HEADER}\n{line}\n", "po")
        assert service.load_file(store, path, dataset="purchase_orders", month="2024-03")[1] is not None

    upload_po("P1,1,A,S1,2024-03-01,2024-03-11,2024-03-11,10,10")
    stored = set(store.query("select query from stored_results where report_month = '2024-03'")["query"])
    assert {"abc_xyz_matrix", "forecast_accuracy", "supplier_scorecard"} <= stored  # computed by the load
    card = kpis.run(store, "supplier_scorecard", kpis.Context("2024-03"))
    assert card["lead_time_actual_mean"].to_list() == [10]  # 10 units received 10 days after ordering
    # the same line received 20 days after ordering: the stored scorecard is recomputed
    upload_po("P1,1,A,S1,2024-03-01,2024-03-11,2024-03-21,10,10")
    card = kpis.run(store, "supplier_scorecard", kpis.Context("2024-03"))
    assert card["lead_time_actual_mean"].to_list() == [20]


# --- the pages in AppTest -----------------------------------------------------------------------------

def shown_texts(at: AppTest) -> list[str]:
    return [displayed(e.value) for e in (*at.main.caption, *at.main.warning, *at.main.markdown, *at.success)]


def test_choosing_abc_xyz_cells_and_a_supplier_narrows_the_draft_po(monkeypatch, demo_store_dir):
    monkeypatch.setenv("STOCKLENS_STORE", str(demo_store_dir))
    with Store(demo_store_dir) as store:
        month = store.run("store/report_months")["month"].to_list()[-1]
        full = kpis.run(store, "reorder_list", kpis.Context(month))
        # the two classes with most SKUs to order, and the largest supplier within them
        classes = full["abc_xyz_class"].value_counts(sort=True)["abc_xyz_class"].head(2).sort().to_list()
        chosen = kpis.run(store, "reorder_list", kpis.Context(month), classes=classes)
    assert 0 < chosen.height < full.height, "the demo's reorder list should span several classes"
    at = open_page("pages/replenishment.py")
    assert len(at.dataframe[2].value) == full.height  # no class chosen: every SKU to order

    at.pills(key="abc_xyz_classes").set_value(classes).run()
    assert not at.exception
    totals, reorder = at.dataframe[1].value, at.dataframe[2].value
    assert sorted(reorder["sku"]) == sorted(chosen["sku"])
    assert set(reorder["abc_xyz_class"]) == set(classes)
    assert totals["count_skus"].sum() == chosen.height

    supplier = totals["supplier"].iloc[0]  # largest value first
    at.selectbox(key="reorder_supplier").set_value(supplier).run()
    assert not at.exception
    reorder = at.dataframe[2].value
    want = chosen.filter(pl.col("supplier").fill_null("(no supplier)") == supplier)
    assert list(reorder["sku"]) == want["sku"].to_list() and len(reorder) == totals["count_skus"].iloc[0]
    assert any(t.startswith(f"**Draft purchase order: {supplier}**, {want.height:,} SKUs") for t in shown_texts(at))


def test_a_month_without_its_po_file_says_on_order_is_unknown(monkeypatch, demo_store_copy):
    monkeypatch.setenv("STOCKLENS_STORE", str(demo_store_copy))
    with Store(demo_store_copy) as store:
        month = store.months()[-1]
        store.delete_month("purchase_orders", month)
        backordered = kpis.kpis_for_month(store, month)["backordered_skus"]
    assert backordered

    at = open_page("pages/replenishment.py")
    assert any(t.startswith(f"No purchase-order file for {month}: what is on order is unknown")
               for t in shown_texts(at))
    tiles = {m.label: m.value for m in at.main.metric}
    assert [tiles[k] for k in ("On order", "Backorders covered by POs", "Backorders not on order")] == ["–"] * 3
    assert "Needs the month's orders, stock and purchase-order files." in shown_texts(at)
    assert len(at.dataframe[2].value)  # the reorder list still shows (on order counted as 0, as said)

    at = open_page("pages/suppliers.py")
    assert any(t.startswith(f"No purchase-order file for {month}: supplier figures are unknown")
               for t in shown_texts(at))
    assert not at.dataframe and not at.main.metric

    at = open_page("pages/backorders.py")
    by_sku = at.dataframe[-1].value
    assert len(by_sku) == backordered and by_sku["on_order_units"].isna().all()
    assert f"No purchase-order file for {month}: what is on order is unknown (blank)." in shown_texts(at)


def test_a_month_without_its_stock_file_has_no_reorder_list(monkeypatch, demo_store_copy):
    monkeypatch.setenv("STOCKLENS_STORE", str(demo_store_copy))
    with Store(demo_store_copy) as store:
        month = store.months()[-1]
        store.delete_month("stock", month)
        forecast = kpis.kpis_for_month(store, month)["forecast_wape"]
    at = open_page("pages/replenishment.py")
    texts = shown_texts(at)
    assert any(t.startswith(f"No stock file for {month}") for t in texts)
    assert texts.count("Needs the month's orders and stock files.") == 1
    assert "Needs the month's orders, stock and purchase-order files." in texts
    tiles = {m.label: m.value for m in at.main.metric}
    assert tiles["On order"] != "–" and tiles["Backorders not on order"] == "–"  # POs known, backorders not
    assert tiles["Forecast error (WAPE)"] == REGISTRY["forecast_wape"].format(forecast)  # orders only
    assert "reorder_supplier" not in [s.key for s in at.main.selectbox]
    assert [d.value.shape[0] for d in at.dataframe] == [4]  # the forecast accuracy per ABC class only
