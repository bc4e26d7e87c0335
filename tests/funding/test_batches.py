"""Disbursement batches: the maker builds, a checker who is not the maker decides; bad input is refused with a
message that names the problem, and nothing changes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.errors import (
    BudgetExceeded,
    Conflict,
    NotFound,
    NotPermitted,
    TransitionNotAllowed,
    ValidationFailed,
)
from funding import selectors
from funding.models import BatchLine, Budget, DisbursementBatch, Instalment, LedgerEntry, Payment
from funding.services import bank_results, batches, budgets

from .conftest import give_account, give_budget, name_directly, source_of
from .steps import batch_of, figures, first, pay, status_of

pytestmark = pytest.mark.django_db
S = Instalment.Status


@pytest.fixture
def due(seeds, office, maker, checker) -> Instalment:
    """A 包头 honouree's 10,000, due, with a bank account and a budget for 2023."""
    h = name_directly(seeds["baotou"], office, named_on=dt.date(2023, 4, 28))
    give_account(h, maker)
    give_budget(seeds["baotou"], checker, 2023)
    return h.award_plan.instalments.get()


def draft(inst, maker) -> DisbursementBatch:
    return batches.batch_create(
        by=maker, source_id=inst.plan.source_id, purpose="2023包头工匠奖励", instalment_ids=[inst.pk]
    )


def submitted(inst, maker) -> DisbursementBatch:
    batch = draft(inst, maker)
    return batches.batch_submit(by=maker, batch_id=batch.pk)


def test_nobody_approves_a_batch_they_made_even_holding_both_roles(due, maker_checker, checker):
    batch = submitted(due, maker_checker)
    with pytest.raises(NotPermitted):
        batches.batch_approve(by=maker_checker, batch_id=batch.pk)
    with pytest.raises(NotPermitted):
        batches.batch_reject(by=maker_checker, batch_id=batch.pk, reason="自审")
    batch.refresh_from_db()
    assert (batch.status, batch.checker) == ("submitted", None) and status_of(due) == S.SCHEDULED
    batches.batch_approve(by=checker, batch_id=batch.pk)
    assert status_of(due) == S.APPROVED


def test_the_database_refuses_a_checker_who_is_the_maker_even_if_the_code_is_bypassed(due, maker):
    batch = submitted(due, maker)
    with pytest.raises(IntegrityError), transaction.atomic():
        DisbursementBatch.objects.filter(pk=batch.pk).update(checker=maker)
    batch.checker = maker
    with pytest.raises(IntegrityError), transaction.atomic():
        batch.save()
    assert DisbursementBatch.objects.get(pk=batch.pk).checker is None


def test_a_rejected_batch_gives_its_instalments_back_as_due_with_the_reason(due, maker, checker):
    batch = submitted(due, maker)
    with pytest.raises(ValidationFailed) as e:
        batches.batch_reject(by=checker, batch_id=batch.pk, reason=" ")
    assert e.value.field == "reason" and status_of(due) == S.SCHEDULED
    batches.batch_reject(by=checker, batch_id=batch.pk, reason="用途填写不规范")
    batch.refresh_from_db()
    assert (batch.status, batch.decision_reason, batch.checker) == ("rejected", "用途填写不规范", checker)
    due.refresh_from_db()
    assert due.status == S.DUE and "用途填写不规范" in due.status_reason
    assert batch.lines.get().status == BatchLine.Status.WITHDRAWN
    with pytest.raises(TransitionNotAllowed):
        batches.batch_approve(by=checker, batch_id=batch.pk)
    again = pay([due], maker, checker)
    assert again.status == "closed" and status_of(due) == S.PAID


def test_the_maker_cancels_a_draft_and_removes_a_line(seeds, office, maker, checker, due):
    other = name_directly(seeds["baotou"], office, name="乙", named_on=dt.date(2023, 4, 28))
    give_account(other, maker)
    second = other.award_plan.instalments.get()
    batch = batches.batch_create(
        by=maker, source_id=due.plan.source_id, purpose="", instalment_ids=[due.pk, second.pk]
    )
    assert batch.purpose == "包头工匠奖励资金"
    line = batch.lines.get(instalment=second)
    batches.batch_remove(by=maker, batch_id=batch.pk, line_id=line.pk)
    assert status_of(second) == S.DUE and batch.lines.filter(status="pending").count() == 1
    with pytest.raises(NotFound):
        batches.batch_remove(by=maker, batch_id=batch.pk, line_id=line.pk)
    with pytest.raises(ValidationFailed):
        batches.batch_cancel(by=maker, batch_id=batch.pk, reason="")
    batches.batch_cancel(by=maker, batch_id=batch.pk, reason="重新编制")
    assert DisbursementBatch.objects.get(pk=batch.pk).status == "cancelled" and status_of(due) == S.DUE
    with pytest.raises(TransitionNotAllowed):
        batches.batch_submit(by=maker, batch_id=batch.pk)


