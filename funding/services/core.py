"""What every funding flow shares: the instalment move, the ledger writer and the row locks.

Lock order, everywhere, so two requests never wait on each other in a circle:

1. the batch (``_batch_locked``; several batches by id, as ``revocation.plan_revoke`` takes them);
2. then what is in it: a kept bank row (``bank_results.return_row_assign``), then a line (``_line_locked``,
   which takes the batch first);
3. then instalments, by id (``_honouree_instalments_locked``, ``batches._pending_instalments_locked``; the
   bank results import applies its rows one by one in instalment id order);
4. then the honouree's award plan (``revocation``, ``plans._benefit_instalment``);
5. last the budget's source row (``budgets._lock_source``: the commitment and payment checks and
   ``budget_set``), then the budget row.

``select_for_update`` is real on PostgreSQL; on SQLite the connection's IMMEDIATE transactions serialise
writers (backend/settings.py). The database constraints in funding.models hold the money rules even if
this code were wrong.

``_today`` is looked up on this module (``core._today()``) by every flow, so a test fakes the day once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from backend.errors import NotFound, TransitionNotAllowed
from backend.history import save_as

from ..models import BatchLine, DisbursementBatch, Instalment, LedgerEntry, Payment
from .budgets import _check_commit

L = LedgerEntry.Kind


def _today() -> dt.date:
    return timezone.localdate()


def _ledger(
    kind: str,
    amount: Decimal,
    inst: Instalment,
    *,
    by: User | None,
    memo: str = "",
    line: BatchLine | None = None,
    payment: Payment | None = None,
    reverses: LedgerEntry | None = None,
    budget_year: int | None = None,
) -> LedgerEntry:
    """One new ledger entry for the instalment (the ledger is append-only: this is the only way in)."""
    plan = inst.plan
    return LedgerEntry.objects.create(
        kind=kind,
        amount=amount,
        source_id=inst.source_id,
        budget_year=budget_year or inst.budget_year,
        honouree_id=plan.honouree_id,
        instalment=inst,
        line=line,
        payment=payment,
        reverses=reverses,
        memo=memo[:300],
        by=by if getattr(by, "pk", None) else None,
    )


def _move(inst: Instalment, to: str, *, by: User | None, zh: str, en: str) -> Instalment:
    """Change an instalment's status (the caller holds its lock) and record why, in both languages.

    One history row per move: a field the caller set on ``inst`` just before is saved with it."""
    if inst.status == to:
        return inst
    if not inst.can_become(to):
        raise TransitionNotAllowed(inst, to)
    was = inst.status
    inst.status, inst.status_reason, inst.status_changed_at = to, f"{zh} / {en}"[:500], timezone.now()
    save_as(inst, by=by if getattr(by, "pk", None) else None, reason=f"{was}→{to}: {en}")
    # The commitment follows the promise: released when it ends unpaid, made again if it comes back.
    if was in Instalment.COMMITTED and to not in Instalment.COMMITTED:
        _ledger(L.RELEASE, -inst.amount, inst, by=by, memo=en)
    elif was not in Instalment.COMMITTED and to in Instalment.COMMITTED:
        _check_commit(inst.source, inst.budget_year, inst.amount)
        _ledger(L.COMMIT, inst.amount, inst, by=by, memo=en)
    return inst


def _batch_locked(batch_id: int) -> DisbursementBatch:
    batch = DisbursementBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None:
        raise NotFound("没有这个支付批次。", "No such disbursement batch.")
    return batch


def _line_locked(line_id: int) -> tuple[DisbursementBatch, BatchLine]:
    line = BatchLine.objects.filter(pk=line_id).values("batch_id").first()
    if line is None:
        raise NotFound("没有这条支付明细。", "No such payment line.")
    batch = _batch_locked(line["batch_id"])  # batch before line: the lock order above
    return batch, BatchLine.objects.select_for_update().get(pk=line_id)


def _honouree_instalments_locked(honouree_id: int, states: Iterable[str]) -> list[Instalment]:
    return list(
        Instalment.objects.select_for_update(of=("self",))
        .select_related("plan", "source", "entitlement")
        .filter(plan__honouree_id=honouree_id, status__in=states)
        .order_by("id")
    )
