"""Reports fixtures: the studios' personas and studio, a year of verified sessions with an assessment
recorded, and a helper that runs a job's task in this process."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest

from studios.services.apprentices import skill_upgrade_record
from studios.services.assessments import assessment_open, assessment_record, assessment_score
from studios.services.sessions import sessions_verify
from tests.funding.conftest import maker_checker  # noqa: F401 (fixture)
from tests.studios.conftest import (  # noqa: F401 (fixtures)
    PLAQUE,
    add_apprentice,
    apprentices_a,
    assessor,
    baling,
    contact,
    host_a,
    host_b,
    log,
    logged_in,
    media,
    rubric,
    studio_a,
    studio_b,
)

NAMES = ["李明", "王芳", "张伟", "刘洋", "陈静", "赵磊", "孙丽", "周强", "吴敏", "郑凯"]


@pytest.fixture
def assessed_studio(studio_a, host_a, contact, assessor, office):  # noqa: F811
    """studio_a's first year: ten apprentices (five agreements on file), three reach 高级工, 24 sessions of
    4 hours verified (two a month), two more logged in the last month and not verified; scored and recorded."""
    apprentices = [add_apprentice(studio_a, host_a, name, signed=i < 5) for i, name in enumerate(NAMES)]
    for app, day in zip(
        apprentices[:3], (dt.date(2025, 6, 20), dt.date(2025, 9, 12), dt.date(2025, 12, 1)), strict=True
    ):
        skill_upgrade_record(
            by=host_a, apprentice_id=app.pk, to_level="senior", achieved_on=day, certificate_no=f"S-{app.pk}"
        )
    sessions = []
    for i in range(24):
        day = PLAQUE + dt.timedelta(days=1 + i * 15)
        sessions.append(
            log(
                studio_a,
                host_a,
                day,
                apprentices,
                start=dt.time(13, 0),
                end=dt.time(17, 0),
                topic=f"第{i + 1}次带徒",
            )
        )
    sessions_verify(by=contact, session_ids=[s.pk for s in sessions])
    for d in (dt.date(2025, 12, 20), dt.date(2025, 12, 27)):
        log(
            studio_a, host_a, d, apprentices[:2], start=dt.time(9, 0), end=dt.time(11, 30), topic="待核实活动"
        )
    a = assessment_open(by=office, studio_id=studio_a.pk, period=1)
    assessment_score(
        by=assessor,
        assessment_id=a.pk,
        scores={"site": "13", "innovation": "12.5", "exchange": "8"},
        comment="场地设备齐全",
    )
    assessment_record(by=office, assessment_id=a.pk, on=dt.date(2026, 1, 12))
    studio_a.refresh_from_db()
    return studio_a


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
