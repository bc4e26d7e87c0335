"""Shared tables: the holiday/调休 override calendar and the log of unmasked personal data."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.history import domain_history


class CalendarOverride(models.Model):
    """An official holiday or 调休 working day the calendar package does not know (yet), or a correction.

    Overrides win over the package. The package's data ends with the last State Council notice it
    shipped with; the office enters the next year's notice here (in the admin) until the package is
    upgraded.
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("e.g. 春节, 国庆节调休"))
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("notice it comes from"))

    history = domain_history()

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self):
        kind = _("working day") if self.is_working_day else _("day off")
        return f"{self.date} {kind} {self.name}".strip()


class PersonalDataAccess(models.Model):
    """Append-only record of every time a whole identity number was shown to someone."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    subject_type = models.CharField(_("record type"), max_length=100)
    subject_id = models.CharField(_("record id"), max_length=64)
    field = models.CharField(_("field"), max_length=64)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.subject_type}#{self.subject_id}.{self.field}"
