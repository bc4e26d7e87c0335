"""People nominated or honoured, the honours they already hold and their debarments."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.history import domain_history
from honourees.models.schemes import Scheme
from honourees.rules import HonourLevel


class Person(models.Model):
    """Someone nominated or honoured, identified by their 居民身份证号 (stored whole, shown masked)."""

    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    id_number = models.CharField(_("identity number"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"))

    history = domain_history()

    class Meta:
        ordering = ["name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self):
        return self.name


class PriorHonour(models.Model):
    """An honour or programme a person already holds (省劳模, 三晋英才…), recorded by the office.

    DOMAIN.md §3: kept as (name, level, conferring body, date, revoked?) so that the intake's checks
    ("already holds a provincial-or-higher honour", "already in 三晋英才") can read them. A revoked honour is
    kept, marked, never deleted.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="prior_honours")
    name = models.CharField(_("honour"), max_length=200)
    programme = models.SlugField(
        _("programme code"), max_length=60, blank=True, help_text=_("e.g. city_talent_funding, sanjin_talent")
    )
    level = models.CharField(_("level"), max_length=20, choices=HonourLevel.choices)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    conferred_on = models.DateField(_("conferred on"), null=True, blank=True)
    granted_by = models.CharField(_("granted by"), max_length=200, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason for revocation"), max_length=500, blank=True)

    history = domain_history()

    class Meta:
        ordering = ["person_id", "-year"]
        verbose_name = _("prior honour")
        verbose_name_plural = _("prior honours")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revoked=False) | models.Q(revoked_on__isnull=False),
                name="prior_honour_revoked_has_date",
            )
        ]

    def __str__(self):
        return f"{self.person} · {self.name}"


class Debarment(models.Model):
    """A person barred from nomination, e.g. 巴陵 notice §五(二): false claims → 3 years."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="debarments")
    scheme = models.ForeignKey(
        Scheme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("empty: every scheme"),
    )
    reason = models.CharField(_("reason"), max_length=500)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    source = models.ForeignKey(
        "Nomination", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = domain_history()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("debarment")
        verbose_name_plural = _("debarments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="debarment_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.person} {self.starts_on}–{self.ends_on}"
