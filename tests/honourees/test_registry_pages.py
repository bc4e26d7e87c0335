"""The registry's pages and its Excel roster: who sees what, search, escaping, masking, pinned query counts."""

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from backend.models import PersonalDataAccess
from honourees.models import BenefitEntitlement, Honouree
from honourees.services import benefits, prior_honours, status
from tests.honourees.registry_steps import baotou_treatment_items, past_round, register, row, sheet

pytestmark = pytest.mark.django_db

# fixtures shared by the registry tests
EVIL = '<script>alert("x")</script>'


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def registry_rows(seeds, office):
    """Two 包头 (2021, one with the labour-model items) and one 巴陵 (2020) honouree."""
    baotou_treatment_items()
    bt = past_round(seeds["baotou"], 2021)
    bl = past_round(seeds["baling"], 2020)
    unit = bt.scheme.units.get(name="包钢集团工会")
    a = register(
        office, bt, name="包钢王", trade="炼钢工", employer="包钢集团", unit_id=unit.pk, region="昆都仑区"
    )
    b = register(office, bt, name="稀土李", trade="稀土冶炼", employer="北方稀土", region="青山区")
    c = register(office, bl, name="巴陵周", trade="钳工", employer=EVIL, region="岳阳楼区")
    return a, b, c


def names(response) -> list[str]:
    return [h.person.name for h in response.context["page"]]


def test_the_roster_searches_by_scheme_year_status_trade_region_unit_and_name(registry_rows, office):
    a, b, c = registry_rows
    client = browser(office)
    assert sorted(names(client.get("/registry/"))) == sorted(["巴陵周", "包钢王", "稀土李"])
    assert sorted(names(client.get("/registry/?scheme=baotou"))) == ["包钢王", "稀土李"]
    assert names(client.get("/registry/?year=2020")) == ["巴陵周"]
    assert names(client.get("/registry/?trade=稀土")) == ["稀土李"]
    assert names(client.get("/registry/?region=昆都仑")) == ["包钢王"]
    assert names(client.get(f"/registry/?unit={a.unit_id}")) == ["包钢王"]
    assert names(client.get(f"/registry/?q={b.certificate_no}")) == ["稀土李"]
    status.honouree_set_status(
        by=office, honouree_id=b.pk, status="suspended", on=dt.date(2024, 1, 1), reason="调查"
    )
    assert names(client.get("/registry/?status=suspended")) == ["稀土李"]
    page = client.get("/registry/").content.decode()
    assert 'data-status="suspended">暂停 1</span>' in page


def test_a_named_honouree_is_found_by_its_nominations_trade_and_units_region(seeds, office):
    from tests.honourees.registry_steps import name_baotou

    h = name_baotou(office, seeds["baotou"])[0]
    client = browser(office)
    assert names(client.get("/registry/?trade=数控车")) == [h.person.name]
    assert names(client.get("/registry/?region=昆都仑区")) == [h.person.name]
    assert names(client.get(f"/registry/?unit={h.nomination.unit_id}")) == [h.person.name]


def test_pages_escape_what_people_typed(registry_rows, office):
    a, b, c = registry_rows
    prior_honours.prior_honour_add(by=office, person_id=c.person_id, name=EVIL, level="city", year=2019)
    status.honouree_set_status(
        by=office, honouree_id=c.pk, status="suspended", on=dt.date(2024, 1, 1), reason=EVIL
    )
    client = browser(office)
    for url in ("/registry/", f"/registry/{c.pk}/", "/registry/?q=巴陵"):
        page = client.get(url).content.decode()
        assert EVIL not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page, url
    allowance = BenefitEntitlement.objects.get(honouree=a, code="baotou_honour_allowance")
    benefits.delivery_record(
        by=office,
        entitlement_id=allowance.pk,
        occurrence_on=dt.date(2024, 1, 1),
        delivered_on=dt.date(2024, 1, 2),
        evidence=EVIL,
    )
    page = client.get(f"/registry/{a.pk}/").content.decode()
    assert EVIL not in page and "&lt;script&gt;" in page


