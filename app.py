"""stocklens dashboard: `streamlit run app.py` (or `./run app`)."""
import streamlit as st

from stocklens.ui import state

st.set_page_config(page_title="stocklens", page_icon=":material/inventory_2:", layout="wide")

pages = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/backlog.py", title="Backlog", icon=":material/pending_actions:", url_path="backlog"),
    st.Page("pages/backorders.py", title="Backorders", icon=":material/production_quantity_limits:",
            url_path="backorders"),
    st.Page("pages/inventory.py", title="Inventory and turnover", icon=":material/warehouse:",
            url_path="inventory"),
    st.Page("pages/data.py", title="Data", icon=":material/upload_file:", url_path="data"),
    st.Page("pages/settings.py", title="Settings", icon=":material/tune:", url_path="settings"),
]
navigation = st.navigation(pages)
state.sidebar()
navigation.run()
