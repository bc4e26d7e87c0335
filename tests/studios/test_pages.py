"""The studios pages: the host's progress and one-screen log, errors shown on their field, text escaped,
who sees what (another studio's session is a 404), and query counts pinned on the list pages."""

import datetime as dt

import pytest
from django.utils import timezone

from backend.roles import Role
from studios.models import MentoringSession
from studios.services.assessments import assessment_open
from studios.services.sessions import sessions_verify

from .conftest import PLAQUE, add_apprentice, log, logged_in, png_upload, set_up_studio

pytestmark = pytest.mark.django_db

# The host's page shows the current year: these studios were set up two months ago.
RECENT = timezone.localdate() - dt.timedelta(days=60)
DAY = timezone.localdate() - dt.timedelta(days=30)


@pytest.fixture
def studio_a(baling, rubric, office, host_a, contact, assessor):
    return set_up_studio(baling, office, host_a, contact=contact, assessor=assessor, plaque=RECENT)


@pytest.fixture
def studio_b(baling, rubric, office, host_b):
    return set_up_studio(baling, office, host_b, name="吴秀兰", plaque=RECENT)


def form(apprentices, **overrides):
    data = {
        "date": DAY.isoformat(),
        "starts_at": "14:00",
        "ends_at": "17:30",
        "kind": "practice",
        "topic": "钳工锉削",
        "location": "实训室",
        "attendees": [str(a.pk) for a in apprentices],
        "notes": "",
    }
    data.update(overrides)
    return data


def test_the_log_page_opens_with_today_and_the_active_apprentices_ticked(studio_a, host_a, apprentices_a):
    ended = add_apprentice(studio_a, host_a, "孙丽", end=RECENT + dt.timedelta(days=10))
    page = logged_in(host_a).get(f"/studios/{studio_a.pk}/log/").content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in page
    for a in apprentices_a:
        assert f'value="{a.pk}" checked data-active' in page
    assert f'value="{ended.pk}" checked' not in page and "孙丽" in page, "listed, not ticked: agreement ended"


def test_a_host_logs_a_session_in_one_post_and_the_bars_move(studio_a, host_a, apprentices_a):
    client = logged_in(host_a)
    response = client.post(f"/studios/{studio_a.pk}/log/", form(apprentices_a))
    assert response.status_code == 302 and response["Location"] == f"/studios/{studio_a.pk}/"
    s = MentoringSession.objects.get()
    assert (s.hours, s.kind, s.logged_by) == (3.5, "practice", host_a)
    page = client.get(f"/studios/{studio_a.pk}/").content.decode()
    assert 'data-testid="bar-hours" data-verified="0" data-logged="3.5" data-target="96"' in page
    assert 'data-testid="bar-roster" data-verified="0" data-logged="3"' in page


def test_errors_are_shown_on_their_field_and_nothing_is_saved(studio_a, host_a, apprentices_a):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = logged_in(host_a).post(
        f"/studios/{studio_a.pk}/log/", form(apprentices_a, date=tomorrow, ends_at="13:00", attendees=[])
    )
    assert response.status_code == 200
    page = response.content.decode()
    for field in ("date", "ends_at", "attendees"):
        assert f'data-testid="error-{field}"' in page
    assert "今天之后" in page
    assert not MentoringSession.objects.exists()


