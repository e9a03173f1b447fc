"""The Data page's parts: one uploaded file from preview to confirmed load, and what is loaded.

Everything a file brings (its name, sheets, headers, values, and the importer's messages quoting
them) is shown through components.md_escape; the store is changed only inside
components.user_action."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import polars as pl
import streamlit as st

from .. import audit, datasets, export, importer, kpis, mapping, service
from . import auth as auth_ui
from . import state
from .components import COLUMN_LABELS, grid, md_escape, user_action

CHECKS = [
    ("checks/stale_open_lines", "Open lines no later file listed",
     "Lines still open whose latest version is from an earlier upload: later files did not list them, so "
     "they stay open here. If your ERP exports only open lines, these were probably shipped or closed: load "
     "the latest orders file again with \"This file lists every open order line\" ticked to close them as of "
     "its month."),
    ("checks/skus_not_in_stock", "SKUs ordered but absent from the stock file",
     "Open demand on SKUs with no row in this month's stock file: on hand counts as 0, so they are "
     "backordered in full."),
    ("checks/stock_unknown_cost", "Stock with unknown cost",
     "SKUs on hand with no cost this month, in an earlier stock file or in the product master: left out "
     "of inventory value."),
    ("checks/negative_stock", "Negative stock rows",
     "Rows with negative quantity on hand; a SKU's on hand counts as max(0, sum of its rows)."),
]

# Checks that compare with the month's stock file: without one there is nothing to compare.
STOCK_CHECKS = {"checks/skus_not_in_stock", "checks/stock_unknown_cost", "checks/negative_stock"}


def _example_label(key: str) -> str:
    """A header for the importer's example rows (row, column, value, why, or a dataset column)."""
    return {"row": "Row", "column": "Column", "value": "Value", "why": "Why"}.get(
        key, COLUMN_LABELS.get(key, key.replace("_", " ").capitalize()))


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
        placeholder="",  # an unmapped column is blank, not "None"
        height=grid_height(len(rows)),  # every row at once: no scrolling inside the grid
        column_config={
            "column": st.column_config.TextColumn("Column"),
            "required": st.column_config.TextColumn("Required"),
            "meaning": st.column_config.TextColumn("Meaning"),
            "file column": st.column_config.SelectboxColumn(
                "File column", options=[""] + prep.headers,
                help="The column of your file that holds this. Leave empty when the file has none.")})
    return {r["column"]: r["file column"] for r in edited.iter_rows(named=True) if r["file column"]}


def grid_height(rows: int) -> int:
    """The height in pixels that shows a grid's header and `rows` rows (35 px each) without a
    scroll bar inside it."""
    return 35 * (rows + 1) + 3


def _report(prep: importer.Prepared, file_id: str) -> None:
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
                    frame = pl.DataFrame(f.examples, strict=False)
                    grid(frame, f"examples_{file_id}_{f.kind}", {c: st.column_config.Column(_example_label(c)) for c in frame.columns})
    else:
        st.success("No problems found.")


@dataclass
class Panel:
    """One uploaded file as its panel left it: what the Load button would store."""
    name: str
    data: bytes
    prep: importer.Prepared


def _month_box(col, base: importer.Prepared, key: str) -> str | None:
    """The month the Load button uses, shown in the box: the proposal (from the file's dates, else
    its name) until the user types another month; emptied, the box takes the proposal again."""
    ss = st.session_state
    typed = f"{key}_typed"
    if not ss.get(typed):
        ss[key] = base.proposed_month or ""
    from_name = any("is taken from its name" in n for n in base.notes)
    col.text_input("Month (YYYY-MM)", key=key, on_change=lambda: ss.__setitem__(typed, bool(ss[key].strip())),
                   help="The month-end this file was exported for: proposed from its dates, else from its "
                        "name; type another to change it. The Load button uses the month shown here.")
    value = ss[key].strip()
    if not value:
        col.caption("No month found in the file's dates or name: type it.")
    elif ss.get(typed) and value != base.proposed_month:
        col.caption(f"Typed (proposed: {md_escape(base.proposed_month or 'none')}).")
    elif from_name:
        col.caption("From the file name (the file has no dates).")
    return value or None


def _skipped_rows(prep: importer.Prepared) -> importer.Finding | None:
    return next((f for f in prep.findings if f.kind == "skipped_rows"), None)


