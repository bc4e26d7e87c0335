"""Intake: a nomination from draft to submitted (saved, submitted, withdrawn, returned), and the quota.

Each service takes the acting user as ``by``, checks their role, locks the rows it changes, re-checks the
state under the lock, writes history with ``save_as`` and raises a DomainError a person can act on. None
takes a request, so the pages, the API, the management commands and workers all call the same code.
Opening and closing a round's intake is ``review.round_set_status``; attachments are
``honourees.attachments``.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.errors import Conflict, NotPermitted, QuotaExceeded, TransitionNotAllowed, ValidationFailed
from backend.history import save_as
from backend.roles import Role, require_role
from backend.workdays import notice_period
from honourees import eligibility
from honourees.fields import clean_nomination_fields, clean_person
from honourees.models import Nomination, RecommendingUnit, Round
from honourees.services.core import can_edit_unit, move, nomination_locked, require_round_status, round_locked
from honourees.services.people import person_lock_or_create

S = Nomination.Status


def quota_for(round_: Round, unit: RecommendingUnit) -> int:
    """How many nominations the unit may send to the round (0 when its type has no quota)."""
    top = next((q["max"] for q in round_.rules.get("quotas", []) if q["unit_type"] == unit.unit_type), 0)
    if top and unit.is_pilot:
        top += round_.rules.get("pilot_extra", 0)  # 包头 §四(一): reform pilot units may add 1–2
    return top


def quota_used(round_: Round, unit: RecommendingUnit) -> int:
    return (
        Nomination.objects.filter(round=round_, unit=unit).exclude(status__in=Nomination.NOT_COUNTED).count()
    )


@transaction.atomic
def nomination_save(
    *,
    by: User,
    round_id: int,
    person: dict,
    fields: dict,
    unit_id: int | None = None,
    channel: str = Nomination.Channel.UNIT,
    nomination_id: int | None = None,
    row: int | None = None,
) -> Nomination:
    """Create a draft nomination, or update one still in draft; every bad field is reported at once.

    ``person`` holds id_number, name, gender and birth_date; ``fields`` the 申报表's other fields
    (honourees.fields lists them). ``row`` is put on each error when the data came from a file row.
    """
    round_ = round_locked(round_id)
    require_round_status(round_, Round.Status.OPEN)
    if channel not in round_.rules.get("channels", []):
        raise ValidationFailed(
            f"{round_} 不接受“{Nomination.Channel(channel).label if channel in Nomination.Channel.values else channel}”渠道。",
            f"{round_} does not take nominations through the '{channel}' channel.",
            field="channel",
            row=row,
        )
    unit = None
    if channel == Nomination.Channel.UNIT:
        unit = RecommendingUnit.objects.filter(pk=unit_id, scheme=round_.scheme).first() if unit_id else None
        if unit is None:
            raise ValidationFailed(
                "单位推荐须选择本项目的推荐单位。",
                "A unit nomination needs one of the scheme's units.",
                field="unit",
                row=row,
            )
    if not can_edit_unit(by, unit):
        raise NotPermitted(
            "只有本单位的经办人或人才办可以填报。",
            "Only the unit's own clerk or the talent office may do this.",
        )

    errors: list[ValidationFailed] = []
    person_data = clean_person(person, errors, row=row)
    cleaned = clean_nomination_fields(fields, errors, row=row)
    if errors:
        raise ValidationFailed(
            f"申报信息有 {len(errors)} 处错误。",
            f"The nomination has {len(errors)} error(s).",
            field=errors[0].field if len(errors) == 1 else None,
            row=row,
            errors=errors,
        )

    _check_routes(round_, cleaned, row)
    who = person_lock_or_create(person_data, by=by, row=row)
    bar = eligibility.active_debarment(who, round_.scheme)
    if bar:
        zh, en = eligibility.debarment_message(bar)
        raise ValidationFailed(f"{who.name}：{zh}", f"{who.name}: {en}", field="id_number", row=row)

    if nomination_id is None:
        nomination = Nomination(round=round_, unit=unit, channel=channel, person=who)
    else:
        nomination = nomination_locked(nomination_id)
        if nomination.round_id != round_.pk:
            raise ValidationFailed(
                "不能把推荐人选移到其他批次。", "A nomination cannot move to another round."
            )
        if nomination.status != S.DRAFT:
            raise Conflict(
                "已报送的推荐人选不能修改；请人才办退回后再改。",
                "A submitted nomination cannot be edited; ask the talent office to return it first.",
            )
        if not can_edit_unit(by, nomination.unit):
            raise NotPermitted("只能修改本单位的推荐人选。", "You can only edit your own unit's nominations.")
        nomination.unit, nomination.channel, nomination.person = unit, channel, who
    for name, value in cleaned.items():
        setattr(nomination, name, value)
    try:
        with transaction.atomic():
            save_as(nomination, by=by, reason="saved")
    except IntegrityError:
        raise ValidationFailed(
            f"{who.name} 已在 {round_} 中被推荐。",
            f"{who.name} is already nominated in {round_}.",
            field="id_number",
            row=row,
        ) from None
    return nomination


def _check_unit_notice(nomination: Nomination) -> None:
    """包头 §五(一): a unit publishes its candidates for ≥ N working days before it recommends them."""
    days = nomination.round.rules.get("unit_notice_working_days")
    if not days or nomination.channel != Nomination.Channel.UNIT:
        return
    start = nomination.unit_notice_starts_on
    if start is None:
        raise ValidationFailed(
            f"请填写本单位公示的开始日期（本单位须公示不少于 {days} 个工作日）。",
            f"Enter the date the unit's own notice began (it must run at least {days} working days).",
            field="unit_notice_starts_on",
        )
    ends = notice_period(start, days).end
    if timezone.localdate() <= ends:
        raise ValidationFailed(
            f"本单位公示 {days} 个工作日到 {ends} 结束，结束后才能报送。",
            f"The unit's notice of {days} working days runs until {ends}; submit after that.",
            field="unit_notice_starts_on",
        )


def _check_routes(round_: Round, cleaned: dict, row: int | None) -> None:
    """Claimed routes must be codes the round's rules know (包头's six routes, 巴渝's alternatives)."""
    known = set()
    for check in round_.rules.get("eligibility", []):
        params = check.get("params", {})
        known |= {r["code"] for r in params.get("routes", [])} | set(params.get("alternatives", []))
    unknown = [c for c in cleaned.get("claimed_routes", []) if c not in known]
    if unknown:
        raise ValidationFailed(
            f"申报途径 {unknown} 不是本批次规则中的途径（可选：{sorted(known) or '无'}）。",
            f"Routes {unknown} are not in this round's rules (known: {sorted(known) or 'none'}).",
            field="claimed_routes",
            row=row,
        )


