"""The 汇总表 (巴陵 notice 附件2) both ways, the nomination import, the commands and the online-vote import.

Every test reads and writes real .xlsx files; nothing is mocked.
"""

import datetime as dt
import io
import itertools
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from backend.errors import NotPermitted, ValidationFailed
from backend.idnumbers import id_check_char
from backend.models import PersonalDataAccess
from honourees import eligibility
from honourees.imports import nominations_import, votes_import, write_vote_sheet
from honourees.models import Nomination
from honourees.services import intake, review
from honourees.summary_xlsx import read_summary, write_summary
from tests.honourees.conftest import make_id, person_data, unit_of

pytestmark = pytest.mark.django_db

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


# --- helpers -----------------------------------------------------------------------------------------------


@pytest.fixture
def baling(rounds):
    return rounds["baling"]


@pytest.fixture
def unit(baling):
    return unit_of(baling, "county_union")  # 岳阳楼区总工会


@pytest.fixture
def clerk(clerk_of, unit):
    return clerk_of(unit, "lily")


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


def test_the_title_unit_row_and_two_row_header_are_the_notices_cell_for_cell(baling, unit):
    ws = sheet(write_summary(baling, [], unit, filled_on=FILLED_ON))

    assert ws["A1"].value == "2023年“巴陵工匠”申报人员情况汇总表"
    assert ws["A2"].value == "推荐单位（盖章）：岳阳楼区总工会"
    assert ws["I2"].value == "填报时间：2023年9月20日"
    assert [ws.cell(3, c).value for c in range(1, 13)] == NOTICE_ROW_3
    assert [ws.cell(4, c).value for c in range(1, 13)] == NOTICE_ROW_4
    assert ws["M3"].value == "系统导入补充信息"
    assert [ws.cell(3, c).value for c in range(14, 20)] == [None] * 6
    assert [ws.cell(4, c).value for c in range(13, 20)] == EXTRA_ROW_4
    assert ws.max_column == 19


def test_the_merged_ranges_are_the_notices_and_the_extra_heading_spans_the_extra_columns(baling, unit):
    ws = sheet(write_summary(baling, [], unit))

    merged = {m.coord for m in ws.merged_cells.ranges}
    assert merged == {
        "A1:S1",
        "A2:H2",
        "I2:L2",
        "A3:A4",
        "B3:B4",
        "C3:C4",
        "D3:D4",
        "E3:E4",
        "F3:F4",
        "G3:G4",
        "H3:H4",
        "I3:L3",
        "M3:S3",
    }


def test_each_column_holds_the_nominations_fields_in_the_notices_form(baling, unit, clerk, nominate):
    n = nominate(baling, unit, clerk, person=person_data("张师傅"), claimed_routes=[], phone="8726835")
    ws = sheet(write_summary(baling, of_round(baling), unit))

    assert [ws.cell(5, c).value for c in range(1, 20)] == [
        1,
        "张师傅",
        "岳阳机械厂\n班组长",
        "男",
        dt.datetime(1980, 5, 17),
        "数控车工",
        "大专",
        22,
        "高级技师 (一级)",
        "精密数控加工",
        2,
        5,
        n.person.id_number,
        "装备制造",
        "制造业",
        dt.datetime(2005, 3, 1),
        dt.datetime(2000, 7, 1),
        "8726835",
        None,
    ]
    assert ws["E5"].number_format == 'yyyy"年"m"月"d"日"', "dates print as 2010年1月1日 (附件1 填表说明)"
    assert ws["M5"].data_type == "s", "the identity number is text, never a number Excel would round"


def test_writing_the_summary_costs_one_query(baling, unit, clerk, nominate, django_assert_num_queries):
    three_nominations(baling, unit, clerk, nominate)
    with django_assert_num_queries(1):
        write_summary(baling, of_round(baling), unit)


# --- round trip --------------------------------------------------------------------------------------------


