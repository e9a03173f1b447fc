"""Strict parsing of text cells into numbers and dates.

Every cell arrives as text. A non-empty cell that does not parse is an error reported with its
row, column and value; nothing is silently turned into null or truncated (kpi-book section 4).
Formats are detected per file (decimal separator) or per column (date order) from the values
themselves, and what was detected is reported back to the user.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import polars as pl

# Currency symbols and codes that may surround an amount.
_CURRENCY = r"(?:[$€£¥]|USD|EUR|GBP|CHF)?"
_NUM_POINT = (
    r"^\s*" + _CURRENCY + r"\s*[+-]?" + _CURRENCY + r"\s*"
    r"(?:\d+|\d{1,3}(?:,\d{3})+|\d{1,3}(?:'\d{3})+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+)?"
    r"(?:\.\d+)?(?:[eE][+-]?\d+)?\s*-?\s*" + _CURRENCY + r"\s*$"
)
_NUM_COMMA = (
    r"^\s*" + _CURRENCY + r"\s*[+-]?" + _CURRENCY + r"\s*"
    r"(?:\d+|\d{1,3}(?:\.\d{3})+|\d{1,3}(?:[ \u00a0\u202f]\d{3})+)?"
    r"(?:,\d+)?\s*-?\s*" + _CURRENCY + r"\s*$"
)
_HAS_DIGIT = r"\d"


def detect_decimal_separator(samples: list[str], delimiter: str | None = None) -> str:
    """Decide whether ',' or '.' is the decimal separator from number-like cells.

    A value with both separators decides by whichever comes last; a value with one separator
    followed by other than exactly three digits decides for that separator. Values like 1,234
    or 1.234 are ambiguous and decide nothing. With no evidence, a ';'-separated file is taken
    as European (decimal comma), anything else as decimal point.
    """
    comma = point = 0
    # Each distinct value is judged once and counts as often as it occurs (same votes, fewer checks).
    for raw, times in Counter(samples).items():
        v = raw.strip().rstrip("-").strip()
        if not v:
            continue
        last_c, last_p = v.rfind(","), v.rfind(".")
        if last_c >= 0 and last_p >= 0:
            if last_c > last_p:
                comma += times
            else:
                point += times
        elif last_c >= 0:
            if not re.fullmatch(r"[^,]*\d,\d{3}", v) or re.search(r"\D0,\d{3}$|^0,\d{3}$", v):
                comma += times
        elif last_p >= 0:
            if not re.fullmatch(r"[^.]*\d\.\d{3}", v) or re.search(r"\D0\.\d{3}$|^0\.\d{3}$", v):
                point += times
    if comma > point:
        return ","
    if point > comma:
        return "."
    return "," if delimiter == ";" else "."


# No real quantity, price or cost reaches a trillion: a larger number (or 1e309, a 400-digit
# number, which overflow to infinity) is a broken cell, and would turn sums infinite and KPIs null.
MAX_ABS = 1e12

# Error values a spreadsheet writes where a formula failed (Excel, LibreOffice, Google Sheets).
SPREADSHEET_ERROR = r"(?i)^\s*#(?:DIV/0!|N/A|VALUE!|REF!|NAME\?|NUM!|NULL!|SPILL!|CALC!|GETTING_DATA|FIELD!|BLOCKED!|BUSY!|CONNECT!|UNKNOWN!|EXTERNAL!|PYTHON!)\s*$"
_NOT_FINITE = r"(?i)^\s*[+-]?(?:inf|infinity|nan)\s*$"
# A sign before the first digit: with a SAP trailing minus as well ("-5-", "+5-") the sign is ambiguous.
_LEADING_SIGN = r"^[^\d.,]*[+-]"


def _parse_number(col: pl.Expr, decimal: str) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(value without the range check, whether the text is a number, whether its sign is ambiguous)."""
    s = col.str.strip_chars()
    pattern = _NUM_POINT if decimal == "." else _NUM_COMMA
    ok = s.str.contains(pattern) & s.str.contains(_HAS_DIGIT)
    negative_suffix = s.str.contains(r"\d\s*-\s*" + _CURRENCY + r"\s*$")  # SAP style "5-"
    ambiguous = negative_suffix & s.str.contains(_LEADING_SIGN)
    cleaned = s.str.replace_all(r"[$€£¥\s\u00a0\u202f']|USD|EUR|GBP|CHF", "")
    if decimal == ".":
        cleaned = cleaned.str.replace_all(",", "")
    else:
        cleaned = cleaned.str.replace_all(r"\.", "").str.replace(",", ".", literal=True)
    cleaned = cleaned.str.replace(r"-$", "")
    value = cleaned.cast(pl.Float64, strict=False)
    value = pl.when(negative_suffix).then(-value).otherwise(value)
    return value, ok, ambiguous


