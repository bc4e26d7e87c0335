"""Helpers of the 汇总表 tests: a good row, a file made of rows, reading cells back, finding an error."""

import datetime as dt
import io
import itertools

import pytest
from openpyxl import load_workbook

from backend.errors import ValidationFailed
from backend.idnumbers import id_check_char
from honourees.models import Nomination
from honourees.summary.reading import parse_summary
from honourees.summary.writing import write_summary
from tests.honourees.conftest import make_id, person_data

FILLED_ON = dt.date(2023, 9, 20)
NOTICE_ROW_3 = [
    "序号",
    "姓 名",
    "工作单位及职务",
    "性别",
    "出生日期",
    "从业工种",
    "学历(学位)",
    "本行业工作年限",
    "掌握高超技能",
    None,
    None,
    None,
]
NOTICE_ROW_4 = [None] * 8 + [
    "本人技术等级",
    "主要技术专长",
    "获得国家发明专利（项）",
    "从事技术创新或工艺改进（项）",
]
EXTRA_ROW_4 = [
    "身份证号",
    "所属行业",
    "行业类别",
    "本市全职工作起始日期",
    "参加工作时间",
    "联系电话",
    "申报途径代码",
]


def sheet(data: bytes):
    return load_workbook(io.BytesIO(data)).worksheets[0]


def grid(data: bytes) -> list[list]:
    """Every cell value of the sheet but the fill-in date, row by row."""
    ws = sheet(data)
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    rows[1] = rows[1][:8]
    return rows


def edit(data: bytes, change) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    change(wb.worksheets[0])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def of_round(round_, **filters):
    return Nomination.objects.filter(round=round_, **filters).select_related("person").order_by("pk")


def good_row(**cells) -> dict:
    """A data row by column letter that the 巴陵 round accepts (a new identity number each time)."""
    row = {
        "A": 1,
        "B": "赵师傅",
        "C": "岳阳机械厂\n班组长",
        "D": "男",
        "E": dt.datetime(1980, 5, 17),
        "F": "数控车工",
        "G": "大专",
        "H": 22,
        "I": "高级技师 (一级)",
        "J": "精密数控加工",
        "K": 2,
        "L": 5,
        "M": make_id(dt.date(1980, 5, 17), "M"),
        "N": "装备制造",
        "O": "制造业",
        "P": dt.datetime(2005, 3, 1),
        "Q": dt.datetime(2000, 7, 1),
        "R": "13807300000",
        "S": None,
    }
    row.update(cells)
    return row


def file_with(round_, unit, *rows: dict) -> bytes:
    """The exported blank template with these rows typed in from row 5, as a clerk would."""

    def fill(ws):
        for i, row in enumerate(rows):
            for letter, value in row.items():
                ws[f"{letter}{5 + i}"] = value

    return edit(write_summary(round_, [], unit, filled_on=FILLED_ON), fill)


def refused(call) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return caught.value


def has_error(error: ValidationFailed, *, row, field, column=None) -> bool:
    for e in error.errors:
        if e.row == row and e.field == field:
            if column is None or (f"{column} 列" in e.zh and f"column {column}" in e.en):
                return True
    return False


_women = itertools.count(1)


def woman(name: str, birth: dt.date) -> dict:
    """A woman's person data (conftest.make_id can make a 19-character number for women)."""
    body = f"430603{birth:%Y%m%d}{next(_women) % 100:02d}{2 * (next(_women) % 5)}"
    return {"name": name, "id_number": body + id_check_char(body), "gender": "F", "birth_date": birth}


def three_nominations(round_, unit, clerk, nominate) -> list[Nomination]:
    """Three drafts that exercise every column: empty cells, a woman, line breaks, risky leading characters."""
    return [
        nominate(round_, unit, clerk, person=person_data("张师傅"), claimed_routes=[]),
        nominate(
            round_,
            unit,
            clerk,
            person=woman("李红梅", dt.date(1975, 2, 3)),
            employer="湖南 巴陵石化有限责任公司 机修车间",
            position="",
            trade="焊工",
            skill_level="technician",
            category="traditional_craft",
            education_fulltime="",
            years_in_trade=None,
            invention_patent_count=0,
            innovation_count=0,
            expertise="-40℃低温焊接；“一次成型”",
            industry="",
            in_city_since="2010-01-01",
            work_started_on=None,
            phone="",
            claimed_routes=[],
        ),
        nominate(
            round_,
            unit,
            clerk,
            person=person_data("欧阳·王五", dt.date(1990, 12, 31)),
            position="车间主任/党支部书记",
            skill_level="principal_technician",
            category="other",
            education_fulltime="本科（工学学士）",
            years_in_trade=0,
            invention_patent_count=999,
            expertise="=1+1",
            phone="+86 730 8726835",
            industry="@石化",
            claimed_routes=[],
        ),
    ]


# --- the layout --------------------------------------------------------------------------------------------


def summary_rows(file, *, round_=None) -> list[dict]:
    """The rows the 汇总表 parser reads, after checking it found no error in the file."""
    parsed = parse_summary(file, round_=round_)
    assert not parsed.errors, [e.zh for e in parsed.errors]
    return parsed.rows
