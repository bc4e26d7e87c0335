"""What several service flows share: the row locks, the state checks and the small input cleaners.

The intake side (intake, review, naming) moves nominations along the round's path with ``move``; the
registry side (naming's direct registration, status, benefits, prior honours) checks its one-line texts
and past dates here. Nothing here refuses anyone for their role: each service checks that itself.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.contrib.auth.models import User
from django.utils import timezone

from backend.errors import Conflict, NotFound, TransitionNotAllowed, ValidationFailed
from backend.history import save_as
from backend.roles import Role, has_role
from honourees import stages
from honourees.models import Nomination, RecommendingUnit, Round

S = Nomination.Status


# --- rows, locked ------------------------------------------------------------------------------------------


def round_locked(round_id: int) -> Round:
    try:
        return Round.objects.select_for_update().select_related("scheme").get(pk=round_id)
    except Round.DoesNotExist:
        raise NotFound(
            f"评选批次 {round_id} 不存在。", f"Round {round_id} does not exist.", field="round"
        ) from None


def nomination_locked(nomination_id: int) -> Nomination:
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


def require_round_status(round_: Round, *statuses: str) -> None:
    if round_.status not in statuses:
        labels = "、".join(str(Round.Status(s).label) for s in statuses)
        raise Conflict(
            f"{round_} 当前为“{round_.get_status_display()}”，此操作只能在“{labels}”阶段进行。",
            f"{round_} is '{round_.status}'; this can only be done while it is {', '.join(statuses)}.",
        )


def move(nomination: Nomination, to: str, *, by: User, reason: str = "") -> Nomination:
    """Change the status along the round's path (or to a side exit), with history."""
    if not nomination.can_become(to):
        raise TransitionNotAllowed(nomination, to)
    nomination.status = to
    return save_as(nomination, by=by, reason=reason or f"→ {to}")


def require_step(nomination: Nomination, to: str) -> None:
    """The nomination stands right before ``to`` on its round's path."""
    round_ = nomination.round
    if not stages.uses(round_, to):
        raise Conflict(
            f"{round_} 的评选环节中没有“{S(to).label}”。", f"{round_} has no '{to}' step in its stages."
        )
    if nomination.status != stages.state_before(round_, to):
        raise TransitionNotAllowed(nomination, to)


def batch(round_: Round, to: str) -> dict[int, Nomination]:
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


def can_edit_unit(by: User, unit: RecommendingUnit | None) -> bool:
    if has_role(by, Role.TALENT_OFFICE):
        return True
    return unit is not None and has_role(by, Role.UNIT_CLERK) and unit.clerks.filter(user=by).exists()


def by_id(mapping: dict, *, field: str) -> dict[int, object]:
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


# --- input -------------------------------------------------------------------------------------------------


def history_reason(text: str) -> str:
    return text[:100]  # the history row's change reason holds 100 characters


def today() -> dt.date:
    return timezone.localdate()


def clean_line(
    value, field: str, limit: int, errors: list, *, row=None, required=False, label=("", "")
) -> str:
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


def past_date(day, field: str, *, not_before: dt.date | None = None, row=None) -> dt.date:
    if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
        raise ValidationFailed(f"“{day}”不是日期。", f"'{day}' is not a date.", field=field, row=row)
    if day > today():
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
