"""The embedded DuckDB store: one database file plus an archive of every accepted upload.

One database object per process; each call takes its own cursor (DuckDB 2.0 forbids sharing a
connection between threads). Replacing a month is one transaction: readers see the old month or
the new one, never half, and a crash (even kill -9) leaves the last committed state.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath

import duckdb
import polars as pl

from . import audit, facts, results, sql
from .errors import StoreBusy, StoreUnavailable, WriteInProgress
from .importer import Prepared

log = logging.getLogger("stocklens")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STORE = PROJECT_ROOT / "data" / "store"
DB_FILE = "stocklens.duckdb"



def _layers() -> list[str]:
    """The layers' definitions, bottom up, that every read-write open runs."""
    return ["store/schema", *sql.layer("base"), "facts/schema", *sql.layer("intermediate")]


def _layers_hash() -> int:
    """A fingerprint of the layers' text (meta.layers_hash: what a read-write open last defined)."""
    text = "\n".join(sql.load(name) for name in _layers())
    return int(hashlib.sha256(text.encode()).hexdigest()[:15], 16)


_DELETE_ROWS = {
    "orders": "delete from order_lines where list_contains($ids, load_id)",
    "stock": "delete from stock_rows where list_contains($ids, load_id)",
    "products": "delete from product_rows where list_contains($ids, load_id)",
    "purchase_orders": "delete from po_lines where list_contains($ids, load_id)",
}


def resolve_path(path: str | os.PathLike | None = None) -> Path:
    """--store, else $STOCKLENS_STORE, else data/store in the project."""
    chosen = path or os.environ.get("STOCKLENS_STORE") or DEFAULT_STORE
    return Path(chosen).expanduser().resolve()


@dataclass
class LoadResult:
    status: str  # loaded | unchanged
    load_id: int
    dataset: str
    month: str | None
    rows_stored: int
    replaced_load_id: int | None = None


