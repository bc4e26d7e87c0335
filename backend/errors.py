"""The one domain-error hierarchy.

Every error carries its message in Chinese and English (``zh``/``en``) because the same error is shown on a
page, returned by the API, written into an import's error list and logged by a worker, and the offices read
both. ``field`` and ``row`` say where bad input was. The HTTP status lives here, so the API maps errors in
one place (``backend.api.exception_handler``) and pages show them as form errors (``backend.forms``).
"""

from __future__ import annotations

from django.utils import translation


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(
        self,
        zh: str,
        en: str,
        *,
        field: str | None = None,
        row: int | None = None,
        errors: list[DomainError] | None = None,
    ):
        self.zh = zh
        self.en = en
        self.field = field
        self.row = row
        self.errors = list(errors or [])
        super().__init__(f"{zh} / {en}")

    @property
    def message(self) -> str:
        """The message in the active language (Chinese unless English is active)."""
        lang = translation.get_language() or "zh-hans"
        return self.en if lang.startswith("en") else self.zh

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message, "message_zh": self.zh, "message_en": self.en}
        if self.field is not None:
            data["field"] = self.field
        if self.row is not None:
            data["row"] = self.row
        if self.errors:
            data["errors"] = [e.as_dict() for e in self.errors]
        return data


class ValidationFailed(DomainError):
    """Bad input; ``errors`` lists every row/field problem when there are several."""

    status = 400
    code = "invalid"


class NotPermitted(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The request is well formed but the current state of the data does not allow it."""

    status = 409
    code = "conflict"


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"

    def __init__(self, obj, to_state: str):
        current = getattr(obj, "status", "?")
        name = f"{obj._meta.verbose_name} #{obj.pk}" if hasattr(obj, "_meta") else repr(obj)
        super().__init__(
            f"{name} 当前状态为“{current}”，不能变为“{to_state}”。",
            f"{name} is '{current}' and cannot become '{to_state}'.",
        )
        self.obj = obj
        self.to_state = to_state


class QuotaExceeded(Conflict):
    code = "quota_exceeded"


class BudgetExceeded(Conflict):
    code = "budget_exceeded"


class CalendarDataMissing(Conflict):
    """Neither the official calendar package nor the override table knows a date."""

    code = "calendar_data_missing"


def nothing_saved(errors: list[ValidationFailed]) -> ValidationFailed:
    """One error for a refused import: every row's problem, in row order, and the promise nothing was saved."""
    errors = sorted(errors, key=lambda e: (e.row if e.row is not None else 10**9,))
    return ValidationFailed(
        f"导入文件有 {len(errors)} 处错误，均未保存。",
        f"The file has {len(errors)} error(s); nothing was saved.",
        field="file",
        errors=errors,
    )
