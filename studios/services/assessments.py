"""The round's rubric and the studios' annual assessment: opened, scored, recorded, rectified, made final.

Decisions:

- **Assessment**: opened by the office for a period that has begun, scored by assessors, recorded by the
  office once the period has ended. The logs count verified sessions up to the period's end; a
  re-assessment after rectification counts them up to the re-assessment day (at most the rectification
  deadline). Rubric changes are refused once a result of the round has been recorded.
- Recording a result and making a fail final tell funding (``studios.signals.assessment_recorded``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from backend.errors import Conflict, NotPermitted, TransitionNotAllowed, ValidationFailed
from backend.history import save_as
from backend.roles import Role, require_role
from honourees.models import Round
from studios import permissions, selectors
from studios import rubric as rub
from studios.models import Assessment, AssessorSheet, Studio, StudioRubric
from studios.services import checks
from studios.signals import assessment_recorded

A = Assessment.Status
# A line or a cap as the office gives it: a Decimal, or a number written out ("60", "0.2").
Number = Decimal | int | str


@transaction.atomic
def rubric_save(
    *,
    by: User,
    round_id: int,
    items: list[dict],
    pass_line: Number,
    excellent_line: Number,
    excellent_cap: Number | None = None,
    rectification_months: int = 3,
) -> StudioRubric:
    """Set a round's rubric; refused once a result of the round has been recorded (it would change its meaning)."""
    require_role(by, Role.TALENT_OFFICE)
    round_ = Round.objects.select_for_update().filter(pk=round_id).first()
    if round_ is None:
        raise checks.not_found("评选批次", "Round", round_id, "round")
    if Assessment.objects.filter(studio__honouree__round=round_).exclude(status=A.OPEN).exists():
        raise Conflict(
            "本批次已有考核结果，评分细则不能再改。",
            "Results of this round have been recorded; the rubric cannot change.",
            field="items",
        )
    try:
        pass_line, excellent_line = Decimal(str(pass_line)), Decimal(str(excellent_line))
        excellent_cap = None if excellent_cap in (None, "") else Decimal(str(excellent_cap))
    except InvalidOperation:
        raise ValidationFailed(
            "合格线、优秀线和优秀比例须为数字。", "The lines and the cap are numbers.", field="pass_line"
        ) from None
    parsed = rub.parse_items(items)
    rub.check_lines(parsed, pass_line=pass_line, excellent_line=excellent_line, excellent_cap=excellent_cap)
    if not isinstance(rectification_months, int) or not 0 < rectification_months <= 24:
        raise ValidationFailed(
            "整改期应为 1–24 个月。", "The rectification period is 1–24 months.", field="rectification_months"
        )
    obj = StudioRubric.objects.filter(round=round_).first() or StudioRubric(round=round_)
    obj.items, obj.pass_line, obj.excellent_line = items, pass_line, excellent_line
    obj.excellent_cap, obj.rectification_months = excellent_cap, rectification_months
    return save_as(obj, by=by, reason="rubric saved")


def _assessment_locked(by, assessment_id) -> tuple[StudioRubric, Assessment]:
    """Lock order: the round's rubric (so 优秀 under a cap is handed out one at a time), then the assessment."""
    found = (
        selectors.assessments_for(by)
        .filter(pk=assessment_id)
        .values_list("studio__honouree__round_id", flat=True)
        .first()
    )
    if found is None:
        raise checks.not_found("考核", "Assessment", assessment_id, "assessment")
    rubric = StudioRubric.objects.select_for_update().filter(round_id=found).first()
    if rubric is None:
        raise Conflict(
            "本批次还没有评分细则，请人才办先设置。",
            "The round has no assessment rubric yet; the talent office sets it first.",
            field="rubric",
        )
    return rubric, Assessment.objects.select_for_update(of=("self",)).select_related("studio__honouree").get(
        pk=assessment_id
    )


@transaction.atomic
def assessment_open(*, by: User, studio_id: int, period: int) -> Assessment:
    """Open a period's assessment (once per studio and period; asking again returns it)."""
    require_role(by, Role.TALENT_OFFICE)
    studio = checks.studio_locked(by, studio_id)
    existing = Assessment.objects.filter(studio=studio, period=period).first()
    if existing is not None:
        return existing
    if studio.status != Studio.Status.ESTABLISHED:
        raise Conflict(
            "工作室挂牌后才能考核。", "A studio is assessed once it is established.", field="studio"
        )
    if not isinstance(period, int) or period < 1:
        raise ValidationFailed(
            "考核期应为正整数（1 = 挂牌后第一年）。",
            "The period is a whole number from 1 (the first year).",
            field="period",
        )
    if not StudioRubric.objects.filter(round_id=studio.honouree.round_id).exists():
        raise Conflict(
            "本批次还没有评分细则，请先设置。",
            "The round has no assessment rubric yet; set it first.",
            field="rubric",
        )
    start, end = selectors.period_bounds(studio.plaque_date, period)
    if start > timezone.localdate():
        raise ValidationFailed(
            f"第 {period} 个考核期从 {start} 开始，还没到。",
            f"Period {period} starts on {start}; it has not begun.",
            field="period",
        )
    return save_as(
        Assessment(studio=studio, period=period, starts_on=start, ends_on=end, opened_by=by),
        by=by,
        reason="opened",
    )


