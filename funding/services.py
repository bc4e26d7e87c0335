"""Every write in funding: one function per change, each checking who, locking, re-checking and recording.

Lock order, everywhere, so two requests never wait on each other in a circle: the batch first, then its
instalments by id, then the budget's source row. ``select_for_update`` is real on PostgreSQL; on SQLite the
connection's IMMEDIATE transactions serialise writers (backend/settings.py). The database constraints in
funding.models hold the money rules even if this code were wrong.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from backend.errors import (
    BudgetExceeded,
    Conflict,
    NotFound,
    NotPermitted,
    TransitionNotAllowed,
    ValidationFailed,
)
from backend.history import required_reason, save_as
from backend.money import require_positive, sum_money, to_money, withhold_tax
from backend.roles import Role, require_role
from honourees.models import Honouree, Person, Round

from . import conditions
from .models import (
    AwardPlan,
    BankReturnRow,
    BatchLine,
    Budget,
    DisbursementBatch,
    FundingSource,
    Instalment,
    LedgerEntry,
    PayeeAccount,
    Payment,
)

log = logging.getLogger(__name__)
S = Instalment.Status
B = DisbursementBatch.Status
L = LedgerEntry.Kind

# The sources the five notices name, by the code a round's rules use.
SOURCE_NAMES = {
    "city_talent_fund": ("市人才发展专项资金", "City talent development fund"),
    "union_funds": ("工会经费", "Trade union funds"),
    "city_government": ("市政府财政资金", "City government budget"),
    "city_finance": ("市财政资金", "City finance budget"),
}
TAX_CATEGORIES = {"incidental_income": ("偶然所得", "incidental income")}


def _today() -> dt.date:
    return timezone.localdate()


def _ledger(
    kind: str,
    amount: Decimal,
    inst: Instalment,
    *,
    by,
    memo: str = "",
    line=None,
    payment=None,
    reverses=None,
    budget_year: int | None = None,
) -> LedgerEntry:
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


def _move(inst: Instalment, to: str, *, by, zh: str, en: str) -> Instalment:
    """Change an instalment's status (the caller holds its lock) and record why, in both languages."""
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


# --- Sources and budgets ----------------------------------------------------------------------------------


def source_for(round_: Round) -> FundingSource:
    """The round's funding source (made the first time a round of the scheme names it)."""
    code = round_.rules.get("award", {}).get("source") or "city_finance"
    zh, en = SOURCE_NAMES.get(code, (code, code))
    source, _ = FundingSource.objects.get_or_create(
        scheme=round_.scheme,
        code=code,
        defaults={"name": zh, "name_en": en, "payer": round_.scheme.organiser or round_.scheme.name},
    )
    return source


def _sum(queryset, field: str) -> Decimal:
    return queryset.aggregate(s=sum_money(field))["s"]


def budget_figures(source_id: int, year: int) -> dict[str, Decimal]:
    """Budget, committed, scheduled, approved, paid and remaining for one source and year (from the rows)."""
    budget = Budget.objects.filter(source_id=source_id, year=year).values_list("amount", flat=True).first()
    committed = _sum(
        LedgerEntry.objects.filter(source_id=source_id, budget_year=year, kind__in=[L.COMMIT, L.RELEASE]),
        "amount",
    )
    lines = BatchLine.objects.filter(batch__source_id=source_id, instalment__budget_year=year)
    scheduled = _sum(
        lines.filter(status=BatchLine.Status.PENDING, batch__status__in=[B.DRAFT, B.SUBMITTED]), "gross"
    )
    approved = _sum(
        lines.filter(status=BatchLine.Status.PENDING, batch__status__in=[B.APPROVED, B.EXPORTED]), "gross"
    )
    paid = _sum(
        Payment.objects.filter(line__batch__source_id=source_id, instalment__budget_year=year), "gross"
    )
    return {
        "budget": budget,
        "committed": committed,
        "scheduled": scheduled,
        "approved": approved,
        "paid": paid,
        "remaining": None if budget is None else budget - committed,
    }


