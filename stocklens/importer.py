"""From a file's bytes to rows ready for the store, with an upload report.

prepare() reads, maps, parses strictly and validates; it stores nothing. A file with any
problem (unreadable, empty, missing required column, a value that is not what its column
needs) comes back refused whole with reasons; suspicious rows are kept and counted as findings.
Order semantics follow kpi-book section 2 (status mapping, "every line is shipped", Shopify's
order-level fields on the first line only, line key, codes as text).
"""
from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import PurePath

import polars as pl

from . import datasets, limits, mapping, values
from .errors import ImportRefused, Problem
from .readers import RawTable, read_table

MAX_ROW_ERRORS = 20
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

STATUS_WORDS = {
    "open": ["open", "new", "pending", "unfulfilled", "not shipped", "backordered", "backorder", "confirmed",
             "released", "in progress", "processing", "booked", "awaiting shipment", "on hold", "abierto",
             "pendiente", "aperto", "offen", "unshipped", "shipping"],
    "partial": ["partial", "partially shipped", "partiallyshipped", "partially fulfilled", "partially delivered", "part shipped",
                "parcial", "parziale", "teilgeliefert"],
    "shipped": ["shipped", "fulfilled", "delivered", "closed", "complete", "completed", "invoiced", "done",
                "dispatched", "enviado", "entregado", "spedito", "evaso", "geliefert", "erledigt"],
    "cancelled": ["cancelled", "canceled", "void", "voided", "rejected", "cancelado", "annullato",
                  "storniert"],
}
_STATUS_MAP = {w: k for k, words in STATUS_WORDS.items() for w in words}


def month_end(month: str) -> dt.date:
    y, m = int(month[:4]), int(month[5:7])
    return dt.date(y, m, calendar.monthrange(y, m)[1])


@dataclass
class Finding:
    """A suspicious but kept part of the upload, counted for the upload report."""
    kind: str
    count: int
    message: str
    examples: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "count": self.count, "message": self.message, "examples": self.examples}


@dataclass
class Prepared:
    file_name: str
    dataset: str
    month: str | None
    proposed_month: str | None
    mapping: dict[str, str]
    headers: list[str]
    layout: str
    raw: RawTable | None
    rows: pl.DataFrame | None = None  # canonical columns, ready to store
    rows_read: int = 0
    problems: list[Problem] = field(default_factory=list)
    total_row_errors: int = 0
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the file was read (encoding, formats)
    options: dict = field(default_factory=dict)
    # every row with a row error (not only the MAX_ROW_ERRORS shown as problems), and the first
    # SKIPPED_SHOWN of them with column, value and reason: what skip_bad_rows leaves out
    bad_rows: list[pl.Series] = field(default_factory=list, repr=False)
    row_error_details: list[dict] = field(default_factory=list, repr=False)

    @property
    def refused(self) -> bool:
        return bool(self.problems)

    def refusal(self) -> ImportRefused:
        return ImportRefused(self.problems, self.total_row_errors)

    @property
    def bad_row_count(self) -> int:
        """Rows with at least one row error (a row with two bad cells counts once)."""
        return pl.concat(self.bad_rows).n_unique() if self.bad_rows else 0

    @property
    def preview(self) -> pl.DataFrame | None:
        if self.raw is None:
            return None
        return self.raw.frame.drop("__row").head(20)


def prepare(
    data: bytes,
    file_name: str,
    *,
    dataset: str | None = None,
    month: str | None = None,
    overrides: dict[str, str | None] | None = None,
    mapping_override: dict[str, str] | None = None,
    sheet: str | None = None,
    all_shipped: bool = False,
    skip_bad_rows: bool = False,
    lists_every_open_line: bool = False,
    store=None,
) -> Prepared:
    """Read and validate one upload. `mapping_override` replaces the proposal outright (the UI's
    editor); `overrides` adjust it (the CLI's --map). With a store, the dataset this header layout
    was last loaded as is the guess, a mapping it remembers for the layout is used before the
    synonyms, and SKUs are checked against its other datasets.

    A file with row errors is refused whole; with `skip_bad_rows` the rows with errors (all of
    them) are left out and the rest is prepared, the rows left out listed in a "skipped_rows"
    finding. Problems of the whole file (unreadable, a missing column, the month) still refuse it.
    `lists_every_open_line` (orders only): the file lists every order line still open at the
    month's end, so the lines open in the store that it does not list are closed by absence as of
    that month (facts/line_facts), as a property of this load's version.
    Nothing of the data is stored here; with a store, the mapping of a file refused for row
    errors or its month is remembered (Store.remember_refused), so a corrected file needs no
    mapping again."""
    try:
        raw = read_table(data, file_name, sheet)
    except ImportRefused as refused:
        return Prepared(file_name, dataset or "orders", month, None, {}, [], "", None,
                        problems=refused.problems)
    learned = None
    if dataset is None and store is not None:
        learned = store.learned_dataset(mapping.header_hash(raw.headers))
    ds_name = dataset or mapping.guess_dataset(raw.headers, file_name, learned)
    args = dict(file_name=file_name, ds_name=ds_name, month=month, overrides=overrides,
                mapping_override=mapping_override, sheet=sheet, all_shipped=all_shipped, store=store)
    prep = _prepare_table(raw, **args)
    if skip_bad_rows and _only_row_errors(prep):
        prep = _without_bad_rows(prep, raw, args)
    if lists_every_open_line:  # stored only when asked: loads made without it compare equal
        if ds_name == "orders":
            prep.options["lists_every_open_line"] = True
        else:
            prep.problems.append(Problem(
                "option", "'This file lists every open order line' is an option of orders files only; "
                f"this file is loaded as {ds_name}."))
    if learned is not None and learned == ds_name:
        prep.notes.insert(0, f"Dataset {ds_name}: files with these columns were loaded as {ds_name} before.")
    if (store is not None and dataset is not None and prep.refused and prep.layout
            and all(p.kind in ("row_error", "month") for p in prep.problems)):
        store.remember_refused(prep)
    return prep


