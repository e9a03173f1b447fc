"""Read an uploaded file's bytes into a table of text cells.

Formats: CSV with any common delimiter and quoting, TSV, XLSX (first sheet or one by name),
Parquet. Encodings: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text"),
UTF-16 without BOM, other encodings
detected by charset-normalizer when it is confident, else Windows-1252. Every cell stays text here; typing happens in the importer, strictly.
The dialect is detected here, never left to a CSV sniffer that can mis-parse silently.
"""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import PurePath
from xml.etree import ElementTree

import polars as pl

from . import limits
from .errors import ImportRefused, Problem

DELIMITERS = [",", ";", "\t", "|"]
EXCEL_EXT = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}


@dataclass
class RawTable:
    frame: pl.DataFrame  # all columns String, names as in the file
    format: str  # csv | tsv | xlsx | parquet
    details: dict = field(default_factory=dict)  # encoding, delimiter, sheet...
    first_data_row: int = 2  # spreadsheet row number of frame row 0 (header is row 1)
    no_controls: bool = False  # the reader already knows no cell holds a control character

    @property
    def headers(self) -> list[str]:
        return [c for c in self.frame.columns if c != "__row"]


# Single-byte encodings charset-normalizer may pick for Western text (cp1250 for French, ...):
# there the Western fallback is as good a reading and the usual one.
WESTERN = "cp1252"
ENCODING_NAMES = {"cp932": "Shift-JIS (cp932)", "shift_jis": "Shift-JIS", "cp1251": "Windows-1251",
                  "gb18030": "GB18030", "gbk": "GBK", "big5": "Big5", "euc_jp": "EUC-JP", "euc_kr": "EUC-KR",
                  "cp949": "Korean (cp949)", "utf_16_le": "UTF-16 LE", "utf_16_be": "UTF-16 BE"}


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when NULs sit at alternating positions (ASCII text in UTF-16)."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    odd = sample[1::2].count(0)
    even = sample[0::2].count(0)
    if odd >= 0.6 * pairs and even <= 0.05 * pairs:
        return "utf-16-le"
    if even >= 0.6 * pairs and odd <= 0.05 * pairs:
        return "utf-16-be"
    return None


def _guess_encoding(data: bytes) -> str | None:
    """charset-normalizer's pick for bytes that are not UTF-8, when it is confident and the pick is
    not just another Western single-byte code page; None means: use the Western fallback."""
    from charset_normalizer import from_bytes

    sample = data[:1_000_000]
    cut = sample.rfind(b"\n")  # whole lines: no multi-byte character is cut (their bytes are never 0x0A)
    if len(data) > len(sample) and cut > 0:
        sample = sample[:cut + 1]
    best = from_bytes(sample).best()
    if best is None or best.chaos > 0.1:
        return None
    candidates = set(best.could_be_from_charset) | {best.encoding}
    if WESTERN in candidates or not _multi_byte_or_non_latin(best.encoding):
        return None
    return best.encoding


def _multi_byte_or_non_latin(encoding: str) -> bool:
    latin = ("cp125", "iso8859", "latin", "mac_", "cp437", "cp850", "cp775", "cp1006", "hp_", "cp858")
    return not encoding.startswith(latin) or encoding in ("cp1251", "iso8859_5", "cp1253", "iso8859_7",
                                                          "cp1255", "cp1256", "iso8859_8", "iso8859_6")


