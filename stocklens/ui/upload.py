"""The Data page's parts: one uploaded file from preview to confirmed load, and what is loaded.

Everything a file brings (its name, sheets, headers, values, and the importer's messages quoting
them) is shown through components.md_escape; the store is changed only inside
components.user_action."""
from __future__ import annotations

import hashlib
import json

import polars as pl
import streamlit as st

from .. import datasets, export, importer, kpis, mapping
from . import auth as auth_ui
from . import state
from .components import md_escape, user_action

CHECKS = [
    ("checks/stale_open_lines", "Open lines no later file listed",
     "Lines still open whose latest version is from an earlier upload: later files did not list them, so "
     "they stay open here. If your ERP exports only open lines, these were probably shipped or closed."),
    ("checks/skus_not_in_stock", "SKUs ordered but absent from the stock file",
     "Open demand on SKUs with no row in this month's stock file: on hand counts as 0, so they are "
     "backordered in full."),
    ("checks/stock_unknown_cost", "Stock with unknown cost",
     "SKUs on hand with no cost this month, in an earlier stock file or in the product master: left out "
     "of inventory value."),
    ("checks/negative_stock", "Negative stock rows",
     "Rows with negative quantity on hand; a SKU's on hand counts as max(0, sum of its rows)."),
]

EXAMPLES = {
    "orders": {"order_id": "SO-1001", "line_id": "1", "sku": "00412", "order_date": "2025-03-03",
               "qty_ordered": "10", "qty_shipped": "4", "ship_date": "2025-03-10", "qty_cancelled": "0",
               "promised_date": "2025-03-14", "unit_price": "12.50", "customer": "C-042", "location": "MAIN",
               "status": "partial"},
    "stock": {"sku": "00412", "qty_on_hand": "35", "unit_cost": "7.10", "location": "MAIN",
              "snapshot_date": "2025-03-31"},
    "products": {"sku": "00412", "description": "Steel bracket 40 mm", "category": "Hardware",
                 "supplier": "Acme Metals", "unit_cost": "7.10", "lead_time_days": "21"},
    "purchase_orders": {"po_id": "PO-77", "line_id": "1", "sku": "00412", "supplier": "Acme Metals",
                        "order_date": "2025-03-01", "expected_date": "2025-03-22", "received_date": "",
                        "qty_ordered": "100", "qty_received": "0", "unit_cost": "7.10"},
}


def template_csv(dataset: str) -> bytes:
    ds = datasets.get(dataset)
    cols = [c.name for c in ds.stored_columns]
    frame = pl.DataFrame({c: [EXAMPLES[dataset].get(c, "")] for c in cols})
    return export.to_csv_bytes(frame)


def _prepare_cached(data: bytes, name: str, **kwargs) -> importer.Prepared:
    """Preparing a large file takes a second or two: keep the result per file and choices."""
    key = "prep_" + hashlib.sha256(
        data[:1_000_000] + str(len(data)).encode() + name.encode()
        + json.dumps(kwargs, sort_keys=True, default=str).encode() + str(state.data_version()).encode()
    ).hexdigest()[:24]
    if key not in st.session_state:
        st.session_state[key] = importer.prepare(data, name, store=state.store(), **kwargs)
    return st.session_state[key]


def _mapping_editor(prep: importer.Prepared, key: str) -> dict[str, str]:
    ds = datasets.get(prep.dataset)
    rows = [{"column": c.name, "required": "yes" if c.required else "", "file column": prep.mapping.get(c.name, ""),
             "meaning": c.meaning} for c in ds.columns]
    edited = st.data_editor(
        pl.DataFrame(rows), key=key, hide_index=True, width="stretch", disabled=["column", "required", "meaning"],
        column_config={"file column": st.column_config.SelectboxColumn(
            "File column", options=[""] + prep.headers,
            help="The column of your file that holds this. Leave empty when the file has none.")})
    return {r["column"]: r["file column"] for r in edited.iter_rows(named=True) if r["file column"]}


