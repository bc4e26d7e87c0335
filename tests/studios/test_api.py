"""The studios API: the same services and scoping as the pages, errors in both languages naming the field,
a 404 for anything outside the caller's studios, and pinned query counts on the lists."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from backend.roles import Role
from studios.models import Apprentice, MentoringSession
from studios.services.sessions import sessions_verify
from studios.services.studios import studio_create

from .conftest import add_apprentice, log, set_up_studio

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 4)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(apprentices, **overrides):
    data = {
        "date": DAY.isoformat(),
        "starts_at": "09:00",
        "ends_at": "11:30",
        "kind": "teaching",
        "topic": "识图",
        "location": "实训室",
        "attendees": [a.pk for a in apprentices],
    }
    data.update(overrides)
    return data


def test_a_host_logs_and_corrects_a_session_through_the_api(studio_a, host_a, apprentices_a):
    client = api(host_a)
    r = client.post("/api/v1/sessions/", {"studio": studio_a.pk, **body(apprentices_a)}, format="json")
    assert r.status_code == 201, r.json()
    data = r.json()
    assert (data["hours"], data["status"], len(data["attendees"])) == ("2.50", "submitted", 3)
    r = client.put(
        f"/api/v1/sessions/{data['id']}/", body(apprentices_a[:1], topic="识图与公差"), format="json"
    )
    assert r.status_code == 200 and r.json()["topic"] == "识图与公差" and len(r.json()["attendees"]) == 1


def test_api_errors_name_the_field_in_both_languages(studio_a, host_a, apprentices_a):
    r = api(host_a).post(
        "/api/v1/sessions/", {"studio": studio_a.pk, **body(apprentices_a, ends_at="08:00")}, format="json"
    )
    assert r.status_code == 400
    err = r.json()
    assert err["field"] == "ends_at" and "须晚于" in err["message_zh"] and "after" in err["message_en"]
    r = api(host_a).post(
        "/api/v1/sessions/", {"studio": studio_a.pk, **body(apprentices_a, date="3月4日")}, format="json"
    )
    assert r.status_code == 400 and r.json()["field"] == "date"
    assert not MentoringSession.objects.exists()


def test_another_hosts_session_is_a_404_everywhere_in_the_api(
    studio_a, studio_b, host_a, host_b, apprentices_a
):
    s = log(studio_a, host_a, DAY, apprentices_a)
    other = api(host_b)
    assert other.get(f"/api/v1/sessions/{s.pk}/").status_code == 404
    assert other.put(f"/api/v1/sessions/{s.pk}/", body(apprentices_a), format="json").status_code == 404
    assert other.delete(f"/api/v1/sessions/{s.pk}/").status_code == 404
    assert other.post(f"/api/v1/sessions/{s.pk}/return/", {"reason": "x"}, format="json").status_code == 404
    assert other.post("/api/v1/sessions/verify/", {"sessions": [s.pk]}, format="json").status_code == 404
    assert other.get(f"/api/v1/studios/{studio_a.pk}/progress/").status_code == 404
    assert other.get(f"/api/v1/apprentices/{apprentices_a[0].pk}/").status_code == 404
    r = other.post("/api/v1/sessions/", {"studio": studio_a.pk, **body(apprentices_a)}, format="json")
    assert r.status_code == 404
    assert [x["id"] for x in other.get("/api/v1/sessions/").json()["results"]] == []
    assert [x["id"] for x in other.get("/api/v1/studios/").json()["results"]] == [studio_b.pk]


def test_the_auditor_reads_everything_and_changes_nothing(studio_a, host_a, auditor, apprentices_a):
    s = log(studio_a, host_a, DAY, apprentices_a)
    client = api(auditor)
    assert client.get(f"/api/v1/sessions/{s.pk}/").status_code == 200
    assert client.post("/api/v1/sessions/verify/", {"sessions": [s.pk]}, format="json").status_code == 403
    assert client.delete(f"/api/v1/sessions/{s.pk}/").status_code == 403
    ids = [a["id_number"] for a in client.get("/api/v1/apprentices/").json()["results"]]
    assert all("********" in i for i in ids), "the auditor sees identity numbers masked"


def test_an_assessor_sees_only_the_studios_they_assess(studio_a, studio_b, assessor):
    assert [x["id"] for x in api(assessor).get("/api/v1/studios/").json()["results"]] == [studio_a.pk]


def test_the_contact_verifies_and_returns_through_the_api(studio_a, host_a, contact, apprentices_a):
    a, b = (
        log(studio_a, host_a, DAY, apprentices_a),
        log(studio_a, host_a, DAY + dt.timedelta(days=1), apprentices_a),
    )
    client = api(contact)
    r = client.post("/api/v1/sessions/verify/", {"sessions": [a.pk]}, format="json")
    assert r.status_code == 200 and r.json()[0]["status"] == "verified"
    r = client.post(f"/api/v1/sessions/{b.pk}/return/", {"reason": ""}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "reason"
    r = client.post(f"/api/v1/sessions/{b.pk}/return/", {"reason": "签到表缺失"}, format="json")
    assert r.json()["status"] == "returned" and r.json()["return_reason"] == "签到表缺失"
    r = api(host_a).put(f"/api/v1/sessions/{a.pk}/", body(apprentices_a), format="json")
    assert r.status_code == 409 and r.json()["field"] == "session"


def test_progress_and_the_assessment_through_the_api(
    studio_a, office, host_a, contact, assessor, apprentices_a
):
    s = log(studio_a, host_a, DAY, apprentices_a)
    sessions_verify(by=contact, session_ids=[s.pk])
    bars = {b["code"]: b for b in api(host_a).get(f"/api/v1/studios/{studio_a.pk}/progress/").json()["bars"]}
    assert set(bars) == {"agreements", "roster", "high_skill", "sessions", "hours"}
    r = api(office).post("/api/v1/assessments/", {"studio": studio_a.pk, "period": 1}, format="json")
    assert r.status_code == 201
    aid = r.json()["id"]
    r = api(assessor).post(
        f"/api/v1/assessments/{aid}/score/",
        {"scores": {"site": "15", "innovation": "15", "exchange": "10"}},
        format="json",
    )
    assert r.status_code == 200
    r = api(office).post(f"/api/v1/assessments/{aid}/record/", {"on": "2026-01-06"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "failed"
    r = api(office).post(f"/api/v1/assessments/{aid}/rectify/", {"note": "补足带徒人数"}, format="json")
    assert r.json()["status"] == "rectifying"


def test_an_apprentice_is_added_through_the_api_with_the_identity_number_masked_for_the_host(
    studio_a, host_a
):
    from .conftest import person

    p = person("王芳", dt.date(2002, 7, 21), "F")
    r = api(host_a).post(
        "/api/v1/apprentices/",
        {"studio": studio_a.pk, "person": p, "skill_level": "intermediate", "agreement_start": "2025-02-01"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["id_number"] != p["id_number"] and r.json()["id_number"].endswith(p["id_number"][-4:])
    r = api(host_a).post(
        f"/api/v1/apprentices/{r.json()['id']}/upgrades/",
        {"to_level": "senior", "achieved_on": "2025-05-01", "certificate_no": "S1"},
        format="json",
    )
    assert (
        r.status_code == 201 and Apprentice.objects.get(pk=r.json()["apprentice"]).current_level == "senior"
    )


def test_listing_sessions_takes_a_fixed_number_of_queries(
    studio_a, host_a, apprentices_a, django_assert_max_num_queries
):
    for d in range(3):
        log(studio_a, host_a, DAY + dt.timedelta(days=d), apprentices_a)
    client = api(host_a)
    with django_assert_max_num_queries(6) as few:
        assert client.get("/api/v1/sessions/").status_code == 200
    for d in range(3, 20):
        log(studio_a, host_a, DAY + dt.timedelta(days=d), apprentices_a)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/sessions/").json()["results"]) == 20


def test_listing_studios_and_apprentices_takes_a_fixed_number_of_queries(
    baling, rubric, office, host_a, make_user, django_assert_max_num_queries
):
    for i in range(4):
        s = set_up_studio(baling, office, make_user(f"h{i}", Role.STUDIO_HOST), name=f"工匠{i}")
        add_apprentice(s, office, f"徒{i}")
    host = api(make_user("h9", Role.STUDIO_HOST))
    client = api(office)
    with django_assert_max_num_queries(4):
        assert len(client.get("/api/v1/studios/").json()["results"]) == 4
    with django_assert_max_num_queries(4):
        host.get("/api/v1/apprentices/")
    # The office sees whole identity numbers, and each showing is logged: one insert per row, by design.
    with django_assert_max_num_queries(4 + 4):
        assert len(client.get("/api/v1/apprentices/").json()["results"]) == 4


def test_the_schema_documents_the_studios_api(client, office):
    from tests.conftest import PASSWORD

    client.login(username=office.username, password=PASSWORD)
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/studios/", "/api/v1/sessions/verify/", "/api/v1/assessments/{id}/record/"):
        assert path in schema


def test_a_session_today_that_has_not_ended_is_refused(studio_a, host_a, apprentices_a):
    now = timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)
    end = min(now + dt.timedelta(minutes=45), now.replace(hour=23, minute=59))
    if end - now <= dt.timedelta(minutes=16):
        pytest.skip("the last quarter of an hour of the day leaves no end time in the future")
    start = min(now.time(), dt.time(23, 0))
    r = api(host_a).post(
        "/api/v1/sessions/",
        {
            "studio": studio_a.pk,
            **body(
                apprentices_a,
                date=now.date().isoformat(),
                starts_at=start.isoformat(),
                ends_at=end.time().isoformat(),
            ),
        },
        format="json",
    )
    assert r.status_code == 400 and r.json()["field"] == "ends_at", r.json()
    assert "还没到" in r.json()["message_zh"]


def test_the_host_renames_the_studio_but_cannot_move_it_to_another_institution(
    studio_a, host_a, baling, office, host_b
):
    client = api(host_a)
    r = client.patch(f"/api/v1/studios/{studio_a.pk}/", {"name": "周建华钳工工作室"}, format="json")
    assert r.status_code == 200 and r.json()["name"] == "周建华钳工工作室"
    r = client.patch(f"/api/v1/studios/{studio_a.pk}/", {"institution_kind": "enterprise"}, format="json")
    assert r.status_code == 409 and r.json()["field"] == "institution_kind"
    from .conftest import honouree

    planned = studio_create(
        by=office,
        honouree_id=honouree(baling, office, "吴秀兰").pk,
        host_id=host_b.pk,
        name="筹建",
        institution_name="x",
        institution_kind="other",
    )
    r = api(host_b).get(f"/api/v1/studios/{planned.pk}/progress/")
    assert r.status_code == 404 and "挂牌" in r.json()["message_zh"]
