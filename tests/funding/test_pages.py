"""The funding pages: what falls due (overdue, blocked and why), a batch built by form and approved by someone
else, the bank file only to finance, the bank's answer recorded by hand, the budget page, who sees what, and
query counts pinned on the due list, the batch page and the budget page."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from backend.roles import Role
from funding import selectors
from funding.models import BatchLine, DisbursementBatch, Instalment
from funding.services import bank_results, batches
from tests.conftest import PASSWORD

from .conftest import give_account, give_budget, name_directly, source_of
from .steps import figures, first, named, second

pytestmark = pytest.mark.django_db
S = Instalment.Status
B = DisbursementBatch.Status


def logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def host(make_user):
    return make_user("hank", Role.STUDIO_HOST)


@pytest.fixture
def two(baling, office, maker, checker):
    give_budget(baling, checker, 2023)
    return named(baling, office, maker, 2)


def make_batch(maker, honourees, purpose="第一年资助"):
    return batches.batch_create(
        by=maker,
        source_id=first(honourees[0]).plan.source_id,
        purpose=purpose,
        instalment_ids=[first(h).pk for h in honourees],
    )


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


# --- who sees what -------------------------------------------------------------------------------------------


def test_each_page_opens_for_the_reading_roles_and_is_closed_to_others(
    two, maker, checker, office, auditor, nobody, host
):
    batch = make_batch(maker, two[:1])
    inst = first(two[0])
    pages = [
        "/funding/",
        "/funding/batches/",
        "/funding/budgets/",
        f"/funding/instalments/{inst.pk}/",
        f"/funding/batches/{batch.pk}/",
        f"/funding/payees/{two[0].person_id}/",
    ]
    for user in (maker, checker, office, auditor):
        client = logged_in(user)
        for url in pages:
            assert client.get(url).status_code == 200, (user.username, url)
    for user in (nobody, host):
        client = logged_in(user)
        for url in pages[:3]:
            assert client.get(url).status_code == 403, (user.username, url)
        for url in pages[3:]:
            assert client.get(url).status_code == 404, (user.username, url)
    assert Client().get("/funding/").status_code == 302  # to the login page


def test_the_nav_shows_funding_to_the_finance_roles_office_and_auditor_only(
    two, maker, auditor, nobody, host
):
    assert 'data-testid="nav-funding"' in logged_in(maker).get("/").content.decode()
    assert 'data-testid="nav-funding"' in logged_in(auditor).get("/").content.decode()
    assert 'data-testid="nav-funding"' not in logged_in(nobody).get("/").content.decode()
    assert 'data-testid="nav-funding"' not in logged_in(host).get("/").content.decode()


def test_a_studio_host_sees_their_own_instalments_and_nobody_elses(two, office, host):
    from studios.services.studios import studio_create

    studio_create(
        by=office,
        honouree_id=two[0].pk,
        host_id=host.pk,
        name="周建华钳工工作室",
        institution_name="岳阳职业技术学院",
        institution_kind="vocational_college_industry_college",
        address="岳阳",
        contact_id=None,
    )
    client = logged_in(host)
    assert client.get(f"/funding/instalments/{first(two[0]).pk}/").status_code == 200
    assert client.get(f"/funding/instalments/{first(two[1]).pk}/").status_code == 404
    assert set(selectors.instalments_for(host)) == set(two[0].award_plan.instalments.all())
    assert not selectors.batches_for(host).exists()


# --- what falls due ------------------------------------------------------------------------------------------


def test_the_due_page_shows_overdue_instalments_and_the_blocked_ones_with_why(two, maker):
    page = logged_in(maker).get("/funding/").content.decode()
    for h in two:
        assert f'data-testid="pick-{first(h).pk}"' in page
        assert f'data-testid="reason-{second(h).pk}"' in page
    assert 'data-testid="overdue-head"' in page, "due since 2023: overdue"
    assert "工作室" in page and "考核" in page, "the blocked instalments say what they wait for"


def test_the_due_page_filters_by_source_round_and_date(seeds, two, office, maker, checker):
    jiaozuo = seeds["jiaozuo"]
    give_budget(jiaozuo, checker, 2023)
    other = name_directly(jiaozuo, office, name="王焦作")
    client = logged_in(maker)
    page = client.get(f"/funding/?source={source_of(jiaozuo).pk}").content.decode()
    assert (
        f'data-testid="inst-{first(other).pk}"' in page
        and f'data-testid="inst-{first(two[0]).pk}"' not in page
    )
    page = client.get(f"/funding/?round={two[0].round_id}").content.decode()
    assert (
        f'data-testid="inst-{first(other).pk}"' not in page
        and f'data-testid="inst-{first(two[0]).pk}"' in page
    )
    page = client.get("/funding/?up_to=2023-01-01").content.decode()
    assert f'data-testid="inst-{first(two[0]).pk}"' not in page


def test_a_missing_bank_account_is_flagged_with_a_link_to_add_it(baling, office, maker, checker):
    give_budget(baling, checker, 2023)
    (h,) = named(baling, office, maker, account=False)
    page = logged_in(maker).get("/funding/").content.decode()
    assert f'data-testid="no-account-{first(h).pk}"' in page and f"/funding/payees/{h.person_id}/" in page


# --- the batch workflow --------------------------------------------------------------------------------------


def test_a_maker_builds_a_batch_by_form_a_checker_approves_and_the_bank_answer_closes_it(
    two, maker, checker, auditor, media
):
    client = logged_in(maker)
    response = client.post(
        "/funding/batches/new/",
        {"instalments": [first(h).pk for h in two], "purpose": "2023巴陵工匠第一年资助", "next": "/funding/"},
    )
    batch = DisbursementBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/funding/batches/{batch.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="total-gross">20000.00' in page and 'data-testid="total-tax">4000.00' in page
    assert 'data-testid="total-net">16000.00' in page
    assert 'data-testid="approve"' not in page and 'data-testid="submit"' in page

    client.post(f"/funding/batches/{batch.pk}/submit/", {"next": f"/funding/batches/{batch.pk}/"})
    batch.refresh_from_db()
    assert batch.status == B.SUBMITTED
    page = client.get(f"/funding/batches/{batch.pk}/").content.decode()
    assert 'data-testid="approve"' not in page and 'data-testid="why-no-approve"' in page

    approver = logged_in(checker)
    assert 'data-testid="approve"' in approver.get(f"/funding/batches/{batch.pk}/").content.decode()
    approver.post(f"/funding/batches/{batch.pk}/approve/", {"next": f"/funding/batches/{batch.pk}/"})
    batch.refresh_from_db()
    assert (batch.status, batch.checker) == (B.APPROVED, checker)
    assert {i.status for i in Instalment.objects.filter(lines__batch=batch)} == {S.APPROVED}

    client.post(f"/funding/batches/{batch.pk}/export/", {"next": f"/funding/batches/{batch.pk}/"})
    batch.refresh_from_db()
    assert batch.status == B.EXPORTED
    assert logged_in(auditor).get(f"/funding/batches/{batch.pk}/bank-file.xlsx").status_code == 403
    download = client.get(f"/funding/batches/{batch.pk}/bank-file.xlsx")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    ws = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = {ws.cell(row=r, column=2).value: ws.cell(row=r, column=9).value for r in (3, 4)}
    assert set(rows) == set(batch.lines.values_list("reference", flat=True))
    assert {float(v) for v in rows.values()} == {8000.0}, "net after 20% withheld"

    one, other = batch.lines.order_by("id")
    today = timezone.localdate().isoformat()
    client.post(f"/funding/lines/{one.pk}/paid/", {"bank_ref": "B20240001", "paid_on": today})
    response = client.post(
        f"/funding/lines/{other.pk}/returned/", {"reason": "账户已销户", "on": today}, follow=True
    )
    assert other.reference in messages_of(response)
    batch.refresh_from_db()
    assert batch.status == B.CLOSED
    assert Instalment.objects.get(pk=one.instalment_id).status == S.PAID
    assert Instalment.objects.get(pk=other.instalment_id).status == S.DUE, "退票: due again for correction"
    page = client.get(f"/funding/batches/{batch.pk}/").content.decode()
    assert 'data-testid="closed"' in page and "账户已销户" in page


def test_picking_instalments_of_two_sources_is_refused_with_a_message(seeds, two, office, maker, checker):
    jiaozuo = seeds["jiaozuo"]
    give_budget(jiaozuo, checker, 2023)
    other = name_directly(jiaozuo, office, name="王焦作")
    give_account(other, maker)
    response = logged_in(maker).post(
        "/funding/batches/new/",
        {"instalments": [first(two[0]).pk, first(other).pk], "next": "/funding/"},
        follow=True,
    )
    assert "不同的资金来源" in messages_of(response)
    assert not DisbursementBatch.objects.exists()


def test_a_blocked_instalment_is_refused_with_why_and_nothing_is_made(two, maker):
    response = logged_in(maker).post(
        "/funding/batches/new/",
        {"instalments": [first(two[0]).pk, second(two[0]).pk], "next": "/funding/"},
        follow=True,
    )
    text = messages_of(response)
    assert "未做任何更改" in text and "条件未满足" in text
    assert not DisbursementBatch.objects.exists() and first(two[0]).status == S.DUE


def test_a_checker_who_made_the_batch_is_told_why_they_cannot_approve_it(two, maker_checker, make_user):
    batch = make_batch(maker_checker, two)
    batches.batch_submit(by=maker_checker, batch_id=batch.pk)
    client = logged_in(maker_checker)
    page = client.get(f"/funding/batches/{batch.pk}/").content.decode()
    assert 'data-testid="approve"' not in page and 'data-testid="why-no-approve"' in page
    response = client.post(
        f"/funding/batches/{batch.pk}/approve/", {"next": f"/funding/batches/{batch.pk}/"}, follow=True
    )
    assert "不能审批自己编制的批次" in messages_of(response)
    batch.refresh_from_db()
    assert batch.status == B.SUBMITTED


def test_a_rejection_needs_a_reason_and_puts_the_instalments_back_to_due(two, maker, checker):
    batch = make_batch(maker, two)
    batches.batch_submit(by=maker, batch_id=batch.pk)
    client = logged_in(checker)
    response = client.post(f"/funding/batches/{batch.pk}/reject/", {"reason": " "}, follow=True)
    assert "请说明原因" in messages_of(response)
    batch.refresh_from_db()
    assert batch.status == B.SUBMITTED
    client.post(f"/funding/batches/{batch.pk}/reject/", {"reason": "账号待核实"})
    batch.refresh_from_db()
    assert (batch.status, batch.decision_reason) == (B.REJECTED, "账号待核实")
    assert {first(h).status for h in two} == {S.DUE}
    assert "账号待核实" in client.get(f"/funding/batches/{batch.pk}/").content.decode()


def test_the_maker_takes_a_line_out_and_cancels_a_draft(two, maker):
    batch = make_batch(maker, two)
    client = logged_in(maker)
    line = batch.lines.order_by("id").first()
    client.post(f"/funding/batches/{batch.pk}/remove/", {"line": line.pk})
    line.refresh_from_db()
    assert (
        line.status == BatchLine.Status.WITHDRAWN
        and Instalment.objects.get(pk=line.instalment_id).status == S.DUE
    )
    client.post(f"/funding/batches/{batch.pk}/cancel/", {"reason": "重新编制"})
    batch.refresh_from_db()
    assert batch.status == B.CANCELLED and {first(h).status for h in two} == {S.DUE}


def test_vouchers_are_offered_once_a_line_is_paid(two, maker, checker):
    batch = make_batch(maker, two[:1])
    batches.batch_submit(by=maker, batch_id=batch.pk)
    batches.batch_approve(by=checker, batch_id=batch.pk)
    batches.batch_export(by=maker, batch_id=batch.pk)
    line = batch.lines.get()
    bank_results.line_mark_paid(by=maker, line_id=line.pk, bank_ref="B1", paid_on=timezone.localdate())
    client = logged_in(maker)
    page = client.get(f"/funding/batches/{batch.pk}/").content.decode()
    assert 'data-testid="batch-vouchers"' in page and f'data-testid="voucher-{line.pk}"' in page
    response = client.get(f"/funding/payments/{line.payment.pk}/voucher.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    response = client.get(f"/funding/batches/{batch.pk}/vouchers.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


# --- one instalment ------------------------------------------------------------------------------------------


def test_the_instalment_page_shows_conditions_met_or_not_and_the_history(two, maker, office):
    inst = second(two[0])
    page = logged_in(maker).get(f"/funding/instalments/{inst.pk}/").content.decode()
    assert (
        'data-testid="condition-0" data-met="0"' in page and 'data-testid="condition-1" data-met="0"' in page
    )
    assert "planned at naming" in page, "the history says why the status was set"
    assert 'data-testid="confirm-0"' not in page, "studio conditions are read from the studio, not confirmed"


def test_the_office_confirms_a_manual_condition_with_a_reason(two, office, maker):
    inst = second(two[0])
    Instalment.objects.filter(pk=inst.pk).update(
        conditions=[
            {"kind": "manual_confirmation", "params": {"zh": "提交工作总结", "en": "work report filed"}}
        ],
        earliest_on=dt.date(2024, 10, 30),
    )
    client = logged_in(office)
    page = client.get(f"/funding/instalments/{inst.pk}/").content.decode()
    assert 'data-testid="confirm-0"' in page
    assert (
        'data-testid="confirm-0"'
        not in logged_in(maker).get(f"/funding/instalments/{inst.pk}/").content.decode()
    )
    response = client.post(
        f"/funding/instalments/{inst.pk}/confirm/", {"index": "0", "reason": ""}, follow=True
    )
    assert "请说明原因" in messages_of(response)
    client.post(f"/funding/instalments/{inst.pk}/confirm/", {"index": "0", "reason": "已收到总结"})
    inst.refresh_from_db()
    assert inst.status == S.DUE and inst.confirmations["0"]["reason"] == "已收到总结"
    page = client.get(f"/funding/instalments/{inst.pk}/").content.decode()
    assert 'data-testid="condition-0" data-met="1"' in page and "已收到总结" in page


def test_the_maker_sets_a_bank_account_and_a_wrong_holder_is_shown_on_its_field(
    baling, office, maker, checker
):
    (h,) = named(baling, office, maker, account=False)
    client = logged_in(maker)
    url = f"/funding/payees/{h.person_id}/"
    response = client.post(url, {"account_name": "别人", "bank_name": "工行", "account_no": "6222 0212 3456"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="error-account_name"' in page and "奖金只能付给本人" in page
    response = client.post(
        url,
        {
            "account_name": h.person.name,
            "bank_name": "工行",
            "account_no": "6222 0212 3456",
            "next": f"/funding/instalments/{first(h).pk}/",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/funding/instalments/{first(h).pk}/"
    assert h.person.payee_account.account_no == "622202123456"
    assert logged_in(checker).post(url, {"account_name": h.person.name}).status_code == 403


# --- budgets -------------------------------------------------------------------------------------------------


def test_the_budget_page_shows_the_figures_and_the_checker_sets_a_budget(two, maker, checker):
    batch = make_batch(maker, two[:1])
    source_id = batch.source_id
    client = logged_in(checker)
    page = client.get("/funding/budgets/").content.decode()
    assert f'data-testid="budget-{source_id}-2023"' in page
    rows = {(r.source.pk, r.year): r for r in selectors.budget_table(checker)}
    for (sid, year), row in rows.items():
        assert row.figures == figures(sid, year), "the table's figures are those of one source and year"
    assert rows[(source_id, 2023)].scheduled == Decimal("10000.00")
    assert rows[(source_id, 2024)].budget is None, "the second year is committed without a budget yet"

    response = client.post("/funding/budgets/", {"source": source_id, "year": 2024, "amount": "5000.00"})
    assert response.status_code == 200 and "不能少于" in response.content.decode()
    response = client.post(
        "/funding/budgets/", {"source": source_id, "year": 2024, "amount": "300000.00", "note": "市财政批复"}
    )
    assert response.status_code == 302
    assert figures(source_id, 2024)["budget"] == Decimal("300000.00")
    assert (
        logged_in(maker)
        .post("/funding/budgets/", {"source": source_id, "year": 2024, "amount": "1"})
        .status_code
        == 403
    )


# --- home and the honouree page ------------------------------------------------------------------------------


def test_home_cards_and_the_honouree_page_show_the_money(two, maker, checker, office):
    batch = make_batch(maker, two)
    batches.batch_submit(by=maker, batch_id=batch.pk)
    page = logged_in(checker).get("/").content.decode()
    assert "/funding/batches/?status=submitted" in page
    page = logged_in(office).get(f"/registry/{two[0].pk}/").content.decode()
    assert f"/funding/instalments/{first(two[0]).pk}/" in page and "20000.00" in page


# --- query counts --------------------------------------------------------------------------------------------


def test_the_due_list_takes_a_fixed_number_of_queries(
    baling, office, maker, checker, django_assert_max_num_queries
):
    give_budget(baling, checker, 2023)
    hs = named(baling, office, maker, 2)
    make_batch(maker, hs[:1])
    client = logged_in(maker)
    client.get("/funding/")
    with django_assert_max_num_queries(12) as few:
        assert client.get("/funding/").status_code == 200
    more = named(baling, office, maker, 6, start=2)
    make_batch(maker, more[:3])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/funding/").status_code == 200


def test_the_batch_page_takes_a_fixed_number_of_queries(
    baling, office, maker, checker, django_assert_max_num_queries
):
    give_budget(baling, checker, 2023)
    small = make_batch(maker, named(baling, office, maker, 2))
    big = make_batch(maker, named(baling, office, maker, 6, start=2))
    client = logged_in(maker)
    client.get(f"/funding/batches/{small.pk}/")
    with django_assert_max_num_queries(14) as few:
        assert client.get(f"/funding/batches/{small.pk}/").status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/funding/batches/{big.pk}/").status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/funding/batches/").status_code == 200


def test_the_budget_page_takes_a_fixed_number_of_queries(
    seeds, office, maker, checker, django_assert_max_num_queries
):
    give_budget(seeds["baling"], checker, 2023)
    named(seeds["baling"], office, maker, 1)
    client = logged_in(checker)
    client.get("/funding/budgets/")
    with django_assert_max_num_queries(12) as few:
        assert client.get("/funding/budgets/").status_code == 200
    for code in ("jiaozuo", "baotou", "jinzhong"):
        give_budget(seeds[code], checker, 2023)
        give_budget(seeds[code], checker, 2024)
        named(seeds[code], office, maker, 1, start=3)
    assert len(selectors.budget_table(checker)) >= 8
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/funding/budgets/").status_code == 200


def test_a_result_file_row_without_a_clear_line_is_listed_and_assigned_by_hand(two, maker, checker):
    batch = make_batch(maker, two)
    batches.batch_submit(by=maker, batch_id=batch.pk)
    batches.batch_approve(by=checker, batch_id=batch.pk)
    batches.batch_export(by=maker, batch_id=batch.pk)
    client = logged_in(maker)
    template = client.get(f"/funding/batches/{batch.pk}/result-template.xlsx")
    assert template.status_code == 200
    wb = load_workbook(io.BytesIO(template.content))
    ws = wb.active
    today = timezone.localdate().isoformat()
    ws["E3"], ws["F3"], ws["G3"] = "成功", "BK1", today
    ws["A4"], ws["C4"], ws["E4"], ws["F4"], ws["G4"] = None, "999999999", "成功", "BK2", today  # no reference
    out = io.BytesIO()
    wb.save(out)
    upload = io.BytesIO(out.getvalue())
    upload.name = "回单.xlsx"
    response = client.post(
        f"/funding/batches/{batch.pk}/import/",
        {"file": upload, "next": f"/funding/batches/{batch.pk}/"},
        follow=True,
    )
    assert "已支付 1 条" in messages_of(response) and "未匹配 1 条" in messages_of(response)
    (row,) = selectors.unmatched_rows(batch)
    page = response.content.decode()
    assert f'data-testid="row-{row.pk}"' in page and "999999999" in page
    pending = batch.lines.get(status=BatchLine.Status.PENDING)
    client.post(f"/funding/bank-rows/{row.pk}/assign/", {"line": pending.pk})
    batch.refresh_from_db()
    pending.refresh_from_db()
    assert (pending.status, pending.bank_ref, batch.status) == ("paid", "BK2", B.CLOSED)
