"""The honouree registry's writes: the life of an honour after naming, prior honours and benefits.

Every service takes the acting user as ``by`` (the talent office for all of them), locks the rows it
changes, re-checks the state under the lock, writes history and raises a DomainError a person can act on.
Reads, the benefit calendar and the scoped querysets are in ``honourees.registry_selectors``.

Decisions (the issue is silent on these):

- **Certificate numbers** follow the round's ``rules["certificate_pattern"]`` (default
  ``{scheme}-{year}-{seq:03d}``, what naming has always written: BALING-2023-001). They are unique across
  the whole registry, which is stricter than unique per scheme. ``next_certificate_number`` skips a number
  already taken (a historic certificate registered under its own number).
- **Status machine**: ``Honouree.NEXT``. Suspension and moving away keep the title but nothing falls due
  while they last; death ends the entitlements; revocation cancels them. Each change is logged with its
  effective date (never in the future, never before the previous change) and the benefit calendar reads
  that log, so earlier months still show what was due then.
- **Revocation** (``honouree_revoke``): records the grounds and reason; cancels the benefit entitlements
  (nothing falls due from that day); marks benefit money already delivered ``to_recover`` (unless the
  office says not to recover); debars the person from the scheme for the round's ``debarment_years``
  (巴陵 §五(二): 3 years) when the grounds are false claims, or when the office asks for it (it must be a
  round whose rules set a period); and sends ``honour_revoked`` inside the transaction. Award instalments
  are the funding app's: it receives that signal to cancel what is unpaid and mark what was paid.
- **Reinstatement** (``honouree_reinstate``) undoes a revocation from its date: cancelled entitlements
  are active again, recovery marks not yet acted on are withdrawn (money already recovered stays
  recovered), the debarment the revocation made is lifted (shortened to the day before, or removed when
  lifted on its first day), and ``honour_reinstated`` is sent. Days that fell while it was revoked are
  not owed afterwards; the office can record a delivery for one outside the schedule if it decides so.
- **Entitlements** are made when the honouree is named (``services.round_name`` calls
  ``entitlements_grant`` in the naming transaction) or registered directly, from the round's
  ``rules["benefits"]`` for the honouree's tier (default: ``named`` only) and the admin's BenefitTypes;
  they start on the naming date. Money-bearing ones (an amount per occurrence) are what funding will pay
  like instalments; until it exists, deliveries record what was given.
- **Direct registration** (historic honourees) needs a round of the scheme for that year that is not
  running an intake (a draft kept as the record of a past round, or a closed one).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from backend.errors import Conflict, NotFound, TransitionNotAllowed, ValidationFailed
from backend.history import required_reason, save_as
from backend.money import to_money
from backend.roles import Role, require_role
from honourees.fields import clean_person
from honourees.models import (
    BenefitDelivery,
    BenefitEntitlement,
    BenefitType,
    Debarment,
    Honouree,
    HonoureeStatusChange,
    Person,
    PriorHonour,
    RecommendingUnit,
    Round,
)
from honourees.rules import (
    DEFAULT_CERTIFICATE_PATTERN,
    TIER_LABELS,
    BenefitKind,
    HonourLevel,
    format_certificate_no,
    validate_recurrence,
)
from honourees.services.people import person_lock_or_create
from honourees.signals import honour_reinstated, honour_revoked, honour_status_changed

H = Honouree.Status
E = BenefitEntitlement.Status
R = BenefitDelivery.Recovery
Referral = BenefitEntitlement.Referral
EARLIEST = dt.date(1949, 10, 1)
# Rounds whose honourees come from their own intake: nobody is registered into them directly.
INTAKE_RUNNING = (Round.Status.OPEN, Round.Status.REVIEWING, Round.Status.IN_NOTICE)
_PROGRAMME = re.compile(r"[-a-z0-9_]{1,60}")


def _why(text: str) -> str:
    return text[:100]  # the history row's change reason holds 100 characters


def _today() -> dt.date:
    return timezone.localdate()


def _text(value, field: str, limit: int, errors: list, *, row=None, required=False, label=("", "")) -> str:
    """One line of text, trimmed; a missing required one, an over-long one or a control character is an error."""
    text = "" if value is None else str(value).strip()
    zh, en = label if label[0] else (field, field)
    if required and not text:
        errors.append(ValidationFailed(f"请填写{zh}。", f"The {en} is required.", field=field, row=row))
    elif any(unicodedata.category(ch) == "Cc" for ch in text):
        errors.append(
            ValidationFailed(
                f"{zh}只能有一行，不能包含换行或控制字符。",
                f"The {en} is one line: no line breaks or control characters.",
                field=field,
                row=row,
            )
        )
    elif len(text) > limit:
        errors.append(
            ValidationFailed(
                f"{zh}超过 {limit} 个字（现有 {len(text)} 个）。",
                f"The {en} is longer than {limit} characters ({len(text)}).",
                field=field,
                row=row,
            )
        )
    return text


def _past_date(day, field: str, *, not_before: dt.date | None = None, row=None) -> dt.date:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValidationFailed(f"“{day}”不是日期。", f"'{day}' is not a date.", field=field, row=row)
    if day > _today():
        raise ValidationFailed(
            f"{day} 是将来的日期，只能登记已经发生的事。",
            f"{day} is in the future; only what has happened can be recorded.",
            field=field,
            row=row,
        )
    if not_before and day < not_before:
        raise ValidationFailed(
            f"日期 {day} 早于 {not_before}。", f"The date {day} is before {not_before}.", field=field, row=row
        )
    return day


# --- certificate numbers -----------------------------------------------------------------------------------


def certificate_number(round_: Round, seq: int) -> str:
    """The certificate number of the round's ``seq``-th honouree, by the round's pattern."""
    pattern = round_.rules.get("certificate_pattern", DEFAULT_CERTIFICATE_PATTERN)
    return format_certificate_no(pattern, scheme_code=round_.scheme.code, year=round_.year, seq=seq)


def next_certificate_number(round_: Round) -> str:
    """The next free number of the round's pattern. The caller holds the round's row lock."""
    seq = Honouree.objects.filter(round=round_).count() + 1
    while True:
        number = certificate_number(round_, seq)
        if not Honouree.objects.filter(certificate_no=number).exists():
            return number
        seq += 1  # taken by a historic certificate registered under its own number


# --- entitlements ------------------------------------------------------------------------------------------


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


def entitlements_grant(*, honouree: Honouree, by) -> list[BenefitEntitlement]:
    """The honouree's benefit entitlements from the round's data, from the naming date; granting again adds none.

    Runs inside the caller's transaction: ``services.round_name`` (naming) and ``honouree_register``.
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


