"""The 申报人员情况汇总表 (巴陵 notice 附件2) as an Excel file, written and read back.

Layout (one sheet, ``汇总表``):

- row 1: the title ``{year}年“{scheme}”申报人员情况汇总表``, merged across the whole table;
- row 2: ``推荐单位（盖章）：<unit>`` (A:H merged) and ``填报时间：<date>`` (I:L merged);
- rows 3–4: the header. Columns A–L are the notice's twelve columns, exactly and in its order: 序号 …
  本行业工作年限 each merged over both rows, 掌握高超技能 merged over I3:L3 above its four sub-columns.
- rows 5…: one nomination a row.

Decisions:

- The notice's summary has no identity number, but a person cannot be created without one. So the notice's
  twelve columns come first, untouched, and seven more follow on the right (M–S) under a merged heading
  ``系统导入补充信息``: 身份证号 (required), 所属行业, 行业类别 (制造业/传统工艺/其他, required: the 巴陵
  skill-level rule and the 20% cap on traditional and other crafts depend on it, so it is never guessed),
  本市全职工作起始日期 (巴陵 §二: 3 years in the city), 参加工作时间, 联系电话 and 申报途径代码 (the codes of
  the round's alternative routes — 包头 §三's six routes, 巴渝 §五's alternatives to 技师 — separated by
  、). Whoever prints the notice's table hides or crops columns M–S.
- 工作单位及职务 holds the employer and, on a second line of the same cell (Alt+Enter in Excel), the
  position. Import splits at the first line break; a cell of one line is all employer, so
  "岳阳机械厂 班组长" typed on one line is kept as written rather than guessed apart. Export writes
  ``employer`` or ``employer⏎position``, so export → import → export is exact as long as the employer
  holds no line break (the page forms cannot enter one; honourees.fields does not refuse one from the
  API yet, and import refuses a third line rather than guess).
- 学历(学位) is the full-time education (``education_fulltime``); 本人技术等级 is written with the
  Chinese labels of ``backend.skills.SkillLevel`` (技师 (二级)); import also takes the short form (技师).
- Dates are real Excel dates shown as 2010年1月1日 (附件1 填表说明: Arabic numerals, 2010年1月1日);
  import also takes text dates (2010-01-01, 2010/1/1, 2010年1月1日).
- Text is written as strings, never formulas: a value beginning with = + - @ or a tab or CR is stored as a
  string cell with Excel's quote prefix (the apostrophe Excel shows), so the text is kept exactly and
  neither Excel nor LibreOffice evaluates it, even after editing the cell. On import any formula cell is
  refused: values are read as written, never as a formula's cached result.
- The identity number must be a text cell: Excel keeps 15 significant digits, so an identity number typed
  as a number has already lost its last digits.
- Import compares rows 3–4 cell by cell and their merged ranges exactly; the title only has to name the
  round's year and scheme (the notice itself words it two ways). Empty rows, and rows holding nothing but
  a 序号, are skipped; merged cells among the data, content right of column S, a file over 5 MB or over
  1,000 people are refused. Control characters, which an .xlsx cannot hold, are dropped on export.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from backend.errors import ValidationFailed
from backend.idnumbers import mask_id_number
from backend.input import cell_text
from backend.models import PersonalDataAccess
from backend.roles import can_see_full_id
from backend.skills import SkillLevel
from backend.xlsx import at_cell, file_error, formula_cells, formula_error, load_xlsx, put_text
from honourees.fields import clean_nomination_fields, clean_person
from honourees.models import Nomination, RecommendingUnit, Round

MAX_DATA_ROWS = 1000
TITLE_ROW, UNIT_ROW, HEADER_ROW, SUBHEADER_ROW, FIRST_DATA_ROW = 1, 2, 3, 4, 5
UNIT_PREFIX = "推荐单位（盖章）："
DATE_PREFIX = "填报时间："
SKILLS_HEADING = "掌握高超技能"
EXTRA_HEADING = "系统导入补充信息"
DATE_FORMAT = 'yyyy"年"m"月"d"日"'
ROUTE_SEPARATOR = "、"
# Text beginning with one of these is a formula (or a DDE payload) to a spreadsheet once edited.


@dataclass(frozen=True)
class Column:
    header: str  # exactly as the notice (or our extra heading) writes it
    en: str
    kind: str  # seq | text | employer_position | gender | date | count | skill | category | id | routes
    field: str | None  # the Person or Nomination field it fills (employer_position: employer and position)
    width: int
    required: bool = False

    @property
    def index(self) -> int:
        return COLUMNS.index(self) + 1

    @property
    def letter(self) -> str:
        return get_column_letter(self.index)


# 附件2's twelve columns, in its order.
NOTICE_COLUMNS = [
    Column("序号", "no.", "seq", None, 6),
    Column("姓 名", "name", "text", "name", 10, required=True),
    Column("工作单位及职务", "employer and position", "employer_position", "employer", 28, required=True),
    Column("性别", "gender", "gender", "gender", 6),
    Column("出生日期", "birth date", "date", "birth_date", 14),
    Column("从业工种", "trade", "text", "trade", 14, required=True),
    Column("学历(学位)", "education (degree)", "text", "education_fulltime", 12),
    Column("本行业工作年限", "years in the trade", "count", "years_in_trade", 10),
    Column("本人技术等级", "skill level", "skill", "skill_level", 14),
    Column("主要技术专长", "main technical expertise", "text", "expertise", 26),
    Column("获得国家发明专利（项）", "national invention patents", "count", "invention_patent_count", 12),
    Column(
        "从事技术创新或工艺改进（项）", "innovations or process improvements", "count", "innovation_count", 14
    ),
]
SKILL_SUBCOLUMNS = NOTICE_COLUMNS[8:12]
# What the system needs beyond the notice (see the module docstring).
EXTRA_COLUMNS = [
    Column("身份证号", "identity number", "id", "id_number", 21, required=True),
    Column("所属行业", "industry", "text", "industry", 14),
    Column("行业类别", "category", "category", "category", 10, required=True),
    Column("本市全职工作起始日期", "full-time in the city since", "date", "in_city_since", 15),
    Column("参加工作时间", "started work", "date", "work_started_on", 15),
    Column("联系电话", "phone", "text", "phone", 15),
    Column("申报途径代码", "route codes claimed", "routes", "claimed_routes", 16),
]
COLUMNS = NOTICE_COLUMNS + EXTRA_COLUMNS
LAST_COLUMN = len(COLUMNS)
PERSON_FIELDS = ("name", "gender", "birth_date", "id_number")
_BY_FIELD = {c.field: c for c in COLUMNS if c.field} | {"position": COLUMNS[2]}


def header_cells() -> dict[tuple[int, int], str | None]:
    """(row, column) → the text each header cell holds; cells covered by a merge hold None."""
    cells: dict[tuple[int, int], str | None] = {}
    for col in COLUMNS:
        cells[(HEADER_ROW, col.index)] = None
        cells[(SUBHEADER_ROW, col.index)] = col.header
    for col in NOTICE_COLUMNS[:8]:
        cells[(HEADER_ROW, col.index)], cells[(SUBHEADER_ROW, col.index)] = col.header, None
    cells[(HEADER_ROW, SKILL_SUBCOLUMNS[0].index)] = SKILLS_HEADING
    cells[(HEADER_ROW, EXTRA_COLUMNS[0].index)] = EXTRA_HEADING
    return cells


def header_merges() -> set[str]:
    """The merged ranges of the two header rows, as the notice draws them (plus the extra heading)."""
    merges = {f"{c.letter}{HEADER_ROW}:{c.letter}{SUBHEADER_ROW}" for c in NOTICE_COLUMNS[:8]}
    merges.add(f"{SKILL_SUBCOLUMNS[0].letter}{HEADER_ROW}:{SKILL_SUBCOLUMNS[-1].letter}{HEADER_ROW}")
    merges.add(f"{EXTRA_COLUMNS[0].letter}{HEADER_ROW}:{EXTRA_COLUMNS[-1].letter}{HEADER_ROW}")
    return merges


def summary_title(round_: Round) -> str:
    return f"{round_.year}年“{round_.scheme.name}”申报人员情况汇总表"


def known_routes(round_: Round) -> set[str]:
    """The route codes a nomination of this round may claim (包头 any_of routes, 巴渝 alternatives)."""
    codes: set[str] = set()
    for check in round_.rules.get("eligibility", []):
        params = check.get("params", {})
        codes |= {r["code"] for r in params.get("routes", [])}
        codes |= set(params.get("alternatives", []))
    return codes


# --- writing ---------------------------------------------------------------------------------------------

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
    whole = can_see_full_id(by)
    if whole:
        PersonalDataAccess.objects.bulk_create(
            PersonalDataAccess(
                user=by,
                subject_type="honourees.person",
                subject_id=str(n.person_id),
                field="id_number",
                purpose=f"汇总表 {round_.scheme.code}-{round_.year}",
            )
            for n in nominations
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


# --- reading ---------------------------------------------------------------------------------------------


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
