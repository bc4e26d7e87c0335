"""Prior honours: the honours a person already holds (the intake's eligibility checks read them).

Kept, never deleted: a revoked one is marked revoked. Only the talent office records them.
"""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth.models import User
from django.db import transaction

from backend.errors import NotFound, ValidationFailed
from backend.history import required_reason, save_as
from backend.roles import Role, require_role
from honourees.models import Person, PriorHonour
from honourees.rules import HonourLevel
from honourees.services.core import clean_line, history_reason, past_date, today

_PROGRAMME = re.compile(r"[-a-z0-9_]{1,60}")


@transaction.atomic
def prior_honour_add(
    *,
    by: User,
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
    name = clean_line(name, "name", 200, errors, required=True, label=("荣誉名称", "honour's name"))
    granted_by = clean_line(granted_by, "granted_by", 200, errors, label=("授予单位", "conferring body"))
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
            past_date(conferred_on, "conferred_on", not_before=dt.date(1900, 1, 1))
        except ValidationFailed as e:
            errors.append(e)
    if year is not None and (
        isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= today().year
    ):
        errors.append(
            ValidationFailed(
                f"年份应在 1900–{today().year} 之间。",
                f"The year must be 1900–{today().year}.",
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
def prior_honour_revoke(*, by: User, prior_honour_id: int, on: dt.date, reason: str) -> PriorHonour:
    """Mark a prior honour revoked (kept, never deleted); a replay changes nothing."""
    require_role(by, Role.TALENT_OFFICE)
    honour = PriorHonour.objects.select_for_update().filter(pk=prior_honour_id).first()
    if honour is None:
        raise NotFound("该荣誉记录不存在。", "No such honour.", field="prior_honour")
    if honour.revoked:
        return honour
    reason = required_reason(reason, limit=2000)
    past_date(on, "on", not_before=honour.conferred_on)
    honour.revoked, honour.revoked_on, honour.revoked_reason = True, on, reason[:500]
    return save_as(honour, by=by, reason=history_reason(f"revoked: {reason}"))
