"""The intake API: the same services behind JSON, errors mapped to 400/403/404/409, scoping by role."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from honourees.models import Honouree, Nomination
from tests.honourees.conftest import good_fields, person_data, unit_of

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def create(client, round_, unit, **fields):
    return client.post(
        "/api/v1/nominations/",
        {
            "round": round_.pk,
            "unit": unit.pk,
            "person": {k: str(v) for k, v in person_data().items()},
            "fields": good_fields(**fields),
        },
        format="json",
    )


def test_a_clerk_creates_and_submits_through_the_api_and_the_quota_answers_409(rounds, clerk_of):
    r = rounds["jiaozuo"]  # 焦作: industry unions 1 each
    unit = unit_of(r, "industry_union")
    clerk = api(clerk_of(unit))
    first = create(clerk, r, unit)
    assert first.status_code == 201, first.json()
    assert "*" in first.json()["person"]["id_number"], "a clerk sees the identity number masked"
    assert clerk.post(f"/api/v1/nominations/{first.json()['id']}/submit/").json()["status"] == "submitted"

    second = create(clerk, r, unit)
    refused = clerk.post(f"/api/v1/nominations/{second.json()['id']}/submit/")
    assert refused.status_code == 409
    body = refused.json()
    assert (
        body["code"] == "quota_exceeded"
        and "名额" in body["message_zh"]
        and "may send 1" in body["message_en"]
    )


def test_bad_input_is_a_400_listing_each_field(rounds, clerk_of):
    r = rounds["baling"]
    unit = unit_of(r, "county_union")
    clerk = api(clerk_of(unit))
    person = person_data()
    person["id_number"] = person["id_number"][:-1] + ("0" if person["id_number"][-1] != "0" else "1")
    response = clerk.post(
        "/api/v1/nominations/",
        {
            "round": r.pk,
            "unit": unit.pk,
            "person": {k: str(v) for k, v in person.items()},
            "fields": good_fields(brief_deeds="事" * 501, years_in_trade="很多"),
        },
        format="json",
    )
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"id_number", "brief_deeds", "years_in_trade"} <= fields
    assert Nomination.objects.count() == 0


def test_a_clerk_sees_only_their_units_nominations_and_cannot_review(rounds, clerk_of, office):
    r = rounds["baling"]
    a, b = unit_of(r, "county_union"), unit_of(r, "industry_union")
    clerk_a, clerk_b = api(clerk_of(a)), api(clerk_of(b))
    mine = create(clerk_a, r, a).json()["id"]
    create(clerk_b, r, b)
    assert [n["id"] for n in clerk_a.get("/api/v1/nominations/").json()["results"]] == [mine]
    assert clerk_b.get(f"/api/v1/nominations/{mine}/").status_code == 404
    assert (
        clerk_a.post(f"/api/v1/nominations/{mine}/qualify/", {"judgements": {}}, format="json").status_code
        == 403
    )
    assert len(api(office).get("/api/v1/nominations/").json()["results"]) == 2


def test_the_office_runs_a_jiaozuo_round_to_naming_through_the_api(rounds, clerk_of, office, expert):
    r = rounds["jiaozuo"]
    unit = unit_of(r, "county_union")
    clerk, desk, judge = api(clerk_of(unit)), api(office), api(expert)
    nid = create(clerk, r, unit).json()["id"]
    assert clerk.post(f"/api/v1/nominations/{nid}/submit/").status_code == 200
    assert (
        desk.post(f"/api/v1/rounds/{r.pk}/status/", {"status": "reviewing"}, format="json").status_code == 200
    )
    checks = desk.get(f"/api/v1/nominations/{nid}/").json()["eligibility"]
    judgements = {str(c["index"]): {"ok": True} for c in checks if c["outcome"] == "judge"}
    q = desk.post(f"/api/v1/nominations/{nid}/qualify/", {"judgements": judgements}, format="json")
    assert q.json()["status"] == "qualified"
    [assignment] = desk.post(
        f"/api/v1/rounds/{r.pk}/assign/", {"nominations": [nid], "experts": [expert.pk]}, format="json"
    ).json()
    assert judge.get("/api/v1/assignments/").json()["results"][0]["id"] == assignment["id"]
    assert (
        judge.post(
            f"/api/v1/assignments/{assignment['id']}/score/", {"score": "91.5"}, format="json"
        ).status_code
        == 200
    )
    assert (
        desk.post(
            f"/api/v1/rounds/{r.pk}/propose/", {"tiers": {str(nid): "named"}}, format="json"
        ).status_code
        == 200
    )
    notice = desk.post(f"/api/v1/rounds/{r.pk}/notice/", {"starts_on": "2023-09-28"}, format="json").json()
    assert notice["notice_ends_on"] == "2023-10-10"  # National Day 2023 and its 调休 Saturday and Sunday
    too_early = desk.post(f"/api/v1/rounds/{r.pk}/name/", {"named_on": "2023-10-10"}, format="json")
    assert too_early.status_code == 409
    named = desk.post(
        f"/api/v1/rounds/{r.pk}/name/",
        {"named_on": "2023-10-11", "naming_document": "焦工文[2023]1号"},
        format="json",
    )
    assert named.status_code == 201
    assert named.json()[0]["certificate_no"] == "JIAOZUO-2018-001"
    assert Honouree.objects.get().named_on == dt.date(2023, 10, 11)
    pipeline = desk.get(f"/api/v1/rounds/{r.pk}/pipeline/").json()
    assert {row["status"]: row["count"] for row in pipeline["by_status"]}["named"] == 1


def test_listing_nominations_takes_a_fixed_number_of_queries(
    rounds, clerk_of, office, django_assert_max_num_queries
):
    r = rounds["baling"]
    unit = unit_of(r, "county_union")
    clerk = api(clerk_of(unit))
    for _ in range(5):
        create(clerk, r, unit)
    desk = api(office)
    with django_assert_max_num_queries(8):
        assert len(desk.get("/api/v1/nominations/").json()["results"]) == 5