# --- direct registration -----------------------------------------------------------------------------------


def _round_locked(round_id: int) -> Round:
    found = Round.objects.select_for_update().select_related("scheme").filter(pk=round_id).first()
    if found is None:
        raise NotFound(f"评选批次 {round_id} 不存在。", f"Round {round_id} does not exist.", field="round")
    return found


@transaction.atomic
def honouree_register(
    *,
    by,
    round_id: int,
    person: dict,
    named_on: dt.date,
    tier: str = "named",
    certificate_no: str = "",
    naming_document: str = "",
    title: str = "",
    employer: str = "",
    trade: str = "",
    unit_id: int | None = None,
    region: str = "",
    note: str = "",
    row: int | None = None,
) -> Honouree:
    """Register an honouree directly (named before the system existed), with their entitlements.

    ``person`` holds name and id_number (gender and birth date come from the number). The certificate
    number is the one on the certificate when given, else the round's next by its pattern. Every bad field
    is reported at once; ``row`` is put on each error when the data came from a file.
    """

    require_role(by, Role.TALENT_OFFICE)
    round_ = _round_locked(round_id)
    if round_.status in INTAKE_RUNNING:
        raise Conflict(
            f"{round_} 正在“{round_.get_status_display()}”，其工匠由评选产生，不能直接登记。",
            f"{round_} is '{round_.status}': its honourees come from its own intake, not direct registration.",
            field="year",
            row=row,
        )
    errors: list[ValidationFailed] = []
    who = clean_person(person, errors, row=row)
    if tier not in round_.rules.get("tiers", []):
        labels = "、".join(str(TIER_LABELS.get(t, t)) for t in round_.rules.get("tiers", []))
        errors.append(
            ValidationFailed(
                f"“{tier}”不是 {round_} 的命名类别（可选：{labels}）。",
                f"'{tier}' is not a tier of {round_} ({', '.join(round_.rules.get('tiers', []))}).",
                field="tier",
                row=row,
            )
        )
    try:
        _past_date(named_on, "named_on", not_before=EARLIEST, row=row)
    except ValidationFailed as e:
        errors.append(e)
    texts = {
        "certificate_no": _text(
            certificate_no, "certificate_no", 40, errors, row=row, label=("证书编号", "certificate number")
        ),
        "naming_document": _text(
            naming_document, "naming_document", 200, errors, row=row, label=("命名文号", "naming document")
        ),
        "title": _text(title, "title", 100, errors, row=row, label=("称号", "title")),
        "employer": _text(employer, "employer", 200, errors, row=row, label=("工作单位", "employer")),
        "trade": _text(trade, "trade", 100, errors, row=row, label=("从业工种", "trade")),
        "region": _text(region, "region", 100, errors, row=row, label=("所在地区", "region")),
    }
    note = (note or "").strip()
    if len(note) > 2000:
        errors.append(
            ValidationFailed(
                "备注不能超过 2000 字。", "The note is at most 2000 characters.", field="note", row=row
            )
        )
    unit = None
    if unit_id:
        unit = RecommendingUnit.objects.filter(pk=unit_id, scheme=round_.scheme).first()
        if unit is None:
            errors.append(
                ValidationFailed(
                    f"推荐单位 {unit_id} 不属于{round_.scheme}。",
                    f"Unit {unit_id} is not one of {round_.scheme}'s units.",
                    field="unit",
                    row=row,
                )
            )
    if texts["certificate_no"] and Honouree.objects.filter(certificate_no=texts["certificate_no"]).exists():
        errors.append(
            ValidationFailed(
                f"证书编号 {texts['certificate_no']} 已被使用。",
                f"Certificate number {texts['certificate_no']} is already taken.",
                field="certificate_no",
                row=row,
            )
        )
    if errors:
        raise ValidationFailed(
            f"登记信息有 {len(errors)} 处错误。",
            f"The registration has {len(errors)} error(s).",
            field=errors[0].field if len(errors) == 1 else None,
            row=row,
            errors=errors,
        )
    person_row = person_lock_or_create(who, by=by, row=row)
    if Honouree.objects.filter(round=round_, person=person_row).exists():
        raise ValidationFailed(
            f"{person_row.name} 已登记为{round_}。",
            f"{person_row.name} is already registered as an honouree of {round_}.",
            field="id_number",
            row=row,
        )
    honouree = Honouree(
        person=person_row,
        round=round_,
        tier=tier,
        certificate_no=texts["certificate_no"] or next_certificate_number(round_),
        named_on=named_on,
        naming_document=texts["naming_document"],
        title=texts["title"],
        employer=texts["employer"],
        trade=texts["trade"],
        unit=unit,
        region=texts["region"],
        note=note,
    )
    try:
        with transaction.atomic():
            save_as(honouree, by=by, reason="registered directly")
    except IntegrityError:  # someone registered the same certificate or person a moment ago
        raise ValidationFailed(
            f"证书编号 {honouree.certificate_no} 或此人在 {round_} 的登记已存在。",
            f"Certificate {honouree.certificate_no}, or this person in {round_}, is already registered.",
            field="certificate_no",
            row=row,
        ) from None
    entitlements_grant(honouree=honouree, by=by)
    return honouree


