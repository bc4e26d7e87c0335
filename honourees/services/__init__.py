"""Every write of the intake side: nominations from draft to named, one service per transition.

Each service takes the acting user as ``by``, checks their role, locks the rows it changes, re-checks the
state under the lock, writes history with ``save_as`` and raises a DomainError a person can act on. None
takes a request, so the pages, the API, the management commands and workers all call the same code.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.errors import (
    Conflict,
    NotFound,
    NotPermitted,
    QuotaExceeded,
    TransitionNotAllowed,
    ValidationFailed,
)
from backend.history import save_as
from backend.money import quantize
from backend.roles import Role, has_role, require_role
from backend.workdays import notice_period
from honourees import eligibility, registry, stages
from honourees.fields import clean_nomination_fields, clean_person
from honourees.models import (
    Debarment,
    ExpertAssignment,
    Honouree,
    Nomination,
    Objection,
    RecommendingUnit,
    Round,
)
from honourees.services.people import person_lock_or_create
from honourees.signals import honouree_named

S = Nomination.Status


# --- helpers -----------------------------------------------------------------------------------------------


def _round_locked(round_id: int) -> Round:
    try:
        return Round.objects.select_for_update().select_related("scheme").get(pk=round_id)
    except Round.DoesNotExist:
        raise NotFound(
            f"评选批次 {round_id} 不存在。", f"Round {round_id} does not exist.", field="round"
        ) from None


def _nomination_locked(nomination_id: int) -> Nomination:
    try:
        return (
            Nomination.objects.select_for_update(of=("self",))
            .select_related("round__scheme", "unit", "person")
            .get(pk=nomination_id)
        )
    except Nomination.DoesNotExist:
        raise NotFound(
            f"推荐人选 {nomination_id} 不存在。",
            f"Nomination {nomination_id} does not exist.",
            field="nomination",
        ) from None


def _require_round_status(round_: Round, *statuses: str) -> None:
    if round_.status not in statuses:
        labels = "、".join(str(Round.Status(s).label) for s in statuses)
        raise Conflict(
            f"{round_} 当前为“{round_.get_status_display()}”，此操作只能在“{labels}”阶段进行。",
            f"{round_} is '{round_.status}'; this can only be done while it is {', '.join(statuses)}.",
        )


def _move(nomination: Nomination, to: str, *, by, reason: str = "") -> Nomination:
    """Change the status along the round's path (or to a side exit), with history."""
    if not nomination.can_become(to):
        raise TransitionNotAllowed(nomination, to)
    nomination.status = to
    return save_as(nomination, by=by, reason=reason or f"→ {to}")


def _require_step(nomination: Nomination, to: str) -> None:
    """The nomination stands right before ``to`` on its round's path."""
    round_ = nomination.round
    if not stages.uses(round_, to):
        raise Conflict(
            f"{round_} 的评选环节中没有“{S(to).label}”。", f"{round_} has no '{to}' step in its stages."
        )
    if nomination.status != stages.state_before(round_, to):
        raise TransitionNotAllowed(nomination, to)


def _batch(round_: Round, to: str) -> dict[int, Nomination]:
    """The round's nominations standing right before ``to``, locked, once every live one has got there.

    A batch step (shortlist, vote, proposal) decides about the whole field at once: a nomination still short
    of it would be left behind for good, so the step waits for everyone (or their removal). Counted before
    locking, so a nomination that moves up meanwhile is either counted as behind or found in the pool.
    """
    path = stages.path_for(round_)
    before = path[path.index(to) - 1]
    behind = Nomination.objects.filter(round=round_, status__in=path[1 : path.index(before)]).count()
    if behind:
        raise Conflict(
            f"还有 {behind} 名推荐人选没有完成前面的评审环节，请先完成或取消其资格。",
            f"{behind} nomination(s) have not finished the earlier review steps; finish or remove them first.",
        )
    pool = (
        Nomination.objects.select_for_update(of=("self",)).filter(round=round_, status=before).order_by("id")
    )
    if not pool:
        raise Conflict(
            f"没有等待“{S(to).label}”的推荐人选。", f"Nobody is waiting to become '{to}'.", field="status"
        )
    return {n.pk: n for n in pool}