class Store:
    def __init__(self, path: str | os.PathLike | None = None, *, read_only: bool = False):
        self.path = resolve_path(path)
        self.db_path = self.path / DB_FILE
        self.archive_dir = self.path / "archive"
        self.read_only = read_only
        self._db: duckdb.DuckDBPyConnection | None = None
        self._open_lock = threading.Lock()
        # One writer at a time in this process (DuckDB lets only one process write, and two
        # sessions of the dashboard writing at once collide with "Conflict on update"): loads,
        # undo, delete and settings take it, waiting their turn; cache writes skip when it is held.
        self._write_lock = threading.RLock()
        self._writer: tuple[str, str, float] | None = None  # (who, what, since) while held
        self.write_wait = float(os.environ.get("STOCKLENS_WRITE_WAIT", "300"))
        self._results_lock = threading.Lock()  # one stored-result write at a time (_cache_write)

    # --- connection ------------------------------------------------------------------------

    def _connect(self) -> duckdb.DuckDBPyConnection:
        with self._open_lock:
            if self._db is None:
                self._check_path()
                # max_vacuum_tasks 0: a checkpoint does not merge row groups left partly deleted.
                # Replacing or undoing a month deletes that month's facts, and the merge rewrote
                # (and recompressed) their neighbours at the commit's checkpoint, or at the next
                # one: 0.6-0.9 s of a 5 s load at 10M lines. Row groups deleted whole are still
                # freed; the partly deleted ones keep their deleted rows (measured: +2 blocks of
                # 256 KB per replace-and-undo of a 280,000-line month, page reads unchanged).
                config = {"memory_limit": os.environ.get("STOCKLENS_MEMORY_LIMIT", "1GB"),
                          "max_vacuum_tasks": 0}
                try:
                    db = duckdb.connect(str(self.db_path), read_only=self.read_only, config=config)
                except duckdb.Error as exc:
                    text = str(exc)
                    if isinstance(exc, duckdb.IOException) and "lock" in text.lower() and self.read_only:
                        raise StoreBusy(
                            f"The store {self.path} is open for writing in another stocklens process "
                            "(usually the running dashboard), and DuckDB lets no other process open it "
                            "meanwhile, not even to read. Read the figures on the dashboard (its pages "
                            "export them), or stop it and run this again. Nothing was changed.") from None
                    if isinstance(exc, duckdb.IOException) and "lock" in text.lower():
                        raise StoreBusy(
                            f"The store {self.path} is open in another stocklens process (usually the "
                            "running dashboard), and only one process may write to it. Load the file "
                            "from the dashboard's Data page, or stop the dashboard and run this again. "
                            "Nothing was changed."
                        ) from None
                    raise StoreUnavailable(
                        f"{self.db_path} cannot be opened as a stocklens store "
                        f"({text.splitlines()[0][:200]}). Point --store or STOCKLENS_STORE at a store "
                        "folder (a new folder makes a new store). Nothing was changed.") from None
                if not self.read_only:
                    # The layers, bottom up (README "Architecture"): stored uploads; base formulas,
                    # active loads and calendar; the fact tables built at load time; the
                    # intermediate macros over them that the KPI queries read. Views and macros
                    # come from this code, never from an old file (a read-only open uses the
                    # file's: only when they are this code's, see is_current).
                    for name in _layers():
                        db.execute(sql.load(name))
                    facts.ensure_current(db)
                    db.execute("insert or replace into meta values ('layers_hash', $h)", {"h": _layers_hash()})
                self._db = db
        return self._db

    def _check_path(self) -> None:
        """A store is a folder holding stocklens.duckdb: say so plainly when the path is not one."""
        if self.path.exists() and not self.path.is_dir():
            raise StoreUnavailable(
                f"The store path {self.path} is a file, not a folder. A store is a folder (it holds "
                f"{DB_FILE} and the archive of uploads): point --store or STOCKLENS_STORE at a folder.")
        if self.read_only:
            if not self.db_path.is_file():
                raise StoreUnavailable(f"There is no stocklens store in {self.path} (no {DB_FILE}).")
            return
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(f"The store folder {self.path} cannot be created: {exc.strerror}.") from None
        if self.db_path.exists() and not self.db_path.is_file():
            raise StoreUnavailable(f"{self.db_path} is not a file: this folder is not a stocklens store.")
        if not os.access(self.path, os.W_OK):
            raise StoreUnavailable(f"The store folder {self.path} is not writable by this user.")

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of the process's one database object: use one per call or thread."""
        return self._connect().cursor()

    def close(self) -> None:
        with self._open_lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def query(self, sql_text: str, params: dict | None = None) -> pl.DataFrame:
        cur = self.cursor()
        try:
            return cur.sql(sql_text, params=params or {}).pl()
        finally:
            cur.close()

    def row(self, sql_text: str, params: dict | None = None) -> tuple | None:
        """The first row of a small query, as a tuple (no Arrow: a command that only changes data
        does not load it)."""
        cur = self.cursor()
        try:
            return cur.execute(sql_text, params or {}).fetchone()
        finally:
            cur.close()

    def run(self, name: str, params: dict | None = None) -> pl.DataFrame:
        """Run the named query of queries/ with $named parameters."""
        return self.query(sql.load(name), params)

    # --- reading -----------------------------------------------------------------------------

    def is_current(self) -> bool:
        """Whether the store's views, macros and facts are this code's (a read-write open made
        them so): then a read-only open reads the figures this code computes."""
        have = dict(self.query("select key, value from meta where key in ('facts_version', 'layers_hash')").rows())
        return have == {"facts_version": facts.FACTS_VERSION, "layers_hash": _layers_hash()}

    def data_version(self) -> int:
        return int(self.row("select value from meta where key = 'data_version'")[0])

    def is_empty(self) -> bool:
        return self.query("select count(*) from loads where state = 'active'").item() == 0

    def loaded(self) -> pl.DataFrame:
        return self.run("store/loaded_months")

    def months(self, dataset: str = "orders") -> list[str]:
        frame = self.query(
            "select distinct month from loads where state = 'active' and dataset = $dataset "
            "and month is not null order by month", {"dataset": dataset})
        return frame.get_column("month").to_list()

    def history(self, dataset: str, month: str | None) -> pl.DataFrame:
        return self.query(
            "select load_id, file_name, rows_stored, loaded_at, state from loads "
            "where dataset = $dataset and month is not distinct from $month order by load_id desc",
            {"dataset": dataset, "month": month})

    def known_skus(self, dataset: str) -> set[str]:
        return set(self.run("store/known_skus", {"dataset": dataset}).get_column("sku").to_list())

    def remembered_mapping(self, layout: str) -> dict[str, str] | None:
        """The mapping last used for this layout: of a loaded file, or of a refused one when that
        came later (see remember_refused)."""
        frame = self.query(
            "select mapping from (select mapping, saved_at from mappings where layout = $layout union all "
            "select mapping, saved_at from refused_mappings where layout = $layout) "
            "order by saved_at desc limit 1", {"layout": layout})
        return json.loads(frame.item()) if frame.height else None

    def learned_dataset(self, header_hash: str) -> str | None:
        """The dataset a file with these headers (mapping.header_hash) was last loaded as, or
        chosen for when it was refused: the user's choice beats the guess from the columns."""
        frame = self.query(
            "select dataset from (select layout, dataset, saved_at, 1 as loaded from mappings union all "
            "select layout, dataset, saved_at, 0 from refused_mappings) "
            "where split_part(layout, ':', 2) = $hash order by saved_at desc, loaded desc limit 1",
            {"hash": header_hash})
        return frame.item() if frame.height else None

    def remember_refused(self, prep: Prepared) -> bool:
        """Remember the mapping of a file refused for row errors or its month, for the next file
        of its layout. Data and the mappings of loaded files are not touched. Skipped (False) on
        a read-only store or while a change is being written: it is a convenience, never a wait."""
        if self.read_only or not self._write_lock.acquire(blocking=False):
            return False
        try:
            cur = self.cursor()
            try:
                cur.execute(
                    "insert or replace into refused_mappings values ($layout, $dataset, $mapping, $file, now())",
                    {"layout": prep.layout, "dataset": prep.dataset, "mapping": json.dumps(prep.mapping, sort_keys=True),
                     "file": prep.file_name})
            finally:
                cur.close()
            return True
        except duckdb.Error as exc:
            log.warning("mapping of the refused file %s not remembered: %s", prep.file_name, exc)
            return False
        finally:
            self._write_lock.release()

    def stored_results(self, query: str, params_key: str, months: list[str]) -> dict[str, pl.DataFrame]:
        """The stored results of (query, params_key) for `months` (stocklens.results)."""
        cur = self.cursor()
        try:
            rows = cur.execute(
                "select report_month, result from stored_results where query = $query "
                "and params_key = $key and list_contains($months, report_month)",
                {"query": query, "key": params_key, "months": months}).fetchall()
        finally:
            cur.close()
        return {month: pl.read_ipc(io.BytesIO(blob)) for month, blob in rows}

    def stored_months(self, query: str, params_key: str, months: list[str]) -> set[str]:
        """The months of `months` with a stored result of (query, params_key), not reading them."""
        cur = self.cursor()
        try:
            return {r[0] for r in cur.execute(
                "select report_month from stored_results where query = $query "
                "and params_key = $key and list_contains($months, report_month)",
                {"query": query, "key": params_key, "months": months}).fetchall()}
        finally:
            cur.close()

    # --- writing -----------------------------------------------------------------------------

    @contextmanager
    def writing(self, actor: str, what: str, wait: float | None = None):
        """Hold the process's write lock for one change, waiting up to `wait` seconds for a
        change of another session to finish (a queue: each waits its turn). Raises
        WriteInProgress, with who is writing what, when the wait runs out; nothing is changed."""
        wait = self.write_wait if wait is None else wait
        if not (self._write_lock.acquire(timeout=wait) if wait > 0 else self._write_lock.acquire(blocking=False)):
            holder = self.writer()
            doing = f"{holder[1]} by {holder[0]}, started {time.strftime('%H:%M:%S', time.localtime(holder[2]))}" \
                if holder else "another change"
            raise WriteInProgress(
                f"Another change is being written to the store ({doing}) and did not finish within "
                f"{wait:.0f} s. Nothing was changed: try again when it is done.")
        outer = self._writer is None
        if outer:
            self._writer = (actor, what, time.time())
        try:
            yield
        finally:
            if outer:
                self._writer = None
            self._write_lock.release()

    def writer(self) -> tuple[str, str, float] | None:
        """(who, what, since) of the change being written in this process, if any."""
        return self._writer

    @contextmanager
    def _cache_write(self, version: int | None):
        """Yield a cursor for storing a computed result, or None when it must not be stored: a
        change is being written right now, or the data moved since the result was computed
        (`version`: the data version read before computing). A result computed on data that a
        load has since replaced is never kept (it would outlive the load's invalidation)."""
        if self.read_only:
            yield None
            return
        # results computed in parallel (kpis.fill_month_figures) are written one at a time: each
        # waits for the other's write, not mistaking it for a change
        with self._results_lock:
            if not self._write_lock.acquire(blocking=False):
                yield None
                return
            cur = None
            try:
                cur = self.cursor()
                now = cur.execute("select value from meta where key = 'data_version'").fetchone()[0]
                yield cur if version is None or now == version else None
            finally:
                if cur is not None:
                    cur.close()
                self._write_lock.release()

    def save_results(self, query: str, params_key: str, parts: dict[str, pl.DataFrame],
                     compute_ms: float, version: int | None = None) -> None:
        """Store computed results of (query, params_key) per month, if _cache_write allows."""
        with self._cache_write(version) as cur:
            if cur is None:
                return
            blobs = []
            for frame in parts.values():
                buffer = io.BytesIO()
                frame.write_ipc(buffer, compression="zstd")
                blobs.append(buffer.getvalue())
            try:
                # every month's part in one statement: an upsert per row costs ~4 ms (13 for a
                # 13-month trend), one of all the rows ~5 ms
                cur.execute(
                    "insert or replace into stored_results "
                    "select $query, $key, unnest($months), unnest($results), now(), $ms, $version",
                    {"query": query, "key": params_key, "months": list(parts), "results": blobs,
                     "ms": compute_ms / max(1, len(parts)), "version": version})
            except duckdb.Error as exc:  # the result is still shown; it is computed again next time
                log.warning("result of %s not stored: %s", query, exc)

    def clear_month_figures(self, figures: bool = True) -> None:
        """Forget the stored month figures (figures=False: the other stored results): what a
        benchmark does to measure them computed on demand."""
        cur = self.cursor()
        try:
            cur.execute("delete from stored_results where list_contains($q, query) = $figures",
                        {"q": list(results.MONTH_GRAIN + results.MONTH_AGGREGATES), "figures": figures})
        finally:
            cur.close()

    def clear_result_cache(self) -> None:
        self.clear_month_figures(figures=False)

    def save_mapping(self, layout: str, dataset: str, mapping: dict[str, str]) -> None:
        cur = self.cursor()
        try:
            cur.execute(
                "insert or replace into mappings values ($layout, $dataset, $mapping, now())",
                {"layout": layout, "dataset": dataset, "mapping": json.dumps(mapping)})
        finally:
            cur.close()

    def _archive(self, data: bytes, sha: str, file_name: str) -> Path:
        ext = PurePath(file_name).suffix.lower()[:12]
        target = self.archive_dir / sha[:2] / f"{sha}{ext}"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(target.suffix + f".tmp{os.getpid()}")
            tmp.write_bytes(data)
            os.replace(tmp, target)
        return target

    def commit(self, prep: Prepared, data: bytes, *, remember_mapping: bool = True,
               actor: str = "local") -> LoadResult:
        """Store a prepared upload, replacing that dataset's month in one transaction.
        Identical bytes read the same way as the active load change nothing. One change at a time
        (see writing); `actor` is who asked, for the audit log."""
        if prep.refused:
            raise prep.refusal()
        with self.writing(actor, f"a load of {prep.dataset} {prep.month or ''}".rstrip()):
            result = self._commit(prep, data, remember_mapping)
            if result.status == "loaded":
                audit.record(self.path, actor, "load", f"{prep.dataset} {prep.month or ''}".rstrip(),
                             file=prep.file_name, rows=result.rows_stored, load_id=result.load_id,
                             replaced_load_id=result.replaced_load_id)
            return result

    def _commit(self, prep: Prepared, data: bytes, remember_mapping: bool) -> LoadResult:
        sha = hashlib.sha256(data).hexdigest()
        options = json.dumps(prep.options, sort_keys=True)
        mapping = json.dumps(prep.mapping, sort_keys=True)
        cur = self.cursor()
        try:
            # fetchall, not fetchone: DuckDB 2.0 refuses register() on a cursor whose last result
            # was not read to the end (replacing a loaded month failed with ResourceInUseException).
            found = cur.execute(
                "select load_id, sha256, options, mapping, rows_stored from loads where state = 'active' "
                "and dataset = $dataset and month is not distinct from $month",
                {"dataset": prep.dataset, "month": prep.month}).fetchall()
            active = found[0] if found else None
            if active and active[1] == sha and json.loads(active[2]) == json.loads(options) \
                    and json.loads(active[3]) == json.loads(mapping):
                return LoadResult("unchanged", active[0], prep.dataset, prep.month, active[4])
            archived = self._archive(data, sha, prep.file_name)
            rows = prep.rows
            cur.register("incoming", rows)
            cur.execute("begin transaction")
            try:
                load_id = cur.execute("select nextval('load_id_seq')").fetchone()[0]
                cur.execute(
                    "update loads set state = 'superseded', ended_at = now() where state = 'active' "
                    "and dataset = $dataset and month is not distinct from $month",
                    {"dataset": prep.dataset, "month": prep.month})
                cur.execute(
                    "insert into loads values ($load_id, $dataset, $month, $file_name, $sha, $archive, "
                    "$rows_read, $rows_stored, $findings, $notes, $options, $mapping, now(), 'active', null)",
                    {"load_id": load_id, "dataset": prep.dataset, "month": prep.month,
                     "file_name": prep.file_name, "sha": sha,
                     "archive": str(archived.relative_to(self.path)), "rows_read": prep.rows_read,
                     "rows_stored": rows.height, "findings": json.dumps([f.to_dict() for f in prep.findings],
                                                                        default=str),
                     "notes": json.dumps(prep.notes), "options": options, "mapping": mapping})
                insert = sql.load(f"store/insert_{prep.dataset}")  # dataset is one of the four
                cur.execute(insert, sql.bind(insert, {"load_id": load_id, "month": prep.month}))
                if remember_mapping:
                    cur.execute(
                        "insert or replace into mappings values ($layout, $dataset, $mapping, now())",
                        {"layout": prep.layout, "dataset": prep.dataset, "mapping": mapping})
                    cur.execute("delete from refused_mappings where layout = $layout", {"layout": prep.layout})
                facts.refresh(cur, prep.month, prep.dataset, inserted=True, load_id=load_id)
                self._bump(cur)
                pause = float(os.environ.get("STOCKLENS_TEST_PAUSE_BEFORE_COMMIT", "0") or 0)
                if pause:  # fault-injection point for the kill -9 test; never set in normal use
                    print("stocklens: transaction open, pausing before commit", flush=True)
                    time.sleep(pause)
                cur.execute("commit")
            except BaseException:
                cur.execute("rollback")
                raise
            finally:
                cur.unregister("incoming")
            return LoadResult("loaded", load_id, prep.dataset, prep.month, rows.height,
                              active[0] if active else None)
        finally:
            cur.close()

    def _bump(self, cur) -> None:
        cur.execute("update meta set value = value + 1 where key = 'data_version'")

    def _drop_rows(self, cur, dataset: str, load_ids: list[int]) -> None:
        if load_ids:
            cur.execute(_DELETE_ROWS[dataset], {"ids": load_ids})

    def undo(self, dataset: str, month: str | None, *, actor: str = "local") -> int | None:
        """Undo the active load of (dataset, month): the previous version becomes active again
        (or the month becomes empty). Returns the load now active, or None."""
        target = f"{dataset} {month or ''}".rstrip()
        with self.writing(actor, f"an undo of {target}"):
            previous = self._undo(dataset, month)
            audit.record(self.path, actor, "undo", target, now_active_load_id=previous)
            return previous

    def _undo(self, dataset: str, month: str | None) -> int | None:
        cur = self.cursor()
        try:
            cur.execute("begin transaction")
            try:
                active = cur.execute(
                    "select load_id from loads where state = 'active' and dataset = $d "
                    "and month is not distinct from $m", {"d": dataset, "m": month}).fetchone()
                if active is None:
                    raise ValueError(f"nothing to undo: no {dataset} loaded for {month or 'the store'}")
                previous = cur.execute(
                    "select max(load_id) from loads where state = 'superseded' and dataset = $d "
                    "and month is not distinct from $m", {"d": dataset, "m": month}).fetchone()[0]
                cur.execute("update loads set state = 'undone', ended_at = now() where load_id = $id",
                            {"id": active[0]})
                if previous is not None:
                    cur.execute("update loads set state = 'active', ended_at = null where load_id = $id",
                                {"id": previous})
                facts.refresh(cur, month, dataset, undone_load_id=active[0])
                self._drop_rows(cur, dataset, [active[0]])
                self._bump(cur)
                cur.execute("commit")
            except BaseException:
                cur.execute("rollback")
                raise
            return previous
        finally:
            cur.close()

    def delete_month(self, dataset: str, month: str | None, *, actor: str = "local") -> int:
        """Remove a dataset's month (all its versions). The archived files stay. Returns loads removed."""
        target = f"{dataset} {month or ''}".rstrip()
        with self.writing(actor, f"a deletion of {target}"):
            removed = self._delete_month(dataset, month)
            audit.record(self.path, actor, "delete", target, versions=removed)
            return removed

    def _delete_month(self, dataset: str, month: str | None) -> int:
        cur = self.cursor()
        try:
            cur.execute("begin transaction")
            try:
                ids = [r[0] for r in cur.execute(
                    "select load_id from loads where state in ('active', 'superseded') and dataset = $d "
                    "and month is not distinct from $m", {"d": dataset, "m": month}).fetchall()]
                if not ids:
                    raise ValueError(f"nothing to delete: no {dataset} loaded for {month or 'the store'}")
                cur.execute("update loads set state = 'deleted', ended_at = now() where list_contains($ids, load_id)",
                            {"ids": ids})
                facts.refresh(cur, month, dataset)
                self._drop_rows(cur, dataset, ids)
                self._bump(cur)
                cur.execute("commit")
            except BaseException:
                cur.execute("rollback")
                raise
            return len(ids)
        finally:
            cur.close()