def parse_number(col: pl.Expr, decimal: str) -> pl.Expr:
    """Text -> Float64, null where the text is empty or not a number, its sign is ambiguous
    ("-5-") or its absolute value exceeds MAX_ABS (callers flag those, see number_problem)."""
    value, ok, ambiguous = _parse_number(col, decimal)
    return pl.when(ok & ~ambiguous & (value.abs() <= MAX_ABS)).then(value).otherwise(None)


def number_problem(col: pl.Expr, decimal: str) -> pl.Expr:
    """Why parse_number refuses a cell, where a more precise reason than "not a number" exists
    (else null). Meant for the few cells that failed: it is slower than the parse."""
    value, ok, ambiguous = _parse_number(col, decimal)
    return (
        pl.when(col.str.contains(SPREADSHEET_ERROR)).then(pl.lit(spreadsheet_error_reason("number")))
        .when(col.str.contains(_NOT_FINITE)).then(pl.lit("not a finite number"))
        .when(ok & ambiguous).then(pl.lit("ambiguous sign: a leading sign and a trailing minus (SAP style) "
                                          "together"))
        .when(ok & (value.abs() > MAX_ABS)).then(pl.lit(
            "larger than 1e12 in absolute value (no real quantity, price or cost reaches a trillion)"))
        .otherwise(None)
    )


def date_problem(col: pl.Expr) -> pl.Expr:
    """Why parse_date refuses a cell, where more precise than "not a date" (else null)."""
    return pl.when(col.str.contains(SPREADSHEET_ERROR)).then(pl.lit(spreadsheet_error_reason("date")))


def spreadsheet_error_reason(kind: str) -> str:
    return (f"a spreadsheet error value left by a formula in the source, not a {kind}: fix the formula "
            "there and export again")


# Fast path: cells written as plain numbers ("12", "-3.5"; "3,5" with a decimal comma) parse with
# one cast. For such a cell parse_number strips and removes nothing, so it casts the very same
# text: the result is identical, bounded alike. Anything else (currency, thousands separators,
# spaces, "5-", exponents, bad values) goes through parse_number.
_PLAIN_NUMBER = {".": r"^[+-]?[0-9]+(?:\.[0-9]+)?$", ",": r"^[+-]?[0-9]+(?:,[0-9]+)?$"}


def is_plain_number(col: pl.Expr, decimal: str) -> pl.Expr:
    """True where the cell is a plain number that parse_plain_number reads as parse_number does."""
    return col.str.contains(_PLAIN_NUMBER[decimal])


def parse_plain_number(col: pl.Expr, decimal: str) -> pl.Expr:
    """parse_number for a column of plain numbers (see is_plain_number) and nulls only."""
    if decimal == ",":
        col = col.str.replace(",", ".", literal=True)
    value = col.cast(pl.Float64, strict=False)
    # the same bound as parse_number (a 400-digit plain number casts to inf)
    return pl.when(value.abs() <= MAX_ABS).then(value)


# --- dates -----------------------------------------------------------------------------------

_TIME_TAIL = (
    r"(?:\s*,?\s*[T ]?\s*\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[AaPp]\.?[Mm]\.?)?"
    r"\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2})?)?\s*$"
)
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january", "ene", "enero", "gen", "gennaio"),
            ("feb", "february", "febrero", "febbraio"),
            ("mar", "march", "marzo", "mär", "märz"),
            ("apr", "april", "abr", "abril", "aprile"),
            ("may", "mai", "mayo", "mag", "maggio"),
            ("jun", "june", "juni", "junio", "giu", "giugno"),
            ("jul", "july", "juli", "julio", "lug", "luglio"),
            ("aug", "august", "ago", "agosto"),
            ("sep", "sept", "september", "septiembre", "set", "settembre"),
            ("oct", "october", "okt", "oktober", "octubre", "ott", "ottobre"),
            ("nov", "november", "noviembre", "novembre"),
            ("dec", "december", "dez", "dezember", "dic", "diciembre", "dicembre"),
        ]
    )
    for m in names
}

# Each layout: (name, regex with groups a, b, c and a note on their meaning)
_LAYOUTS = {
    "iso": r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME_TAIL,
    "ymd_slash": r"^\s*(\d{4})/(\d{1,2})/(\d{1,2})" + _TIME_TAIL,
    "slash": r"^\s*(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})" + _TIME_TAIL,
    "dot": r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})" + _TIME_TAIL,
    "dash": r"^\s*(\d{1,2})-(\d{1,2})-(\d{4})" + _TIME_TAIL,
    "compact": r"^\s*(\d{4})(\d{2})(\d{2})\s*$",
    "dmonthy": r"^\s*(\d{1,2})[ -]([A-Za-zä]{3,9})\.?[ -,]*(\d{4}|\d{2})" + _TIME_TAIL,
    "monthdy": r"^\s*([A-Za-zä]{3,9})\.? (\d{1,2}),? (\d{4})" + _TIME_TAIL,
    "excel_serial": r"^\s*(\d{5})(?:\.\d+)?\s*$",
}


