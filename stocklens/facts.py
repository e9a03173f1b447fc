"""Facts materialised at load time: each version's events, each month's line states, SKU flows,
SKU costs and stock, and SKU backorders.

A month's KPIs then read that month's rows only, so history does not slow a month down. Every
change of data (load, undo, delete) recomputes, inside the same transaction, what it affects:
the events of the lines concerned, and the facts of the changed month and every later month
(each month's facts build on the month before: open lines and last known costs carry over).
"""
from __future__ import annotations

import datetime as dt

from . import sql

# Bump when what the facts hold or how they are computed changes: a store whose facts were built
# by another version rebuilds them all when it is opened (Store._connect), and forgets the results
# it stored (11: backorder units rounded in sku_history too; '(no customer)'-style filter values;
# 12: purchase-order facts and receipt events; 13: lines closed by absence, shipment units in
# inventory_cogs_facts; 14: sku_month_demand; 15: sku_recent_demand).
FACTS_VERSION = 15

# Per family of facts: its tables (their rows are keyed by report_month), the queries that build
# one month, and which dataset's months start its span.
_FAMILIES = {
    "orders": {
        "tables": ("line_facts", "sku_month_demand", "sku_recent_demand", "sku_location_flows", "sku_flows"),
        "builders": ("facts/line_facts", "facts/sku_month_demand", "facts/sku_recent_demand",
                     "facts/sku_location_flows", "facts/sku_flows"),
    },
    "stock": {
        "tables": ("stock_costs", "stock_on_hand"),
        "builders": ("facts/stock_costs", "facts/stock_on_hand"),
    },
    # built from both families above: only months with both uploads, changed by either dataset
    "backorders": {
        "tables": ("backorder_facts",),
        "builders": ("facts/backorder_facts",),
        "span": ("orders",),
        "changed_by": ("orders", "stock"),
        "sparse": True,
    },
    # per category, from the families above and the product master (categories, fallback costs)
    "inventory": {
        "tables": ("inventory_stock_facts", "inventory_cogs_facts"),
        "builders": ("facts/inventory_stock_facts", "facts/inventory_cogs_facts"),
        "span": ("orders", "stock"),
        "changed_by": ("orders", "stock", "products"),
    },
    # PO lines as reported at each month and the suppliers' 12-month figures (issue 10), up to the
    # last month of any monthly upload; the supplier figures only for months with a PO upload
    "purchase_orders": {
        "tables": ("po_line_facts", "po_supplier_facts"),
        "builders": ("facts/po_line_facts", "facts/po_supplier_facts"),
        "last": ("orders", "stock", "purchase_orders"),
        "only_with": {"facts/po_supplier_facts": "purchase_orders"},
    },
}
_DELETE_BEFORE_AFTER = {
    "line_facts": "delete from line_facts where report_month < $first or report_month > $last",
    "backorder_facts": "delete from backorder_facts where report_month < $first or report_month > $last",
    "inventory_cogs_facts": "delete from inventory_cogs_facts where report_month < $first or report_month > $last",
    "inventory_stock_facts": "delete from inventory_stock_facts where report_month < $first or report_month > $last",
    "sku_month_demand": "delete from sku_month_demand where report_month < $first or report_month > $last",
    "sku_recent_demand": "delete from sku_recent_demand where report_month < $first or report_month > $last",
    "sku_flows": "delete from sku_flows where report_month < $first or report_month > $last",
    "sku_location_flows": "delete from sku_location_flows where report_month < $first or report_month > $last",
    "stock_costs": "delete from stock_costs where report_month < $first or report_month > $last",
    "stock_on_hand": "delete from stock_on_hand where report_month < $first or report_month > $last",
    "po_line_facts": "delete from po_line_facts where report_month < $first or report_month > $last",
    "po_supplier_facts": "delete from po_supplier_facts where report_month < $first or report_month > $last",
}
_DELETE_FROM = {
    "line_facts": "delete from line_facts where report_month >= $start",
    "backorder_facts": "delete from backorder_facts where report_month >= $start",
    "inventory_cogs_facts": "delete from inventory_cogs_facts where report_month >= $start",
    "inventory_stock_facts": "delete from inventory_stock_facts where report_month >= $start",
    "sku_month_demand": "delete from sku_month_demand where report_month >= $start",
    "sku_recent_demand": "delete from sku_recent_demand where report_month >= $start",
    "sku_flows": "delete from sku_flows where report_month >= $start",
    "sku_location_flows": "delete from sku_location_flows where report_month >= $start",
    "stock_costs": "delete from stock_costs where report_month >= $start",
    "stock_on_hand": "delete from stock_on_hand where report_month >= $start",
    "po_line_facts": "delete from po_line_facts where report_month >= $start",
    "po_supplier_facts": "delete from po_supplier_facts where report_month >= $start",
}
_DELETE_ALL = {
    "line_facts": "delete from line_facts",
    "backorder_facts": "delete from backorder_facts",
    "inventory_cogs_facts": "delete from inventory_cogs_facts",
    "inventory_stock_facts": "delete from inventory_stock_facts",
    "sku_month_demand": "delete from sku_month_demand",
    "sku_recent_demand": "delete from sku_recent_demand",
    "sku_flows": "delete from sku_flows",
    "sku_location_flows": "delete from sku_location_flows",
    "stock_costs": "delete from stock_costs",
    "stock_on_hand": "delete from stock_on_hand",
    "po_line_facts": "delete from po_line_facts",
    "po_supplier_facts": "delete from po_supplier_facts",
}

