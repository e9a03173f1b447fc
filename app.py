"""stocklens dashboard: `streamlit run app.py` (or `./run app`)."""
import streamlit as st

from stocklens.errors import StoreError
from stocklens.ui import auth as auth_ui
from stocklens.ui import components, state

st.set_page_config(page_title="stocklens", page_icon=":material/inventory_2:", layout="wide")

reports = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/backlog.py", title="Backlog", icon=":material/pending_actions:", url_path="backlog"),
    st.Page("pages/backorders.py", title="Backorders", icon=":material/production_quantity_limits:",
            url_path="backorders"),
    st.Page("pages/inventory.py", title="Inventory and turnover", icon=":material/warehouse:",
            url_path="inventory"),
    st.Page("pages/replenishment.py", title="Replenishment", icon=":material/shopping_cart:",
            url_path="replenishment"),
    st.Page("pages/suppliers.py", title="Suppliers", icon=":material/local_shipping:", url_path="suppliers"),
]
data = st.Page("pages/data.py", title="Data", icon=":material/upload_file:", url_path="data")
settings = st.Page("pages/settings.py", title="Settings", icon=":material/tune:", url_path="settings")

user = auth_ui.gate(reports + [data, settings])  # only the sign-in form until signed in (no users: local mode)
try:
    state.store().data_version()
except StoreError as exc:  # another process holds the store, or the path is not a store
    st.error(f"The dashboard cannot open its store. {components.md_escape(exc)}")
    st.stop()

# Each role sees the pages it may use (auth.ACTIONS): analysts load data, admins change settings;
# a page not in a session's navigation cannot be reached, not even by its URL.
navigation = st.navigation(reports + [data] * user.can("load") + [settings] * user.can("settings"))
state.sidebar()
auth_ui.account_box()
components.run_page(navigation.run)  # an unexpected error: one sentence, the traceback in the log
