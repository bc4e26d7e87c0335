"""The 新八级工 skill ladder (人社部发〔2022〕14号), lowest first."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SkillLevel(models.TextChoices):
    APPRENTICE = "apprentice", _("学徒工")
    JUNIOR = "junior", _("初级工 (五级)")
    INTERMEDIATE = "intermediate", _("中级工 (四级)")
    SENIOR = "senior", _("高级工 (三级)")
    TECHNICIAN = "technician", _("技师 (二级)")
    SENIOR_TECHNICIAN = "senior_technician", _("高级技师 (一级)")
    PRINCIPAL_TECHNICIAN = "principal_technician", _("特级技师")
    CHIEF_TECHNICIAN = "chief_technician", _("首席技师")


_ORDER = {level: rank for rank, level in enumerate(SkillLevel.values)}


def skill_rank(level: str) -> int:
    """Position on the ladder (学徒工 = 0); an unknown level raises KeyError."""
    return _ORDER[level]


def at_least(level: str | None, minimum: str) -> bool:
    """True when ``level`` is ``minimum`` or higher; no level is below everything."""
    return level is not None and level != "" and skill_rank(level) >= skill_rank(minimum)
