"""Historic honourees from Excel (every row or none) and the import_honourees command. Real .xlsx files."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from backend.errors import NotPermitted, ValidationFailed
from honourees.models import BenefitEntitlement, Honouree, Person, RecommendingUnit
from honourees.registry_xlsx import historic_import, write_historic_template
from tests.honourees.conftest import make_id
from tests.honourees.registry_steps import past_round, register, row, sheet

pytestmark = pytest.mark.django_db

# fixtures shared by the registry tests


@pytest.fixture
def baotou_rounds(seeds):
    """包头's 2021 (closed) and 2022 (kept as a draft record) rounds."""
    return past_round(seeds["baotou"], 2021), past_round(seeds["baotou"], 2022, status="draft")


def refused(by, scheme_code, data) -> list[ValidationFailed]:
    with pytest.raises(ValidationFailed) as caught:
        historic_import(by=by, scheme_code=scheme_code, file=data)
    assert Honouree.objects.count() == 0 and Person.objects.count() == 0, "nothing saved"
    errors = caught.value.errors or [caught.value]
    assert all(e.zh and e.en for e in errors)
    return errors


def test_historic_honourees_are_registered_with_their_entitlements_and_numbers(office, baotou_rounds, seeds):
    r2021, r2022 = baotou_rounds
    scheme = r2021.scheme
    data = sheet(
        scheme,
        [
            row(name="包钢王", cert="BT2021-07", unit="包钢集团工会"),
            row(
                name="稀土李", year=2022, named="2022-04-29", trade="稀土冶炼", region="", employer="北方稀土"
            ),
            row(name="机械赵", year=2021, tier=""),
        ],
    )
    made = historic_import(by=office, scheme_code="baotou", file=data)
    got = {h.person.name: h for h in made}
    assert [h.certificate_no for h in made] == ["BT2021-07", "BAOTOU-2022-001", "BAOTOU-2021-002"]
    wang = got["包钢王"]
    assert (wang.round, wang.tier, wang.named_on, wang.naming_document, wang.nomination) == (
        r2021,
        "named",
        dt.date(2021, 4, 28),
        "包总工发〔2021〕3号",
        None,
    )
    assert (
        wang.unit == RecommendingUnit.objects.get(name="包钢集团工会") and wang.region_shown() == "昆都仑区"
    )
    assert got["稀土李"].region_shown() == "" and got["稀土李"].trade_shown() == "稀土冶炼"
    assert wang.person.gender == "M" and wang.person.birth_date == dt.date(1970, 1, 5), (
        "from the identity number"
    )
    assert BenefitEntitlement.objects.filter(code="baotou_labour_model").count() == 3
    assert wang.history.get().history_user == office


def test_a_file_that_is_not_an_xlsx_or_is_damaged_is_refused(office, baotou_rounds):
    errors = refused(office, "baotou", b"name,id\n")
    assert errors[0].field == "file" and ".xlsx" in errors[0].zh
    good = sheet(baotou_rounds[0].scheme, [row()])
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, src.read(item.filename))
    errors = refused(office, "baotou", broken.getvalue())
    assert "损坏" in errors[0].zh and "damaged" in errors[0].en


def test_a_wrong_header_is_refused_cell_by_cell(office, baotou_rounds):
    def edit(ws):
        ws["C2"] = "身份证"
        ws["O2"] = "多余"

    errors = refused(office, "baotou", sheet(baotou_rounds[0].scheme, [row()], edit=edit))
    assert [(e.row, e.field) for e in errors] == [(2, "header"), (2, "header")]
    assert "C 列" in errors[0].zh and "“身份证号”" in errors[0].zh and "column C" in errors[0].en
    assert "O 列" in errors[1].zh


def test_bad_identity_numbers_are_listed_by_row_and_column(office, baotou_rounds):
    good = make_id(dt.date(1980, 2, 2))
    wrong_check = good[:-1] + ("0" if good[-1] != "0" else "1")
    data = sheet(
        baotou_rounds[0].scheme,
        [
            row(name="甲", id_number=wrong_check),
            row(name="乙", id_number=int(good[:15])),  # typed as a number: digits already lost
            row(name="丙", id_number="1234"),
            row(name="丁"),
        ],
    )
    errors = refused(office, "baotou", data)
    assert [(e.row, e.field) for e in errors] == [(3, "id_number"), (4, "id_number"), (5, "id_number")]
    assert all("C 列“身份证号”" in e.zh and "column C (身份证号, identity number)" in e.en for e in errors)
    assert "文本" in errors[1].zh and "text" in errors[1].en