def test_a_checker_cannot_build_a_batch_and_a_maker_cannot_approve(due, maker, checker):
    with pytest.raises(NotPermitted):
        draft(due, checker)
    batch = submitted(due, maker)
    with pytest.raises(NotPermitted):
        batches.batch_approve(by=maker, batch_id=batch.pk)


def test_a_batch_takes_only_due_instalments_of_its_own_source_with_a_bank_account(
    seeds, office, maker, checker, due
):
    baling = seeds["baling"]
    h = name_directly(baling, office, name="甲", named_on=dt.date(2023, 10, 30))
    give_account(h, maker)
    first, second = h.award_plan.instalments.order_by("seq")
    no_account = name_directly(
        seeds["baotou"], office, name="乙", named_on=dt.date(2023, 4, 28)
    ).award_plan.instalments.get()
    before = (DisbursementBatch.objects.count(), BatchLine.objects.count())

    with pytest.raises(ValidationFailed) as e:
        batches.batch_create(
            by=maker,
            source_id=due.plan.source_id,
            purpose="",
            instalment_ids=[due.pk, first.pk, no_account.pk, 999999],
        )
    by_field = {x.field: x for x in e.value.errors}
    assert set(by_field) == {"source", "payee_account", None}
    assert "市人才发展专项资金" in by_field["source"].zh
    assert "没有收款银行账户" in by_field["payee_account"].zh
    assert "999999" in by_field[None].zh

    with pytest.raises(ValidationFailed) as e:
        batches.batch_create(by=maker, source_id=first.plan.source_id, purpose="", instalment_ids=[second.pk])
    (err,) = e.value.errors
    assert err.field == "status" and "条件未满足" in err.zh and "工作室" in err.zh, "blocked, and why"
    assert (DisbursementBatch.objects.count(), BatchLine.objects.count()) == before, "nothing half-saved"
    assert status_of(due) == S.DUE


def test_nothing_is_paid_from_a_year_without_a_budget(seeds, office, maker):
    h = name_directly(seeds["baotou"], office, named_on=dt.date(2023, 4, 28))
    give_account(h, maker)
    inst = h.award_plan.instalments.get()
    with pytest.raises(BudgetExceeded) as e:
        draft(inst, maker)
    assert "尚未设定 2023 年预算" in e.value.zh
    assert not DisbursementBatch.objects.exists() and status_of(inst) == S.DUE


def test_a_naming_beyond_the_budget_is_refused_with_the_figures(seeds, office, checker):
    jinzhong = seeds["jinzhong"]
    give_budget(jinzhong, checker, 2019, amount="30000.00")
    name_directly(jinzhong, office, name="甲", named_on=dt.date(2019, 11, 15))
    with pytest.raises(BudgetExceeded) as e:
        name_directly(jinzhong, office, name="乙", named_on=dt.date(2019, 11, 15))
    assert all(f in e.value.zh for f in ("30000.00", "20000.00", "10000.00")), e.value.zh
    assert LedgerEntry.objects.count() == 1


def test_a_budget_cannot_drop_below_what_is_committed(seeds, office, checker, maker):
    jinzhong = seeds["jinzhong"]
    name_directly(jinzhong, office, named_on=dt.date(2019, 11, 15))
    source = source_of(jinzhong)
    with pytest.raises(BudgetExceeded) as e:
        budgets.budget_set(by=checker, source_id=source.pk, year=2019, amount="19999.99")
    assert "20000.00" in e.value.zh and e.value.field == "amount"
    assert not Budget.objects.exists()
    budgets.budget_set(by=checker, source_id=source.pk, year=2019, amount="20000.00")
    with pytest.raises(NotPermitted):
        budgets.budget_set(by=maker, source_id=source.pk, year=2019, amount="50000.00")
    f = figures(source.pk, 2019)
    assert (f["budget"], f["committed"], f["remaining"]) == (
        Decimal("20000.00"),
        Decimal("20000.00"),
        Decimal("0.00"),
    )


def test_the_budget_figures_of_many_sources_and_years_are_five_queries(
    seeds, office, maker, checker, django_assert_num_queries
):
    baling, jiaozuo = seeds["baling"], seeds["jiaozuo"]
    give_budget(baling, checker, 2023, amount="50000.00")
    h = name_directly(baling, office)  # 10,000 in 2023 (paid below) and 10,000 in 2024
    pay([first(h)], maker, checker)
    name_directly(jiaozuo, office, name="王焦作")
    ours, theirs = source_of(baling).pk, source_of(jiaozuo).pk
    keys = [(ours, 2023), (ours, 2024), (theirs, 2023), (theirs, 2030)]
    with django_assert_num_queries(5):
        got = selectors.budget_figures(keys)
    zero, ten = Decimal("0.00"), Decimal("10000.00")
    assert got[(ours, 2023)] == {
        "budget": Decimal("50000.00"),
        "committed": ten,
        "scheduled": zero,
        "approved": zero,
        "paid": ten,
        "remaining": Decimal("40000.00"),
    }
    assert (got[(ours, 2024)]["budget"], got[(ours, 2024)]["committed"]) == (None, ten)
    assert got[(theirs, 2023)]["committed"] > zero and got[(theirs, 2023)]["paid"] == zero
    assert got[(theirs, 2030)] == dict.fromkeys(["committed", "scheduled", "approved", "paid"], zero) | {
        "budget": None,
        "remaining": None,
    }
    assert got == {key: figures(*key) for key in keys}, "asked together or one by one, the same figures"


