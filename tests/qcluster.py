"""A real ``manage.py qcluster`` worker (django-q2's ORM broker) against the test database, for the tests
that follow a report job through the path production takes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def qcluster(*, media: Path, log: Path):
    """A worker process on the test database and MEDIA_ROOT, stopped (with its children) on the way out."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MEDIA_ROOT": str(media),
        "DEBUG": "1",
        "Q_WORKERS": "1",
    }
    env.pop("REDIS_URL", None)
    with open(log, "w") as out:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stopping it stops its workers too
        )
        try:
            yield worker
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