def _done_message(result, prep: importer.Prepared) -> tuple[str, str]:
    if result.status == "unchanged":
        return "info", f"Identical to what is loaded for {md_escape(result.month or prep.dataset)}: nothing changed."
    replaced = ", replacing the previous version" if result.replaced_load_id else ""
    text = (f"Loaded {result.rows_stored:,} {prep.dataset} rows for {md_escape(result.month or 'the store')}"
            f"{replaced}.")
    skipped = _skipped_rows(prep)
    if skipped is not None:
        text += f" {md_escape(skipped.message)}"
    return "success", text


def file_panel(index: int, upload, shipped_for_all: bool | None = None) -> Panel:
    """One uploaded file: dataset, month, mapping, preview and report, then confirm.
    `shipped_for_all`: the "every line is shipped" choice made once for several files (None:
    this file's own box)."""
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
        if shipped_for_all is None:
            all_shipped = c3.checkbox(SHIPPED_LABEL, key=f"ship_{file_id}", help=SHIPPED_HELP)
        else:
            all_shipped = shipped_for_all
            if all_shipped:
                c3.caption("Every line is shipped: ticked above for all files.")
    lists_every = False
    if dataset == "orders":
        lists_every = c3.checkbox(LISTS_EVERY_LABEL, key=f"lists_every_{file_id}", help=LISTS_EVERY_HELP)
    base = _prepare_cached(data, upload.name, dataset=dataset, sheet=sheet, all_shipped=all_shipped,
                           lists_every_open_line=lists_every)
    month = None
    if datasets.get(dataset).monthly:
        month = _month_box(c2, base, f"month_{file_id}_{dataset}")
    with st.expander("Column mapping", expanded=base.refused and not base.rows_read == 0):
        st.caption("Known column names are mapped automatically; a mapping you load with is remembered for the "
                   "next file with the same columns.")
        chosen = _mapping_editor(base, f"map_{file_id}_{dataset}_{sheet}")
    args = dict(dataset=dataset, sheet=sheet, all_shipped=all_shipped, month=month, mapping_override=chosen,
                lists_every_open_line=lists_every)
    prep = _prepare_cached(data, upload.name, **args)
    with st.expander("Preview (first rows as read)", expanded=False):
        if prep.preview is not None:
            st.dataframe(prep.preview, hide_index=True, placeholder="")
    _report(prep, file_id)
    label = f"Load as {datasets.get(dataset).label.lower()}" + (f" for {md_escape(prep.month)}" if prep.month else "")
    done_key = f"loaded_{file_id}"
    row = st.container(horizontal=True)
    confirm = row.button(label, key=f"confirm_{file_id}", type="primary", disabled=prep.refused,
                         icon=":material/check:")
    skip = False
    only_rows = prep.refused and all(p.kind == "row_error" for p in prep.problems) and prep.bad_row_count
    if only_rows:
        n = prep.bad_row_count
        skip = row.button(f"Load without the {n:,} bad row{'s' * (n > 1)}", key=f"skip_{file_id}",
                          icon=":material/playlist_remove:",
                          help="Leave out every row with an error (and rows that need them, like the later lines "
                               "of an order whose first line is left out); the load log and the report list them.")
    if confirm or skip:
        with user_action("load the file"), st.spinner("Storing (the month is replaced in one transaction)…"):
            if skip:
                prep = _prepare_cached(data, upload.name, **args, skip_bad_rows=True)
                if prep.refused:
                    raise prep.refusal()
            result = service.commit(state.store(), prep, data, actor=auth_ui.actor())
            if result.status != "unchanged":
                st.session_state["last_loaded"] = (dataset, prep.month)
            st.session_state[done_key] = _done_message(result, prep)
            skipped = _skipped_rows(prep)
            if skipped is not None and skipped.examples:
                st.session_state[f"skipped_{file_id}"] = skipped.examples
            # The sidebar (month list, filters) ran before this page: rerun so that it, and every
            # figure, shows the new data at once; the message is shown after the rerun.
            st.rerun()
    if done_key in st.session_state:
        kind, text = st.session_state.pop(done_key)
        getattr(st, kind)(text)
        examples = st.session_state.pop(f"skipped_{file_id}", None)
        if examples:
            st.caption("The rows left out (row number in the file, the column and value that failed, and why):")
            grid(pl.DataFrame(examples, strict=False).sort("row"), f"skipped_table_{file_id}",
                 {k: st.column_config.Column(_example_label(k)) for k in ("row", "column", "value", "why")})
    return Panel(upload.name, data, prep)


