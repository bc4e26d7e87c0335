"""The registry in Excel: the roster out, and historic honourees in (all or nothing).

Both keep ``backend.xlsx``'s rules, as the 汇总表 does: text is written as strings, never formulas (``put_text``); a file is
read with formulas kept as formulas and any formula cell is refused; errors name the row, the column and
its heading in Chinese and English; an identity number must be a text cell.

**Roster** (``export_roster``): one sheet ``工匠名册``, a title row, a header row, one honouree a row. The
identity number is whole only for roles that may see it (each row logged as an unmasking), masked for
everyone else (the auditor), as the 汇总表 export does.

**Historic honourees** (``historic_import``), one sheet:

- row 1: the title ``“{scheme}”历史命名人员登记表``; it must name the scheme being imported into;
- row 2: the header, exactly ``HISTORIC_COLUMNS`` in that order (``write_historic_template`` writes it);
- rows 3…: one honouree a row. Required: 姓名, 身份证号 (text), 年度, 命名日期. 命名类别 is 命名, 提名 or
  入围 (empty: 命名). 证书编号 empty: the round's next number by its pattern. 推荐单位, when given, must be
  one of the scheme's units by its exact name.

Decisions: the round of each row is the scheme's round of that 年度, which must exist already (a past
round is set up in the admin like any other, and may stay a draft); a round running its own intake is
refused. The same person twice for one year, or one certificate number twice, is an error in the file,
as is a person already registered for that round or a number already taken. Rows go through
``naming.honouree_register`` (the same checks as one registration on the page) inside one transaction:
every problem is collected, then nothing is saved unless there were none.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from backend.errors import DomainError, NotPermitted, ValidationFailed, nothing_saved
from backend.idnumbers import mask_id_number
from backend.input import whole_number
from backend.personal_data import log_whole_id_numbers
from backend.roles import Role, require_role
from backend.xlsx import formula_cells, formula_error, load_xlsx, put_text
from honourees.fields import parse_date
from honourees.models import Honouree, RecommendingUnit, Round, Scheme
from honourees.rules import TIER_LABELS
from honourees.services import naming
from honourees.summary.reading import cell_error

TITLE_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3
MAX_DATA_ROWS = 2000
TIER_BY_TEXT = {
    "": "named",
    "命名": "named",
    "named": "named",
    "提名": "nominated",
    "nominated": "nominated",
    "入围": "finalist",
    "入围奖": "finalist",
    "finalist": "finalist",
}


@dataclass(frozen=True)
class Column:
    header: str
    en: str
    field: str | None
    width: int
    kind: str = "text"  # seq | text | id | year | date | tier | unit | note
    limit: int = 0
    required: bool = False


HISTORIC_COLUMNS = [
    Column("序号", "no.", None, 6, "seq"),
    Column("姓名", "name", "name", 10, limit=50, required=True),
    Column("身份证号", "identity number", "id_number", 21, "id", required=True),
    Column("年度", "year", "year", 8, "year", required=True),
    Column("命名类别", "tier", "tier", 10, "tier"),
    Column("证书编号", "certificate number", "certificate_no", 20, limit=40),
    Column("命名日期", "named on", "named_on", 14, "date", required=True),
    Column("命名文号", "naming document", "naming_document", 24, limit=200),
    Column("称号", "title", "title", 16, limit=100),
    Column("工作单位", "employer", "employer", 28, limit=200),
    Column("从业工种", "trade", "trade", 14, limit=100),
    Column("推荐单位", "recommending unit", "unit_id", 24, "unit"),
    Column("所在地区", "region", "region", 12, limit=100),
    Column("备注", "note", "note", 30, "note", limit=2000),
]
_BY_FIELD = {c.field: (i, c) for i, c in enumerate(HISTORIC_COLUMNS, start=1) if c.field}
_BY_FIELD["gender"] = _BY_FIELD["birth_date"] = _BY_FIELD["id_number"]  # both come from the number
_BY_FIELD["unit"] = _BY_FIELD["unit_id"]


def historic_title(scheme: Scheme) -> str:
    return f"“{scheme.name}”历史命名人员登记表"


def _at(row: int, field: str | None, zh: str, en: str) -> ValidationFailed:
    """The error located at its cell: 第 5 行 C 列“身份证号”：…"""
    if field in _BY_FIELD:
        index, col = _BY_FIELD[field]
        letter = get_column_letter(index)
        return ValidationFailed(
            f"第 {row} 行 {letter} 列“{col.header}”：{zh}",
            f"Row {row}, column {letter} ({col.header}, {col.en}): {en}",
            field=field,
            row=row,
        )
    return ValidationFailed(f"第 {row} 行：{zh}", f"Row {row}: {en}", field=field, row=row)


def _located(error: DomainError, row: int) -> list[ValidationFailed]:
    return [_at(row, e.field, e.zh, e.en) for e in (error.errors or [error])]


def _write_header(ws, title: str, headers: list[tuple[str, int]]) -> None:
    last = get_column_letter(len(headers))
    ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    put_text(ws.cell(TITLE_ROW, 1), title)
    ws.cell(TITLE_ROW, 1).font = Font(bold=True, size=14)
    ws.cell(TITLE_ROW, 1).alignment = Alignment(horizontal="center")
    for column, (text, width) in enumerate(headers, start=1):
        put_text(ws.cell(HEADER_ROW, column), text)
        ws.cell(HEADER_ROW, column).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = f"C{FIRST_DATA_ROW}"


def _save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- the historic import ------------------------------------------------------------------------------------


def write_historic_template(scheme: Scheme) -> bytes:
    """An empty historic-honouree sheet for the scheme: its title and the header, nothing else."""
    with translation.override("zh-hans"):
        wb = Workbook()
        ws = wb.active
        ws.title = "历史命名人员"
        _write_header(ws, historic_title(scheme), [(c.header, c.width) for c in HISTORIC_COLUMNS])
        for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + 200):
            ws.cell(row, 3).number_format = "@"  # the identity number column is text
        return _save(wb)


def _cell(row: int, col: Column, value, units: dict[str, int]):
    """The cell's value as honouree_register takes it, or a located ValidationFailed."""
    if isinstance(value, str):
        value = value.strip()
    empty = value is None or value == ""
    if col.required and empty:
        return _at(row, col.field, "必须填写。", "is required.")
    if col.kind == "id":
        if not isinstance(value, str):
            return _at(
                row,
                col.field,
                "身份证号须以文本格式填写：Excel 把它当作数字时只保留 15 位有效数字，末几位已经丢失。",
                "the identity number must be a text cell: as a number Excel keeps 15 significant digits "
                "and has lost the last ones.",
            )
        return value
    if col.kind == "year":
        year = whole_number(value)
        if year is None or not 1949 <= year <= timezone.localdate().year:
            return _at(row, col.field, f"“{value}”不是年份。", f"'{value}' is not a year.")
        return year
    if col.kind == "date":
        errors: list = []
        day = parse_date(value, col.field, errors, row)
        if errors:
            return _at(row, col.field, errors[0].zh, errors[0].en)
        return day
    if col.kind == "tier":
        tier = TIER_BY_TEXT.get("" if empty else str(value))
        if tier is None:
            return _at(
                row, col.field, f"“{value}”应为命名、提名或入围。", f"'{value}' must be 命名, 提名 or 入围."
            )
        return tier
    if col.kind == "unit":
        if empty:
            return None
        if str(value) not in units:
            return _at(
                row,
                col.field,
                f"“{value}”不是本项目的推荐单位。",
                f"'{value}' is not one of the scheme's units.",
            )
        return units[str(value)]
    # text: numbers typed into a text column (a certificate 2018001) are kept as written
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not empty and (isinstance(value, bool) or not isinstance(value, str | int)):
        return _at(row, col.field, f"应填写文字，实为“{value}”。", f"must be text, not '{value}'.")
    return "" if empty else str(value)


