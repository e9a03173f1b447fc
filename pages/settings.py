"""Settings: the KPI parameters of the KPI book, stored with the data."""
import streamlit as st

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
    bounds = st.text_input("Age bucket upper bounds (days)", ", ".join(str(b) for b in current.age_bounds),
                           help="Buckets 0-30, 31-60, … from these bounds; the last bucket is open-ended.")
    promise = st.number_input("Default promise days", 0, 365, current.default_promise_days,
                              help="Due date = promised date, else order date + this many days.")
    st.markdown("**Carrying rate per year** (holding cost = average inventory × rate / 12)")
    c = st.columns(4)
    capital = c[0].number_input("Capital", 0.0, 2.0, current.carrying_capital, 0.01, format="%.3f")
    storage = c[1].number_input("Storage", 0.0, 2.0, current.carrying_storage, 0.01, format="%.3f")
    service = c[2].number_input("Service", 0.0, 2.0, current.carrying_service, 0.01, format="%.3f")
    risk = c[3].number_input("Risk", 0.0, 2.0, current.carrying_risk, 0.01, format="%.3f")
    c = st.columns(3)
    frequent = c[0].number_input("Frequently backordered: months at least", 1, 36, current.frequent_backorder_months)
    window = c[1].number_input("…within a window of (months)", 1, 36, current.backorder_window_months)
    excess = c[2].number_input("Excess stock above (months of demand)", 1, 60, current.excess_months)
    saved = st.form_submit_button("Save settings", type="primary")
if saved:
    with ui.user_action("save the settings"):
        try:
            age_bounds = tuple(int(x) for x in bounds.replace(";", ",").split(",") if x.strip())
        except ValueError:
            raise ValueError(f"the age bucket bounds must be whole numbers separated by commas, not "
                             f"{bounds!r}") from None
        new = Settings(age_bounds=age_bounds, default_promise_days=int(promise), carrying_capital=capital,
                       carrying_storage=storage, carrying_service=service, carrying_risk=risk,
                       frequent_backorder_months=int(frequent), backorder_window_months=int(window),
                       excess_months=int(excess))
        settings_mod.save(state.store(), new, actor=auth_ui.actor())
        st.success(f"Saved. Carrying rate {new.carrying_rate:.1%} a year; age buckets {', '.join(new.age_labels)}.")
st.caption(f"In force: carrying rate {current.carrying_rate:.1%} a year; age buckets {', '.join(current.age_labels)}.")
if st.button("Back to the KPI book's defaults", key="reset_settings"):
    with ui.user_action("reset the settings"):
        settings_mod.save(state.store(), Settings(), actor=auth_ui.actor())
        st.rerun()

st.divider()
auth_ui.users_panel()