def test_export_then_import_then_export_gives_back_every_cell_and_every_field(baling, unit, clerk, nominate):
    made = three_nominations(baling, unit, clerk, nominate)
    first = write_summary(baling, of_round(baling), unit, filled_on=FILLED_ON)
    for n in made:
        intake.nomination_withdraw(by=clerk, nomination_id=n.pk, reason="re-imported")

    imported = nominations_import(by=clerk, round_id=baling.pk, unit_id=unit.pk, file=first)
    second = write_summary(
        baling, of_round(baling, pk__in=[n.pk for n in imported]), unit, filled_on=FILLED_ON
    )

    assert grid(second) == grid(first)
    assert len(grid(first)) == 7
    compared = [
        "employer",
        "position",
        "trade",
        "education_fulltime",
        "years_in_trade",
        "skill_level",
        "expertise",
        "invention_patent_count",
        "innovation_count",
        "industry",
        "category",
        "in_city_since",
        "work_started_on",
        "phone",
        "claimed_routes",
        "unit_id",
        "round_id",
    ]
    for old, new in zip(made, imported, strict=True):
        new.refresh_from_db()
        assert new.status == Nomination.Status.DRAFT
        assert new.person_id == old.person_id, "the same person, found by identity number"
        assert {f: getattr(new, f) for f in compared} == {f: getattr(old, f) for f in compared}
    assert imported[1].employer == "湖南 巴陵石化有限责任公司 机修车间" and imported[1].position == ""
    assert imported[2].position == "车间主任/党支部书记"


def test_the_round_trip_keeps_route_codes_of_a_round_that_has_routes(rounds, clerk_of, nominate):
    r = rounds["baotou"]
    unit = unit_of(r, "direct_union")
    clerk = clerk_of(unit)
    made = nominate(r, unit, clerk, claimed_routes=["competition", "patent_or_heritage"])
    first = write_summary(r, of_round(r), unit)
    assert sheet(first)["S5"].value == "competition、patent_or_heritage"
    intake.nomination_withdraw(by=clerk, nomination_id=made.pk)

    (again,) = nominations_import(by=clerk, round_id=r.pk, unit_id=unit.pk, file=first)

    assert again.claimed_routes == ["competition", "patent_or_heritage"]


def test_read_summary_gives_each_row_as_person_fields_and_row_number(baling, unit):
    upload = SimpleUploadedFile(
        "汇总表.xlsx", file_with(baling, unit, good_row(), good_row(B="钱师傅", C="岳阳港务局"))
    )

    rows = read_summary(upload, round_=baling)

    assert [r["row"] for r in rows] == [5, 6]
    assert rows[0]["person"]["name"] == "赵师傅" and rows[0]["person"]["gender"] == "M"
    assert rows[0]["person"]["birth_date"] == dt.date(1980, 5, 17)
    assert rows[0]["fields"]["employer"] == "岳阳机械厂" and rows[0]["fields"]["position"] == "班组长"
    assert rows[0]["fields"]["skill_level"] == "senior_technician"
    assert rows[0]["fields"]["in_city_since"] == dt.date(2005, 3, 1)
    assert rows[1]["fields"]["employer"] == "岳阳港务局" and rows[1]["fields"]["position"] == ""


def test_short_skill_labels_and_text_dates_typed_by_hand_are_accepted(baling, unit, clerk):
    data = file_with(baling, unit, good_row(I="技师", E="1980年5月17日", P="2005/3/1", D=None))

    (n,) = nominations_import(by=clerk, round_id=baling.pk, unit_id=unit.pk, file=data)

    assert n.skill_level == "technician"
    assert n.in_city_since == dt.date(2005, 3, 1)
    assert n.person.gender == "M", "a blank gender is taken from the identity number"


def test_empty_trailing_rows_and_rows_numbered_in_advance_are_ignored(baling, unit, clerk):
    data = file_with(baling, unit, good_row(), {"A": 2, "B": "  "}, {"A": 3}, {"C": ""})

    made = nominations_import(by=clerk, round_id=baling.pk, unit_id=unit.pk, file=data)

    assert len(made) == 1


# --- formula injection -------------------------------------------------------------------------------------


