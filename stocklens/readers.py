"""Read an uploaded file's bytes into a table of text cells.

Formats: CSV with any common delimiter and quoting, TSV, XLSX (first sheet or one by name),
Parquet. Encodings: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text"),
Windows-1252 / Latin-1. Every cell stays text here; typing happens in the importer, strictly.
The dialect is detected here, never left to a CSV sniffer that can mis-parse silently.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import PurePath

import polars as pl

from .errors import ImportRefused, Problem

DELIMITERS = [",", ";", "\t", "|"]
EXCEL_EXT = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}


@dataclass
class RawTable:
    frame: pl.DataFrame  # all columns String, names as in the file
    format: str  # csv | tsv | xlsx | parquet
    details: dict = field(default_factory=dict)  # encoding, delimiter, sheet...
    first_data_row: int = 2  # spreadsheet row number of frame row 0 (header is row 1)

    @property
    def headers(self) -> list[str]:
        return [c for c in self.frame.columns if c != "__row"]


def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> (text, encoding name)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8 with BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


def detect_delimiter(text: str) -> str:
    """The candidate that splits the first lines into the same number (>1) of fields most often."""
    sample_lines = text[:200_000].splitlines()[:50]
    sample = "\n".join(sample_lines)
    best, best_score = ",", (-1, 0)
    for d in DELIMITERS:
        try:
            rows = list(csv.reader(io.StringIO(sample), delimiter=d, quotechar='"'))
        except csv.Error:
            continue
        rows = [r for r in rows if r]
        if not rows:
            continue
        header_width = len(rows[0])
        if header_width < 2:
            continue
        consistent = sum(1 for r in rows if len(r) == header_width)
        score = (consistent, header_width)
        if score > best_score:
            best, best_score = d, score
    return best


def _read_delimited(data: bytes, name: str) -> RawTable:
    text, encoding = decode(data)
    if not text.strip():
        raise ImportRefused([Problem("empty", f"{name} is empty: there is no header and no data.")])
    delimiter = detect_delimiter(text)
    # polars reads UTF-8: the file's own bytes when they are UTF-8 already (the same bytes as
    # re-encoding the decoded text would give), else the text re-encoded.
    if encoding == "UTF-8":
        utf8 = data
    elif encoding == "UTF-8 with BOM":
        utf8 = data[3:]
    else:
        utf8 = text.encode("utf-8")
    try:
        frame = pl.read_csv(
            utf8,
            separator=delimiter,
            quote_char='"',
            infer_schema=False,
            has_header=True,
            truncate_ragged_lines=False,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise ImportRefused([_locate_csv_problem(text, delimiter, name, exc)]) from None
    # polars pads a row with too FEW fields with nulls without a word: check every row's width
    # (only needed when the last column has nulls, as a short row's last field is always one).
    if frame.width and frame.get_column(frame.columns[-1]).null_count():
        try:
            short = _ragged_row(text, delimiter, name)
        except csv.Error as err:
            short = Problem("unreadable", f"{name}: not a readable CSV file: {err}")
        if short is not None:
            raise ImportRefused([short])
    fmt = "tsv" if delimiter == "\t" else "csv"
    return RawTable(frame, fmt, {"encoding": encoding, "delimiter": delimiter})


def _ragged_row(text: str, delimiter: str, name: str) -> Problem | None:
    """The first row whose number of fields differs from the header's, as a problem."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"')
    header = next(reader, None)
    if header is None:
        return None
    for row_no, row in enumerate(reader, start=2):
        if len(row) != len(header) and any(cell.strip() for cell in row):  # blank lines carry nothing
            return Problem(
                "unreadable",
                f"{name}: row {row_no} has {len(row)} fields where the header has {len(header)} "
                f"(delimiter {delimiter!r}); check quoting on that row.",
                row=row_no,
                value=delimiter.join(row)[:120],
            )
    return None


