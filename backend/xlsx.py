"""Excel safety shared by every file the system writes or reads: text never becomes a formula, and a file
is read only once it is known to be a whole, reasonably sized .xlsx.

- Writing: ``put_text`` stores text as a string cell; a value beginning with = + - @ or a tab or CR gets
  Excel's quote prefix (the apostrophe Excel shows), so neither Excel nor LibreOffice evaluates it, even
  after the cell is edited. Control characters, which an .xlsx cannot hold, are dropped.
- Reading: ``load_xlsx`` refuses an old .xls or an encrypted workbook (both OLE files), anything that is
  not a zip, a zip bomb (checked before openpyxl inflates it) and a damaged file, each with one message a
  person can act on; formulas are kept as formulas so a caller can refuse them (``formula_cells``) rather
  than read a formula's cached result.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from backend.errors import ValidationFailed

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # a zip bomb is refused before openpyxl inflates it

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


def put_text(cell, value) -> None:
    """Put text in a cell as a string, never a formula, whatever it begins with."""
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))  # control characters cannot be stored in xlsx at all
    if not text:
        cell.value = None
        return
    cell.value = text
    cell.data_type = "s"  # openpyxl makes "=…" a formula on assignment: undo that
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True  # Excel's own "typed with a leading apostrophe": stays text when edited


def file_error(zh: str, en: str) -> ValidationFailed:
    """An error about the whole file, listed once in its own ``errors`` so import pages show it as a row."""
    inner = ValidationFailed(zh, en, field="file")
    return ValidationFailed(zh, en, field="file", errors=[inner])


def read_bytes(file, *, limit: int = MAX_FILE_BYTES) -> bytes:
    """The file's bytes: from bytes, a path, or anything with ``read()`` (an uploaded file); at most ``limit``."""
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    elif isinstance(file, str | Path):
        with open(file, "rb") as f:
            data = f.read(limit + 1)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(limit + 1)
    if len(data) > limit:
        raise file_error(
            f"文件超过 {limit // 1024 // 1024} MB。",
            f"The file is larger than {limit // 1024 // 1024} MB.",
        )
    return data


def looks_like_excel(data: bytes) -> bool:
    """Whether the bytes begin as an .xlsx (a zip) or an old .xls / encrypted workbook (an OLE file) does."""
    return data.startswith((EXCEL_MAGIC, OLE_MAGIC))


def load_xlsx(file):
    """The workbook, formulas kept as formulas (never their cached results), or one error saying why not."""
    data = read_bytes(file)
    if data.startswith(OLE_MAGIC):
        raise file_error(
            "这是旧版 .xls 或加密的 Excel 文件，请在 Excel 中“另存为” .xlsx（不设密码）后再导入。",
            "This is an old .xls or an encrypted workbook: save it as .xlsx (without a password) and retry.",
        )
    if not data.startswith(EXCEL_MAGIC):
        raise file_error("文件不是 Excel (.xlsx) 文件。", "The file is not an Excel (.xlsx) workbook.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if sum(info.file_size for info in z.infolist()) > MAX_UNPACKED_BYTES:
                raise file_error("文件解压后过大。", "The workbook is too large once unpacked.")
            bad = z.testzip()
        if bad is not None:
            raise zipfile.BadZipFile(bad)
        # openpyxl raises many kinds of error on a damaged part (KeyError, ValueError, XML parse errors…);
        # whichever it is, the person importing needs the same answer.
        return load_workbook(io.BytesIO(data), data_only=False, rich_text=False)
    except ValidationFailed:
        raise
    except Exception:
        raise file_error(
            "Excel 文件已损坏或不完整，无法读取；请重新保存后再导入。",
            "The Excel file is damaged or incomplete and cannot be read; save it again and retry.",
        ) from None


def at_cell(row: int, column: int, zh: str, en: str, *, field: str | None = None) -> ValidationFailed:
    """An error placed at a row and column letter (第 5 行 C 列：…)."""
    letter = get_column_letter(column)
    return ValidationFailed(
        f"第 {row} 行 {letter} 列：{zh}", f"Row {row}, column {letter}: {en}", field=field, row=row
    )


def formula_cells(ws, min_row: int, max_row: int, max_col: int) -> list:
    """The cells of the range that hold a formula."""
    return [
        cell
        for cells in ws.iter_rows(min_row=min_row, max_row=max_row, max_col=max_col)
        for cell in cells
        if cell.data_type == "f"
    ]


def formula_error(cell) -> ValidationFailed:
    """The error for a formula found where a value was expected."""
    return at_cell(
        cell.row,
        cell.column,
        f"单元格 {cell.coordinate} 是公式，请改为直接填写数值或文字。",
        f"Cell {cell.coordinate} holds a formula; enter the value itself.",
        field="formula",
    )
