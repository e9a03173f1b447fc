"""stocklens dashboard: `streamlit run app.py` (or `./run app`)."""
import streamlit as st

from stocklens.errors import StoreError
from stocklens.ui import auth as auth_ui
from stocklens.ui import state

st.set_page_config(page_title="stocklens", page_icon=":material/inventory_2:", layout="wide")

user = auth_ui.gate()  # the sign-in form and nothing else until signed in (no users: local mode)
try:
    state.store().data_version()
except StoreError as exc:  # another process holds the store, or the path is not a store
    st.error(f"The dashboard cannot open its store. {exc}")
    st.stop()

pages = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/backlog.py", title="Backlog", icon=":material/pending_actions:", url_path="backlog"),
    st.Page("pages/backorders.py", title="Backorders", icon=":material/production_quantity_limits:",
            url_path="backorders"),
    st.Page("pages/inventory.py", title="Inventory and turnover", icon=":material/warehouse:",
            url_path="inventory"),
]
# Each role sees the pages it may use (auth.ACTIONS): analysts load data, admins change settings.
if user.can("load"):
    pages.append(st.Page("pages/data.py", title="Data", icon=":material/upload_file:", url_path="data"))
if user.can("settings"):
    pages.append(st.Page("pages/settings.py", title="Settings", icon=":material/tune:", url_path="settings"))
navigation = st.navigation(pages)
state.sidebar()
auth_ui.account_box()
navigation.run()
