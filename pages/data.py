"""Data: upload the monthly files, check them, see and manage what is loaded."""
import streamlit as st

from stocklens import datasets
from stocklens.ui import auth as auth_ui
from stocklens.ui import state, upload

state.page_setup()
auth_ui.require("load")

st.title("Data")
st.caption("Upload the files your ERP or shop exports each month: order lines (required), month-end stock, "
           "the product master and purchase orders. CSV, TSV, Excel or Parquet, as exported.")

files = st.file_uploader("Monthly files", accept_multiple_files=True, key="uploads",
                         type=["csv", "tsv", "txt", "xlsx", "xlsm", "parquet"])
for i, f in enumerate(files or []):
    with st.container(border=True):
        upload.file_panel(i, f)

if st.session_state.get("last_loaded") and st.session_state["last_loaded"][1]:
    upload.checks_panel(st.session_state["last_loaded"][1])

upload.loaded_panel()
if state.store().is_empty():
    st.divider()
    from stocklens.ui import components

    components.no_data()

auth_ui.audit_panel()

with st.expander("Templates: one file per dataset with its columns"):
    for name, ds in datasets.DATASETS.items():
        c1, c2 = st.columns([1, 3])
        c1.download_button(f"{name}.csv", upload.template_csv(name), f"stocklens_template_{name}.csv", "text/csv",
                           key=f"template_{name}", icon=":material/download:")
        required = ", ".join(ds.required)
        c2.caption(f"{ds.description} Required: {required}.")