def parse_historic(file, *, scheme: Scheme) -> tuple[list[dict], list[ValidationFailed]]:
    """The rows of a historic-honouree sheet, cleaned as far as the file alone allows, and every problem found.

    Raises only when the file is unusable (not an .xlsx, damaged, or not this sheet's header).
    """
    sheets = load_xlsx(file).worksheets
    if not sheets:
        raise nothing_saved(
            [
                ValidationFailed(
                    "Excel 文件已损坏或不完整，无法读取；请重新保存后再导入。",
                    "The Excel file is damaged or incomplete and cannot be read; save it again and retry.",
                    field="file",
                )
            ]
        )
    ws = sheets[0]
    width = len(HISTORIC_COLUMNS)
    max_row, max_col = ws.max_row, max(ws.max_column, width)
    if max_row - HEADER_ROW > MAX_DATA_ROWS * 2:
        raise nothing_saved(
            [ValidationFailed(f"表格行数过多（{max_row} 行）。", f"Too many rows ({max_row}).", field="file")]
        )
    structure = [formula_error(c) for c in formula_cells(ws, TITLE_ROW, HEADER_ROW, max_col)]
    for column in range(1, max_col + 1):
        want = HISTORIC_COLUMNS[column - 1].header if column <= width else None
        got = ws.cell(HEADER_ROW, column).value
        got = None if got in (None, "") else got
        if got != want:
            letter = get_column_letter(column)
            shown, shown_en = ("空白", "empty") if got is None else (f"“{got}”", f"'{got}'")
            structure.append(
                ValidationFailed(
                    f"第 {HEADER_ROW} 行 {letter} 列：表头应为“{want or '空白'}”，实为{shown}。",
                    f"Row {HEADER_ROW}, column {letter}: the header should read '{want or 'nothing'}', found {shown_en}.",
                    field="header",
                    row=HEADER_ROW,
                )
            )
    if structure:
        raise ValidationFailed(
            f"表头不是历史命名人员登记表的表头，有 {len(structure)} 处问题，未导入。",
            f"The header is not the historic-honouree sheet's ({len(structure)} problem(s)); nothing imported.",
            field="header",
            errors=structure,
        )
    errors: list[ValidationFailed] = []
    title = str(ws.cell(TITLE_ROW, 1).value or "")
    squeeze = re.compile(r"[\s“”\"'‘’「」『』]")
    if squeeze.sub("", scheme.name) not in squeeze.sub("", title):
        errors.append(
            ValidationFailed(
                f"第 1 行标题“{title}”不是{scheme.name}的登记表（应为“{historic_title(scheme)}”）。",
                f"The title '{title}' is not {scheme.name}'s sheet ('{historic_title(scheme)}').",
                field="scheme",
                row=TITLE_ROW,
            )
        )
    refused: dict[int, set[int]] = {}
    for cell in formula_cells(ws, FIRST_DATA_ROW, max_row, max_col):
        errors.append(formula_error(cell))
        refused.setdefault(cell.row, set()).add(cell.column)
    for m in ws.merged_cells.ranges:
        if m.max_row >= FIRST_DATA_ROW:
            errors.append(
                cell_error(
                    m.min_row,
                    None,
                    f"数据区不能合并单元格（{m.coord}）。",
                    f"Cells {m.coord} are merged.",
                    field="merged",
                    column=m.min_col,
                )
            )
            refused.setdefault(m.min_row, set()).update(range(1, max_col + 1))
    units = dict(RecommendingUnit.objects.filter(scheme=scheme).values_list("name", "pk"))
    rows: list[dict] = []
    seen_person: dict[tuple[str, int], int] = {}
    seen_certificate: dict[str, int] = {}
    count = 0
    for number, values in enumerate(
        ws.iter_rows(min_row=FIRST_DATA_ROW, max_row=max_row, max_col=max_col, values_only=True),
        start=FIRST_DATA_ROW,
    ):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values[1:]):
            continue  # an empty row, or one numbered in advance
        count += 1
        if count > MAX_DATA_ROWS:
            errors.append(
                ValidationFailed(
                    f"最多导入 {MAX_DATA_ROWS} 行。", f"At most {MAX_DATA_ROWS} rows.", row=number
                )
            )
            break
        if number in refused:
            continue
        if any(v not in (None, "") for v in values[width:]):
            errors.append(
                cell_error(
                    number,
                    None,
                    "表格右侧（表头以外）有内容。",
                    "There is content right of the table.",
                    field="header",
                    column=width + 1,
                )
            )
            continue
        data: dict = {}
        problems = []
        for col, value in zip(HISTORIC_COLUMNS, values, strict=False):
            if col.kind == "seq":
                continue
            got = _cell(number, col, value, units)
            if isinstance(got, ValidationFailed):
                problems.append(got)
            elif col.limit and isinstance(got, str) and len(got) > col.limit:
                problems.append(
                    _at(
                        number,
                        col.field,
                        f"超过 {col.limit} 个字。",
                        f"is longer than {col.limit} characters.",
                    )
                )
            else:
                data[col.field] = got
        if problems:
            errors.extend(problems)
            continue
        key = (data["id_number"].upper(), data["year"])
        if key in seen_person:
            errors.append(
                _at(
                    number,
                    "id_number",
                    f"与第 {seen_person[key]} 行是同一人同一年度。",
                    f"the same person and year as row {seen_person[key]}.",
                )
            )
            continue
        seen_person[key] = number
        if data["certificate_no"]:
            if data["certificate_no"] in seen_certificate:
                errors.append(
                    _at(
                        number,
                        "certificate_no",
                        f"与第 {seen_certificate[data['certificate_no']]} 行重复。",
                        f"repeats row {seen_certificate[data['certificate_no']]}.",
                    )
                )
                continue
            seen_certificate[data["certificate_no"]] = number
        data["row"] = number
        rows.append(data)
    return rows, errors