def _only_row_errors(prep: Prepared) -> bool:
    return prep.refused and all(p.kind == "row_error" for p in prep.problems)


SKIPPED_SHOWN = 100  # rows left out listed with their values (the count is always whole)


def _without_bad_rows(first: Prepared, raw: RawTable, args: dict) -> Prepared:
    """Prepare the file again without every row that had a row error. Leaving rows out can make
    others fail (a Shopify order whose first line, with the order's date, was left out): those
    are left out too, a few rounds at most."""
    skipped: list[int] = []
    details: list[dict] = []
    prep, table = first, raw
    for _ in range(5):
        if not _only_row_errors(prep):
            break
        bad = pl.concat(prep.bad_rows).unique() if prep.bad_rows else pl.Series("__row", [], pl.Int64)
        skipped += bad.to_list()
        details += prep.row_error_details[:max(0, SKIPPED_SHOWN - len(details))]
        table = dataclasses.replace(table, frame=table.frame.filter(~pl.col("__row").is_in(bad.implode())))
        if table.frame.height == 0:
            first.problems.append(Problem(
                "row_error", "Every row of the file has an error: there is nothing to load without them."))
            return first
        prep = _prepare_table(table, **args)
    prep.raw, prep.rows_read = raw, first.rows_read
    if prep.refused:
        return prep
    skipped = sorted(set(skipped))
    shown = ", ".join(map(str, skipped[:20])) + (", ..." if len(skipped) > 20 else "")
    prep.options["skip_bad_rows"] = True
    prep.findings.insert(0, Finding(
        "skipped_rows", len(skipped),
        f"{len(skipped)} rows with errors were left out, as asked (rows {shown}); the other "
        f"{prep.rows_read - len(skipped)} rows are loaded.", details))
    prep.notes.append(f"Loaded without {len(skipped)} rows that had errors (the load log lists them).")
    return prep


def _prepare_table(raw: RawTable, *, file_name: str, ds_name: str, month: str | None, overrides,
                   mapping_override, sheet, all_shipped: bool, store) -> Prepared:
    ds = datasets.get(ds_name)
    layout = mapping.layout_key(ds_name, raw.headers)
    rows_read = raw.frame.height
    per_location = mapping.location_quantity_columns(raw.headers) if ds_name == "stock" else {}
    if per_location:
        raw = _one_row_per_location(raw, per_location)
    headers = raw.headers
    if mapping_override is not None:
        col_map = {k: v for k, v in mapping_override.items() if v}
    else:
        remembered = store.remembered_mapping(layout) if store is not None else None
        if remembered:
            col_map = dict(remembered)
        else:
            col_map = mapping.propose(ds_name, headers)
            if per_location:
                col_map.update(qty_on_hand=QTY_FROM_COLUMNS, location=LOCATION_FROM_COLUMNS)
        col_map = {k: v for k, v in col_map.items() if v in headers}
        if overrides:
            col_map = mapping.apply_overrides(col_map, overrides)
    prep = Prepared(file_name, ds_name, month, None, col_map, headers, layout, raw,
                    rows_read=rows_read,
                    options={"all_shipped": bool(all_shipped), "sheet": sheet})
    _describe_reading(prep)
    if per_location:
        prep.notes.append(
            f"Quantities per location read from the columns {limits.name_list(list(per_location))}: one row "
            f"per SKU and location ({', '.join(per_location.values())}).")

    missing = [c for c in ds.required if c not in col_map]
    if ds_name in ("orders", "stock") and "sku" in missing and "sku_name" in col_map:
        missing.remove("sku")  # every SKU will come from the product name
    if missing:
        prep.problems.append(Problem(
            "missing_column",
            f"Required column{'s' if len(missing) > 1 else ''} {', '.join(missing)} not found for "
            f"dataset {ds_name}. Columns in the file: {limits.name_list(headers)}. Map a file column onto "
            f"{'them' if len(missing) > 1 else 'it'} (CLI: --map \"FILE COLUMN={missing[0]}\").",
            column=missing[0]))
        return prep

    typed = _parse_columns(prep, ds, raw)
    typed = _split_code_and_name(prep, typed)
    if month is not None and not MONTH_RE.match(month):
        prep.problems.append(Problem("month", f"Month {month!r} is not of the form YYYY-MM."))
        return prep
    if ds.monthly:
        # (from the parsed dates: the builders only copy dates between rows, never make new ones)
        prep.proposed_month = _propose_month(ds_name, typed)
        if prep.proposed_month is None:
            prep.proposed_month = month_from_name(file_name)
            if prep.proposed_month is not None and month is None:
                prep.notes.append(f"The file has no dates to tell its month: {prep.proposed_month} is taken "
                                  f"from its name {file_name!r}.")
        prep.month = month or prep.proposed_month
        if prep.month is not None and _future_month(prep, given=month is not None):
            return prep
    else:
        prep.month = None
    _check_date_range(prep, ds, typed)
    builder = {"orders": _orders, "stock": _stock, "products": _products,
               "purchase_orders": _purchase_orders}[ds_name]
    prep.rows = builder(prep, typed)
    if prep.refused:
        prep.rows = None
        return prep
    if ds.monthly:
        if prep.month is None:
            prep.problems.append(Problem(
                "month", "The file has no dates to tell its month, nor its name: choose the month it was "
                "exported for (CLI: --month YYYY-MM)."))
            prep.rows = None
            return prep
        _check_month(prep)
    if store is not None and ds_name != "products":
        _unknown_skus(prep, store.known_skus(ds_name))
    return prep