def test_text_that_looks_like_a_formula_is_stored_as_text_and_survives_the_round_trip(
    baling, unit, clerk, nominate
):
    risky = ['=HYPERLINK("http://evil.example","点我")', "=1+1", "+1+1", "-1+1", "@SUM(A1)"]
    made = nominate(
        baling,
        unit,
        clerk,
        person=person_data("=1+1"),
        expertise=risky[0],
        position=risky[2],
        industry=risky[3],
        phone=risky[4],
        trade=risky[1],
        claimed_routes=[],
    )
    data = write_summary(baling, of_round(baling), unit)

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml, "the saved file holds no formula at all"
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert ws["B5"].value == "=1+1" and ws["B5"].data_type == "s" and ws["B5"].quotePrefix
    assert ws["J5"].value == risky[0] and ws["J5"].quotePrefix
    assert ws["N5"].value == "-1+1" and ws["N5"].quotePrefix

    intake.nomination_withdraw(by=clerk, nomination_id=made.pk)
    (again,) = nominations_import(by=clerk, round_id=baling.pk, unit_id=unit.pk, file=data)
    assert (again.person.name, again.expertise, again.trade, again.industry, again.phone) == (
        "=1+1",
        risky[0],
        "=1+1",
        "-1+1",
        "@SUM(A1)",
    )
    assert again.position == "+1+1"


def test_a_formula_typed_into_a_cell_is_refused_not_evaluated(baling, unit, clerk):
    data = file_with(baling, unit, good_row(), good_row(K="=1+1"))
    before = Nomination.objects.count()

    error = refused(lambda: nominations_import(by=clerk, round_id=baling.pk, unit_id=unit.pk, file=data))

    assert has_error(error, row=6, field="formula", column="K")
    assert "公式" in error.errors[0].zh and "formula" in error.errors[0].en
    assert Nomination.objects.count() == before


# --- bad input: each case names row and column, and saves nothing ------------------------------------------


def _wrong_check_digit():
    number = make_id()
    return number[:17] + ("0" if number[17] != "0" else "1")


BAD_CELLS = [
    ("the identity number's check digit is wrong", {"M": _wrong_check_digit()}, "id_number", "M", "校验位"),
    (
        "the birth date disagrees with the identity number",
        {"E": dt.datetime(1981, 5, 17)},
        "id_number",
        "M",
        "出生日期",
    ),
    ("the gender disagrees with the identity number", {"D": "女"}, "id_number", "M", "性别"),
    ("the identity number was typed as a number", {"M": 4.30602198005171e17}, "id_number", "M", "文本"),
    ("the identity number is missing", {"M": None}, "id_number", "M", "身份证号"),
    ("years in the trade are words", {"H": "很多年"}, "years_in_trade", "H", "整数"),
    ("a count is negative", {"K": -1}, "invention_patent_count", "K", "整数"),
    ("a count is a fraction", {"L": 2.5}, "innovation_count", "L", "整数"),
    ("the birth date is not a date", {"E": "1980年13月1日"}, "birth_date", "E", "不是有效日期"),
    ("a date lies in the future", {"P": dt.datetime(2999, 1, 1)}, "in_city_since", "P", "超出范围"),
    ("a date lies before 1900", {"Q": "1899-12-31"}, "work_started_on", "Q", "超出范围"),
    ("a date column holds a number", {"Q": 36000}, "work_started_on", "Q", "日期"),
    ("the expertise is over 500 characters", {"J": "精" * 501}, "expertise", "J", "超过"),
    ("the name is over 50 characters", {"B": "名" * 51}, "name", "B", "50"),
    ("the name is a date", {"B": dt.datetime(2020, 1, 1)}, "name", "B", "文字"),
    ("the skill level is not on the ladder", {"I": "大师"}, "skill_level", "I", "不是可选值"),
    ("the category is left empty", {"O": None}, "category", "O", "行业类别"),
    ("the category is not one of the three", {"O": "服务业"}, "category", "O", "不是可选值"),
    ("the trade is left empty", {"F": ""}, "trade", "F", "从业工种"),
    ("the employer cell has three lines", {"C": "岳阳机械厂\n班组长\n党员"}, "employer", "C", "两行"),
    ("a route code is not the round's", {"S": "competition"}, "claimed_routes", "S", "competition"),
]