def _report(prep: importer.Prepared) -> None:
    for note in prep.notes:
        st.caption(md_escape(note))
    if prep.refused:
        lines = [f"- {md_escape(p.message)}" for p in prep.problems]
        shown = sum(1 for p in prep.problems if p.kind == "row_error")
        if prep.total_row_errors > shown:
            lines.append(f"- … and {prep.total_row_errors - shown:,} more row errors.")
        st.error("**This file cannot be loaded as it is; nothing of it will be stored.**\n\n" + "\n".join(lines))
        return
    if prep.findings:
        st.warning("**Kept, but worth a look:**\n\n" + "\n".join(f"- {md_escape(f.message)}" for f in prep.findings))
        for f in prep.findings:
            if f.examples:
                with st.expander(f"Examples: {md_escape(f.kind.replace('_', ' '))} ({f.count:,})"):
                    st.dataframe(pl.DataFrame(f.examples, strict=False), hide_index=True)
    else:
        st.success("No problems found.")


def file_panel(index: int, upload) -> None:
    """One uploaded file: dataset, month, mapping, preview and report, then confirm."""
    data = upload.getvalue()
    file_id = hashlib.sha1(data[:100_000] + upload.name.encode()).hexdigest()[:10]
    st.subheader(md_escape(upload.name))
    with st.status("Reading and checking the file…", expanded=False) as status:
        first = _prepare_cached(data, upload.name)
        status.update(label=f"Read {first.rows_read:,} rows", state="complete")
    c1, c2, c3 = st.columns([2, 1, 2])
    names = list(datasets.DATASETS)
    dataset = c1.selectbox("Dataset", names, index=names.index(first.dataset), key=f"ds_{file_id}",
                           format_func=lambda n: datasets.get(n).label,
                           help="Guessed from the columns and the file name; change it if it is wrong.")
    sheet = None
    if first.raw is not None and first.raw.format == "xlsx":
        sheets = first.raw.details["sheets"]
        sheet = c3.selectbox("Sheet", sheets, key=f"sheet_{file_id}")
    all_shipped = False
    if dataset == "orders":
        all_shipped = c3.checkbox("Every line is shipped (invoice or sales-history file)", key=f"ship_{file_id}",
                                  help="Lines without shipping information count as shipped on their order date.")
    base = _prepare_cached(data, upload.name, dataset=dataset, sheet=sheet, all_shipped=all_shipped)
    month = None
    if datasets.get(dataset).monthly:
        month = c2.text_input("Month (YYYY-MM)", value=base.proposed_month or "", key=f"month_{file_id}_{dataset}",
                              help="The month-end this file was exported for; proposed from its dates.")
    with st.expander("Column mapping", expanded=base.refused and not base.rows_read == 0):
        st.caption("Known column names are mapped automatically; a mapping you load with is remembered for the "
                   "next file with the same columns.")
        chosen = _mapping_editor(base, f"map_{file_id}_{dataset}_{sheet}")
    prep = _prepare_cached(data, upload.name, dataset=dataset, sheet=sheet, all_shipped=all_shipped,
                           month=month or None, mapping_override=chosen)
    with st.expander("Preview (first rows as read)", expanded=False):
        if prep.preview is not None:
            st.dataframe(prep.preview, hide_index=True)
    _report(prep)
    label = f"Load as {datasets.get(dataset).label.lower()}" + (f" for {md_escape(prep.month)}" if prep.month else "")
    done_key = f"loaded_{file_id}"
    if st.button(label, key=f"confirm_{file_id}", type="primary", disabled=prep.refused, icon=":material/check:"):
        with user_action("load the file"), st.spinner("Storing (the month is replaced in one transaction)…"):
            result = state.store().commit(prep, data, actor=auth_ui.actor())
            if result.status == "unchanged":
                st.session_state[done_key] = ("info", f"Identical to what is loaded for "
                                                      f"{result.month or dataset}: nothing changed.")
            else:
                replaced = ", replacing the previous version" if result.replaced_load_id else ""
                st.session_state["last_loaded"] = (dataset, prep.month)
                st.session_state[done_key] = ("success", f"Loaded {result.rows_stored:,} {dataset} rows for "
                                                         f"{result.month or 'the store'}{replaced}.")
            # The sidebar (month list, filters) ran before this page: rerun so that it, and every
            # figure, shows the new data at once; the message is shown after the rerun.
            st.rerun()
    if done_key in st.session_state:
        kind, text = st.session_state.pop(done_key)
        getattr(st, kind)(text)


def checks_panel(month: str) -> None:
    """The data checks of a month: each a query returning the offending rows."""
    ctx = kpis.Context(month, state.current_settings())
    st.markdown(f"**Data checks for {month}**")
    for query, title, why in CHECKS:
        rows = state.run(query, ctx)
        if rows.height:
            with st.expander(f"⚠ {title}: {rows.height:,}"):
                st.caption(why)
                st.dataframe(rows.head(500), hide_index=True)
        else:
            st.caption(f"✓ {title}: none")