# --- the status of an honour -------------------------------------------------------------------------------


def _honouree_locked(honouree_id: int) -> Honouree:
    found = (
        Honouree.objects.select_for_update(of=("self",))
        .select_related("round__scheme", "person")
        .filter(pk=honouree_id)
        .first()
    )
    if found is None:
        raise NotFound(
            f"工匠 {honouree_id} 不存在。", f"Honouree {honouree_id} does not exist.", field="honouree"
        )
    return found


def _check_change_date(honouree: Honouree, on: dt.date) -> None:
    """Effective dates never lie in the future, before the naming or before the previous change."""
    _past_date(on, "on", not_before=honouree.named_on)
    last = honouree.status_changes.order_by("-on", "-id").first()
    if last and on < last.on:
        raise ValidationFailed(
            f"上一次状态变更（{last.get_to_status_display()}）于 {last.on} 生效，新的变更不能早于它。",
            f"The previous change ({last.to_status}) took effect on {last.on}; a new one cannot be earlier.",
            field="on",
        )


def _log(honouree: Honouree, to: str, *, by, on: dt.date, reason: str, **extra) -> HonoureeStatusChange:
    change = save_as(
        HonoureeStatusChange(
            honouree=honouree,
            from_status=honouree.status,
            to_status=to,
            on=on,
            reason=reason,
            recorded_by=by,
            **extra,
        ),
        by=by,
    )
    honouree.status, honouree.status_changed_on, honouree.status_reason = to, on, reason[:500]
    save_as(honouree, by=by, reason=_why(f"{change.from_status} → {to}: {reason}"))
    return change


