"""Streamlit glue: the store, cached query results, the month and the global filters.

The only module besides the page scripts that imports Streamlit. Query results are cached by
(store, data version, query, parameters): any upload, undo, delete or settings change bumps the
data version, so no page ever shows a stale figure, and a page never recomputes what it has.
"""
from __future__ import annotations

import functools
import json
import runpy
from pathlib import Path

import polars as pl
import streamlit as st

from .. import kpis
from .. import settings as settings_mod
from ..settings import Settings
from ..store import Store, resolve_path

FILTER_KINDS = {"category": "categories", "supplier": "suppliers", "location": "locations",
                "customer": "customers"}
URL_KEYS = {"month": "month", "compare": "cmp", "category": "cat", "supplier": "sup", "location": "loc",
            "customer": "cust"}


@st.cache_resource(show_spinner=False)
def _store(path: str) -> Store:
    return Store(path)


def store() -> Store:
    """The process's one Store for the configured path (cursors are taken per query)."""
    return _store(str(resolve_path()))


def data_version() -> int:
    return store().data_version()


def _ctx_json(ctx: kpis.Context) -> str:
    return json.dumps({"month": ctx.month, "settings": ctx.settings.to_json(),
                       "filters": {k: list(v) for k, v in ctx.filters.__dict__.items()}}, sort_keys=True)


def _ctx(ctx_json: str) -> kpis.Context:
    ctx_d = json.loads(ctx_json)
    return kpis.Context(ctx_d["month"], Settings.from_json(ctx_d["settings"]),
                        kpis.Filters(**{k: tuple(v) for k, v in ctx_d["filters"].items()}))


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_run(path: str, version: int, query: str, ctx_json: str, extra_json: str) -> pl.DataFrame:
    return kpis.run(_store(path), query, _ctx(ctx_json), **json.loads(extra_json))


def run(query: str, ctx: kpis.Context, **extra) -> pl.DataFrame:
    """A KPI query's result for this context, from the cache when the data has not changed."""
    return _cached_run(str(resolve_path()), data_version(), query, _ctx_json(ctx), json.dumps(extra, sort_keys=True))


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_prefetch(path: str, version: int, page: str, ctx_json: str, compare: str | None) -> bool:
    kpis.prefetch(_store(path), page, _ctx(ctx_json), compare)
    return True


def prefetch(page: str, ctx: kpis.Context, compare: str | None = None) -> None:
    """Compute the results the page reads two at a time (kpis.prefetch), once per data version
    and view; its state.run calls then read them. compare: the comparison month, if the page
    has one."""
    _cached_prefetch(str(resolve_path()), data_version(), page, _ctx_json(ctx), compare)


def trend(ctx: kpis.Context, months: list[str], queries: list[str]) -> pl.DataFrame:
    """Month-grain results side by side on report_month, oldest first. Each query's months come
    from its stored month figures (a join here, not one big query, keeps that caching)."""
    frames = [run(q, ctx, months=months) for q in queries]
    return functools.reduce(lambda a, b: a.join(b, on="report_month", how="left"), frames).sort("report_month")


@st.cache_data(show_spinner=False, max_entries=64)
def _cached_store_query(path: str, version: int, name: str) -> pl.DataFrame:
    return _store(path).run(name)


def store_query(name: str) -> pl.DataFrame:
    return _cached_store_query(str(resolve_path()), data_version(), name)


def current_settings() -> Settings:
    return _cached_settings(str(resolve_path()), data_version())


@st.cache_data(show_spinner=False, max_entries=16)
def _cached_settings(path: str, version: int) -> Settings:
    return settings_mod.load(_store(path))


# --- month and filters ---------------------------------------------------------------------

def report_months() -> pl.DataFrame:
    return store_query("store/report_months")


def default_month(months: pl.DataFrame) -> str:
    """The month a session opens on: the latest with an orders file (a later month with only a
    stock file would show no backlog), else the latest."""
    with_orders = months.filter(pl.col("has_orders"))["month"]
    return (with_orders if with_orders.len() else months["month"]).max()


def loaded_datasets(month: str | None) -> list[str]:
    """The datasets loaded for a month (None: the month-less product master)."""
    loaded = store_query("store/loaded_months")
    if month is None:
        return sorted(set(loaded.filter(pl.col("month").is_null())["dataset"].to_list()))
    return sorted(set(loaded.filter(pl.col("month") == month)["dataset"].to_list()))