def historic_import(*, by: User, scheme_code: str, file) -> list[Honouree]:
    """Register the historic honourees of a scheme from the sheet: every row or none, every error listed."""
    require_role(by, Role.TALENT_OFFICE)
    scheme = Scheme.objects.filter(code=scheme_code).first()
    if scheme is None:
        known = "、".join(Scheme.objects.order_by("code").values_list("code", flat=True)) or "无"
        raise ValidationFailed(
            f"没有代码为“{scheme_code}”的项目（现有：{known}）。",
            f"No scheme with the code '{scheme_code}' (known: {known}).",
            field="scheme",
        )
    rows, errors = parse_historic(file, scheme=scheme)
    rounds = {r.year: r for r in Round.objects.filter(scheme=scheme, year__in={r["year"] for r in rows})}
    for data in rows:
        round_ = rounds.get(data["year"])
        if round_ is None:
            errors.append(
                _at(
                    data["row"],
                    "year",
                    f"{scheme.name}没有 {data['year']} 年的评选批次；请先在管理后台建立该批次（可保持草稿状态）。",
                    f"{scheme.name} has no round for {data['year']}: set it up in the admin first (it may stay a draft).",
                )
            )
    if not rows and not errors:
        raise nothing_saved([ValidationFailed("文件中没有工匠。", "The file lists nobody.", field="file")])
    made: list[Honouree] = []
    with transaction.atomic():
        for data in rows:
            round_ = rounds.get(data["year"])
            if round_ is None:
                continue
            try:
                with transaction.atomic():  # a failed row rolls back alone; the others are still checked
                    made.append(
                        naming.honouree_register(
                            by=by,
                            round_id=round_.pk,
                            person={"name": data["name"], "id_number": data["id_number"]},
                            named_on=data["named_on"],
                            tier=data["tier"],
                            certificate_no=data["certificate_no"],
                            naming_document=data["naming_document"],
                            title=data["title"],
                            employer=data["employer"],
                            trade=data["trade"],
                            unit_id=data["unit_id"],
                            region=data["region"],
                            note=data["note"],
                            row=data["row"],
                        )
                    )
            except NotPermitted:
                raise
            except DomainError as e:
                errors.extend(_located(e, data["row"]))
        if errors:
            raise nothing_saved(errors)  # leaving the block rolls every registered row back
    return made


