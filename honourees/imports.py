"""Imports from Excel: a unit's 汇总表 into draft nominations, and the online-vote counts.

Both are all or nothing: every problem in the file is collected, with its row and column, into one
ValidationFailed, and then nothing is saved. The rows go through the same services as the pages and
the API (``nomination_save``, ``round_record_votes``), so the rules are checked in one place.
"""

from __future__ import annotations

import io

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import translation
from openpyxl import Workbook
from openpyxl.styles import Font

from backend.errors import Conflict, NotFound, NotPermitted, ValidationFailed, nothing_saved
from backend.input import whole_number
from backend.roles import Role, has_role, require_role
from backend.xlsx import load_xlsx, put_text
from honourees import stages
from honourees.models import Nomination, RecommendingUnit, Round
from honourees.services import intake, review
from honourees.summary.reading import cell_error, located, parse_summary

S = Nomination.Status
VOTE_HEADER = ("申报编号", "姓名", "得票数")
VOTE_COLUMNS_EN = ("nomination number", "name", "votes")
VOTE_FIELDS = ("nomination", "name", "votes")
MAX_VOTES = 10**9


def _round(round_id: int) -> Round:
    round_ = Round.objects.select_related("scheme").filter(pk=round_id).first()
    if round_ is None:
        raise NotFound(f"评选批次 {round_id} 不存在。", f"Round {round_id} does not exist.", field="round")
    return round_


def _flatten(error: ValidationFailed, row: int) -> list[ValidationFailed]:
    return [located(e, row=row) for e in (error.errors or [error])]


def nominations_import(*, by: User, round_id: int, unit_id: int, file) -> list[Nomination]:
    """Draft nominations of the unit from its 汇总表, every row or none; errors name row and column."""
    round_ = _round(round_id)
    if not unit_id:
        raise ValidationFailed("请选择推荐单位。", "Choose the recommending unit.", field="unit")
    unit = RecommendingUnit.objects.filter(pk=unit_id, scheme=round_.scheme).first()
    if unit is None:
        raise ValidationFailed(
            f"推荐单位 {unit_id} 不属于 {round_.scheme}。",
            f"Unit {unit_id} is not one of {round_.scheme}'s units.",
            field="unit",
        )
    # Checked before reading so that someone else's clerk is told so, not shown the file's errors;
    # nomination_save checks the same again for every row.
    if not (
        has_role(by, Role.TALENT_OFFICE)
        or (has_role(by, Role.UNIT_CLERK) and unit.clerks.filter(user=by).exists())
    ):
        raise NotPermitted(
            "只有本单位的经办人或人才办可以导入。",
            "Only the unit's own clerk or the talent office may import.",
        )
    sheet = parse_summary(file, round_=round_)
    errors = list(sheet.errors)
    if sheet.unit_name and sheet.unit_name != unit.name:
        errors.append(
            cell_error(
                2,
                None,
                f"文件的推荐单位为“{sheet.unit_name}”，不是“{unit.name}”。",
                f"The file is from '{sheet.unit_name}', not '{unit.name}'.",
                field="unit",
                column=1,
            )
        )
    if not sheet.rows and not errors:
        raise nothing_saved(
            [ValidationFailed("文件中没有推荐人选。", "The file lists nobody.", field="file")]
        )
    made: list[Nomination] = []
    with transaction.atomic():
        for item in sheet.rows:
            try:
                with transaction.atomic():  # a failed row rolls back alone; the others still get checked
                    made.append(
                        intake.nomination_save(
                            by=by,
                            round_id=round_.pk,
                            unit_id=unit.pk,
                            person=item["person"],
                            fields=item["fields"],
                            row=item["row"],
                        )
                    )
            except ValidationFailed as e:
                errors.extend(_flatten(e, item["row"]))
        if errors:
            raise nothing_saved(errors)  # leaving the block rolls every saved row back
    return made


# --- online votes ------------------------------------------------------------------------------------------


def write_vote_sheet(round_: Round, nominations) -> bytes:
    """The sheet the office fills in after the online vote: 申报编号 | 姓名 | 得票数 (left empty)."""
    with translation.override("zh-hans"):
        wb = Workbook()
        ws = wb.active
        ws.title = "网络投票"
        for column, text in enumerate(VOTE_HEADER, start=1):
            put_text(ws.cell(1, column), text)
            ws.cell(1, column).font = Font(bold=True)
        for row, n in enumerate(nominations, start=2):
            ws.cell(row, 1).value = n.pk
            put_text(ws.cell(row, 2), n.person.name)
        ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 12, 16
        ws.column_dimensions["C"].width = 12
        ws.freeze_panes = "A2"
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