def _init_from_url() -> None:
    """On a session's first run, take the month and filters from the URL (a shared link)."""
    if st.session_state.get("_url_loaded"):
        return
    qp = st.query_params
    if "month" in qp:
        st.session_state["month"] = qp["month"]
    if "cmp" in qp:
        st.session_state["compare"] = "Same month last year" if qp["cmp"] == "year" else "Previous month"
    for kind, key in URL_KEYS.items():
        if kind in FILTER_KINDS and key in qp:
            st.session_state[f"filter_{kind}"] = [v for v in qp.get_all(key) if v]
    st.session_state["_url_loaded"] = True


def _write_url() -> None:
    """Keep the month, comparison and filters in the URL, so a link reproduces the view."""
    wanted: dict[str, list[str]] = {}
    if st.session_state.get("month"):
        wanted["month"] = [st.session_state["month"]]
    if st.session_state.get("compare") == "Same month last year":
        wanted["cmp"] = ["year"]
    for kind in FILTER_KINDS:
        values = list(st.session_state.get(f"filter_{kind}") or [])
        if values:
            wanted[URL_KEYS[kind]] = values
    current = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    if current != wanted:
        st.query_params.from_dict(wanted)


def sidebar() -> None:
    """The month picker, the comparison and the global filters, shared by every page."""
    _init_from_url()
    months = report_months()
    options = months["month"].to_list()[::-1]  # latest first
    with st.sidebar:
        st.markdown("### stocklens")
        if not options:
            st.caption("No data loaded yet.")
            st.session_state.pop("month", None)
            return
        wanted = st.session_state.get("month")
        if wanted not in options:
            fallback = default_month(months)
            if wanted:  # a link's month with no orders or stock file (e.g. only purchase orders): say so
                only = loaded_datasets(wanted)
                what = f"only {', '.join(d.replace('_', ' ') for d in only)}" if only else "nothing"
                from .components import md_escape  # (the month comes from the link: text to show as text)

                st.warning(f"{md_escape(wanted)} has no orders or stock file ({what} loaded for it): showing "
                           f"{fallback}.")
            st.session_state["month"] = fallback
        st.selectbox("Month", options, key="month", help="KPIs as reported at the end of this month "
                     "(only uploads of this month and earlier are used).")
        st.radio("Compare with", ["Previous month", "Same month last year"], key="compare", horizontal=False)
        opts = store_query("store/filter_options")
        st.markdown("**Filters**")
        for kind in FILTER_KINDS:
            values = opts.filter(pl.col("kind") == kind)["value"].to_list()
            key = f"filter_{kind}"
            if key in st.session_state:  # drop values the data no longer has (after a delete)
                st.session_state[key] = [v for v in st.session_state[key] if v in values]
            if values:
                st.multiselect(kind.capitalize(), values, key=key, placeholder=f"All {kind}s" if kind != "category"
                               else "All categories")
        if not loaded_datasets(None):
            st.caption("No product master loaded: no category or supplier filters.")
        elif not opts.filter(pl.col("kind").is_in(["category", "supplier"])
                             & ~pl.col("value").is_in(["(no category)", "(no supplier)"])).height:
            st.caption("The product master has no category or supplier column: no category or supplier filters.")
        from .components import md_escape

        st.caption(f"Store: {md_escape(store().path)}")
    _write_url()


def month() -> str | None:
    return st.session_state.get("month")


def compare_month(m: str) -> str:
    if st.session_state.get("compare") == "Same month last year":
        return kpis.previous_month(m, years=1)
    return kpis.previous_month(m)


def filters() -> kpis.Filters:
    return kpis.Filters(**{plural: tuple(st.session_state.get(f"filter_{kind}") or ())
                           for kind, plural in FILTER_KINDS.items()})


def context(m: str | None = None) -> kpis.Context:
    return kpis.Context(m or month(), current_settings(), filters())


def page_setup() -> None:
    """Called first by every page script. Because a pages/ folder sits next to app.py, Streamlit
    serves a server's first request in its old "pages/ directory" mode (until some run has called
    st.navigation), which runs the page script alone: a shared link opened right after a restart
    would show the page without app.py's sign-in, navigation and sidebar. There is no setting to
    turn that mode off, so: switch it off, run app.py in this page's place (its st.navigation runs
    this page again, with the sidebar), and end this outer run.

    Not st.rerun(): a rerun drops the run's widget events, and AppTest turns the mode back on before
    every run, so no button of a page could be clicked in an AppTest."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        runpy.run_path(str(Path(__file__).resolve().parents[2] / "app.py"), run_name="__main__")
        st.stop()


def page_start(title: str) -> tuple[str, kpis.Context]:
    """A report page's opening: its title, then the month and context, or the empty-store offer
    (demo or upload) and nothing else when no month is loaded."""
    page_setup()
    st.title(title)
    m = month()
    if m is None:
        from .components import no_data

        no_data()
        st.stop()
    return m, context(m)
