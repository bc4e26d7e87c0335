"""Writes to the shared tables: calendar overrides (the office's copy of each year's holiday notice)."""

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction

from backend.errors import NotFound, ValidationFailed
from backend.history import save_as
from backend.models import CalendarOverride
from backend.roles import Role, require_role


@transaction.atomic
def calendar_override_set(
    *, by: User, date: dt.date, is_working_day: bool, name: str = "", source: str = ""
) -> CalendarOverride:
    """Record that ``date`` is (or is not) a working day; replaces an earlier override of that date."""
    require_role(by, Role.TALENT_OFFICE)
    if len(name) > 100:
        raise ValidationFailed(
            "名称不能超过100个字符。", "The name is longer than 100 characters.", field="name"
        )
    override = CalendarOverride.objects.select_for_update().filter(date=date).first()
    if override is None:
        override = CalendarOverride(date=date)
    override.is_working_day = is_working_day
    override.name = name
    override.source = source[:200]
    return save_as(override, by=by)


@transaction.atomic
def calendar_override_delete(*, by: User, date: dt.date) -> None:
    """Remove the override of ``date``; the official calendar answers for it again."""
    require_role(by, Role.TALENT_OFFICE)
    override = CalendarOverride.objects.select_for_update().filter(date=date).first()
    if override is None:
        raise NotFound(
            f"{date} 没有日历调整记录。", f"There is no calendar override for {date}.", field="date"
        )
    override._history_user = by
    override.delete()
