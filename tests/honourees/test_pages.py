"""The intake pages: who sees what, errors shown on the form, actions through the services."""

import pytest
from django.test import Client

from honourees.models import Nomination
from honourees.services import intake, review
from tests.conftest import PASSWORD
from tests.honourees.conftest import make_id, person_data, unit_of

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def form_data(**overrides):
    data = {
        "name": "赵铁柱",
        "id_number": make_id(),
        "gender": "M",
        "employer": "岳阳机械厂",
        "trade": "焊工",
        "category": "manufacturing",
        "skill_level": "technician",
        "in_city_since": "2001-01-01",
        "awards": "2020-05 | 岳阳市五一劳动奖章 | 岳阳市总工会 | 市级 | 1",
    }
    data.update(overrides)
    return data


def test_a_clerk_enters_a_nomination_on_the_form_and_sees_it_saved(rounds, clerk_of):
    r = rounds["baling"]
    clerk = logged_in(clerk_of(unit_of(r, "county_union")))
    response = clerk.post(f"/nominations/new/{r.pk}/", form_data())
    n = Nomination.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/nominations/{n.pk}/"
    assert n.awards == [
        {
            "date": "2020-05",
            "name": "岳阳市五一劳动奖章",
            "grantor": "岳阳市总工会",
            "level": "city",
            "kind": "honour",
            "rank": "1",
        }
    ]
    page = clerk.get(f"/nominations/{n.pk}/").content.decode()
    assert "赵铁柱" in page and n.person.id_number not in page, "the clerk sees the identity number masked"


def test_form_errors_name_the_field_and_nothing_is_saved(rounds, clerk_of):
    r = rounds["baling"]
    clerk = logged_in(clerk_of(unit_of(r, "county_union")))
    bad_id = make_id()
    bad_id = bad_id[:-1] + ("0" if bad_id[-1] != "0" else "1")
    response = clerk.post(f"/nominations/new/{r.pk}/", form_data(id_number=bad_id, brief_deeds="事" * 501))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="error-id_number"' in page and 'data-testid="error-brief_deeds"' in page
    assert Nomination.objects.count() == 0


def test_a_clerk_cannot_open_another_units_nomination_and_the_office_can(rounds, clerk_of, office, nominate):
    r = rounds["baling"]
    a, b = unit_of(r, "county_union"), unit_of(r, "industry_union")
    clerk_a, clerk_b = clerk_of(a), clerk_of(b)
    n = nominate(r, a, clerk_a)
    assert logged_in(clerk_b).get(f"/nominations/{n.pk}/").status_code == 404
    page = logged_in(office).get(f"/nominations/{n.pk}/").content.decode()
    assert n.person.id_number in page, "the office sees the whole number (and the viewing is logged)"


def test_a_refused_action_comes_back_as_a_message_and_changes_nothing(rounds, clerk_of, nominate):
    r = rounds["jiaozuo"]
    unit = unit_of(r, "industry_union")  # quota 1
    user = clerk_of(unit)
    first, second = nominate(r, unit, user), nominate(r, unit, user)
    client = logged_in(user)
    client.post(f"/nominations/{first.pk}/submit/")
    response = client.post(
        f"/nominations/{second.pk}/submit/", {"next": f"/nominations/{second.pk}/"}, follow=True
    )
    assert "名额为 1 名" in response.content.decode()
    second.refresh_from_db()
    assert second.status == "draft"


def test_the_next_parameter_never_sends_the_user_to_another_site(rounds, clerk_of, nominate):
    r = rounds["baling"]
    unit = unit_of(r, "county_union")
    user = clerk_of(unit)
    n = nominate(r, unit, user)
    response = logged_in(user).post(f"/nominations/{n.pk}/submit/", {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_expert_sees_only_their_assignments(rounds, clerk_of, office, nominate, expert, expert_b):
    r = rounds["jiaozuo"]
    unit = unit_of(r, "county_union")
    user = clerk_of(unit)
    mine = nominate(r, unit, user, person=person_data("李明"))
    theirs = nominate(r, unit, user, person=person_data("王强"))
    for n in (mine, theirs):
        intake.nomination_submit(by=user, nomination_id=n.pk)
    review.round_set_status(by=office, round_id=r.pk, status="reviewing")
    for n in (mine, theirs):
        judge = {
            str(e["index"]): {"ok": True}
            for e in Nomination.objects.get(pk=n.pk).eligibility
            if e["outcome"] == "judge"
        }
        review.nomination_qualify(by=office, nomination_id=n.pk, judgements=judge)
    review.experts_assign(by=office, nomination_ids=[mine.pk], expert_ids=[expert.pk])
    review.experts_assign(by=office, nomination_ids=[theirs.pk], expert_ids=[expert_b.pk])
    client = logged_in(expert)
    page = client.get("/review/").content.decode()
    assert mine.person.name in page and theirs.person.name not in page
    assert client.get(f"/nominations/{theirs.pk}/").status_code == 404


def test_the_round_page_shows_quota_use_per_unit_in_a_fixed_number_of_queries(
    rounds, clerk_of, office, nominate, django_assert_max_num_queries
):
    r = rounds["baling"]
    unit = unit_of(r, "county_union")
    user = clerk_of(unit)
    for _ in range(3):
        intake.nomination_submit(by=user, nomination_id=nominate(r, unit, user).pk)
    client = logged_in(office)
    client.get(f"/rounds/{r.pk}/")  # warm the session and the content types
    with django_assert_max_num_queries(20):
        page = client.get(f"/rounds/{r.pk}/").content.decode()
    assert "岳阳楼区总工会" in page and ">3<" in page.replace(" ", "")


def test_the_summary_export_masks_identity_numbers_unless_the_role_may_see_them(
    rounds, clerk_of, office, auditor, nominate
):
    import io

    from openpyxl import load_workbook

    from backend.models import PersonalDataAccess

    r = rounds["baling"]
    unit = unit_of(r, "county_union")
    user = clerk_of(unit)
    n = nominate(r, unit, user)

    def ids_in(client):
        body = client.get(f"/rounds/{r.pk}/summary.xlsx").content
        sheet = load_workbook(io.BytesIO(body)).active
        return {str(c.value) for row in sheet.iter_rows() for c in row if c.value and len(str(c.value)) == 18}

    assert n.person.id_number not in ids_in(logged_in(user))
    assert n.person.id_number not in ids_in(logged_in(auditor))
    assert not PersonalDataAccess.objects.exists()
    assert n.person.id_number in ids_in(logged_in(office))
    assert PersonalDataAccess.objects.filter(user=office, subject_id=str(n.person_id)).count() == 1