def _points(value, item: rub.Item, errors: list) -> Decimal | None:
    try:
        points = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        points = None
    if isinstance(value, bool | float) or points is None or not points.is_finite():
        checks.err(
            errors,
            item.code,
            f"“{item.zh}”的得分“{value}”不是数字。",
            f"'{item.en}': '{value}' is not a number.",
        )
        return None
    if not 0 <= points <= item.max or points != points.quantize(Decimal("0.01")):
        checks.err(
            errors,
            item.code,
            f"“{item.zh}”的得分应在 0–{item.max} 之间，最多两位小数，收到 {value}。",
            f"'{item.en}' takes 0–{item.max} points with at most two decimals, not {value}.",
        )
        return None
    return points


@transaction.atomic
def assessment_score(
    *, by: User, assessment_id: int, scores: dict[str, object], comment: str = ""
) -> AssessorSheet:
    """An assessor's points for every assessor item of the current attempt (replacing their earlier sheet)."""
    rubric, assessment = _assessment_locked(by, assessment_id)
    if not permissions.may_assess(by, assessment.studio):
        raise NotPermitted(
            "只有本工作室的考核专家或人才办可以打分。",
            "Only the studio's assessors or the talent office may score.",
        )
    if assessment.status not in Assessment.SCORING:
        raise Conflict(
            "考核结果已记录，不能再打分。",
            "The result has been recorded; scoring is closed.",
            field="assessment",
        )
    items = [i for i in rubric.parsed_items() if not i.computed]
    scores = dict(scores or {})
    errors: list = []
    unknown = sorted(set(scores) - {i.code for i in items})
    for code in unknown:
        checks.err(errors, code, f"“{code}”不是评审打分项。", f"'{code}' is not an item the assessors score.")
    clean = {}
    for item in items:
        if item.code not in scores or scores[item.code] in (None, ""):
            checks.err(
                errors,
                item.code,
                f"请为“{item.zh}”打分（0–{item.max}）。",
                f"Score '{item.en}' (0–{item.max}).",
            )
            continue
        points = _points(scores[item.code], item, errors)
        if points is not None:
            clean[item.code] = str(points)
    comment = checks.text(
        comment, field="comment", zh="评语", en="comment", limit=checks.NOTES_MAX, errors=errors, lines=True
    )
    checks.raise_all(errors)
    sheet = AssessorSheet.objects.filter(
        assessment=assessment, attempt=assessment.attempt, assessor=by
    ).first()
    sheet = sheet or AssessorSheet(assessment=assessment, attempt=assessment.attempt, assessor=by)
    sheet.scores, sheet.comment = clean, comment
    return save_as(sheet, by=by, reason=f"scored attempt {assessment.attempt}")


