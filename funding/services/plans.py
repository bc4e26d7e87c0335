"""Award plans and benefit instalments: made at naming or by the month, re-read by the daily tick.

An instalment is made with the status its conditions give it (``funding.conditions.assess``) and its
commitment in the ledger; ``honouree_refresh`` (the receivers on the studios' and registry's signals, and
the daily ``tick``) re-reads the open ones under their locks and moves them when the facts have changed.
"""

from __future__ import annotations

import datetime as dt
import logging
from calendar import monthrange
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from backend.errors import BudgetExceeded, NotFound, TransitionNotAllowed, ValidationFailed
from backend.history import required_reason, save_as
from backend.money import require_positive
from backend.roles import Role, require_role
from honourees.models import BenefitDelivery, BenefitEntitlement, Honouree, Round

from .. import conditions
from ..models import AwardPlan, FundingSource, Instalment, LedgerEntry
from . import core
from .budgets import BENEFIT_SOURCES, _benefit_source, _check_commit, source_for
from .core import _honouree_instalments_locked, _ledger, _move

log = logging.getLogger(__name__)
S = Instalment.Status
L = LedgerEntry.Kind

# The tax categories a round's rules may name (``award.tax.category``), with the words a voucher prints.
TAX_CATEGORIES = {"incidental_income": ("偶然所得", "incidental income")}


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


def award_plan_create(*, honouree: Honouree, by: User) -> AwardPlan | None:
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
    today = core._today()
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


def benefits_refresh(*, on: dt.date | None = None) -> int:
    """Payable benefits of the month become instalments, so they are paid through batches like the award.

    Payable: an active money entitlement (an amount, a schedule, a funder the city pays: city finance or
    the union; an employer pays its own) of an honouree. Each due day up to the end of ``on``'s month gets
    one instalment (a unique constraint holds that), from the month the entitlement was recorded on —
    due days before the system knew of it are the office's to record as deliveries. Days already
    delivered in the registry are skipped. Over a budget: not made, and counted, so the tick says so.
    Returns how many were made.
    """
    on = on or core._today()
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
def _benefit_instalment(e: BenefitEntitlement, day: dt.date, *, on: dt.date) -> int:
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


def _refresh(inst: Instalment, honouree: Honouree, *, by: User | None, on: dt.date) -> bool:
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
def honouree_refresh(*, honouree_id: int, by: User | None = None, on: dt.date | None = None) -> int:
    """Re-read the honouree's open instalments against dates and studio facts; returns how many moved."""
    on = on or core._today()
    instalments = _honouree_instalments_locked(honouree_id, Instalment.OPEN)
    if not instalments:
        return 0
    honouree = Honouree.objects.get(pk=honouree_id)
    return sum(_refresh(inst, honouree, by=by, on=on) for inst in instalments)


def tick(*, on: dt.date | None = None) -> dict[str, int | str]:
    """The daily run: payable benefits of the month made instalments, every open instalment re-read (one
    transaction per honouree). Idempotent."""
    on = on or core._today()
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
def instalment_confirm_condition(*, by: User, instalment_id: int, index: int, reason: str) -> Instalment:
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
            "on": core._today().isoformat(),
            "reason": reason,
        },
    }
    save_as(inst, by=by, reason=f"condition {index + 1} confirmed: {reason}")
    _refresh(inst, inst.plan.honouree, by=by, on=core._today())
    return inst
