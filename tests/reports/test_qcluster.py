"""One report through the real path: asked for, committed, picked up by a ``manage.py qcluster`` worker
(django-q2's ORM broker, in another process, against the test database), built and stored."""

import time
from pathlib import Path

import pytest
from django.conf import settings

from reports import services
from reports.models import ReportJob
from tests.qcluster import qcluster

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_qcluster_worker_builds_the_studio_report_the_page_asked_for(studio_a, host_a, media, tmp_path):
    job = services.report_job_request(by=host_a, kind="studio-annual", params={"studio": studio_a.pk})
    with qcluster(media=media, log=tmp_path / "qcluster.log"):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.finished:
                break
            time.sleep(0.5)
    assert job.status == ReportJob.Status.DONE, (tmp_path / "qcluster.log").read_text()[-3000:]
    assert job.output.name.startswith("reports/") and Path(settings.MEDIA_ROOT, job.output.name).is_file()
    assert job.output.open("rb").read(4) == b"%PDF"
    assert job.started_at is not None and job.progress == 100