@transaction.atomic
def nomination_submit(*, by: User, nomination_id: int) -> Nomination:
    """Send a draft to the talent office: eligibility must not fail and the unit's quota must hold.

    The unit's row is locked before counting, so two clerks submitting the unit's last slot at the same
    moment are served one after the other and the second is refused (on SQLite the IMMEDIATE transaction
    serialises them instead).
    """
    # Lock order: round, nomination, unit (nomination_save also takes the round first). Holding the round
    # means a submission cannot slip in after the office has closed intake.
    round_id = Nomination.objects.filter(pk=nomination_id).values_list("round_id", flat=True).first()
    if round_id is not None:
        round_locked(round_id)
    nomination = nomination_locked(nomination_id)
    if nomination.unit_id:
        RecommendingUnit.objects.select_for_update().get(pk=nomination.unit_id)
    if not can_edit_unit(by, nomination.unit):
        raise NotPermitted("只能报送本单位的推荐人选。", "You can only submit your own unit's nominations.")
    if nomination.status == S.SUBMITTED:
        return nomination  # a double click submits once
    require_round_status(nomination.round, Round.Status.OPEN)
    if not nomination.can_become(S.SUBMITTED):
        raise TransitionNotAllowed(nomination, S.SUBMITTED)

    results = eligibility.evaluate(nomination)
    failed = [r for r in results if r.outcome == eligibility.FAIL]
    if failed:
        raise ValidationFailed(
            "不符合申报条件：" + "；".join(r.zh for r in failed),
            "Not eligible: " + "; ".join(r.en for r in failed),
            field="eligibility",
            errors=[ValidationFailed(r.zh, r.en, field=f"eligibility[{r.index}]") for r in failed],
        )
    _check_unit_notice(nomination)
    if nomination.unit_id:
        allowed = quota_for(nomination.round, nomination.unit)
        used = quota_used(nomination.round, nomination.unit)
        if used >= allowed:
            raise QuotaExceeded(
                f"{nomination.unit} 在 {nomination.round} 的推荐名额为 {allowed} 名，已报送 {used} 名，不能再报送。",
                f"{nomination.unit} may send {allowed} nomination(s) to {nomination.round} and has sent {used}.",
                field="unit",
            )
    nomination.eligibility = [r.as_dict() for r in results]
    nomination.submitted_at = timezone.now()
    return move(nomination, S.SUBMITTED, by=by, reason="submitted")


@transaction.atomic
def nomination_return(*, by: User, nomination_id: int, reason: str) -> Nomination:
    """The office sends a submitted nomination back to the unit for correction (it frees the quota slot)."""
    require_role(by, Role.TALENT_OFFICE)
    nomination = nomination_locked(nomination_id)
    if not reason.strip():
        raise ValidationFailed("请说明退回原因。", "Say why it is returned.", field="reason")
    nomination.review_note = reason
    return move(nomination, S.DRAFT, by=by, reason=f"returned: {reason}")


@transaction.atomic
def nomination_withdraw(*, by: User, nomination_id: int, reason: str = "") -> Nomination:
    nomination = nomination_locked(nomination_id)
    if not can_edit_unit(by, nomination.unit):
        raise NotPermitted("只能撤回本单位的推荐人选。", "You can only withdraw your own unit's nominations.")
    if nomination.status == S.WITHDRAWN:
        return nomination  # withdrawing twice withdraws once
    return move(nomination, S.WITHDRAWN, by=by, reason=f"withdrawn: {reason}")
