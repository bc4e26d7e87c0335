"""Excel import of mentoring sessions, for hosts who kept paper logs: every row or none.

The sheet (``session_template``) has one header row — 日期 | 开始时间 | 结束时间 | 类型 | 活动内容 | 地点 |
参加学徒 | 备注 — and a session per row. 参加学徒 lists the studio's apprentices by name, separated by 、 or
commas; where two apprentices share a name, write the last four characters of the identity number after
it: 张伟（1234）. Each row goes through ``studios.services.sessions.session_log`` like the phone page, inside
one transaction with a savepoint per row, so the rules are checked in one place and a row can be checked
against the rows above it (24 hours a day, overlaps). Every problem is reported with its row and column, and
then nothing is saved. Imported sessions are submitted for verification like any other.
"""

from __future__ import annotations

import io
import re

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Font

from backend.errors import NotFound, NotPermitted, ValidationFailed, nothing_saved
from backend.input import cell_text
from backend.xlsx import load_xlsx, put_text
from studios import permissions, selectors
from studios.models import Apprentice, MentoringSession
from studios.services import sessions

COLUMNS = [
    # field, header, English
    ("date", "日期", "date"),
    ("starts_at", "开始时间", "start time"),
    ("ends_at", "结束时间", "end time"),
    ("kind", "类型", "kind"),
    ("topic", "活动内容", "topic"),
    ("location", "地点", "location"),
    ("attendees", "参加学徒", "apprentices attending"),
    ("notes", "备注", "notes"),
]
HEADER = tuple(h for _f, h, _e in COLUMNS)
LETTERS = "ABCDEFGH"
MAX_ROWS = 2000
_SPLIT = re.compile(r"[、，,；;\s]+")
_WITH_ID = re.compile(r"^(.+?)[（(]\s*([0-9Xx]{4})\s*[)）]$")


def _column(field: str) -> int | None:
    for i, (f, _h, _e) in enumerate(COLUMNS):
        if f == field:
            return i
    return None


def _at(error: ValidationFailed, row: int) -> ValidationFailed:
    """The error with its row and column in front (第 5 行 C 列“结束时间”：…)."""
    col = _column((error.field or "").split("[")[0])
    if col is None:
        return ValidationFailed(
            f"第 {row} 行：{error.zh}", f"Row {row}: {error.en}", field=error.field, row=row
        )
    _f, header, en = COLUMNS[col]
    return ValidationFailed(
        f"第 {row} 行 {LETTERS[col]} 列“{header}”：{error.zh}",
        f"Row {row}, column {LETTERS[col]} ({header}, {en}): {error.en}",
        field=error.field,
        row=row,
    )


