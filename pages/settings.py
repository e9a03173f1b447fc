"""Settings: the KPI parameters of the KPI book, stored with the data."""
import streamlit as st

from stocklens import service
from stocklens import settings as settings_mod
from stocklens.settings import Settings
from stocklens.ui import auth as auth_ui
from stocklens.ui import components as ui
from stocklens.ui import state

state.page_setup()
auth_ui.require("settings")

st.title("Settings")
st.caption("These settings change every figure on every page and in the CLI consistently. Defaults follow "
           "the KPI book.")
current = state.current_settings()
with st.form("settings_form"):
    raw = {"age_bounds": st.text_input(
        "Age bucket upper bounds (days)", ", ".join(str(b) for b in current.age_bounds), key="set_age_bounds",
        help="Buckets 0-30, 31-60, … from these bounds; the last bucket is open-ended.")}
    raw["default_promise_days"] = st.number_input(
        "Default promise days", 0, 365, current.default_promise_days, key="set_promise_days",
        help="Due date = promised date, else order date + this many days.")
    st.markdown("**Carrying rate per year** (holding cost = average inventory × rate / 12)")
    for col, part in zip(st.columns(4), ("capital", "storage", "service", "risk")):
        raw[f"carrying_{part}"] = col.number_input(part.title(), 0.0, 2.0, getattr(current, f"carrying_{part}"),
                                                   0.01, format="%.3f", key=f"set_carrying_{part}")
    c = st.columns(3)
    raw["frequent_backorder_months"] = c[0].number_input(
        "Frequently backordered: months at least", 1, 36, current.frequent_backorder_months, key="set_frequent")
    raw["backorder_window_months"] = c[1].number_input(
        "…within a window of (months)", 1, 36, current.backorder_window_months, key="set_window")
    raw["excess_months"] = c[2].number_input(
        "Excess stock above (months of demand)", 1, 60, current.excess_months, key="set_excess")
    st.markdown("**Replenishment and forecast** (Replenishment and Suppliers pages)")
    c = st.columns(3)
    raw["service_level"] = c[0].number_input(
        "Service level", 0.5, 0.9999, current.service_level, 0.01, format="%.4f", key="set_service_level",
        help="Cycle service level for safety stock (0.95 = 95%: z = 1.645).")
    raw["review_period_days"] = c[1].number_input(
        "Review period (days)", 0, 365, current.review_period_days, key="set_review_days",
        help="Order-up-to level = daily demand × (lead time + review period) + safety stock.")
    raw["default_lead_time_days"] = c[2].number_input(
        "Default lead time (days)", 1, 730, current.default_lead_time_days, key="set_lead_time",
        help="For SKUs with no lead time measured from receipts and none in the product master.")
    c = st.columns(3)
    raw["abc_a"] = c[0].number_input("ABC: class A share", 0.01, 0.99, current.abc_a, 0.05, format="%.2f",
                                     key="set_abc_a", help="A: the SKUs making the first 80% of 12-month value.")
    raw["abc_b"] = c[1].number_input("ABC: class B share", 0.0, 0.99, current.abc_b, 0.05, format="%.2f",
                                     key="set_abc_b", help="B: the next 15%; C: the rest.")
    raw["forecast_alpha"] = c[2].number_input(
        "Forecast smoothing (alpha)", 0.01, 1.0, current.forecast_alpha, 0.05, format="%.2f", key="set_alpha",
        help="Simple exponential smoothing, used when 24 months of orders files are not there for the seasonal "
             "forecast.")
    saved = st.form_submit_button("Save settings", type="primary", key="save_settings")
if saved:
    with ui.user_action("save the settings"), st.spinner("Saving, and computing the figures with them…"):
        new, errors = settings_mod.parse(raw, current)  # the CLI's parsing and checks
        if errors:
            raise ValueError("; ".join(errors))
        service.save_settings(state.store(), new, actor=auth_ui.actor())
        st.success(f"Saved. Carrying rate {new.carrying_rate:.1%} a year; age buckets {', '.join(new.age_labels)}.")
st.caption(f"In force: carrying rate {current.carrying_rate:.1%} a year; age buckets {', '.join(current.age_labels)}.")
if st.button("Back to the KPI book's defaults", key="reset_settings"):
    with ui.user_action("reset the settings"):
        service.save_settings(state.store(), Settings(), actor=auth_ui.actor())
        for key in [k for k in st.session_state if str(k).startswith("set_")]:
            del st.session_state[key]  # the widgets show the defaults, not what was typed
        st.rerun()

st.divider()
auth_ui.users_panel()