# The facts slowest to build (line_facts: about 1 s a month at 10M lines), shelved when a load
# replaces the latest month: undoing that load while it is the latest change (results.invalidate)
# brings back the data they were built on, so they are restored instead of built again.
_SHELF = {"line_facts": "shelved_line_events", "sku_recent_demand": "shelved_sku_recent_demand",
          "po_supplier_facts": "shelved_po_supplier_facts"}
# Statements on the shelf tables, from their names (constants): a month's facts copied whole,
# line_facts without its strings (queries/facts/restore_line_facts.sql takes them back from the
# stored lines); each put back by queries/facts/restore_<table>.sql.
_SHELVE = {t: f"insert into {shelf} select * from {t} where report_month = $month"
           for t, shelf in _SHELF.items()} | {
    "line_facts": "insert into shelved_line_events select report_month, line_uid, last_reported_month, open_qty, "
                  "shipped_to_date, shipped_in_month, cancelled_in_month, closed_by_absence, ship_events "
                  "from line_facts where report_month = $month"}
_SHELF_MONTHS = {t: f"select distinct report_month from {shelf}" for t, shelf in _SHELF.items()}
_EMPTY_SHELF = tuple(f"delete from {shelf}" for shelf in _SHELF.values())


def month_range(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _shift(month: str, by: int) -> str:
    y, m = int(month[:4]), int(month[5:7]) + by
    while m < 1:
        y, m = y - 1, m + 12
    while m > 12:
        y, m = y + 1, m - 12
    return f"{y:04d}-{m:02d}"


def month_bounds(month: str) -> dict:
    """The parameters a fact builder may use for `month`, as constants (DuckDB prunes row groups
    on constant bounds, not on bounds computed inside the query)."""
    start = dt.date(int(month[:4]), int(month[5:7]), 1)
    following = _shift(month, 1)
    six = _shift(month, -5)
    year = _shift(month, -11)
    return {"month": month, "previous_month": _shift(month, -1),
            "month_start": start, "previous_end": start - dt.timedelta(days=1),
            "as_of": dt.date(int(following[:4]), int(following[5:7]), 1) - dt.timedelta(days=1),
            "six_months_start": dt.date(int(six[:4]), int(six[5:7]), 1),
            "year_month": year, "year_start": dt.date(int(year[:4]), int(year[5:7]), 1)}


def refresh(cur, changed_month: str | None, dataset: str, *, inserted: bool = False,
            load_id: int | None = None, undone_load_id: int | None = None) -> None:
    """Bring the facts up to date after `dataset`'s `changed_month` was loaded, replaced,
    undone or deleted, inside the caller's transaction. Facts span every month from the first
    month of their dataset to the last month with an orders or stock upload.

    inserted: the month's new versions were just stored with their events (insert_orders), so
    only later months' versions need theirs recomputed; after an undo or delete, the month's
    own (re-activated) versions do too, unless the undo reverses the latest change (their events
    were computed when that change was made, and nothing changed since). load_id (a load) and
    undone_load_id (its undo): see results.invalidate and _SHELF."""
    from .results import invalidate  # (results imports this module)

    # undoing the latest change: the re-activated versions' events are as they were before it
    reverses = invalidate(cur, changed_month, dataset, load_id=load_id, undone_load_id=undone_load_id)
    inserted = inserted or reverses
    if not reverses:
        for text in _EMPTY_SHELF:
            cur.execute(text)
    if dataset in ("products", "none"):
        cur.execute("delete from product_facts")
        cur.execute("insert into product_facts select * from products")
    if dataset == "orders" and changed_month:
        from_month = _shift(changed_month, 1) if inserted else changed_month
        later = cur.execute("select count(*) from uploaded_months where dataset = 'orders' and month >= $m",
                            {"m": from_month}).fetchone()[0]
        if later:
            cur.execute(sql.load("facts/version_increments"), {"month": changed_month, "from_month": from_month})
    if dataset == "purchase_orders" and changed_month:  # the receipt events of later PO versions
        from_month = _shift(changed_month, 1) if inserted else changed_month
        cur.execute(sql.load("facts/po_version_increments"), {"month": changed_month, "from_month": from_month})
    for family, spec in _FAMILIES.items():
        spec = {**spec, "family": family}
        first = cur.execute("select min(month) from uploaded_months where list_contains($d, dataset)",
                            {"d": list(spec.get("span", (family,)))}).fetchone()[0]
        last = cur.execute("select max(month) from uploaded_months where list_contains($d, dataset)",
                           {"d": list(spec.get("last", ("orders", "stock")))}).fetchone()[0]
        changed = changed_month if dataset in spec.get("changed_by", (family,)) else None
        if dataset == "products" and dataset in spec.get("changed_by", ()):
            changed = first  # a new product master changes every month
        _refresh_family(cur, spec, first, last, changed, shelve=load_id is not None, restore=reverses)
    if reverses:
        for text in _EMPTY_SHELF:
            cur.execute(text)


def _refresh_family(cur, spec: dict, first: str | None, last: str | None, changed: str | None,
                    shelve: bool = False, restore: bool = False) -> None:
    """shelve: a load; its family's _SHELF facts are kept when only the latest month is rebuilt.
    restore: the undo of the latest change; those of its months on the shelf are put back."""
    tables = spec["tables"]
    if first is None or last is None:
        for t in tables:
            cur.execute(_DELETE_ALL[t])
        cur.execute("delete from fact_progress where family = $f", {"f": spec["family"]})
        return
    for t in tables:
        cur.execute(_DELETE_BEFORE_AFTER[t], {"first": first, "last": last})
    row = cur.execute("select last_month from fact_progress where family = $f", {"f": spec["family"]}).fetchone()
    have = min(row[0], last) if row else None
    # from the changed month, or from the first month not computed yet (a gap before a new month)
    pending = first if have is None or have < first else _shift(have, 1)
    start = max(first, min(changed, pending) if changed else pending)
    cur.execute("insert or replace into fact_progress values ($f, $last)", {"f": spec["family"], "last": last})
    if start > last:
        return
    shelved = [t for t in _SHELF if f"facts/{t}" in spec["builders"]]
    if shelve and start == last:  # (a past month rebuilds every later month: too much to keep)
        for t in shelved:
            cur.execute(_SHELVE[t], {"month": start})
    on_shelf = {t: {r[0] for r in cur.execute(_SHELF_MONTHS[t]).fetchall()} for t in shelved} if restore else {}
    for t in tables:
        cur.execute(_DELETE_FROM[t], {"start": start})
    needed = None
    if spec.get("sparse"):  # only the months with an upload of every dataset it is built from
        needed = {r[0] for r in cur.execute(
            "select month from uploaded_months where dataset in ('orders', 'stock') group by month "
            "having count(distinct dataset) = 2").fetchall()}
    only_with = spec.get("only_with", {})  # builder -> the dataset whose upload of the month it needs
    uploaded = {(r[0], r[1]) for r in cur.execute(
        "select dataset, month from uploaded_months where list_contains($d, dataset)",
        {"d": list(set(only_with.values()))}).fetchall()} if only_with else set()
    for month in month_range(start, last):
        if needed is not None and month not in needed:
            continue
        for builder in spec["builders"]:
            if builder in only_with and (only_with[builder], month) not in uploaded:
                continue
            table = builder.removeprefix("facts/")
            if month in on_shelf.get(table, ()):
                cur.execute(sql.load(f"facts/restore_{table}"), {"month": month})
                continue
            text = sql.load(builder)
            cur.execute(text, sql.bind(text, month_bounds(month)))


def rebuild_all(cur) -> None:
    """Recreate the fact tables and recompute every version's events and every month's facts,
    inside the caller's transaction."""
    cur.execute(sql.load("facts/line_uids"))
    cur.execute(sql.load("facts/version_increments"), {"month": None, "from_month": "0000-00"})
    cur.execute(sql.load("facts/po_line_uids"))
    cur.execute(sql.load("facts/po_version_increments"), {"month": None, "from_month": "0000-00"})
    cur.execute(sql.load("facts/drop"))
    cur.execute(sql.load("facts/schema"))
    refresh(cur, None, "none")
    cur.execute("insert or replace into meta values ('facts_version', $v)", {"v": FACTS_VERSION})


def ensure_current(cur) -> None:
    """Create the fact tables of a new store; rebuild the facts if this store's were built by
    another version of stocklens."""
    cur.execute(sql.load("facts/schema"))
    row = cur.execute("select value from meta where key = 'facts_version'").fetchone()
    if row is None or row[0] != FACTS_VERSION:
        cur.execute("begin transaction")
        try:
            rebuild_all(cur)
            cur.execute("commit")
        except BaseException:
            cur.execute("rollback")
            raise
