"""Benefits: the entitlements an honour gives, what was delivered against them, referrals, recovery.

Every service takes the acting user as ``by``, locks the rows it changes, re-checks the state under the
lock, writes history and raises a DomainError a person can act on. Reads and the benefit calendar are in
``honourees.selectors.registry``.

Decisions (the issue is silent on these):

- **Entitlements** are made when the honouree is named (``naming.round_name`` calls
  ``entitlements_grant`` in the naming transaction) or registered directly, from the round's
  ``rules["benefits"]`` for the honouree's tier (default: ``named`` only) and the admin's BenefitTypes;
  they start on the naming date. Money-bearing ones (an amount per occurrence) are what funding will pay
  like instalments; until it exists, deliveries record what was given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q

from backend.errors import Conflict, NotFound, TransitionNotAllowed, ValidationFailed
from backend.history import required_reason, save_as
from backend.money import to_money
from backend.roles import Role, require_role
from honourees.models import BenefitDelivery, BenefitEntitlement, BenefitType, Honouree, Round
from honourees.rules import BenefitKind, validate_recurrence
from honourees.services.core import clean_line, history_reason, past_date
from honourees.services.prior_honours import prior_honour_add

H = Honouree.Status
E = BenefitEntitlement.Status
R = BenefitDelivery.Recovery
Referral = BenefitEntitlement.Referral


@dataclass(frozen=True)
class EntitlementSpec:
    """One entitlement a round's benefits give a tier: what is copied onto the BenefitEntitlement."""

    code: str
    source_code: str
    name: str
    name_en: str
    kind: str
    funder: str
    amount: Decimal | None
    recurrence: str
    months: int | None
    benefit_type: BenefitType | None


def entitlement_specs(round_: Round, tier: str) -> list[EntitlementSpec]:
    """What an honouree of ``tier`` in the round is entitled to, read from its rules and the BenefitTypes.

    A benefit entry applies to the tiers it lists (default: ``named`` only). Its own ``amount``,
    ``recurrence`` and ``months`` win; a BenefitType of the same code fills in what it leaves out. A
    labour-model treatment (包头 §八) is one standing entitlement plus one per active BenefitType whose
    ``treatment`` is its code (the items the office has entered: 春节慰问, 健康体检, 荣誉津贴…).
    """
    benefits = [b for b in round_.rules.get("benefits", []) if tier in b.get("tiers", ["named"])]
    if not benefits:
        return []
    codes = {b["code"] for b in benefits}
    treatments = {b["code"] for b in benefits if b["kind"] == BenefitKind.LABOUR_MODEL_TREATMENT}
    types = list(
        BenefitType.objects.filter(Q(code__in=codes) | Q(treatment__in=treatments), is_active=True).order_by(
            "code"
        )
    )
    by_code = {t.code: t for t in types}
    specs: dict[str, EntitlementSpec] = {}
    for b in benefits:
        kind = b["kind"]
        t = by_code.get(b["code"]) if kind != BenefitKind.LABOUR_MODEL_TREATMENT else None
        amount = Decimal(b["amount"]) if "amount" in b else (t.amount if t else None)
        specs.setdefault(
            b["code"],
            EntitlementSpec(
                code=b["code"],
                source_code=b["code"],
                name=b["zh"],
                name_en=b["en"],
                kind=kind,
                funder=b.get("funder") or (t.funder if t else ""),
                amount=None if kind == BenefitKind.LABOUR_MODEL_TREATMENT else amount,
                recurrence=b.get("recurrence") or (t.recurrence if t else ""),
                months=b.get("months") or (t.months if t else None),
                benefit_type=t,
            ),
        )
        if kind == BenefitKind.LABOUR_MODEL_TREATMENT:
            for item in (x for x in types if x.treatment == b["code"]):
                specs.setdefault(
                    item.code,
                    EntitlementSpec(
                        code=item.code,
                        source_code=b["code"],
                        name=item.name,
                        name_en=item.name_en,
                        kind=item.kind,
                        funder=item.funder or b.get("funder", ""),
                        amount=item.amount,
                        recurrence=item.recurrence,
                        months=item.months,
                        benefit_type=item,
                    ),
                )
    return list(specs.values())