def _locate_csv_problem(text: str, delimiter: str, name: str, exc: Exception) -> Problem:
    """Polars says what failed; the csv module says where."""
    try:
        problem = _ragged_row(text, delimiter, name)
    except csv.Error as err:
        return Problem("unreadable", f"{name}: not a readable CSV file: {err}")
    if problem is not None:
        return problem
    return Problem("unreadable", f"{name}: not a readable CSV file: {str(exc).splitlines()[0][:200]}")


def _read_excel(data: bytes, name: str, sheet: str | None) -> RawTable:
    import fastexcel

    try:
        reader = fastexcel.read_excel(data)
    except Exception as exc:  # fastexcel raises its own error types for corrupt files
        raise ImportRefused([Problem("unreadable", f"{name} is not a readable Excel workbook ({exc}).")])
    sheets = reader.sheet_names
    if sheet is not None and sheet not in sheets:
        raise ImportRefused(
            [Problem("unreadable", f"{name} has no sheet named {sheet!r}; its sheets are: {', '.join(sheets)}.")]
        )
    target = sheet if sheet is not None else 0
    try:
        frame = reader.load_sheet(target, dtypes="string").to_polars()
    except Exception as exc:
        raise ImportRefused([Problem("unreadable", f"{name}: sheet {target!r} could not be read ({exc}).")])
    frame = frame.cast(pl.String)
    return RawTable(frame, "xlsx", {"sheet": sheet or sheets[0], "sheets": sheets})


def _read_parquet(data: bytes, name: str) -> RawTable:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:
        raise ImportRefused([Problem("unreadable", f"{name} is not a readable Parquet file ({exc}).")])
    return RawTable(frame.cast(pl.String), "parquet", {})


def _blank(column: str) -> pl.Expr:
    return pl.col(column).str.strip_chars().fill_null("") == ""


def _drop_blank_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with a 0-based "__row" index first, without its entirely blank rows.

    Only rows blank in the most filled column can be blank in all: the other columns are read
    for those rows alone."""
    indexed = frame.with_row_index("__row")
    first = min(frame.columns, key=lambda c: frame.get_column(c).null_count())
    candidates = indexed.filter(_blank(first))
    if candidates.height == 0:
        return indexed
    others = [c for c in frame.columns if c != first]
    blank_rows = candidates.filter(pl.all_horizontal([_blank(c) for c in others]) if others else pl.lit(True))
    if blank_rows.height == 0:
        return indexed
    return indexed.filter(~pl.col("__row").is_in(blank_rows.get_column("__row").implode()))


def read_table(data: bytes, name: str, sheet: str | None = None) -> RawTable:
    """Read any supported file into text cells; refuse with a reason when it cannot be read."""
    if not data:
        raise ImportRefused([Problem("empty", f"{name} is empty (0 bytes).")])
    ext = PurePath(name).suffix.lower()
    if data[:4] == b"PAR1" or ext == ".parquet":
        table = _read_parquet(data, name)
    elif data[:2] == b"PK" or ext in EXCEL_EXT:
        table = _read_excel(data, name, sheet)
    else:
        if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ImportRefused(
                [Problem("unreadable", f"{name} is a binary file, not CSV, TSV, XLSX or Parquet.")]
            )
        table = _read_delimited(data, name)
    # Header names: trimmed, with stray BOMs removed.
    renamed = {c: c.replace("\ufeff", "").strip() for c in table.frame.columns}
    table.frame = table.frame.rename(renamed)
    # Rows that are entirely blank (trailing empty lines of spreadsheets) carry no data.
    if table.frame.width:
        table.frame = _drop_blank_rows(table.frame).with_columns(
            (pl.col("__row") + table.first_data_row).alias("__row")
        )
    if table.frame.height == 0:
        raise ImportRefused(
            [Problem("empty", f"{name} has a header ({', '.join(table.headers[:12])}) but no data rows.")]
        )
    return table