# --- the roster ---------------------------------------------------------------------------------------------

ROSTER_COLUMNS = [
    ("序号", 6),
    ("证书编号", 18),
    ("姓名", 10),
    ("性别", 6),
    ("出生日期", 12),
    ("身份证号", 21),
    ("项目", 14),
    ("年度", 8),
    ("命名类别", 10),
    ("称号", 16),
    ("命名日期", 12),
    ("命名文号", 22),
    ("工作单位", 26),
    ("从业工种", 14),
    ("推荐单位", 22),
    ("所在地区", 12),
    ("状态", 8),
    ("状态变更日期", 12),
    ("状态说明", 30),
]
DATE_FORMAT = 'yyyy"年"m"月"d"日"'


def export_roster(*, by: User, honourees) -> bytes:
    """The roster as ``by`` may see it: whole identity numbers (each logged) only for roles that may see them.

    ``honourees`` come from ``honourees.selectors.registry.roster`` (person, round, nomination and units loaded), so
    writing costs one query, and one more to log the unmasking.
    """
    honourees = list(honourees)
    whole = log_whole_id_numbers(by, (h.person_id for h in honourees), purpose="工匠名册导出")
    with translation.override("zh-hans"):
        wb = Workbook()
        ws = wb.active
        ws.title = "工匠名册"
        today = timezone.localdate()
        _write_header(ws, f"工匠名册（{today.year}年{today.month}月{today.day}日导出）", ROSTER_COLUMNS)
        for seq, h in enumerate(honourees, start=1):
            row = FIRST_DATA_ROW + seq - 1
            unit = h.unit_shown()
            values = [
                seq,
                h.certificate_no,
                h.person.name,
                h.person.get_gender_display(),
                h.person.birth_date,
                h.person.id_number if whole else mask_id_number(h.person.id_number),
                h.round.scheme.name,
                h.round.year,
                str(TIER_LABELS.get(h.tier, h.tier)),
                h.title_shown(),
                h.named_on,
                h.naming_document,
                h.employer_shown(),
                h.trade_shown(),
                unit.name if unit else "",
                h.region_shown(),
                h.get_status_display(),
                h.status_changed_on,
                h.status_reason,
            ]
            for column, value in enumerate(values, start=1):
                cell = ws.cell(row, column)
                if value is None or value == "":
                    continue
                if isinstance(value, int):
                    cell.value = value
                elif hasattr(value, "year"):
                    cell.value = value
                    cell.number_format = DATE_FORMAT
                else:
                    put_text(cell, value)
        return _save(wb)
