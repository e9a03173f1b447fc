"""python -m stocklens: load files, list months, print KPIs, write the demo store (kpi-book section 5)."""
from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import re
import sys
from pathlib import Path

from . import audit, datasets, limits, mapping, service
from .errors import ImportRefused, StoreError
from .store import Store

MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _print_report(prep, out=sys.stdout) -> None:
    for note in prep.notes:
        print(f"  {note}", file=out)
    if prep.mapping:
        order = [c.name for c in datasets.get(prep.dataset).columns]
        pairs = ", ".join(f"{prep.mapping[c]} -> {c}" for c in order if c in prep.mapping)
        print(f"  Columns: {pairs}", file=out)
    for f in prep.findings:
        print(f"  warning: {f.message}", file=out)


# The settings options (their dest is the setting's name; carrying_rate scales the four parts).
SETTING_OPTIONS = ("age_bounds", "default_promise_days", "carrying_rate", "carrying_capital", "carrying_storage",
                   "carrying_service", "carrying_risk", "frequent_backorder_months", "backorder_window_months",
                   "excess_months", "service_level", "review_period_days", "default_lead_time_days", "abc_a",
                   "abc_b", "forecast_alpha")


def _reading_store(args) -> Store:
    """The store for a command that only reads (kpis, reorder, months): opened read-only (no write
    lock: several such processes may read at once; results are computed, not stored) when it
    exists and holds this version's facts and definitions, otherwise read-write as for a change,
    which builds them (a new store, or one an older version of stocklens built)."""
    store = Store(args.store, read_only=True)
    if store.db_path.is_file():
        if store.is_current():
            return store
        store.close()
    return Store(args.store)


def cmd_load(args) -> int:
    store = Store(args.store)
    path = Path(args.file)
    if not path.is_file():
        print(f"stocklens: no file {path}", file=sys.stderr)
        return 2
    overrides = None
    if args.map:
        from .readers import read_table

        try:
            headers = read_table(path.read_bytes(), path.name, args.sheet).headers
        except ImportRefused as refused:  # empty or unreadable: refuse as without --map
            print(refused.summary(), file=sys.stderr)
            return 1
        try:
            overrides = mapping.parse_overrides(args.map, headers, args.dataset)
        except ValueError as exc:
            print(f"stocklens: {exc}", file=sys.stderr)
            return 2
    prep, result = service.load_file(store, path, dataset=args.dataset, month=args.month, overrides=overrides,
                             sheet=args.sheet, all_shipped=args.all_shipped, skip_bad_rows=args.skip_bad_rows,
                             lists_every_open_line=args.lists_every_open_line,
                             actor=audit.cli_actor())
    if result is None:
        print(prep.refusal().summary(), file=sys.stderr)
        if prep.headers and any(p.kind == "missing_column" for p in prep.problems):
            print(f"Columns found: {limits.name_list(prep.headers)}", file=sys.stderr)
        if all(p.kind in ("row_error", "month") for p in prep.problems):
            print("The column mapping is remembered for the corrected file.", file=sys.stderr)
        if all(p.kind == "row_error" for p in prep.problems) and not args.skip_bad_rows:
            print(f"To load the file without its {prep.bad_row_count} bad rows, add --skip-bad-rows "
                  "(the rows left out are listed in the load log).", file=sys.stderr)
        return 1
    if result.status == "unchanged":
        print(f"{path.name}: identical to the {result.dataset} already loaded for "
              f"{result.month or 'the store'} (load {result.load_id}); nothing changed.")
        return 0
    what = f"{result.dataset} {result.month}" if result.month else result.dataset
    replaced = f", replacing load {result.replaced_load_id}" if result.replaced_load_id else ""
    print(f"Loaded {path.name} as {what}: {prep.rows_read} rows read, {result.rows_stored} stored "
          f"(load {result.load_id}{replaced}).")
    if prep.proposed_month and args.month and prep.proposed_month != args.month:
        print(f"  note: the file's dates suggest {prep.proposed_month}; loaded as {args.month} as asked.")
    _print_report(prep)
    if result.month and result.dataset in ("orders", "stock"):
        _print_checks(store, result.month)
    return 0


