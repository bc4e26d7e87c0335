"""A revoked honour and a reinstated one: what was not paid is cancelled, what was paid is claimed back.

Sent by the registry inside its transaction (funding.receivers): ``plan_revoke`` cancels every unpaid
instalment (and takes it out of a batch the bank does not have yet), ``plan_reinstate`` brings back what the
revocation cancelled; a recovery is closed by finance with ``recovery_settle``.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction

from backend.errors import Conflict, NotFound, ValidationFailed
from backend.history import required_reason, save_as
from backend.roles import Role, require_role
from honourees.models import Honouree, HonoureeStatusChange

from .. import conditions
from ..models import AwardPlan, BatchLine, DisbursementBatch, Instalment, LedgerEntry
from . import core
from .core import _honouree_instalments_locked, _ledger, _move

S = Instalment.Status
B = DisbursementBatch.Status
L = LedgerEntry.Kind


def plan_revoke(*, honouree: Honouree, by: User, recover_paid: bool) -> None:
    """Future instalments cancelled (pulled out of unapproved batches); paid ones marked for recovery."""
    # core's lock order: the batches holding this honouree's lines first, then the instalments.
    batch_ids = sorted(
        set(
            BatchLine.objects.filter(
                instalment__plan__honouree_id=honouree.pk, status=BatchLine.Status.PENDING
            ).values_list("batch_id", flat=True)
        )
    )
    list(DisbursementBatch.objects.select_for_update().filter(pk__in=batch_ids).order_by("id"))
    for inst in _honouree_instalments_locked(
        honouree.pk, [S.PLANNED, S.BLOCKED, S.DUE, S.FAILED, S.SCHEDULED]
    ):
        if inst.status == S.SCHEDULED:
            line = (
                inst.lines.select_for_update(of=("self",))
                .select_related("batch")
                .get(status=BatchLine.Status.PENDING)
            )
            batch = DisbursementBatch.objects.select_for_update().get(pk=line.batch_id)
            if batch.status not in (B.DRAFT, B.SUBMITTED):
                continue  # the bank has it: its answer decides, and a payment then becomes a recovery
            line.status = BatchLine.Status.WITHDRAWN
            save_as(line, by=by, reason="honour revoked")
        if inst.status == S.FAILED:  # a return cannot be cancelled as it stands: due first (Instalment.NEXT)
            _move(inst, S.DUE, by=by, zh="荣誉撤销。", en="Honour revoked.")
        _cancel_for_revocation(inst, by=by)
    if recover_paid:
        for inst in _honouree_instalments_locked(honouree.pk, [S.PAID]):
            if inst.kind == Instalment.Kind.AWARD:  # benefit money: the registry marks its deliveries itself
                _claim_back(inst, by=by)
    plan = AwardPlan.objects.select_for_update().filter(honouree=honouree).first()
    if plan is not None and plan.status != AwardPlan.Status.CANCELLED:
        plan.status = AwardPlan.Status.CANCELLED
        save_as(plan, by=by, reason="honour revoked")


def _cancel_for_revocation(inst: Instalment, *, by: User) -> None:
    """The instalment cancelled and marked as the revocation's, in one move and one history row."""
    inst.cancelled_by_revocation = True  # saved by the move
    _move(
        inst,
        S.CANCELLED,
        by=by,
        zh="荣誉已撤销，未付款项取消。",
        en="Honour revoked: unpaid instalment cancelled.",
    )


def _claim_back(inst: Instalment, *, by: User) -> None:
    if inst.recovery:
        return
    inst.recovery, inst.recovery_note = Instalment.Recovery.PENDING, "荣誉撤销，已付奖金应予追回"
    save_as(inst, by=by, reason="marked for recovery: honour revoked")
    _ledger(L.RECOVERY, inst.amount, inst, by=by, memo="honour revoked: paid award to be recovered")


def _revocation(honouree: Honouree) -> HonoureeStatusChange | None:
    """The revocation in force for the honouree (its ``recover_paid`` says whether paid money is claimed back)."""
    if honouree.status != Honouree.Status.REVOKED:
        return None
    return honouree.status_changes.filter(to_status=Honouree.Status.REVOKED).order_by("-on", "-id").first()


def plan_reinstate(*, honouree: Honouree, by: User) -> None:
    """What a revocation cancelled comes back (re-read against today's facts); open recoveries withdrawn."""
    today = core._today()
    for inst in _honouree_instalments_locked(honouree.pk, [S.CANCELLED]):
        if not inst.cancelled_by_revocation:
            continue
        verdict = conditions.assess(inst, honouree, today)
        to = verdict.status if verdict.status != S.FORFEITED else S.BLOCKED
        inst.cancelled_by_revocation = False  # saved by the move: one history row
        if to == inst.status:  # a benefit no longer in force on its day stays cancelled: no move, unmarked
            save_as(inst, by=by, reason="reinstated")
        else:
            _move(inst, to, by=by, zh="荣誉恢复。" + verdict.zh, en="Honour reinstated. " + verdict.en)
        if verdict.status == S.FORFEITED:
            _move(inst, S.FORFEITED, by=by, zh=verdict.zh, en=verdict.en)
    for inst in _honouree_instalments_locked(honouree.pk, [S.PAID]):
        if inst.recovery != Instalment.Recovery.PENDING:
            continue
        claim = inst.ledger.filter(kind=L.RECOVERY, reversed_by__isnull=True).order_by("-id").first()
        if claim:
            _ledger(
                L.REVERSAL,
                -claim.amount,
                inst,
                by=by,
                reverses=claim,
                memo="honour reinstated: recovery withdrawn",
            )
        inst.recovery, inst.recovery_note = Instalment.Recovery.NONE, ""
        save_as(inst, by=by, reason="recovery withdrawn: honour reinstated")
    plan = AwardPlan.objects.select_for_update().filter(honouree=honouree).first()
    if plan is not None and plan.status == AwardPlan.Status.CANCELLED:
        settled = (
            plan.total
            and not plan.instalments.filter(kind=Instalment.Kind.AWARD)
            .exclude(status__in=[S.PAID, S.CANCELLED, S.FORFEITED])
            .exists()
        )
        plan.status = AwardPlan.Status.COMPLETED if settled else AwardPlan.Status.ACTIVE
        save_as(plan, by=by, reason="honour reinstated")


@transaction.atomic
def recovery_settle(*, by: User, instalment_id: int, outcome: str, note: str) -> Instalment:
    """A pending recovery is closed: the money came back (``recovered``) or was written off (``waived``)."""
    require_role(by, Role.FINANCE_MAKER)
    note = required_reason(note, field="note")
    if outcome not in (Instalment.Recovery.RECOVERED, Instalment.Recovery.WAIVED):
        raise ValidationFailed(
            "结果只能是已追回或已核销。", "The outcome is recovered or waived.", field="outcome"
        )
    inst = (
        Instalment.objects.select_for_update(of=("self",))
        .select_related("plan")
        .filter(pk=instalment_id)
        .first()
    )
    if inst is None:
        raise NotFound("没有这笔资助。", "No such instalment.")
    if inst.recovery == outcome:
        return inst  # replay
    if inst.recovery != Instalment.Recovery.PENDING:
        raise Conflict("这笔资助没有待追回的款项。", "This instalment has no recovery pending.")
    inst.recovery, inst.recovery_note = outcome, note
    save_as(inst, by=by, reason=f"recovery {outcome}: {note}")
    _ledger(L.RECOVERY_SETTLED, -inst.amount, inst, by=by, memo=f"{outcome}: {note}")
    return inst
