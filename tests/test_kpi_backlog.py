"""Backlog KPIs (kpi-book sections 2 and 3, Backlog) on small hand-made fixtures loaded through the
real importer into a real store. Every expected value is worked out by hand in the comments."""
from __future__ import annotations

import datetime as dt

import pytest

from kpi_helpers import by, kpis, one, orders, rows, save_settings, stock

BUCKETS = ("0-30", "31-60", "61-90", "91-180", "181+")
BRIDGE = ("opening", "new", "shipped", "cancelled", "closed_by_absence", "restated", "closing")


def bridge_closes(b: dict) -> bool:
    return b["opening"] + b["new"] - b["shipped"] - b["cancelled"] + b["restated"] == pytest.approx(b["closing"])


# --- versions of a line across monthly uploads ----------------------------------------------------

def load_versions(store, tmp_path):
    orders(store, tmp_path, "2024-01", """
        # V1: the versioned line; 2 of 10 shipped on 01-20, promised 02-15, price 5, C1 at W1
        V1,1,S1,2024-01-10,10,2,2024-01-20,0,2024-02-15,5,C1,W1
        # V2: a second line, nothing shipped in January
        V2,1,S2,2024-01-15,4,0,,0,,1,C9,W1
    """)
    orders(store, tmp_path, "2024-02", """
        # V1: qty raised to 12; 5 shipped so far (3 more) WITHOUT ship_date -> event +3 dated E(Feb) = 02-29;
        # new promise, price, customer and location
        V1,1,S1,2024-01-10,12,5,,0,2024-03-20,6,C2,W2
        # V2: still nothing shipped
        V2,1,S2,2024-01-15,4,0,,0,,1,C9,W1
    """)
    orders(store, tmp_path, "2024-03", """
        # V1: 9 shipped so far (4 more) on 03-05; the ERP corrected the order date to 01-12; new attributes again
        V1,1,S1,2024-01-12,12,9,2024-03-05,0,2024-04-30,7,C3,W3
        # V2: all 4 shipped, reported only now, with ship_date 02-25 (in February): a late report
        V2,1,S2,2024-01-15,4,4,2024-02-25,0,,1,C9,W1
    """)


def test_line_versions_attributes_from_latest_version(store, tmp_path):
    load_versions(store, tmp_path)
    lines = by(rows(store, "backlog_open_lines", "2024-03", limit=100), "order_id")
    # At t = 2024-03-31 only V1 is open: 12 ordered (latest version) - 9 shipped = 3.
    assert set(lines) == {"V1"}
    v1 = lines["V1"]
    assert v1["qty_ordered"] == 12 and v1["shipped_to_date"] == 9 and v1["open_qty"] == 3
    # order_date, promised date (= due date), price, customer and location of the March version
    assert v1["order_date"] == dt.date(2024, 1, 12)
    assert str(v1["due_date"])[:10] == "2024-04-30"  # a date or a midnight timestamp
    assert v1["unit_price"] == 7 and v1["customer"] == "C3" and v1["location"] == "W3"
    assert v1["last_reported_month"] == "2024-03"
    # age = 2024-03-31 - 2024-01-12 = 19 (rest of Jan) + 29 (Feb) + 31 (Mar) = 79 days
    assert v1["age_days"] == 79

    march = kpis(store, "2024-03")
    assert march["backlog_units"] == 3
    assert march["backlog_value"] == pytest.approx(3 * 7)  # the latest price
    assert march["avg_age_days"] == pytest.approx(79)
    assert march["past_due_units"] == 0  # promised 04-30 is after t
    assert by(rows(store, "backlog_by_customer", "2024-03"), "customer").keys() == {"C3"}


