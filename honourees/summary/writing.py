"""The 汇总表 written: the notice's table with one nomination a row (layout in ``honourees.summary.layout``)."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth.models import User
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from backend.idnumbers import mask_id_number
from backend.personal_data import log_whole_id_numbers
from backend.skills import SkillLevel
from backend.xlsx import put_text
from honourees.models import Nomination, RecommendingUnit, Round
from honourees.summary.layout import (
    COLUMNS,
    DATE_FORMAT,
    DATE_PREFIX,
    FIRST_DATA_ROW,
    HEADER_ROW,
    LAST_COLUMN,
    NOTICE_COLUMNS,
    PERSON_FIELDS,
    ROUTE_SEPARATOR,
    SUBHEADER_ROW,
    TITLE_ROW,
    UNIT_PREFIX,
    UNIT_ROW,
    Column,
    header_cells,
    header_merges,
    summary_title,
)

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_EXTRA_FILL = PatternFill("solid", fgColor="FFEFEFEF")


def _export_value(col: Column, n: Nomination, seq: int, mask: bool = False):
    person = n.person
    if col.kind == "seq":
        return seq
    if col.kind == "employer_position":
        return f"{n.employer}\n{n.position}" if n.position else n.employer
    if col.kind == "gender":
        return {"M": "男", "F": "女"}.get(person.gender, "")
    if col.kind == "skill":
        return str(SkillLevel(n.skill_level).label) if n.skill_level else ""
    if col.kind == "category":
        return str(Nomination.Category(n.category).label) if n.category else ""
    if col.kind == "routes":
        return ROUTE_SEPARATOR.join(n.claimed_routes or [])
    source = person if col.field in PERSON_FIELDS else n
    value = getattr(source, col.field)
    if col.field == "id_number" and mask:
        return mask_id_number(value)
    return value


def export_summary(*, by: User, round_: Round, nominations, unit: RecommendingUnit | None = None) -> bytes:
    """The 汇总表 as ``by`` may see it: whole identity numbers (each logged) only for roles that may see them.

    For everyone else (a unit clerk, the auditor) the numbers are masked, so that file cannot be imported
    again; the import says so for each row.
    """
    nominations = list(nominations)
    whole = log_whole_id_numbers(
        by, (n.person_id for n in nominations), purpose=f"汇总表 {round_.scheme.code}-{round_.year}"
    )
    return write_summary(round_, nominations, unit, mask_ids=not whole)


def write_summary(
    round_: Round,
    nominations,
    unit: RecommendingUnit | None = None,
    *,
    filled_on: dt.date | None = None,
    mask_ids: bool = False,
) -> bytes:
    """The 汇总表 of the nominations as .xlsx bytes: the notice's layout, text never stored as a formula.

    Reads only the attributes of ``nominations`` and their ``person``: pass
    ``select_related("person")`` so writing costs one query.
    """
    with translation.override("zh-hans"):
        wb = Workbook()
        ws = wb.active
        ws.title = "汇总表"
        last = get_column_letter(LAST_COLUMN)

        ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
        put_text(ws.cell(TITLE_ROW, 1), summary_title(round_))
        ws.cell(TITLE_ROW, 1).font = Font(bold=True, size=16)
        ws.cell(TITLE_ROW, 1).alignment = _CENTRE
        ws.row_dimensions[TITLE_ROW].height = 32

        ws.merge_cells(f"A{UNIT_ROW}:H{UNIT_ROW}")
        put_text(ws.cell(UNIT_ROW, 1), UNIT_PREFIX + (unit.name if unit else ""))
        ws.merge_cells(f"I{UNIT_ROW}:L{UNIT_ROW}")
        filled_on = filled_on or timezone.localdate()
        put_text(ws.cell(UNIT_ROW, 9), f"{DATE_PREFIX}{filled_on.year}年{filled_on.month}月{filled_on.day}日")
        ws.cell(UNIT_ROW, 1).alignment = Alignment(horizontal="left", vertical="center")
        ws.cell(UNIT_ROW, 9).alignment = Alignment(horizontal="right", vertical="center")
        ws.row_dimensions[UNIT_ROW].height = 24

        for (row, column), text in header_cells().items():
            cell = ws.cell(row, column)
            if text:
                put_text(cell, text)
            cell.font = Font(bold=True)
            cell.alignment = _CENTRE
            cell.border = _BORDER
            if column > len(NOTICE_COLUMNS):
                cell.fill = _EXTRA_FILL
        for merged in sorted(header_merges()):
            ws.merge_cells(merged)
        for col in COLUMNS:
            ws.column_dimensions[col.letter].width = col.width
        ws.row_dimensions[SUBHEADER_ROW].height = 45

        row = FIRST_DATA_ROW - 1
        for seq, n in enumerate(nominations, start=1):
            row = FIRST_DATA_ROW + seq - 1
            for col in COLUMNS:
                cell = ws.cell(row, col.index)
                value = _export_value(col, n, seq, mask_ids)
                if isinstance(value, dt.date):
                    cell.value = value
                    cell.number_format = DATE_FORMAT
                elif isinstance(value, int):
                    cell.value = value
                elif value not in (None, ""):
                    put_text(cell, value)
                cell.border = _BORDER
                cell.alignment = _LEFT if col.kind in ("text", "employer_position") else _CENTRE
        _add_choice_lists(ws, last_row=max(row, FIRST_DATA_ROW + 49))

        ws.freeze_panes = f"C{FIRST_DATA_ROW}"
        ws.print_title_rows = f"{HEADER_ROW}:{SUBHEADER_ROW}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True

        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


def _add_choice_lists(ws, *, last_row: int) -> None:
    """Drop-down lists for the columns with fixed choices (a warning, not a block: 技师 alone is accepted)."""
    choices = {
        "gender": ["男", "女"],
        "skill": [str(label) for label in SkillLevel.labels],
        "category": [str(label) for label in Nomination.Category.labels],
    }
    for col in COLUMNS:
        if col.kind in choices:
            dv = DataValidation(
                type="list", formula1='"' + ",".join(choices[col.kind]) + '"', allow_blank=True
            )
            dv.errorStyle = "warning"
            dv.add(f"{col.letter}{FIRST_DATA_ROW}:{col.letter}{last_row}")
            ws.add_data_validation(dv)
