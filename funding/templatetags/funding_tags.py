"""Template helpers of the funding pages."""

from django import template
from django.utils import translation

register = template.Library()


def _english() -> bool:
    return (translation.get_language() or "zh-hans").startswith("en")


@register.filter
def in_language(obj) -> str:
    """A reason in the page's language: ``"zh / en"`` as services store a status reason, or an object or dict
    with ``zh`` and ``en`` (a condition's state)."""
    if obj is None:
        return ""
    if isinstance(obj, str):
        zh, sep, en = obj.partition(" / ")
        return en if sep and _english() else zh
    key = "en" if _english() else "zh"
    return obj.get(key, "") if isinstance(obj, dict) else getattr(obj, key, "")
