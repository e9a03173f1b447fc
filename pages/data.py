"""Data: upload the monthly files, check them, see and manage what is loaded."""
import streamlit as st

from stocklens import datasets
from stocklens.ui import auth as auth_ui
from stocklens.ui import components, state, upload

state.page_setup()
auth_ui.require("load")

st.title("Data")
st.caption("Upload the files your ERP or shop exports each month: order lines (required), month-end stock, "
           "the product master and purchase orders. CSV, TSV, Excel or Parquet, as exported.")

files = st.file_uploader("Monthly files", accept_multiple_files=True, key="uploads",
                         type=["csv", "tsv", "txt", "xlsx", "xlsm", "parquet"])
files = files or []
shipped_for_all, top = None, None
if len(files) > 1:  # several files: one "every line is shipped" choice and one button for all
    top = st.container(border=True)
    shipped_for_all = upload.shipped_for_all_box(top)
panels = []
for i, f in enumerate(files):
    with st.container(border=True):
        panels.append(upload.file_panel(i, f, shipped_for_all))
if top is not None:
    upload.load_all(top, panels)

if st.session_state.get("last_loaded") and st.session_state["last_loaded"][1]:
    upload.checks_panel(st.session_state["last_loaded"][1])

upload.loaded_panel()
if state.store().is_empty():
    st.divider()
    components.no_data()
else:
    upload.remove_demo_panel()

auth_ui.audit_panel()

with st.expander("Templates: one file per dataset with its columns"):
    for name, ds in datasets.DATASETS.items():
        c1, c2 = st.columns([1, 3])
        c1.download_button(f"{name}.csv", upload.template_csv(name), f"stocklens_template_{name}.csv", "text/csv",
                           key=f"template_{name}", icon=":material/download:")
        required = ", ".join(ds.required)
        c2.caption(f"{ds.description} Required: {required}.")
