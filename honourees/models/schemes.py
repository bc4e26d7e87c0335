"""Schemes, rounds (with their rules as data), recommending units and their clerks."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.errors import DomainError
from backend.history import domain_history
from backend.idnumbers import normalize_credit_code
from honourees.rules import UnitType, validate_round_rules


class Scheme(models.Model):
    """One city's honour title (巴陵工匠, 焦作工匠, …); it runs a round a year or so."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    city = models.CharField(_("city"), max_length=50)
    organiser = models.CharField(_("organiser"), max_length=200, blank=True)

    history = domain_history()

    class Meta:
        ordering = ["code"]
        verbose_name = _("scheme")
        verbose_name_plural = _("schemes")

    def __str__(self):
        return self.name


class Round(models.Model):
    """One year's call of a scheme, holding its own rules (quotas, checks, stages, award, benefits)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("受理申报")
        REVIEWING = "reviewing", _("评审中")
        IN_NOTICE = "in_notice", _("公示中")
        CLOSED = "closed", _("已命名")

    NEXT = {
        Status.DRAFT: {Status.OPEN},
        Status.OPEN: {Status.REVIEWING},
        Status.REVIEWING: {Status.IN_NOTICE, Status.OPEN, Status.CLOSED},  # CLOSED: a round without a notice
        Status.IN_NOTICE: {Status.CLOSED},  # its candidates cannot go back from in_notice
        Status.CLOSED: set(),
    }

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="rounds")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    document_no = models.CharField(_("notice document number"), max_length=100, blank=True)
    published_on = models.DateField(_("notice published on"), null=True, blank=True)
    target_count = models.PositiveSmallIntegerField(_("number to name"))
    notice_working_days = models.PositiveSmallIntegerField(_("public notice (working days)"), default=5)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    rules = models.JSONField(_("rules"), default=dict)
    # The public notice of the proposed list, as computed by backend.workdays.notice_period: its start,
    # length, end and the calendar that produced it are kept so the end can be explained later.
    notice_starts_on = models.DateField(_("notice starts"), null=True, blank=True)
    notice_ends_on = models.DateField(_("notice ends"), null=True, blank=True)
    notice_calendar = models.CharField(_("notice calendar"), max_length=100, blank=True)
    naming_document = models.CharField(_("naming document"), max_length=200, blank=True)

    history = domain_history()

    class Meta:
        ordering = ["scheme__code", "-year"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [models.UniqueConstraint(fields=["scheme", "year"], name="round_one_per_scheme_year")]

    def __str__(self):
        return f"{self.scheme.name} {self.year}"

    def can_become(self, status: str) -> bool:
        return status in self.NEXT[self.status]

    def stage_kinds(self) -> list[str]:
        return [stage["kind"] for stage in self.rules.get("stages", [])]

    def clean(self):
        try:
            validate_round_rules(self.rules)
        except DomainError as e:
            raise ValidationError({"rules": f"{e.zh} / {e.en}"}) from None
        days = next((st.get("days") for st in self.rules.get("stages", []) if st["kind"] == "notice"), None)
        if days is not None and days != self.notice_working_days:
            raise ValidationError(
                {
                    "notice_working_days": f"与规则中公示环节的 {days} 个工作日不一致 / "
                    f"differs from the {days} working days of the rules' notice stage"
                }
            )


class RecommendingUnit(models.Model):
    """A body that may recommend candidates to a scheme's rounds (a county union, a city department…)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="units")
    name = models.CharField(_("name"), max_length=200)
    unit_type = models.CharField(_("unit type"), max_length=30, choices=UnitType.choices)
    region = models.CharField(_("region"), max_length=100, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    is_pilot = models.BooleanField(_("reform pilot unit"), default=False)

    history = domain_history()

    class Meta:
        ordering = ["scheme__code", "unit_type", "name"]
        verbose_name = _("recommending unit")
        verbose_name_plural = _("recommending units")
        constraints = [models.UniqueConstraint(fields=["scheme", "name"], name="unit_name_unique_per_scheme")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.credit_code:
            try:
                self.credit_code = normalize_credit_code(self.credit_code)
            except DomainError as e:
                raise ValidationError({"credit_code": f"{e.zh} / {e.en}"}) from None


class UnitClerk(models.Model):
    """A recommending-unit clerk's account belongs to exactly one unit."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clerk_of")
    unit = models.ForeignKey(RecommendingUnit, on_delete=models.PROTECT, related_name="clerks")

    history = domain_history()

    class Meta:
        verbose_name = _("unit clerk")
        verbose_name_plural = _("unit clerks")

    def __str__(self):
        return f"{self.user} @ {self.unit}"
