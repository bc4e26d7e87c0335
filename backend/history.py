"""Who changed a domain row: django-simple-history, with the actor set by services.

Pages and the API get the user from HistoryRequestMiddleware; services also run in workers and
management commands where there is no request, so they name the actor explicitly.
"""

from django.contrib.auth.models import User
from simple_history.models import HistoricalRecords


class _DomainHistory(HistoricalRecords):
    def create_history_model(self, model, inherited):
        history_model = super().create_history_model(model, inherited)
        # simple-history names the app package as the module of a history model whose model lives in a
        # models/ package, but puts the class in the model's own module: keep the two the same, so the
        # class is found where it says it is (the shell's auto-import, pickling).
        history_model.__module__ = self.module
        return history_model


def domain_history(**kwargs) -> HistoricalRecords:
    """The history manager every domain model declares (``history = domain_history()``)."""
    return _DomainHistory(**kwargs)


def save_as(obj, *, by: User | None, reason: str = "", **save_kwargs):
    """Save ``obj`` recording ``by`` (and an optional reason) in its history row."""
    obj._history_user = by
    if reason:
        obj._change_reason = reason[:100]  # simple-history's change_reason column holds 100 characters
    obj.save(**save_kwargs)
    return obj


def required_reason(text: str, *, field: str = "reason", limit: int = 500) -> str:
    """The reason a person gave for a change, stripped; ValidationFailed (naming the field) if empty or too long."""
    from backend.errors import ValidationFailed

    text = (text or "").strip()
    if not text:
        raise ValidationFailed("请说明原因。", "Please give the reason.", field=field)
    if len(text) > limit:
        raise ValidationFailed(
            f"原因不能超过 {limit} 字。", f"The reason is at most {limit} characters.", field=field
        )
    return text
