"""Report jobs: asked for, enqueued only once committed, run by the task, watched and downloaded; a failed
job shows its error to the person who asked; who may ask and download what."""

import datetime as dt

import pytest
from django_q.models import OrmQ

from backend.errors import NotFound, NotPermitted, ValidationFailed
from backend.roles import Role
from reports import services, tasks
from reports.models import ReportJob
from studios.services.sessions import sessions_verify
from studios.services.studios import studio_create

from .conftest import add_apprentice, log, logged_in

pytestmark = pytest.mark.django_db


def test_asking_for_a_report_enqueues_the_task_only_when_the_transaction_commits(
    studio_a, host_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.report_job_request(by=host_a, kind="studio-annual", params={"studio": studio_a.pk})
        assert OrmQ.objects.count() == 0, "nothing reaches the broker before the row is committed"
    assert (job.status, job.params, job.requested_by) == ("queued", {"studio": studio_a.pk}, host_a)
    assert len(callbacks) == 1
    callbacks[0]()
    assert OrmQ.objects.count() == 1
    (queued,) = OrmQ.objects.all()
    assert queued.task["func"] == "reports.tasks.run_report_job" and queued.task["args"] == (job.pk,)
    job.refresh_from_db()
    assert job.task_id == queued.task["id"]


def test_the_task_builds_the_report_and_only_the_asker_and_the_office_download_it(
    studio_a, host_a, host_b, contact, office, auditor
):
    apps = [add_apprentice(studio_a, host_a, "李明")]
    s = log(studio_a, host_a, dt.date(2025, 2, 3), apps)
    sessions_verify(by=contact, session_ids=[s.pk])
    job = services.report_job_request(by=host_a, kind="sessions", params={"studio": studio_a.pk})
    assert tasks.run_report_job(job.pk) == "done"
    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == ("done", 100, "")
    assert job.output_name.endswith(".xlsx") and job.size == job.output.size
    assert job.started_at <= job.finished_at
    assert tasks.run_report_job(job.pk) == "skipped", "a task delivered twice runs once"

    page = logged_in(host_a).get(f"/reports/jobs/{job.pk}/").content.decode()
    assert f"/reports/jobs/{job.pk}/download/" in page and "status.json" in page
    state = logged_in(host_a).get(f"/reports/jobs/{job.pk}/status.json").json()
    assert (state["status"], state["progress"], state["finished"]) == ("done", 100, True)
    response = logged_in(host_a).get(state["download_url"])
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"PK")
    assert "attachment" in response["Content-Disposition"]
    assert logged_in(office).get(state["download_url"]).status_code == 200
    for other in (host_b, auditor):
        assert logged_in(other).get(state["download_url"]).status_code == 404
        assert logged_in(other).get(f"/reports/jobs/{job.pk}/status.json").status_code == 404
    assert host_a.notifications.filter(key=f"report-job-{job.pk}-done").count() == 1


def test_a_failed_job_shows_its_error_to_the_person_who_asked(baling, rubric, office, host_a):
    from tests.studios.conftest import honouree

    h = honouree(baling, office, "陈planned")
    planned = studio_create(
        by=office,
        honouree_id=h.pk,
        host_id=host_a.pk,
        name="筹建中工作室",
        institution_name="某学院",
        institution_kind="enterprise",
    )
    job = services.report_job_request(by=host_a, kind="studio-annual", params={"studio": planned.pk})
    assert tasks.run_report_job(job.pk) == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and "尚未挂牌" in job.error and "not established" in job.error
    client = logged_in(host_a)
    state = client.get(f"/reports/jobs/{job.pk}/status.json").json()
    assert state["finished"] and "尚未挂牌" in state["error"] and state["download_url"] == ""
    page = client.get(f"/reports/jobs/{job.pk}/").content.decode()
    assert "尚未挂牌" in page and 'data-testid="job-error"' in page
    assert client.get(f"/reports/jobs/{job.pk}/download/").status_code == 404


