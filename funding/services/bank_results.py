"""What the bank answers for a batch's lines: paid (with its reference) or returned (退票), by hand or read
from the bank's result file, and the rows of that file no line could be matched to.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from backend.errors import Conflict, NotFound, TransitionNotAllowed, ValidationFailed
from backend.history import required_reason, save_as
from backend.roles import Role, require_role
from honourees.registry import delivery_record_paid

from ..models import AwardPlan, BankReturnRow, BatchLine, DisbursementBatch, Instalment, LedgerEntry, Payment
from . import core
from .batches import _back_to_due, _batch_move, _taxed
from .core import _batch_locked, _ledger, _line_locked, _move
from .revocation import _claim_back, _revocation

S = Instalment.Status
B = DisbursementBatch.Status
L = LedgerEntry.Kind


def _close_if_settled(batch: DisbursementBatch, *, by: User) -> None:
    if batch.status == B.EXPORTED and not batch.lines.filter(status=BatchLine.Status.PENDING).exists():
        batch.closed_at = timezone.now()
        _batch_move(batch, B.CLOSED, by=by, reason="every line settled")


def _settle_checks(batch: DisbursementBatch, on: dt.date) -> None:
    if batch.status not in (B.EXPORTED, B.CLOSED):
        raise Conflict(
            f"批次 {batch.number} 尚未送银行（当前“{batch.get_status_display()}”），不能登记银行结果。",
            f"Batch {batch.number} has not gone to the bank ({batch.status}); no bank result can be recorded.",
        )
    if on > core._today():
        raise ValidationFailed(f"日期 {on} 在未来。", f"The date {on} is in the future.", field="paid_on")
    if batch.exported_at and on < timezone.localtime(batch.exported_at).date():
        raise ValidationFailed(
            f"日期 {on} 早于银行文件生成日期。",
            f"The date {on} is before the bank file was made.",
            field="paid_on",
        )


@transaction.atomic
def line_mark_paid(*, by: User, line_id: int, bank_ref: str, paid_on: dt.date) -> BatchLine:
    """Record the bank's confirmation of one line. Replaying the same confirmation changes nothing."""
    require_role(by, Role.FINANCE_MAKER)
    bank_ref = (bank_ref or "").strip()
    if not bank_ref:
        raise ValidationFailed("请填写银行流水号。", "Please give the bank reference.", field="bank_ref")
    batch, line = _line_locked(line_id)
    if line.status == BatchLine.Status.PAID:
        if line.bank_ref == bank_ref:
            return line  # the same confirmation again: already recorded
        raise Conflict(
            f"明细 {line.reference} 已按银行流水号 {line.bank_ref} 支付，不能再次支付。",
            f"Line {line.reference} is already paid under bank reference {line.bank_ref}; it cannot be paid again.",
        )
    if line.status != BatchLine.Status.PENDING:
        raise TransitionNotAllowed(line, BatchLine.Status.PAID)
    _settle_checks(batch, paid_on)
    inst = (
        Instalment.objects.select_for_update(of=("self",))
        .select_related("plan", "source")
        .get(pk=line.instalment_id)
    )
    if inst.status != S.APPROVED:
        raise TransitionNotAllowed(inst, S.PAID)
    line.status, line.bank_ref, line.settled_on = BatchLine.Status.PAID, bank_ref, paid_on
    line.settled_by, line.settled_at = by, timezone.now()
    save_as(line, by=by, reason=f"paid {bank_ref}")
    plan = inst.plan
    payment = Payment.objects.create(
        instalment=inst,
        line=line,
        voucher_no=f"PZ{line.reference}",
        gross=line.gross,
        tax=line.tax,
        net=line.net,
        tax_rate=plan.tax_rate if _taxed(inst) else Decimal("0"),
        tax_category=plan.tax_category if _taxed(inst) else "",
        withholding_agent=plan.withholding_agent if _taxed(inst) else "",
        paid_on=paid_on,
        bank_ref=bank_ref,
        recorded_by=by,
    )
    _move(
        inst,
        S.PAID,
        by=by,
        zh=f"银行已支付（流水号 {bank_ref}）。",
        en=f"Paid by the bank (reference {bank_ref}).",
    )
    _ledger(
        L.PAYMENT, line.gross, inst, by=by, line=line, payment=payment, memo=f"bank {bank_ref} on {paid_on}"
    )
    if line.tax:
        _ledger(L.TAX_WITHHELD, line.tax, inst, by=by, line=line, payment=payment, memo=plan.tax_category)
    if inst.kind == Instalment.Kind.BENEFIT:
        # The registry keeps what each benefit delivered: the bank's payment is that delivery.
        delivery_record_paid(
            by=by,
            entitlement_id=inst.entitlement_id,
            occurrence_on=inst.occurrence_on,
            paid_on=paid_on,
            amount=line.gross,
            evidence=f"银行代发 {bank_ref}（批次 {batch.number}）",
        )
    revocation = _revocation(plan.honouree)
    if revocation is not None and revocation.recover_paid and inst.kind == Instalment.Kind.AWARD:
        # The bank had the order before the honour was revoked (plan_revoke leaves it to the bank's answer).
        _claim_back(inst, by=by)
    awards = plan.instalments.filter(kind=Instalment.Kind.AWARD)
    if (
        plan.status == AwardPlan.Status.ACTIVE
        and plan.total
        and not awards.exclude(status__in=[S.PAID, S.CANCELLED, S.FORFEITED]).exists()
    ):
        plan.status = AwardPlan.Status.COMPLETED
        save_as(plan, by=by, reason="every instalment settled")
    _close_if_settled(batch, by=by)
    return line


