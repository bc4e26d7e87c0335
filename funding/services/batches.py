"""Disbursement batches (支付批次): a maker puts due instalments of one source into a batch, a checker who is
not the maker approves it, and the approved batch's bank file is made once.

A batch moves draft → submitted → approved → exported → closed (or rejected, cancelled); its instalments move
with it (scheduled, approved) and are due again when they leave it. What the bank answers is recorded by
``bank_results``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from backend.errors import Conflict, NotFound, NotPermitted, TransitionNotAllowed, ValidationFailed
from backend.history import required_reason, save_as
from backend.money import withhold_tax
from backend.roles import Role, require_role
from honourees.models import Honouree

from .. import conditions
from ..bankfile import bank_payment_xlsx
from ..models import BatchLine, DisbursementBatch, FundingSource, Instalment
from ..selectors import pending_payment_lines
from . import core
from .budgets import _check_payments
from .core import _batch_locked, _move
from .revocation import _cancel_for_revocation

S = Instalment.Status
B = DisbursementBatch.Status


def _batch_move(batch: DisbursementBatch, to: str, *, by: User, reason: str) -> None:
    if not batch.can_become(to):
        raise TransitionNotAllowed(batch, to)
    batch.status = to
    save_as(batch, by=by, reason=reason)


def _purpose(inst: Instalment) -> str:
    plan = inst.plan
    return f"{plan.round.scheme.name}{plan.round.year}年度 {inst.label or '奖励'}"[:200]


def _taxed(inst: Instalment) -> bool:
    """The round's withholding applies to the award. A benefit (an allowance) is paid without withholding:
    DOMAIN.md §7 leaves the tax on local 津贴 unresolved, so the payer and the tax bureau decide outside."""
    return inst.kind == Instalment.Kind.AWARD and inst.plan.tax_withheld


def _add_lines(batch: DisbursementBatch, instalment_ids: list[int], *, by: User) -> list[BatchLine]:
    ids = sorted({int(i) for i in instalment_ids})
    if not ids:
        raise ValidationFailed(
            "请至少选择一笔待支付的资助。", "Pick at least one instalment that is due.", field="instalments"
        )
    found = {
        i.pk: i
        for i in Instalment.objects.select_for_update(of=("self",))
        .select_related("plan", "plan__honouree__person", "plan__round__scheme", "source")
        .filter(pk__in=ids)
        .order_by("id")
    }
    errors = []
    for n, pk in enumerate(ids, start=1):
        inst = found.get(pk)
        if inst is None:
            errors.append(
                NotFound(f"第 {n} 笔：没有编号为 {pk} 的资助。", f"Item {n}: no instalment {pk}.", row=n)
            )
            continue
        who = inst.plan.honouree.person.name
        if inst.status != S.DUE:
            errors.append(
                Conflict(
                    f"第 {n} 笔（{who}·{inst.label}）当前为“{inst.get_status_display()}”，只有待支付的资助才能编入批次。"
                    + (f" 原因：{inst.status_reason}" if inst.status == S.BLOCKED else ""),
                    f"Item {n} ({who}, {inst.label}) is {inst.status}; only instalments that are due can go into a batch.",
                    row=n,
                    field="status",
                )
            )
        elif inst.source_id != batch.source_id:
            errors.append(
                Conflict(
                    f"第 {n} 笔（{who}）的资金来源是{inst.source.name}，与本批次不同。",
                    f"Item {n} ({who}) is paid from another source than this batch.",
                    row=n,
                    field="source",
                )
            )
        elif not hasattr(inst.plan.honouree.person, "payee_account"):
            errors.append(
                ValidationFailed(
                    f"第 {n} 笔（{who}）没有收款银行账户，请先登记。",
                    f"Item {n} ({who}) has no bank account on record; add it first.",
                    row=n,
                    field="payee_account",
                )
            )
    if errors:
        raise ValidationFailed(
            "所选资助不能编入批次，未做任何更改。",
            "These instalments cannot go into the batch; nothing was changed.",
            errors=errors,
        )
    # Paying may not go past the year's budget either: what is in batches or paid stays within it.
    need: dict[int, Decimal] = {}
    for inst in found.values():
        need[inst.budget_year] = need.get(inst.budget_year, Decimal("0.00")) + inst.amount
    _check_payments(batch.source_id, need)
    seq = batch.lines.count() or 0
    lines = []
    for inst in (found[pk] for pk in ids):
        plan, person = inst.plan, inst.plan.honouree.person
        account = person.payee_account
        tax, net = (
            withhold_tax(inst.amount, plan.tax_rate) if _taxed(inst) else (Decimal("0.00"), inst.amount)
        )
        seq += 1
        line = save_as(
            BatchLine(
                batch=batch,
                instalment=inst,
                reference=f"{batch.number}-{seq:03d}",
                payee_name=account.account_name,
                payee_id_number=person.id_number,
                bank_name=account.bank_name,
                account_no=account.account_no,
                purpose=_purpose(inst),
                gross=inst.amount,
                tax=tax,
                net=net,
            ),
            by=by,
            reason="added to batch",
        )
        _move(inst, S.SCHEDULED, by=by, zh=f"编入批次 {batch.number}。", en=f"Put into batch {batch.number}.")
        lines.append(line)
    return lines


@transaction.atomic
def batch_create(*, by: User, source_id: int, purpose: str, instalment_ids: list[int]) -> DisbursementBatch:
    """A maker puts due instalments of one source into a new draft batch."""
    require_role(by, Role.FINANCE_MAKER)
    source = FundingSource.objects.filter(pk=source_id).first()
    if source is None:
        raise NotFound("没有这个资金来源。", "No such funding source.")
    purpose = (purpose or "").strip() or f"{source.scheme.name}奖励资金"
    batch = save_as(
        DisbursementBatch(
            number=f"tmp-{uuid.uuid4().hex[:20]}",
            source=source,
            purpose=purpose[:200],
            maker=by,
        ),
        by=by,
        reason="created",
    )
    batch.number = f"PB{timezone.localdate().year}{batch.pk:05d}"
    save_as(batch, by=by, reason="numbered")
    _add_lines(batch, instalment_ids, by=by)
    return batch


@transaction.atomic
def batch_add(*, by: User, batch_id: int, instalment_ids: list[int]) -> DisbursementBatch:
    require_role(by, Role.FINANCE_MAKER)
    batch = _batch_locked(batch_id)
    if batch.status != B.DRAFT:
        raise Conflict("只有编制中的批次可以增加明细。", "Lines can only be added to a draft batch.")
    _add_lines(batch, instalment_ids, by=by)
    return batch


def _release_line(line: BatchLine, *, by: User, zh: str, en: str) -> None:
    line.status = BatchLine.Status.WITHDRAWN
    save_as(line, by=by, reason=en)
    inst = (
        Instalment.objects.select_for_update(of=("self",))
        .select_related("plan__honouree")
        .get(pk=line.instalment_id)
    )
    _back_to_due(inst, by=by, zh=zh, en=en)


def _back_to_due(inst: Instalment, *, by: User, zh: str, en: str) -> None:
    """Out of a batch, due again; then re-read, since the honour or the studio may have changed meanwhile
    (a revoked honour cancels it, a suspended one or a closed studio blocks it)."""
    _move(inst, S.DUE, by=by, zh=zh, en=en)
    honouree = inst.plan.honouree
    if honouree.status == Honouree.Status.REVOKED:
        _cancel_for_revocation(inst, by=by)
        return
    verdict = conditions.assess(inst, honouree, core._today())
    if verdict.status != S.DUE:  # otherwise keep the reason it came back with
        _move(inst, verdict.status, by=by, zh=verdict.zh, en=verdict.en)


@transaction.atomic
def batch_remove(*, by: User, batch_id: int, line_id: int) -> DisbursementBatch:
    """Take a line out of a draft batch; its instalment is due again."""
    require_role(by, Role.FINANCE_MAKER)
    batch = _batch_locked(batch_id)
    if batch.status != B.DRAFT:
        raise Conflict("只有编制中的批次可以移出明细。", "Lines can only be taken out of a draft batch.")
    line = batch.lines.filter(pk=line_id, status=BatchLine.Status.PENDING).first()
    if line is None:
        raise NotFound("本批次没有这条明细。", "This batch has no such line.")
    _release_line(line, by=by, zh=f"移出批次 {batch.number}。", en=f"Taken out of batch {batch.number}.")
    return batch


@transaction.atomic
def batch_submit(*, by: User, batch_id: int) -> DisbursementBatch:
    require_role(by, Role.FINANCE_MAKER)
    batch = _batch_locked(batch_id)
    if batch.status == B.SUBMITTED:
        return batch
    if batch.maker_id != by.pk:
        raise NotPermitted("只有编制人可以提交本批次。", "Only the batch's maker can submit it.")
    if not batch.can_become(B.SUBMITTED):
        raise TransitionNotAllowed(batch, B.SUBMITTED)
    if not batch.lines.filter(status=BatchLine.Status.PENDING).exists():
        raise ValidationFailed("批次没有明细，不能提交。", "The batch has no lines to submit.")
    batch.submitted_at = timezone.now()
    _batch_move(batch, B.SUBMITTED, by=by, reason="submitted")
    return batch


def _pending_instalments_locked(batch: DisbursementBatch) -> list[Instalment]:
    ids = list(batch.lines.filter(status=BatchLine.Status.PENDING).values_list("instalment_id", flat=True))
    return list(Instalment.objects.select_for_update().filter(pk__in=ids).order_by("id"))


@transaction.atomic
def batch_approve(*, by: User, batch_id: int) -> DisbursementBatch:
    """A checker who is not the maker approves a submitted batch. Approving it again changes nothing."""
    require_role(by, Role.FINANCE_CHECKER)
    batch = _batch_locked(batch_id)
    if batch.status in (B.APPROVED, B.EXPORTED, B.CLOSED) and batch.checker_id == by.pk:
        return batch
    if batch.maker_id == by.pk:
        raise NotPermitted("审批人不能审批自己编制的批次。", "An approver cannot approve a batch they made.")
    if batch.status != B.SUBMITTED:
        raise TransitionNotAllowed(batch, B.APPROVED)
    if not batch.lines.filter(status=BatchLine.Status.PENDING).exists():
        raise Conflict(
            f"批次 {batch.number} 已没有待支付明细（可能因荣誉撤销被移出），请驳回。",
            f"Batch {batch.number} has no lines left to pay (a revocation may have taken them out); reject it.",
        )
    batch.checker, batch.decided_at = by, timezone.now()
    _batch_move(batch, B.APPROVED, by=by, reason="approved")
    for inst in _pending_instalments_locked(batch):
        _move(
            inst, S.APPROVED, by=by, zh=f"批次 {batch.number} 已审批。", en=f"Batch {batch.number} approved."
        )
    return batch


@transaction.atomic
def batch_reject(*, by: User, batch_id: int, reason: str) -> DisbursementBatch:
    """A checker sends a submitted batch back with a reason; its instalments are due again."""
    require_role(by, Role.FINANCE_CHECKER)
    reason = required_reason(reason)
    batch = _batch_locked(batch_id)
    if batch.maker_id == by.pk:
        raise NotPermitted(
            "审批人不能审批自己编制的批次。", "An approver cannot decide on a batch they made."
        )
    if batch.status != B.SUBMITTED:
        raise TransitionNotAllowed(batch, B.REJECTED)
    batch.checker, batch.decided_at, batch.decision_reason = by, timezone.now(), reason
    _batch_move(batch, B.REJECTED, by=by, reason=f"rejected: {reason}")
    for line in batch.lines.filter(status=BatchLine.Status.PENDING).order_by("instalment_id"):
        _release_line(
            line,
            by=by,
            zh=f"批次 {batch.number} 被驳回：{reason}",
            en=f"Batch {batch.number} rejected: {reason}",
        )
    return batch


@transaction.atomic
def batch_cancel(*, by: User, batch_id: int, reason: str) -> DisbursementBatch:
    """The maker drops a draft batch; its instalments are due again."""
    require_role(by, Role.FINANCE_MAKER)
    reason = required_reason(reason)
    batch = _batch_locked(batch_id)
    if batch.status != B.DRAFT:
        raise TransitionNotAllowed(batch, B.CANCELLED)
    batch.decision_reason = reason
    _batch_move(batch, B.CANCELLED, by=by, reason=f"cancelled: {reason}")
    for line in batch.lines.filter(status=BatchLine.Status.PENDING).order_by("instalment_id"):
        _release_line(line, by=by, zh=f"批次 {batch.number} 作废。", en=f"Batch {batch.number} cancelled.")
    return batch


@transaction.atomic
def batch_export(*, by: User, batch_id: int) -> DisbursementBatch:
    """The approved batch's bank file, made once: asking again returns the same file with the same references,
    so the bank can never be handed two different orders for one line."""
    require_role(by, Role.FINANCE_MAKER, Role.FINANCE_CHECKER)
    batch = _batch_locked(batch_id)
    if batch.status in (B.EXPORTED, B.CLOSED) and batch.bank_file:
        return batch
    if batch.status != B.APPROVED:
        raise Conflict(
            "批次审批后才能生成银行文件。", "The bank file is made only after the batch is approved."
        )
    content = bank_payment_xlsx(
        payer=batch.source.payer,
        number=batch.number,
        purpose=batch.purpose,
        lines=pending_payment_lines(batch),
    )
    batch.bank_file.save(f"{batch.number}.xlsx", ContentFile(content), save=False)
    batch.exported_at, batch.exported_by = timezone.now(), by
    _batch_move(batch, B.EXPORTED, by=by, reason="bank file made")
    return batch
