"""What every studios service checks first: the input, the studio it acts on, and that the studio is open.

Bad input is collected into a list (``err``, ``text``, ``date_or_none``) and refused as a whole
(``raise_all``): nothing is half-saved. The studio is found among those the acting user may see and locked
(``studio_locked``); the studio is the first row every service locks, then what is under it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from backend.errors import Conflict, NotFound, ValidationFailed
from studios import selectors
from studios.models import Studio

NOTES_MAX = 2000

# What a date field may hold: a date (or a datetime, its date is taken), its ISO text, or nothing.
DateInput = dt.date | str | None


def not_found(what_zh: str, what_en: str, pk, field: str) -> NotFound:
    return NotFound(f"{what_zh} {pk} 不存在。", f"{what_en} {pk} does not exist.", field=field)


def studio_locked(by: User, studio_id: int) -> Studio:
    """The studio, locked, if ``by`` may see it; NotFound otherwise (also for one that exists elsewhere)."""
    if not selectors.studios_for(by).filter(pk=studio_id).exists():
        raise not_found("工作室", "Studio", studio_id, "studio")
    return Studio.objects.select_for_update(of=("self",)).select_related("honouree").get(pk=studio_id)


def require_not_closed(studio: Studio) -> None:
    if studio.status == Studio.Status.CLOSED:
        raise Conflict(
            f"工作室“{studio.name}”已摘牌，不能再修改。",
            f"The studio '{studio.name}' is closed.",
            field="studio",
        )


def raise_all(errors: list[ValidationFailed], *, row: int | None = None) -> None:
    """Nothing is saved when anything is wrong: one error as itself, several listed under one."""
    if not errors:
        return
    if len(errors) == 1:
        e = errors[0]
        raise ValidationFailed(e.zh, e.en, field=e.field, row=row if e.row is None else e.row)
    raise ValidationFailed(
        f"有 {len(errors)} 处错误，均未保存。",
        f"{len(errors)} error(s); nothing was saved.",
        row=row,
        errors=errors,
    )


def err(errors: list, field: str, zh: str, en: str, row: int | None = None) -> None:
    errors.append(ValidationFailed(zh, en, field=field, row=row))


def text(
    value, *, field: str, zh: str, en: str, limit: int, errors: list, row=None, required=False, lines=False
) -> str:
    """The value as trimmed text; empty when required, too long or holding control characters is an error
    (``lines``: line breaks and tabs are allowed)."""
    cleaned = "" if value is None else str(value).strip()
    if required and not cleaned:
        err(errors, field, f"请填写{zh}。", f"The {en} is required.", row)
    elif len(cleaned) > limit:
        err(
            errors,
            field,
            f"{zh}不能超过 {limit} 个字（现有 {len(cleaned)} 个）。",
            f"The {en} must be at most {limit} characters (it has {len(cleaned)}).",
            row,
        )
    elif any(unicodedata.category(ch) == "Cc" and (not lines or ch not in "\n\r\t") for ch in cleaned):
        err(
            errors,
            field,
            f"{zh}不能包含换行或控制字符。",
            f"The {en} may not contain line breaks or control characters.",
            row,
        )
    return cleaned


def date_or_none(
    value, *, field: str, zh: str, en: str, errors: list, row=None, required=True
) -> dt.date | None:
    if value in (None, ""):
        if required:
            err(errors, field, f"请填写{zh}。", f"The {en} is required.", row)
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        err(
            errors,
            field,
            f"{zh}“{value}”不是有效日期（应为 2025-03-01）。",
            f"The {en} '{value}' is not a date (write 2025-03-01).",
            row,
        )
        return None


def active_user(user_id, *, field: str, zh: str, en: str) -> User:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        raise ValidationFailed(f"请选择有效的{zh}账号。", f"Choose an active user as the {en}.", field=field)
    return user