def _name(key: tuple[str, str | None]) -> str:
    return f"{key[0]} {key[1] or ''}".strip()


def _untick() -> None:
    st.session_state["manage_confirm"] = False


def _undone_message(key: tuple[str, str | None], now_active: int | None) -> str:
    if now_active is None:
        return f"Undone: {md_escape(_name(key))} is now empty."
    back = state.store().loaded().filter(pl.col("load_id") == now_active)
    if not back.height:  # (another session changed it meanwhile)
        return f"Undone: {md_escape(_name(key))} is back to its previous version."
    row = back.row(0, named=True)
    return (f"Undone: {md_escape(_name(key))} is back to the file {md_escape(row['file_name'])} loaded at "
            f"{row['loaded_at']:%Y-%m-%d %H:%M}.")


def loaded_panel() -> None:
    loaded = state.store_query("store/loaded_months")
    st.subheader("What is loaded")
    done = st.session_state.pop("manage_done", None)
    if done:
        st.success(done)
    if loaded.height == 0:
        st.caption("Nothing yet.")
        return
    view = loaded.select(
        "dataset", "month", "rows_stored", "file_name", "loaded_at", "count_findings",
        (pl.col("count_earlier_versions") + 1).alias("versions"))
    st.dataframe(view, hide_index=True, key="loaded_table", width="stretch", column_config={
        "rows_stored": st.column_config.NumberColumn("Rows", format="%,d"),
        "count_findings": st.column_config.NumberColumn("Warnings", help="Kinds of suspicious rows kept"),
        "versions": st.column_config.NumberColumn("Versions", help="Uploads of this month; undo goes back one"),
        "loaded_at": st.column_config.DatetimeColumn("Loaded", format="YYYY-MM-DD HH:mm"),
        "dataset": st.column_config.TextColumn("Dataset"),
        "month": st.column_config.TextColumn("Month"),
        "file_name": st.column_config.TextColumn("File"),
    })
    keys = [(r["dataset"], r["month"]) for r in loaded.iter_rows(named=True)]
    # The confirmation never outlives what it confirmed: it is unticked after every undo or
    # delete, when the choice changes, and when the chosen month is gone (another session): a
    # click then does nothing, instead of acting on whatever the list shows in its place.
    ss = st.session_state
    own_change = ss.pop("_manage_reset", False)
    if own_change:
        ss["manage_confirm"] = False
    if "manage_choice" in ss and ss["manage_choice"] not in keys:
        if not own_change:
            st.warning(f"{md_escape(_name(ss['manage_choice']))} is no longer loaded (changed in another "
                       "session): nothing was done. Choose again.")
        del ss["manage_choice"]
        ss["manage_confirm"] = False
    elif ss.get("_manage_kept") in keys and "manage_choice" not in ss:
        ss["manage_choice"] = ss["_manage_kept"]  # the same dataset and month after an undo
    c1, c2, c3 = st.columns([3, 1, 1])
    chosen = c1.selectbox("Dataset and month", keys, key="manage_choice", on_change=_untick,
                          format_func=_name)
    ss["_manage_kept"] = chosen
    confirm = c1.checkbox("I understand this changes the figures of that month", key="manage_confirm")
    undo = c2.button("Undo last load", key="undo_btn", disabled=not confirm, icon=":material/undo:")
    delete = c3.button("Delete month", key="delete_btn", disabled=not confirm, icon=":material/delete:")
    if not confirm:  # (a click that arrives after the box was unticked does nothing)
        return
    if undo:
        ss["_manage_reset"] = True
        with user_action(f"undo the last load of {md_escape(_name(chosen))}"):
            now_active = state.store().undo(*chosen, actor=auth_ui.actor())
            ss["manage_done"] = _undone_message(chosen, now_active)
            st.rerun()
    if delete:
        ss["_manage_reset"] = True
        with user_action(f"delete {md_escape(_name(chosen))}"):
            removed = state.store().delete_month(*chosen, actor=auth_ui.actor())
            ss["manage_done"] = (f"Deleted: {md_escape(_name(chosen))}, all its {removed} "
                                 f"version{'s' if removed != 1 else ''} (the archived files stay).")
            st.rerun()
