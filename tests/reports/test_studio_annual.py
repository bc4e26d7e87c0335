"""The studio annual assessment report: its figures read back from the PDF agree with the data that made
it; one page becomes a PNG; the reads stay bounded for a studio with many sessions."""

import datetime as dt
import os
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from reports import studio_annual
from studios.models import MentoringSession, SessionAttendance

from .conftest import PLAQUE, add_apprentice, needs_poppler, pdf_text

ARTIFACTS = Path(__file__).parent / "artifacts"

pytestmark = pytest.mark.django_db


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@needs_poppler
def test_the_report_shows_the_studio_year_as_the_database_has_it(assessed_studio, office, tmp_path):
    out = studio_annual.build({"studio": assessed_studio.pk}, lambda p, s: None, by=office)
    assert out.content.startswith(b"%PDF") and out.content_type == "application/pdf"
    text = pdf_text(out.content, tmp_path)
    flat = squeeze(text)

    # Cover: scheme, year, date; page numbers from the CSS counters.
    assert "巴陵工匠" in flat and "工匠工作室年度考核报告" in flat and "2025年度" in flat
    pages = int(re.search(r"共(\d+)页", flat).group(1))
    assert pages >= 3 and f"第{pages}页共{pages}页" in flat

    # The studio and host; every apprentice with their progress.
    assert assessed_studio.name in flat and "周建华" in flat
    for name in ("李明", "王芳", "郑凯"):
        assert name in flat
    assert flat.count("中级工(四级)→高级工(三级)") >= 3

    # Sessions: 24 verified, 96 hours, the two unverified ones apart; by month as the database groups them.
    verified = MentoringSession.objects.filter(studio=assessed_studio, status="verified")
    assert verified.count() == 24
    assert "24次" in flat and "96小时" in flat and "2次" in flat
    jan = verified.filter(date__year=2025, date__month=1).count()
    assert re.search(rf"2025年1月{jan}{jan * 4}0", flat), "January's row: sessions and hours"
    dec_pending = MentoringSession.objects.filter(
        studio=assessed_studio, status="submitted", date__month=12
    ).count()
    assert dec_pending == 2

    # Each rubric item with its score as recorded; the total and the grade.
    a = assessed_studio.assessments.get(period=1)
    for item in a.items:
        assert squeeze(item["zh"])[:6] in flat
        assert f"{Decimal(item['points']):.2f}" in flat
    assert f"{a.total:.2f}" in flat and "考核等次：合格" in flat
    assert "优秀名额" in flat, "the grade note says why 93.5 is 合格"
    assert "场地设备齐全" in flat, "the assessor's comment is the evidence of their items"
    assert "已签订并上传带徒协议5份" in flat


@needs_poppler
def test_a_page_of_the_report_turns_into_a_png_with_the_chart(assessed_studio, office, tmp_path):
    """The chart page as a picture. GONGJIANG_SAVE_ARTIFACTS=1 refreshes the checked-in sample in artifacts/."""
    out = studio_annual.build({"studio": assessed_studio.pk}, lambda p, s: None, by=office)
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(out.content)
    pages = int(re.search(r"共(\d+)页", squeeze(pdf_text(out.content, tmp_path))).group(1))
    chart_page = next(
        n
        for n in range(1, pages + 1)
        if "带徒活动按月统计"
        in subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            str(chart_page),
            "-l",
            str(chart_page),
            "-singlefile",
            str(pdf),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    png = tmp_path / "page.png"
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 5000
    if os.environ.get("GONGJIANG_SAVE_ARTIFACTS"):
        shutil.copy(png, ARTIFACTS / "studio_annual_chart_page.png")
    assert (ARTIFACTS / "studio_annual_chart_page.png").is_file(), "the checked-in sample"


def test_a_report_before_the_result_is_recorded_is_a_preview_from_the_logs(studio_a, host_a, contact, office):
    apps = [add_apprentice(studio_a, host_a, n) for n in ("李明", "王芳")]
    from studios.services.sessions import sessions_verify
    from tests.studios.conftest import log

    s = log(studio_a, host_a, PLAQUE + dt.timedelta(days=3), apps)
    sessions_verify(by=contact, session_ids=[s.pk])
    year = studio_annual.collect(studio_a.pk, today=dt.date(2025, 3, 1))
    assert year.preview and year.assessment is None and year.period == 1
    assert year.verified_sessions == 1 and year.verified_hours == Decimal("4.00")
    items = {i.code: i for i in year.items}
    assert items["sessions"].value == "1" and items["agreements"].value == "2"


def test_the_year_picks_the_period_that_starts_in_it(studio_a):
    assert studio_annual.pick_period(studio_a, 2025, today=dt.date(2026, 3, 1)) == 1
    assert studio_annual.pick_period(studio_a, 2026, today=dt.date(2026, 3, 1)) == 2
    from backend.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as e:
        studio_annual.pick_period(studio_a, 2024, today=dt.date(2026, 3, 1))
    assert e.value.field == "year"


def test_a_studio_with_many_sessions_is_read_in_a_bounded_number_of_queries(
    studio_a, host_a, contact, django_assert_max_num_queries
):
    apps = [add_apprentice(studio_a, host_a, f"学员{i}") for i in range(12)]
    now = dt.datetime(2025, 2, 1, tzinfo=dt.UTC)
    sessions = MentoringSession.objects.bulk_create(
        MentoringSession(
            studio=studio_a,
            date=PLAQUE + dt.timedelta(days=i % 360),
            starts_at=dt.time(8 + i % 8, 0),
            ends_at=dt.time(9 + i % 8, 0),
            minutes=60,
            hours=Decimal("1.00"),
            topic=f"活动{i}",
            status="verified",
            logged_by=host_a,
            editable_until=now,
            verified_by=contact,
            verified_at=now,
        )
        for i in range(1500)
    )
    SessionAttendance.objects.bulk_create(
        SessionAttendance(session=s, apprentice=a) for s in sessions for a in apps[:3]
    )
    with django_assert_max_num_queries(20):
        year = studio_annual.collect(studio_a.pk, today=dt.date(2025, 12, 1))
        studio_annual.context(year)
    assert year.verified_sessions == 1500 and year.verified_hours == Decimal(1500)
    assert sum(1 for a in year.apprentices if a.sessions == 1500) == 3