def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> (text, encoding name)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "UTF-8 with BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        try:
            return data.decode(utf16), ("UTF-16 LE" if utf16.endswith("le") else "UTF-16 BE") + " without BOM"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    guessed = _guess_encoding(data)
    if guessed is not None:
        try:
            return data.decode(guessed), ENCODING_NAMES.get(guessed, guessed)
        except (UnicodeDecodeError, LookupError):
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
    # Python text takes up to 4 bytes a character: check the raw size before decoding, the
    # UTF-8 size after.
    limits.check(name, "STOCKLENS_MAX_DECODED_BYTES", len(data), "is")
    text, encoding = decode(data)
    if not text.strip():
        raise ImportRefused([Problem("empty", f"{name} is empty: there is no header and no data.")])
    details = {"encoding": encoding}
    if "\r" in text and "\n" not in text:
        # Old Mac / some exporters end lines with CR alone, which polars does not split on.
        text = text.replace("\r", "\n")
        details["line_ends"] = "CR"
    delimiter = detect_delimiter(text)
    details["delimiter"] = delimiter
    header = next(csv.reader(io.StringIO(text[:1_000_000]), delimiter=delimiter, quotechar='"'), [])
    limits.check(name, "STOCKLENS_MAX_COLUMNS", len(header), "has")
    _check_header(list(enumerate(header, start=1)), name)
    if text.count('"') % 2:
        unclosed = _unclosed_quote(text, delimiter, name)
        if unclosed is not None:
            raise ImportRefused([unclosed])
    # polars reads UTF-8: the file's own bytes when they are UTF-8 already (the same bytes as
    # re-encoding the decoded text would give), else the text re-encoded.
    if encoding == "UTF-8" and "line_ends" not in details:
        utf8 = data
    elif encoding == "UTF-8 with BOM" and "line_ends" not in details:
        utf8 = data[3:]
    else:
        utf8 = text.encode("utf-8")
    limits.check(name, "STOCKLENS_MAX_DECODED_BYTES", len(utf8), "decodes to")
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
    except Exception as exc:
        raise ImportRefused([Problem("unreadable", f"{name}: not a readable CSV file: {_short(exc)}")]) from None
    limits.check(name, "STOCKLENS_MAX_ROWS", frame.height, "has")
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
    table = RawTable(frame, fmt, details)
    # In UTF-8 a control byte is always that control character: none in the bytes, none in a cell.
    table.no_controls = len(utf8.translate(None, CONTROL_BYTES)) == len(utf8)
    return table