def _vote_error(row: int, column: int, zh: str, en: str) -> ValidationFailed:
    header, en_name = VOTE_HEADER[column - 1], VOTE_COLUMNS_EN[column - 1]
    letter = "ABC"[column - 1]
    return ValidationFailed(
        f"第 {row} 行 {letter} 列“{header}”：{zh}",
        f"Row {row}, column {letter} ({header}, {en_name}): {en}",
        field=VOTE_FIELDS[column - 1],
        row=row,
    )


def votes_import(*, by: User, round_id: int, file) -> list[Nomination]:
    """Record the online-vote counts from the filled-in vote sheet; every candidate or none.

    Returns the nominations that go on (``round_record_votes`` keeps the round's top ``online_vote_keep``).
    """
    require_role(by, Role.TALENT_OFFICE)
    round_ = _round(round_id)
    if not stages.uses(round_, S.VOTED):
        raise Conflict(f"{round_} 没有网络投票环节。", f"{round_} has no online vote.")
    ws = load_xlsx(file).worksheets[0]
    errors: list[ValidationFailed] = []
    header = tuple(ws.cell(1, c).value for c in range(1, max(ws.max_column, 3) + 1))
    if header[:3] != VOTE_HEADER or any(v not in (None, "") for v in header[3:]):
        raise nothing_saved(
            [
                ValidationFailed(
                    f"第 1 行表头应为“{' | '.join(VOTE_HEADER)}”，实为“{' | '.join(str(v or '') for v in header)}”。",
                    f"Row 1 must read '{' | '.join(VOTE_HEADER)}', "
                    f"not '{' | '.join(str(v or '') for v in header)}'.",
                    field="header",
                    row=1,
                )
            ]
        )
    waiting = {n.pk: n for n in review.nominations_waiting(round_, S.VOTED).select_related("person")}
    votes: dict[int, int] = {}
    rows_of: dict[int, int] = {}
    for cells in ws.iter_rows(min_row=2, max_col=max(ws.max_column, 3)):
        row = cells[0].row
        values = [c.value for c in cells]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        formulas = [c for c in cells if c.data_type == "f"]
        if formulas:
            errors.extend(
                _vote_error(
                    row,
                    min(c.column, 3),
                    f"{c.coordinate} 是公式，请填写数值。",
                    f"{c.coordinate} is a formula; enter the value.",
                )
                for c in formulas
            )
            continue
        if any(v not in (None, "") for v in values[3:]):
            errors.append(
                ValidationFailed(
                    f"第 {row} 行：表格右侧有多余内容。", f"Row {row}: content beyond column C.", row=row
                )
            )
            continue
        nid, name, count = whole_number(values[0]), str(values[1] or "").strip(), whole_number(values[2])
        if nid is None:
            errors.append(
                _vote_error(
                    row, 1, f"“{values[0]}”不是申报编号。", f"'{values[0]}' is not a nomination number."
                )
            )
            continue
        if nid in rows_of:
            errors.append(
                _vote_error(row, 1, f"与第 {rows_of[nid]} 行重复。", f"Repeats row {rows_of[nid]}.")
            )
            continue
        rows_of[nid] = row
        nomination = waiting.get(nid)
        if nomination is None:
            errors.append(
                _vote_error(
                    row,
                    1,
                    f"申报编号 {nid} 不在 {round_} 的网络投票名单中。",
                    f"Nomination {nid} is not up for {round_}'s online vote.",
                )
            )
            continue
        if name != nomination.person.name:
            errors.append(
                _vote_error(
                    row,
                    2,
                    f"申报编号 {nid} 是“{nomination.person.name}”，不是“{name}”。",
                    f"Nomination {nid} is '{nomination.person.name}', not '{name}'.",
                )
            )
            continue
        if count is None or not 0 <= count <= MAX_VOTES:
            shown = "空白" if values[2] in (None, "") else f"“{values[2]}”"
            errors.append(
                _vote_error(
                    row,
                    3,
                    f"得票数应为非负整数，实为{shown}。",
                    f"Votes must be a whole number ≥ 0, not '{values[2]}'.",
                )
            )
            continue
        votes[nid] = count
    for nid, n in waiting.items():
        if nid not in rows_of:
            errors.append(
                ValidationFailed(
                    f"缺少 {n.person.name}（申报编号 {nid}）的得票数。",
                    f"No vote count for {n.person.name} (nomination {nid}).",
                    field="votes",
                )
            )
    if errors:
        raise nothing_saved(errors)
    with transaction.atomic():
        return review.round_record_votes(by=by, round_id=round_.pk, votes=votes)
