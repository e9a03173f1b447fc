"""Fill rates (kpi-book section 3, Service) on small hand-made fixtures loaded through the real
importer into a real store. Every expected value is worked out by hand in the comments."""
from __future__ import annotations

import pytest

from kpi_helpers import kpis, one, orders, save_settings

# t = 2024-03-31. due = promised_date, else order_date + 7.
MARCH = """
    F1,1,A,2024-03-01,10,10,2024-03-08,0,2024-03-10,,,  # shipped in full before its promise: 10 on time, filled
    F1,2,B,2024-03-01,10,10,2024-03-12,0,2024-03-10,,,  # shipped in full after its promise: 0 on time; order F1 not filled
    F2,1,A,2024-03-05,8,5,2024-03-11,0,,,,             # partial: due 03-12, 5 on 03-11: 5 of 8 on time
    F3,1,C,2024-03-10,6,4,2024-03-15,2,,,,             # 2 cancelled: net 4, 4 on 03-15 <= due 03-17: filled
    F4,1,C,2024-03-20,5,0,,5,,,,                       # fully cancelled: net 0, left out
    F5,1,D,2024-03-28,3,0,,0,,,,                       # ordered late in March, due 04-04, nothing shipped yet: 0
    F6,1,A,2024-03-15,-1,-1,2024-03-16,0,,,,           # a return: left out
    F7,1,B,2024-02-20,4,4,2024-03-02,0,,,,             # ordered in February: not in March's fill rate
    F8,1,D,2024-03-02,2,2,,0,2024-03-31,,,             # no ship_date: dated E(Mar) = 03-31 <= promise 03-31: on time
    F9,1,D,2024-03-03,2,2,,0,2024-03-30,,,             # no ship_date: 03-31 > promise 03-30: late, 0
    F10,1,B,2024-03-04,5,7,2024-03-06,0,,,,            # over-shipped on time: min(5, 7) = 5 on time, filled
"""
# lines: F1/1, F1/2, F2, F3, F5, F8, F9, F10 (8)
# net ordered: 10 + 10 + 8 + 4 + 3 + 2 + 2 + 5 = 44
# on time:     10 +  0 + 5 + 4 + 0 + 2 + 0 + 5 = 26          -> units 26/44
# filled:      F1/1, F3, F8, F10                             -> lines 4/8
# orders: F1 (no: F1/2 late), F2 no, F3 yes, F5 no, F8 yes, F9 no, F10 yes -> orders 3/7


def test_fill_rate_units_lines_orders(store, tmp_path):
    orders(store, tmp_path, "2024-03", MARCH)
    march = kpis(store, "2024-03")
    assert march["fill_rate_units"] == pytest.approx(26 / 44)
    assert march["fill_rate_lines"] == pytest.approx(4 / 8)
    assert march["fill_rate_orders"] == pytest.approx(3 / 7)
    fill = one(store, "fill_rate", "2024-03")
    assert fill["count_lines"] == 8 and fill["count_orders"] == 7
    assert fill["is_provisional"] is True  # no upload after March yet


def test_fill_rate_due_date_uses_default_promise_days_setting(store, tmp_path):
    orders(store, tmp_path, "2024-03", MARCH)
    save_settings(store, default_promise_days=3)
    # lines without a promise get due = order date + 3: F2 due 03-08 (5 on 03-11: late, 0);
    # F3 due 03-13 (shipped 03-15: late, 0); F10 due 03-07 (shipped 03-06: on time, 5).
    # on time: 10 + 0 + 0 + 0 + 0 + 2 + 0 + 5 = 17 of 44; filled: F1/1, F8, F10 = 3 of 8;
    # orders filled: F8, F10 = 2 of 7
    march = kpis(store, "2024-03")
    assert march["fill_rate_units"] == pytest.approx(17 / 44)
    assert march["fill_rate_lines"] == pytest.approx(3 / 8)
    assert march["fill_rate_orders"] == pytest.approx(2 / 7)


def test_fill_rate_as_reported_at_month_is_not_changed_by_next_month(store, tmp_path):
    orders(store, tmp_path, "2024-03", MARCH)
    before = kpis(store, "2024-03")
    april_file = MARCH.replace(
        "F5,1,D,2024-03-28,3,0,,0,,,,", "F5,1,D,2024-03-28,3,3,2024-04-02,0,,,,"   # F5 shipped on time on 04-02
    ).replace(
        "F2,1,A,2024-03-05,8,5,2024-03-11,0,,,,", "F2,1,A,2024-03-05,8,8,2024-04-20,0,,,,"  # F2's rest, late
    )
    assert april_file.count("2024-04-02") == 1 and april_file.count("2024-04-20") == 1
    orders(store, tmp_path, "2024-04", april_file)
    # Interpretation: the book's "provisional until M+1 is loaded" is a label (is_provisional), not
    # a recomputation: as reported at March, F5's shipment after E(Mar) is not known, and loading
    # April never changes March's figures (section 2). March stays 26/44; only the flag changes.
    assert kpis(store, "2024-03") == before
    assert one(store, "fill_rate", "2024-03")["is_provisional"] is False
    # April: no line ordered in April -> 0 / 0 -> null, never 0
    april = kpis(store, "2024-04")
    assert april["fill_rate_units"] is None and april["fill_rate_lines"] is None
    assert april["fill_rate_orders"] is None


def test_fill_rate_null_without_orders_upload(store, tmp_path):
    orders(store, tmp_path, "2024-03", MARCH)
    may = kpis(store, "2024-05")  # no orders upload for May
    assert (may["fill_rate_units"], may["fill_rate_lines"], may["fill_rate_orders"]) == (None, None, None)


def test_fill_rate_all_on_time(store, tmp_path):
    orders(store, tmp_path, "2024-03", """
        OK1,1,A,2024-03-01,3,3,2024-03-01,0,,,,   # shipped on its order date
        OK1,2,B,2024-03-01,2,2,2024-03-08,0,,,,   # shipped on its due date 03-08 exactly (<= due)
    """)
    march = kpis(store, "2024-03")
    assert (march["fill_rate_units"], march["fill_rate_lines"], march["fill_rate_orders"]) == (1, 1, 1)
