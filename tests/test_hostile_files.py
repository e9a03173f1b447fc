"""Hostile and odd files: refused with a clear message in bounded memory and time, or read right.

The hostile files are built here, small on disk, and go through the real importer in a separate
process (python -m stocklens load) whose peak memory is measured: the server must stay alive.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import zipfile

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import xlsxwriter

from stocklens import importer
from stocklens.store import load_file

from conftest import PROJECT_ROOT

GIB = 1 << 30
HEADER = ["order_id", "sku", "order_date", "qty_ordered"]

# Runs the CLI as its only child and prints the child's peak RSS (KiB) last on stderr. The
# address-space cap keeps a regression from eating the shared machine: it then crashes instead.
_MEASURE = (
    "import resource, subprocess, sys\n"
    "resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))\n"
    "r = subprocess.run([sys.executable, '-m', 'stocklens', *sys.argv[1:]])\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(r.returncode)\n"
)


def load_measured(path, store_dir, env=None, timeout=60):
    """(return code, stderr without the last line, peak RSS in bytes, seconds)."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("STOCKLENS_")}
    full_env.update(env or {})
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", _MEASURE, "load", str(path), "--dataset", "orders",
                           "--store", str(store_dir)],
                          cwd=PROJECT_ROOT, env=full_env, capture_output=True, text=True, timeout=timeout)
    seconds = time.monotonic() - start
    *lines, rss = done.stderr.strip().splitlines()
    return done.returncode, "\n".join(lines), int(rss) * 1024, seconds


def assert_refused_in_bounds(path, tmp_path, *phrases):
    code, err, rss, seconds = load_measured(path, tmp_path / "store")
    assert code == 1, err  # a refusal, not a crash (an abort is -6, the OOM killer -9)
    assert "Traceback" not in err
    assert err.startswith("File refused, nothing was stored:")
    for phrase in phrases:
        assert phrase in err
    assert seconds < 60
    assert rss < 1.5 * GIB, f"peak RSS {rss / GIB:.2f} GiB"
    return err