def _unclosed_quote(text: str, delimiter: str, name: str) -> Problem | None:
    """A quote that opens a field and never closes swallows the rest of the file into one cell:
    it is in the last record, which the strict csv reader ends with "unexpected end of data"."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar='"')
    row_no, start, next_start = 0, 1, 1
    try:
        for row_no, _ in enumerate(reader, start=1):
            start, next_start = next_start, reader.line_num + 1
    except csv.Error:
        return None
    if row_no == 0:
        return None
    lines = text.split("\n")
    tail = "\n".join(lines[start - 1:])
    try:
        list(csv.reader(io.StringIO(tail), delimiter=delimiter, quotechar='"', strict=True))
    except csv.Error as err:
        if "unexpected end of data" not in str(err):
            return None
        return Problem(
            "unreadable",
            f"{name}: row {row_no} (line {start} of the file) opens a quote (\") that never closes, so "
            f"the rest of the file would be read as one cell; close or remove that quote.",
            row=row_no, value=lines[start - 1][:120])
    return None


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
    unclosed = _unclosed_quote(text, delimiter, name)
    if unclosed is not None:
        return unclosed
    try:
        problem = _ragged_row(text, delimiter, name)
    except csv.Error as err:
        return Problem("unreadable", f"{name}: not a readable CSV file: {err}")
    if problem is not None:
        return problem
    return Problem("unreadable", f"{name}: not a readable CSV file: {str(exc).splitlines()[0][:200]}")


# --- Excel: measured from the zip and the sheet XML before fastexcel sees the bytes ------------
# fastexcel (calamine) allocates the whole used rectangle of a sheet, empty cells too, and every
# reuse of a shared string as its own text: a few KB can declare hundreds of GB.

_NS = r"(?:[A-Za-z_][\w.-]*:)?"  # some writers prefix every tag (<x:c ...>)
_CELL_REF = rf'<{_NS}c\b[^>]*?\br="[A-Z]+[0-9]+"'
_ROW_REF = rf'<{_NS}row\b[^>]*?\br="[0-9]+"'
_SHARED_CELL = rf'<{_NS}c\b[^>]*?\bt="s"[^>]*>\s*<{_NS}v>[0-9]+</'
# A cell holding a formula's error value (#DIV/0!, #N/A, ...): fastexcel reads it as empty.
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?\bt="e"[^>]*)>(.*?)</(?:\w+:)?c>', re.S)
_REL_RE = re.compile(rb'<(?:\w+:)?Relationship\b[^>]*>')
_SHEET_RE = re.compile(rb'<(?:\w+:)?sheet\b[^>]*>')
_ATTR_RE = re.compile(rb'\b([\w:]+)="([^"]*)"')
CHUNK = 8 << 20


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _col_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _attrs(tag: bytes) -> dict[str, str]:
    import html

    return {k.decode().split(":")[-1]: html.unescape(v.decode("utf-8", "replace")) for k, v in _ATTR_RE.findall(tag)}


def _sheet_parts(zf: zipfile.ZipFile, sheet: str | None) -> tuple[str | None, str | None]:
    """(sheet XML path, shared strings path) of the sheet fastexcel will read, from the workbook."""
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return None, None
    rels = {a.get("Id"): a for a in map(_attrs, _REL_RE.findall(zf.read("xl/_rels/workbook.xml.rels")))}
    sheets = [_attrs(t) for t in _SHEET_RE.findall(zf.read("xl/workbook.xml"))]
    wanted = sheets[0] if sheet is None and sheets else next((a for a in sheets if a.get("name") == sheet), None)

    def part(target: str | None) -> str | None:
        if not target:
            return None
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        return path if path in names else None

    shared = next((part(a.get("Target")) for a in rels.values() if a.get("Type", "").endswith("/sharedStrings")), None)
    if wanted is None:
        return None, shared
    rel = rels.get(wanted.get("id"))
    return part(rel.get("Target") if rel else None), shared


def _text_of(xml: bytes) -> str:
    """The text of a shared or inline string (<t> runs, without phonetic <rPh> runs)."""
    import html

    xml = re.sub(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", b"", xml, flags=re.S)
    return "".join(html.unescape(t.decode("utf-8", "replace"))
                   for t in re.findall(rb"<(?:\w+:)?t\b[^>]*>(.*?)</(?:\w+:)?t>", xml, flags=re.S))


def _header_cells(row_xml: bytes, shared: bytes, si_starts: list[int]) -> list[tuple[int, str]]:
    """(column number, text) of the cells of the header row's XML."""
    out, col = [], 0
    for m in re.finditer(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", row_xml, flags=re.S):
        attrs, body = _attrs(m.group(1)), m.group(2) or b""
        ref = re.match(r"[A-Z]+", attrs.get("r", ""))
        col = _col_index(ref.group(0)) if ref else col + 1
        kind = attrs.get("t")
        value = re.search(rb"<(?:\w+:)?v>(.*?)</", body, flags=re.S)
        if kind == "s" and value and value.group(1).strip().isdigit():
            i = int(value.group(1))
            text = _text_of(shared[si_starts[i]:si_starts[i + 1]]) if i + 1 < len(si_starts) else ""
        elif kind == "inlineStr":
            text = _text_of(body)
        else:
            import html

            text = html.unescape(value.group(1).decode("utf-8", "replace")) if value else ""
        out.append((col, text))
    return out


def _xlsx_precheck(data: bytes, name: str, sheet: str | None,
                   found: dict) -> list[tuple[int, str]] | None:
    """Refuse a workbook that would not fit the limits once read; return its header cells (or None
    when the file is not an OOXML workbook fastexcel could read: it then says why itself), and
    note what _scan_sheet notes in `found`."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    # Declared uncompressed sizes; zipfile stops at the declared size when reading, so a lying
    # entry cannot make the scan below read more.
    limits.check(name, "STOCKLENS_MAX_DECODED_BYTES", sum(i.file_size for i in infos), "unpacks to")
    try:
        part, shared_part = _sheet_parts(zf, sheet)
        if part is None:
            return None
        shared = zf.read(shared_part) if shared_part else b""
        # Each <si> item's XML length is an upper bound of its text's length.
        pieces = shared.split(b"<si")
        si_starts, pos = [], len(pieces[0])
        for piece in pieces[1:]:
            si_starts.append(pos)
            pos += len(piece) + 3
        si_starts.append(len(shared))
        si_lengths = pl.Series([b - a for a, b in zip(si_starts, si_starts[1:])], dtype=pl.Int64)
        return _scan_sheet(zf, part, name, shared, si_starts, si_lengths, found)
    except (zipfile.BadZipFile, zlib.error, KeyError, EOFError, OSError, RuntimeError):
        return None  # a broken part: fastexcel refuses the file with its own reason


_SHAPE = bytes.maketrans(bytes(range(65, 91)) + b"0123456789", b"A" * 26 + b"0" * 10)


def _pieces(zf: zipfile.ZipFile, part: str):
    """The sheet XML in chunks that end after a complete cell or row."""
    carry = b""
    with zf.open(part) as f:
        while True:
            chunk = f.read(CHUNK)
            if not chunk:
                if carry:
                    yield carry
                return
            buf = carry + chunk
            cut = max(buf.rfind(b"</c>") + 4, buf.rfind(b"</row>") + 6, buf.rfind(b"/>") + 2)
            if cut <= 6:
                carry = buf
                continue
            yield buf[:cut]
            carry = buf[cut:]


def _error_cells(piece: bytes) -> list[tuple[int, int, str]]:
    """(row, column number, text) of the cells of a piece of sheet XML that hold an error value."""
    out = []
    for m in _ERROR_CELL.finditer(piece):
        ref = re.match(r"([A-Z]+)([0-9]+)$", _attrs(m.group(1)).get("r", ""))
        value = re.search(rb"<(?:\w+:)?v>(.*?)</", m.group(2), flags=re.S)
        if ref and value:
            out.append((int(ref.group(2)), _col_index(ref.group(1)), value.group(1).decode("utf-8", "replace")))
    return out


def _scan_sheet(zf, part, name, shared, si_starts, si_lengths, found: dict) -> list[tuple[int, str]]:
    """Measure the sheet: decoded text size, and the used rectangle fastexcel would allocate.
    Note in `found` the header's row number ("header_row") and the cells holding an error value
    ("errors", see _error_cells).

    Fast path (bytes operations in C): with letters -> "A" and digits -> "0", the longest column
    reference and the longest row number found bound the rectangle. Only when that bound passes a
    limit are the references read exactly (slower: wide or very tall sheets)."""
    text_bytes, letters, digits, header_xml, shared_cells = 0, 0, 0, None, 0
    tall_is_fine = limits.max_rows() >= 1_048_575 and 26 * 1_048_576 <= limits.max_cells()
    for piece in _pieces(zf, part):
        text_bytes += len(piece)
        if header_xml is None:
            m = re.search(rb"<(?:\w+:)?row\b[^>]*>.*?</(?:\w+:)?row>", piece, flags=re.S)
            header_xml = m.group(0) if m else None
        shape = piece.translate(_SHAPE)
        # "at least k letters / d digits": 3 letters and 7 digits already reach Excel's maximum.
        letters = max(letters, next((k for k in (3, 2, 1) if k > letters and shape.find(b' r="' + b"A" * k) >= 0), 0))
        if not tall_is_fine or letters > 1:  # with 26 columns at most, Excel's row maximum fits the limits
            digits = max(digits, next((d for d in (7, 6, 5, 4, 3, 2, 1) if d > digits
                                       and (shape.find(b'A' + b"0" * d) >= 0 or shape.find(b'r="' + b"0" * d) >= 0)), 0))
        shared_cells += piece.count(b't="s"')
        if b't="e"' in piece:
            found.setdefault("errors", []).extend(_error_cells(piece))
        limits.check(name, "STOCKLENS_MAX_DECODED_BYTES", text_bytes, "holds at least")
    # Shared strings: every use is its own text once read. Uses x the longest string bounds it;
    # only past the limit is each use added up (a long string reused thousands of times).
    longest = si_lengths.max() or 0 if si_lengths.len() else 0
    if text_bytes + shared_cells * longest > limits.max_decoded_bytes():
        _shared_text_size(zf, part, name, si_lengths, text_bytes)
    # Excel's own maximum is XFD1048576.
    width_bound = 16_384 if letters >= 3 else sum(26 ** k for k in range(1, letters + 1))
    height_bound = 1_048_576 if digits >= 7 or (tall_is_fine and letters <= 1) else 10 ** digits - 1
    if (width_bound > limits.max_columns() or height_bound - 1 > limits.max_rows()
            or width_bound * height_bound > limits.max_cells()):
        _exact_extent(zf, part, name)
    row_number = re.match(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]+)"', header_xml or b"")
    found["header_row"] = int(row_number.group(1)) if row_number else 1
    return _header_cells(header_xml or b"", shared, si_starts)


def _shared_text_size(zf, part, name, si_lengths, text_bytes) -> None:
    """Add each shared-string use's length to `text_bytes`, refusing as soon as it passes the limit."""
    for piece in _pieces(zf, part):
        idx = (pl.Series([piece.decode("latin-1")]).str.extract_all(_SHARED_CELL).explode().drop_nulls()
               .str.extract(r">([0-9]+)</$", 1).cast(pl.Int64, strict=False).drop_nulls())
        idx = idx.filter(idx < si_lengths.len())
        text_bytes += si_lengths.gather(idx).sum() if idx.len() else 0
        limits.check(name, "STOCKLENS_MAX_DECODED_BYTES", text_bytes, "holds at least")


def _exact_extent(zf, part, name) -> None:
    """Refuse a sheet whose used cells span more rows, columns or cells than the limits allow."""
    min_row = min_col = 1 << 62
    max_row = max_col = 0
    max_ref = ""
    for piece in _pieces(zf, part):
        ser = pl.Series([piece.decode("latin-1")])
        refs = ser.str.extract_all(_CELL_REF).explode().drop_nulls()
        if refs.len():
            col_letters = refs.str.extract(r'r="([A-Z]+)', 1)
            rows = refs.str.extract(r'r="[A-Z]+([0-9]+)"', 1).cast(pl.Int64, strict=False)
            size = col_letters.str.len_bytes()
            widest = col_letters.filter(size == size.max()).max()
            narrowest = col_letters.filter(size == size.min()).min()
            if _col_index(widest) > max_col:
                max_col, max_ref = _col_index(widest), widest
            min_col = min(min_col, _col_index(narrowest))
            max_row = max(max_row, rows.max() or 0)
            min_row = min(min_row, rows.min() or 1)
        row_tags = ser.str.extract_all(_ROW_REF).explode().drop_nulls()
        if row_tags.len():
            max_row = max(max_row, row_tags.str.extract(r'r="([0-9]+)"', 1).cast(pl.Int64).max() or 0)
    if not max_col:
        return
    width, height = max_col - min_col + 1, max_row - min(min_row, max_row) + 1
    spans = f"(its cells reach {max_ref}{max_row}) spans"
    limits.check(name, "STOCKLENS_MAX_COLUMNS", width, spans)
    limits.check(name, "STOCKLENS_MAX_ROWS", height - 1, spans)
    limits.check(name, "STOCKLENS_MAX_CELLS", width * height, spans)


def _read_excel(data: bytes, name: str, sheet: str | None) -> RawTable:
    import fastexcel

    found: dict = {}
    header = _xlsx_precheck(data, name, sheet, found)
    if header:
        _check_header([(col, text) for col, text in header], name)
    try:
        reader = fastexcel.read_excel(data)
    except Exception as exc:  # fastexcel raises its own error types for corrupt files
        raise ImportRefused([Problem("unreadable", f"{name} is not a readable Excel workbook ({_short(exc)}).")])
    sheets = reader.sheet_names
    if sheet is not None and sheet not in sheets:
        raise ImportRefused(
            [Problem("unreadable", f"{name} has no sheet named {sheet!r}; its sheets are: {limits.name_list(sheets)}.")]
        )
    target = sheet if sheet is not None else 0
    try:
        frame = reader.load_sheet(target, dtypes="string").to_polars()
        frame = frame.cast(pl.String)
    except Exception as exc:
        raise ImportRefused([Problem("unreadable", f"{name}: sheet {target!r} could not be read ({_short(exc)}).")])
    if found.get("errors") and header:
        frame = _with_error_values(frame, header, found["header_row"], found["errors"])
    return RawTable(frame, "xlsx", {"sheet": sheet or sheets[0], "sheets": sheets})


def _with_error_values(frame: pl.DataFrame, header: list[tuple[int, str]], header_row: int,
                       errors: list[tuple[int, int, str]]) -> pl.DataFrame:
    """Put the error values (#DIV/0!, #N/A, ...) fastexcel read as empty back into their cells, so
    that they are refused with their row and column like the same text in a CSV file, not taken
    as blanks. The frame's first row is the sheet row after the header's."""
    first_col = min(col for col, _ in header)
    updates: dict[str, dict[int, str]] = {}
    for row, col, text in errors:
        i, j = row - header_row - 1, col - first_col
        if 0 <= i < frame.height and 0 <= j < frame.width:
            updates.setdefault(frame.columns[j], {})[i] = text
    if not updates:
        return frame
    index = pl.int_range(pl.len())
    return frame.with_columns(
        pl.when(index.is_in(list(cells))).then(index.replace_strict(cells, default=None, return_dtype=pl.String))
        .otherwise(pl.col(name)).alias(name)
        for name, cells in updates.items())


# --- Parquet: row counts and sizes from the footer before any data is read -------------------

def _read_parquet(data: bytes, name: str) -> RawTable:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(io.BytesIO(data))
        meta = pf.metadata
    except Exception as exc:
        raise ImportRefused([Problem("unreadable", f"{name} is not a readable Parquet file ({_short(exc)}).")])
    limits.check(name, "STOCKLENS_MAX_ROWS", meta.num_rows, "declares")
    names = pf.schema_arrow.names
    limits.check(name, "STOCKLENS_MAX_COLUMNS", len(names), "declares")
    _check_header(list(enumerate(names, start=1)), name)
    uncompressed = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    limits.check(name, "STOCKLENS_MAX_DECODED_BYTES", uncompressed, "declares")
    try:
        # Strings stay dictionary-encoded until their decoded size is known (a one-value
        # dictionary repeated over millions of rows is tiny on disk and huge as text).
        strings = [f.name for f in pf.schema_arrow if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
        table = pq.ParquetFile(io.BytesIO(data), read_dictionary=strings).read()
        decoded = 0
        for col in table.columns:
            decoded += _text_size(col)
        limits.check(name, "STOCKLENS_MAX_DECODED_BYTES", decoded, "holds")
        columns = {}
        for f, col in zip(table.schema, table.columns):
            if pa.types.is_nested(f.type):
                # Nested values (lists, structs, maps) as their JSON text: a nested column the
                # mapping does not use must not refuse the file; a used one fails typing by row.
                columns[f.name] = pl.Series(f.name, [None if v is None else json.dumps(v, default=str, ensure_ascii=False)
                                                     for v in col.to_pylist()], dtype=pl.String)
            else:
                columns[f.name] = pl.from_arrow(col).alias(f.name).cast(pl.String)
        frame = pl.DataFrame(columns) if columns else pl.DataFrame()
    except ImportRefused:
        raise
    except Exception as exc:
        raise ImportRefused([Problem("unreadable", f"{name}: the Parquet data could not be read ({_short(exc)}).")])
    return RawTable(frame, "parquet", {})


def _text_size(col) -> int:
    """Bytes the column takes as text: dictionary values counted once per use."""
    import pyarrow as pa
    import pyarrow.compute as pc

    total = 0
    for chunk in col.chunks:
        if pa.types.is_dictionary(chunk.type):
            lengths = pc.binary_length(chunk.dictionary)
            if len(chunk.indices) and len(lengths):
                used = pc.take(lengths, chunk.indices)
                total += pc.sum(used).as_py() or 0
        elif pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type) or pa.types.is_binary(chunk.type):
            total += chunk.nbytes
        else:
            total += len(chunk) * 24  # a number or date as text: at most about 24 characters
    return total


def _short(exc: Exception) -> str:
    """The first line of an error, at most 200 characters: a reason, not a traceback."""
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _check_header(cells: list[tuple[int, str]], name: str) -> None:
    """Refuse two columns whose names are equal once trimmed: one would silently shadow the other."""
    seen: dict[str, int] = {}
    clashes = []
    for col, text in cells:
        key = str(text).replace("\ufeff", "").strip()
        if not key:
            continue  # unnamed columns carry no mapping
        if key in seen:
            clashes.append((seen[key], col, key))
        else:
            seen[key] = col
    if clashes:
        raw = dict(cells)
        problems = [Problem(
            "unreadable",
            f"{name}: columns {a} ({_col_letters(a)}) and {b} ({_col_letters(b)}) are both named {key!r}"
            f"{' once spaces are trimmed' if raw[a] != raw[b] else ''}; rename one.", column=key)
            for a, b, key in clashes[:limits.LIST_SHOWN]]
        raise ImportRefused(problems)


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


CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"  # C0 controls but tab, line feed and carriage return
CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))