def _figures_text(source: FundingSource, year: int, f: dict, extra: Decimal) -> tuple[str, str]:
    return (
        f"{source.name} {year} 年预算 {f['budget']} 元，已承诺 {f['committed']} 元，剩余 {f['remaining']} 元，"
        f"本次需要 {extra} 元，超出预算。",
        f"{source.name_en or source.name} {year}: budget {f['budget']}, committed {f['committed']}, "
        f"remaining {f['remaining']}; this needs {extra}, which exceeds the budget.",
    )


def _check_commit(source: FundingSource, year: int, amount: Decimal) -> None:
    """Refuse a commitment the year's budget cannot hold. A year without a budget yet is not checked here:
    the commitment is recorded, and a budget set later must cover it (``budget_set``), and nothing of that
    year can be put into a batch until a budget exists (``batch_create``)."""
    # The source row, not the budget row: a year without a budget has no row to lock, and budget_set, which
    # checks the new budget against what is committed, locks the source too.
    FundingSource.objects.select_for_update().filter(pk=source.pk).first()
    f = budget_figures(source.pk, year)
    if f["budget"] is not None and f["committed"] + amount > f["budget"]:
        raise BudgetExceeded(*_figures_text(source, year, f, amount))


@transaction.atomic
def budget_set(*, by, source_id: int, year: int, amount, note: str = "") -> Budget:
    """Set a source's budget for a year; it may not drop below what is already committed for that year."""
    require_role(by, Role.FINANCE_CHECKER)
    amount = to_money(amount, field="amount")
    if amount <= 0:
        raise ValidationFailed(
            f"预算金额必须大于零，收到的是 {amount}。",
            f"A budget must be more than zero, not {amount}.",
            field="amount",
        )
    if not 2000 <= int(year) <= 2100:
        raise ValidationFailed(f"年度 {year} 不合理。", f"The year {year} is not plausible.", field="year")
    source = FundingSource.objects.select_for_update().filter(pk=source_id).first()
    if source is None:
        raise NotFound("没有这个资金来源。", "No such funding source.")
    budget = Budget.objects.select_for_update().filter(source=source, year=year).first()
    f = budget_figures(source.pk, year)
    floor = max(f["committed"], f["paid"] + f["approved"] + f["scheduled"])
    if amount < floor:
        raise BudgetExceeded(
            f"{source.name} {year} 年已承诺 {f['committed']} 元（已支付 {f['paid']} 元），预算不能少于 {floor} 元。",
            f"{source.name_en or source.name} {year} already has {f['committed']} committed ({f['paid']} paid); "
            f"the budget cannot be less than {floor}.",
            field="amount",
        )
    budget = budget or Budget(source=source, year=year)
    budget.amount, budget.note = amount, note[:300]
    return save_as(budget, by=by, reason=f"budget {amount}")


# --- Award plans ------------------------------------------------------------------------------------------


def _tax_settings(round_: Round, source: FundingSource) -> dict:
    tax = round_.rules.get("award", {}).get("tax") or {"withhold": False}
    if not tax.get("withhold"):
        return {"tax_withheld": False, "tax_rate": Decimal("0"), "tax_category": "", "withholding_agent": ""}
    return {
        "tax_withheld": True,
        "tax_rate": Decimal(str(tax.get("rate", "0.20"))),
        "tax_category": tax.get("category", "incidental_income"),
        "withholding_agent": tax.get("agent") or source.payer,
    }