LOCATION_FROM_COLUMNS = "Location (from column names)"
QTY_FROM_COLUMNS = "On hand (per location column)"


def _one_row_per_location(raw: RawTable, per_location: dict[str, str]) -> RawTable:
    """A stock file with a quantity column per location, as one row per row and location: the
    location's name and its quantity in two new columns (file order kept: a row's locations
    follow each other). The location columns themselves are dropped."""
    names = pl.Series(list(per_location.values()), dtype=pl.String)
    frame = (raw.frame
             .unpivot(on=list(per_location), index=[c for c in raw.frame.columns if c not in per_location],
                      variable_name=LOCATION_FROM_COLUMNS, value_name=QTY_FROM_COLUMNS)
             .with_columns(pl.col(LOCATION_FROM_COLUMNS).replace_strict(
                 pl.Series(list(per_location)), names, return_dtype=pl.String))
             .sort("__row", maintain_order=True))
    return dataclasses.replace(raw, frame=frame)


# Month names in file names (English, Spanish, German, Italian, French), as whole words.
_MONTH_NAMES = {
    1: ("january", "jan", "enero", "ene", "januar", "gennaio", "janvier", "janv"),
    2: ("february", "feb", "febrero", "februar", "febbraio", "fevrier", "fev"),
    3: ("march", "mar", "marzo", "marz", "maerz", "mars"),
    4: ("april", "apr", "abril", "abr", "aprile", "avril", "avr"),
    5: ("may", "mayo", "mai", "maggio"),
    6: ("june", "jun", "junio", "juni", "giugno", "juin"),
    7: ("july", "jul", "julio", "juli", "luglio", "juillet"),
    8: ("august", "aug", "agosto", "aout"),
    9: ("september", "sep", "sept", "septiembre", "settembre"),
    10: ("october", "oct", "octubre", "oktober", "okt", "ottobre", "octobre"),
    11: ("november", "nov", "noviembre", "novembre"),
    12: ("december", "dec", "diciembre", "dic", "dezember", "dez", "dicembre", "decembre"),
}
_NAME_TO_MONTH = {w: m for m, words in _MONTH_NAMES.items() for w in words}
_DATES_IN_NAME = (  # (regex, order of year/month), tried in this order; each match is used once
    (r"(?<!\d)(\d{4})[-_. ](\d{1,2})[-_. ](\d{1,2})(?!\d)", "ym"),
    (r"(?<!\d)(\d{1,2})[-_. ](\d{1,2})[-_. ](\d{4})(?!\d)", "dmy"),
    (r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)", "ym"),
    (r"(?<!\d)(\d{4})[-_. ](\d{1,2})(?!\d)", "ym"),
    (r"(?<!\d)(\d{4})(\d{2})(?!\d)", "ym"),
)


def month_from_name(file_name: str, today: dt.date | None = None) -> str | None:
    """The month a file's name gives, for files without dates (stock files): a date or month in
    it (01-29-2024, 29.01.2024, 2024-01-29, 2024-01, 2024_01, 202401, 20240129) or a month's
    name with a year (Jan2024, january_2024, 2024-Jan) or without one (januaryOrders: the latest
    January up to today's month). None when the name gives none, or two different ones."""
    today = today or dt.date.today()
    stem = PurePath(file_name).stem
    stem = "".join(ch for ch in unicodedata.normalize("NFKD", stem) if not unicodedata.combining(ch))
    found: set[str] = set()

    def add(year: int, month: int) -> bool:
        if 1990 <= year <= today.year + 1 and 1 <= month <= 12:
            found.add(f"{year:04d}-{month:02d}")
            return True
        return False

    rest = stem
    for rx, order in _DATES_IN_NAME:
        for m in re.finditer(rx, rest):
            a, b = int(m.group(1)), int(m.group(2))
            # 01-29-2024: month first (US) unless the first number can only be a day (29-01-2024)
            year, month = (int(m.group(3)), b if a > 12 else a) if order == "dmy" else (a, b)
            if add(year, month):
                rest = rest.replace(m.group(0), " ", 1)
    # words: "januaryOrders" -> january, orders; "Jan2024" -> jan, 2024
    tokens = re.findall(r"[a-z]+|\d+", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", rest).lower())
    for i, token in enumerate(tokens):
        if token not in _NAME_TO_MONTH:
            continue
        month = _NAME_TO_MONTH[token]
        years = [int(t) for t in tokens[max(0, i - 1):i + 2:2] if t.isdigit() and len(t) == 4]
        if years:
            add(years[-1], month)
        elif not found:
            add(today.year if month <= today.month else today.year - 1, month)
    return found.pop() if len(found) == 1 else None


# --- reading and typing ----------------------------------------------------------------------

def _describe_reading(prep: Prepared) -> None:
    d = prep.raw.details
    if prep.raw.format in ("csv", "tsv"):
        delim = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}[d["delimiter"]]
        prep.notes.append(f"Read as {prep.raw.format.upper()}: {d['encoding']}, {delim}-separated.")
    elif prep.raw.format == "xlsx":
        prep.notes.append(f"Read sheet {d['sheet']!r} of the workbook (sheets: {', '.join(d['sheets'])}).")
    else:
        prep.notes.append("Read as Parquet.")


def _row_error(prep: Prepared, row: int, column: str, value, why: str) -> None:
    prep.total_row_errors += 1
    shown = "" if value is None else str(value)
    if len(prep.row_error_details) < SKIPPED_SHOWN:
        prep.row_error_details.append({"row": row, "column": column, "value": shown, "why": why})
    if sum(1 for p in prep.problems if p.kind == "row_error") < MAX_ROW_ERRORS:
        prep.problems.append(Problem(
            "row_error", f"Row {row}, column {column!r}: {why} (value: {shown!r}).",
            row=row, column=column, value=shown))