def _entitlements_locked(honouree: Honouree, status: str):
    return BenefitEntitlement.objects.select_for_update(of=("self",)).filter(honouree=honouree, status=status)


@transaction.atomic
def honouree_set_status(*, by, honouree_id: int, status: str, on: dt.date, reason: str) -> Honouree:
    """Suspend, resume, record a move away (or a return) or a death, effective ``on``; a replay changes nothing.

    Revocation and reinstatement have their own services. A death ends every entitlement on that day.
    """
    require_role(by, Role.TALENT_OFFICE)
    if status not in H.values:
        raise ValidationFailed(
            f"“{status}”不是工匠状态。", f"'{status}' is not an honour status.", field="status"
        )
    if status == H.REVOKED:
        raise Conflict(
            "撤销荣誉请使用“撤销”操作。", "Use the revocation to revoke an honour.", field="status"
        )
    honouree = _honouree_locked(honouree_id)
    if honouree.status == status:
        return honouree
    if honouree.status == H.REVOKED and status == H.ACTIVE:
        raise Conflict(
            "已撤销的荣誉请使用“恢复”操作。", "Use the reinstatement for a revoked honour.", field="status"
        )
    if not honouree.can_become(status):
        raise TransitionNotAllowed(honouree, status)
    reason = required_reason(reason, limit=2000)
    _check_change_date(honouree, on)
    if status == H.DECEASED:
        for e in _entitlements_locked(honouree, E.ACTIVE):
            e.status, e.status_changed_on, e.status_reason = E.ENDED, on, f"本人去世：{reason}"[:500]
            save_as(e, by=by, reason="deceased")
    change = _log(honouree, status, by=by, on=on, reason=reason)
    honour_status_changed.send(sender=Honouree, honouree=honouree, change=change, by=by)
    return honouree