def _control_characters(table: RawTable, name: str) -> list[Problem]:
    """A NUL or other control character in a cell (a SKU "A\\x00B") is silent damage: refuse,
    showing the value escaped."""
    problems = []
    for column in table.headers:
        hits = table.frame.filter(pl.col(column).str.contains(CONTROL))
        if hits.height == 0:
            continue
        row, value = hits.select("__row", column).row(0)
        more = f" ({hits.height - 1:,} more rows in this column)" if hits.height > 1 else ""
        problems.append(Problem(
            "unreadable",
            f"{name}: row {row}, column {column!r} holds a control character: {value!r}"[:300] + more
            + "; remove it in the source system or export again.",
            row=row, column=column, value=repr(value)[:120]))
    bad_names = [c for c in table.headers if re.search(CONTROL, c)]
    problems += [Problem("unreadable", f"{name}: the header {c!r} holds a control character; rename it.",
                         row=1, column=repr(c)) for c in bad_names[:limits.LIST_SHOWN]]
    return problems[:limits.LIST_SHOWN]


def _looks_binary(data: bytes) -> bool:
    """More than 10% of the first 4 KB are control bytes: not a text file (a text file with a
    stray NUL in a cell is refused later, naming the cell)."""
    sample = data[:4096]
    controls = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 13))
    return controls > 0.1 * len(sample)


