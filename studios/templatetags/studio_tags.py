"""Template helpers of the studios pages."""

from django import template
from django.utils import translation

register = template.Library()


@register.filter
def in_language(obj) -> str:
    """The ``zh`` or ``en`` of a rubric item (a dict or an object), as the page's language asks."""
    lang = translation.get_language() or "zh-hans"
    key = "en" if lang.startswith("en") else "zh"
    return obj.get(key, "") if isinstance(obj, dict) else getattr(obj, key, "")


@register.filter
def hours(value) -> str:
    """Hours without trailing zeros: 96, 3.5, 1.33."""
    if value is None:
        return ""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"
