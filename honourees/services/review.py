"""Review: a round's intake closed for review, then qualification, expert scores, the shortlist, the
online vote, the defense and the field inspection, each along the round's own path (honourees.stages).

Every service takes the acting user as ``by``, checks their role, locks what it changes and re-checks the
state under the lock. The committee's list, the notice and the naming are ``honourees.services.naming``.
"""

from __future__ import annotations

import math
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from backend.errors import Conflict, NotFound, TransitionNotAllowed, ValidationFailed
from backend.history import save_as
from backend.money import quantize
from backend.roles import Role, has_role, require_role
from honourees import eligibility, stages
from honourees.models import ExpertAssignment, Nomination, Round
from honourees.services.core import (
    batch,
    by_id,
    move,
    nomination_locked,
    require_round_status,
    require_step,
    round_locked,
)

S = Nomination.Status


@transaction.atomic
def round_set_status(*, by: User, round_id: int, status: str) -> Round:
    """Open a round for nominations, close intake for review, or reopen it (not notice or naming)."""
    require_role(by, Role.TALENT_OFFICE)
    round_ = round_locked(round_id)
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
def nomination_qualify(*, by: User, nomination_id: int, judgements: dict, note: str = "") -> Nomination:
    """Qualification review: machine checks are run again, every judgement item needs a decision.

    ``judgements`` maps a check's index to ``{"ok": bool, "note": str}``. Any failed check or negative
    judgement rejects the nomination, with the reasons kept in ``review_note``.
    """
    require_role(by, Role.TALENT_OFFICE)
    nomination = nomination_locked(nomination_id)
    require_round_status(nomination.round, Round.Status.REVIEWING)
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
    return move(nomination, S.REJECTED if reasons else S.QUALIFIED, by=by, reason="qualification")


@transaction.atomic
def experts_assign(*, by: User, nomination_ids: list[int], expert_ids: list[int]) -> list[ExpertAssignment]:
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
        nomination = nomination_locked(nomination_id)
        require_round_status(nomination.round, Round.Status.REVIEWING)
        require_step(nomination, S.SCORED)
        for expert in experts:
            assignment, created = ExpertAssignment.objects.get_or_create(nomination=nomination, expert=expert)
            made.append(assignment)
    return made


@transaction.atomic
def expert_score(
    *, by: User, assignment_id: int, score: Decimal | int | str, comment: str = ""
) -> ExpertAssignment:
    """An expert scores one of their own assignments (0–100); the last score moves it to ``scored``."""
    require_role(by, Role.EXPERT)
    assignment = (
        ExpertAssignment.objects.select_for_update(of=("self",)).filter(pk=assignment_id, expert=by).first()
    )
    if assignment is None:  # someone else's assignment is as good as missing
        raise NotFound("没有这项评审任务。", "No such assignment of yours.", field="assignment")
    nomination = nomination_locked(assignment.nomination_id)
    require_round_status(nomination.round, Round.Status.REVIEWING)
    require_step(nomination, S.SCORED)
    value = _score(score, field="score")
    assignment.score, assignment.comment, assignment.scored_at = value, comment, timezone.now()
    save_as(assignment, by=by)
    scores = list(nomination.assignments.values_list("score", flat=True))
    if all(s is not None for s in scores):
        nomination.score = quantize(sum(scores) / len(scores))
        move(nomination, S.SCORED, by=by, reason="all experts scored")
    return assignment


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
def round_shortlist(*, by: User, round_id: int, nomination_ids: list[int] | None = None) -> list[Nomination]:
    """Keep the best by score (包头: ratio 1:1.5 of the number to name) or the office's own pick (巴渝: 50).

    Ties at the cut all stay in: the notice names a ratio, not a way to break a tie.
    """
    require_role(by, Role.TALENT_OFFICE)
    round_ = round_locked(round_id)
    require_round_status(round_, Round.Status.REVIEWING)
    if not stages.uses(round_, S.SHORTLISTED):
        raise Conflict(f"{round_} 没有入围环节。", f"{round_} has no shortlist stage.")
    pool = list(batch(round_, S.SHORTLISTED).values())
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
        move(n, S.SHORTLISTED if n in keep else S.NOT_SELECTED, by=by, reason="shortlist")
    return [n for n in pool if n in keep]


@transaction.atomic
def round_record_votes(*, by: User, round_id: int, votes: dict[int, int]) -> list[Nomination]:
    """Online-vote counts for every candidate; the top ``online_vote_keep`` go on (all, when unset).

    All or nothing: a missing candidate, an unknown one or a bad count refuses the whole set.
    """
    require_role(by, Role.TALENT_OFFICE)
    round_ = round_locked(round_id)
    require_round_status(round_, Round.Status.REVIEWING)
    if not stages.uses(round_, S.VOTED):
        raise Conflict(f"{round_} 没有网络投票环节。", f"{round_} has no online vote.")
    pool = batch(round_, S.VOTED)
    votes = by_id(votes, field="votes")  # a JSON body gives the ids as strings
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
        move(n, S.VOTED if n in keep else S.NOT_SELECTED, by=by, reason=f"online vote: {n.vote_count}")
    return [n for n in ranked if n in keep]


@transaction.atomic
def nomination_record_defense(*, by: User, nomination_id: int, score: Decimal | int | str) -> Nomination:
    require_role(by, Role.TALENT_OFFICE)
    nomination = nomination_locked(nomination_id)
    require_round_status(nomination.round, Round.Status.REVIEWING)
    require_step(nomination, S.DEFENDED)
    nomination.defense_score = _score(score, field="score")
    return move(nomination, S.DEFENDED, by=by, reason="defense")


@transaction.atomic
def nomination_record_inspection(
    *, by: User, nomination_id: int, notes: str, passed: bool = True
) -> Nomination:
    """Field-inspection notes; a candidate the inspection does not confirm leaves the list."""
    require_role(by, Role.TALENT_OFFICE)
    nomination = nomination_locked(nomination_id)
    require_round_status(nomination.round, Round.Status.REVIEWING)
    require_step(nomination, S.INSPECTED)
    if not notes.strip():
        raise ValidationFailed("请填写考察情况。", "Write down what the inspection found.", field="notes")
    nomination.inspection_notes = notes
    return move(nomination, S.INSPECTED if passed else S.NOT_SELECTED, by=by, reason="field inspection")


def nominations_waiting(round_: Round, status: str) -> QuerySet[Nomination]:
    """The nominations standing right before ``status`` on the round's path."""
    return Nomination.objects.filter(round=round_, status=stages.state_before(round_, status))