def test_line_versions_as_reported_each_month(store, tmp_path):
    load_versions(store, tmp_path)
    jan, feb, mar = kpis(store, "2024-01"), kpis(store, "2024-02"), kpis(store, "2024-03")
    # January (t = 01-31): V1 10 - 2 = 8 open at price 5; V2 4 open at price 1.
    assert jan["backlog_units"] == 8 + 4
    assert jan["backlog_value"] == pytest.approx(8 * 5 + 4 * 1)
    # February (t = 02-29): V1 12 - (2 + 3) = 7 at price 6 (the +3 is dated 02-29 <= t); V2 4.
    assert feb["backlog_units"] == 7 + 4
    assert feb["backlog_value"] == pytest.approx(7 * 6 + 4 * 1)
    # March: V1 3 (above); V2 shipped in full: 0.
    assert mar["backlog_units"] == 3

    # Bridge January: opening 0 (nothing reported before), new 10 + 4 = 14 (lines ordered in Jan),
    # shipped 2 (01-20), cancelled 0, closing 12; restated = 12 - (0 + 14 - 2 - 0) = 0.
    assert jan["bridge"] == {"opening": 0, "new": 14, "shipped": 2, "cancelled": 0, "closed_by_absence": 0,
                             "restated": 0, "closing": 12}
    # Bridge February: opening 12 (January as reported at January), new 0, shipped 3 (V1's +3 dated
    # E(Feb) = 02-29, in February), cancelled 0, closing 11; restated = 11 - (12 + 0 - 3 - 0) = +2:
    # V1's qty_ordered raised from 10 to 12.
    assert feb["bridge"] == {"opening": 12, "new": 0, "shipped": 3, "cancelled": 0, "closed_by_absence": 0,
                             "restated": 2, "closing": 11}
    # Bridge March: opening 11, new 0, shipped 4 (V1's +4 on 03-05; V2's +4 is dated 02-25, not in
    # March), cancelled 0, closing 3; restated = 3 - (11 + 0 - 4 - 0) = -4: V2's shipment reported late.
    assert mar["bridge"] == {"opening": 11, "new": 0, "shipped": 4, "cancelled": 0, "closed_by_absence": 0,
                             "restated": -4, "closing": 3}
    for month in (jan, feb, mar):
        assert bridge_closes(month["bridge"])


# --- bridge ------------------------------------------------------------------------------------------

def load_bridge(store, tmp_path):
    orders(store, tmp_path, "2024-01", """
        B1,1,S1,2024-01-05,10,4,2024-01-20,0,,,,   # partial shipment: 4 of 10 on 01-20, 6 open
        B2,1,S2,2024-01-10,5,0,,0,,,,              # 5 open
        B3,1,S3,2024-01-15,8,0,,0,,,,              # 8 open
        B4,1,S1,2024-01-20,6,0,,0,,,,              # 6 open (raised to 9 in February)
    """)
    orders(store, tmp_path, "2024-02", """
        B1,1,S1,2024-01-05,10,10,2024-02-10,0,,,,  # the other 6 shipped on 02-10: closed
        B2,1,S2,2024-01-10,5,2,,0,,,,              # 2 shipped, no ship_date: event dated E(Feb) = 02-29; 3 open
        B3,1,S3,2024-01-15,8,0,,3,,,,              # 3 cancelled: event dated E(Feb) = 02-29; 5 open
        B4,1,S1,2024-01-20,9,0,,0,,,,              # qty_ordered raised from 6 to 9: restated +3; 9 open
        B5,1,S2,2024-02-12,7,1,2024-02-20,0,,,,    # new in February: 7 ordered, 1 shipped 02-20, 6 open
        B6,1,S1,2024-02-14,-2,-2,2024-02-14,0,,,,  # a return: left out of new and shipped
        B7,1,S3,2024-01-25,4,0,,0,,,,              # ordered in January but first reported now: restated +4
    """)


def test_bridge_opening_new_shipped_cancelled_restated_closing(store, tmp_path):
    load_bridge(store, tmp_path)
    jan = kpis(store, "2024-01")
    # January: closing = 6 + 5 + 8 + 6 = 25; new = 10 + 5 + 8 + 6 = 29; shipped 4; restated
    # = 25 - (0 + 29 - 4 - 0) = 0.
    assert jan["bridge"] == {"opening": 0, "new": 29, "shipped": 4, "cancelled": 0, "closed_by_absence": 0,
                             "restated": 0, "closing": 25}
    feb = kpis(store, "2024-02")
    # February: closing = B1 0 + B2 3 + B3 5 + B4 9 + B5 6 + B7 4 = 27 (B6 left out)
    # opening 25; new = B5's 7 (B6's -2 is a return); shipped = 6 + 2 + 1 = 9 (B6's -2 left out);
    # cancelled = 3; restated = 27 - (25 + 7 - 9 - 3) = 7 = B4 +3 and B7 +4.
    assert feb["bridge"] == {"opening": 25, "new": 7, "shipped": 9, "cancelled": 3, "closed_by_absence": 0,
                             "restated": 7, "closing": 27}
    assert feb["backlog_units"] == feb["bridge"]["closing"]
    assert jan["backlog_units"] == feb["bridge"]["opening"]
    assert bridge_closes(feb["bridge"])


