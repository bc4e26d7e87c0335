"""The 汇总表 read back: every cell checked, errors naming row, column and heading, all or nothing."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils import translation
from openpyxl.utils import get_column_letter

from backend.errors import ValidationFailed
from backend.input import cell_text
from backend.xlsx import at_cell, file_error, formula_cells, formula_error, load_xlsx
from honourees.fields import clean_nomination_fields, clean_person
from honourees.models import Round
from honourees.summary.layout import (
    _BY_FIELD,
    COLUMNS,
    FIRST_DATA_ROW,
    HEADER_ROW,
    LAST_COLUMN,
    MAX_DATA_ROWS,
    PERSON_FIELDS,
    ROUTE_SEPARATOR,
    SUBHEADER_ROW,
    TITLE_ROW,
    UNIT_ROW,
    Column,
    header_cells,
    header_merges,
    known_routes,
    summary_title,
)


def located(error: ValidationFailed, *, row: int | None = None) -> ValidationFailed:
    """The error with its row and column put in front of its message (第 5 行 M 列“身份证号”：…)."""
    row = error.row if error.row is not None else row
    base = (error.field or "").split("[")[0].split(".")[0]
    col = _BY_FIELD.get(base)
    if row is None and col is None:
        return error
    zh_at = (f"第 {row} 行" if row is not None else "") + (f" {col.letter} 列“{col.header}”" if col else "")
    en_at = ", ".join(
        ([f"Row {row}"] if row is not None else [])
        + ([f"column {col.letter} ({col.header}, {col.en})"] if col else [])
    )
    return ValidationFailed(
        f"{zh_at.strip()}：{error.zh}", f"{en_at}: {error.en}", field=error.field, row=row
    )


def cell_error(
    row: int, col: Column | None, zh: str, en: str, *, field: str | None = None, column: int | None = None
):
    if col is None and column is not None:
        return at_cell(row, column, zh, en, field=field)
    return located(ValidationFailed(zh, en, field=field or (col.field if col else None), row=row))


def _after_colon(text: str) -> str:
    parts = re.split(r"[：:]", text, maxsplit=1)
    return parts[1].strip() if len(parts) == 2 else ""


@dataclass
class SummarySheet:
    """What a 汇总表 file says: its unit line, its rows cleaned, and every problem found."""

    title: str = ""
    unit_name: str = ""
    filled_on: str = ""
    rows: list[dict] = field(default_factory=list)  # {"row": n, "person": {...}, "fields": {...}}
    errors: list[ValidationFailed] = field(default_factory=list)


def parse_summary(file, *, round_: Round | None = None) -> SummarySheet:
    """Every row of the file cleaned, with the problems of each; raises only when the file itself is unusable.

    Unusable: not an .xlsx, damaged, or its header is not the notice's (cells and merged ranges compared
    exactly). With ``round_`` the title must name the round's year and scheme, and route codes must be
    the round's.
    """
    wb = load_xlsx(file)
    if not wb.worksheets:
        raise file_error("文件中没有工作表。", "The file has no worksheet.")
    ws = wb.worksheets[0]
    max_row, max_col = ws.max_row, max(ws.max_column, LAST_COLUMN)
    if max_row - SUBHEADER_ROW > MAX_DATA_ROWS * 2:
        raise file_error(f"表格行数过多（{max_row} 行）。", f"The sheet has too many rows ({max_row}).")
    structure = [formula_error(c) for c in formula_cells(ws, TITLE_ROW, SUBHEADER_ROW, max_col)]
    structure += _header_errors(ws, max_col)
    if structure:
        raise ValidationFailed(
            f"汇总表的标题或表头不符合通知附件2，有 {len(structure)} 处问题，未导入。",
            f"The title or header rows are not those of the notice's 附件2 ({len(structure)} problem(s)); "
            f"nothing imported.",
            field="header",
            errors=structure,
        )
    sheet = SummarySheet(title=cell_text(ws.cell(TITLE_ROW, 1).value))
    if round_ is not None:
        squeeze = re.compile(r"[\s“”\"'‘’「」『』]")
        found = squeeze.sub("", sheet.title)
        if str(round_.year) not in found or squeeze.sub("", round_.scheme.name) not in found:
            sheet.errors.append(
                cell_error(
                    TITLE_ROW,
                    None,
                    f"标题“{sheet.title}”不是 {round_} 的汇总表（应为“{summary_title(round_)}”）。",
                    f"The title '{sheet.title}' is not the summary of {round_} ('{summary_title(round_)}').",
                    field="round",
                    column=1,
                )
            )
    for cells in ws.iter_rows(min_row=UNIT_ROW, max_row=UNIT_ROW, max_col=max_col, values_only=True):
        for value in cells:
            text = cell_text(value)
            if text.startswith("推荐单位"):
                sheet.unit_name = _after_colon(text)
            elif text.startswith("填报时间"):
                sheet.filled_on = _after_colon(text)

    formula_at: dict[int, set[int]] = {}
    for cell in formula_cells(ws, FIRST_DATA_ROW, max_row, max_col):
        sheet.errors.append(formula_error(cell))
        formula_at.setdefault(cell.row, set()).add(cell.column)
    merged_data = [m for m in ws.merged_cells.ranges if m.max_row >= FIRST_DATA_ROW]
    for m in merged_data:
        sheet.errors.append(
            cell_error(
                m.min_row,
                None,
                f"数据区不能合并单元格（{m.coord}），请取消合并后每行填写一人。",
                f"Cells {m.coord} are merged; unmerge them and give each person a row of their own.",
                field="merged",
                column=m.min_col,
            )
        )
    merged_rows = {r for m in merged_data for r in range(m.min_row, m.max_row + 1)}
    seen_ids: dict[str, int] = {}
    routes = known_routes(round_) if round_ is not None else None
    count = 0
    with translation.override("zh-hans"):
        for number, values in enumerate(
            ws.iter_rows(min_row=FIRST_DATA_ROW, max_row=max_row, max_col=max_col, values_only=True),
            start=FIRST_DATA_ROW,
        ):
            if all(cell_text(v) == "" for v in values[1:]):
                continue  # an empty row, or a template row numbered in advance
            count += 1
            if count > MAX_DATA_ROWS:
                sheet.errors.append(
                    cell_error(
                        number, None, f"最多导入 {MAX_DATA_ROWS} 行。", f"At most {MAX_DATA_ROWS} rows."
                    )
                )
                break
            if number in merged_rows:
                continue
            beyond = [
                i for i, v in enumerate(values[LAST_COLUMN:], start=LAST_COLUMN + 1) if cell_text(v) != ""
            ]
            if beyond:
                sheet.errors.append(
                    cell_error(
                        number,
                        None,
                        "表格右侧（表头以外）有内容，请删除或移入对应列。",
                        "There is content to the right of the table; delete it or move it into its column.",
                        field="header",
                        column=beyond[0],
                    )
                )
                continue
            parsed = _parse_row(number, values, sheet.errors, routes, refused=formula_at.get(number, set()))
            if parsed is None:
                continue
            id_number = parsed["person"]["id_number"]
            if id_number and id_number in seen_ids:
                sheet.errors.append(
                    cell_error(
                        number,
                        _BY_FIELD["id_number"],
                        f"身份证号与第 {seen_ids[id_number]} 行重复。",
                        f"The identity number repeats row {seen_ids[id_number]}.",
                    )
                )
                continue
            seen_ids[id_number] = number
            sheet.rows.append(parsed)
    return sheet


def _header_errors(ws, max_col: int) -> list[ValidationFailed]:
    errors = []
    expected = header_cells()
    for row in (HEADER_ROW, SUBHEADER_ROW):
        for column in range(1, max_col + 1):
            want = expected.get((row, column))
            got = ws.cell(row, column).value
            got_text = None if got is None or (isinstance(got, str) and got == "") else got
            if got_text == want:
                continue
            letter = get_column_letter(column)
            shown = "空白" if got_text is None else f"“{got_text}”"
            shown_en = "empty" if got_text is None else f"'{got_text}'"
            last = get_column_letter(LAST_COLUMN)
            if want is None and column > LAST_COLUMN:
                zh = f"表格只到 {last} 列，这里多出表头{shown}"
                en = f"the table ends at column {last}; found an extra heading {shown_en}"
            elif want is None:
                zh, en = (
                    f"表头应为空白（合并单元格），实为{shown}",
                    f"the header should be empty (merged), found {shown_en}",
                )
            else:
                zh, en = (
                    f"表头应为“{want}”，实为{shown}",
                    f"the header should read '{want}', found {shown_en}",
                )
            errors.append(
                ValidationFailed(
                    f"第 {row} 行 {letter} 列：{zh}。",
                    f"Row {row}, column {letter}: {en}.",
                    field="header",
                    row=row,
                )
            )
    found = {
        m.coord for m in ws.merged_cells.ranges if m.min_row <= SUBHEADER_ROW and m.max_row >= HEADER_ROW
    }
    for coord in sorted(header_merges() - found):
        row = int(re.search(r"\d+", coord).group())
        errors.append(
            ValidationFailed(
                f"表头单元格 {coord} 应合并。",
                f"Header cells {coord} should be merged.",
                field="header",
                row=row,
            )
        )
    for coord in sorted(found - header_merges()):
        row = int(re.search(r"\d+", coord).group())
        errors.append(
            ValidationFailed(
                f"表头单元格 {coord} 不应合并。",
                f"Header cells {coord} should not be merged.",
                field="header",
                row=row,
            )
        )
    return errors


_KIND_ZH = {
    dt.datetime: ("日期", "a date"),
    dt.date: ("日期", "a date"),
    dt.time: ("时间", "a time"),
    dt.timedelta: ("时长", "a duration"),
    bool: ("逻辑值", "TRUE/FALSE"),
    int: ("数字", "a number"),
    float: ("数字", "a number"),
}


def _type_error(number: int, col: Column, value, want_zh: str, want_en: str) -> ValidationFailed:
    if isinstance(value, str):
        zh, en = f"“{value}”", f"'{value}'"
    else:
        kind_zh, kind_en = _KIND_ZH.get(type(value), ("其他类型", "another type"))
        zh, en = f"{kind_zh}（{value}）", f"{kind_en} ({value})"
    return cell_error(number, col, f"应填写{want_zh}，实为{zh}。", f"must be {want_en}, not {en}.")


def _cell_value(number: int, col: Column, value, routes: set[str] | None):
    """The cell's value in the form honourees.fields cleans, or a ValidationFailed for a wrong type."""
    if isinstance(value, str):
        value = value.strip()
    if col.kind == "seq":  # only checked: the system numbers the rows itself
        whole = (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
        if value not in (None, "") and not whole and not (isinstance(value, str) and value.isdigit()):
            return _type_error(number, col, value, "序号（整数）", "a whole number")
        return None
    if col.kind == "date":
        if isinstance(value, bool | int | float | dt.time | dt.timedelta):
            return _type_error(number, col, value, "日期（如 2010年1月1日）", "a date like 2010-01-01")
    elif col.kind == "count":
        if isinstance(value, bool | dt.date | dt.time | dt.timedelta) or (
            isinstance(value, str) and value and not value.isdigit()
        ):
            return _type_error(number, col, value, "整数", "a whole number")
    elif col.kind == "id":
        if value is not None and not isinstance(value, str):
            return cell_error(
                number,
                col,
                "身份证号须以文本格式填写：Excel 把它当作数字时只保留 15 位有效数字，末几位已经丢失。"
                "请把单元格设为“文本”后重新输入。",
                "The identity number must be entered as text: as a number Excel keeps only 15 "
                "significant digits and has lost the last ones. Format the cell as text and retype it.",
            )
    else:  # text and choices
        if isinstance(value, bool | dt.date | dt.time | dt.timedelta) or (
            isinstance(value, float) and not value.is_integer()
        ):
            return _type_error(number, col, value, "文字", "text")
        value = cell_text(int(value) if isinstance(value, float) else value)
    if col.required and value in (None, ""):
        return cell_error(number, col, f"请填写{col.header}。", f"The {col.en} is required.")
    if col.kind == "employer_position":
        lines = [line.strip() for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
        if len(lines) > 2:
            return cell_error(
                number,
                col,
                "最多两行：第一行为工作单位，第二行为职务。",
                "At most two lines: the employer, then the position.",
            )
        return lines
    if col.kind == "routes":
        codes = [c for c in re.split(r"[、,，;；\s]+", value) if c]
        unknown = [c for c in codes if routes is not None and c not in routes]
        if unknown:
            allowed = ROUTE_SEPARATOR.join(sorted(routes)) or "无"
            return cell_error(
                number,
                col,
                f"申报途径代码 {ROUTE_SEPARATOR.join(unknown)} 不属于本批次（可用：{allowed}）。",
                f"Route code(s) {', '.join(unknown)} are not this round's (allowed: {allowed or 'none'}).",
            )
        return codes
    return value


def _parse_row(
    number: int, values, errors: list, routes: set[str] | None, *, refused: set[int] = frozenset()
) -> dict | None:
    """One data row cleaned with honourees.fields, or None when it has errors (all of them go to ``errors``).

    ``refused`` are the columns already reported (formulas): they are left out, and so is any error about
    them that cleaning the rest would add.
    """
    person: dict = {}
    fields: dict = {}
    typed: list[ValidationFailed] = []  # already located at their cell
    reported: set[str] = set()
    for col, value in zip(COLUMNS, values, strict=False):
        if col.kind == "seq":
            if (problem := _cell_value(number, col, value, routes)) is not None:
                typed.append(problem)
            continue
        if col.index in refused:
            reported.add(col.field)
            continue
        value = _cell_value(number, col, value, routes)
        if isinstance(value, ValidationFailed):
            typed.append(value)
            reported.add(col.field)
        elif col.kind == "employer_position":
            fields["employer"], fields["position"] = value[0], (value[1] if len(value) > 1 else "")
        elif col.field in PERSON_FIELDS:
            person[col.field] = value
        else:
            fields[col.field] = value
    if "employer" in reported:
        reported.add("position")
    # Cleaning checks what the cells' types could not: lengths, dates' range, identity numbers, choices.
    cleaning: list[ValidationFailed] = []
    cleaned_person = clean_person(person, cleaning, row=number)
    cleaned_fields = clean_nomination_fields(fields, cleaning, row=number)
    found = typed + [located(e) for e in cleaning if e.field not in reported]
    errors.extend(found)
    if found:
        return None
    return {"row": number, "person": cleaned_person, "fields": cleaned_fields}