@transaction.atomic
def assessment_record(*, by: User, assessment_id: int, on: dt.date | None = None) -> Assessment:
    """Score the period from the logs and the assessors' sheets, grade it and tell funding.

    First assessment: from the day after the period ends. 合格 or 优秀 is final; 不合格 waits for the office
    to give a rectification period or make it final. Re-assessment (during rectification): 合格 or a final
    不合格; it cannot be 优秀.
    """
    require_role(by, Role.TALENT_OFFICE)
    rubric, a = _assessment_locked(by, assessment_id)
    on = on or timezone.localdate()
    if a.status not in Assessment.SCORING:
        raise TransitionNotAllowed(a, A.PASSED)
    if on > timezone.localdate():
        raise ValidationFailed(
            f"考核日期 {on} 在今天之后。", f"The assessment date {on} is in the future.", field="on"
        )
    if a.attempt == 1 and on <= a.ends_on:
        raise Conflict(
            f"第 {a.period} 个考核期到 {a.ends_on} 结束，之后才能记录考核结果。",
            f"Period {a.period} runs until {a.ends_on}; record the result after that.",
            field="on",
        )
    items = rubric.parsed_items()
    sheets = list(a.sheets.filter(attempt=a.attempt))
    if any(not i.computed for i in items) and not sheets:
        raise Conflict("还没有考核专家打分。", "No assessor has scored yet.", field="scores")
    window_end = a.ends_on if a.attempt == 1 else min(a.rectification_until, on)
    measures = selectors.measure({a.studio_id: (a.starts_on, window_end)})[a.studio_id]["verified"]
    share, _paused = selectors.active_share(list(a.studio.pauses.all()), a.starts_on, a.ends_on)
    sheet = rub.score(items, measures, share, rub.assessor_average(sheets))
    total = sheet.total
    excellent_allowed, note = a.attempt == 1, ""
    if a.attempt == 1 and total >= rubric.excellent_line:
        round_id = rubric.round_id
        limit = rub.excellent_limit(
            rubric.excellent_cap,
            Studio.objects.filter(honouree__round_id=round_id, status=Studio.Status.ESTABLISHED).count(),
        )
        taken = (
            Assessment.objects.filter(
                studio__honouree__round_id=round_id, period=a.period, grade=Assessment.Grade.EXCELLENT
            )
            .exclude(pk=a.pk)
            .count()
        )
        if limit is not None and taken >= limit:
            excellent_allowed = False
            note = (
                f"得分达到优秀线，但本批次优秀名额（{rubric.excellent_cap:.0%}，{limit} 名）已满，评为合格。 / "
                f"Scored at the excellent line, but the round's {limit} 优秀 place(s) are taken: graded 合格."
            )
    elif a.attempt == 2 and total >= rubric.excellent_line:
        note = "整改后复核最高评为合格。 / A re-assessment after rectification is graded 合格 at most."
    grade = rub.grade_for(
        total,
        pass_line=rubric.pass_line,
        excellent_line=rubric.excellent_line,
        excellent_allowed=excellent_allowed,
    )
    passed = grade != rub.FAIL
    to = A.PASSED if passed else (A.FAILED if a.attempt == 1 else A.FAILED_FINAL)
    if not a.can_become(to):
        raise TransitionNotAllowed(a, to)
    a.items, a.total, a.grade, a.grade_note = [x.as_dict() for x in sheet.results], total, grade, note
    if a.attempt == 1:
        a.first_total, a.first_items = total, a.items
    a.recorded_on, a.recorded_by, a.status = on, by, to
    save_as(a, by=by, reason=f"recorded attempt {a.attempt}: {total} {grade}")
    _tell_funding(a, by=by)
    return a


def _tell_funding(a: Assessment, *, by) -> None:
    assessment_recorded.send(
        sender=Assessment,
        assessment=a,
        studio=a.studio,
        honouree=a.studio.honouree,
        period=a.period,
        status=a.status,
        grade=a.grade,
        total=a.total,
        passed=a.status == A.PASSED,
        final=a.status in Assessment.FINAL,
        by=by,
    )


@transaction.atomic
def assessment_open_rectification(
    *, by: User, assessment_id: int, note: str, until: dt.date | None = None
) -> Assessment:
    """Give a failed studio a rectification period (东莞: 3 months) before a re-assessment."""
    require_role(by, Role.TALENT_OFFICE)
    rubric, a = _assessment_locked(by, assessment_id)
    if not a.can_become(A.RECTIFYING):
        raise TransitionNotAllowed(a, A.RECTIFYING)
    errors: list = []
    note = checks.text(
        note,
        field="note",
        zh="整改要求",
        en="what to rectify",
        limit=checks.NOTES_MAX,
        errors=errors,
        required=True,
        lines=True,
    )
    until = until or (a.recorded_on + relativedelta(months=rubric.rectification_months))
    if not isinstance(until, dt.date) or until <= a.recorded_on:
        checks.err(
            errors,
            "until",
            f"整改期限须晚于考核日期 {a.recorded_on}。",
            f"The deadline must be after the assessment on {a.recorded_on}.",
        )
    checks.raise_all(errors)
    a.status, a.attempt, a.rectification_until, a.rectification_note = A.RECTIFYING, 2, until, note
    return save_as(a, by=by, reason=f"rectification until {until}")


@transaction.atomic
def assessment_make_final(*, by: User, assessment_id: int, reason: str) -> Assessment:
    """Make a fail final (no rectification granted, or none that helped): funding forfeits what hung on it."""
    require_role(by, Role.TALENT_OFFICE)
    _rubric, a = _assessment_locked(by, assessment_id)
    if not a.can_become(A.FAILED_FINAL):
        raise TransitionNotAllowed(a, A.FAILED_FINAL)
    errors: list = []
    reason = checks.text(
        reason, field="reason", zh="原因", en="reason", limit=500, errors=errors, required=True
    )
    checks.raise_all(errors)
    a.status, a.grade, a.final_reason = A.FAILED_FINAL, Assessment.Grade.FAIL, reason
    save_as(a, by=by, reason=f"fail made final: {reason}")
    _tell_funding(a, by=by)
    return a