def test_identity_numbers_are_masked_and_a_whole_one_is_shown_on_request_and_recorded(
    registry_rows, office, auditor
):
    a = registry_rows[0]
    number = a.person.id_number
    page = browser(auditor).get(f"/registry/{a.pk}/").content.decode()
    assert number not in page and number[:6] + "********" + number[-4:] in page and "reveal-id" not in page
    assert not PersonalDataAccess.objects.exists()
    assert number not in browser(auditor).get(f"/registry/{a.pk}/?reveal=id").content.decode()

    desk = browser(office)
    assert number not in desk.get(f"/registry/{a.pk}/").content.decode()
    assert not PersonalDataAccess.objects.exists(), "looking at the page unmasks nothing"
    assert number in desk.get(f"/registry/{a.pk}/?reveal=id").content.decode()
    log = PersonalDataAccess.objects.get()
    assert (log.user, log.subject_id, log.field) == (office, str(a.person_id), "id_number")


def test_only_registry_roles_open_the_registry(registry_rows, outsider, maker):
    client = browser(outsider)
    for url in (
        "/registry/",
        f"/registry/{registry_rows[0].pk}/",
        "/registry/calendar/",
        "/registry/roster.xlsx",
        "/registry/new/",
        "/registry/import/",
    ):
        assert client.get(url).status_code == 403, url
    assert browser(maker).get("/registry/").status_code == 200
    assert browser(maker).get("/registry/new/").status_code == 403, "maker reads, the office registers"


def test_the_roster_and_an_honourees_page_cost_the_same_queries_however_much_there_is(
    seeds, office, django_assert_num_queries
):
    baotou_treatment_items()
    r = past_round(seeds["baotou"], 2021)
    first = register(office, r, name="一号")
    client = browser(office)

    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    roster_few, page_few = count("/registry/"), count(f"/registry/{first.pk}/")
    for i in range(12):
        register(office, r, name=f"多{i}", unit_id=r.scheme.units.first().pk)
    for e in BenefitEntitlement.objects.filter(honouree=first).exclude(kind="labour_model_treatment"):
        for day in e.occurrences(dt.date(2023, 1, 1), dt.date(2023, 12, 31))[:3]:
            benefits.delivery_record(
                by=office, entitlement_id=e.pk, occurrence_on=day, delivered_on=day, evidence="凭证"
            )
    prior_honours.prior_honour_add(
        by=office, person_id=first.person_id, name="包头市劳动模范", level="city", year=2019
    )
    status.honouree_set_status(
        by=office, honouree_id=first.pk, status="suspended", on=dt.date(2024, 1, 1), reason="x"
    )
    assert count("/registry/") == roster_few
    assert count(f"/registry/{first.pk}/") == page_few
    with django_assert_num_queries(roster_few):
        client.get("/registry/?scheme=baotou&year=2021")
    assert (roster_few, page_few) == (8, 12)  # 12: the funding panel adds one query, whatever the data


def test_the_office_revokes_on_the_page_and_a_refusal_comes_back_as_a_message(registry_rows, office):
    c = registry_rows[2]
    client = browser(office)
    refused = client.post(
        f"/registry/{c.pk}/revoke/",
        {"on": "2024-03-01", "reason": "", "grounds": "false_claims", "next": f"/registry/{c.pk}/"},
        follow=True,
    )
    assert "请说明原因" in refused.content.decode()
    assert Honouree.objects.get(pk=c.pk).status == "active"
    done = client.post(
        f"/registry/{c.pk}/revoke/",
        {
            "on": "2024-03-01",
            "reason": "虚报",
            "grounds": "false_claims",
            "debar": "rules",
            "recover_paid": "yes",
            "next": f"/registry/{c.pk}/",
        },
    )
    assert done.status_code == 302 and done["Location"] == f"/registry/{c.pk}/"
    assert Honouree.objects.get(pk=c.pk).status == "revoked"
    page = client.get(f"/registry/{c.pk}/").content.decode()
    assert 'data-testid="reinstate-form"' in page and "2027-02-28" in page
    client.post(f"/registry/{c.pk}/reinstate/", {"on": "2024-04-01", "reason": "复议"})
    assert Honouree.objects.get(pk=c.pk).status == "active"