def test_cancellation_dated_at_upload_month_end_not_at_ship_date(store, tmp_path):
    orders(store, tmp_path, "2024-01", """
        CX1,1,S1,2024-01-10,10,4,2024-01-20,0,,,,   # 4 of 10 shipped on 01-20: 6 open
    """)
    orders(store, tmp_path, "2024-02", """
        CX1,1,S1,2024-01-10,10,4,2024-01-20,6,,,,   # the other 6 cancelled, ship_date still 01-20
    """)
    jan, feb = kpis(store, "2024-01"), kpis(store, "2024-02")
    assert jan["bridge"] == {"opening": 0, "new": 10, "shipped": 4, "cancelled": 0, "closed_by_absence": 0,
                             "restated": 0, "closing": 6}
    # the cancellation event (+6) is dated E(Feb) = 02-29, in February (not at the line's ship_date
    # in January): opening 6, cancelled 6, closing 0, restated = 0 - (6 + 0 - 0 - 6) = 0
    assert feb["bridge"] == {"opening": 6, "new": 0, "shipped": 0, "cancelled": 6, "closed_by_absence": 0,
                             "restated": 0, "closing": 0}


def test_month_without_orders_upload_is_null_and_next_bridge_opens_on_last_known_state(store, tmp_path):
    load_bridge(store, tmp_path)
    # No orders upload for March: backlog, age buckets, bridge and fill rate are unknown (null).
    mar = kpis(store, "2024-03")
    for key in ("backlog_units", "backlog_value", "backlog_lines", "backlog_orders", "avg_age_days",
                "past_due_units", "fill_rate_units", "fill_rate_lines", "fill_rate_orders"):
        assert mar[key] is None, key
    assert mar["age_buckets"] == {b: None for b in BUCKETS}
    assert mar["bridge"] == {k: None for k in BRIDGE}

    orders(store, tmp_path, "2024-04", """
        B2,1,S2,2024-01-10,5,5,2024-04-03,0,,,,    # the last 3 of B2 shipped on 04-03: closed
        B3,1,S3,2024-01-15,8,0,,3,,,,              # unchanged: 5 open
        B4,1,S1,2024-01-20,9,0,,0,,,,              # unchanged: 9 open
        B5,1,S2,2024-02-12,7,1,2024-02-20,0,,,,    # unchanged: 6 open
        B7,1,S3,2024-01-25,4,0,,0,,,,              # unchanged: 4 open
    """)
    apr = kpis(store, "2024-04")
    # Interpretation (the book does not say what opens a bridge after a month without an orders
    # upload): opening = backlog at E(M-1) from the uploads of months <= M-1, here February's lines
    # at 03-31 = 27, though March's own backlog_units is null; the bridge still closes.
    # closing = 5 + 9 + 6 + 4 = 24; shipped 3 (04-03); restated = 24 - (27 + 0 - 3 - 0) = 0.
    assert apr["bridge"] == {"opening": 27, "new": 0, "shipped": 3, "cancelled": 0, "closed_by_absence": 0,
                             "restated": 0, "closing": 24}


# --- status mapping, every-line-shipped option, returns -----------------------------------------------

def test_status_mapping_before_quantities(store, tmp_path):
    header = "order_id,line_id,sku,order_date,qty_ordered,qty_shipped,ship_date,qty_cancelled,status"
    orders(store, tmp_path, "2024-05", """
        ST1,1,A,2024-05-02,5,,2024-05-06,,shipped    # shipped, no qty_shipped -> 5 shipped: 0 open
        ST2,1,A,2024-05-03,4,,,,Fulfilled           # a synonym, no qty and no date -> 4 shipped dated E(May): 0 open
        ST3,1,B,2024-05-04,6,2,2024-05-08,,cancelled  # cancelled, 2 shipped, no qty_cancelled -> 6 - 2 = 4 cancelled
        ST4,1,B,2024-05-05,3,,,,cancelled           # cancelled, nothing shipped -> 3 cancelled: 0 open
        ST5,1,C,2024-05-06,7,,,,open                # open stays open: 7
        ST6,1,C,2024-05-07,8,3,2024-05-09,,partial  # partial with its quantity: 8 - 3 = 5 open
        ST7,1,D,2024-05-08,2,1,2024-05-10,,shipped  # shipped WITH a qty_shipped: the quantity as given, 1 open
    """, header=header)
    may = kpis(store, "2024-05")
    # open: ST5 7 + ST6 5 + ST7 1 = 13
    assert may["backlog_units"] == 13
    assert may["backlog_lines"] == 3
    # new = 5 + 4 + 6 + 3 + 7 + 8 + 2 = 35; shipped = 5 + 4 + 2 + 3 + 1 = 15; cancelled = 4 + 3 = 7;
    # restated = 13 - (0 + 35 - 15 - 7) = 0
    assert may["bridge"] == {"opening": 0, "new": 35, "shipped": 15, "cancelled": 7, "closed_by_absence": 0,
                             "restated": 0, "closing": 13}