LISTS_EVERY_LABEL = "This file lists every open order line"
LISTS_EVERY_HELP = ("Tick it for exports of all open lines (not of a date range): order lines still open in "
                    "the store that this file does not list are then closed as of its month (shown in the "
                    "backlog bridge as 'Closed by absence'). Undoing or replacing this load reopens them. Leave "
                    "it unticked for a date-range export (Shopify's, for example), which leaves older open "
                    "lines out without their being closed.")
SHIPPED_LABEL = "Every line is shipped (invoice or sales-history file)"
SHIPPED_HELP = "Lines without shipping information count as shipped on their order date."


def shipped_for_all_box(container) -> bool:
    """Several files: the "every line is shipped" choice once, for every orders file."""
    return container.checkbox("Every line is shipped, in every orders file (invoice or sales-history files)",
                              key="ship_all", help=SHIPPED_HELP + " Applies to each orders file below.")


def load_all(container, panels: list[Panel]) -> None:
    """One button for several files: loads every file that is not refused, says which were
    refused and why."""
    ss = st.session_state
    ready = [p for p in panels if not p.prep.refused]
    refused = [p for p in panels if p.prep.refused]
    done = ss.pop("load_all_done", None)
    if done:  # a warning when some file was refused: not everything dropped was loaded
        getattr(container, done[0])(done[1])
    label = f"Load all ({len(ready)} of {len(panels)} files)" if refused else f"Load all {len(panels)} files"
    if not container.button(label, key="load_all", type="primary", disabled=not ready, icon=":material/done_all:",
                            help="Loads each file that can be loaded, as its panel below shows it (dataset, "
                                 "month, mapping); a refused file is left out and named."):
        if refused:
            container.caption("Not loadable as they are: " + ", ".join(md_escape(p.name) for p in refused)
                              + " (see their reports below).")
        return
    lines, failed = [], False
    with st.spinner("Storing the files…"):
        for p in ready:
            with user_action(f"load {md_escape(p.name)}"):
                result = service.commit(state.store(), p.prep, data=p.data, actor=auth_ui.actor())
                _, text = _done_message(result, p.prep)
                lines.append(f"- {md_escape(p.name)}: {text}")
                if result.status != "unchanged" and p.prep.month:
                    ss["last_loaded"] = (p.prep.dataset, p.prep.month)
                continue
            failed = True  # (user_action has shown why)
    for p in refused:
        reasons = "; ".join(md_escape(x.message) for x in p.prep.problems[:3])
        lines.append(f"- {md_escape(p.name)}: refused, not loaded. {reasons}")
    summary = "**Load all:**\n\n" + "\n".join(lines)
    if failed:
        container.warning(summary)
        return
    ss["load_all_done"] = ("warning" if refused else "success", summary)
    st.rerun()


def checks_panel(month: str) -> None:
    """The data checks of a month: each a query returning the offending rows."""
    ctx = kpis.Context(month, state.current_settings())
    st.markdown(f"**Data checks for {month}**")
    files = state.report_months().filter(pl.col("month") == month)
    has_stock = bool(files.height and files["has_stock"][0])
    for query, title, why in CHECKS:
        if query in STOCK_CHECKS and not has_stock:  # "none" would read as "all is well"
            st.caption(f"– {title}: no stock file for {month}, not checked.")
            continue
        rows = state.run(query, ctx)
        if rows.height:
            with st.expander(f"⚠ {title}: {rows.height:,}"):
                st.caption(why)
                grid(rows.head(500), f"check_{query}")
                if query == "checks/stale_open_lines":
                    _close_unlisted(month, rows.height)
        else:
            st.caption(f"✓ {title}: none")
    done = st.session_state.pop("closed_unlisted", None)
    if done:
        st.success(done)