@dataclass(frozen=True)
class DateFormat:
    layout: str
    day_first: bool = False

    @property
    def label(self) -> str:
        return {
            "iso": "YYYY-MM-DD",
            "ymd_slash": "YYYY/MM/DD",
            "slash": "DD/MM/YYYY" if self.day_first else "MM/DD/YYYY",
            "dot": "DD.MM.YYYY",
            "dash": "DD-MM-YYYY",
            "compact": "YYYYMMDD",
            "dmonthy": "DD Mon YYYY",
            "monthdy": "Mon DD, YYYY",
            "excel_serial": "Excel serial day number",
        }[self.layout]


def detect_date_format(values: list[str]) -> DateFormat | None:
    """The layout that reads the most of these values; for d/m vs m/d, the values decide
    (a first number above 12 means day first); undecided slash dates are read month first,
    as US exports (Shopify, QuickBooks) write them, and the report says so."""
    vals = pl.Series(values, dtype=pl.String).drop_nulls()
    vals = vals.filter(vals.str.strip_chars() != "")
    if vals.len() == 0:
        return None
    best, best_hits = None, 0
    for layout, rx in _LAYOUTS.items():
        hits = int(vals.str.contains(rx).sum())
        if hits > best_hits:
            best, best_hits = layout, hits
    if best is None:
        return None
    day_first = best in ("dot", "dash", "dmonthy")
    if best == "slash":
        firsts = vals.str.extract(_LAYOUTS["slash"], 1).cast(pl.Int32, strict=False)
        seconds = vals.str.extract(_LAYOUTS["slash"], 2).cast(pl.Int32, strict=False)
        if bool((firsts > 12).any()) and not bool((seconds > 12).any()):
            day_first = True
    return DateFormat(best, day_first)


def _two_digit_year(y: pl.Expr) -> pl.Expr:
    return pl.when(y < 100).then(pl.when(y < 70).then(y + 2000).otherwise(y + 1900)).otherwise(y)


def parse_date(col: pl.Expr, fmt: DateFormat | None) -> pl.Expr:
    """Text -> Date (the calendar date as written; a time or UTC offset is dropped)."""
    if fmt is None:
        return pl.lit(None, dtype=pl.Date)
    s = col.str.strip_chars()
    rx = _LAYOUTS[fmt.layout]
    if fmt.layout == "excel_serial":
        n = s.str.extract(rx, 1).cast(pl.Int32, strict=False)
        ok = n.is_between(20000, 80000)  # 1954..2119: outside that it is not a date
        return pl.when(ok).then(pl.date(1899, 12, 30) + pl.duration(days=n)).otherwise(None)
    g1, g2, g3 = (s.str.extract(rx, i) for i in (1, 2, 3))
    if fmt.layout in ("iso", "ymd_slash", "compact"):
        y, m, d = g1.cast(pl.Int32), g2.cast(pl.Int32), g3.cast(pl.Int32)
    elif fmt.layout == "dmonthy":
        d, y = g1.cast(pl.Int32), _two_digit_year(g3.cast(pl.Int32))
        m = g2.str.to_lowercase().replace_strict(_MONTHS, default=None, return_dtype=pl.Int32)
    elif fmt.layout == "monthdy":
        m = g1.str.to_lowercase().replace_strict(_MONTHS, default=None, return_dtype=pl.Int32)
        d, y = g2.cast(pl.Int32), g3.cast(pl.Int32)
    else:
        a, b = g1.cast(pl.Int32), g2.cast(pl.Int32)
        y = _two_digit_year(g3.cast(pl.Int32))
        d, m = (a, b) if fmt.day_first else (b, a)
    text = pl.format("{}-{}-{}", y.cast(pl.String).str.zfill(4), m.cast(pl.String).str.zfill(2),
                     d.cast(pl.String).str.zfill(2))
    # strict=False gives null for impossible dates (2024-02-30); callers flag those as errors.
    return text.str.strptime(pl.Date, "%Y-%m-%d", strict=False)


# Fast path for ISO dates as most systems write them ("2024-01-05", "2024-01-05 10:30:00",
# "2024-01-05T10:30"). For such a cell parse_date's groups are its first ten characters and the
# text it builds from them is exactly those characters, so one strptime of them gives the same
# date (and the same null for an impossible date such as 2024-02-30).
_PLAIN_ISO = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2})?)?$"


def is_plain_date(col: pl.Expr, fmt: DateFormat | None) -> pl.Expr | None:
    """True where parse_plain_date reads the cell as parse_date does; None: no fast path for fmt."""
    if fmt is None or fmt.layout != "iso":
        return None
    return col.str.contains(_PLAIN_ISO)


def parse_plain_date(col: pl.Expr, fmt: DateFormat) -> pl.Expr:
    """parse_date for a column of plain ISO dates (see is_plain_date) and nulls only."""
    return col.str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