def read_table(data: bytes, name: str, sheet: str | None = None) -> RawTable:
    """Read any supported file into text cells; refuse with a reason when it cannot be read."""
    if not data:
        raise ImportRefused([Problem("empty", f"{name} is empty (0 bytes).")])
    try:
        table = _read_any(data, name, sheet)
    except ImportRefused:
        raise
    except MemoryError:
        raise ImportRefused([Problem("too_large", f"{name} does not fit in memory once read.")]) from None
    except Exception as exc:  # any other failure of a reader library: a reason, not a traceback
        raise ImportRefused([Problem("unreadable", f"{name} could not be read ({_short(exc)}).")]) from None
    return table


def _read_any(data: bytes, name: str, sheet: str | None) -> RawTable:
    ext = PurePath(name).suffix.lower()
    if data[:4] == b"PAR1" or ext == ".parquet":
        table = _read_parquet(data, name)
    elif data[:2] == b"PK" or ext in EXCEL_EXT:
        table = _read_excel(data, name, sheet)
    else:
        if (b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
                and _utf16_without_bom(data) is None and _looks_binary(data)):
            raise ImportRefused(
                [Problem("unreadable", f"{name} is a binary file, not CSV, TSV, XLSX or Parquet.")]
            )
        table = _read_delimited(data, name)
    # Header names: trimmed, with stray BOMs removed.
    renamed = {c: c.replace("\ufeff", "").strip() for c in table.frame.columns}
    if len(set(renamed.values())) < len(renamed):  # a reader's own de-duplicated names: never silent
        _check_header(list(enumerate(renamed.values(), start=1)), name)
    table.frame = table.frame.rename(renamed)
    # Rows that are entirely blank (trailing empty lines of spreadsheets) carry no data.
    if table.frame.width:
        table.frame = _drop_blank_rows(table.frame).with_columns(
            (pl.col("__row") + table.first_data_row).alias("__row")
        )
    if table.frame.height == 0:
        raise ImportRefused(
            [Problem("empty", f"{name} has a header ({limits.name_list(table.headers)}) but no data rows.")]
        )
    problems = [] if table.no_controls else _control_characters(table, name)
    if problems:
        raise ImportRefused(problems)
    return table
