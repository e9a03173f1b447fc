"""A page's results computed ahead, two at a time (kpis.prefetch, what each page calls first):
afterwards every query the page runs finds its result stored, equal to computing it alone; the
results written from two threads at once are all kept."""
from __future__ import annotations

import pytest

from stocklens import kpis, registry, results, settings
from stocklens.store import Store


def _stored_keys(store) -> set[tuple[str, str, str]]:
    return set(store.query("select query, params_key, report_month from stored_results").iter_rows())


@pytest.mark.parametrize("page", sorted(registry.PAGES))
def test_after_the_prefetch_the_page_computes_nothing(demo_store_copy, page):
    store = Store(demo_store_copy)
    month = store.months()[-1]
    category = store.query("select min(category) from product_facts").item()
    # a filtered view: nothing of it is stored before
    ctx = kpis.Context(month, settings.load(store), kpis.Filters(categories=(category,)))
    before = _stored_keys(store)
    kpis.prefetch(store, page, ctx)
    prefetched = _stored_keys(store)
    assert prefetched > before
    for query, extra in registry.page_queries(page, ctx):
        if query in registry.AFTER_OTHER_RESULTS:
            continue
        stored = kpis.run(store, query, ctx, **extra)
        assert stored.equals(kpis.run(store, query, ctx, cached=False, **extra)), query
    assert _stored_keys(store) == prefetched  # the page's reads found every result stored


def test_the_prefetch_takes_the_comparison_month(demo_store_copy):
    """The Overview compares with the month a user chose (a year before, say): that month's
    forecast accuracy is the one computed ahead."""
    store = Store(demo_store_copy)
    month = store.months()[-1]
    year_before = kpis.previous_month(month, years=1)
    ctx = kpis.Context(month, settings.load(store), kpis.Filters(categories=("no such category",)))
    kpis.prefetch(store, "overview", ctx, year_before)
    keys = _stored_keys(store)
    kpis.run(store, "forecast_accuracy", kpis.Context(year_before, ctx.settings, ctx.filters))
    kpis.run(store, "backlog_changes", ctx, compare_month=year_before)
    assert _stored_keys(store) == keys


def test_month_figures_computed_two_at_a_time_are_all_kept(demo_store_copy):
    store = Store(demo_store_copy)
    store.clear_month_figures()
    assert not {q for q, _, _ in _stored_keys(store)} & set(results.MONTH_GRAIN + results.MONTH_AGGREGATES)
    kpis.fill_month_figures(store, None)
    last = max(store.months("orders") + store.months("stock"))
    latest_two = kpis.window(last, results.EAGER_AGGREGATE_MONTHS)
    first = min(store.months("orders") + store.months("stock"))
    trend = [m for m in kpis.window(last, results.EAGER_MONTHS) if m >= first]
    stored = {(q, m) for q, _, m in _stored_keys(store)}
    assert {(q, m) for q in results.MONTH_GRAIN for m in trend} <= stored
    assert {(q, m) for q in results.MONTH_AGGREGATES for m in latest_two} <= stored