def cmd_months(args) -> int:
    store = _reading_store(args)
    loaded = store.loaded()
    if loaded.height == 0:
        print("The store is empty: load files with `python -m stocklens load`, or write the demo with "
              "`python -m stocklens demo`.")
        return 0
    if args.json:
        print(json.dumps(loaded.drop("findings").to_dicts(), default=str))
        return 0
    print(f"{'month':8}  {'dataset':16} {'rows':>9}  {'warnings':>8}  {'versions':>8}  file")
    for r in loaded.iter_rows(named=True):
        print(f"{r['month'] or '-':8}  {r['dataset']:16} {r['rows_stored']:>9}  {r['count_findings']:>8}  "
              f"{r['count_earlier_versions'] + 1:>8}  {r['file_name']}")
    return 0


def cmd_undo(args) -> int:
    store = Store(args.store)
    try:
        now_active = service.undo(store, args.dataset, args.month, actor=audit.cli_actor())
    except ValueError as exc:
        print(f"stocklens: {exc}", file=sys.stderr)
        return 1
    target = f"{args.dataset} {args.month or ''}".strip()
    print(f"Undone: {target} is back to load {now_active}." if now_active else f"Undone: {target} is now empty.")
    return 0


def cmd_delete(args) -> int:
    store = Store(args.store)
    try:
        n = service.delete_month(store, args.dataset, args.month, actor=audit.cli_actor())
    except ValueError as exc:
        print(f"stocklens: {exc}", file=sys.stderr)
        return 1
    print(f"Deleted {args.dataset} {args.month or ''} ({n} versions); the uploaded files stay archived.")
    return 0


def cmd_demo(args) -> int:
    from . import demo

    store = Store(args.store)
    if not store.is_empty() and not args.force:
        print(f"The store {store.path} already holds data; add --force to add the demo to it anyway.",
              file=sys.stderr)
        return 1
    summary = demo.write_demo_store(store, seed=args.seed, actor=audit.cli_actor())
    print(summary)
    return 0


def _print_checks(store: Store, month: str) -> None:
    """The data checks of the month just loaded: each a query returning offending rows."""
    from . import kpis, settings

    ctx = kpis.Context(month, settings.load(store))
    names = ("stale_open_lines", "skus_not_in_stock", "stock_unknown_cost", "negative_stock")
    for name, rows in zip(names, kpis.run_many(store, [(f"checks/{name}", ctx, {}) for name in names])):
        if rows.height:
            print(f"  check {name.replace('_', ' ')}: {rows.height} rows (see the Data page)")
            if name == "stale_open_lines":
                print("    if this file lists every open order line, load it again with --lists-every-open-line "
                      "to close them as of this month")


def cmd_settings(args) -> int:
    from . import settings as settings_mod

    store = Store(args.store)
    current = settings_mod.load(store)
    raw = {} if args.reset else {name: getattr(args, name) for name in SETTING_OPTIONS}
    new, errors = settings_mod.parse(raw, settings_mod.Settings() if args.reset else current)
    if errors:
        print(f"stocklens: settings not saved: {'; '.join(errors)}", file=sys.stderr)
        return 2
    if new != current:
        service.save_settings(store, new, actor=audit.cli_actor())
        print("Saved.")
    shown = new.to_json()
    shown["carrying_rate"] = new.carrying_rate
    shown["age_buckets"] = new.age_labels
    print(json.dumps(shown, indent=2) if args.json else "\n".join(f"{k:28} {v}" for k, v in shown.items()))
    return 0


def cmd_kpis(args) -> int:
    from . import kpis

    if not MONTH_RE.match(args.month):
        print(f"stocklens: --month {args.month!r} is not a month of the form YYYY-MM (e.g. 2025-03)",
              file=sys.stderr)
        return 2
    store = _reading_store(args)
    result = kpis.kpis_for_month(store, args.month)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:24} {value}")
    return 0