INVOICES = """
    INV1,A,2024-06-03,5,,2.0,        # no shipping information: shipped 5 on its order date 06-03
    INV1,B,2024-06-03,3,,1.0,        # same invoice, another SKU: shipped 3 on 06-03
    INV2,A,2024-06-20,-2,,2.0,       # a credit note: shipped -2 (a return), left out of backlog and fill rate
    INV3,C,2024-06-28,4,,1.5,open    # has shipping information (status open): stays open, 4
    INV4,D,2024-06-10,6,2,1.0,       # has a qty_shipped: 2 shipped (dated E(Jun) = 06-30), 4 open
"""
INVOICE_HEADER = "order_id,sku,order_date,qty_ordered,qty_shipped,unit_price,status"


def test_every_line_shipped_option(store, tmp_path):
    orders(store, tmp_path / "files", "2024-06", INVOICES, header=INVOICE_HEADER, all_shipped=True)
    june = kpis(store, "2024-06")
    # open: INV3 4 + INV4 4 = 8
    assert june["backlog_units"] == 8
    # fill rate (due = order date + 7): INV1/A 5 of 5 on 06-03, INV1/B 3 of 3, INV3 0 of 4,
    # INV4 0 of 6 (its 2 are dated 06-30 > due 06-17). units (5 + 3) / (5 + 3 + 4 + 6) = 8/18;
    # lines 2/4; orders: INV1 filled, INV3 and INV4 not: 1/3. (INV2 is a return: left out.)
    assert june["fill_rate_units"] == pytest.approx(8 / 18)
    assert june["fill_rate_lines"] == pytest.approx(2 / 4)
    assert june["fill_rate_orders"] == pytest.approx(1 / 3)


def test_without_every_line_shipped_option_invoices_stay_open(store, tmp_path):
    orders(store, tmp_path / "files", "2024-06", INVOICES, header=INVOICE_HEADER, all_shipped=False)
    # open: INV1/A 5 + INV1/B 3 + INV3 4 + INV4 (6 - 2) 4 = 16
    assert kpis(store, "2024-06")["backlog_units"] == 16


def test_returns_left_out_of_backlog_and_fill_rate(store, tmp_path):
    orders(store, tmp_path, "2024-04", """
        RT1,1,A,2024-04-02,5,0,,0,,2,,        # a normal open line: 5 open, value 10
        RT2,1,A,2024-04-03,-3,0,,0,,2,,       # a return not yet booked back
        RT3,1,A,2024-04-06,-2,-2,2024-04-07,0,,2,,  # a return booked back: a -2 shipment event on 04-07
        RT4,1,B,2024-04-08,0,0,,0,,2,,        # a zero-quantity correction
    """)
    apr = kpis(store, "2024-04")
    assert apr["backlog_units"] == 5 and apr["backlog_lines"] == 1 and apr["backlog_orders"] == 1
    assert apr["backlog_value"] == pytest.approx(10)
    # new = RT1's 5 only (not 5 - 3 - 2 + 0 = 0); shipped 0 (not -2); restated = 5 - (0 + 5 - 0 - 0) = 0
    assert apr["bridge"] == {"opening": 0, "new": 5, "shipped": 0, "cancelled": 0, "closed_by_absence": 0,
                             "restated": 0, "closing": 5}
    fill = one(store, "fill_rate", "2024-04")
    assert fill["count_lines"] == 1 and fill["count_orders"] == 1  # RT1 only
    assert apr["fill_rate_units"] == 0  # RT1: 0 of 5 shipped


# --- totals, age, past due ------------------------------------------------------------------------------