def _close_unlisted(month: str, count: int) -> None:
    """The bulk action of the stale-lines check: the month's orders file lists every open line."""
    sure = st.checkbox(f"The orders file of {month} lists every order line still open at its month end",
                       key=f"close_unlisted_ok_{month}")
    if st.button(f"Close these {count:,} lines as of {month}", key=f"close_unlisted_{month}",
                 disabled=not sure, icon=":material/done_all:",
                 help="Loads the month's orders file again, marked 'This file lists every open order line': "
                      "lines open in the store that it does not list are closed by absence as of the month "
                      "end (the bridge shows them as their own step). Undo the load to bring them back."):
        with user_action(f"close the lines no file of {month} lists"):
            service.close_unlisted_lines(state.store(), month, actor=auth_ui.actor())
            st.session_state["closed_unlisted"] = (
                f"Closed by absence as of {month}: {count:,} lines no later file listed. The orders file of "
                f"{month} is loaded again, marked as listing every open line (undo that load to reopen them).")
            st.session_state.pop(f"close_unlisted_ok_{month}", None)
            st.rerun()


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
    st.dataframe(view, hide_index=True, key="loaded_table", width="stretch", placeholder="", column_config={
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
            now_active = service.undo(state.store(), *chosen, actor=auth_ui.actor())
            ss["manage_done"] = _undone_message(chosen, now_active)
            st.rerun()
    if delete:
        ss["_manage_reset"] = True
        with user_action(f"delete {md_escape(_name(chosen))}"):
            removed = service.delete_month(state.store(), *chosen, actor=auth_ui.actor())
            ss["manage_done"] = (f"Deleted: {md_escape(_name(chosen))}, all its {removed} "
                                 f"version{'s' if removed != 1 else ''} (the archived files stay).")
            st.rerun()


# --- the demo -------------------------------------------------------------------------------

def demo_file_name(dataset: str, month: str | None) -> str:
    """The name of the demo's file of a dataset and month (demo.write_demo_files)."""
    return f"{dataset}_{month}.csv" if month else f"{dataset}.csv"


def holds_only_the_demo(loaded: pl.DataFrame, store_dir) -> bool:
    """True when every active load is one of the demo's files (its own name for its dataset and
    month) and the audit log says the demo was written: a user's own file named like a demo
    file is not taken for the demo, and once any other file is loaded the demo is not offered
    for removal (delete its months one by one instead)."""
    if loaded.height == 0:
        return False
    if any(r["file_name"] != demo_file_name(r["dataset"], r["month"]) for r in loaded.iter_rows(named=True)):
        return False
    return any(e.get("action") == "demo" for e in audit.read(store_dir, limit=1_000_000))


def remove_demo_panel() -> None:
    """A "Remove the demo" button while the store holds only the demo's loads (analysts and
    admins: the Data page's roles); a confirmation box like the delete's, unticked after use."""
    loaded = state.store_query("store/loaded_months")
    if not auth_ui.current_user().can("load") or not holds_only_the_demo(loaded, state.store().path):
        return
    months = sorted(m for m in loaded["month"].to_list() if m)
    st.subheader("The demo data")
    st.caption(f"The store holds only the demo ({months[0]} to {months[-1]}, {loaded.height} loads). Remove it "
               "before loading your own files, so that its months do not mix with yours.")
    if st.session_state.pop("demo_confirm_reset", False):
        st.session_state["demo_confirm"] = False
    c1, c2 = st.columns([3, 1])
    confirm = c1.checkbox("I understand this deletes every month of the demo", key="demo_confirm")
    if c2.button("Remove the demo", key="remove_demo", disabled=not confirm, icon=":material/delete_sweep:") \
            and confirm:
        with user_action("remove the demo"), st.spinner("Deleting the demo's months…"):
            # the store's deletions, without the service's refresh: the store ends empty, no
            # figures to compute on the way; newest month first: each deletion then rebuilds the
            # facts of no later month
            for r in loaded.sort("month", descending=True, nulls_last=True).iter_rows(named=True):
                state.store().delete_month(r["dataset"], r["month"], actor=auth_ui.actor())
            st.session_state.pop("last_loaded", None)
            st.session_state["manage_done"] = f"The demo is removed: {loaded.height} loads deleted."
            _untick_demo_next()
            st.rerun()


def _untick_demo_next() -> None:
    st.session_state["demo_confirm_reset"] = True
