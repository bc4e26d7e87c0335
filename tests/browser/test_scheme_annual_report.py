"""The talent office asks for the scheme annual report, watches the progress bar move while a real
``qcluster`` worker builds it, downloads the PDF, and its figures match the database."""

import datetime as dt
import os
import re
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Sum
from django.test import override_settings

from funding.models import Instalment, Payment
from gongjiang.management.commands.demo import DEMO_PASSWORD
from honourees.models import Honouree
from tests.funding.steps import pay
from tests.qcluster import qcluster

from .conftest import screenshot

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres]


@pytest.fixture
def demo_with_a_payment(transactional_db, tmp_path):
    media = tmp_path / "media"
    with override_settings(MEDIA_ROOT=media):
        with open(os.devnull, "w") as sink:
            call_command("demo", allow_production=True, stdout=sink)
        users = get_user_model().objects
        maker, checker = users.get(username="maker"), users.get(username="checker")
        due = (
            Instalment.objects.filter(status="due", plan__round__scheme__code="baling").order_by("id").first()
        )
        pay([due], maker, checker, ref="YB")
        yield media


@pytest.fixture
def worker(demo_with_a_payment, tmp_path):
    with qcluster(media=demo_with_a_payment, log=tmp_path / "qcluster.log") as proc:
        yield proc


def test_the_office_watches_the_scheme_report_being_made_and_its_figures_match(
    demo_with_a_payment, worker, live_server, page, tmp_path
):
    year = dt.date.today().year
    with override_settings(MEDIA_ROOT=demo_with_a_payment):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "office")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/reports/")
        page.select_option("select[name=kind]", "scheme-annual")
        page.select_option("select[name=scheme]", label="巴陵工匠")
        page.fill("input[name=year]", str(year))
        page.click("[data-testid=ask]")
        page.wait_for_url(re.compile(r".*/reports/jobs/\d+/$"))
        seen = set()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and page.locator("[data-testid=download-link]").is_hidden():
            seen.add(page.locator("[data-testid=job-percent]").inner_text())
            assert page.locator("[data-testid=job-error]").is_hidden(), page.locator(
                "[data-testid=job-error]"
            ).inner_text()
            time.sleep(0.2)
        assert page.locator("[data-testid=job-percent]").inner_text() == "100%"
        assert len(seen) >= 1, "the page showed the job's progress before it was done, without a reload"
        screenshot(page, "report-scheme-annual-done")
        with page.expect_download() as info:
            page.click("[data-testid=download-link]")
        pdf = tmp_path / "report.pdf"
        info.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    paid = Payment.objects.filter(
        instalment__plan__round__scheme__code="baling", paid_on__year=year
    ).aggregate(g=Sum("gross"), t=Sum("tax"))
    assert paid["g"] == Decimal("10000.00")
    assert re.search(rf"本年度支付奖励资金\s+{paid['g']}\s*元\s+代扣个人所得税\s+{paid['t']}\s*元", text), (
        text[:2000]
    )
    total = Honouree.objects.filter(round__scheme__code="baling").count()
    assert re.search(rf"累计命名工匠（截至年末）\s+{total}\s*人", text)
    assert "巴陵工匠年度工作报告" in text