def cmd_reorder(args) -> int:
    """The reorder list of a month (issue 10): what to order now, per supplier."""
    from . import kpis, settings as settings_mod

    if not MONTH_RE.match(args.month):
        print(f"stocklens: --month {args.month!r} is not a month of the form YYYY-MM (e.g. 2025-03)",
              file=sys.stderr)
        return 2
    classes = [c.strip().upper() for c in (args.classes or "").split(",") if c.strip()] or None
    if classes and any(not re.fullmatch(r"[ABC][XYZ]", c) for c in classes):
        print(f"stocklens: --classes takes ABC-XYZ cells separated by commas, e.g. AX,BY (got {args.classes!r})",
              file=sys.stderr)
        return 2
    store = _reading_store(args)
    filters = kpis.Filters(suppliers=(args.supplier,) if args.supplier else ())
    ctx = kpis.Context(args.month, settings_mod.load(store), filters)
    frame = kpis.run(store, "reorder_list", ctx, classes=classes)
    records = [{k: kpis._clean(v) for k, v in r.items()} for r in frame.iter_rows(named=True)]
    if args.json:
        print(json.dumps(records))
    elif not records:
        print(f"Nothing to order at {args.month} (or its orders or stock file is missing).")
    else:
        print(f"{'supplier':16} {'sku':16} {'class':5} {'position':>10} {'reorder pt':>10} {'suggested':>10} {'value':>12}")
        for r in records:
            value = "" if r["suggested_value"] is None else f"{r['suggested_value']:,.2f}"
            print(f"{(r['supplier'] or '-')[:16]:16} {r['sku'][:16]:16} {r['abc_xyz_class'] or '':5} "
                  f"{r['inventory_position']:>10,.1f} {r['reorder_point']:>10,.1f} {r['suggested_qty']:>10,.1f} {value:>12}")
    return 0


