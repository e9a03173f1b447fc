"""Changes to the store, each followed by the refresh of the figures it changed: what the Data
and Settings pages, the CLI and the demo call. The store only changes data and forgets the stored
results a change makes stale (stocklens.results.invalidate); it never calls the KPI layer.

The refresh computes the standard view's month figures of the changed months among the latest
ones (kpis.fill_month_figures), so that the first view of a month reads stored figures. It runs
after the change is committed and its write lock released: another session's change may start
meanwhile; figures computed on data it replaced are then not stored (Store._cache_write) and are
computed at their first view instead.
"""
from __future__ import annotations

from . import kpis, settings as settings_mod, store as store_mod


def refresh(store, dataset: str, month: str | None) -> None:
    """The standard view's figures of the months a change of `dataset`'s `month` made stale
    (results.invalidate): from the month before for orders (its fill rate), from the month for
    stock and purchase orders, every month for a product master or settings."""
    since = None if dataset in ("products", "settings") or month is None else \
        kpis.previous_month(month) if dataset == "orders" else month
    kpis.fill_month_figures(store, since)


def _refreshed(store, result):
    if result is not None and result.status == "loaded":
        refresh(store, result.dataset, result.month)
    return result


def load_file(store, path, **kwargs):
    """Prepare and store one file from disk (store.load_file), then refresh its figures."""
    prep, result = store_mod.load_file(store, path, **kwargs)
    return prep, _refreshed(store, result)


def commit(store, prep, data: bytes, **kwargs):
    """Store a prepared upload (Store.commit), then refresh its figures."""
    return _refreshed(store, store.commit(prep, data, **kwargs))


def close_unlisted_lines(store, month: str, **kwargs):
    """The stale-lines check's bulk action (store.close_unlisted_lines), then refresh."""
    return _refreshed(store, store_mod.close_unlisted_lines(store, month, **kwargs))


def undo(store, dataset: str, month: str | None, **kwargs) -> int | None:
    now_active = store.undo(dataset, month, **kwargs)
    refresh(store, dataset, month)
    return now_active


def delete_month(store, dataset: str, month: str | None, **kwargs) -> int:
    removed = store.delete_month(dataset, month, **kwargs)
    refresh(store, dataset, month)
    return removed


def save_settings(store, new: settings_mod.Settings, *, actor: str = "local") -> None:
    """Store new settings (settings.save), then compute the standard view's figures with them, so
    that the first view after a settings change reads stored figures instead of computing 13
    months (seconds at 10 million lines)."""
    settings_mod.save(store, new, actor=actor)
    refresh(store, "settings", None)
