"""What the bank answers for a batch's lines: paid (with its reference) or returned (退票), by hand or read
from the bank's result file (``funding.bankfile`` reads it), and the rows of that file no line could be
matched to.

Recording the result file (``batch_import_results``), decided:

- All or nothing: every problem is listed by row and column, and nothing changes. Besides the file's own
  problems (``bankfile.read_results``): a reference that is not a line of the batch, a reference given
  twice, an amount that is not the line's net, a date before the bank file was made, a result that
  contradicts what is already recorded for the line: each refused.
- Results are matched to lines by the reference (明细编号) the payment file gave each line, and the net
  amount. A row without a reference is matched by account number and net amount when exactly one pending
  line fits; otherwise it is kept as a ``BankReturnRow`` for a person to assign (``return_row_assign``).
- Replaying a file changes nothing: a line already paid under the same bank reference, or already
  returned, is counted as ``already_recorded``; a row already kept for a person is not kept twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from backend.errors import (
    Conflict,
    DomainError,
    NotFound,
    TransitionNotAllowed,
    ValidationFailed,
    nothing_saved,
)
from backend.history import required_reason, save_as
from backend.money import to_money
from backend.roles import Role, require_role
from honourees.services.benefits import delivery_record_paid

from ..bankfile import ALREADY, NO_REASON, PAID, RESULT_LABELS, RETURNED, ResultRow, read_results, row_error
from ..models import AwardPlan, BankReturnRow, BatchLine, DisbursementBatch, Instalment, LedgerEntry, Payment
from . import core
from .batches import _back_to_due, _batch_move, _taxed
from .core import _batch_locked, _ledger, _line_locked, _move
from .revocation import _claim_back, _revocation

S = Instalment.Status
B = DisbursementBatch.Status
L = LedgerEntry.Kind
LINE = BatchLine.Status


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
    _batch_locked(batch_id)  # core's lock order: the batch before anything in it
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
    apply_result(by=by, line=line, data=row.data)
    row.status, row.line, row.decided_by = BankReturnRow.Status.ASSIGNED, line, by
    save_as(row, by=by, reason=f"assigned to {line.reference}")
    return row


# --- The bank's result file ---------------------------------------------------------------------------------


def _state_check(
    r: ResultRow, line: BatchLine, header: Callable[[str], str]
) -> tuple[str, ValidationFailed | None]:
    """Whether the row is new news for the line ('apply'), a replay (ALREADY), or contradicts it (an error)."""
    ref = line.reference

    if line.status == LINE.PENDING:
        return "apply", None
    if line.status == LINE.PAID and r.result == PAID:
        if line.bank_ref == r.bank_ref:
            return ALREADY, None
        return "", row_error(
            r.row,
            header("bank_ref"),
            "bank_ref",
            f"明细 {ref} 已按银行流水号 {line.bank_ref} 支付，与本行的 {r.bank_ref} 不同。",
            f"Line {ref} is already paid under bank reference {line.bank_ref}, not {r.bank_ref}.",
        )
    if line.status == LINE.RETURNED and r.result == RETURNED:
        return ALREADY, None
    if line.status == LINE.WITHDRAWN:
        return "", row_error(
            r.row,
            header("reference"),
            "reference",
            f"明细 {ref} 已移出批次，未送银行。",
            f"Line {ref} was taken out of the batch and never sent to the bank.",
        )
    return "", row_error(
        r.row,
        header("result"),
        "result",
        f"明细 {ref} 已登记为“{line.get_status_display()}”，与本行的“{RESULT_LABELS[r.result]}”矛盾。",
        f"Line {ref} is already recorded as {line.status}; this row says {r.result}.",
    )


def _same_settlement(r: ResultRow, line: BatchLine) -> bool:
    """The row is the record already made for the line (a replay of a row that had no reference)."""
    if r.result == PAID:
        return line.status == LINE.PAID and line.bank_ref == r.bank_ref
    return line.status == LINE.RETURNED and line.settled_on == r.date and line.return_reason == r.reason


def _data_key(data: dict) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


@transaction.atomic
def batch_import_results(*, by: User, batch_id: int, file_name: str, content: bytes) -> dict[str, object]:
    """Record the bank's result file for the batch: every row or none; a replay of the same file changes nothing.

    Returns the counts ``paid``, ``returned``, ``already_recorded``, ``unmatched`` and the ids of the kept
    rows a person has to assign (``unmatched_row_ids``).
    """
    require_role(by, Role.FINANCE_MAKER)
    batch = _batch_locked(batch_id)  # the batch first: the lock order of core
    if batch.status not in (DisbursementBatch.Status.EXPORTED, DisbursementBatch.Status.CLOSED):
        raise Conflict(
            f"批次 {batch.number} 尚未送银行（当前“{batch.get_status_display()}”），不能导入银行回单。",
            f"Batch {batch.number} has not gone to the bank ({batch.status}); no result file can be imported.",
        )
    result = read_results(file_name, content, today=timezone.localdate())
    parsed, errors = result.rows, list(result.errors)
    exported_on = timezone.localtime(batch.exported_at).date() if batch.exported_at else None
    lines = list(batch.lines.order_by("id"))
    by_reference = {line.reference: line for line in lines}
    first_row_of: dict[str, int] = {}
    to_apply: list[tuple[ResultRow, BatchLine]] = []
    already, claimed = 0, set()
    blank: list[ResultRow] = []
    for r in parsed:
        if not r.reference:
            if not r.errors:
                blank.append(r)
            continue
        if r.reference in first_row_of:
            errors.append(
                row_error(
                    r.row,
                    result.header("reference"),
                    "reference",
                    f"明细编号 {r.reference} 与第 {first_row_of[r.reference]} 行重复。",
                    f"The reference {r.reference} repeats row {first_row_of[r.reference]}.",
                )
            )
            continue
        first_row_of[r.reference] = r.row
        line = by_reference.get(r.reference)
        if line is None:
            errors.append(
                row_error(
                    r.row,
                    result.header("reference"),
                    "reference",
                    f"明细编号 {r.reference} 不是批次 {batch.number} 的明细。",
                    f"{r.reference} is not a line of batch {batch.number}.",
                )
            )
            continue
        if r.amount is not None and r.amount != line.net:
            errors.append(
                row_error(
                    r.row,
                    result.header("amount"),
                    "amount",
                    f"金额 {r.amount} 与明细 {line.reference} 的实发金额 {line.net} 不符。",
                    f"The amount {r.amount} is not line {line.reference}'s net amount {line.net}.",
                )
            )
            continue
        if r.errors:
            continue
        verdict, error = _state_check(r, line, result.header)
        if error:
            errors.append(error)
        elif verdict == ALREADY:
            already += 1
        else:
            claimed.add(line.pk)
            to_apply.append((r, line))
    kept: dict[str, list[int]] = {}  # rows an earlier import kept, by content: a replay keeps no second copy
    decided: Counter = Counter()
    for row in batch.return_rows.order_by("id"):
        if row.status == BankReturnRow.Status.UNMATCHED:
            kept.setdefault(_data_key(row.data), []).append(row.pk)
        else:
            decided[_data_key(row.data)] += 1
    unmatched_new: list[ResultRow] = []
    unmatched_kept: list[int] = []
    for r in blank:
        key = _data_key(r.data)
        if decided[key]:  # kept by an earlier import and decided by a person since
            decided[key] -= 1
            already += 1
            continue
        if kept.get(key):  # kept by an earlier import, still waiting for a person
            unmatched_kept.append(kept[key].pop(0))
            continue
        fits = [line for line in lines if line.account_no == r.account and line.net == r.amount]
        if r.account and any(_same_settlement(r, line) for line in fits):
            already += 1
            continue
        pending = [line for line in fits if line.status == LINE.PENDING and line.pk not in claimed]
        if r.account and len(pending) == 1:
            claimed.add(pending[0].pk)
            to_apply.append((r, pending[0]))
        else:
            unmatched_new.append(r)
    for r, _line in to_apply:
        if exported_on and r.date and r.date < exported_on:
            errors.append(
                row_error(
                    r.row,
                    result.header("date"),
                    "date",
                    f"日期 {r.date} 早于银行文件生成日期 {exported_on}。",
                    f"The date {r.date} is before the bank file was made ({exported_on}).",
                )
            )
    if errors:
        raise nothing_saved(errors)
    counts = {PAID: 0, RETURNED: 0}
    # Instalments are locked one by one in id order, as core's lock order has it.
    for r, line in sorted(to_apply, key=lambda item: item[1].instalment_id):
        try:
            outcome = apply_result(by=by, line=line, data=r.data)
        except DomainError as e:  # not expected after the checks above; still reported, and nothing kept
            errors.append(row_error(r.row, result.header("reference"), e.field or "reference", e.zh, e.en))
            continue
        if outcome == ALREADY:
            already += 1
        else:
            counts[outcome] += 1
    if errors:
        raise nothing_saved(errors)
    made = [
        BankReturnRow.objects.create(batch=batch, row=r.row, file_name=(file_name or "")[:255], data=r.data)
        for r in unmatched_new
    ]
    batch.refresh_from_db(fields=["status"])
    return {
        "batch": batch.number,
        "batch_status": batch.status,
        PAID: counts[PAID],
        RETURNED: counts[RETURNED],
        ALREADY: already,
        "unmatched": len(made) + len(unmatched_kept),
        "unmatched_row_ids": [row.pk for row in made] + unmatched_kept,
    }


@transaction.atomic
def apply_result(*, by: User, line: BatchLine, data: dict[str, str]) -> str:
    """One bank result recorded on one line; returns 'paid', 'returned' or 'already_recorded' (a replay).

    ``data`` is a row as ``batch_import_results`` reads and keeps it (JSON strings: amount, result, date,
    bank_ref, reason). The amount must be the line's net amount.
    """
    require_role(by, Role.FINANCE_MAKER)
    result = data.get("result")
    if result not in (PAID, RETURNED):
        raise ValidationFailed(
            f"处理结果“{result}”无法识别。", f"The result '{result}' is not recognised.", field="result"
        )
    try:
        amount = to_money(data.get("amount") or "", field="amount")
    except ValidationFailed:
        raise ValidationFailed(
            "银行记录没有有效的金额。", "The bank row has no valid amount.", field="amount"
        ) from None
    try:
        on = dt.date.fromisoformat(data.get("date") or "")
    except ValueError:
        raise ValidationFailed(
            "银行记录没有有效的日期。", "The bank row has no valid date.", field="date"
        ) from None
    _, locked = _line_locked(line.pk)  # batch, then line: the lock order of core
    if amount != locked.net:
        raise ValidationFailed(
            f"银行记录的金额 {amount} 与明细 {locked.reference} 的实发金额 {locked.net} 不符。",
            f"The bank row's amount {amount} is not line {locked.reference}'s net amount {locked.net}.",
            field="amount",
        )
    if result == PAID:
        if locked.status == LINE.PAID and locked.bank_ref == (data.get("bank_ref") or "").strip():
            return ALREADY
        line_mark_paid(by=by, line_id=locked.pk, bank_ref=data.get("bank_ref") or "", paid_on=on)
        return PAID
    if locked.status == LINE.RETURNED:
        return ALREADY
    line_mark_returned(by=by, line_id=locked.pk, reason=data.get("reason") or NO_REASON, on=on)
    return RETURNED
