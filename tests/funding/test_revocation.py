"""A revoked honour: what is not paid is cancelled (also out of a batch not yet approved), what was paid is to be
recovered; a reinstatement brings it back; a suspension holds payments until the honour resumes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from backend.errors import Conflict, ValidationFailed
from funding.models import AwardPlan, BatchLine, Instalment, LedgerEntry
from funding.services import bank_results, batches, plans, revocation
from honourees.services import status

from .conftest import give_account, give_budget, name_directly
from .steps import batch_of, figures, pay, status_of

pytestmark = pytest.mark.django_db
S = Instalment.Status
L = LedgerEntry.Kind
REVOKED_ON = dt.date(2024, 3, 1)


def revoke(h, office, grounds="false_claims", **kw):
    return status.honouree_revoke(
        by=office, honouree_id=h.pk, on=REVOKED_ON, reason="申报材料弄虚作假", grounds=grounds, **kw
    )


def kinds(inst) -> list[tuple[str, Decimal]]:
    return list(inst.ledger.order_by("id").values_list("kind", "amount"))


def test_revocation_cancels_what_is_unpaid_and_claims_back_what_was_paid(seeds, office, maker, checker):
    h = name_directly(seeds["baling"], office)
    first, second = h.award_plan.instalments.order_by("seq")
    pay([first], maker, checker)

    revoke(h, office)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.recovery) == (S.PAID, Instalment.Recovery.PENDING)
    assert "追回" in first.recovery_note
    assert kinds(first)[-1] == (L.RECOVERY, Decimal("10000.00"))
    assert (second.status, second.cancelled_by_revocation) == (S.CANCELLED, True)
    assert kinds(second) == [(L.COMMIT, Decimal("10000.00")), (L.RELEASE, Decimal("-10000.00"))]
    assert AwardPlan.objects.get(pk=first.plan_id).status == AwardPlan.Status.CANCELLED
    assert figures(first.plan.source_id, 2024)["committed"] == Decimal("0.00")


def test_revocation_without_recovery_leaves_paid_money_alone(seeds, office, maker, checker):
    h = name_directly(seeds["baling"], office)
    first = h.award_plan.instalments.get(seq=1)
    pay([first], maker, checker)
    revoke(h, office, recover_paid=False)
    first.refresh_from_db()
    assert first.recovery == Instalment.Recovery.NONE and not first.ledger.filter(kind=L.RECOVERY).exists()


def test_revocation_takes_a_due_instalment_out_of_a_submitted_batch(seeds, office, maker, checker):
    baling = seeds["baling"]
    h = name_directly(baling, office, name="甲")
    other = name_directly(baling, office, name="乙")
    mine, theirs = h.award_plan.instalments.get(seq=1), other.award_plan.instalments.get(seq=1)
    give_account(h, maker)
    give_account(other, maker)
    give_budget(baling, checker, 2023)
    batch = batches.batch_create(
        by=maker, source_id=mine.plan.source_id, purpose="", instalment_ids=[mine.pk, theirs.pk]
    )
    batches.batch_submit(by=maker, batch_id=batch.pk)

    revoke(h, office)
    line = batch.lines.get(instalment=mine)
    assert line.status == BatchLine.Status.WITHDRAWN
    assert (status_of(mine), status_of(theirs)) == (S.CANCELLED, S.SCHEDULED)
    batches.batch_approve(by=checker, batch_id=batch.pk)
    assert status_of(theirs) == S.APPROVED and status_of(mine) == S.CANCELLED


def changes(inst) -> list[tuple[str, str]]:
    return [(r.status, r.history_change_reason) for r in inst.history.order_by("history_id")]


def test_a_revocation_and_a_reinstatement_save_one_history_row_per_move(seeds, office, maker, checker):
    h = name_directly(seeds["baling"], office)
    due, blocked = h.award_plan.instalments.order_by("seq")
    give_account(h, maker)
    give_budget(seeds["baling"], checker, 2023)
    batch = batches.batch_create(by=maker, source_id=due.source_id, purpose="", instalment_ids=[due.pk])
    batches.batch_submit(by=maker, batch_id=batch.pk)
    before = {inst.pk: changes(inst) for inst in (due, blocked)}

    revoke(h, office)
    cancelled = "→cancelled: Honour revoked: unpaid instalment cancelled."
    assert changes(due) == before[due.pk] + [("cancelled", "scheduled" + cancelled)]
    assert changes(blocked) == before[blocked.pk] + [("cancelled", "blocked" + cancelled)]
    due.refresh_from_db()
    assert due.cancelled_by_revocation and due.lines.get().status == BatchLine.Status.WITHDRAWN

    status.honouree_reinstate(by=office, honouree_id=h.pk, on=dt.date(2024, 6, 3), reason="复查后予以纠正")
    (row,) = changes(blocked)[len(before[blocked.pk]) + 1 :]
    assert row[0] == "blocked" and row[1].startswith("cancelled→blocked: Honour reinstated.")
    blocked.refresh_from_db()
    assert not blocked.cancelled_by_revocation


def test_an_instalment_the_bank_already_has_is_paid_and_then_claimed_back(seeds, office, maker, checker):
    h = name_directly(seeds["baotou"], office, named_on=dt.date(2023, 4, 28))
    (inst,) = h.award_plan.instalments.all()
    batch = batch_of([inst], maker, checker)
    batches.batch_export(by=maker, batch_id=batch.pk)
    revoke(h, office, grounds="criminal_conviction")
    assert status_of(inst) == S.APPROVED, "the bank has the order: its answer decides"
    bank_results.line_mark_paid(
        by=maker, line_id=batch.lines.get().pk, bank_ref="B1", paid_on=timezone.localdate()
    )
    inst.refresh_from_db()
    assert (inst.status, inst.recovery) == (S.PAID, Instalment.Recovery.PENDING)
    assert kinds(inst)[-1] == (L.RECOVERY, Decimal("10000.00"))


def test_an_instalment_the_bank_returns_after_the_revocation_is_cancelled_not_due(
    seeds, office, maker, checker
):
    h = name_directly(seeds["baotou"], office, named_on=dt.date(2023, 4, 28))
    (inst,) = h.award_plan.instalments.all()
    batch = batch_of([inst], maker, checker)
    batches.batch_export(by=maker, batch_id=batch.pk)
    revoke(h, office, grounds="criminal_conviction")
    bank_results.line_mark_returned(
        by=maker, line_id=batch.lines.get().pk, reason="账户已冻结", on=timezone.localdate()
    )
    inst.refresh_from_db()
    assert (inst.status, inst.cancelled_by_revocation) == (S.CANCELLED, True)


def test_a_recovery_is_settled_once_as_recovered_or_waived(seeds, office, maker, checker):
    baling = seeds["baling"]
    a, b = name_directly(baling, office, name="甲"), name_directly(baling, office, name="乙")
    firsts = [x.award_plan.instalments.get(seq=1) for x in (a, b)]
    pay(firsts, maker, checker)
    revoke(a, office)
    revoke(b, office)
    got, waived = firsts

    with pytest.raises(ValidationFailed):
        revocation.recovery_settle(by=maker, instalment_id=got.pk, outcome="recovered", note="")
    with pytest.raises(ValidationFailed):
        revocation.recovery_settle(by=maker, instalment_id=got.pk, outcome="pending", note="已退回")
    revocation.recovery_settle(
        by=maker, instalment_id=got.pk, outcome="recovered", note="本人已退回，收据 R-01"
    )
    revocation.recovery_settle(
        by=maker, instalment_id=got.pk, outcome="recovered", note="本人已退回，收据 R-01"
    )  # replay
    with pytest.raises(Conflict):
        revocation.recovery_settle(by=maker, instalment_id=got.pk, outcome="waived", note="改为核销")
    revocation.recovery_settle(
        by=maker, instalment_id=waived.pk, outcome="waived", note="本人已故，经批准核销"
    )
    got.refresh_from_db()
    waived.refresh_from_db()
    assert (got.recovery, waived.recovery) == ("recovered", "waived")
    assert [k for k, _ in kinds(got)][-2:] == [L.RECOVERY, L.RECOVERY_SETTLED]
    assert got.ledger.filter(kind=L.RECOVERY_SETTLED).count() == 1


def test_reinstatement_brings_cancelled_instalments_back_and_withdraws_the_open_recovery(
    seeds, office, maker, checker
):
    h = name_directly(seeds["baling"], office)
    first, second = h.award_plan.instalments.order_by("seq")
    pay([first], maker, checker)
    revoke(h, office)
    status.honouree_reinstate(
        by=office, honouree_id=h.pk, on=dt.date(2024, 6, 3), reason="复查后撤销决定已纠正"
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.status, second.cancelled_by_revocation) == (S.BLOCKED, False)
    assert kinds(second) == [
        (L.COMMIT, Decimal("10000.00")),
        (L.RELEASE, Decimal("-10000.00")),
        (L.COMMIT, Decimal("10000.00")),
    ]
    assert (first.status, first.recovery) == (S.PAID, Instalment.Recovery.NONE)
    claim = first.ledger.get(kind=L.RECOVERY)
    assert first.ledger.get(kind=L.REVERSAL).reverses == claim
    assert AwardPlan.objects.get(pk=first.plan_id).status == AwardPlan.Status.ACTIVE

    # Revoked a second time: the paid instalment is claimed back again, once.
    status.honouree_revoke(
        by=office, honouree_id=h.pk, on=dt.date(2024, 9, 2), reason="再次查实", grounds="other"
    )
    first.refresh_from_db()
    assert first.recovery == Instalment.Recovery.PENDING and first.ledger.filter(kind=L.RECOVERY).count() == 2


def test_a_suspension_holds_due_instalments_and_resuming_releases_them(seeds, office):
    h = name_directly(seeds["jinzhong"], office, named_on=dt.date(2019, 11, 15))
    (inst,) = h.award_plan.instalments.all()
    assert inst.status == S.DUE
    status.honouree_set_status(
        by=office, honouree_id=h.pk, status="suspended", on=dt.date(2020, 3, 2), reason="接受调查期间暂停"
    )
    inst.refresh_from_db()
    assert inst.status == S.BLOCKED and "暂停" in inst.status_reason
    assert plans.tick()["moved"] == 0, "the tick does not release it while the honour is suspended"
    status.honouree_set_status(
        by=office, honouree_id=h.pk, status="active", on=dt.date(2020, 6, 1), reason="调查结束"
    )
    assert status_of(inst) == S.DUE


def test_an_instalment_that_leaves_a_batch_while_the_honour_is_suspended_is_held_not_due(
    seeds, office, maker, checker
):
    h = name_directly(seeds["jinzhong"], office, named_on=dt.date(2019, 11, 15))
    (inst,) = h.award_plan.instalments.all()
    give_account(h, maker)
    give_budget(seeds["jinzhong"], checker, 2019)
    batch = batches.batch_create(
        by=maker, source_id=inst.plan.source_id, purpose="", instalment_ids=[inst.pk]
    )
    batches.batch_submit(by=maker, batch_id=batch.pk)
    status.honouree_set_status(
        by=office, honouree_id=h.pk, status="suspended", on=dt.date(2020, 3, 2), reason="接受调查期间暂停"
    )
    assert status_of(inst) == S.SCHEDULED, "a batch's instalment waits for the checker"
    batches.batch_reject(by=checker, batch_id=batch.pk, reason="本人荣誉暂停")
    inst.refresh_from_db()
    assert inst.status == S.BLOCKED and "暂停" in inst.status_reason
