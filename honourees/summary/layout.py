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

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from honourees.models import Round

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