@pytest.mark.parametrize("amount", ["100.005", "-1.00", "0", "0.00", 100.5, "1,000", "abc"])
def test_a_bad_budget_amount_is_refused_and_nothing_changes(seeds, checker, amount):
    source = budgets.source_for(seeds["baling"])
    budgets.budget_set(by=checker, source_id=source.pk, year=2024, amount="50000.00")
    with pytest.raises(ValidationFailed) as e:
        budgets.budget_set(by=checker, source_id=source.pk, year=2024, amount=amount)
    assert e.value.field == "amount"
    assert Budget.objects.get().amount == Decimal("50000.00")


@pytest.mark.parametrize("amount", ["10000.005", "-10000.00", "0"])
def test_a_package_amount_with_three_decimals_or_not_positive_refuses_the_naming(seeds, office, amount):
    baotou = seeds["baotou"]
    baotou.rules["award"]["by_tier"]["named"]["instalments"][0]["amount"] = amount
    baotou.save()
    with pytest.raises(ValidationFailed) as e:
        name_directly(baotou, office)
    assert e.value.field == "amount"
    assert not Instalment.objects.exists() and not baotou.honourees.exists()


def test_a_bank_result_is_refused_until_the_batch_has_gone_to_the_bank(due, maker, checker):
    batch = submitted(due, maker)
    line = batch.lines.get()
    with pytest.raises(Conflict) as e:
        bank_results.line_mark_paid(by=maker, line_id=line.pk, bank_ref="B1", paid_on=timezone.localdate())
    assert "尚未送银行" in e.value.zh
    batches.batch_approve(by=checker, batch_id=batch.pk)
    with pytest.raises(Conflict):
        bank_results.line_mark_paid(by=maker, line_id=line.pk, bank_ref="B1", paid_on=timezone.localdate())
    batches.batch_export(by=maker, batch_id=batch.pk)
    with pytest.raises(ValidationFailed) as e:
        bank_results.line_mark_paid(
            by=maker, line_id=line.pk, bank_ref="B1", paid_on=timezone.localdate() + dt.timedelta(days=1)
        )
    assert e.value.field == "paid_on"
    with pytest.raises(ValidationFailed) as e:
        bank_results.line_mark_paid(by=maker, line_id=line.pk, bank_ref=" ", paid_on=timezone.localdate())
    assert e.value.field == "bank_ref"
    assert not Payment.objects.exists() and status_of(due) == S.APPROVED


def test_a_payment_on_an_instalment_that_is_not_approved_is_refused(due, maker, checker):
    batch = batch_of([due], maker, checker)
    batches.batch_export(by=maker, batch_id=batch.pk)
    # However it got there (here: a bypassed update), a blocked instalment is never paid.
    Instalment.objects.filter(pk=due.pk).update(status=S.BLOCKED)
    with pytest.raises(TransitionNotAllowed):
        bank_results.line_mark_paid(
            by=maker, line_id=batch.lines.get().pk, bank_ref="B1", paid_on=timezone.localdate()
        )
    assert not Payment.objects.exists() and batch.lines.get().status == "pending"
    Instalment.objects.filter(pk=due.pk).update(status=S.APPROVED)  # put back, so the books agree


def test_a_returned_line_is_due_again_and_paid_from_a_new_batch(due, maker, checker):
    batch = batch_of([due], maker, checker)
    batches.batch_export(by=maker, batch_id=batch.pk)
    line = batch.lines.get()
    with pytest.raises(ValidationFailed):
        bank_results.line_mark_returned(by=maker, line_id=line.pk, reason="", on=timezone.localdate())
    bank_results.line_mark_returned(
        by=maker, line_id=line.pk, reason="户名与账号不符", on=timezone.localdate()
    )
    bank_results.line_mark_returned(
        by=maker, line_id=line.pk, reason="户名与账号不符", on=timezone.localdate()
    )  # replay
    batch.refresh_from_db()
    due.refresh_from_db()
    assert batch.status == "closed" and due.status == S.DUE and "户名与账号不符" in due.status_reason
    with pytest.raises(Conflict):
        bank_results.line_mark_paid(by=maker, line_id=line.pk, bank_ref="B1", paid_on=timezone.localdate())

    give_account(due.plan.honouree, maker, account_no="6222029999888877776")
    again = pay([due], maker, checker, ref="R")
    new_line = again.lines.get()
    assert new_line.account_no == "6222029999888877776" and line.account_no != new_line.account_no
    assert status_of(due) == S.PAID and Payment.objects.get().line == new_line