@pytest.mark.parametrize(
    ("case", "cells", "field", "column", "words"), BAD_CELLS, ids=[c[0] for c in BAD_CELLS]
)
def test_a_bad_cell_is_reported_with_its_row_and_column_and_nothing_is_saved(
    baling, unit, clerk, case, cells, field, column, words
):
    data = file_with(baling, unit, good_row(), good_row(**{"B": "钱师傅", **cells}))
    before = Nomination.objects.count()

    error = refused(lambda: nominations_import(by=clerk, round_id=baling.pk, unit_id=unit.pk, file=data))

    assert has_error(error, row=6, field=field, column=column), [(e.row, e.field, e.zh) for e in error.errors]
    assert any(words in e.zh for e in error.errors), [e.zh for e in error.errors]
    assert all(e.en and e.zh.startswith("第 6 行") and e.en.startswith("Row 6") for e in error.errors)
    assert Nomination.objects.count() == before


def test_every_bad_cell_of_a_row_is_reported_not_only_the_first(baling, unit, clerk):
    data = file_with(baling, unit, good_row(H="很多", E="1980年13月1日", M=_wrong_check_digit(), K="=1+1"))

    error = refused(lambda: nominations_import(by=clerk, round_id=baling.pk, unit_id=unit.pk, file=data))

    assert {(e.row, e.field) for e in error.errors} == {
        (5, "years_in_trade"),
        (5, "birth_date"),
        (5, "id_number"),
        (5, "formula"),
    }


def test_read_summary_refuses_the_same_bad_cells_on_its_own(baling, unit):
    data = file_with(baling, unit, good_row(M=_wrong_check_digit()))

    error = refused(lambda: read_summary(data))

    assert has_error(error, row=5, field="id_number", column="M")


def test_one_bad_row_among_good_ones_saves_none_of_them(baling, unit, clerk):
    data = file_with(
        baling,
        unit,
        good_row(B="甲"),
        good_row(B="乙", H="二十"),
        good_row(B="丙"),
        good_row(B="丁", E="昨天"),
    )
    before = Nomination.objects.count()

    error = refused(lambda: nominations_import(by=clerk, round_id=baling.pk, unit_id=unit.pk, file=data))

    assert {(e.row, e.field) for e in error.errors} == {(6, "years_in_trade"), (8, "birth_date")}
    assert "2 处错误" in error.zh and "nothing was saved" in error.en
    assert Nomination.objects.count() == before


def test_errors_found_by_the_service_are_collected_with_those_found_in_the_file(
    baling, unit, clerk, nominate
):
    already = nominate(baling, unit, clerk, person=person_data("孙师傅"), claimed_routes=[])
    data = file_with(
        baling,
        unit,
        good_row(B="孙师傅", M=already.person.id_number),
        good_row(B="周师傅"),
        good_row(B="吴师傅", L="五"),
    )
    before = Nomination.objects.count()

    error = refused(lambda: nominations_import(by=clerk, round_id=baling.pk, unit_id=unit.pk, file=data))

    assert has_error(error, row=5, field="id_number", column="M"), "already nominated in this round"
    assert any("已在" in e.zh for e in error.errors if e.row == 5)
    assert has_error(error, row=7, field="innovation_count", column="L")
    assert not any(e.row == 6 for e in error.errors)
    assert Nomination.objects.count() == before


def test_the_same_person_twice_in_one_file_is_refused(baling, unit, clerk):
    twice = make_id(dt.date(1980, 5, 17), "M")
    data = file_with(baling, unit, good_row(M=twice), good_row(M=twice))

    error = refused(lambda: nominations_import(by=clerk, round_id=baling.pk, unit_id=unit.pk, file=data))

    assert has_error(error, row=6, field="id_number", column="M")
    assert "第 5 行重复" in error.errors[0].zh
    assert Nomination.objects.count() == 0