@transaction.atomic
def honouree_revoke(
    *,
    by,
    honouree_id: int,
    on: dt.date,
    reason: str,
    grounds: str,
    debar: bool | None = None,
    recover_paid: bool = True,
) -> Honouree:
    """Withdraw the title from ``on``: entitlements cancelled, benefit money paid marked for recovery, the
    person debarred where the round's rules say; funding is told in this transaction. A replay changes nothing.

    ``debar`` left out debars for false claims (巴陵 §五(二): 虚报 → 三年内不得再申报) and not otherwise.
    """
    require_role(by, Role.TALENT_OFFICE)
    honouree = _honouree_locked(honouree_id)
    if honouree.status == H.REVOKED:
        return honouree
    if not honouree.can_become(H.REVOKED):
        raise TransitionNotAllowed(honouree, H.REVOKED)
    reason = required_reason(reason, limit=2000)
    if grounds not in HonoureeStatusChange.Grounds.values:
        labels = "、".join(str(label) for label in HonoureeStatusChange.Grounds.labels)
        raise ValidationFailed(
            f"请选择撤销依据（{labels}）。",
            f"Choose the grounds ({', '.join(HonoureeStatusChange.Grounds.values)}).",
            field="grounds",
        )
    _check_change_date(honouree, on)
    round_ = honouree.round
    if debar is None:
        debar = grounds == HonoureeStatusChange.Grounds.FALSE_CLAIMS
    debarment = None
    if debar:
        years = round_.rules.get("debarment_years")
        if not years:
            raise ValidationFailed(
                f"{round_} 的规则没有规定禁止申报的年限，不能禁止申报。",
                f"{round_}'s rules set no debarment period, so nobody can be debarred from it.",
                field="debar",
            )
        debarment = save_as(
            Debarment(
                person=honouree.person,
                scheme=round_.scheme,
                reason=f"撤销{honouree.title_shown()}：{reason}"[:500],
                starts_on=on,
                # 3 years from 2024-03-01 is through 2027-02-28 (as the intake counts a debarment).
                ends_on=on + relativedelta(years=years) - dt.timedelta(days=1),
                source=honouree.nomination,
            ),
            by=by,
            reason="honour revoked",
        )
    for e in _entitlements_locked(honouree, E.ACTIVE):
        e.status, e.status_changed_on, e.status_reason = E.CANCELLED, on, f"荣誉撤销：{reason}"[:500]
        save_as(e, by=by, reason="honour revoked")
    if recover_paid:
        paid = BenefitDelivery.objects.select_for_update(of=("self",)).filter(
            entitlement__honouree=honouree, amount__isnull=False, recovery=R.NONE
        )
        for d in paid:
            d.recovery, d.recovery_marked_on, d.recovery_note = R.TO_RECOVER, on, f"荣誉撤销：{reason}"[:500]
            save_as(d, by=by, reason="honour revoked: to recover")
    change = _log(
        honouree,
        H.REVOKED,
        by=by,
        on=on,
        reason=reason,
        grounds=grounds,
        recover_paid=recover_paid,
        debarment=debarment,
    )
    honour_status_changed.send(sender=Honouree, honouree=honouree, change=change, by=by)
    honour_revoked.send(
        sender=Honouree, honouree=honouree, change=change, by=by, on=on, recover_paid=recover_paid
    )
    return honouree