def _flag(prep: Prepared, frame: pl.DataFrame, bad: pl.Expr, column: str, value_col: str | None,
          why: str, reason: pl.Expr | None = None) -> None:
    """A row error for each row where `bad`; `reason`, where not null, says why more precisely
    than `why` (computed for the rows shown only)."""
    hits = frame.filter(bad)
    if hits.height == 0:
        return
    prep.bad_rows.append(hits.get_column("__row"))
    room = max(MAX_ROW_ERRORS - sum(1 for p in prep.problems if p.kind == "row_error"),
               SKIPPED_SHOWN - len(prep.row_error_details), 0)
    shown = hits.head(room).select(
        pl.col("__row"),
        (pl.col(value_col) if value_col else pl.lit(None)).alias("value"),
        (pl.lit(why) if reason is None else reason.fill_null(pl.lit(why))).alias("why"),
    )
    for row, value, text in shown.iter_rows():
        _row_error(prep, row, column, value, text)
    prep.total_row_errors += hits.height - shown.height


def _parse_columns(prep: Prepared, ds: datasets.Dataset, raw: RawTable) -> pl.DataFrame:
    """Canonical columns, typed; every non-empty cell that fails to parse is a row error."""
    frame = raw.frame.select(
        [pl.col("__row")]
        + [pl.col(src).str.strip_chars().replace("", None).alias(f"raw__{canon}")
           for canon, src in prep.mapping.items()]
    )
    number_cols = [c for c in prep.mapping if ds.column(c).kind == "number"]
    if ds.name == "stock" and "qty_on_hand" in prep.mapping:
        # Shopify writes "not stocked" for a location that never stocks the item: that is 0 on hand.
        not_stocked = frame.filter(pl.col("raw__qty_on_hand").str.to_lowercase() == "not stocked").height
        if not_stocked:
            frame = frame.with_columns(
                pl.when(pl.col("raw__qty_on_hand").str.to_lowercase() == "not stocked").then(pl.lit("0"))
                .otherwise(pl.col("raw__qty_on_hand")).alias("raw__qty_on_hand"))
            prep.notes.append(f"{not_stocked} rows say 'not stocked': read as 0 on hand.")
    samples: list[str] = []
    for c in number_cols:
        samples += frame.get_column(f"raw__{c}").drop_nulls().head(5000).to_list()
    decimal = values.detect_decimal_separator(samples, raw.details.get("delimiter"))
    if number_cols and raw.format in ("csv", "tsv"):
        prep.notes.append(f"Numbers read with {'decimal comma' if decimal == ',' else 'decimal point'}.")
    formats: dict[str, values.DateFormat | None] = {}
    for canon in prep.mapping:
        if ds.column(canon).kind == "date":
            fmt = values.detect_date_format(frame.get_column(f"raw__{canon}").drop_nulls().head(5000).to_list())
            if fmt is not None and fmt.layout not in ("iso",):
                prep.notes.append(f"Dates in {prep.mapping[canon]!r} read as {fmt.label}.")
            formats[canon] = fmt
    # Which columns hold only plain numbers / plain ISO dates (and blanks): those take the fast
    # path, which gives the same values as the full parse (see values.is_plain_number). One pass.
    checks = []
    for canon in prep.mapping:
        kind = ds.column(canon).kind
        src = pl.col(f"raw__{canon}")
        plain = (values.is_plain_number(src, decimal) if kind == "number"
                 else values.is_plain_date(src, formats[canon]) if kind == "date" else None)
        if plain is not None:
            checks.append((src.is_null() | plain).all().alias(canon))
    fast = frame.select(checks).row(0, named=True) if checks else {}
    exprs = [pl.col("__row")]
    for canon in prep.mapping:
        kind = ds.column(canon).kind
        src = pl.col(f"raw__{canon}")
        if kind == "number":
            if fast[canon]:
                exprs.append(values.parse_plain_number(src, decimal).alias(canon))
            else:
                exprs.append(_parse_distinct(frame, f"raw__{canon}", lambda c: values.parse_number(c, decimal),
                                             pl.Float64).alias(canon))
        elif kind == "date":
            fmt = formats[canon]
            if fast.get(canon):
                exprs.append(values.parse_plain_date(src, fmt).alias(canon))
            elif fmt is None:
                exprs.append(values.parse_date(src, fmt).alias(canon))
            else:
                exprs.append(_parse_distinct(frame, f"raw__{canon}", lambda c, fmt=fmt: values.parse_date(c, fmt),
                                             pl.Date).alias(canon))
        else:
            exprs.append(src.alias(canon))
        exprs.append(src)
    typed = frame.select(exprs)
    if "customer" in prep.mapping:
        # Customer ids exported through a float column ("17850.0") are ids, not numbers.
        ids = typed.get_column("customer").drop_nulls()
        float_ids = r"^\d+\.0$"
        # (the first ids decide quickly when they are not all written so)
        if ids.len() and ids.head(100).str.contains(float_ids).all() and ids.str.contains(float_ids).all():
            typed = typed.with_columns(pl.col("customer").str.replace(r"\.0$", ""))
            prep.notes.append(f"Customer ids in {prep.mapping['customer']!r} written as 17850.0 read as 17850.")
    checked = [canon for canon in prep.mapping if ds.column(canon).kind != "text"]
    counts = typed.select(
        [(pl.col(f"raw__{c}").is_not_null() & pl.col(c).is_null()).sum().alias(c) for c in checked]
    ).row(0, named=True) if checked else {}
    for canon in checked:
        if not counts[canon]:  # nothing failed to parse in this column
            continue
        source = prep.mapping[canon]
        kind = ds.column(canon).kind
        raw_cell = pl.col(f"raw__{canon}")
        what = "not a number" if kind == "number" else "not a date"
        if kind == "number" and ds.column(canon).name in ("qty_ordered", "qty_on_hand"):
            what = "not a number (a quantity is needed)"
        # a spreadsheet error value, infinity, an ambiguous sign or a huge number says so
        reason = values.number_problem(raw_cell, decimal) if kind == "number" else values.date_problem(raw_cell)
        _flag(prep, typed, raw_cell.is_not_null() & pl.col(canon).is_null(), source, f"raw__{canon}", what, reason)
    # The raw text stays alongside, so that _require does not report a cell that failed to parse
    # a second time as empty.
    return typed.select(["__row"] + [c.name for c in ds.columns if c.name in prep.mapping]
                        + [f"raw__{c.name}" for c in ds.columns if c.name in prep.mapping])