def entitlements_grant(*, honouree: Honouree, by: User) -> list[BenefitEntitlement]:
    """The honouree's benefit entitlements from the round's data, from the naming date; granting again adds none.

    Runs inside the caller's transaction: ``naming.round_name`` and ``honouree_register``.
    """
    require_role(by, Role.TALENT_OFFICE)
    have = set(BenefitEntitlement.objects.filter(honouree=honouree).values_list("code", flat=True))
    made = []
    for spec in entitlement_specs(honouree.round, honouree.tier):
        if spec.code in have:
            continue
        ends = (
            honouree.named_on + relativedelta(months=spec.months) - dt.timedelta(days=1)
            if spec.months
            else None
        )
        entitlement = BenefitEntitlement(
            honouree=honouree,
            benefit_type=spec.benefit_type,
            source_code=spec.source_code,
            code=spec.code,
            name=spec.name,
            name_en=spec.name_en,
            kind=spec.kind,
            funder=spec.funder,
            amount=spec.amount,
            recurrence=validate_recurrence(spec.recurrence, "recurrence") if spec.recurrence else "",
            starts_on=honouree.named_on,
            ends_on=ends,
            referral_status=Referral.PENDING if spec.kind == BenefitKind.REFERRAL else "",
        )
        made.append(save_as(entitlement, by=by, reason="granted"))
    return made


def _entitlement_locked(entitlement_id: int) -> BenefitEntitlement:
    found = (
        BenefitEntitlement.objects.select_for_update(of=("self",))
        .select_related("honouree__person", "honouree__round__scheme")
        .filter(pk=entitlement_id)
        .first()
    )
    if found is None:
        raise NotFound("该待遇不存在。", "No such entitlement.", field="entitlement")
    return found


def _not_due(entitlement: BenefitEntitlement, day: dt.date) -> tuple[str, str] | None:
    """Why nothing of the entitlement was due on ``day`` (zh, en), or None when it was."""
    honour = entitlement.honouree.status_on(day)
    if honour != H.ACTIVE:
        label = H(honour).label if honour else "尚未命名"
        return (
            f"{day} 该工匠荣誉状态为“{label}”，不发放待遇",
            f"on {day} the honour was '{honour or 'not yet named'}'",
        )
    if not entitlement.live_on(day):
        return (f"{day} 不在该待遇的有效期内", f"on {day} the entitlement was not in force")
    return None


@transaction.atomic
def delivery_record(
    *,
    by: User,
    entitlement_id: int,
    delivered_on: dt.date,
    evidence: str,
    occurrence_on: dt.date | None = None,
    amount: Decimal | int | str | None = None,
) -> BenefitDelivery:
    """Record a benefit given. A due day is answered once: a replay with the same evidence returns the first.

    ``occurrence_on`` is the due day it answers (from the calendar), or None for something given outside
    the schedule. ``amount`` defaults to the entitlement's amount; money is Decimal, never a float.
    """
    require_role(by, Role.TALENT_OFFICE)
    return _deliver(
        by=by,
        entitlement_id=entitlement_id,
        delivered_on=delivered_on,
        evidence=evidence,
        occurrence_on=occurrence_on,
        amount=amount,
    )


@transaction.atomic
def delivery_record_paid(
    *,
    by: User,
    entitlement_id: int,
    occurrence_on: dt.date,
    paid_on: dt.date,
    amount: Decimal | int | str,
    evidence: str,
) -> BenefitDelivery:
    """Funding's side of a benefit paid through a disbursement batch: the bank's payment is the delivery."""
    require_role(by, Role.FINANCE_MAKER)
    return _deliver(
        by=by,
        entitlement_id=entitlement_id,
        delivered_on=paid_on,
        evidence=evidence,
        occurrence_on=occurrence_on,
        amount=amount,
    )


