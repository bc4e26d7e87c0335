"""Excel exports written in openpyxl's write-only mode, so a large set streams row by row.

A sheet is declared by its columns (Chinese header, width, kind); rows are plain values. Text goes through
``backend.xlsx.put_text`` (a string cell, never a formula, whatever it begins with), amounts are
numbers with two decimals, hours numbers, dates real Excel dates shown as 2025年1月6日.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from backend.xlsx import put_text

DATE_FORMAT = 'yyyy"年"m"月"d"日"'
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
FORMATS = {"money": "#,##0.00", "hours": "0.00", "int": "0", "date": DATE_FORMAT, "datetime": DATETIME_FORMAT}


@dataclass(frozen=True)
class Col:
    header: str
    width: int
    kind: str = "text"  # text | int | money | hours | date | datetime


class Sheet:
    """One write-only sheet: a title row, the header row, then ``append(values)`` per row."""

    def __init__(self, wb: Workbook, name: str, title: str, columns: list[Col]):
        self.ws = wb.create_sheet(name)
        self.columns = columns
        for i, col in enumerate(columns, start=1):  # widths and panes before the first row (write-only)
            self.ws.column_dimensions[get_column_letter(i)].width = col.width
        self.ws.freeze_panes = "A3"
        head = WriteOnlyCell(self.ws)
        put_text(head, title)
        head.font = Font(bold=True, size=14)
        self.ws.append([head])
        header = []
        for col in columns:
            cell = WriteOnlyCell(self.ws)
            put_text(cell, col.header)
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            header.append(cell)
        self.ws.append(header)
        self.rows = 0

    def append(self, values: Iterable) -> None:
        cells = []
        for col, value in zip(self.columns, values, strict=True):
            cell = WriteOnlyCell(self.ws)
            if value is None or value == "":
                pass
            elif col.kind == "text":
                put_text(cell, value)
            elif col.kind in ("money", "hours"):
                cell.value = Decimal(value).quantize(Decimal("0.01"))
            elif col.kind == "int":
                cell.value = int(value)
            elif col.kind == "datetime":
                cell.value = timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
            elif col.kind == "date":
                cell.value = value if isinstance(value, dt.date) else None
            if col.kind in FORMATS:
                cell.number_format = FORMATS[col.kind]
            cells.append(cell)
        self.ws.append(cells)
        self.rows += 1


def workbook() -> Workbook:
    return Workbook(write_only=True)


def save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