def _can_edit_unit(by, unit: RecommendingUnit | None) -> bool:
    if has_role(by, Role.TALENT_OFFICE):
        return True
    return unit is not None and has_role(by, Role.UNIT_CLERK) and unit.clerks.filter(user=by).exists()


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


# --- intake ------------------------------------------------------------------------------------------------


@transaction.atomic
def nomination_save(
    *,
    by,
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
    round_ = _round_locked(round_id)
    _require_round_status(round_, Round.Status.OPEN)
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
    if not _can_edit_unit(by, unit):
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
        nomination = _nomination_locked(nomination_id)
        if nomination.round_id != round_.pk:
            raise ValidationFailed(
                "不能把推荐人选移到其他批次。", "A nomination cannot move to another round."
            )
        if nomination.status != S.DRAFT:
            raise Conflict(
                "已报送的推荐人选不能修改；请人才办退回后再改。",
                "A submitted nomination cannot be edited; ask the talent office to return it first.",
            )
        if not _can_edit_unit(by, nomination.unit):
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
def nomination_submit(*, by, nomination_id: int) -> Nomination:
    """Send a draft to the talent office: eligibility must not fail and the unit's quota must hold.

    The unit's row is locked before counting, so two clerks submitting the unit's last slot at the same
    moment are served one after the other and the second is refused (on SQLite the IMMEDIATE transaction
    serialises them instead).
    """
    # Lock order: round, nomination, unit (nomination_save also takes the round first). Holding the round
    # means a submission cannot slip in after the office has closed intake.
    round_id = Nomination.objects.filter(pk=nomination_id).values_list("round_id", flat=True).first()
    if round_id is not None:
        _round_locked(round_id)
    nomination = _nomination_locked(nomination_id)
    if nomination.unit_id:
        RecommendingUnit.objects.select_for_update().get(pk=nomination.unit_id)
    if not _can_edit_unit(by, nomination.unit):
        raise NotPermitted("只能报送本单位的推荐人选。", "You can only submit your own unit's nominations.")
    if nomination.status == S.SUBMITTED:
        return nomination  # a double click submits once
    _require_round_status(nomination.round, Round.Status.OPEN)
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
    return _move(nomination, S.SUBMITTED, by=by, reason="submitted")


@transaction.atomic
def nomination_return(*, by, nomination_id: int, reason: str) -> Nomination:
    """The office sends a submitted nomination back to the unit for correction (it frees the quota slot)."""
    require_role(by, Role.TALENT_OFFICE)
    nomination = _nomination_locked(nomination_id)
    if not reason.strip():
        raise ValidationFailed("请说明退回原因。", "Say why it is returned.", field="reason")
    nomination.review_note = reason
    return _move(nomination, S.DRAFT, by=by, reason=f"returned: {reason}")


@transaction.atomic
def nomination_withdraw(*, by, nomination_id: int, reason: str = "") -> Nomination:
    nomination = _nomination_locked(nomination_id)
    if not _can_edit_unit(by, nomination.unit):
        raise NotPermitted("只能撤回本单位的推荐人选。", "You can only withdraw your own unit's nominations.")
    if nomination.status == S.WITHDRAWN:
        return nomination  # withdrawing twice withdraws once
    return _move(nomination, S.WITHDRAWN, by=by, reason=f"withdrawn: {reason}")


# --- review ------------------------------------------------------------------------------------------------


@transaction.atomic
def round_set_status(*, by, round_id: int, status: str) -> Round:
    """Open a round for nominations, close intake for review, or reopen it (not notice or naming)."""
    require_role(by, Role.TALENT_OFFICE)
    round_ = _round_locked(round_id)
    if status in (Round.Status.IN_NOTICE, Round.Status.CLOSED):
        raise Conflict("公示和命名请使用相应的操作。", "Use the notice and naming actions for those.")
    if round_.status == Round.Status.IN_NOTICE:
        # Its candidates are in_notice and have no way back to proposed: leaving the notice here would
        # strand them. An objection removes one candidate (objection_decide); naming ends the notice.
        raise Conflict(
            f"{round_} 正在公示，不能退回评审；有异议请逐条核实。",
            f"{round_} is in its public notice and cannot go back to review; decide objections one by one.",
        )
    if round_.status == status:
        return round_
    if not round_.can_become(status):
        raise TransitionNotAllowed(round_, status)
    round_.status = status
    return save_as(round_, by=by)


@transaction.atomic
def nomination_qualify(*, by, nomination_id: int, judgements: dict, note: str = "") -> Nomination:
    """Qualification review: machine checks are run again, every judgement item needs a decision.

    ``judgements`` maps a check's index to ``{"ok": bool, "note": str}``. Any failed check or negative
    judgement rejects the nomination, with the reasons kept in ``review_note``.
    """
    require_role(by, Role.TALENT_OFFICE)
    nomination = _nomination_locked(nomination_id)
    _require_round_status(nomination.round, Round.Status.REVIEWING)
    if nomination.status != S.SUBMITTED:
        raise TransitionNotAllowed(nomination, S.QUALIFIED)
    results = eligibility.evaluate(nomination)
    judged = {str(r.index): r for r in results if r.outcome == eligibility.JUDGE}
    decided = {str(k): v for k, v in (judgements or {}).items()}
    errors = [
        ValidationFailed(r.zh, r.en, field=f"judgements[{i}]") for i, r in judged.items() if i not in decided
    ]
    if errors:
        raise ValidationFailed(
            "以下条件需要审核意见：" + "；".join(e.zh for e in errors),
            "These checks need a decision: " + "; ".join(e.en for e in errors),
            field="judgements",
            errors=errors,
        )
    for i, d in decided.items():
        if i not in judged:  # a decision on a machine check (or no check) would be stored but mean nothing
            errors.append(
                ValidationFailed(
                    f"第 {i} 项不是需要审核判断的条件。",
                    f"Check {i} is not one that needs a decision.",
                    field=f"judgements[{i}]",
                )
            )
        elif (
            not isinstance(d, dict)
            or not isinstance(d.get("ok"), bool)
            or set(d) - {"ok", "note"}
            or not isinstance(d.get("note") or "", str)
            or len(d.get("note") or "") > 500
        ):
            errors.append(
                ValidationFailed(
                    f"第 {i} 项审核意见应为 {{ok: true/false, note}}，说明不超过 500 字。",
                    f"The decision on check {i} must be {{ok: true/false, note}}, the note at most 500 characters.",
                    field=f"judgements[{i}]",
                )
            )
    if errors:
        raise ValidationFailed(
            f"审核意见有 {len(errors)} 处错误。",
            f"{len(errors)} error(s) in the decisions.",
            field="judgements",
            errors=errors,
        )
    reasons = [r.zh for r in results if r.outcome == eligibility.FAIL]
    for i, r in judged.items():
        if not decided[i]["ok"]:
            reasons.append(f"{r.zh}：{decided[i].get('note') or '不符合'}")
    nomination.eligibility = [r.as_dict() for r in results]
    nomination.judgements = {k: {"ok": v["ok"], "note": v.get("note") or ""} for k, v in decided.items()}
    nomination.review_note = "；".join(reasons) if reasons else note
    return _move(nomination, S.REJECTED if reasons else S.QUALIFIED, by=by, reason="qualification")


@transaction.atomic
def experts_assign(*, by, nomination_ids: list[int], expert_ids: list[int]) -> list[ExpertAssignment]:
    """Ask each expert to score each nomination (assigning twice changes nothing)."""
    from django.contrib.auth import get_user_model

    require_role(by, Role.TALENT_OFFICE)
    experts = list(get_user_model().objects.filter(pk__in=expert_ids))
    if len(experts) != len(set(expert_ids)) or not experts:
        raise ValidationFailed("请选择存在的评审专家。", "Choose existing expert reviewers.", field="experts")
    for expert in experts:
        if not has_role(expert, Role.EXPERT):
            raise ValidationFailed(
                f"{expert} 不是评审专家。", f"{expert} is not an expert reviewer.", field="experts"
            )
    made = []
    for nomination_id in nomination_ids:
        nomination = _nomination_locked(nomination_id)
        _require_round_status(nomination.round, Round.Status.REVIEWING)
        _require_step(nomination, S.SCORED)
        for expert in experts:
            assignment, created = ExpertAssignment.objects.get_or_create(nomination=nomination, expert=expert)
            made.append(assignment)
    return made


@transaction.atomic
def expert_score(*, by, assignment_id: int, score, comment: str = "") -> ExpertAssignment:
    """An expert scores one of their own assignments (0–100); the last score moves it to ``scored``."""
    require_role(by, Role.EXPERT)
    assignment = (
        ExpertAssignment.objects.select_for_update(of=("self",)).filter(pk=assignment_id, expert=by).first()
    )
    if assignment is None:  # someone else's assignment is as good as missing
        raise NotFound("没有这项评审任务。", "No such assignment of yours.", field="assignment")
    nomination = _nomination_locked(assignment.nomination_id)
    _require_round_status(nomination.round, Round.Status.REVIEWING)
    _require_step(nomination, S.SCORED)
    value = _score(score, field="score")
    assignment.score, assignment.comment, assignment.scored_at = value, comment, timezone.now()
    save_as(assignment, by=by)
    scores = list(nomination.assignments.values_list("score", flat=True))
    if all(s is not None for s in scores):
        nomination.score = quantize(sum(scores) / len(scores))
        _move(nomination, S.SCORED, by=by, reason="all experts scored")
    return assignment


def _by_id(mapping: dict, *, field: str) -> dict[int, object]:
    """``{nomination id: value}`` with the ids as ints, whether they came as 12 or "12"."""
    out = {}
    for key, value in mapping.items():
        try:
            nid = int(key)
        except (TypeError, ValueError):
            raise ValidationFailed(
                f"“{key}”不是推荐人选编号。", f"'{key}' is not a nomination id.", field=field
            ) from None
        if nid in out:
            raise ValidationFailed(
                f"推荐人选 {nid} 出现两次。", f"Nomination {nid} appears twice.", field=field
            )
        out[nid] = value
    return out


def _score(score, *, field: str) -> Decimal:
    """A mark of 0–100 with at most two decimals, from an int, a Decimal or a string (never a float)."""
    try:
        value = Decimal(str(score)) if not isinstance(score, float | bool) else None
    except ArithmeticError:
        value = None
    if (
        value is None
        or not value.is_finite()
        or not 0 <= value <= 100
        or value != value.quantize(Decimal("0.01"))
    ):
        raise ValidationFailed(
            f"评分应为 0–100 之间的数，最多两位小数，收到“{score}”。",
            f"A score is 0–100 with at most 2 decimals, not '{score}'.",
            field=field,
        )
    return value


def _ranked(nominations, key: str):
    return sorted(nominations, key=lambda n: (-(getattr(n, key) or 0), n.pk))


@transaction.atomic
def round_shortlist(*, by, round_id: int, nomination_ids: list[int] | None = None) -> list[Nomination]:
    """Keep the best by score (包头: ratio 1:1.5 of the number to name) or the office's own pick (巴渝: 50).

    Ties at the cut all stay in: the notice names a ratio, not a way to break a tie.
    """
    require_role(by, Role.TALENT_OFFICE)
    round_ = _round_locked(round_id)
    _require_round_status(round_, Round.Status.REVIEWING)
    if not stages.uses(round_, S.SHORTLISTED):
        raise Conflict(f"{round_} 没有入围环节。", f"{round_} has no shortlist stage.")
    pool = list(_batch(round_, S.SHORTLISTED).values())
    if "shortlist_ratio" in round_.rules:
        size = math.ceil(round_.target_count * Decimal(round_.rules["shortlist_ratio"]))
    else:
        size = round_.rules.get("shortlist_count", round_.target_count)
    if nomination_ids is not None:
        by_id = {n.pk: n for n in pool}
        unknown = [i for i in nomination_ids if i not in by_id]
        if unknown:
            raise ValidationFailed(
                f"这些推荐人选不在待入围名单中：{unknown}",
                f"Not waiting for the shortlist: {unknown}",
                field="nominations",
            )
        keep = {by_id[i] for i in nomination_ids}
        if len(keep) > size:  # 巴渝 §六(二): the office picks 50, not more
            raise ValidationFailed(
                f"入围名单最多 {size} 名，选了 {len(keep)} 名。",
                f"The shortlist holds at most {size}; {len(keep)} were picked.",
                field="nominations",
            )
    else:
        if any(n.score is None for n in pool):
            raise Conflict("还有推荐人选没有评分，不能按分数排序。", "Some nominations have no score yet.")
        ranked = _ranked(pool, "score")
        cut = ranked[size - 1].score if len(ranked) >= size else None
        keep = set(ranked[:size]) | ({n for n in ranked if n.score == cut} if cut is not None else set())
    for n in pool:
        n.round = round_
        _move(n, S.SHORTLISTED if n in keep else S.NOT_SELECTED, by=by, reason="shortlist")
    return [n for n in pool if n in keep]


@transaction.atomic
def round_record_votes(*, by, round_id: int, votes: dict[int, int]) -> list[Nomination]:
    """Online-vote counts for every candidate; the top ``online_vote_keep`` go on (all, when unset).

    All or nothing: a missing candidate, an unknown one or a bad count refuses the whole set.
    """
    require_role(by, Role.TALENT_OFFICE)
    round_ = _round_locked(round_id)
    _require_round_status(round_, Round.Status.REVIEWING)
    if not stages.uses(round_, S.VOTED):
        raise Conflict(f"{round_} 没有网络投票环节。", f"{round_} has no online vote.")
    pool = _batch(round_, S.VOTED)
    votes = _by_id(votes, field="votes")  # a JSON body gives the ids as strings
    errors = []
    for nid, count in votes.items():
        if nid not in pool:
            errors.append(
                ValidationFailed(
                    f"推荐人选 {nid} 不在投票名单中。",
                    f"Nomination {nid} is not up for the vote.",
                    field="nomination",
                )
            )
        elif isinstance(count, bool) or not isinstance(count, int) or count < 0:
            errors.append(
                ValidationFailed(
                    f"推荐人选 {nid} 的票数应为非负整数。",
                    f"Votes for {nid} must be a whole number ≥ 0.",
                    field="votes",
                )
            )
    for nid in pool.keys() - votes.keys():
        errors.append(
            ValidationFailed(
                f"缺少 {pool[nid].person} 的票数。", f"No vote count for {pool[nid].person}.", field="votes"
            )
        )
    if errors:
        raise ValidationFailed(
            f"投票数据有 {len(errors)} 处错误，均未保存。",
            f"{len(errors)} error(s); nothing saved.",
            errors=errors,
        )
    for nid, n in pool.items():
        n.vote_count = votes[nid]
    keep_n = round_.rules.get("online_vote_keep", len(pool))
    ranked = _ranked(pool.values(), "vote_count")
    cut = ranked[keep_n - 1].vote_count if len(ranked) >= keep_n and keep_n else None
    keep = set(ranked[:keep_n]) | ({n for n in ranked if n.vote_count == cut} if cut is not None else set())
    for n in ranked:
        n.round = round_
        _move(n, S.VOTED if n in keep else S.NOT_SELECTED, by=by, reason=f"online vote: {n.vote_count}")
    return [n for n in ranked if n in keep]


@transaction.atomic
def nomination_record_defense(*, by, nomination_id: int, score) -> Nomination:
    require_role(by, Role.TALENT_OFFICE)
    nomination = _nomination_locked(nomination_id)
    _require_round_status(nomination.round, Round.Status.REVIEWING)
    _require_step(nomination, S.DEFENDED)
    nomination.defense_score = _score(score, field="score")
    return _move(nomination, S.DEFENDED, by=by, reason="defense")


@transaction.atomic
def nomination_record_inspection(*, by, nomination_id: int, notes: str, passed: bool = True) -> Nomination:
    """Field-inspection notes; a candidate the inspection does not confirm leaves the list."""
    require_role(by, Role.TALENT_OFFICE)
    nomination = _nomination_locked(nomination_id)
    _require_round_status(nomination.round, Round.Status.REVIEWING)
    _require_step(nomination, S.INSPECTED)
    if not notes.strip():
        raise ValidationFailed("请填写考察情况。", "Write down what the inspection found.", field="notes")
    nomination.inspection_notes = notes
    return _move(nomination, S.INSPECTED if passed else S.NOT_SELECTED, by=by, reason="field inspection")


@transaction.atomic
def round_propose(*, by, round_id: int, tiers: dict[int, str], note: str = "") -> list[Nomination]:
    """The committee's list: who is proposed, in which tier; the rest are not selected.

    Checked here: the tiers exist in the round, no more are named than the round names (and per tier where
    ``tier_counts`` says), and each category cap holds (巴陵 §一: traditional and other crafts ≤ 20% of
    those named).
    """
    require_role(by, Role.TALENT_OFFICE)
    round_ = _round_locked(round_id)
    _require_round_status(round_, Round.Status.REVIEWING)
    pool = _batch(round_, S.PROPOSED)
    tiers = _by_id(tiers, field="tiers")
    if "named" not in tiers.values():
        raise ValidationFailed(
            "拟命名名单中至少要有一名“named”。",
            "The proposed list must name at least one person.",
            field="tiers",
        )
    errors = []
    for nid, tier in tiers.items():
        if nid not in pool:
            errors.append(
                ValidationFailed(
                    f"推荐人选 {nid} 不在待决定名单中。",
                    f"Nomination {nid} is not awaiting the decision.",
                    field="nomination",
                )
            )
        if tier not in round_.rules.get("tiers", []):
            errors.append(
                ValidationFailed(
                    f"“{tier}”不是本批次的命名类别。", f"'{tier}' is not a tier of this round.", field="tier"
                )
            )
    if errors:
        raise ValidationFailed("拟命名名单有误。", "The proposed list has errors.", errors=errors)
    counts = Counter(tiers.values())
    limits = dict(round_.rules.get("tier_counts", {}))
    limits.setdefault("named", round_.target_count)
    for tier, limit in limits.items():
        if counts[tier] > limit:
            raise ValidationFailed(
                f"“{tier}”拟命名 {counts[tier]} 名，超过 {limit} 名。",
                f"{counts[tier]} proposed as '{tier}', more than {limit}.",
                field="tiers",
            )
    named = [pool[nid] for nid, t in tiers.items() if t == "named"]
    for cap in round_.rules.get("category_caps", []):
        capped = sum(1 for n in named if n.category in cap["categories"])
        share = Decimal(cap["max_share"])
        if capped > share * len(named):
            labels = "、".join(str(Nomination.Category(c).label) for c in cap["categories"])
            raise ValidationFailed(
                f"{labels}类拟命名 {capped} 名，超过命名总数 {len(named)} 名的 {share:.0%}。",
                f"{capped} of {len(named)} named are {', '.join(cap['categories'])}: more than {share:.0%}.",
                field="category_caps",
            )
    for nid, n in pool.items():
        n.round = round_
        if nid in tiers:
            n.tier = tiers[nid]
            n.committee_note = note
            _move(n, S.PROPOSED, by=by, reason=f"proposed as {tiers[nid]}")
        else:
            _move(n, S.NOT_SELECTED, by=by, reason="not proposed")
    return [pool[nid] for nid in tiers]


@transaction.atomic
def round_start_notice(*, by, round_id: int, starts_on: dt.date) -> Round:
    """Publish the proposed list: the notice's end is counted in working days (holidays and 调休 included)."""
    require_role(by, Role.TALENT_OFFICE)
    round_ = _round_locked(round_id)
    _require_round_status(round_, Round.Status.REVIEWING)
    if not stages.uses_notice(round_):
        raise Conflict(f"{round_} 不设公示环节。", f"{round_} has no public notice.")
    proposed = list(
        Nomination.objects.select_for_update(of=("self",)).filter(round=round_, status=S.PROPOSED)
    )
    if not proposed:
        raise Conflict("还没有拟命名人选。", "Nobody has been proposed yet.")
    period = notice_period(starts_on, round_.notice_working_days)
    round_.notice_starts_on, round_.notice_ends_on, round_.notice_calendar = (
        period.start,
        period.end,
        period.calendar,
    )
    round_.status = Round.Status.IN_NOTICE
    save_as(round_, by=by, reason=f"notice {period.start}–{period.end}")
    for n in proposed:
        n.round = round_
        _move(n, S.IN_NOTICE, by=by, reason="public notice")
    return round_


@transaction.atomic
def objection_record(*, by, nomination_id: int, received_on: dt.date, summary: str) -> Objection:
    """An objection against a candidate in notice; until it is decided, the round is not named."""
    require_role(by, Role.TALENT_OFFICE)
    nomination = _nomination_locked(nomination_id)
    if nomination.status != S.IN_NOTICE:
        raise Conflict(
            "只能对公示中的人选登记异议。", "Objections are recorded against candidates in notice."
        )
    if not summary.strip():
        raise ValidationFailed("请填写异议内容。", "Write down the objection.", field="summary")
    starts = nomination.round.notice_starts_on
    if starts and received_on < starts:  # one received after the end but before naming is still heard
        raise ValidationFailed(
            f"公示从 {starts} 开始，{received_on} 收到的不是对公示的异议。",
            f"The notice began on {starts}; something received on {received_on} is not an objection to it.",
            field="received_on",
        )
    return save_as(Objection(nomination=nomination, received_on=received_on, summary=summary), by=by)


def _disqualify(nomination: Nomination, *, by, reason: str, false_claims: bool, on: dt.date) -> Nomination:
    nomination.review_note = reason
    _move(nomination, S.DISQUALIFIED, by=by, reason=f"disqualified: {reason}")
    years = nomination.round.rules.get("debarment_years")
    if false_claims and years:
        # 巴陵 notice §五(二): false claims → disqualified and barred from applying for 3 years.
        save_as(
            Debarment(
                person=nomination.person,
                scheme=nomination.round.scheme,
                reason=reason,
                starts_on=on,
                # The last barred day: 3 years from 2023-10-09 is 2026-10-09, so through 2026-10-08
                # (relativedelta takes 02-29 to 02-28 where that year has none).
                ends_on=on + relativedelta(years=years) - dt.timedelta(days=1),
                source=nomination,
            ),
            by=by,
        )
    return nomination


@transaction.atomic
def objection_decide(
    *,
    by,
    objection_id: int,
    upheld: bool,
    finding: str,
    false_claims: bool = False,
    on: dt.date | None = None,
) -> Objection:
    """Record the finding; an upheld objection removes the candidate (and debars for false claims)."""
    require_role(by, Role.TALENT_OFFICE)
    objection = Objection.objects.select_for_update().filter(pk=objection_id).first()
    if objection is None:
        raise NotFound("异议不存在。", "No such objection.", field="objection")
    if objection.outcome != Objection.Outcome.PENDING:
        raise Conflict("这条异议已有结论。", "This objection has already been decided.")
    if not finding.strip():
        raise ValidationFailed("请填写核实情况。", "Write down the finding.", field="finding")
    on = on or timezone.localdate()
    objection.outcome = Objection.Outcome.UPHELD if upheld else Objection.Outcome.DISMISSED
    objection.finding, objection.decided_by, objection.decided_on = finding, by, on
    save_as(objection, by=by)
    if upheld:
        nomination = _nomination_locked(objection.nomination_id)
        _disqualify(nomination, by=by, reason=f"异议属实：{finding}", false_claims=false_claims, on=on)
    return objection


@transaction.atomic
def nomination_disqualify(
    *, by, nomination_id: int, reason: str, false_claims: bool = False, on: dt.date | None = None
) -> Nomination:
    """Remove a candidate at any stage before naming (e.g. false claims found), debarring where the rules say."""
    require_role(by, Role.TALENT_OFFICE)
    if not reason.strip():
        raise ValidationFailed("请说明取消资格的原因。", "Say why.", field="reason")
    nomination = _nomination_locked(nomination_id)
    return _disqualify(
        nomination, by=by, reason=reason, false_claims=false_claims, on=on or timezone.localdate()
    )


@transaction.atomic
def round_name(*, by, round_id: int, named_on: dt.date, naming_document: str = "") -> list[Honouree]:
    """Name the list: an Honouree per candidate, and the funding and registry sides told in this transaction.

    With a public notice, only after it has ended (the day after its last working day at the earliest)
    and with every objection decided.
    """
    require_role(by, Role.TALENT_OFFICE)
    round_ = _round_locked(round_id)
    if stages.uses_notice(round_):
        _require_round_status(round_, Round.Status.IN_NOTICE)
        if named_on <= round_.notice_ends_on:
            raise Conflict(
                f"公示到 {round_.notice_ends_on} 结束，{named_on} 还不能命名。",
                f"The notice runs until {round_.notice_ends_on}; naming on {named_on} is too early.",
                field="named_on",
            )
        waiting = S.IN_NOTICE
    else:
        _require_round_status(round_, Round.Status.REVIEWING)
        waiting = S.PROPOSED
    candidates = list(
        Nomination.objects.select_for_update(of=("self",))
        .select_related("person")
        .filter(round=round_, status=waiting)
        .order_by("unit_id", "id")
    )
    # Counted only once the candidates are locked: objection_record locks its nomination before adding the
    # objection, so one recorded at this very moment is either committed and counted here, or waits and
    # then finds its candidate named. Counting first would let it slip in between.
    # (An objection against someone already withdrawn or removed no longer holds up the others.)
    pending = Objection.objects.filter(
        nomination__in=[n.pk for n in candidates], outcome=Objection.Outcome.PENDING
    ).count()
    if pending:
        raise Conflict(f"还有 {pending} 条异议未核实。", f"{pending} objection(s) still need a finding.")
    if not candidates:
        raise Conflict("没有可命名的人选。", "There is nobody to name.")
    honourees = []
    for n in candidates:
        n.round = round_
        _move(n, S.NAMED, by=by, reason="named")
        honouree = save_as(
            Honouree(
                person=n.person,
                round=round_,
                nomination=n,
                tier=n.tier or "named",
                certificate_no=registry.next_certificate_number(
                    round_
                ),  # the round's pattern, never a taken one
                named_on=named_on,
                naming_document=naming_document,
            ),
            by=by,
        )
        honourees.append(honouree)
        registry.entitlements_grant(honouree=honouree, by=by)  # the round's benefits, in this transaction
    round_.status, round_.naming_document = Round.Status.CLOSED, naming_document
    save_as(round_, by=by, reason="named")
    # Receivers (the funding plan, benefit entitlements) run inside this transaction: if one fails,
    # nobody is named.
    for honouree in honourees:
        honouree_named.send(sender=Honouree, honouree=honouree, by=by)
    return honourees


def nominations_waiting(round_: Round, status: str):
    """The nominations standing right before ``status`` on the round's path."""
    return Nomination.objects.filter(round=round_, status=stages.state_before(round_, status))