def _read_password(args, prompt: str = "Password") -> str:
    """From the first line of standard input (--password-stdin, for scripts), else asked twice on
    the terminal. Never from the command line, where other users of the machine could read it."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise ValueError("no terminal to ask for the password: pass it on standard input with --password-stdin")
    first = getpass.getpass(f"{prompt} for {args.name}: ")
    if first != getpass.getpass("Again: "):
        raise ValueError("the two passwords differ; nothing was changed")
    return first


def cmd_users(args) -> int:
    from . import auth
    from .store import resolve_path

    where = resolve_path(args.store)
    actor = audit.cli_actor()
    if args.action == "list":
        users = auth.list_users(where)
        if args.json:
            print(json.dumps(users))
        elif not users:
            print("No users: the dashboard runs in local single-user mode (no sign-in). Add one with "
                  "`python -m stocklens users add NAME --role admin`.")
        else:
            for u in users:
                print(f"{u['name']:24} {u['role']:8} created {u['created_at']}")
        return 0
    if args.name is None:
        raise ValueError(f"`users {args.action}` needs a user NAME")
    if args.action == "add":
        first = not auth.has_users(where)
        auth.add_user(where, args.name, args.role, _read_password(args), actor=actor)
        print(f"Added {args.name} as {args.role}." + (
            " The dashboard now asks everyone to sign in." if first else ""))
        if first and args.role != "admin":
            print("note: no user is admin yet: nobody can change settings from the dashboard.")
    elif args.action == "passwd":
        auth.set_password(where, args.name, _read_password(args, "New password"), actor=actor)
        print(f"Password of {args.name} changed.")
    elif args.action == "role":
        if args.role is None:
            raise ValueError("`users role NAME --role ROLE`: which role?")
        auth.set_role(where, args.name, args.role, actor=actor)
        print(f"{args.name} is now {args.role}.")
    elif args.action == "remove":
        auth.remove_user(where, args.name, actor=actor)
        print(f"Removed {args.name}." + ("" if auth.has_users(where) else
                                          " No users are left: the dashboard is back in local single-user mode."))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m stocklens", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def with_store(p):
        p.add_argument("--store", help="store folder (default $STOCKLENS_STORE, else data/store)")
        return p

    p = with_store(sub.add_parser("load", help="load one file into the store"))
    p.add_argument("file")
    p.add_argument("--dataset", required=True, choices=list(datasets.DATASETS))
    p.add_argument("--month", help="YYYY-MM the file was exported for (default: from its dates)")
    p.add_argument("--map", action="append", metavar="SOURCE COLUMN=canonical",
                   help="map a file column onto a canonical column (repeatable); 'SOURCE=' unmaps it")
    p.add_argument("--sheet", help="Excel sheet name (default: the first sheet)")
    p.add_argument("--all-shipped", action="store_true",
                   help="every line without shipping information is shipped on its order date "
                        "(invoice or sales-history files)")
    p.add_argument("--skip-bad-rows", action="store_true",
                   help="load the file without the rows that have errors (a file is refused whole by "
                        "default); the rows left out are listed in the report and the load log")
    p.add_argument("--lists-every-open-line", action="store_true",
                   help="orders only: the file lists every order line still open at the month's end, so "
                        "lines open in the store that it does not list are closed (by absence) as of that "
                        "month; undoing or replacing the load reopens them")
    p.set_defaults(func=cmd_load)

    p = with_store(sub.add_parser("months", help="list what is loaded, by month"))
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_months)

    for name, func, text in (("undo", cmd_undo, "undo the last load of a dataset's month"),
                             ("delete", cmd_delete, "delete a dataset's month")):
        p = with_store(sub.add_parser(name, help=text))
        p.add_argument("--dataset", required=True, choices=list(datasets.DATASETS))
        p.add_argument("--month", help="YYYY-MM (not for products)")
        p.set_defaults(func=func)

    p = with_store(sub.add_parser("kpis", help="the KPIs of a month"))
    p.add_argument("--month", required=True)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_kpis)

    p = with_store(sub.add_parser("reorder", help="the reorder list of a month: what to order now, per supplier"))
    p.add_argument("--month", required=True)
    p.add_argument("--supplier", help="only this supplier's SKUs (the product master's supplier)")
    p.add_argument("--classes", help="only these ABC-XYZ cells, e.g. AX,AY,BX")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_reorder)

    p = with_store(sub.add_parser("settings", help="show or change the KPI settings stored with the data"))
    p.add_argument("--age-bounds", help="age bucket upper bounds in days, e.g. 30,60,90,180")
    p.add_argument("--promise-days", dest="default_promise_days",
                   help="due date = promised date, else order date + these days (default 7)")
    p.add_argument("--carrying-rate",
                   help="yearly carrying rate, e.g. 0.25; scales the four parts in proportion")
    p.add_argument("--carrying-capital")
    p.add_argument("--carrying-storage")
    p.add_argument("--carrying-service")
    p.add_argument("--carrying-risk")
    p.add_argument("--frequent-months", dest="frequent_backorder_months",
                   help="frequently backordered: at least this many months (default 3)")
    p.add_argument("--window-months", dest="backorder_window_months",
                   help="...within this many months ending at the month (default 12)")
    p.add_argument("--excess-months", help="excess stock above this many months of demand (default 6)")
    p.add_argument("--service-level", dest="service_level",
                   help="cycle service level for safety stock, e.g. 0.95 (default)")
    p.add_argument("--review-days", dest="review_period_days", help="review period in days (default 30)")
    p.add_argument("--lead-time-days", dest="default_lead_time_days",
                   help="lead time of SKUs with no measured or master lead time (default 30)")
    p.add_argument("--abc-a", dest="abc_a", help="share of 12-month value in class A (default 0.80)")
    p.add_argument("--abc-b", dest="abc_b", help="share of 12-month value in class B (default 0.15)")
    p.add_argument("--forecast-alpha", dest="forecast_alpha",
                   help="smoothing of the exponential forecast, above 0 and at most 1 (default 0.3)")
    p.add_argument("--reset", action="store_true", help="back to the KPI book's defaults")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_settings)

    p = with_store(sub.add_parser("users", help="manage who may sign in to the dashboard, and their roles",
                                  description="Roles: viewer (report pages), analyst (also uploads, undo, "
                                  "delete, the audit log), admin (also settings and users). With no users "
                                  "the dashboard runs in local single-user mode, without sign-in."))
    p.add_argument("action", choices=["add", "list", "passwd", "role", "remove"])
    p.add_argument("name", nargs="?")
    p.add_argument("--role", choices=["viewer", "analyst", "admin"])
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input instead of asking")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_users, role=None)

    p = with_store(sub.add_parser("demo", help="write the demo store"))
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--force", action="store_true")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Users see a one-line reason, never a traceback (STOCKLENS_DEBUG=1 shows it, for a bug report)."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except StoreError as exc:  # busy, not a store, another change being written
        print(f"stocklens: {exc}", file=sys.stderr)
        return 3
    except (ValueError, PermissionError) as exc:  # what the user asked cannot be done as asked
        print(f"stocklens: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("stocklens: interrupted; a change that was not committed left the store as it was.",
              file=sys.stderr)
        return 130
    except Exception as exc:
        if os.environ.get("STOCKLENS_DEBUG"):
            raise
        logging.getLogger("stocklens").debug("unexpected error", exc_info=True)
        print(f"stocklens: unexpected error: {type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}\n"
              "Nothing was changed by a command that failed. Run again with STOCKLENS_DEBUG=1 for the details "
              "to report.", file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main())