def test_benefits_are_delivered_from_the_calendar_page(registry_rows, office, auditor):
    a = registry_rows[0]
    page = browser(auditor).get("/registry/calendar/?month=2024-01").content.decode()
    assert (
        "春节慰问" in page
        and "荣誉津贴" in page
        and "Delivered" not in page
        and "发放" not in page.split("calendar")[-1][:0]
    )
    client = browser(office)
    visit = BenefitEntitlement.objects.get(honouree=a, code="baotou_spring_festival_visit")
    client.post(
        f"/registry/entitlements/{visit.pk}/deliveries/",
        {"occurrence_on": "2024-01-20", "delivered_on": "2024-01-21", "evidence": "签收单"},
    )
    page = client.get("/registry/calendar/?month=2024-01").content.decode()
    assert f'data-testid="due-{visit.pk}-20240120"' not in page
    assert "荣誉津贴" in page


def test_direct_registration_on_the_page_shows_field_errors_and_saves_nothing(seeds, office):
    r = past_round(seeds["jiaozuo"], 2017)
    client = browser(office)
    bad = client.post(
        "/registry/new/",
        {
            "round": r.pk,
            "name": "焦某",
            "id_number": "110105194912310021",
            "tier": "named",
            "named_on": "2017-09-10",
        },
    )
    assert bad.status_code == 200 and 'data-testid="error-id_number"' in bad.content.decode()
    assert not Honouree.objects.exists()
    from tests.honourees.conftest import make_id

    good = client.post(
        "/registry/new/",
        {
            "round": r.pk,
            "name": "焦某",
            "id_number": make_id(),
            "tier": "finalist",
            "named_on": "2017-09-10",
            "naming_document": "焦工文[2017]5号",
        },
    )
    h = Honouree.objects.get()
    assert (
        good["Location"] == f"/registry/{h.pk}/"
        and h.tier == "finalist"
        and h.title_shown() == "焦作工匠入围奖"
    )


def test_the_import_page_lists_every_error(seeds, office):
    past_round(seeds["baotou"], 2021)
    client = browser(office)
    data = sheet(seeds["baotou"].scheme, [row(name="甲", id_number="1234"), row(name="乙", year=2015)])
    page = client.post("/registry/import/", {"scheme": "baotou", "file": io.BytesIO(data)}).content.decode()
    assert 'data-testid="import-errors"' in page and "第 3 行" in page and "第 4 行" in page
    assert not Honouree.objects.exists()
    template = client.get("/registry/import/baotou.xlsx")
    assert (
        template.status_code == 200
        and load_workbook(io.BytesIO(template.content)).worksheets[0]["B2"].value == "姓名"
    )


def test_the_roster_in_excel_masks_for_the_auditor_and_logs_whole_numbers_for_the_office(
    registry_rows, office, auditor, django_assert_max_num_queries
):
    a, b, c = registry_rows
    masked = load_workbook(
        io.BytesIO(browser(auditor).get("/registry/roster.xlsx?scheme=baotou").content)
    ).worksheets[0]
    assert masked["A2"].value == "序号" and masked["F2"].value == "身份证号"
    assert (
        sorted(masked.cell(r, 3).value for r in (3, 4)) == ["包钢王", "稀土李"] and masked["C5"].value is None
    )
    assert all("*" in masked.cell(r, 6).value for r in (3, 4))
    assert not PersonalDataAccess.objects.exists()

    client = browser(office)
    client.get("/registry/")
    with django_assert_max_num_queries(8):
        body = client.get("/registry/roster.xlsx").content
    whole = load_workbook(io.BytesIO(body)).worksheets[0]
    assert {whole.cell(r, 6).value for r in (3, 4, 5)} == {h.person.id_number for h in (a, b, c)}
    assert PersonalDataAccess.objects.filter(user=office, purpose="工匠名册导出").count() == 3
    evil_row = next(r for r in (3, 4, 5) if whole.cell(r, 3).value == "巴陵周")
    assert whole.cell(evil_row, 13).value == EVIL and whole.cell(evil_row, 13).data_type == "s"


def test_text_starting_like_a_formula_is_exported_as_text(seeds, office):
    register(office, past_round(seeds["baling"], 2020), name="公式", employer='=HYPERLINK("http://x")')
    ws = load_workbook(io.BytesIO(browser(office).get("/registry/roster.xlsx").content)).worksheets[0]
    cell = ws.cell(3, 13)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s" and cell.quotePrefix


def test_the_home_page_shows_the_registry_card(registry_rows, office):
    page = browser(office).get("/").content.decode()
    assert "/registry/" in page and "/registry/calendar/" in page