def award_plan_create(*, honouree: Honouree, by) -> AwardPlan | None:
    """The honouree's award plan from the round's package (none when the tier is paid nothing).

    Runs inside the naming transaction (the ``honouree_named`` receiver): a commitment beyond the budget
    refuses the naming with the figures. Idempotent: an honouree who already has a plan keeps it.
    """
    existing = AwardPlan.objects.filter(honouree=honouree).first()
    if existing:
        return existing
    round_ = honouree.round
    package = round_.rules.get("award", {}).get("by_tier", {}).get(honouree.tier)
    if not package or not package.get("instalments"):
        return None
    source = source_for(round_)
    amounts = [require_positive(i["amount"], field="amount") for i in package["instalments"]]
    plan = save_as(
        AwardPlan(
            honouree=honouree,
            round=round_,
            source=source,
            total=sum(amounts, Decimal("0.00")),
            **_tax_settings(round_, source),
        ),
        by=by,
        reason="made at naming",
    )
    today = _today()
    for seq, (spec, amount) in enumerate(zip(package["instalments"], amounts, strict=True), start=1):
        months = int(spec.get("months_after_naming", 0))
        earliest, note = conditions.due_date(honouree.named_on, months)
        inst = Instalment(
            plan=plan,
            source=source,
            seq=seq,
            label=spec.get("label", ""),
            amount=amount,
            months_after_naming=months,
            earliest_on=earliest,
            calendar_note=note,
            budget_year=(honouree.named_on + relativedelta(months=months)).year,
            conditions=spec.get("conditions", []),
        )
        verdict = conditions.assess(inst, honouree, today)
        status = verdict.status if verdict.status != S.FORFEITED else S.BLOCKED
        inst.status, inst.status_reason, inst.status_changed_at = (
            status,
            f"{verdict.zh} / {verdict.en}"[:500],
            timezone.now(),
        )
        _check_commit(source, inst.budget_year, amount)
        save_as(inst, by=by, reason=f"planned at naming: {verdict.en}")
        _ledger(L.COMMIT, amount, inst, by=by, memo="award plan made at naming")
    return plan


# A benefit's funder (honourees.rules.Funder) → the source code it is paid from; an employer pays its own.
BENEFIT_SOURCES = {"city_finance": "city_finance", "union": "union_funds"}


def _benefit_source(scheme, funder: str) -> FundingSource | None:
    code = BENEFIT_SOURCES.get(funder)
    if code is None:
        return None
    zh, en = SOURCE_NAMES.get(code, (code, code))
    source, _ = FundingSource.objects.get_or_create(
        scheme=scheme,
        code=code,
        defaults={"name": zh, "name_en": en, "payer": scheme.organiser or scheme.name},
    )
    return source


def benefits_refresh(*, on: dt.date | None = None) -> int:
    """Payable benefits of the month become instalments, so they are paid through batches like the award.

    Payable: an active money entitlement (an amount, a schedule, a funder the city pays: city finance or
    the union; an employer pays its own) of an honouree. Each due day up to the end of ``on``'s month gets
    one instalment (a unique constraint holds that), from the month the entitlement was recorded on —
    due days before the system knew of it are the office's to record as deliveries. Days already
    delivered in the registry are skipped. Over a budget: not made, and counted, so the tick says so.
    Returns how many were made.
    """
    from calendar import monthrange

    from honourees.models import BenefitDelivery, BenefitEntitlement

    on = on or _today()
    month_end = on.replace(day=monthrange(on.year, on.month)[1])
    made = 0
    entitlements = list(
        BenefitEntitlement.objects.filter(
            status=BenefitEntitlement.Status.ACTIVE,
            amount__isnull=False,
            amount__gt=0,
            funder__in=list(BENEFIT_SOURCES),
            honouree__status=Honouree.Status.ACTIVE,
        )
        .select_related("honouree__round__scheme")
        .order_by("honouree_id", "id")
    )
    # The days already answered, read once for all of them: made into instalments, or delivered by hand.
    ids = [e.pk for e in entitlements]
    known = set(
        Instalment.objects.filter(entitlement_id__in=ids).values_list("entitlement_id", "occurrence_on")
    )
    known |= set(
        BenefitDelivery.objects.filter(entitlement_id__in=ids, occurrence_on__isnull=False).values_list(
            "entitlement_id", "occurrence_on"
        )
    )
    for e in entitlements:
        first = max(e.starts_on, timezone.localtime(e.created_at).date().replace(day=1))
        for day in e.occurrences(first, month_end):
            if (e.pk, day) in known:
                continue
            try:
                made += _benefit_instalment(e, day, on=on)
            except BudgetExceeded:
                log.warning("benefit %s due %s not made: over the budget", e.pk, day)
    return made


