"""Table exports (CSV and Excel) that a spreadsheet cannot run as formulas."""
from __future__ import annotations

import io

import polars as pl

# A text cell starting with one of these is run as a formula by Excel, LibreOffice or Sheets.
_FORMULA_START = r"^[=+\-@\t\r]"


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix text cells that a spreadsheet would run as a formula with an apostrophe."""
    text_cols = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(_FORMULA_START)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in text_cols
    )


def _with_headers(frame: pl.DataFrame, headers: dict[str, str] | None) -> pl.DataFrame:
    """The columns renamed to the headers the table shows (display names, not query names)."""
    return frame.rename({k: v for k, v in (headers or {}).items() if k in frame.columns})


def to_csv_bytes(frame: pl.DataFrame, headers: dict[str, str] | None = None) -> bytes:
    """CSV with the display `headers` (column name -> header); unknown values are empty cells.
    UTF-8 with BOM so that Excel opens accents correctly on a double click."""
    frame = _with_headers(neutralise(frame), headers)
    return b"\xef\xbb\xbf" + frame.write_csv(null_value="").encode("utf-8")


def to_excel_bytes(frame: pl.DataFrame, sheet: str = "data", headers: dict[str, str] | None = None) -> bytes:
    """An Excel sheet with the display `headers`; unknown values are empty cells."""
    import xlsxwriter

    frame = _with_headers(neutralise(frame), headers)
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
               "in_memory": True}
    with xlsxwriter.Workbook(buffer, options) as wb:
        ws = wb.add_worksheet(sheet[:31])
        bold = wb.add_format({"bold": True})
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        for j, name in enumerate(frame.columns):
            ws.write_string(0, j, name, bold)
            dtype = frame.schema[name]
            for i, value in enumerate(frame.get_column(name).to_list(), start=1):
                if value is None:
                    continue
                if dtype == pl.String:
                    ws.write_string(i, j, value)
                elif dtype == pl.Date:
                    ws.write_datetime(i, j, value, date_fmt)
                elif dtype == pl.Boolean:
                    ws.write_boolean(i, j, value)
                elif dtype.is_numeric():
                    if value == value and value not in (float("inf"), float("-inf")):
                        ws.write_number(i, j, value)
                else:
                    ws.write_string(i, j, str(value))
        ws.freeze_panes(1, 0)
    return buffer.getvalue()