_CODE_AND_NAME = r"^\[([^\]]+)\]\s*(.*)$"  # Odoo's "[FURN_0001] Office Chair"


def _split_code_and_name(prep: Prepared, typed: pl.DataFrame) -> pl.DataFrame:
    """Odoo writes a product as "[internal reference] name": the reference is the SKU, the name
    the description (product master) or the product name. A product without a reference is
    written as its name alone, which stays the SKU (as a blank SKU with a product name does)."""
    if "sku" not in prep.mapping:
        return typed
    coded = pl.col("sku").str.contains(_CODE_AND_NAME).fill_null(False)
    count = typed.select(coded.sum()).item()
    if not count:
        return typed
    name_col = "description" if prep.dataset == "products" else "sku_name"
    extra = []
    if name_col in datasets.get(prep.dataset).columns_by_name and name_col not in prep.mapping:
        extra = [pl.when(coded).then(pl.col("sku").str.extract(_CODE_AND_NAME, 2).str.strip_chars())
                 .alias(name_col)]
    prep.notes.append(f"{count} values of {prep.mapping['sku']!r} are written as \"[code] name\" (Odoo): the "
                      "code in brackets is the SKU" + (f", the name the {'description' if name_col == 'description' else 'product name'}."
                                               if extra else "."))
    return typed.with_columns(
        [pl.when(coded).then(pl.col("sku").str.extract(_CODE_AND_NAME, 1).str.strip_chars())
         .otherwise(pl.col("sku")).alias("sku")] + extra)


def _parse_distinct(frame: pl.DataFrame, name: str, parse, dtype: pl.DataType) -> pl.Expr:
    """parse(pl.col(name)), computed once per distinct text when the column repeats its values
    (a parse reads each cell alone, so equal texts parse equally)."""
    column = frame.get_column(name)
    sample = column.head(10_000).drop_nulls()
    if sample.len() == 0 or sample.n_unique() * 4 > sample.len():
        return parse(pl.col(name))
    distinct = column.drop_nulls().unique()
    parsed = distinct.to_frame("v").select(parse(pl.col("v"))).to_series()
    return pl.col(name).replace_strict(distinct, parsed, default=None, return_dtype=dtype)


def _require(prep: Prepared, frame: pl.DataFrame, canon: str, why: str | None = None) -> None:
    source = prep.mapping.get(canon, canon)
    empty = pl.col(canon).is_null()
    if f"raw__{canon}" in frame.columns:  # a value that is there but did not parse is reported already
        empty = empty & pl.col(f"raw__{canon}").is_null()
    _flag(prep, frame, empty, source, None, why or f"{canon} is empty")


def _ensure(frame: pl.DataFrame, ds: datasets.Dataset) -> pl.DataFrame:
    """Add unmapped optional columns as nulls of their kind."""
    kinds = {"text": pl.String, "number": pl.Float64, "date": pl.Date}
    return frame.with_columns(
        [pl.lit(None, dtype=kinds[c.kind]).alias(c.name) for c in ds.columns if c.name not in frame.columns])


def _examples(frame: pl.DataFrame, cond: pl.Expr, cols: list[str], n: int = 5) -> tuple[int, list[dict]]:
    hits = frame.filter(cond)
    return hits.height, hits.select([c for c in cols if c in frame.columns]).head(n).to_dicts()


def _finding(prep: Prepared, frame: pl.DataFrame, cond: pl.Expr, kind: str, message: str,
             cols: list[str]) -> None:
    count, examples = _examples(frame, cond, cols)
    if count:
        prep.findings.append(Finding(kind, count, message.format(n=count), examples))


# --- datasets --------------------------------------------------------------------------------

_ORDER_LEVEL = ["order_date", "customer", "location", "promised_date", "status", "cancelled_at"]


def _first_line_only(f: pl.DataFrame, columns: list[str]) -> list[str]:
    """The columns written as Shopify writes order-level fields: the rows of each order are
    contiguous, and in every order of several lines the column is filled on the first line and
    blank on the later ones (or blank on all of them); at least one such order has it.
    In any other file a blank is the line's own (an ERP line without a promised date)."""
    # (a column with no blanks, or nothing but blanks, has nothing to inherit)
    columns = [c for c in columns if 0 < f.get_column(c).null_count() < f.height]
    if not columns:
        return []
    oid = pl.col("order_id")
    g = f.select(["order_id"] + columns).filter(oid.is_not_null())
    # contiguous: as many runs of equal order ids in file order as distinct order ids
    runs = (oid != oid.shift(1)).fill_null(True).sum()
    if g.height == 0 or g.select(runs != oid.n_unique()).item():
        return []
    first, multi = oid.is_first_distinct(), oid.is_duplicated()
    checks = g.select(
        [(~first & pl.col(c).is_not_null()).any().alias(f"later {c}") for c in columns]
        + [(first & multi & pl.col(c).is_not_null()).any().alias(f"first {c}") for c in columns]
    ).row(0, named=True)
    return [c for c in columns if checks[f"first {c}"] and not checks[f"later {c}"]]