@transaction.atomic
def _benefit_instalment(e, day: dt.date, *, on: dt.date) -> int:
    honouree = e.honouree
    source = _benefit_source(honouree.round.scheme, e.funder)
    plan = AwardPlan.objects.select_for_update().filter(honouree=honouree).first()
    if plan is None:  # an honouree whose only money is a benefit: a plan with no award in it
        plan = save_as(
            AwardPlan(honouree=honouree, round=honouree.round, source=source, total=Decimal("0.00")),
            by=None,
            reason="made for a benefit",
        )
    if Instalment.objects.filter(entitlement=e, occurrence_on=day).exists():
        return 0  # made meanwhile (the plan's lock serialises makers; the constraint is the backstop)
    earliest, note = conditions.due_date(day, 0)
    inst = Instalment(
        plan=plan,
        kind=Instalment.Kind.BENEFIT,
        source=source,
        entitlement=e,
        occurrence_on=day,
        seq=(plan.instalments.aggregate(m=Max("seq"))["m"] or 0) + 1,
        label=f"{e.name} {day:%Y-%m}"[:100],
        amount=e.amount,
        earliest_on=earliest,
        calendar_note=note,
        budget_year=day.year,
    )
    verdict = conditions.assess(inst, honouree, on)
    inst.status, inst.status_reason, inst.status_changed_at = (
        verdict.status,
        f"{verdict.zh} / {verdict.en}"[:500],
        timezone.now(),
    )
    _check_commit(source, inst.budget_year, inst.amount)
    save_as(inst, by=None, reason=f"benefit due {day}: {verdict.en}")
    _ledger(L.COMMIT, inst.amount, inst, by=None, memo=f"benefit {e.name} due {day}")
    return 1


def _honouree_instalments_locked(honouree_id: int, states) -> list[Instalment]:
    return list(
        Instalment.objects.select_for_update(of=("self",))
        .select_related("plan", "source", "entitlement")
        .filter(plan__honouree_id=honouree_id, status__in=states)
        .order_by("id")
    )


def _refresh(inst: Instalment, honouree: Honouree, *, by, on: dt.date) -> bool:
    if inst.status not in Instalment.OPEN:
        return False
    if inst.calendar_note.startswith("provisional"):
        day, note = conditions.due_date(*conditions.due_basis(inst, honouree))
        if not note.startswith("provisional"):
            inst.earliest_on, inst.calendar_note = day, note
            save_as(inst, by=by if getattr(by, "pk", None) else None, reason="due date fixed by the calendar")
    verdict = conditions.assess(inst, honouree, on)
    if verdict.status == inst.status:
        # Still blocked, but perhaps for fewer reasons (the studio is set up, the assessment not yet): the
        # "why" shown on the pages follows the facts.
        reason = f"{verdict.zh} / {verdict.en}"[:500]
        if reason != inst.status_reason:
            inst.status_reason = reason
            save_as(
                inst, by=by if getattr(by, "pk", None) else None, reason=f"still {inst.status}: {verdict.en}"
            )
        return False
    _move(inst, verdict.status, by=by, zh=verdict.zh, en=verdict.en)
    return True


@transaction.atomic
def honouree_refresh(*, honouree_id: int, by=None, on: dt.date | None = None) -> int:
    """Re-read the honouree's open instalments against dates and studio facts; returns how many moved."""
    on = on or _today()
    instalments = _honouree_instalments_locked(honouree_id, Instalment.OPEN)
    if not instalments:
        return 0
    honouree = Honouree.objects.get(pk=honouree_id)
    return sum(_refresh(inst, honouree, by=by, on=on) for inst in instalments)