def load_file(store: Store, path: str | os.PathLike, *, actor: str = "local",
              **kwargs) -> tuple[Prepared, LoadResult | None]:
    """Prepare and store one file from disk. The data only: stocklens.service.load_file also
    computes the figures it changes."""
    from .importer import prepare

    p = Path(path)
    data = p.read_bytes()
    prep = prepare(data, p.name, store=store, **kwargs)
    if prep.refused:
        return prep, None
    return prep, store.commit(prep, data, actor=actor)


def close_unlisted_lines(store: Store, month: str, *, actor: str = "local") -> LoadResult:
    """The data check's bulk action for open lines no later file listed: load `month`'s active
    orders file again, as it was read (its archived bytes, mapping and options), now marked "this
    file lists every open order line", so that the lines open in the store that it does not list
    are closed by absence as of `month`. A new version of the month: undo brings the lines back.
    The data only (see stocklens.service)."""
    from .importer import prepare

    found = store.query(
        "select file_name, archive_path, mapping, options from loads where state = 'active' "
        "and dataset = 'orders' and month = $month", {"month": month})
    if found.height == 0:
        raise ValueError(f"no orders file is loaded for {month}")
    row = found.row(0, named=True)
    options = json.loads(row["options"] or "{}")
    if options.get("lists_every_open_line"):
        raise ValueError(f"the orders file of {month} is already loaded as listing every open line")
    data = (store.path / row["archive_path"]).read_bytes()
    prep = prepare(data, row["file_name"], dataset="orders", month=month,
                   mapping_override=json.loads(row["mapping"]), sheet=options.get("sheet"),
                   all_shipped=bool(options.get("all_shipped")), skip_bad_rows=bool(options.get("skip_bad_rows")),
                   lists_every_open_line=True, store=store)
    if prep.refused:
        raise prep.refusal()
    return store.commit(prep, data, actor=actor)
