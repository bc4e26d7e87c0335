"""One report through the real path: asked for, committed, picked up by a ``manage.py qcluster`` worker
(django-q2's ORM broker, in another process, against the test database), built and stored."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from reports import services
from reports.models import ReportJob

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_qcluster_worker_builds_the_studio_report_the_page_asked_for(studio_a, host_a, media, tmp_path):
    job = services.report_job_request(by=host_a, kind="studio-annual", params={"studio": studio_a.pk})
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MEDIA_ROOT": str(media),
        "DEBUG": "1",
        "Q_WORKERS": "1",
    }
    env.pop("REDIS_URL", None)
    log = open(tmp_path / "qcluster.log", "w")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so stopping it stops its workers too
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.finished:
                break
            time.sleep(0.5)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        log.close()
    assert job.status == ReportJob.Status.DONE, (tmp_path / "qcluster.log").read_text()[-3000:]
    assert job.output.name.startswith("reports/") and Path(settings.MEDIA_ROOT, job.output.name).is_file()
    assert job.output.open("rb").read(4) == b"%PDF"
    assert job.started_at is not None and job.progress == 100
