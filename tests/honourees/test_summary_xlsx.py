"""The 汇总表 (巴陵 notice 附件2) both ways and the nomination import, through real .xlsx files; nothing is mocked."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from backend.errors import NotPermitted, ValidationFailed
from honourees.imports import nominations_import
from honourees.models import Nomination
from honourees.services import intake
from honourees.summary.reading import parse_summary
from honourees.summary.writing import write_summary
from tests.honourees.conftest import make_id, person_data, unit_of
from tests.honourees.summary_steps import (
    EXTRA_ROW_4,
    FILLED_ON,
    NOTICE_ROW_3,
    NOTICE_ROW_4,
    edit,
    file_with,
    good_row,
    grid,
    has_error,
    of_round,
    refused,
    sheet,
    summary_rows,
    three_nominations,
)

pytestmark = pytest.mark.django_db


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


def test_the_parser_gives_each_row_as_person_fields_and_row_number(baling, unit):
    upload = SimpleUploadedFile(
        "汇总表.xlsx", file_with(baling, unit, good_row(), good_row(B="钱师傅", C="岳阳港务局"))
    )

    rows = summary_rows(upload, round_=baling)

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


def test_the_parser_reports_the_same_bad_cells_on_its_own(baling, unit):
    data = file_with(baling, unit, good_row(M=_wrong_check_digit()))

    error = ValidationFailed("", "", errors=parse_summary(data).errors)

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