def write_xlsx(path, sheet_data: str, shared: list[str] | None = None):
    """A minimal workbook written by hand: one sheet "Orders", optional shared strings."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
    kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/></Types>'))
        z.writestr("_rels/.rels", f'<Relationships {rel_ns}><Relationship Id="rId1" '
                   f'Type="{kind}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook {ns} xmlns:r="{kind}"><sheets>'
                   '<sheet name="Orders" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", (
            f'<Relationships {rel_ns}>'
            f'<Relationship Id="rId1" Type="{kind}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{kind}/sharedStrings" Target="sharedStrings.xml"/>'
            '</Relationships>'))
        z.writestr("xl/worksheets/sheet1.xml", f'<worksheet {ns}><sheetData>{sheet_data}</sheetData></worksheet>')
        z.writestr("xl/sharedStrings.xml",
                   f'<sst {ns}>' + "".join(f"<si><t>{s}</t></si>" for s in shared or []) + "</sst>")


def header_row() -> str:
    cells = "".join(f'<c r="{col}1" t="inlineStr"><is><t>{h}</t></is></c>' for col, h in zip("ABCD", HEADER))
    return f'<row r="1">{cells}</row>'


def data_row(n: int) -> str:
    return (f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>SO-{n}</t></is></c>'
            f'<c r="B{n}" t="inlineStr"><is><t>SKU</t></is></c>'
            f'<c r="C{n}" t="inlineStr"><is><t>2024-03-05</t></is></c><c r="D{n}"><v>1</v></c></row>')


# --- A: hostile files, refused in bounded memory and time ------------------------------------

def test_xlsx_with_one_cell_at_the_last_column_and_row(tmp_path):
    path = tmp_path / "orders.xlsx"
    write_xlsx(path, header_row() + data_row(2) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    assert path.stat().st_size < 5_000
    # A1:XFD1048576 is 16,384 columns (XFD = 24*26*26 + 6*26 + 4) by 1,048,576 rows.
    err = assert_refused_in_bounds(path, tmp_path, "(its cells reach XFD1048576)", "16,384 columns",
                                   "limit of 1,000", "STOCKLENS_MAX_COLUMNS")
    assert "16,384 columns" in err


def test_xlsx_with_one_long_shared_string_reused(tmp_path):
    path = tmp_path / "orders.xlsx"
    long = "x" * 400_000
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c></row>' for n in range(2, 20_002))
    write_xlsx(path, header_row() + rows, shared=[long])
    assert path.stat().st_size < 120_000
    # 20,000 uses x 400,000 characters = 8 GB of text once read, over the 1 GiB default; the
    # scan stops as soon as the running total passes the limit.
    assert_refused_in_bounds(path, tmp_path, "more than the limit of 1,073,741,824",
                             "bytes of decoded text", "STOCKLENS_MAX_DECODED_BYTES")


def test_parquet_of_sixty_million_rows(tmp_path):
    path = tmp_path / "orders.parquet"
    rows = 60_000_000
    one_value = pa.DictionaryArray.from_arrays(pa.repeat(pa.scalar(0, pa.int8()), rows), pa.array(["SKU-1"]))
    pq.write_table(pa.table({"sku": one_value}), path, compression="zstd")
    assert path.stat().st_size < 5_000_000
    assert_refused_in_bounds(path, tmp_path, "orders.parquet declares 60,000,000 data rows, more than "
                             "the limit of 5,000,000", "STOCKLENS_MAX_ROWS=70000000")


def test_limits_are_raised_by_environment_variables(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(",".join(HEADER) + "\n" + "".join(f"S{i},A,2024-03-0{i},1\n" for i in range(1, 4)))
    code, err, _, _ = load_measured(path, tmp_path / "store", env={"STOCKLENS_MAX_ROWS": "2"})
    assert code == 1
    assert "orders.csv has 3 data rows, more than the limit of 2." in err
    code, err, _, _ = load_measured(path, tmp_path / "store", env={"STOCKLENS_MAX_ROWS": "3"})
    assert code == 0, err


# --- B: tracebacks and silent shadowing become refusals --------------------------------------

def refused(data: bytes, name: str) -> list:
    prep = importer.prepare(data, name, dataset="orders")
    assert prep.refused
    return prep.problems


@pytest.mark.parametrize("header, message", [
    ("order_id,sku,order_date,Qty,Qty \n", "columns 4 (D) and 5 (E) are both named 'Qty' once spaces are trimmed"),
    ("order_id,sku,order_date,Qty,Qty\n", "columns 4 (D) and 5 (E) are both named 'Qty'; rename one."),
])
def test_duplicate_csv_headers(header, message):
    problems = refused((header + "S1,A,2024-03-05,1,2\n").encode(), "orders.csv")
    assert [p.kind for p in problems] == ["unreadable"]
    assert message in problems[0].message and "rename one" in problems[0].message


def test_duplicate_xlsx_headers(tmp_path):
    path = tmp_path / "orders.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Orders")
    ws.write_row(0, 0, ["order_id", "sku", "Qty", "order_date", "Qty"])
    ws.write_row(1, 0, ["S1", "A", 1, "2024-03-05", 2])
    wb.close()
    problems = refused(path.read_bytes(), "orders.xlsx")
    assert problems[0].message == "orders.xlsx: columns 3 (C) and 5 (E) are both named 'Qty'; rename one."


def test_nested_parquet_column_is_kept_as_json_text(tmp_path, store):
    path = tmp_path / "orders.parquet"
    pq.write_table(pa.table({
        "order_id": ["P-1", "P-2"], "sku": ["A", "B"], "order_date": ["2024-03-01", "2024-03-02"],
        "qty_ordered": [1, 2], "tags": pa.array([["gift", "rush"], None]),
        "meta": pa.array([{"a": 1}, {"a": 2}]),
    }), path)
    prep, result = load_file(store, path, dataset="orders")
    assert not prep.refused, prep.problems
    assert result.rows_stored == 2
    assert prep.raw.frame.get_column("tags").to_list() == ['["gift", "rush"]', None]
    assert prep.raw.frame.get_column("meta").to_list() == ['{"a": 1}', '{"a": 2}']


# --- C: messages that said the wrong thing ----------------------------------------------------

TEXT = "order_id,sku,order_date,qty_ordered\nS1,A-1,2024-03-05,2\nS2,B-2,2024-03-06,3\n"


@pytest.mark.parametrize("codec, how", [("utf-16-le", "UTF-16 LE without BOM"), ("utf-16-be", "UTF-16 BE without BOM")])
def test_utf16_without_bom(codec, how, store, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes(TEXT.encode(codec))
    prep, result = load_file(store, path, dataset="orders")
    assert not prep.refused, prep.problems
    assert result.rows_stored == 2
    assert f"Read as CSV: {how}, comma-separated." in prep.notes
    assert store.query("select sku from orders order by order_id").get_column("sku").to_list() == ["A-1", "B-2"]


def test_cr_only_line_ends(store, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes(TEXT.replace("\n", "\r").encode())
    prep, result = load_file(store, path, dataset="orders")
    assert not prep.refused, prep.problems
    assert result.rows_stored == 2
    assert store.query("select order_id, qty_ordered from orders order by order_id").rows() == \
        [("S1", 2.0), ("S2", 3.0)]


def test_unterminated_quote_names_its_row():
    # Row 3 (S2) opens a quote before "B-2 that never closes: rows 3 to 5 would be one cell.
    data = 'order_id,sku,order_date,qty_ordered\nS1,A,2024-03-05,1\nS2,"B-2,2024-03-06,1\nS3,C,2024-03-07,1\nS4,D,2024-03-08,1\n'
    problems = refused(data.encode(), "orders.csv")
    assert problems[0].row == 3
    assert problems[0].message.startswith("orders.csv: row 3 (line 3 of the file) opens a quote (\") that never closes")


def test_long_column_lists_are_capped():
    header = ",".join(f"col{i}" for i in range(1, 31))
    problems = refused((header + "\n").encode(), "wide.csv")
    # 30 columns: the first 20 named, the other 10 counted.
    assert problems[0].message == ("wide.csv has a header (" + ", ".join(f"col{i}" for i in range(1, 21))
                                   + " … and 10 more) but no data rows.")


# --- D: silent damage -------------------------------------------------------------------------

def test_shift_jis_file(store, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes("受注番号,品番,受注日,数量,顧客\nSO-1,ＡＢ-001,2024-03-05,3,山田商店\n"
                     "SO-2,ＡＢ-002,2024-03-06,5,株式会社テスト\n".encode("cp932"))
    prep, result = load_file(store, path, dataset="orders",
                             overrides={"order_id": "受注番号", "sku": "品番", "order_date": "受注日",
                                        "qty_ordered": "数量", "customer": "顧客"})
    assert not prep.refused, prep.problems
    assert "Read as CSV: Shift-JIS (cp932), comma-separated." in prep.notes
    assert store.query("select sku, customer from orders order by order_id").rows() == \
        [("ＡＢ-001", "山田商店"), ("ＡＢ-002", "株式会社テスト")]


def test_french_cp1252_file(store, tmp_path):
    path = tmp_path / "commandes.csv"
    path.write_bytes("Commande;Article;Date;Quantité;Client\nC-1;É-1;05.03.2024;3;Crème brûlée Père Noël\n"
                     "C-2;Œ-2;06.03.2024;5;Société Générale — Paris\n".encode("cp1252"))
    prep, result = load_file(store, path, dataset="orders",
                             overrides={"order_id": "Commande", "sku": "Article", "order_date": "Date",
                                        "qty_ordered": "Quantité", "customer": "Client"})
    assert not prep.refused, prep.problems
    assert "Read as CSV: Windows-1252, semicolon-separated." in prep.notes
    assert store.query("select sku, customer from orders order by order_id").rows() == \
        [("É-1", "Crème brûlée Père Noël"), ("Œ-2", "Société Générale — Paris")]


def nul_problem(problems):
    assert len(problems) == 1
    p = problems[0]
    assert (p.row, p.column, p.value) == (3, "sku", "'B\\x00-2'")
    assert "row 3, column 'sku' holds a control character: 'B\\x00-2'" in p.message
    return p


def test_nul_in_a_csv_cell():
    nul_problem(refused(TEXT.replace("B-2", "B\x00-2").encode(), "orders.csv"))


def test_nul_in_an_xlsx_cell(tmp_path):
    path = tmp_path / "orders.xlsx"
    # _x0000_ is how OOXML writes a NUL; fastexcel turns it into the character.
    sheet = header_row() + data_row(2) + data_row(3).replace("<t>SKU</t>", "<t>B_x0000_-2</t>")
    write_xlsx(path, sheet)
    nul_problem(refused(path.read_bytes(), "orders.xlsx"))


def test_nul_in_a_parquet_cell(tmp_path):
    path = tmp_path / "orders.parquet"
    pl.DataFrame({"order_id": ["S1", "S2"], "sku": ["A-1", "B\x00-2"], "order_date": ["2024-03-05"] * 2,
                  "qty_ordered": [1, 2]}).write_parquet(path)
    nul_problem(refused(path.read_bytes(), "orders.parquet"))