def tick(*, on: dt.date | None = None) -> dict:
    """The daily run: payable benefits of the month made instalments, every open instalment re-read (one
    transaction per honouree). Idempotent."""
    on = on or _today()
    made = benefits_refresh(on=on)
    honouree_ids = (
        Instalment.objects.filter(status__in=Instalment.OPEN)
        .values_list("plan__honouree_id", flat=True)
        .distinct()
    )
    moved = sum(honouree_refresh(honouree_id=h, by=None, on=on) for h in sorted(set(honouree_ids)))
    counts = dict.fromkeys(S.values, 0)
    counts.update(Instalment.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {"moved": moved, "on": on.isoformat(), "benefit_instalments_made": made, **counts}


@transaction.atomic
def instalment_confirm_condition(*, by, instalment_id: int, index: int, reason: str) -> Instalment:
    """The office confirms a ``manual_confirmation`` condition, with a reason; the instalment is re-read."""
    require_role(by, Role.TALENT_OFFICE)
    reason = required_reason(reason)
    inst = (
        Instalment.objects.select_for_update(of=("self",))
        .select_related("plan")
        .filter(pk=instalment_id)
        .first()
    )
    if inst is None:
        raise NotFound("没有这笔资助。", "No such instalment.")
    conds = inst.conditions or []
    if not 0 <= index < len(conds) or conds[index].get("kind") != "manual_confirmation":
        raise ValidationFailed(
            f"第 {index + 1} 个条件不是需人工确认的条件。",
            f"Condition {index + 1} is not a manual confirmation.",
            field="index",
        )
    if inst.status not in Instalment.OPEN:
        raise TransitionNotAllowed(inst, S.DUE)
    inst.confirmations = {
        **(inst.confirmations or {}),
        str(index): {
            "by": by.get_full_name() or by.get_username(),
            "user_id": by.pk,
            "on": _today().isoformat(),
            "reason": reason,
        },
    }
    save_as(inst, by=by, reason=f"condition {index + 1} confirmed: {reason}")
    _refresh(inst, inst.plan.honouree, by=by, on=_today())
    return inst


# --- Revocation and reinstatement -------------------------------------------------------------------------


def plan_revoke(*, honouree: Honouree, by, recover_paid: bool) -> None:
    """Future instalments cancelled (pulled out of unapproved batches); paid ones marked for recovery."""
    # The module's lock order: the batches holding this honouree's lines first, then the instalments.
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
            _move(inst, S.DUE, by=by, zh="荣誉撤销，移出批次。", en="Honour revoked: taken out of the batch.")
        if inst.status == S.FAILED:
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


def _cancel_for_revocation(inst: Instalment, *, by) -> None:
    _move(
        inst,
        S.CANCELLED,
        by=by,
        zh="荣誉已撤销，未付款项取消。",
        en="Honour revoked: unpaid instalment cancelled.",
    )
    inst.cancelled_by_revocation = True
    save_as(inst, by=by, reason="cancelled by revocation")


def _claim_back(inst: Instalment, *, by) -> None:
    if inst.recovery:
        return
    inst.recovery, inst.recovery_note = Instalment.Recovery.PENDING, "荣誉撤销，已付奖金应予追回"
    save_as(inst, by=by, reason="marked for recovery: honour revoked")
    _ledger(L.RECOVERY, inst.amount, inst, by=by, memo="honour revoked: paid award to be recovered")


def _revocation(honouree: Honouree):
    """The revocation in force for the honouree (its ``recover_paid`` says whether paid money is claimed back)."""
    if honouree.status != Honouree.Status.REVOKED:
        return None
    return honouree.status_changes.filter(to_status=Honouree.Status.REVOKED).order_by("-on", "-id").first()


def plan_reinstate(*, honouree: Honouree, by) -> None:
    """What a revocation cancelled comes back (re-read against today's facts); open recoveries withdrawn."""
    today = _today()
    for inst in _honouree_instalments_locked(honouree.pk, [S.CANCELLED]):
        if not inst.cancelled_by_revocation:
            continue
        verdict = conditions.assess(inst, honouree, today)
        to = verdict.status if verdict.status != S.FORFEITED else S.BLOCKED
        _move(inst, to, by=by, zh="荣誉恢复。" + verdict.zh, en="Honour reinstated. " + verdict.en)
        inst.cancelled_by_revocation = False
        save_as(inst, by=by, reason="reinstated")
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
def recovery_settle(*, by, instalment_id: int, outcome: str, note: str) -> Instalment:
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


# --- Payee accounts ---------------------------------------------------------------------------------------


@transaction.atomic
def payee_account_set(
    *, by, person_id: int, account_name: str, bank_name: str, account_no: str
) -> PayeeAccount:
    """Record where a person is paid. Lines already made keep the account they were made with."""
    require_role(by, Role.FINANCE_MAKER)
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise NotFound("没有这个人员。", "No such person.")
    account_name, bank_name = (account_name or "").strip(), (bank_name or "").strip()
    account_no = "".join((account_no or "").split())
    errors = []
    if not account_name:
        errors.append(
            ValidationFailed("请填写户名。", "Please give the account holder.", field="account_name")
        )
    elif account_name != person.name:
        errors.append(
            ValidationFailed(
                f"户名“{account_name}”与获评人姓名“{person.name}”不一致：奖金只能付给本人。",
                f"The account holder '{account_name}' is not the honouree '{person.name}': awards are paid to the person.",
                field="account_name",
            )
        )
    if not bank_name:
        errors.append(ValidationFailed("请填写开户银行。", "Please give the bank.", field="bank_name"))
    if not account_no.isdigit() or not 8 <= len(account_no) <= 30:
        errors.append(
            ValidationFailed(
                "银行账号应为 8–30 位数字。", "The account number must be 8 to 30 digits.", field="account_no"
            )
        )
    if errors:
        raise ValidationFailed("收款账户信息有误。", "The bank account details are not valid.", errors=errors)
    account = PayeeAccount.objects.select_for_update().filter(person=person).first() or PayeeAccount(
        person=person
    )
    account.account_name, account.bank_name, account.account_no = account_name, bank_name, account_no
    return save_as(account, by=by, reason="bank account set")


# --- Disbursement batches ---------------------------------------------------------------------------------


def _batch_locked(batch_id: int) -> DisbursementBatch:
    batch = DisbursementBatch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None:
        raise NotFound("没有这个支付批次。", "No such disbursement batch.")
    return batch


def _batch_move(batch: DisbursementBatch, to: str, *, by, reason: str) -> None:
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


def _add_lines(batch: DisbursementBatch, instalment_ids: list[int], *, by) -> list[BatchLine]:
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
    source = FundingSource.objects.select_for_update().get(pk=batch.source_id)
    for year, amount in sorted(need.items()):
        f = budget_figures(source.pk, year)
        if f["budget"] is None:
            raise BudgetExceeded(
                f"{source.name} 尚未设定 {year} 年预算，不能安排支付。",
                f"{source.name_en or source.name} has no budget for {year}; nothing of that year can be paid yet.",
            )
        in_flight = f["scheduled"] + f["approved"] + f["paid"]
        if in_flight + amount > f["budget"]:
            raise BudgetExceeded(
                f"{source.name} {year} 年预算 {f['budget']} 元，已安排及支付 {in_flight} 元，"
                f"本批次再需 {amount} 元，超出预算。",
                f"{source.name_en or source.name} {year}: budget {f['budget']}, in batches or paid {in_flight}; "
                f"this needs {amount} more, which exceeds the budget.",
            )
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
def batch_create(*, by, source_id: int, purpose: str, instalment_ids: list[int]) -> DisbursementBatch:
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
def batch_add(*, by, batch_id: int, instalment_ids: list[int]) -> DisbursementBatch:
    require_role(by, Role.FINANCE_MAKER)
    batch = _batch_locked(batch_id)
    if batch.status != B.DRAFT:
        raise Conflict("只有编制中的批次可以增加明细。", "Lines can only be added to a draft batch.")
    _add_lines(batch, instalment_ids, by=by)
    return batch


def _release_line(line: BatchLine, *, by, zh: str, en: str) -> None:
    line.status = BatchLine.Status.WITHDRAWN
    save_as(line, by=by, reason=en)
    inst = (
        Instalment.objects.select_for_update(of=("self",))
        .select_related("plan__honouree")
        .get(pk=line.instalment_id)
    )
    _back_to_due(inst, by=by, zh=zh, en=en)


def _back_to_due(inst: Instalment, *, by, zh: str, en: str) -> None:
    """Out of a batch, due again; then re-read, since the honour or the studio may have changed meanwhile
    (a revoked honour cancels it, a suspended one or a closed studio blocks it)."""
    _move(inst, S.DUE, by=by, zh=zh, en=en)
    honouree = inst.plan.honouree
    if honouree.status == Honouree.Status.REVOKED:
        _cancel_for_revocation(inst, by=by)
        return
    verdict = conditions.assess(inst, honouree, _today())
    if verdict.status != S.DUE:  # otherwise keep the reason it came back with
        _move(inst, verdict.status, by=by, zh=verdict.zh, en=verdict.en)


@transaction.atomic
def batch_remove(*, by, batch_id: int, line_id: int) -> DisbursementBatch:
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
def batch_submit(*, by, batch_id: int) -> DisbursementBatch:
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
def batch_approve(*, by, batch_id: int) -> DisbursementBatch:
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
def batch_reject(*, by, batch_id: int, reason: str) -> DisbursementBatch:
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
def batch_cancel(*, by, batch_id: int, reason: str) -> DisbursementBatch:
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
def batch_export(*, by, batch_id: int) -> DisbursementBatch:
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
    from django.core.files.base import ContentFile

    from .bankfile import bank_payment_xlsx

    content = bank_payment_xlsx(batch)
    batch.bank_file.save(f"{batch.number}.xlsx", ContentFile(content), save=False)
    batch.exported_at, batch.exported_by = timezone.now(), by
    _batch_move(batch, B.EXPORTED, by=by, reason="bank file made")
    return batch


def _close_if_settled(batch: DisbursementBatch, *, by) -> None:
    if batch.status == B.EXPORTED and not batch.lines.filter(status=BatchLine.Status.PENDING).exists():
        batch.closed_at = timezone.now()
        _batch_move(batch, B.CLOSED, by=by, reason="every line settled")


def _line_locked(line_id: int) -> tuple[DisbursementBatch, BatchLine]:
    line = BatchLine.objects.filter(pk=line_id).values("batch_id").first()
    if line is None:
        raise NotFound("没有这条支付明细。", "No such payment line.")
    batch = _batch_locked(line["batch_id"])  # batch before line: the lock order of this module
    return batch, BatchLine.objects.select_for_update().get(pk=line_id)


def _settle_checks(batch: DisbursementBatch, on: dt.date) -> None:
    if batch.status not in (B.EXPORTED, B.CLOSED):
        raise Conflict(
            f"批次 {batch.number} 尚未送银行（当前“{batch.get_status_display()}”），不能登记银行结果。",
            f"Batch {batch.number} has not gone to the bank ({batch.status}); no bank result can be recorded.",
        )
    if on > _today():
        raise ValidationFailed(f"日期 {on} 在未来。", f"The date {on} is in the future.", field="paid_on")
    if batch.exported_at and on < timezone.localtime(batch.exported_at).date():
        raise ValidationFailed(
            f"日期 {on} 早于银行文件生成日期。",
            f"The date {on} is before the bank file was made.",
            field="paid_on",
        )


@transaction.atomic
def line_mark_paid(*, by, line_id: int, bank_ref: str, paid_on: dt.date) -> BatchLine:
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
        from honourees.services.benefits import delivery_record_paid

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
def line_mark_returned(*, by, line_id: int, reason: str, on: dt.date) -> BatchLine:
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
def return_row_assign(*, by, row_id: int, line_id: int | None, dismiss_note: str = "") -> BankReturnRow:
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
    from .bankfile import apply_result

    apply_result(by=by, line=line, data=row.data)
    row.status, row.line, row.decided_by = BankReturnRow.Status.ASSIGNED, line, by
    save_as(row, by=by, reason=f"assigned to {line.reference}")
    return row