def test_a_bad_photo_is_shown_as_an_error_on_the_log_page(studio_a, host_a, apprentices_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("a.png", b"GIF89a not accepted", content_type="image/png")
    response = logged_in(host_a).post(
        f"/studios/{studio_a.pk}/log/", {**form(apprentices_a), "photos": [fake]}
    )
    assert response.status_code == 200 and 'data-testid="form-errors"' in response.content.decode()
    assert not MentoringSession.objects.exists()


def test_text_is_escaped_on_every_page(studio_a, host_a, office, apprentices_a):
    s = log(studio_a, host_a, DAY, apprentices_a, topic="<script>alert(1)</script>", notes="<b>粗体</b>")
    for url in (
        f"/studios/{studio_a.pk}/",
        f"/studios/sessions/{s.pk}/",
        f"/studios/{studio_a.pk}/sessions/",
    ):
        page = logged_in(office).get(url).content.decode()
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_host_gets_404_for_another_studios_pages_and_actions(
    studio_a, studio_b, host_a, host_b, apprentices_a
):
    s = log(studio_a, host_a, DAY, apprentices_a)
    other = logged_in(host_b)
    for url in (
        f"/studios/sessions/{s.pk}/",
        f"/studios/{studio_a.pk}/",
        f"/studios/{studio_a.pk}/log/",
        f"/studios/{studio_a.pk}/sessions/",
        f"/studios/apprentices/{apprentices_a[0].pk}/",
        f"/studios/{studio_a.pk}/import/template.xlsx",
    ):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/studios/sessions/{s.pk}/delete/").status_code == 404
    assert other.post(f"/studios/sessions/{s.pk}/", form(apprentices_a, topic="改")).status_code == 404
    assert other.post(f"/studios/sessions/{s.pk}/photos/", {"photo": png_upload()}).status_code == 404
    assert MentoringSession.objects.get().topic == "钳工实操"
    assert logged_in(host_a).get(f"/studios/sessions/{s.pk}/").status_code == 200


def test_the_contact_verifies_from_the_session_list_and_the_host_sees_submitted_against_verified(
    studio_a, host_a, contact, apprentices_a
):
    a = log(studio_a, host_a, DAY, apprentices_a)
    log(studio_a, host_a, DAY + dt.timedelta(days=7), apprentices_a, start=dt.time(9), end=dt.time(10))
    client = logged_in(contact)
    page = client.get(f"/studios/{studio_a.pk}/sessions/").content.decode()
    assert f'name="sessions" value="{a.pk}"' in page
    response = client.post(
        "/studios/sessions/verify/", {"sessions": [a.pk], "next": f"/studios/{studio_a.pk}/sessions/"}
    )
    assert response.status_code == 302
    assert MentoringSession.objects.get(pk=a.pk).status == "verified"
    page = logged_in(host_a).get(f"/studios/{studio_a.pk}/").content.decode()
    assert 'data-testid="bar-hours" data-verified="4" data-logged="5"' in page
    summary = page[page.index('data-testid="hours-summary"') :][:300]
    assert "已提交 5" in summary and "已核实 4" in summary, summary
    assert "(+1 待核实)" in page


def test_a_host_cannot_verify_through_the_page(studio_a, host_a, apprentices_a):
    s = log(studio_a, host_a, DAY, apprentices_a)
    client = logged_in(host_a)
    client.post("/studios/sessions/verify/", {"sessions": [s.pk]})
    assert MentoringSession.objects.get().status == "submitted"


def test_the_office_sets_a_studio_up_through_the_pages(baling, rubric, office, host_a):
    from .conftest import honouree

    h = honouree(baling, office)
    client = logged_in(office)
    response = client.post(
        "/studios/new/",
        {
            "honouree": h.pk,
            "host": host_a.pk,
            "name": "周建华工作室",
            "institution_name": "岳阳理工学院实习基地",
            "institution_kind": "university_internship_base",
            "address": "",
            "contact": "",
        },
    )
    assert response.status_code == 302
    studio_id = int(response["Location"].rstrip("/").split("/")[-1])
    client.post(f"/studios/{studio_id}/files/", {"kind": "establishment", "file": png_upload()})
    client.post(f"/studios/{studio_id}/establish/", {"plaque_date": "2025-01-06"})
    page = client.get(f"/studios/{studio_id}/").content.decode()
    assert 'data-status="established"' in page and 'data-testid="progress"' in page


def test_an_empty_studio_form_names_each_field(baling, rubric, office):
    response = logged_in(office).post("/studios/new/", {"institution_kind": ""})
    assert response.status_code == 200
    page = response.content.decode()
    for field in ("honouree", "host", "name", "institution_name", "institution_kind"):
        assert f'data-testid="error-{field}"' in page, field


def test_the_studio_list_takes_a_fixed_number_of_queries(
    baling, rubric, office, make_user, django_assert_max_num_queries
):
    for i in range(3):
        studio = set_up_studio(
            baling, office, make_user(f"h{i}", Role.STUDIO_HOST), name=f"工匠{i}", plaque=RECENT
        )
        apps = [add_apprentice(studio, office, f"徒{i}{j}") for j in range(2)]
        log(studio, office, DAY, apps)
    client = logged_in(office)
    client.get("/studios/")  # warm the session
    with django_assert_max_num_queries(14):
        assert client.get("/studios/").status_code == 200
    for i in range(3, 6):
        set_up_studio(baling, office, make_user(f"h{i}", Role.STUDIO_HOST), name=f"工匠{i}", plaque=RECENT)
    with django_assert_max_num_queries(14):
        assert client.get("/studios/").status_code == 200


def test_the_studio_page_and_session_list_take_a_fixed_number_of_queries(
    studio_a, host_a, apprentices_a, django_assert_max_num_queries
):
    for d in range(1, 6):
        log(studio_a, host_a, DAY + dt.timedelta(days=d), apprentices_a)
    client = logged_in(host_a)
    client.get(f"/studios/{studio_a.pk}/")
    with django_assert_max_num_queries(22) as first:
        client.get(f"/studios/{studio_a.pk}/")
    with django_assert_max_num_queries(10):
        client.get(f"/studios/{studio_a.pk}/sessions/")
    for d in range(-10, 0):
        log(studio_a, host_a, DAY + dt.timedelta(days=d), apprentices_a)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(f"/studios/{studio_a.pk}/")
    with django_assert_max_num_queries(10):
        client.get(f"/studios/{studio_a.pk}/sessions/")


def test_the_assessment_page_shows_the_logs_so_far_and_takes_scores(
    baling, rubric, office, assessor, host_a, contact
):
    studio = set_up_studio(baling, office, host_a, contact=contact, assessor=assessor, plaque=PLAQUE)
    apps = [add_apprentice(studio, host_a, "李明")]
    s = log(studio, host_a, PLAQUE + dt.timedelta(days=30), apps)
    sessions_verify(by=contact, session_ids=[s.pk])
    a = assessment_open(by=office, studio_id=studio.pk, period=1)
    client = logged_in(assessor)
    page = client.get(f"/studios/assessments/{a.pk}/").content.decode()
    assert 'data-testid="preview"' in page and 'data-testid="score-site"' in page
    client.post(
        f"/studios/assessments/{a.pk}/score/",
        {"item_site": "12", "item_innovation": "10", "item_exchange": "20"},
    )
    assert not a.sheets.exists(), "20 is over the item's 10: refused, nothing saved"
    client.post(
        f"/studios/assessments/{a.pk}/score/",
        {"item_site": "12", "item_innovation": "10", "item_exchange": "8"},
    )
    assert a.sheets.get().scores == {"site": "12", "innovation": "10", "exchange": "8"}
    logged_in(office).post(f"/studios/assessments/{a.pk}/record/", {"on": "2026-01-07"})
    a.refresh_from_db()
    assert a.status == "failed"
    page = logged_in(host_a).get(f"/studios/assessments/{a.pk}/").content.decode()
    assert 'data-status="failed"' in page and 'data-testid="score-form"' not in page


def test_home_shows_the_host_their_year_and_the_office_what_waits(studio_a, host_a, office, apprentices_a):
    log(studio_a, host_a, DAY, apprentices_a)
    page = logged_in(host_a).get("/").content.decode()
    assert studio_a.name in page and f"/studios/{studio_a.pk}/log/" in page
    page = logged_in(office).get("/").content.decode()
    assert "/studios/" in page


def test_evidence_opens_only_for_those_who_see_the_studio(studio_a, studio_b, host_a, host_b, auditor):
    f = studio_a.files.get(kind="establishment")
    response = logged_in(host_a).get(f"/studios/files/{f.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert logged_in(auditor).get(f"/studios/files/{f.pk}/").status_code == 200
    assert logged_in(host_b).get(f"/studios/files/{f.pk}/").status_code == 404


def test_the_host_sees_an_apprentices_identity_number_masked_and_the_office_whole(
    studio_a, host_a, office, apprentices_a
):
    from backend.models import PersonalDataAccess

    app = apprentices_a[0]
    page = logged_in(host_a).get(f"/studios/apprentices/{app.pk}/").content.decode()
    assert app.person.id_number not in page and app.person.id_number[-4:] in page
    assert not PersonalDataAccess.objects.exists()
    page = logged_in(office).get(f"/studios/apprentices/{app.pk}/").content.decode()
    assert app.person.id_number in page and PersonalDataAccess.objects.filter(user=office).count() == 1