def session_template(studio) -> bytes:
    """An empty sheet to fill in, and a second sheet with the kinds and the studio's apprentices."""
    wb = Workbook()
    ws = wb.active
    ws.title = "带徒活动"
    for col, header in enumerate(HEADER, start=1):
        put_text(ws.cell(1, col), header)
        ws.cell(1, col).font = Font(bold=True)
    for letter, width in zip(LETTERS, (12, 10, 10, 12, 30, 20, 30, 30), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    help_ws = wb.create_sheet("说明")
    lines = [
        "每行一次带徒活动；日期写 2025-03-01，时间写 09:30；活动不跨天。",
        "参加学徒写姓名，用“、”分隔；重名时在姓名后写身份证后四位，如 张伟（1234）。",
        "整张表全部正确才会导入；有错误时一行也不保存，并列出行号和列。",
        "",
        "类型可选：" + "、".join(str(label) for label in MentoringSession.Kind.labels),
        "",
        "本工作室学徒：",
    ]
    lines += [
        a.person.name
        for a in Apprentice.objects.filter(studio=studio).select_related("person").order_by("id")
    ]
    for row, text in enumerate(lines, start=1):
        put_text(help_ws.cell(row, 1), text)
    help_ws.column_dimensions["A"].width = 80
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _kind(value) -> str | None:
    text = "" if value is None else str(value).strip()
    if not text:
        return MentoringSession.Kind.TEACHING
    for code, label in MentoringSession.Kind.choices:
        if text in (code, str(label)):
            return code
    return None


def _attendees(text, roster: list[Apprentice]) -> tuple[list[int], list[tuple[str, str]]]:
    """Apprentice ids for the names in a cell, and (zh, en) for each name that does not resolve."""
    ids, problems = [], []
    for token in _SPLIT.split(str(text or "").strip()):
        if not token:
            continue
        match = _WITH_ID.match(token)
        name, tail = (match.group(1).strip(), match.group(2).upper()) if match else (token, None)
        found = [
            a for a in roster if a.person.name == name and (tail is None or a.person.id_number.endswith(tail))
        ]
        if len(found) == 1:
            ids.append(found[0].pk)
        elif not found:
            problems.append(
                (f"“{token}”不是本工作室的学徒。", f"'{token}' is not an apprentice of this studio.")
            )
        else:
            problems.append(
                (
                    f"本工作室有 {len(found)} 名学徒叫“{name}”，请在姓名后写身份证后四位，如 {name}（1234）。",
                    f"{len(found)} apprentices are called '{name}': add the last four characters of the "
                    f"identity number, e.g. {name}（1234）.",
                )
            )
    return ids, problems


def sessions_import(*, by: User, studio_id: int, file: UploadedFile | bytes) -> list[MentoringSession]:
    """Sessions from the filled-in sheet, all rows or none; errors name the row and the column."""
    studio = selectors.studios_for(by).filter(pk=studio_id).first()
    if studio is None:
        raise NotFound(f"工作室 {studio_id} 不存在。", f"Studio {studio_id} does not exist.", field="studio")
    if not permissions.may_manage(by, studio):  # checked before reading, so nobody else learns about the file
        raise NotPermitted(
            "只有工作室领办人本人或人才办可以导入带徒活动。",
            "Only the studio's own host or the talent office may import its sessions.",
        )
    ws = load_xlsx(file).worksheets[0]
    header = tuple(cell_text(ws.cell(1, c).value) for c in range(1, len(HEADER) + 1))
    if header != HEADER:
        raise nothing_saved(
            [
                ValidationFailed(
                    f"第 1 行表头应为“{' | '.join(HEADER)}”，实为“{' | '.join(header)}”；请用下载的模板。",
                    f"Row 1 must read '{' | '.join(HEADER)}', not '{' | '.join(header)}'; use the template.",
                    field="header",
                    row=1,
                )
            ]
        )
    if ws.max_row - 1 > MAX_ROWS:
        raise nothing_saved(
            [
                ValidationFailed(
                    f"一次最多导入 {MAX_ROWS} 行。",
                    f"At most {MAX_ROWS} rows can be imported at once.",
                    field="file",
                )
            ]
        )
    roster = list(Apprentice.objects.filter(studio=studio).select_related("person"))
    errors: list[ValidationFailed] = []
    made: list[MentoringSession] = []
    rows = 0
    with transaction.atomic():
        for cells in ws.iter_rows(min_row=2, max_col=max(ws.max_column, len(HEADER))):
            row = cells[0].row
            values = [c.value for c in cells]
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            rows += 1
            formulas = [c for c in cells if c.data_type == "f"]
            if formulas:
                errors.extend(
                    ValidationFailed(
                        f"第 {row} 行：单元格 {c.coordinate} 是公式，请直接填写内容。",
                        f"Row {row}: cell {c.coordinate} holds a formula; enter the value itself.",
                        field="formula",
                        row=row,
                    )
                    for c in formulas
                )
                continue
            if any(v not in (None, "") for v in values[len(HEADER) :]):
                errors.append(
                    ValidationFailed(
                        f"第 {row} 行：表格右侧（H 列之后）有多余内容。",
                        f"Row {row}: content beyond column H.",
                        row=row,
                    )
                )
                continue
            data = dict(zip([f for f, _h, _e in COLUMNS], values[: len(HEADER)], strict=False))
            kind = _kind(data["kind"])
            if kind is None:
                labels = "、".join(str(label) for label in MentoringSession.Kind.labels)
                errors.append(
                    _at(
                        ValidationFailed(
                            f"“{data['kind']}”不是活动类型（可选：{labels}）。",
                            f"'{data['kind']}' is not a kind of session.",
                            field="kind",
                        ),
                        row,
                    )
                )
                continue
            ids, problems = _attendees(data["attendees"], roster)
            if problems:
                errors.extend(_at(ValidationFailed(zh, en, field="attendees"), row) for zh, en in problems)
                continue
            date_value = data["date"]
            if isinstance(date_value, str):
                date_value = date_value.strip().replace("/", "-").replace(".", "-")
                parts = date_value.split("-")
                if len(parts) == 3 and all(p.isdigit() for p in parts):
                    date_value = f"{int(parts[0]):04d}-{int(parts[1]):02d}-{int(parts[2]):02d}"
            try:
                with transaction.atomic():  # a failed row rolls back alone; the others still get checked
                    made.append(
                        sessions.session_log(
                            by=by,
                            studio_id=studio.pk,
                            date=date_value,
                            starts_at=data["starts_at"],
                            ends_at=data["ends_at"],
                            kind=kind,
                            topic=cell_text(data["topic"]),
                            location=cell_text(data["location"]),
                            notes=cell_text(data["notes"]),
                            attendee_ids=ids,
                            row=row,
                        )
                    )
            except ValidationFailed as e:
                errors.extend(_at(sub, row) for sub in (e.errors or [e]))
        if not rows and not errors:
            errors.append(
                ValidationFailed("文件中没有活动记录。", "The file lists no sessions.", field="file")
            )
        if errors:
            raise nothing_saved(errors)  # leaving the block rolls every saved row back
    return made