def _orders(prep: Prepared, typed: pl.DataFrame) -> pl.DataFrame:
    ds = datasets.ORDERS
    f = _ensure(typed, ds)
    # Shopify-style exports write order-level fields on an order's first line only: blank later
    # lines take the first line's. Only where the file shows that pattern, column by column (see
    # _first_line_only): in an ERP file a blank promised date is the line's own, and taking
    # another line's would change past-due units and fill rates.
    # A status is inherited only when the file has no shipped quantities: with them, a blank line
    # status says nothing, and taking the first line's "shipped" would ship the line in full.
    candidates = [c for c in _ORDER_LEVEL if not (c == "status" and "qty_shipped" in prep.mapping)]
    inherited = _first_line_only(f, candidates)
    if inherited:
        f = f.with_columns([pl.col(c).fill_null(pl.col(c).first().over("order_id")) for c in inherited])
        prep.notes.append(
            f"Order-level fields {', '.join(prep.mapping[c] for c in inherited)} given on each order's "
            "first line only (Shopify style): later lines take them.")
    f = f.with_columns(pl.coalesce("sku", "sku_name").alias("sku"))
    _require(prep, f, "order_id")
    _require(prep, f, "sku", "the SKU is empty and there is no product name to use instead")
    _require(prep, f, "order_date")
    _require(prep, f, "qty_ordered")
    if prep.refused:
        return f

    f = f.with_columns(_parse_distinct(
        f, "status", lambda c: c.str.to_lowercase().str.replace_all(r"[_\-]+", " ").str.strip_chars()
        .replace_strict(_STATUS_MAP, default=None), pl.String).alias("status_code"))
    count, ex = _examples(f, pl.col("status").is_not_null() & pl.col("status_code").is_null(),
                          ["__row", "order_id", "status"])
    if count:
        unknown = f.filter(pl.col("status").is_not_null() & pl.col("status_code").is_null())
        words = unknown.get_column("status").unique().sort().head(10).to_list()
        prep.findings.append(Finding(
            "unknown_status", count,
            f"{count} lines have a status stocklens does not know ({', '.join(map(repr, words))}): "
            "their quantities are used as given.", ex))
    f = f.with_columns(
        pl.when(pl.col("cancelled_at").is_not_null()).then(pl.lit("cancelled"))
        .otherwise(pl.col("status_code")).alias("status_code"))
    # shipped/fulfilled with no qty_shipped: all of it shipped
    f = f.with_columns(
        pl.when(pl.col("qty_shipped").is_null() & (pl.col("status_code") == "shipped"))
        .then(pl.col("qty_ordered")).otherwise(pl.col("qty_shipped")).alias("qty_shipped"))
    # Shopify's "Fulfilled at" sits on the first line only; later fulfilled lines share it (only
    # where the file writes ship dates so: elsewhere an undated shipped line stays undated)
    undated = pl.col("ship_date").is_null() & pl.col("status_code").is_in(["shipped", "partial"])
    if f.select(undated.any()).item() and _first_line_only(f, ["ship_date"]):  # (else nothing to share)
        f = f.with_columns(
            pl.when(undated)
            .then(pl.col("ship_date").first().over("order_id")).otherwise(pl.col("ship_date"))
            .alias("ship_date"))
        prep.notes.append(
            f"Ship dates in {prep.mapping['ship_date']!r} given on each order's first line only (Shopify "
            "style): later shipped lines of the order take the first line's.")
    if prep.options.get("all_shipped"):
        no_info = pl.col("qty_shipped").is_null() & pl.col("ship_date").is_null() & pl.col("status").is_null()
        f = f.with_columns(
            pl.when(no_info).then(pl.col("qty_ordered")).otherwise(pl.col("qty_shipped")).alias("qty_shipped"),
            pl.when(no_info).then(pl.col("order_date")).otherwise(pl.col("ship_date")).alias("ship_date"),
        )
    f = f.with_columns(pl.col("qty_shipped").fill_null(0.0))
    if "unit_price" not in prep.mapping and "line_amount" in prep.mapping:
        # Amazon's item-price is the line's total: per unit it is divided by the quantity
        f = f.with_columns(pl.when(pl.col("qty_ordered") != 0).then(pl.col("line_amount") / pl.col("qty_ordered"))
                           .alias("unit_price"))
        prep.notes.append(f"Unit price = {prep.mapping['line_amount']!r} / {prep.mapping['qty_ordered']!r} "
                          "(the file gives each line's total price).")
    f = f.with_columns(
        pl.when(pl.col("qty_cancelled").is_null() & (pl.col("status_code") == "cancelled"))
        .then(pl.col("qty_ordered") - pl.col("qty_shipped")).otherwise(pl.col("qty_cancelled"))
        .fill_null(0.0).alias("qty_cancelled"))
    f = f.with_columns(pl.coalesce("line_id", "sku").alias("line_key"))

    cols = ["__row", "order_id", "sku", "qty_ordered", "unit_price"]
    _finding(prep, f, pl.col("qty_ordered") <= 0, "returns",
             "{n} rows have an ordered quantity of 0 or less (returns or corrections): kept, and left "
             "out of backlog, backorder and fill-rate figures.", cols)
    _finding(prep, f, pl.col("unit_price") == 0, "zero_price",
             "{n} rows have a unit price of 0: their backlog value counts 0.", cols)
    _finding(prep, f, (pl.col("qty_ordered") > 0)
             & (pl.col("qty_shipped") + pl.col("qty_cancelled") > pl.col("qty_ordered")),
             "over_shipped", "{n} rows have more shipped and cancelled than ordered.",
             ["__row", "order_id", "sku", "qty_ordered", "qty_shipped", "qty_cancelled"])
    dup = pl.len().over(["order_id", "line_key"]) > 1
    count, ex = _examples(f, dup, ["__row", "order_id", "line_key", "qty_ordered"])
    if count:
        lines = f.filter(dup).select("order_id", "line_key").unique().height
        key = "order and line" if "line_id" in prep.mapping else "order and SKU"
        prep.findings.append(Finding(
            "duplicated_lines", count,
            f"{count} rows share their {key} with another row: summed into {lines} lines "
            "(kpi-book: rows of one upload sharing a line key are one line).", ex))

    if not count:
        return _single_row_lines(f)
    weight = pl.col("qty_ordered").sum()
    lines = (
        f.group_by(["order_id", "line_key"], maintain_order=True)
        .agg(
            pl.col("line_id").first(),
            pl.col("sku").first(),
            pl.col("order_date").min(),
            pl.col("qty_ordered").sum(),
            pl.col("qty_shipped").sum(),
            pl.col("ship_date").max(),
            pl.col("qty_cancelled").sum(),
            pl.col("promised_date").min(),
            pl.when((weight != 0) & pl.col("unit_price").is_not_null().all())
            .then((pl.col("qty_ordered") * pl.col("unit_price")).sum() / weight)
            .otherwise(pl.col("unit_price").mean()).alias("unit_price"),
            pl.col("customer").first(),
            pl.col("location").first(),
            pl.col("status_code").first().alias("status"),
            pl.len().cast(pl.Int32).alias("source_rows"),
            pl.col("__row").min().alias("first_row"),
        )
    )
    return lines