@transaction.atomic
def line_mark_returned(*, by: User, line_id: int, reason: str, on: dt.date) -> BatchLine:
    """The bank returned a line (退票): the instalment is due again, to be corrected and resubmitted."""
    require_role(by, Role.FINANCE_MAKER)
    reason = required_reason(reason)
    batch, line = _line_locked(line_id)
    if line.status == BatchLine.Status.RETURNED:
        return line  # replay
    if line.status != BatchLine.Status.PENDING:
        raise Conflict(
            f"明细 {line.reference} 已登记为“{line.get_status_display()}”，不能再登记退票。",
            f"Line {line.reference} is already {line.status}; it cannot be returned now.",
        )
    _settle_checks(batch, on)
    inst = (
        Instalment.objects.select_for_update(of=("self",)).select_related("plan").get(pk=line.instalment_id)
    )
    line.status, line.return_reason, line.settled_on = BatchLine.Status.RETURNED, reason[:300], on
    line.settled_by, line.settled_at = by, timezone.now()
    save_as(line, by=by, reason=f"returned: {reason}")
    _move(inst, S.FAILED, by=by, zh=f"银行退票：{reason}", en=f"Returned by the bank: {reason}")
    _back_to_due(
        inst, by=by, zh=f"退票待更正后重新支付：{reason}", en=f"Due again after the return: {reason}"
    )
    _close_if_settled(batch, by=by)
    return line


@transaction.atomic
def return_row_assign(*, by: User, row_id: int, line_id: int | None, dismiss_note: str = "") -> BankReturnRow:
    """A person decides an unmatched bank row: it is the given line's result, or it is dismissed."""
    require_role(by, Role.FINANCE_MAKER)
    batch_id = BankReturnRow.objects.filter(pk=row_id).values_list("batch_id", flat=True).first()
    if batch_id is None:
        raise NotFound("没有这条银行记录。", "No such bank row.")
    _batch_locked(batch_id)  # the module's lock order: the batch before anything in it
    row = BankReturnRow.objects.select_for_update().get(pk=row_id)
    if row.status != BankReturnRow.Status.UNMATCHED:
        raise Conflict("这条银行记录已处理。", "This bank row has already been dealt with.")
    if line_id is None:
        row.status, row.note, row.decided_by = (
            BankReturnRow.Status.DISMISSED,
            required_reason(dismiss_note, field="note"),
            by,
        )
        save_as(row, by=by, reason="dismissed")
        return row
    line = BatchLine.objects.filter(pk=line_id, batch_id=row.batch_id).first()
    if line is None:
        raise NotFound("本批次没有这条明细。", "This batch has no such line.", field="line")
    from ..bankfile import apply_result

    apply_result(by=by, line=line, data=row.data)
    row.status, row.line, row.decided_by = BankReturnRow.Status.ASSIGNED, line, by
    save_as(row, by=by, reason=f"assigned to {line.reference}")
    return row
