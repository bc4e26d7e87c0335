"""The Excel reports: their figures read back with openpyxl agree with the database; Chinese headers, numbers
as numbers, dates as dates, no formula; identity numbers whole only for roles that may see them."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from backend.idnumbers import mask_id_number
from backend.models import PersonalDataAccess
from honourees.models import BenefitEntitlement
from honourees.services import benefits
from reports import exports
from studios.services.sessions import sessions_verify
from tests.honourees.registry_steps import baotou_treatment_items, past_round, register

from .conftest import add_apprentice, log

pytestmark = pytest.mark.django_db
NO_PROGRESS = lambda percent, stage: None  # noqa: E731


def rows(data: bytes, sheet=None):
    wb = load_workbook(io.BytesIO(data))
    ws = wb[sheet] if sheet else wb.worksheets[0]
    return ws, [list(r) for r in ws.iter_rows(min_row=3, values_only=True)]


def test_the_sessions_log_lists_each_session_with_numbers_dates_and_text_kept_as_text(
    studio_a, host_a, contact, office
):
    apps = [add_apprentice(studio_a, host_a, n) for n in ("李明", "王芳")]
    s1 = log(
        studio_a,
        host_a,
        dt.date(2025, 2, 3),
        apps,
        start=dt.time(9, 0),
        end=dt.time(11, 30),
        topic='=HYPERLINK("http://x","点我")',
    )
    s2 = log(studio_a, host_a, dt.date(2025, 3, 4), apps[:1], topic="+钳工实操")
    sessions_verify(by=contact, session_ids=[s1.pk])
    out = exports.build_sessions({}, NO_PROGRESS, by=office)
    ws, data = rows(out.content)
    header = [c.value for c in ws[2]]
    assert header[:5] == ["序号", "工作室", "领办人", "项目", "日期"] and "学时" in header
    assert ws.column_dimensions["B"].width == 26
    assert len(data) == 2
    first = dict(zip(header, data[0], strict=True))
    assert first["日期"] == dt.datetime(2025, 2, 3)
    assert first["学时"] == Decimal("2.50") and ws.cell(3, header.index("学时") + 1).data_type == "n"
    assert first["学员人数"] == 2 and first["参加学员"] == "李明、王芳" and first["状态"] == "已核实"
    assert first["主题"] == s1.topic and first["核实人"] == contact.get_full_name()
    cell = ws.cell(3, header.index("主题") + 1)
    assert cell.data_type == "s" and cell.quotePrefix, "a formula typed as a topic stays text"
    assert ws.cell(3, header.index("日期") + 1).number_format == 'yyyy"年"m"月"d"日"'
    second = dict(zip(header, data[1], strict=True))
    assert second["主题"] == s2.topic and second["状态"] == "待核实" and second["学时"] == 4


def test_a_host_gets_only_their_own_studios_sessions(studio_a, studio_b, host_a, host_b):
    log(studio_a, host_a, dt.date(2025, 2, 3), [add_apprentice(studio_a, host_a, "李明")])
    log(studio_b, host_b, dt.date(2025, 2, 4), [add_apprentice(studio_b, host_b, "王芳")])
    _ws, data = rows(exports.build_sessions({}, NO_PROGRESS, by=host_b).content)
    assert [r[1] for r in data] == [studio_b.name]


@pytest.fixture
def baotou_deliveries(seeds, office):
    baotou_treatment_items()
    h = register(office, past_round(seeds["baotou"], 2021), name="包头甲", named_on=dt.date(2021, 4, 28))
    codes = {e.code: e for e in BenefitEntitlement.objects.filter(honouree=h)}
    benefits.delivery_record(
        by=office,
        entitlement_id=codes["baotou_spring_festival_visit"].pk,
        occurrence_on=dt.date(2024, 1, 20),
        delivered_on=dt.date(2024, 1, 22),
        evidence="=cmd|'/c calc'!A0",
    )
    benefits.delivery_record(
        by=office,
        entitlement_id=codes["baotou_honour_allowance"].pk,
        occurrence_on=dt.date(2024, 2, 1),
        delivered_on=dt.date(2024, 2, 2),
        evidence="工资单 2024-02",
    )
    return h


def test_the_benefits_ledger_has_amounts_as_numbers_and_masks_identity_numbers_for_the_auditor(
    baotou_deliveries, office, auditor
):
    h = baotou_deliveries
    out = exports.build_benefits({"year": 2024}, NO_PROGRESS, by=office)
    ws, data = rows(out.content)
    header = [c.value for c in ws[2]]
    table = [dict(zip(header, r, strict=True)) for r in data]
    assert [(r["待遇名称"], r["金额（元）"], r["发放日期"]) for r in table] == [
        ("春节慰问", 500, dt.datetime(2024, 1, 22)),
        ("荣誉津贴", 300, dt.datetime(2024, 2, 2)),
    ]
    assert ws.cell(3, header.index("金额（元）") + 1).number_format == "#,##0.00"
    assert ws.cell(3, header.index("金额（元）") + 1).data_type == "n"
    assert table[0]["身份证号"] == h.person.id_number and table[0]["出资方"] == "工会"
    assert table[0]["凭证"] == "=cmd|'/c calc'!A0" and ws.cell(3, header.index("凭证") + 1).data_type == "s"
    assert PersonalDataAccess.objects.filter(user=office, subject_id=str(h.person_id)).count() == 1

    _ws, masked = rows(exports.build_benefits({}, NO_PROGRESS, by=auditor).content)
    assert {r[header.index("身份证号")] for r in masked} == {mask_id_number(h.person.id_number)}
    assert not PersonalDataAccess.objects.filter(user=auditor).exists()
    _ws, none = rows(exports.build_benefits({"year": 2023}, NO_PROGRESS, by=office).content)
    assert none == []


def test_the_roster_reuses_the_registrys_writer_with_masking(baotou_deliveries, office, auditor):
    h = baotou_deliveries
    ws, data = rows(exports.build_roster({"scheme": h.round.scheme_id}, NO_PROGRESS, by=auditor).content)
    assert [r[2] for r in data if r[2]] == ["包头甲"]
    assert mask_id_number(h.person.id_number) in data[0]
    ws, data = rows(
        exports.build_roster({"scheme": h.round.scheme_id, "year": 2021}, NO_PROGRESS, by=office).content
    )
    assert h.person.id_number in data[0]


def test_the_command_writes_a_report_with_a_progress_bar(studio_a, host_a, office, tmp_path, capsys):
    log(studio_a, host_a, dt.date(2025, 2, 3), [add_apprentice(studio_a, host_a, "李明")])
    target = tmp_path / "sessions.xlsx"
    call_command("report", "sessions", "--scheme", "baling", "--year", "2025", "-o", str(target))
    captured = capsys.readouterr()
    assert "100%" in captured.err and "[#" in captured.err
    _ws, data = rows(target.read_bytes())
    assert len(data) == 1 and data[0][1] == studio_a.name
    pdf = tmp_path / "studio.pdf"
    call_command(
        "report", "studio-annual", "--studio", str(studio_a.pk), "-o", str(pdf), "--as", host_a.username
    )
    assert pdf.read_bytes().startswith(b"%PDF")


def test_the_command_refuses_what_the_acting_user_may_not_have(studio_a, host_b, office, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="工作室"):
        call_command(
            "report",
            "studio-annual",
            "--studio",
            str(studio_a.pk),
            "-o",
            str(tmp_path / "x.pdf"),
            "--as",
            host_b.username,
        )
    with pytest.raises(CommandError, match="no-such"):
        call_command("report", "no-such", "-o", str(tmp_path / "x"))
    assert not (tmp_path / "x.pdf").exists()


def test_the_summary_is_the_intakes_own_table_of_the_round(baling, office, make_user):
    from honourees.models import RecommendingUnit, Round, UnitClerk
    from tests.honourees.intake_steps import submitted

    Round.objects.filter(pk=baling.pk).update(status=Round.Status.OPEN)
    units = list(
        RecommendingUnit.objects.filter(scheme=baling.scheme, unit_type="county_union").order_by("id")[:2]
    )
    clerks = []
    for i, unit in enumerate(units):
        clerk = make_user(f"clerk{i}", "unit_clerk")
        UnitClerk.objects.create(user=clerk, unit=unit)
        clerks.append(clerk)
        submitted(baling, unit, clerk, name=f"推荐人{i}")
    params = {"scheme": baling.scheme_id, "year": 2023}
    ws, data = rows(exports.build_summary(params, NO_PROGRESS, by=office).content)
    assert "汇总表" in ws.cell(1, 1).value
    names = [r[1] for r in ws.iter_rows(min_row=5, values_only=True) if r[1]]
    assert sorted(names) == ["推荐人0", "推荐人1"]
    ws, _data = rows(exports.build_summary(params, NO_PROGRESS, by=clerks[1]).content)
    assert [r[1] for r in ws.iter_rows(min_row=5, values_only=True) if r[1]] == ["推荐人1"], (
        "a clerk: their unit only"
    )
    assert units[1].name in ws.cell(2, 1).value