def test_backlog_totals_value_lines_orders(store, tmp_path):
    orders(store, tmp_path, "2024-06", """
        BT1,1,A,2024-06-01,10,3,2024-06-05,0,,2.5,,   # partial: 7 open x 2.5 = 17.5; age 29
        BT1,2,B,2024-06-02,4,0,,0,,,,                 # same order, no price: 4 open, value 0; age 28
        BT2,1,A,2024-06-03,5,5,2024-06-04,0,,9,,      # fully shipped: not open, order BT2 not open
        BT3,1,C,2024-06-04,6,0,,2,,1.0,,              # 2 cancelled: 4 open x 1 = 4; age 26
        BT4,1,C,2024-07-02,3,0,,0,,1.0,,              # ordered after t = 06-30: not open at t
    """)
    june = kpis(store, "2024-06")
    assert june["backlog_units"] == 7 + 4 + 4
    assert june["backlog_value"] == pytest.approx(17.5 + 0 + 4)
    assert june["backlog_lines"] == 3
    assert june["backlog_orders"] == 2  # BT1 and BT3
    # unit-weighted age: (7 x 29 + 4 x 28 + 4 x 26) / 15 = (203 + 112 + 104) / 15 = 419 / 15
    assert june["avg_age_days"] == pytest.approx(419 / 15)
    assert one(store, "backlog_totals", "2024-06")["count_lines_without_price"] == 1  # BT1/2


AGES = """
    AG1,1,A,2024-06-30,1,0,,0,,1,,      # age 0   -> 0-30
    AG2,1,A,2024-05-31,2,0,,0,,1,,      # age 30  -> 0-30 (upper bound inclusive)
    AG3,1,A,2024-05-30,4,0,,0,,1,,      # age 31  -> 31-60
    AG4,1,A,2024-05-01,8,0,,0,,1,,      # age 60  -> 31-60
    AG5,1,A,2024-04-30,16,0,,0,,1,,     # age 61  -> 61-90
    AG6,1,A,2024-04-01,32,0,,0,,1,,     # age 90  -> 61-90
    AG7,1,A,2024-03-31,64,0,,0,,1,,     # age 91  -> 91-180
    AG8,1,A,2024-01-02,128,0,,0,,1,,    # age 180 -> 91-180
    AG9,1,A,2024-01-01,256,0,,0,,2,,    # age 181 -> 181+ (price 2)
"""


def test_age_buckets_boundaries_and_average_age(store, tmp_path):
    # t = 2024-06-30; units are powers of two so that every bucket's sum says which lines are in it.
    orders(store, tmp_path, "2024-06", AGES)
    june = kpis(store, "2024-06")
    assert june["age_buckets"] == {"0-30": 1 + 2, "31-60": 4 + 8, "61-90": 16 + 32, "91-180": 64 + 128,
                                   "181+": 256}
    assert sum(june["age_buckets"].values()) == june["backlog_units"] == 511
    # (1x0 + 2x30 + 4x31 + 8x60 + 16x61 + 32x90 + 64x91 + 128x180 + 256x181) / 511
    # = (0 + 60 + 124 + 480 + 976 + 2880 + 5824 + 23040 + 46336) / 511 = 79720 / 511
    assert june["avg_age_days"] == pytest.approx(79720 / 511)
    values = {r["age_bucket"]: r["backlog_value"] for r in rows(store, "backlog_age_buckets", "2024-06")}
    assert values["181+"] == pytest.approx(256 * 2) and values["0-30"] == pytest.approx(3)


def test_age_buckets_custom_bounds_from_settings(store, tmp_path):
    orders(store, tmp_path, "2024-06", AGES)
    save_settings(store, age_bounds=[31, 90])
    june = kpis(store, "2024-06")
    # bounds 31, 90 -> buckets 0-31 (ages 0, 30, 31: 1 + 2 + 4), 32-90 (60, 61, 90: 8 + 16 + 32),
    # 91+ (91, 180, 181: 64 + 128 + 256)
    assert june["age_buckets"] == {"0-31": 7, "32-90": 56, "91+": 448}


PAST_DUE = """
    PD1,1,A,2024-06-22,1,0,,0,,,,             # no promise: due 06-22 + 7 = 06-29 < t -> past due
    PD2,1,A,2024-06-23,2,0,,0,,,,             # no promise: due 06-23 + 7 = 06-30 = t -> not past due
    PD3,1,A,2024-05-01,4,0,,0,2024-07-15,,,   # old, but promised 07-15 -> not past due
    PD4,1,A,2024-06-25,8,0,,0,2024-06-29,,,   # promised 06-29 < t -> past due
    PD5,1,A,2024-06-10,16,0,,0,2024-06-30,,,  # promised t itself -> not past due
"""


def test_past_due_units_default_promise_days(store, tmp_path):
    orders(store, tmp_path, "2024-06", PAST_DUE)
    assert kpis(store, "2024-06")["past_due_units"] == 1 + 8