@transaction.atomic
def honouree_reinstate(*, by, honouree_id: int, on: dt.date, reason: str) -> Honouree:
    """Give a revoked title back from ``on``: entitlements active again, open recovery marks withdrawn, the
    revocation's debarment lifted; funding is told in this transaction. A replay changes nothing."""
    require_role(by, Role.TALENT_OFFICE)
    honouree = _honouree_locked(honouree_id)
    last = honouree.status_changes.order_by("-on", "-id").first()
    if honouree.status == H.ACTIVE and last and last.from_status == H.REVOKED:
        return honouree
    if honouree.status != H.REVOKED:
        raise TransitionNotAllowed(honouree, H.ACTIVE)
    reason = required_reason(reason, limit=2000)
    _check_change_date(honouree, on)
    for e in _entitlements_locked(honouree, E.CANCELLED):
        e.status, e.status_changed_on, e.status_reason = E.ACTIVE, on, f"荣誉恢复：{reason}"[:500]
        save_as(e, by=by, reason="honour reinstated")
    marked = BenefitDelivery.objects.select_for_update(of=("self",)).filter(
        entitlement__honouree=honouree, recovery=R.TO_RECOVER
    )
    for d in marked:
        d.recovery, d.recovery_marked_on = R.NONE, None
        d.recovery_note = f"荣誉恢复，撤回追回：{reason}"[:500]
        save_as(d, by=by, reason="honour reinstated: recovery withdrawn")
    bar = last.debarment if last and last.to_status == H.REVOKED else None
    if bar is not None:
        bar = Debarment.objects.select_for_update().get(pk=bar.pk)
        if on > bar.starts_on:
            bar.ends_on = min(bar.ends_on, on - dt.timedelta(days=1))
            save_as(bar, by=by, reason="lifted: honour reinstated")
        else:  # lifted on its first day: it never held
            bar._history_user = by
            bar._change_reason = "lifted: honour reinstated"
            bar.delete()
    change = _log(honouree, H.ACTIVE, by=by, on=on, reason=reason)
    honour_status_changed.send(sender=Honouree, honouree=honouree, change=change, by=by)
    honour_reinstated.send(sender=Honouree, honouree=honouree, change=change, by=by, on=on)
    return honouree


# --- prior honours -----------------------------------------------------------------------------------------


@transaction.atomic
def prior_honour_add(
    *,
    by,
    person_id: int,
    name: str,
    level: str,
    granted_by: str = "",
    year: int | None = None,
    conferred_on: dt.date | None = None,
    programme: str = "",
) -> PriorHonour:
    """Record an honour the person holds (name, level, conferring body, date); the intake's checks read it."""
    require_role(by, Role.TALENT_OFFICE)
    person = Person.objects.select_for_update().filter(pk=person_id).first()
    if person is None:
        raise NotFound(f"人员 {person_id} 不存在。", f"Person {person_id} does not exist.", field="person")
    errors: list[ValidationFailed] = []
    name = _text(name, "name", 200, errors, required=True, label=("荣誉名称", "honour's name"))
    granted_by = _text(granted_by, "granted_by", 200, errors, label=("授予单位", "conferring body"))
    programme = (programme or "").strip()
    if programme and not _PROGRAMME.fullmatch(programme):
        errors.append(
            ValidationFailed(
                "项目代码只能用小写字母、数字、- 和 _。",
                "A programme code is lower-case letters, digits, - and _.",
                field="programme",
            )
        )
    if level not in HonourLevel.values:
        labels = "、".join(str(label) for label in HonourLevel.labels)
        errors.append(ValidationFailed(f"请选择级别（{labels}）。", "Choose the level.", field="level"))
    if conferred_on is not None:
        try:
            _past_date(conferred_on, "conferred_on", not_before=dt.date(1900, 1, 1))
        except ValidationFailed as e:
            errors.append(e)
    if year is not None and (
        isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= _today().year
    ):
        errors.append(
            ValidationFailed(
                f"年份应在 1900–{_today().year} 之间。",
                f"The year must be 1900–{_today().year}.",
                field="year",
            )
        )
    elif year is not None and conferred_on is not None and conferred_on.year != year:
        errors.append(
            ValidationFailed(
                f"年份 {year} 与授予日期 {conferred_on} 不一致。",
                f"The year {year} does not match the date {conferred_on}.",
                field="year",
            )
        )
    if errors:
        raise ValidationFailed(
            f"荣誉信息有 {len(errors)} 处错误。",
            f"The honour has {len(errors)} error(s).",
            errors=errors,
            field=errors[0].field if len(errors) == 1 else None,
        )
    if year is None and conferred_on is not None:
        year = conferred_on.year
    if PriorHonour.objects.filter(person=person, name=name, year=year).exists():
        raise ValidationFailed(
            f"{person.name} 的“{name}”（{year or '年份不详'}）已登记。",
            f"{person.name}'s '{name}' ({year or 'year unknown'}) is already recorded.",
            field="name",
        )
    return save_as(
        PriorHonour(
            person=person,
            name=name,
            level=level,
            granted_by=granted_by,
            year=year,
            conferred_on=conferred_on,
            programme=programme,
        ),
        by=by,
    )


