"""No double payment, on PostgreSQL with real threads: concurrent approve, export, mark-paid and batch building
leave exactly one of each; and the database constraints hold the rule when the code is bypassed.

Each thread has its own connection (Django's are per thread) and closes it when done; a barrier releases the
threads together, and each race runs several times so that a missing lock shows up.
"""

import datetime as dt
from decimal import Decimal
from functools import partial

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from funding.models import BatchLine, DisbursementBatch, Instalment, Payment
from funding.services import bank_results, batches
from tests.races import outcomes, race

from .conftest import give_account, give_budget, name_directly
from .steps import batch_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RUNS = 4
S = Instalment.Status


@pytest.fixture
def jinzhong(seeds, checker):
    give_budget(seeds["jinzhong"], checker, 2019, amount="10000000.00")
    return seeds["jinzhong"]


def due_instalment(round_, office, maker, run: int) -> Instalment:
    h = name_directly(round_, office, name=f"工匠{run}", named_on=dt.date(2019, 11, 15))
    give_account(h, maker)
    return h.award_plan.instalments.get()


def exported(round_, office, maker, checker, run) -> BatchLine:
    inst = due_instalment(round_, office, maker, run)
    batch = batch_of([inst], maker, checker)
    batches.batch_export(by=maker, batch_id=batch.pk)
    return batch.lines.get()


def test_concurrent_bank_confirmations_with_different_references_pay_once(
    jinzhong, office, maker, maker_b, checker
):
    for run in range(RUNS):
        line = exported(jinzhong, office, maker, checker, run)
        today = timezone.localdate()
        results = race(
            *(
                partial(
                    bank_results.line_mark_paid,
                    by=who,
                    line_id=line.pk,
                    bank_ref=f"R{run}-{n}",
                    paid_on=today,
                )
                for n, who in enumerate([maker, maker_b, maker, maker_b])
            )
        )
        assert outcomes(results) == ["Conflict", "Conflict", "Conflict", "ok"], (run, results)
        assert Payment.objects.filter(instalment_id=line.instalment_id).count() == 1
        (winner,) = [v for k, v in results if k == "ok"]
        line.refresh_from_db()
        assert line.bank_ref == winner.bank_ref == Payment.objects.get(line=line).bank_ref
        assert Instalment.objects.get(pk=line.instalment_id).ledger.filter(kind="payment").count() == 1


def test_replaying_the_bank_confirmation_concurrently_pays_once(jinzhong, office, maker, maker_b, checker):
    for run in range(RUNS):
        line = exported(jinzhong, office, maker, checker, run)
        today = timezone.localdate()
        results = race(
            *(
                partial(
                    bank_results.line_mark_paid, by=who, line_id=line.pk, bank_ref=f"SAME{run}", paid_on=today
                )
                for who in (maker, maker_b, maker)
            )
        )
        assert outcomes(results) == ["ok", "ok", "ok"], (run, results)
        assert Payment.objects.filter(line=line).count() == 1
        assert Instalment.objects.get(pk=line.instalment_id).status == S.PAID


def test_two_checkers_approving_at_once_approve_once(jinzhong, office, maker, checker, checker_b):
    for run in range(RUNS):
        inst = due_instalment(jinzhong, office, maker, run)
        batch = batches.batch_create(
            by=maker, source_id=inst.plan.source_id, purpose="", instalment_ids=[inst.pk]
        )
        batches.batch_submit(by=maker, batch_id=batch.pk)
        results = race(
            partial(batches.batch_approve, by=checker, batch_id=batch.pk),
            partial(batches.batch_approve, by=checker_b, batch_id=batch.pk),
        )
        assert outcomes(results) == ["TransitionNotAllowed", "ok"], (run, results)
        (winner,) = [v for k, v in results if k == "ok"]
        batch.refresh_from_db()
        assert batch.status == "approved" and batch.checker == winner.checker
        inst.refresh_from_db()
        assert inst.status == S.APPROVED
        approvals = [
            h for h in inst.history.all() if (h.history_change_reason or "").startswith("scheduled→approved")
        ]
        assert len(approvals) == 1
        assert [h.status for h in batch.history.order_by("history_id")].count("approved") == 1


def test_two_exports_at_once_make_one_bank_file(jinzhong, office, maker, checker, media):
    for run in range(RUNS):
        inst = due_instalment(jinzhong, office, maker, run)
        batch = batch_of([inst], maker, checker)
        results = race(
            partial(batches.batch_export, by=maker, batch_id=batch.pk),
            partial(batches.batch_export, by=checker, batch_id=batch.pk),
        )
        assert outcomes(results) == ["ok", "ok"], (run, results)
        assert {v.bank_file.name for _, v in results} == {
            DisbursementBatch.objects.get(pk=batch.pk).bank_file.name
        }
        files = [p for p in media.rglob("*.xlsx") if p.name.startswith(batch.number)]
        assert len(files) == 1, files
        assert [h.status for h in batch.history.order_by("history_id")].count("exported") == 1


def test_two_makers_putting_one_instalment_into_two_batches_at_once_get_it_once(
    jinzhong, office, maker, maker_b
):
    for run in range(RUNS):
        inst = due_instalment(jinzhong, office, maker, run)
        results = race(
            *(
                partial(
                    batches.batch_create,
                    by=who,
                    source_id=inst.plan.source_id,
                    purpose=f"{who.username}",
                    instalment_ids=[inst.pk],
                )
                for who in (maker, maker_b)
            )
        )
        assert outcomes(results) == ["ValidationFailed", "ok"], (run, results)
        assert BatchLine.objects.filter(instalment=inst).count() == 1
        assert DisbursementBatch.objects.filter(lines__instalment=inst).count() == 1
        assert Instalment.objects.get(pk=inst.pk).status == S.SCHEDULED


def test_the_database_alone_refuses_a_second_payment_and_a_second_live_line(jinzhong, office, maker, checker):
    line = exported(jinzhong, office, maker, checker, 0)
    bank_results.line_mark_paid(by=maker, line_id=line.pk, bank_ref="B1", paid_on=timezone.localdate())
    payment = Payment.objects.get()
    other = BatchLine.objects.create(
        batch=line.batch,
        instalment=line.instalment,
        reference=f"{line.reference}-X",
        payee_name=line.payee_name,
        payee_id_number=line.payee_id_number,
        bank_name=line.bank_name,
        account_no=line.account_no,
        purpose=line.purpose,
        gross=line.gross,
        tax=line.tax,
        net=line.net,
        status=BatchLine.Status.RETURNED,
    )  # a settled (returned) line is allowed; a second live one is not
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            instalment=payment.instalment,
            line=other,
            voucher_no="PZ-SECOND",
            gross=payment.gross,
            tax=payment.tax,
            net=payment.net,
            paid_on=payment.paid_on,
            bank_ref="B2",
            recorded_by=maker,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        BatchLine.objects.filter(pk=other.pk).update(status=BatchLine.Status.PENDING)
    with pytest.raises(IntegrityError), transaction.atomic():
        BatchLine.objects.filter(pk=other.pk).update(tax=Decimal("1.00"))  # net no longer gross − tax
    assert Payment.objects.count() == 1