def test_duplicates_in_the_file_and_against_the_registry_are_all_listed(office, baotou_rounds):
    r2021, _ = baotou_rounds
    same = make_id(dt.date(1966, 6, 6))
    already = register(office, r2021, name="已登记", certificate_no="OLD-1")
    Honouree.objects.count()
    data = sheet(
        r2021.scheme,
        [
            row(name="重甲", id_number=same, cert="C-1"),
            row(name="重甲", id_number=same, cert="C-2"),  # same person, same year
            row(name="重乙", cert="C-1"),  # same certificate as row 3
            row(name="重丙", cert="OLD-1"),  # a number the registry has
            row(name="已登记", id_number=already.person.id_number),  # already an honouree of 2021
            row(
                name="别名", id_number=already.person.id_number, year=2022, named="2022-05-01"
            ),  # another name
        ],
    )
    with pytest.raises(ValidationFailed) as caught:
        historic_import(by=office, scheme_code="baotou", file=data)
    assert Honouree.objects.count() == 1, "only the one registered before"
    got = [(e.row, e.field) for e in caught.value.errors]
    assert got == [
        (4, "id_number"),
        (5, "certificate_no"),
        (6, "certificate_no"),
        (7, "id_number"),
        (8, "id_number"),
    ]
    messages = [e.zh for e in caught.value.errors]
    assert (
        "第 3 行" in messages[0]
        and "已被使用" in messages[2]
        and "已登记" in messages[3]
        and "已登记为" in messages[4]
    )


def test_an_unknown_scheme_a_missing_round_or_a_round_in_intake_is_refused(office, baotou_rounds, seeds):
    scheme = baotou_rounds[0].scheme
    errors = refused(office, "baotuo", sheet(scheme, [row()]))
    assert errors[0].field == "scheme" and "baotou" in errors[0].zh
    errors = refused(
        office,
        "baotou",
        sheet(
            scheme,
            [
                row(name="早年", year=2019, named="2019-04-28"),
                row(name="本年", year=2023, named="2023-04-28"),  # 2023 is taking nominations
                row(name="入围", tier="入围"),  # 包头 names no finalists
                row(name="类别", tier="优秀"),
                row(name="单位", unit="不存在的工会"),
                row(name="日期", named="2021-02-30"),
            ],
        ),
    )
    assert [(e.row, e.field) for e in errors] == [
        (3, "year"),
        (4, "year"),
        (5, "tier"),
        (6, "tier"),
        (7, "unit_id"),
        (8, "named_on"),
    ]
    assert "管理后台" in errors[0].zh and "admin" in errors[0].en
    assert "评选产生" in errors[1].zh


def test_formulas_anywhere_are_refused_never_evaluated(office, baotou_rounds):
    def edit(ws):
        ws["B3"] = '=HYPERLINK("http://evil.example","点我")'
        ws["E4"] = "=2020+1"

    errors = refused(office, "baotou", sheet(baotou_rounds[0].scheme, [row(), row(name="乙")], edit=edit))
    assert [(e.row, e.field) for e in errors] == [(3, "formula"), (4, "formula")]
    assert "B3" in errors[0].zh and "公式" in errors[0].zh and "formula" in errors[0].en

    errors = refused(
        office, "baotou", sheet(baotou_rounds[0].scheme, [row()], edit=lambda ws: ws.__setitem__("A1", "=1"))
    )
    assert [(e.row, e.field) for e in errors] == [(1, "formula")] and "A1" in errors[0].zh


def test_the_sheet_must_be_the_schemes_and_list_someone(office, baotou_rounds, seeds):
    other = sheet(seeds["baling"].scheme, [row()])
    errors = refused(office, "baotou", other)
    assert errors[0].field == "scheme" and "包头工匠" in errors[0].zh
    errors = refused(office, "baotou", sheet(baotou_rounds[0].scheme, []))
    assert "没有工匠" in errors[0].zh


def test_only_the_talent_office_imports(auditor, baotou_rounds):
    with pytest.raises(NotPermitted):
        historic_import(by=auditor, scheme_code="baotou", file=sheet(baotou_rounds[0].scheme, [row()]))


def test_text_that_looks_like_a_formula_is_kept_as_text_and_the_template_asks_for_text_ids(
    office, baotou_rounds
):
    data = sheet(baotou_rounds[0].scheme, [row(employer="=包钢", note="+86 注")])
    made = historic_import(by=office, scheme_code="baotou", file=data)
    assert (made[0].employer, made[0].note) == ("=包钢", "+86 注")
    ws = load_workbook(io.BytesIO(write_historic_template(baotou_rounds[0].scheme))).worksheets[0]
    assert ws["C3"].number_format == "@" and ws["A1"].value == "“包头工匠”历史命名人员登记表"


def test_the_command_imports_or_lists_every_error_and_saves_nothing(office, baotou_rounds, tmp_path, capsys):
    scheme = baotou_rounds[0].scheme
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(sheet(scheme, [row(name="命令甲"), row(name="命令乙")]))
    bad.write_bytes(sheet(scheme, [row(name="坏", id_number="110105194912310021"), row(name="好")]))

    with pytest.raises(CommandError) as failed:
        call_command("import_honourees", str(bad), "--scheme", "baotou", "--as", office.username)
    assert "nothing was saved" in str(failed.value)
    err = capsys.readouterr().err
    assert "row 3 · id_number · 第 3 行 C 列“身份证号”" in err and "check character" in err
    assert Honouree.objects.count() == 0

    call_command("import_honourees", str(good), "--scheme", "baotou", "--as", office.username)
    out = capsys.readouterr().out
    assert "Registered 2" in out and "BAOTOU-2021-001" in out
    assert Honouree.objects.count() == 2
    with pytest.raises(CommandError):
        call_command(
            "import_honourees", str(tmp_path / "missing.xlsx"), "--scheme", "baotou", "--as", office.username
        )