@transaction.atomic
def prior_honour_revoke(*, by, prior_honour_id: int, on: dt.date, reason: str) -> PriorHonour:
    """Mark a prior honour revoked (kept, never deleted); a replay changes nothing."""
    require_role(by, Role.TALENT_OFFICE)
    honour = PriorHonour.objects.select_for_update().filter(pk=prior_honour_id).first()
    if honour is None:
        raise NotFound("该荣誉记录不存在。", "No such honour.", field="prior_honour")
    if honour.revoked:
        return honour
    reason = required_reason(reason, limit=2000)
    _past_date(on, "on", not_before=honour.conferred_on)
    honour.revoked, honour.revoked_on, honour.revoked_reason = True, on, reason[:500]
    return save_as(honour, by=by, reason=_why(f"revoked: {reason}"))


# --- benefits ----------------------------------------------------------------------------------------------


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
    by,
    entitlement_id: int,
    delivered_on: dt.date,
    evidence: str,
    occurrence_on: dt.date | None = None,
    amount=None,
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
    *, by, entitlement_id: int, occurrence_on: dt.date, paid_on: dt.date, amount, evidence: str
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


def _deliver(*, by, entitlement_id: int, delivered_on: dt.date, evidence: str, occurrence_on, amount):
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
    evidence = _text(evidence, "evidence", 500, errors, required=True, label=("凭证", "evidence"))
    if errors:
        raise errors[0]
    _past_date(delivered_on, "delivered_on", not_before=e.honouree.named_on)
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
    *, by, delivery_id: int, on: dt.date, note: str = "", waived: bool = False
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
    _past_date(on, "on", not_before=d.recovery_marked_on)
    errors: list[ValidationFailed] = []
    note = _text(note, "note", 500, errors, required=waived, label=("说明", "note"))
    if errors:
        raise errors[0]
    d.recovery, d.recovered_on = to, on
    if note:
        d.recovery_note = note
    return save_as(d, by=by, reason=str(to))


@transaction.atomic
def referral_record(
    *,
    by,
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
    note = _text(note, "note", 500, errors, label=("说明", "note"))
    if errors:
        raise errors[0]
    if outcome == Referral.SUBMITTED:
        _past_date(on, "on", not_before=e.starts_on)
        why = _not_due(e, on)
        if why:
            raise Conflict(f"不能申报：{why[0]}。", f"Cannot refer: {why[1]}.", field="on")
        e.referral_submitted_on = on
    else:
        _past_date(on, "on", not_before=e.referral_submitted_on)
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
    *, by, entitlement_id: int, starts_on: dt.date, ends_on: dt.date | None
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
def entitlement_end(*, by, entitlement_id: int, on: dt.date, reason: str) -> BenefitEntitlement:
    """End one entitlement from ``on`` (nothing of it falls due from that day); a replay changes nothing."""
    require_role(by, Role.TALENT_OFFICE)
    e = _entitlement_locked(entitlement_id)
    if e.status == E.ENDED:
        return e
    if not e.can_become(E.ENDED):
        raise TransitionNotAllowed(e, E.ENDED)
    reason = required_reason(reason, limit=2000)
    _past_date(on, "on", not_before=e.starts_on)
    e.status, e.status_changed_on, e.status_reason = E.ENDED, on, reason[:500]
    return save_as(e, by=by, reason=_why(f"ended: {reason}"))