def _single_row_lines(f: pl.DataFrame) -> pl.DataFrame:
    """The lines _orders' group_by gives when no two rows share a line key: each row is its line
    (first, min, max, sum and mean of one value are that value; the weighted price of one row is
    its quantity times its price divided by its quantity, as there)."""
    qty, price = pl.col("qty_ordered"), pl.col("unit_price")
    return f.select(
        "order_id", "line_key", "line_id", "sku", "order_date", "qty_ordered", "qty_shipped", "ship_date",
        "qty_cancelled", "promised_date",
        pl.when((qty != 0) & price.is_not_null()).then((qty * price) / qty).otherwise(price).alias("unit_price"),
        "customer", "location",
        pl.col("status_code").alias("status"),
        pl.lit(1, dtype=pl.Int32).alias("source_rows"),
        pl.col("__row").alias("first_row"),
    )


def _stock(prep: Prepared, typed: pl.DataFrame) -> pl.DataFrame:
    f = _ensure(typed, datasets.STOCK)
    # Shopify inventory exports of stores without SKUs: the variant's name stands in for the SKU,
    # written as Shopify writes a line item's name ("Title - Option1 / Option2").
    options = pl.concat_str(
        [pl.col(c) for c in ("variant_1", "variant_2", "variant_3")], separator=" / ", ignore_nulls=True)
    has_options = options.is_not_null() & (options != "") & (options != "Default Title")
    name = pl.when(has_options).then(pl.format("{} - {}", pl.col("sku_name"), options)).otherwise(pl.col("sku_name"))
    f = f.with_columns(pl.coalesce(pl.col("sku"), name).alias("sku"))
    _require(prep, f, "sku", "the SKU is empty and there is no product name to use instead")
    if prep.refused:
        return f
    cols = ["__row", "sku", "location", "qty_on_hand", "unit_cost"]
    # A blank quantity is nothing on hand (Amazon leaves the quantity of an empty listing blank);
    # a quantity that is there but not a number is a row error (reported in _parse_columns).
    blank = pl.col("qty_on_hand").is_null() & pl.col("raw__qty_on_hand").is_null()
    _finding(prep, f, blank, "blank_quantity",
             f"{{n}} rows have no quantity in {prep.mapping['qty_on_hand']!r}: read as 0 on hand.", cols)
    f = f.with_columns(pl.when(blank).then(0.0).otherwise(pl.col("qty_on_hand")).alias("qty_on_hand"))
    if "storage_location" in prep.mapping:
        # SAP: a plant's storage locations are kept apart as "plant/storage location"
        f = f.with_columns(
            pl.when(pl.col("location").is_null() & pl.col("storage_location").is_null()).then(None)
            .otherwise(pl.concat_str(["location", "storage_location"], separator="/", ignore_nulls=True))
            .alias("location"))
    if "unit_cost" not in prep.mapping and "stock_value" in prep.mapping:
        f = f.with_columns(pl.when(pl.col("qty_on_hand") > 0).then(pl.col("stock_value") / pl.col("qty_on_hand"))
                           .alias("unit_cost"))
        prep.notes.append(
            f"Unit cost = {prep.mapping['stock_value']!r} / {prep.mapping['qty_on_hand']!r}, row by row (the file "
            "has a value and no unit cost); unknown where the quantity is 0 or less.")
    _finding(prep, f, pl.col("qty_on_hand") < 0, "negative_stock",
             "{n} rows have negative stock: kept; a SKU's on hand counts as 0 when its rows sum below 0.", cols)
    if "unit_cost" in prep.mapping or "stock_value" in prep.mapping:
        _finding(prep, f, pl.col("unit_cost").is_null(), "unknown_cost",
                 "{n} rows have no unit cost: the previous month's or the product master's cost is used.", cols)
        _finding(prep, f, pl.col("unit_cost") == 0, "zero_cost", "{n} rows have a unit cost of 0.", cols)
    else:
        prep.findings.append(Finding(
            "unknown_cost", f.height, "The file has no unit cost column: costs come from earlier months or "
            "the product master; without them inventory value is unknown.", []))
    _finding(prep, f, pl.len().over(["sku", "location"]) > 1, "duplicated_lines",
             "{n} rows repeat a SKU and location: their quantities are added up.", cols)
    return f.select("__row", "sku", "qty_on_hand", "unit_cost", "location", "snapshot_date")


