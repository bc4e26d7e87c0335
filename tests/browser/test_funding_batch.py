"""In a browser: a maker picks due instalments into a batch and submits it, a checker approves it, the bank file
downloads with the lines, and the bank's answer is recorded (one line by hand, one from the result file) until
the batch closes."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from backend.roles import Role
from funding.models import BatchLine, DisbursementBatch, Instalment
from funding.reconciliation import reconcile
from honourees.demo import load_seeds
from honourees.models import Round
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD
from tests.funding.conftest import give_account, give_budget, name_directly

pytestmark = pytest.mark.browser


@pytest.fixture
def due_two(transactional_db, tmp_path, make_user):
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        load_seeds()
        baling = Round.objects.get(scheme__code="baling", year=2023)
        office = make_user("alice", Role.TALENT_OFFICE)
        maker = make_user("mike", Role.FINANCE_MAKER, last_name="李会计")
        checker = make_user("cathy", Role.FINANCE_CHECKER, last_name="张审核")
        give_budget(baling, checker, 2023)
        honourees = []
        for i, name in enumerate(["周建华", "吴秀兰"]):
            h = name_directly(
                baling, office, name=name, birth=dt.date(1972 + i, 5, 3), named_on=dt.date(2023, 10, 30)
            )
            give_account(h, maker, account_no=f"622202123456789{i:04d}")
            honourees.append(h)
        yield honourees
        assert reconcile() == []


def log_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def status_of(page) -> str:
    return page.locator("[data-testid=batch-status]").get_attribute("data-status")


def test_a_maker_builds_a_batch_a_checker_approves_and_the_bank_result_closes_it(
    due_two, live_server, page, tmp_path
):
    base = live_server.url
    instalments = [h.award_plan.instalments.get(seq=1) for h in due_two]

    log_in(page, live_server, "mike")
    page.click("[data-testid=nav-funding]")
    page.wait_for_url(f"{base}/funding/")
    for inst in instalments:
        page.check(f"[data-testid=pick-{inst.pk}]")
    page.fill("[data-testid=batch-purpose]", "2023年度巴陵工匠第一年资助")
    screenshot(page, "funding-due")
    with page.expect_navigation():
        page.click("[data-testid=make-batch]")
    batch = DisbursementBatch.objects.get()
    assert page.url == f"{base}/funding/batches/{batch.pk}/"
    assert page.locator("[data-testid=total-gross]").inner_text() == "20000.00"
    assert page.locator("[data-testid=total-net]").inner_text() == "16000.00"
    with page.expect_navigation():
        page.click("[data-testid=submit]")
    assert status_of(page) == "submitted"
    assert page.locator("[data-testid=approve]").count() == 0, "a maker does not approve"

    log_in(page, live_server, "cathy")
    page.goto(f"{base}/funding/batches/?status=submitted")
    page.click(f"[data-testid=batch-{batch.pk}] a")
    page.wait_for_url(f"{base}/funding/batches/{batch.pk}/")
    with page.expect_navigation():
        page.click("[data-testid=approve]")
    assert status_of(page) == "approved"

    log_in(page, live_server, "mike")
    page.goto(f"{base}/funding/batches/{batch.pk}/")
    with page.expect_navigation():
        page.click("[data-testid=export]")
    assert status_of(page) == "exported"
    with page.expect_download() as info:
        page.click("[data-testid=download-bank-file]")
    bank_file = tmp_path / "bank.xlsx"
    info.value.save_as(bank_file)
    assert info.value.suggested_filename == f"{batch.number}.xlsx"
    ws = load_workbook(bank_file).active
    lines = list(batch.lines.order_by("id"))
    assert [ws.cell(row=r, column=2).value for r in (3, 4)] == [x.reference for x in lines]
    assert [ws.cell(row=r, column=3).value for r in (3, 4)] == ["周建华", "吴秀兰"]
    assert [float(ws.cell(row=r, column=9).value) for r in (3, 4)] == [8000.0, 8000.0]

    # The first line by hand, with the bank's reference.
    by_hand, from_file = lines
    page.fill(f"[data-testid=bank-ref-{by_hand.pk}]", "ICBC20261123001")
    with page.expect_navigation():
        page.click(f"[data-testid=mark-paid-{by_hand.pk}]")
    assert page.locator(f"[data-testid=line-{by_hand.pk}]").get_attribute("data-status") == "paid"

    # The second from a result file in the layout the import reads (filled in as the bank would).
    with page.expect_download() as info:
        page.click("[data-testid=result-template]")
    result = tmp_path / "result.xlsx"
    info.value.save_as(result)
    wb = load_workbook(result)
    sheet = wb.active
    assert sheet["A3"].value == from_file.reference
    sheet["E3"], sheet["F3"], sheet["G3"] = "成功", "ICBC20261123002", timezone.localdate().isoformat()
    wb.save(result)
    page.set_input_files("[data-testid=result-file]", str(result))
    with page.expect_navigation():
        page.click("[data-testid=import]")
    assert status_of(page) == "closed"
    assert page.locator("[data-testid=closed]").is_visible()
    screenshot(page, "funding-batch-closed")

    assert set(BatchLine.objects.values_list("status", flat=True)) == {"paid"}
    assert {i.status for i in Instalment.objects.filter(pk__in=[x.pk for x in instalments])} == {"paid"}
