"""The registry's API: the same services behind JSON, errors mapped to 400/403/404/409, pinned query counts."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.test import APIClient

from backend.models import PersonalDataAccess
from honourees.models import BenefitEntitlement, Honouree, PriorHonour
from honourees.services import benefits, prior_honours
from tests.honourees.conftest import make_id
from tests.honourees.registry_steps import baotou_treatment_items, past_round, register, row, sheet

pytestmark = pytest.mark.django_db

# fixtures shared by the registry tests


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def baotou_2021(seeds):
    baotou_treatment_items()
    return past_round(seeds["baotou"], 2021)


def test_the_list_searches_and_its_queries_do_not_grow_with_rows(
    baotou_2021, office, django_assert_num_queries
):
    register(office, baotou_2021, name="包一", trade="炼钢工")
    client = api(office)
    few = queries(client, "/api/v1/honourees/")
    for i in range(8):
        register(office, baotou_2021, name=f"包{i}", trade="稀土冶炼", region="青山区")
    with django_assert_num_queries(few):
        body = client.get("/api/v1/honourees/?scheme=baotou&year=2021").json()
    assert few <= 3 and body["count"] == 9  # (the roles, if not read yet), the count, the page
    found = client.get("/api/v1/honourees/?trade=炼钢").json()["results"]
    assert [r["name"] for r in found] == ["包一"]
    assert set(found[0]) >= {
        "certificate_no",
        "title",
        "status",
        "scheme",
        "year",
        "employer",
        "trade",
        "unit",
        "region",
    }
    assert "person" not in found[0], "no identity numbers in lists"
    assert client.get("/api/v1/honourees/?region=青山&status=active").json()["count"] == 8


def test_the_detail_has_everything_and_a_whole_identity_number_only_for_the_office_logged(
    baotou_2021, office, auditor
):
    h = register(office, baotou_2021, name="包详")
    prior_honours.prior_honour_add(
        by=office, person_id=h.person_id, name="包头市劳动模范", level="city", year=2019
    )
    whole = api(office).get(f"/api/v1/honourees/{h.pk}/").json()
    assert whole["person"]["id_number"] == h.person.id_number
    assert PersonalDataAccess.objects.filter(user=office, purpose="api").count() == 1
    assert [e["code"] for e in whole["entitlements"]][0] == "baotou_labour_model"
    assert whole["prior_honours"][0]["name"] == "包头市劳动模范"
    assert whole["award_plan"] == [
        {"label": "一次性奖励", "amount": "10000.00", "earliest": "2020-04-28", "conditions": []}
    ]
    masked = api(auditor).get(f"/api/v1/honourees/{h.pk}/").json()
    assert "*" in masked["person"]["id_number"]


def test_registration_revocation_and_reinstatement_through_the_api(seeds, office, auditor):
    r = past_round(seeds["baling"], 2020)
    client = api(office)
    bad = client.post(
        "/api/v1/honourees/",
        {"round": r.pk, "person": {"name": "巴", "id_number": "1234"}, "named_on": "2020-10-30"},
        format="json",
    )
    assert bad.status_code == 400 and {e["field"] for e in bad.json()["errors"]} == {"id_number"}
    made = client.post(
        "/api/v1/honourees/",
        {
            "round": r.pk,
            "person": {"name": "巴", "id_number": make_id()},
            "named_on": "2020-10-30",
            "employer": "岳阳石化",
        },
        format="json",
    )
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    assert made.json()["certificate_no"] == "BALING-2020-001" and made.json()["employer"] == "岳阳石化"

    assert (
        api(auditor)
        .post(
            f"/api/v1/honourees/{pk}/revoke/",
            {"on": "2024-03-01", "reason": "x", "grounds": "false_claims"},
            format="json",
        )
        .status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/honourees/{pk}/reinstate/", {"on": "2024-03-01", "reason": "x"}, format="json"
        ).status_code
        == 409
    )
    revoked = client.post(
        f"/api/v1/honourees/{pk}/revoke/",
        {"on": "2024-03-01", "reason": "虚报", "grounds": "false_claims"},
        format="json",
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert revoked.json()["debarments"][0]["ends_on"] == "2027-02-28"
    assert revoked.json()["status_changes"][0]["grounds"] == "false_claims"
    back = client.post(
        f"/api/v1/honourees/{pk}/reinstate/", {"on": "2024-04-01", "reason": "复议"}, format="json"
    )
    assert back.json()["status"] == "active"
    suspended = client.post(
        f"/api/v1/honourees/{pk}/status/",
        {"status": "suspended", "on": "2024-05-01", "reason": "调查"},
        format="json",
    )
    assert suspended.json()["status"] == "suspended"
    assert (
        client.post(
            f"/api/v1/honourees/{pk}/status/",
            {"status": "revoked", "on": "2024-05-02", "reason": "x"},
            format="json",
        ).status_code
        == 400
    ), "revocation is its own action"


def test_entitlements_deliveries_and_recovery_through_the_api(baotou_2021, office, django_assert_num_queries):
    h = register(office, baotou_2021, name="包钱")
    client = api(office)
    few = queries(client, "/api/v1/benefit-entitlements/")
    allowance = BenefitEntitlement.objects.get(honouree=h, code="baotou_honour_allowance")
    made = client.post(
        f"/api/v1/benefit-entitlements/{allowance.pk}/deliveries/",
        {"occurrence_on": "2024-01-01", "delivered_on": "2024-01-03", "evidence": "代发"},
        format="json",
    )
    assert made.status_code == 201 and made.json()["amount"] == "300.00"
    assert (
        client.post(
            f"/api/v1/benefit-entitlements/{allowance.pk}/deliveries/",
            {"occurrence_on": "2024-01-01", "delivered_on": "2024-01-04", "evidence": "又一次"},
            format="json",
        ).status_code
        == 409
    )
    register(office, baotou_2021, name="包孙")
    with django_assert_num_queries(few):
        body = client.get("/api/v1/benefit-entitlements/?kind=recurring_allowance").json()
    assert body["count"] == 4 and sum(len(e["deliveries"]) for e in body["results"]) == 1

    client.post(
        f"/api/v1/honourees/{h.pk}/revoke/",
        {"on": "2024-02-01", "reason": "造假", "grounds": "other"},
        format="json",
    )
    marked = client.get("/api/v1/benefit-deliveries/?recovery=to_recover").json()["results"]
    assert [d["amount"] for d in marked] == ["300.00"]
    done = client.post(
        f"/api/v1/benefit-deliveries/{marked[0]['id']}/recovery/", {"on": "2024-03-01"}, format="json"
    )
    assert done.json()["recovery"] == "recovered"
    due = client.get("/api/v1/honourees/calendar/?month=2024-03").json()
    assert [d["name"] for d in due] == ["包孙"], "nothing more is due to the revoked honour"


def test_the_delivery_and_prior_honour_lists_cost_the_same_queries_however_many_rows(baotou_2021, office):
    client = api(office)
    h = register(office, baotou_2021, name="包列")
    allowance = BenefitEntitlement.objects.get(honouree=h, code="baotou_honour_allowance")
    benefits.delivery_record(
        by=office,
        entitlement_id=allowance.pk,
        occurrence_on=dt.date(2023, 1, 1),
        delivered_on=dt.date(2023, 1, 1),
        evidence="一",
    )
    prior_honours.prior_honour_add(by=office, person_id=h.person_id, name="荣誉一", level="city", year=2010)
    few = (queries(client, "/api/v1/benefit-deliveries/"), queries(client, "/api/v1/prior-honours/"))
    for month in range(2, 9):
        benefits.delivery_record(
            by=office,
            entitlement_id=allowance.pk,
            occurrence_on=dt.date(2023, month, 1),
            delivered_on=dt.date(2023, month, 1),
            evidence=f"第{month}月",
        )
        other = register(office, baotou_2021, name=f"包列{month}")
        prior_honours.prior_honour_add(
            by=office, person_id=other.person_id, name="荣誉", level="county", year=2011
        )
    assert (queries(client, "/api/v1/benefit-deliveries/"), queries(client, "/api/v1/prior-honours/")) == few
    assert client.get("/api/v1/benefit-deliveries/").json()["count"] == 8


def test_the_calendar_endpoint_lists_what_is_due(baotou_2021, office, auditor):
    register(office, baotou_2021, name="包历")
    got = api(auditor).get("/api/v1/honourees/calendar/?month=2024-01&funder=union").json()
    assert [(d["day"], d["code"], d["amount"], d["name"]) for d in got] == [
        ("2024-01-20", "baotou_spring_festival_visit", "500.00", "包历")
    ]


def test_referrals_and_prior_honours_through_the_api(seeds, office, auditor):
    h = register(office, past_round(seeds["jiaozuo"], 2017), name="焦", named_on=dt.date(2017, 9, 10))
    client = api(office)
    referral = BenefitEntitlement.objects.get(honouree=h)
    client.post(
        f"/api/v1/benefit-entitlements/{referral.pk}/referral/",
        {"outcome": "submitted", "on": "2017-09-20"},
        format="json",
    )
    awarded = client.post(
        f"/api/v1/benefit-entitlements/{referral.pk}/referral/",
        {
            "outcome": "awarded",
            "on": "2018-04-28",
            "honour_name": "焦作市五一劳动奖章",
            "honour_level": "city",
        },
        format="json",
    )
    assert awarded.json()["referral_status"] == "awarded" and awarded.json()["awarded_honour"]

    made = client.post(
        "/api/v1/prior-honours/",
        {
            "person": h.person_id,
            "name": "河南省技术能手",
            "level": "provincial",
            "conferred_on": "2015-05-01",
            "granted_by": "河南省人社厅",
        },
        format="json",
    )
    assert made.status_code == 201 and made.json()["year"] == 2015
    assert (
        api(auditor)
        .post("/api/v1/prior-honours/", {"person": h.person_id, "name": "x", "level": "city"}, format="json")
        .status_code
        == 403
    )
    revoked = client.post(
        f"/api/v1/prior-honours/{made.json()['id']}/revoke/",
        {"on": "2020-01-01", "reason": "撤销"},
        format="json",
    )
    assert revoked.json()["revoked"] is True
    assert sorted(
        client.get(f"/api/v1/prior-honours/?person={h.person_id}").json()["results"][i]["name"]
        for i in range(2)
    ) == sorted(["焦作市五一劳动奖章", "河南省技术能手"])
    assert PriorHonour.objects.filter(revoked=True).count() == 1


def test_the_roster_import_and_template_through_the_api(baotou_2021, office, auditor, outsider):
    client = api(office)
    template = client.get("/api/v1/honourees/import-template/?scheme=baotou")
    assert template.status_code == 200
    data = sheet(baotou_2021.scheme, [row(name="接口甲"), row(name="接口乙")])
    made = client.post(
        "/api/v1/honourees/import/", {"scheme": "baotou", "file": io.BytesIO(data)}, format="multipart"
    )
    assert made.status_code == 201 and [h["name"] for h in made.json()] == ["接口甲", "接口乙"]
    again = client.post(
        "/api/v1/honourees/import/", {"scheme": "baotou", "file": io.BytesIO(data)}, format="multipart"
    )
    assert again.status_code == 400 and len(again.json()["errors"]) == 2 and Honouree.objects.count() == 2
    roster = load_workbook(
        io.BytesIO(api(auditor).get("/api/v1/honourees/roster/?scheme=baotou").content)
    ).worksheets[0]
    assert sorted(roster.cell(r, 3).value for r in (3, 4)) == sorted(["接口甲", "接口乙"])
    assert api(outsider).get("/api/v1/honourees/").json()["count"] == 0
    assert api(outsider).get("/api/v1/benefit-entitlements/").json()["count"] == 0


def test_benefit_types_are_listed_for_the_registry_roles(baotou_2021, office, outsider):
    assert api(office).get("/api/v1/benefit-types/?treatment=baotou_labour_model").json()["count"] == 4
    assert api(outsider).get("/api/v1/benefit-types/").json()["count"] == 0


def test_the_api_schema_builds_with_the_registry(office):
    response = api(office).get("/api/schema/")
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        "/api/v1/honourees/{id}/revoke/" in body and "/api/v1/benefit-entitlements/{id}/deliveries/" in body
    )