def test_past_due_units_with_other_promise_days(store, tmp_path):
    orders(store, tmp_path, "2024-06", PAST_DUE)
    save_settings(store, default_promise_days=0)
    # due = order date: PD1 06-22 and PD2 06-23 are past due too: 1 + 2 + 8
    assert kpis(store, "2024-06")["past_due_units"] == 11
    save_settings(store, default_promise_days=10)
    # PD1 due 07-02, PD2 due 07-03: not past due; only PD4 (promised) 8
    assert kpis(store, "2024-06")["past_due_units"] == 8


# --- as reported at M ---------------------------------------------------------------------------------

def test_loading_a_later_month_never_changes_an_earlier_month(store, tmp_path):
    orders(store, tmp_path, "2024-01", """
        AR1,1,S1,2024-01-05,10,4,2024-01-20,0,2024-01-25,3,C1,W1   # partial, past due
        AR2,1,S2,2024-01-28,5,0,,0,,2,C2,W1                        # ordered late in January
    """)
    stock(store, tmp_path, "2024-01", """
        S1,2,1.5,W1     # S1 covers 2 of its 6 open
    """)
    before = kpis(store, "2024-01")
    orders(store, tmp_path, "2024-02", """
        AR1,1,S1,2024-01-03,15,10,2024-01-30,3,2024-02-20,4,C9,W2   # everything changed, a shipment dated in January
        AR2,1,S2,2024-01-28,5,5,2024-01-29,0,,2,C2,W1               # shipped on time, reported late
        AR3,1,S2,2024-01-15,7,0,,0,,2,C2,W1                         # a January line first reported in February
        AR4,1,S3,2024-02-02,3,0,,0,,2,C2,W1                         # a February line
    """)
    stock(store, tmp_path, "2024-02", """
        S1,0,9,W1       # other stock and cost in February
    """)
    assert kpis(store, "2024-01") == before


def test_reuploading_a_month_replaces_it(store, tmp_path):
    orders(store, tmp_path, "2024-01", """
        RU1,1,S1,2024-01-05,10,0,,0,,,,   # 10 open in the first upload
    """)
    assert kpis(store, "2024-01")["backlog_units"] == 10
    orders(store, tmp_path, "2024-01", """
        RU1,1,S1,2024-01-05,10,6,2024-01-09,0,,,,   # the corrected file: 6 shipped, 4 open
    """)
    assert kpis(store, "2024-01")["backlog_units"] == 4


# --- data check: stale open lines -------------------------------------------------------------------

def test_check_stale_open_lines(store, tmp_path):
    orders(store, tmp_path, "2024-01", """
        SL1,1,S1,2024-01-05,10,0,,0,,,C1,   # open in January, missing from February's file: stale at February
        SL2,1,S2,2024-01-06,3,0,,0,,,C1,    # open in January and refreshed in February
        SL3,1,S3,2024-01-07,2,2,2024-01-09,0,,,C1,  # shipped in January, missing from February: closed, not stale
    """)
    orders(store, tmp_path, "2024-02", """
        SL2,1,S2,2024-01-06,3,1,2024-02-10,0,,,C1,  # refreshed: 2 open
    """)
    stale = rows(store, "checks/stale_open_lines", "2024-02")
    assert [(r["order_id"], r["open_qty"], r["last_reported_month"]) for r in stale] == [("SL1", 10, "2024-01")]
    # January is clean: every open line was reported in January's own file.
    assert rows(store, "checks/stale_open_lines", "2024-01") == []


def test_decimal_quantities_leave_no_float_residue(store, tmp_path):
    # 12.3 ordered, 6.1 shipped in January, the other 6.2 cancelled in February: as doubles
    # 12.3 - 6.1 - 6.2 is about 1.8e-15, which must not count as an open line (backlog_lines 0,
    # not 1) nor as a backorder.
    orders(store, tmp_path, "2024-01", """
        DEC1,1,D1,2024-01-05,12.3,6.1,2024-01-10,0,,,,
    """)
    orders(store, tmp_path, "2024-02", """
        DEC1,1,D1,2024-01-05,12.3,6.1,2024-01-10,6.2,,,,
    """)
    stock(store, tmp_path, "2024-02", "D1,0,1,W1")
    feb = kpis(store, "2024-02")
    assert feb["backlog_units"] == 0 and feb["backlog_lines"] == 0 and feb["backorder_units"] == 0