def _deliver(
    *,
    by: User,
    entitlement_id: int,
    delivered_on: dt.date,
    evidence: str,
    occurrence_on: dt.date | None,
    amount: Decimal | int | str | None,
) -> BenefitDelivery:
    e = _entitlement_locked(entitlement_id)
    if e.kind == BenefitKind.LABOUR_MODEL_TREATMENT:
        raise Conflict(
            "劳动模范待遇本身不发放，请登记其中各项待遇。",
            "A labour-model treatment is not delivered itself; record its items.",
            field="entitlement",
        )
    if e.kind == BenefitKind.REFERRAL:
        raise Conflict(
            "推荐申报请登记申报结果。", "Record a referral's outcome instead.", field="entitlement"
        )
    errors: list[ValidationFailed] = []
    evidence = clean_line(evidence, "evidence", 500, errors, required=True, label=("凭证", "evidence"))
    if errors:
        raise errors[0]
    past_date(delivered_on, "delivered_on", not_before=e.honouree.named_on)
    money = e.amount
    if amount not in (None, ""):
        money = to_money(amount, field="amount")
        if money <= 0:
            raise ValidationFailed("金额应大于零。", "The amount must be greater than zero.", field="amount")
    day = occurrence_on or delivered_on
    if occurrence_on is not None:
        if occurrence_on not in e.occurrences(occurrence_on, occurrence_on):
            raise ValidationFailed(
                f"{occurrence_on} 不是“{e.name}”的应发日期。",
                f"{occurrence_on} is not a due day of '{e.name_en or e.name}'.",
                field="occurrence_on",
            )
        first = e.deliveries.filter(occurrence_on=occurrence_on).first()
        if first is not None:
            if first.evidence == evidence:
                return first
            raise Conflict(
                f"“{e.name}”{occurrence_on} 的待遇已于 {first.delivered_on} 发放（{first.evidence}）。",
                f"'{e.name_en or e.name}' due on {occurrence_on} was already given on {first.delivered_on}.",
                field="occurrence_on",
            )
    why = _not_due(e, day)
    if why is None and delivered_on != day and e.honouree.status_on(delivered_on) != H.ACTIVE:
        why = (
            f"{delivered_on} 该工匠荣誉状态为“{H(e.honouree.status_on(delivered_on)).label}”，不能发放",
            f"on {delivered_on} the honour was '{e.honouree.status_on(delivered_on)}'",
        )
    if why:
        raise Conflict(f"不能登记：{why[0]}。", f"Cannot record it: {why[1]}.", field="occurrence_on")
    delivery = BenefitDelivery(
        entitlement=e,
        occurrence_on=occurrence_on,
        delivered_on=delivered_on,
        amount=money,
        evidence=evidence,
        recorded_by=by,
    )
    try:
        with transaction.atomic():
            save_as(delivery, by=by, reason="delivered")
    except IntegrityError:  # the entitlement's lock serialises these; the constraint is the backstop
        raise Conflict(
            "该应发日期已登记发放。", "That due day has already been recorded.", field="occurrence_on"
        ) from None
    return delivery


@transaction.atomic
def delivery_settle_recovery(
    *, by: User, delivery_id: int, on: dt.date, note: str = "", waived: bool = False
) -> BenefitDelivery:
    """Record that money marked for recovery came back (or that the office waived it); a replay changes nothing."""
    require_role(by, Role.TALENT_OFFICE)
    d = BenefitDelivery.objects.select_for_update().filter(pk=delivery_id).first()
    if d is None:
        raise NotFound("该发放记录不存在。", "No such delivery.", field="delivery")
    to = R.WAIVED if waived else R.RECOVERED
    if d.recovery == to:
        return d
    if not d.can_become(to):
        raise Conflict(
            f"该发放记录为“{d.get_recovery_display()}”，不能改为“{R(to).label}”。",
            f"The delivery is '{d.recovery}' and cannot become '{to}'.",
            field="recovery",
        )
    past_date(on, "on", not_before=d.recovery_marked_on)
    errors: list[ValidationFailed] = []
    note = clean_line(note, "note", 500, errors, required=waived, label=("说明", "note"))
    if errors:
        raise errors[0]
    d.recovery, d.recovered_on = to, on
    if note:
        d.recovery_note = note
    return save_as(d, by=by, reason=str(to))