def test_merged_cells_in_the_data_or_content_beside_the_table_are_refused(baling, unit, clerk):
    merged = edit(
        file_with(baling, unit, good_row(), good_row(B="钱师傅")), lambda ws: ws.merge_cells("J5:J6")
    )
    beside = file_with(baling, unit, good_row(), good_row(B="钱师傅", T="备注"))

    merged_error = refused(
        lambda: nominations_import(by=clerk, round_id=baling.pk, unit_id=unit.pk, file=merged)
    )
    beside_error = refused(
        lambda: nominations_import(by=clerk, round_id=baling.pk, unit_id=unit.pk, file=beside)
    )

    assert has_error(merged_error, row=5, field="merged", column="J")
    assert has_error(beside_error, row=6, field="header", column="T")
    assert Nomination.objects.count() == 0


# --- bad files ---------------------------------------------------------------------------------------------


def _zip_of(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(name, content)
    return out.getvalue()


def _broken_sheet_xml(baling, unit) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(write_summary(baling, [], unit)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for info in src.infolist():
            data = src.read(info.filename)
            z.writestr(info, data[:200] if info.filename == "xl/worksheets/sheet1.xml" else data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("case", "make", "words"),
    [
        ("a CSV file", lambda r, u: "序号,姓名\n1,张三\n".encode(), "不是 Excel"),
        ("an empty file", lambda r, u: b"", "不是 Excel"),
        ("a truncated workbook", lambda r, u: write_summary(r, [], u)[:3000], "损坏"),
        ("a zip that is no workbook", lambda r, u: _zip_of("readme.txt", b"hello"), "损坏"),
        ("a workbook with a malformed sheet", _broken_sheet_xml, "损坏"),
        ("an old .xls file", lambda r, u: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_file_that_is_not_a_readable_workbook_is_refused_with_a_reason(
    baling, unit, clerk, case, make, words
):
    before = Nomination.objects.count()

    error = refused(
        lambda: nominations_import(by=clerk, round_id=baling.pk, unit_id=unit.pk, file=make(baling, unit))
    )

    assert words in error.zh and error.en
    assert [e.field for e in error.errors] == ["file"]
    assert Nomination.objects.count() == before


def _swap_gender_and_birth_date(ws):
    ws["D3"], ws["E3"] = "出生日期", "性别"


def _unmerge_skills(ws):
    ws.unmerge_cells("I3:L3")


HEADER_CASES = [
    ("two columns swapped", _swap_gender_and_birth_date, {(3, "D"), (3, "E")}),
    ("a sub-heading deleted", lambda ws: setattr(ws["J4"], "value", None), {(4, "J")}),
    ("a heading reworded", lambda ws: setattr(ws["B3"], "value", "姓名"), {(3, "B")}),
    ("an extra heading renamed", lambda ws: setattr(ws["M4"], "value", "身份证"), {(4, "M")}),
    ("a column added on the right", lambda ws: setattr(ws["T4"], "value", "备注"), {(4, "T")}),
    ("the skills heading unmerged", _unmerge_skills, {(3, "I3:L3")}),
    ("a column inserted", lambda ws: ws.insert_cols(3), {(3, "C")}),
]


@pytest.mark.parametrize(("case", "change", "where"), HEADER_CASES, ids=[c[0] for c in HEADER_CASES])
def test_a_header_that_is_not_the_notices_is_refused_naming_the_cell(
    baling, unit, clerk, case, change, where
):
    data = edit(file_with(baling, unit, good_row()), change)
    before = Nomination.objects.count()

    error = refused(lambda: nominations_import(by=clerk, round_id=baling.pk, unit_id=unit.pk, file=data))

    assert error.field == "header"
    for row, cell in where:
        assert any(e.row == row and cell in e.zh and cell in e.en for e in error.errors), [
            e.zh for e in error.errors
        ]
    assert Nomination.objects.count() == before


def test_a_summary_of_another_round_or_another_unit_is_refused(rounds, baling, unit, clerk):
    bayu = rounds["bayu"]
    other_unit = unit_of(baling, "industry_union")
    wrong_title = edit(
        file_with(baling, unit, good_row()),
        lambda ws: setattr(ws["A1"], "value", "2022年“最美巴渝工匠”申报人员情况汇总表"),
    )
    wrong_unit = file_with(baling, other_unit, good_row())

    title_error = refused(
        lambda: nominations_import(by=clerk, round_id=baling.pk, unit_id=unit.pk, file=wrong_title)
    )
    unit_error = refused(
        lambda: nominations_import(by=clerk, round_id=baling.pk, unit_id=unit.pk, file=wrong_unit)
    )

    assert has_error(title_error, row=1, field="round")
    assert has_error(unit_error, row=2, field="unit") and "岳阳市机械冶金工会" in unit_error.errors[0].zh
    assert Nomination.objects.count() == 0
    assert bayu.pk != baling.pk


def test_a_file_with_nobody_in_it_is_refused(baling, unit, clerk):
    error = refused(
        lambda: nominations_import(
            by=clerk, round_id=baling.pk, unit_id=unit.pk, file=write_summary(baling, [], unit)
        )
    )

    assert "没有推荐人选" in error.errors[0].zh


def test_an_import_without_a_unit_or_with_another_schemes_unit_is_refused(rounds, baling, unit, office):
    data = file_with(baling, unit, good_row())

    missing = refused(lambda: nominations_import(by=office, round_id=baling.pk, unit_id=None, file=data))
    foreign = refused(
        lambda: nominations_import(
            by=office, round_id=baling.pk, unit_id=unit_of(rounds["bayu"], "district").pk, file=data
        )
    )

    assert missing.field == "unit" and foreign.field == "unit"
    assert Nomination.objects.count() == 0


def test_another_units_clerk_cannot_import_for_this_unit(baling, unit, clerk_of):
    stranger = clerk_of(unit_of(baling, "industry_union"))

    with pytest.raises(NotPermitted):
        nominations_import(
            by=stranger, round_id=baling.pk, unit_id=unit.pk, file=file_with(baling, unit, good_row())
        )
    assert Nomination.objects.count() == 0


# --- commands ----------------------------------------------------------------------------------------------


def test_import_nominations_reads_the_unit_from_the_file_and_prints_what_it_imported(
    baling, unit, clerk, tmp_path
):
    path = tmp_path / "汇总表.xlsx"
    path.write_bytes(file_with(baling, unit, good_row(B="赵师傅"), good_row(B="钱师傅")))
    out = io.StringIO()

    call_command("import_nominations", str(path), "--round", "baling-2023", "--as", "lily", stdout=out)

    assert "已导入 2 名" in out.getvalue() and "Imported 2" in out.getvalue()
    assert "钱师傅" in out.getvalue()
    assert list(of_round(baling).values_list("person__name", "unit", "status")) == [
        ("赵师傅", unit.pk, "draft"),
        ("钱师傅", unit.pk, "draft"),
    ]


def test_import_nominations_acts_as_the_talent_office_by_default_and_takes_a_round_id(
    baling, unit, office, tmp_path
):
    path = tmp_path / "summary.xlsx"
    path.write_bytes(file_with(baling, unit, good_row()))

    call_command(
        "import_nominations",
        str(path),
        "--round",
        str(baling.pk),
        "--unit",
        str(unit.pk),
        stdout=io.StringIO(),
    )

    (n,) = of_round(baling)
    assert n.history.first().history_user == office


def test_import_nominations_prints_every_error_and_fails_with_nothing_saved(baling, unit, clerk, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(file_with(baling, unit, good_row(), good_row(M="123"), good_row(H="很多")))
    err = io.StringIO()

    with pytest.raises(CommandError, match="nothing was saved"):
        call_command(
            "import_nominations",
            str(path),
            "--round",
            "baling-2023",
            "--unit",
            "岳阳楼区总工会",
            "--as",
            "lily",
            stdout=io.StringIO(),
            stderr=err,
        )

    assert "row 6 · id_number" in err.getvalue() and "row 7 · years_in_trade" in err.getvalue()
    assert "第 6 行 M 列" in err.getvalue() and "Row 7, column H" in err.getvalue()
    assert Nomination.objects.count() == 0


def test_import_nominations_refuses_an_unknown_round_or_unit(baling, unit, clerk, tmp_path):
    path = tmp_path / "summary.xlsx"
    path.write_bytes(file_with(baling, unit, good_row()))

    with pytest.raises(CommandError, match="baling-1999"):
        call_command("import_nominations", str(path), "--round", "baling-1999", "--as", "lily")
    with pytest.raises(CommandError, match="不存在的单位"):
        call_command(
            "import_nominations",
            str(path),
            "--round",
            "baling-2023",
            "--unit",
            "不存在的单位",
            "--as",
            "lily",
        )
    assert Nomination.objects.count() == 0


def test_export_summary_writes_a_file_that_imports_back_and_logs_the_identity_numbers_shown(
    baling, unit, clerk, office, nominate, tmp_path
):
    made = three_nominations(baling, unit, clerk, nominate)
    intake.nomination_withdraw(by=clerk, nomination_id=made[0].pk)
    path = tmp_path / "out.xlsx"

    call_command(
        "export_summary",
        "--round",
        "baling-2023",
        "--unit",
        "岳阳楼区总工会",
        "-o",
        str(path),
        stdout=io.StringIO(),
    )

    rows = read_summary(path, round_=baling)
    assert [r["person"]["name"] for r in rows] == ["李红梅", "欧阳·王五"], (
        "withdrawn nominations are left out"
    )
    assert sheet(path.read_bytes())["A2"].value == "推荐单位（盖章）：岳阳楼区总工会"
    assert PersonalDataAccess.objects.filter(user=office, field="id_number").count() == 2


def test_export_summary_is_refused_to_a_clerk_of_another_unit(baling, unit, clerk_of, tmp_path):
    clerk_of(unit_of(baling, "industry_union"), "stan")

    with pytest.raises(CommandError, match="stan"):
        call_command(
            "export_summary",
            "--round",
            "baling-2023",
            "--unit",
            str(unit.pk),
            "-o",
            str(tmp_path / "x.xlsx"),
            "--as",
            "stan",
        )
    assert not (tmp_path / "x.xlsx").exists()


# --- online votes (巴渝: qualification → shortlist → online vote → expert review) ---------------------------


@pytest.fixture
def bayu_vote(rounds, office, clerk_of, nominate):
    """The 巴渝 round under review with three shortlisted nominations waiting for the online vote."""
    r = rounds["bayu"]
    unit = unit_of(r, "district")
    clerk = clerk_of(unit)
    made = [
        nominate(r, unit, clerk, person=person_data(name), claimed_routes=[])
        for name in ("张一", "李二", "王三")
    ]
    for n in made:
        intake.nomination_submit(by=clerk, nomination_id=n.pk)
    review.round_set_status(by=office, round_id=r.pk, status="reviewing")
    for n in made:
        n.refresh_from_db()
        judge = {
            str(c.index): {"ok": True, "note": ""}
            for c in eligibility.evaluate(n)
            if c.outcome == eligibility.JUDGE
        }
        assert judge, "巴渝 has a judgement item to decide"
        review.nomination_qualify(by=office, nomination_id=n.pk, judgements=judge)
    review.round_shortlist(by=office, round_id=r.pk, nomination_ids=[n.pk for n in made])
    return r, made


def filled_vote_sheet(round_, nominations, counts: dict) -> bytes:
    """The vote sheet as written for the office, with these counts typed into column C by row number."""

    def fill(ws):
        for row, value in counts.items():
            ws[f"C{row}"] = value

    return edit(write_vote_sheet(round_, nominations), fill)


def test_the_vote_sheet_lists_each_candidate_with_an_empty_count(bayu_vote):
    r, made = bayu_vote
    ws = sheet(write_vote_sheet(r, of_round(r)))

    assert [list(row) for row in ws.iter_rows(values_only=True)] == [
        ["申报编号", "姓名", "得票数"],
        [made[0].pk, "张一", None],
        [made[1].pk, "李二", None],
        [made[2].pk, "王三", None],
    ]


def test_imported_vote_counts_are_recorded_and_move_the_candidates_on(bayu_vote, office):
    r, made = bayu_vote
    data = filled_vote_sheet(r, of_round(r), {2: 1200, 3: 0, 4: "356"})

    kept = votes_import(by=office, round_id=r.pk, file=data)

    assert {n.pk for n in kept} == {n.pk for n in made}, "巴渝 keeps the top 30, so all three go on"
    assert list(of_round(r).values_list("vote_count", "status")) == [
        (1200, "voted"),
        (0, "voted"),
        (356, "voted"),
    ]


@pytest.mark.parametrize(
    ("case", "change", "row", "field", "words"),
    [
        ("a candidate is missing", lambda ws, made: ws.delete_rows(3), None, "votes", "李二"),
        ("a count is negative", lambda ws, made: setattr(ws["C3"], "value", -5), 3, "votes", "非负整数"),
        ("a count is left empty", lambda ws, made: setattr(ws["C4"], "value", None), 4, "votes", "空白"),
        ("a count is a fraction", lambda ws, made: setattr(ws["C2"], "value", 10.5), 2, "votes", "非负整数"),
        ("a count is a formula", lambda ws, made: setattr(ws["C2"], "value", "=100*2"), 2, "votes", "公式"),
        (
            "a name does not match its number",
            lambda ws, made: setattr(ws["B3"], "value", "李四"),
            3,
            "name",
            "李二",
        ),
        (
            "a number is not in the vote",
            lambda ws, made: setattr(ws["A4"], "value", 999999),
            4,
            "nomination",
            "999999",
        ),
        (
            "a candidate appears twice",
            lambda ws, made: [setattr(ws["A4"], "value", made[1].pk), setattr(ws["B4"], "value", "李二")],
            4,
            "nomination",
            "重复",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_bad_vote_sheet_saves_no_count_and_names_the_problem(
    bayu_vote, office, case, change, row, field, words
):
    r, made = bayu_vote
    data = edit(filled_vote_sheet(r, of_round(r), {2: 10, 3: 20, 4: 30}), lambda ws: change(ws, made))

    error = refused(lambda: votes_import(by=office, round_id=r.pk, file=data))

    assert any(e.row == row and e.field == field and words in e.zh for e in error.errors), [
        (e.row, e.field, e.zh) for e in error.errors
    ]
    assert all(e.en for e in error.errors)
    assert set(of_round(r).values_list("vote_count", "status")) == {(None, "shortlisted")}


def test_a_vote_sheet_with_another_header_or_no_workbook_is_refused(bayu_vote, office):
    r, _ = bayu_vote
    wb = Workbook()
    wb.active.append(["编号", "姓名", "票数"])
    out = io.BytesIO()
    wb.save(out)

    header_error = refused(lambda: votes_import(by=office, round_id=r.pk, file=out.getvalue()))
    file_error = refused(lambda: votes_import(by=office, round_id=r.pk, file=b"not a workbook"))

    assert header_error.errors[0].row == 1 and "申报编号 | 姓名 | 得票数" in header_error.errors[0].zh
    assert file_error.errors[0].field == "file"
    assert set(of_round(r).values_list("status", flat=True)) == {"shortlisted"}


def test_only_the_talent_office_imports_votes(bayu_vote, clerk_of):
    r, made = bayu_vote
    clerk = clerk_of(made[0].unit)

    with pytest.raises(NotPermitted):
        votes_import(by=clerk, round_id=r.pk, file=filled_vote_sheet(r, of_round(r), {2: 1, 3: 2, 4: 3}))
    assert set(of_round(r).values_list("status", flat=True)) == {"shortlisted"}
