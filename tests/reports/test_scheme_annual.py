"""The scheme annual report: its figures against the data that made them, its charts, its query count."""

import datetime as dt
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from funding.services import plans
from reports import scheme_annual
from studios.services.sessions import sessions_verify
from tests.funding.conftest import give_account, give_budget, name_directly
from tests.funding.steps import pay
from tests.studios.conftest import add_apprentice, log, set_up_studio

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).parent / "artifacts"


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def a_year(baling, office, host_a, contact, maker, checker, *, sessions=6):
    """Two 巴陵 honourees named 2023; one studio with ``sessions`` verified sessions in 2025; one award paid."""
    studio = set_up_studio(baling, office, host_a, contact=contact)
    plans.award_plan_create(honouree=studio.honouree, by=office)
    other = name_directly(baling, office, name="何秀英", gender="F", birth=dt.date(1982, 7, 9))
    apprentices = [add_apprentice(studio, host_a, n) for n in ("李明", "王芳")]
    made = [log(studio, host_a, dt.date(2025, 1 + i % 12, 10), apprentices) for i in range(sessions)]
    sessions_verify(by=contact, session_ids=[s.pk for s in made])
    log(studio, host_a, dt.date(2025, 3, 20), apprentices)  # waiting for verification: not counted
    give_account(other, maker)
    give_budget(baling, checker, 2023)
    pay([other.award_plan.instalments.get(seq=1)], maker, checker, ref="YB")
    return studio, other


def test_the_figures_of_the_year_come_from_the_data(
    baling, rubric, office, host_a, contact, maker, checker, tmp_path
):
    studio, other = a_year(baling, office, host_a, contact, maker, checker)
    y = scheme_annual.collect(baling.scheme_id, 2025)
    assert (y.sessions, y.hours, y.apprentices, y.studios_new, y.studios_established) == (
        6,
        Decimal("24.00"),
        2,
        1,
        1,
    )
    assert [n for _m, n, _h in y.sessions_by_month] == [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    assert y.named == 0 and y.honourees_total == 2
    y23 = scheme_annual.collect(baling.scheme_id, 2023)
    assert y23.named == 2 and y23.named_by_tier == {"named": 2}
    (money,) = y23.money
    # Both plans' first instalments fall in budget year 2023; one is paid with 20% withheld.
    assert (money["committed"], money["paid"], money["tax"], money["due"]) == (
        Decimal("20000.00"),
        Decimal("10000.00"),
        Decimal("2000.00"),
        Decimal("10000.00"),
    )
    rows = {r.name: r for r in y.rows}
    assert rows["周建华"].sessions == 6 and rows["周建华"].studio == studio.name
    assert rows["何秀英"].paid == 0 and rows["何秀英"].award == Decimal("20000.00"), "paid today, after 2025"
    rows_now = {r.name: r for r in scheme_annual.collect(baling.scheme_id, dt.date.today().year).rows}
    assert rows_now["何秀英"].paid == Decimal("10000.00")

    out = scheme_annual.build({"scheme": baling.scheme_id, "year": 2023}, lambda p, s: None, by=office)
    text = pdf_text(out.content, tmp_path)
    assert "巴陵工匠年度工作报告" in text and "第3页共3页" in text.replace(" ", "")
    assert "20000.00" in text and "10000.00" in text and "何秀英" in text
    assert b"/Subtype /Image" not in out.content, "charts are vector drawings, not pictures"


def test_the_report_renders_its_charts_and_a_page_is_kept_as_an_artefact(
    baling, rubric, office, host_a, contact, maker, checker, tmp_path
):
    a_year(baling, office, host_a, contact, maker, checker)
    out = scheme_annual.build({"scheme": baling.scheme_id, "year": 2025}, lambda p, s: None, by=office)
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(out.content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "2", "-l", "2", str(pdf), str(tmp_path / "p")], check=True
    )
    (png,) = tmp_path.glob("p*.png")
    assert png.stat().st_size > 5000, "page 2 holds the summary table and the sessions chart"
    if os.environ.get("GONGJIANG_SAVE_ARTIFACTS"):  # refresh the checked-in sample page
        shutil.copy(png, ARTIFACTS / "scheme_annual_page2.png")
    assert "各月已核实带徒活动次数" in pdf_text(out.content, tmp_path)


def test_thousands_of_sessions_cost_no_more_queries_than_a_few(
    baling, rubric, office, host_a, contact, maker, checker
):
    studio, _ = a_year(baling, office, host_a, contact, maker, checker, sessions=3)
    with CaptureQueriesContext(connection) as few:
        scheme_annual.collect(baling.scheme_id, 2025)
    apprentice = studio.apprentices.first()
    from studios.models import MentoringSession, SessionAttendance

    base = MentoringSession.objects.filter(studio=studio, status="verified").first()
    clones = []
    for i in range(2000):
        s = MentoringSession.objects.get(pk=base.pk)
        s.pk, s.date = None, dt.date(2025, 1, 1) + dt.timedelta(days=i % 365)
        clones.append(s)
    MentoringSession.objects.bulk_create(clones)
    SessionAttendance.objects.bulk_create(
        [SessionAttendance(session=s, apprentice=apprentice) for s in clones]
    )
    with CaptureQueriesContext(connection) as many:
        y = scheme_annual.collect(baling.scheme_id, 2025)
    assert y.sessions == 2003
    assert len(many) == len(few) <= 25