def _products(prep: Prepared, typed: pl.DataFrame) -> pl.DataFrame:
    f = _ensure(typed, datasets.PRODUCTS)
    _require(prep, f, "sku")
    if prep.refused:
        return f
    _finding(prep, f, pl.len().over("sku") > 1, "duplicated_lines",
             "{n} rows repeat a SKU: the last row of each SKU is used.", ["__row", "sku", "description"])
    _finding(prep, f, pl.col("unit_cost") == 0, "zero_cost", "{n} products have a unit cost of 0.",
             ["__row", "sku", "unit_cost"])
    return f.select("__row", "sku", "description", "category", "supplier", "unit_cost", "lead_time_days")


def _purchase_orders(prep: Prepared, typed: pl.DataFrame) -> pl.DataFrame:
    f = _ensure(typed, datasets.PURCHASE_ORDERS)
    for c in ("po_id", "sku", "qty_ordered"):
        _require(prep, f, c)
    if prep.refused:
        return f
    if "qty_received" not in prep.mapping and "qty_open" in prep.mapping:
        f = f.with_columns((pl.col("qty_ordered") - pl.col("qty_open")).alias("qty_received"))
        prep.notes.append(f"Received quantity = {prep.mapping['qty_ordered']!r} - {prep.mapping['qty_open']!r} "
                          "(the file gives the quantity still to be delivered).")
    _finding(prep, f, pl.col("qty_ordered") <= 0, "returns", "{n} lines have an ordered quantity of 0 or less.",
             ["__row", "po_id", "sku", "qty_ordered"])
    return f.select("__row", "po_id", "line_id", "sku", "supplier", "order_date", "expected_date",
                    "received_date", "qty_ordered", "qty_received", "unit_cost")


# --- month -----------------------------------------------------------------------------------

_DATE_FOR_MONTH = {"orders": "order_date", "stock": "snapshot_date", "purchase_orders": "order_date"}


def _month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _add_months(month: str, n: int) -> str:
    i = int(month[:4]) * 12 + int(month[5:7]) - 1 + n
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def _propose_month(ds_name: str, typed: pl.DataFrame) -> str | None:
    """The month of the latest date that is not after the end of the current month: a stray date
    (2062-11, 9999-12) must not make the upload a far-future month; it is refused as a row error.
    When every date lies later, the earliest one's month (refused as from the future when it is)."""
    col = _DATE_FOR_MONTH[ds_name]
    if col not in typed.columns:
        return None
    dates = typed.get_column(col).drop_nulls()
    if dates.len() == 0:
        return None
    possible = dates.filter(dates <= month_end(_month_of(dt.date.today())))
    return _month_of(possible.max() if possible.len() else dates.min())


def _future_month(prep: Prepared, given: bool) -> bool:
    """Refuse an upload month after next month (a month-end export is of a month that ended, or
    of the current one; next month allows for time zones and early closings)."""
    latest = _add_months(_month_of(dt.date.today()), 1)
    if prep.month <= latest:
        return False
    how = "given" if given else "proposed from the file's dates"
    prep.problems.append(Problem(
        "month", f"The upload month {prep.month} ({how}) is later than {latest}: month-end exports "
        "cannot come from the future. Check the file's dates, or choose the month it was exported for "
        "(CLI: --month YYYY-MM)."))
    return True


EARLIEST_DATE = dt.date(1900, 1, 1)
FUTURE_DAYS = 366


def _check_date_range(prep: Prepared, ds: datasets.Dataset, typed: pl.DataFrame) -> None:
    """Row errors for dates no real export holds: before 1900-01-01, or more than FUTURE_DAYS days
    after the end of the upload month (a typo such as 2062-11 or a 9999-12-31 placeholder would
    create a far-future month and count every month in between)."""
    end = month_end(prep.month) if prep.month else None
    for c in ds.columns:
        if c.kind != "date" or c.name not in prep.mapping:
            continue
        source, day = prep.mapping[c.name], pl.col(c.name)
        _flag(prep, typed, day < EARLIEST_DATE, source, f"raw__{c.name}", "a date before 1900-01-01")
        if end is not None:
            _flag(prep, typed, day > end + dt.timedelta(days=FUTURE_DAYS), source, f"raw__{c.name}",
                  f"a date more than {FUTURE_DAYS} days after {end.isoformat()}, the end of the upload "
                  f"month {prep.month}")


def _check_month(prep: Prepared) -> None:
    end = month_end(prep.month)
    if prep.dataset == "orders":
        _finding(prep, prep.rows, pl.col("order_date") > end, "after_month",
                 f"{{n}} lines are ordered after {end.isoformat()}, the end of {prep.month}: they count from "
                 "their order date.", ["first_row", "order_id", "sku", "order_date"])
    elif prep.dataset == "stock":
        start = end.replace(day=1)
        prep.rows = prep.rows.with_columns(pl.col("snapshot_date").fill_null(end))
        _finding(prep, prep.rows, ~pl.col("snapshot_date").is_between(start, end), "outside_month",
                 f"{{n}} rows have a snapshot date outside {prep.month}.", ["__row", "sku", "snapshot_date"])


def _unknown_skus(prep: Prepared, known: set[str]) -> None:
    if not known:
        return
    skus = prep.rows.get_column("sku").unique()
    unknown = skus.filter(~skus.is_in(list(known)))
    if unknown.len():
        other = "stock or products" if prep.dataset == "orders" else "orders or products"
        prep.findings.append(Finding(
            "unknown_sku", unknown.len(),
            f"{unknown.len()} SKUs are not in the {other} already loaded.",
            [{"sku": s} for s in unknown.sort().head(5).to_list()]))