def test_an_unexpected_error_fails_the_job_with_its_type_named(studio_a, office, monkeypatch):
    job = services.report_job_request(by=office, kind="studio-annual", params={"studio": studio_a.pk})

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("reports.studio_annual.render_pdf", broken)
    assert tasks.run_report_job(job.pk) == "failed"
    job.refresh_from_db()
    assert "RuntimeError: disk full" in job.error and job.finished_at is not None


def test_who_may_ask_for_what(studio_a, host_a, host_b, make_user, baling, office):
    from honourees.models import RecommendingUnit, UnitClerk

    clerk = make_user("clara", Role.UNIT_CLERK)
    UnitClerk.objects.create(user=clerk, unit=RecommendingUnit.objects.filter(scheme__code="baling").first())
    with pytest.raises(NotPermitted):
        services.report_job_request(by=clerk, kind="roster", params={})
    with pytest.raises(NotFound):
        services.report_job_request(by=host_b, kind="studio-annual", params={"studio": studio_a.pk})
    with pytest.raises(NotPermitted):
        services.report_job_request(by=host_a, kind="benefits", params={})
    with pytest.raises(ValidationFailed) as e:
        services.report_job_request(by=office, kind="studio-annual", params={})
    assert e.value.field == "studio"
    with pytest.raises(ValidationFailed) as e:
        services.report_job_request(by=office, kind="roster", params={"scheme": "nowhere"})
    assert e.value.field == "scheme"
    with pytest.raises(ValidationFailed) as e:
        services.report_job_request(by=office, kind="no-such-report", params={})
    assert e.value.field == "kind"
    job = services.report_job_request(by=clerk, kind="summary", params={"scheme": "baling", "year": 2023})
    assert job.params == {"scheme": baling.scheme_id, "year": 2023}
    assert ReportJob.objects.count() == 1


def test_progress_never_moves_a_finished_job_or_goes_back(studio_a, office):
    job = services.report_job_request(by=office, kind="studio-annual", params={"studio": studio_a.pk})
    assert not services.report_job_progress(job_id=job.pk, percent=10, stage="x"), "not running yet"
    services.report_job_start(job_id=job.pk)
    assert services.report_job_progress(job_id=job.pk, percent=40, stage="读取")
    assert not services.report_job_progress(job_id=job.pk, percent=20, stage="back")
    job.refresh_from_db()
    assert (job.progress, job.stage) == (40, "读取")
    services.report_job_fail(job_id=job.pk, error="boom")
    assert not services.report_job_progress(job_id=job.pk, percent=60, stage="late")


def test_the_reports_page_asks_for_a_report_and_lists_it(studio_a, host_a):
    client = logged_in(host_a)
    page = client.get("/reports/").content.decode()
    assert 'value="studio-annual"' in page and 'value="sessions"' in page
    assert 'value="roster"' not in page and 'value="benefits"' not in page, (
        "a host is offered only their kinds"
    )
    response = client.post(
        "/reports/", {"kind": "studio-annual", "studio": studio_a.pk, "scheme": "", "year": ""}
    )
    job = ReportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/jobs/{job.pk}/"
    assert f"job-{job.pk}" in client.get("/reports/").content.decode()


def test_the_api_asks_for_a_report_and_shows_only_your_jobs(studio_a, host_a, host_b, office):
    client = logged_in(host_a)
    r = client.post(
        "/api/v1/report-jobs/",
        {"kind": "studio-annual", "studio": studio_a.pk},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status"] == "queued"
    job_id = r.json()["id"]
    r = logged_in(host_b).post(
        "/api/v1/report-jobs/",
        {"kind": "studio-annual", "studio": studio_a.pk},
        content_type="application/json",
    )
    assert r.status_code == 404 and r.json()["field"] == "studio"
    assert [j["id"] for j in client.get("/api/v1/report-jobs/").json()["results"]] == [job_id]
    assert logged_in(host_b).get("/api/v1/report-jobs/").json()["results"] == []
    assert logged_in(office).get(f"/api/v1/report-jobs/{job_id}/").json()["kind"] == "studio-annual"
    tasks.run_report_job(job_id)
    r = client.get(f"/api/v1/report-jobs/{job_id}/download/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert logged_in(host_b).get(f"/api/v1/report-jobs/{job_id}/download/").status_code == 404