@transaction.atomic
def referral_record(
    *,
    by: User,
    entitlement_id: int,
    outcome: str,
    on: dt.date,
    note: str = "",
    honour_name: str = "",
    honour_level: str = "",
    honour_granted_by: str = "",
) -> BenefitEntitlement:
    """The referral's next step: submitted, then awarded or declined. An award given a name and level is
    also kept as the person's prior honour (焦作: a city 五一劳动奖章). A replay changes nothing."""
    require_role(by, Role.TALENT_OFFICE)
    e = _entitlement_locked(entitlement_id)
    if e.kind != BenefitKind.REFERRAL:
        raise Conflict("这项待遇不是推荐申报。", "This entitlement is not a referral.", field="entitlement")
    if e.referral_status == outcome:
        return e
    if outcome not in Referral.values or outcome not in BenefitEntitlement.REFERRAL_NEXT[e.referral_status]:
        raise Conflict(
            f"推荐申报当前为“{e.get_referral_status_display()}”，不能改为“{outcome}”。",
            f"The referral is '{e.referral_status}' and cannot become '{outcome}'.",
            field="outcome",
        )
    errors: list[ValidationFailed] = []
    note = clean_line(note, "note", 500, errors, label=("说明", "note"))
    if errors:
        raise errors[0]
    if outcome == Referral.SUBMITTED:
        past_date(on, "on", not_before=e.starts_on)
        why = _not_due(e, on)
        if why:
            raise Conflict(f"不能申报：{why[0]}。", f"Cannot refer: {why[1]}.", field="on")
        e.referral_submitted_on = on
    else:
        past_date(on, "on", not_before=e.referral_submitted_on)
        e.referral_decided_on = on
        if outcome == Referral.AWARDED and (honour_name or honour_level):
            e.awarded_honour = prior_honour_add(
                by=by,
                person_id=e.honouree.person_id,
                name=honour_name,
                level=honour_level,
                conferred_on=on,
                granted_by=honour_granted_by,
            )
    e.referral_status = outcome
    if note:
        e.referral_note = note
    return save_as(e, by=by, reason=f"referral {outcome}")


@transaction.atomic
def entitlement_set_period(
    *, by: User, entitlement_id: int, starts_on: dt.date, ends_on: dt.date | None
) -> BenefitEntitlement:
    """Move an entitlement's start or end (荣誉津贴 from retirement, DOMAIN.md §2); deliveries must still fit."""
    require_role(by, Role.TALENT_OFFICE)
    e = _entitlement_locked(entitlement_id)
    if e.status != E.ACTIVE:
        raise Conflict(
            f"该待遇为“{e.get_status_display()}”，不能修改期限。",
            f"The entitlement is '{e.status}'; its period cannot be changed.",
            field="entitlement",
        )
    if starts_on < e.honouree.named_on:
        raise ValidationFailed(
            f"开始日期不能早于命名日期 {e.honouree.named_on}。",
            f"It cannot start before the naming, {e.honouree.named_on}.",
            field="starts_on",
        )
    if ends_on is not None and ends_on < starts_on:
        raise ValidationFailed("结束日期早于开始日期。", "It ends before it starts.", field="ends_on")
    e.starts_on, e.ends_on = starts_on, ends_on
    outside = [
        d.occurrence_on
        for d in e.deliveries.exclude(occurrence_on__isnull=True)
        if d.occurrence_on not in e.occurrences(d.occurrence_on, d.occurrence_on)
    ]
    if outside:
        raise ValidationFailed(
            f"已登记的发放（应发日 {outside[0]}）将不在新的期间内。",
            f"A recorded delivery (due {outside[0]}) would fall outside the new period.",
            field="starts_on",
        )
    return save_as(e, by=by, reason=f"period {starts_on}–{ends_on or ''}")


@transaction.atomic
def entitlement_end(*, by: User, entitlement_id: int, on: dt.date, reason: str) -> BenefitEntitlement:
    """End one entitlement from ``on`` (nothing of it falls due from that day); a replay changes nothing."""
    require_role(by, Role.TALENT_OFFICE)
    e = _entitlement_locked(entitlement_id)
    if e.status == E.ENDED:
        return e
    if not e.can_become(E.ENDED):
        raise TransitionNotAllowed(e, E.ENDED)
    reason = required_reason(reason, limit=2000)
    past_date(on, "on", not_before=e.starts_on)
    e.status, e.status_changed_on, e.status_reason = E.ENDED, on, reason[:500]
    return save_as(e, by=by, reason=history_reason(f"ended: {reason}"))
