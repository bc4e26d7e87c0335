"""What a person typed or a spreadsheet cell held, read the same way everywhere.

Form values (``form_int``, ``form_date``) come from a page's query string or POST body as text; cell values
(``cell_text``, ``whole_number``) come from openpyxl or a CSV reader, where a whole number may arrive as a
float, a date as a datetime at midnight and a space as the ideographic space an IME typed.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from backend.errors import ValidationFailed

_WHOLE = re.compile(r"[+-]?[0-9]+")


def form_int(value, default: int | None = None) -> int | None:
    """The integer a form field holds, or ``default`` when it holds none."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def form_date(value, *, field: str, required: bool = False, default: dt.date | None = None) -> dt.date | None:
    """The ISO date a form field holds; empty gives ``default`` (or, when ``required``, an error)."""
    if isinstance(value, str):
        value = value.strip()
    if value in (None, ""):
        if default is not None or not required:
            return default
        raise ValidationFailed("请填写日期。", "Please give the date.", field=field)
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationFailed(
            f"日期“{value}”格式不正确。", f"'{value}' is not a date.", field=field
        ) from None


def cell_text(value) -> str:
    """A cell as trimmed text: "" for an empty cell, 13800138000 for 13800138000.0, 2024-01-05 for a date."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        value = value.date()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").strip()


def whole_number(value) -> int | None:
    """An int from 3, "3", " 3 " or 3.0 (spreadsheets give whole numbers as floats); None for 2.5, "x", True."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None  # inf and nan are not integers
    if isinstance(value, Decimal):
        return int(value) if value.is_finite() and value == value.to_integral_value() else None
    text = str(value).strip()
    return int(text) if _WHOLE.fullmatch(text) else None
