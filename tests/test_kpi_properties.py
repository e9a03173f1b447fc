"""Properties of the KPI engine on small generated stores (hypothesis, derandomized so that every
run checks the same examples; sizes kept small so that the file runs in well under a minute).

Each example is three months of order uploads in which lines appear, ship in parts (with or
without a ship_date), get cancelled, have their quantity restated, go missing from an upload
(stale), or are returns; some months have no orders upload, some no stock upload, stock rows
may be negative and costs missing. For every example:
- the bridge closes: opening + new - shipped - cancelled + restated == closing == backlog_units;
- the age-bucket units sum to backlog_units;
- backorder units never exceed backlog units, and are known exactly when both uploads exist;
- a month's opening is the previous month's closing when that month has an orders upload;
- uploading a later month never changes an earlier month's kpis JSON.
"""
from __future__ import annotations

import calendar
import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kpi_helpers import kpis, orders, stock
from stocklens.store import Store

MONTHS = ["2024-01", "2024-02", "2024-03"]
SKUS = ["A", "B", "C"]


def month_end(k: int) -> dt.date:
    return dt.date(2024, k + 1, calendar.monthrange(2024, k + 1)[1])


@st.composite
def scenarios(draw):
    lines = []
    for i in range(draw(st.integers(1, 5))):
        om = draw(st.integers(0, 2))  # month of the order date
        order_date = dt.date(2024, om + 1, draw(st.integers(1, 28)))
        sku = draw(st.sampled_from(SKUS))
        qty = draw(st.sampled_from([-2, 0, 1, 3, 5, 8, 10]))  # -2 and 0: returns and corrections
        promised = draw(st.one_of(st.none(), st.integers(0, 40)))
        price = draw(st.one_of(st.none(), st.integers(1, 9)))
        shipped = cancelled = 0
        versions = {}
        for k in range(om, 3):
            if k > om and draw(st.integers(0, 3)) == 0:
                continue  # missing from this month's upload: the line keeps its earlier version
            qty = draw(st.sampled_from([qty, qty, qty + 2, max(qty - 1, 0)]))  # restated quantity
            shipped += draw(st.integers(0, 4))
            cancelled += draw(st.sampled_from([0, 0, 1, 2]))
            span = (month_end(k) - order_date).days
            ship_date = None if draw(st.booleans()) else order_date + dt.timedelta(draw(st.integers(0, span)))
            versions[k] = (qty, shipped, ship_date, cancelled)
        lines.append({"order_id": f"O{i}", "sku": sku, "order_date": order_date, "price": price,
                      "promised": None if promised is None else order_date + dt.timedelta(promised),
                      "versions": versions})
    has_orders = [draw(st.integers(0, 4)) > 0 for _ in MONTHS]
    stock_rows = [draw(st.one_of(st.none(), st.lists(
        st.tuples(st.sampled_from(SKUS), st.integers(-3, 12), st.one_of(st.none(), st.integers(1, 5))),
        min_size=1, max_size=4))) for _ in MONTHS]
    return lines, has_orders, stock_rows


def orders_text(lines, k: int) -> str:
    out = []
    for line in lines:
        if k not in line["versions"]:
            continue
        qty, shipped, ship_date, cancelled = line["versions"][k]
        out.append(",".join(str(v) if v is not None else "" for v in (
            line["order_id"], 1, line["sku"], line["order_date"], qty, shipped, ship_date, cancelled,
            line["promised"], line["price"], "C1", "W1")))
    return "\n".join(out)


def check_month(k: int, result: dict, previous: dict | None, uploaded_orders: bool, uploaded_stock: bool):
    b = result["bridge"]
    if not uploaded_orders:
        assert result["backlog_units"] is None and set(b.values()) == {None}
        assert set(result["age_buckets"].values()) == {None}
    else:
        backlog = result["backlog_units"]
        assert b["opening"] + b["new"] - b["shipped"] - b["cancelled"] + b["restated"] == pytest.approx(b["closing"])
        assert b["closing"] == pytest.approx(backlog)
        assert sum(result["age_buckets"].values()) == pytest.approx(backlog)
        if previous is not None and previous["backlog_units"] is not None:
            assert b["opening"] == pytest.approx(previous["backlog_units"])
    if uploaded_orders and uploaded_stock:
        assert result["backorder_units"] is not None
        assert result["backorder_units"] <= result["backlog_units"] + 1e-9
    else:
        assert result["backorder_units"] is None and result["frequently_backordered"] is None


@settings(max_examples=8, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(scenarios())
def test_kpi_properties(scenario):
    lines, has_orders, stock_rows = scenario
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = Store(folder / "store")
        try:
            as_reported, uploaded = {}, {}
            for k, month in enumerate(MONTHS):
                text = orders_text(lines, k)
                uploaded[("orders", k)] = bool(has_orders[k] and text)
                if uploaded[("orders", k)]:
                    orders(store, folder / "files", month, text)
                uploaded[("stock", k)] = stock_rows[k] is not None
                if uploaded[("stock", k)]:
                    stock(store, folder / "files", month, "\n".join(
                        f"{s},{q},{'' if c is None else c},W{j}" for j, (s, q, c) in enumerate(stock_rows[k])))
                # the month as reported at itself, before any later month is loaded
                as_reported[k] = kpis(store, month)
            for k, month in enumerate(MONTHS):
                if k < len(MONTHS) - 1:  # (the last month had nothing loaded after it)
                    # uploading later months never changes an earlier month's figures
                    assert kpis(store, month) == as_reported[k], month
                check_month(k, as_reported[k], as_reported.get(k - 1), uploaded[("orders", k)],
                            uploaded[("stock", k)])
                # what the examples exercise (pytest --hypothesis-show-statistics)
                if as_reported[k]["bridge"]["restated"]:
                    event("a restated bridge")
                if as_reported[k]["backorder_units"]:
                    event("backorders > 0")
                if as_reported[k]["bridge"]["cancelled"]:
                    event("cancellations")
        finally:
            store.close()
