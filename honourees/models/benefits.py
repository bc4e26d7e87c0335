"""Benefits: their types as data, what each honouree is entitled to, and what was delivered."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.errors import DomainError
from backend.history import domain_history
from honourees.models.honours import Honouree
from honourees.models.people import PriorHonour
from honourees.rules import BenefitKind, Funder, validate_recurrence


class BenefitType(models.Model):
    """A kind of benefit as data (DOMAIN.md §2): 荣誉津贴, 春节慰问, 健康体检, 疗休养, a referral…

    A round's ``rules["benefits"]`` entry names a code. For a labour-model treatment (包头 §八: 享受包头市劳动
    模范待遇) the code names the treatment, and every active type whose ``treatment`` is that code is one
    of its items; the office enters them here because the city's 劳模 benefit list is a local policy the
    notices do not spell out. For any other entry a type of the same code, if there is one, supplies the
    amount and schedule the entry leaves out. Entitlements copy these values at naming, so changing a
    type later does not rewrite anyone's entitlement.
    """

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    kind = models.CharField(
        _("kind"),
        max_length=30,
        choices=[c for c in BenefitKind.choices if c[0] != BenefitKind.LABOUR_MODEL_TREATMENT],
    )
    funder = models.CharField(_("funder"), max_length=20, choices=Funder.choices, blank=True)
    amount = models.DecimalField(
        _("amount per occurrence (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    recurrence = models.CharField(
        _("recurrence (RRULE)"),
        max_length=200,
        blank=True,
        help_text=_("e.g. FREQ=MONTHLY;BYMONTHDAY=1 or FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=20; empty: once"),
    )
    months = models.PositiveSmallIntegerField(
        _("lasts (months)"), null=True, blank=True, help_text=_("empty: as long as the honour")
    )
    treatment = models.SlugField(
        _("part of treatment"),
        max_length=60,
        blank=True,
        help_text=_("code of the labour-model treatment in a round's rules, e.g. baotou_labour_model"),
    )
    source = models.CharField(_("policy source"), max_length=300, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    history = domain_history()

    class Meta:
        ordering = ["treatment", "code"]
        verbose_name = _("benefit type")
        verbose_name_plural = _("benefit types")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="benefit_type_amount_positive",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.recurrence:
            try:
                self.recurrence = validate_recurrence(self.recurrence, "recurrence")
            except DomainError as e:
                raise ValidationError({"recurrence": f"{e.zh} / {e.en}"}) from None


class BenefitEntitlement(models.Model):
    """What one honouree is entitled to, copied from the round's benefits (and their types) when named.

    ``recurrence`` (an RRULE, DTSTART = ``starts_on``) gives the days it falls due up to ``ends_on``; an
    empty one falls due once, on ``starts_on``. A labour-model treatment itself is a standing entitlement
    with no due days; its items are entitlements of their own. A referral (焦作 §六: 按程序申报五一劳动奖章)
    falls due once and tracks its outcome. ``status`` is the entitlement's own (``cancelled`` by a
    revocation, ``ended`` on death or by the office); whether something falls due on a day also depends
    on the honour's status that day (see honourees.selectors.registry.benefit_calendar).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        ENDED = "ended", _("已终止")
        CANCELLED = "cancelled", _("已取消（荣誉撤销）")

    NEXT = {
        Status.ACTIVE: {Status.ENDED, Status.CANCELLED},
        Status.CANCELLED: {Status.ACTIVE},  # reinstatement of the honour
        Status.ENDED: set(),
    }

    class Referral(models.TextChoices):
        PENDING = "pending", _("待申报")
        SUBMITTED = "submitted", _("已申报")
        AWARDED = "awarded", _("已获评")
        DECLINED = "declined", _("未获评")

    REFERRAL_NEXT = {
        Referral.PENDING: {Referral.SUBMITTED},
        Referral.SUBMITTED: {Referral.AWARDED, Referral.DECLINED},
        Referral.AWARDED: set(),
        Referral.DECLINED: set(),
    }

    honouree = models.ForeignKey(Honouree, on_delete=models.PROTECT, related_name="entitlements")
    benefit_type = models.ForeignKey(
        BenefitType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_code = models.SlugField(_("from the round's benefit"), max_length=60)
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=BenefitKind.choices)
    funder = models.CharField(_("funder"), max_length=20, choices=Funder.choices, blank=True)
    amount = models.DecimalField(
        _("amount per occurrence (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    recurrence = models.CharField(_("recurrence (RRULE)"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_changed_on = models.DateField(_("status since"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    referral_status = models.CharField(_("referral"), max_length=20, choices=Referral.choices, blank=True)
    referral_submitted_on = models.DateField(_("referred on"), null=True, blank=True)
    referral_decided_on = models.DateField(_("decided on"), null=True, blank=True)
    referral_note = models.CharField(_("referral note"), max_length=500, blank=True)
    awarded_honour = models.ForeignKey(
        PriorHonour, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = domain_history()

    class Meta:
        ordering = ["honouree_id", "id"]
        verbose_name = _("benefit entitlement")
        verbose_name_plural = _("benefit entitlements")
        constraints = [
            models.UniqueConstraint(fields=["honouree", "code"], name="entitlement_once_per_honour"),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="entitlement_amount_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="entitlement_ends_after_start",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="referral") & ~models.Q(referral_status=""))
                | (~models.Q(kind="referral") & models.Q(referral_status="")),
                name="entitlement_referral_has_outcome",
            ),
        ]

    def __str__(self):
        return f"{self.honouree_id} · {self.name}"

    def can_become(self, status: str) -> bool:
        return status in self.NEXT[self.status]

    @property
    def has_schedule(self) -> bool:
        return self.kind != BenefitKind.LABOUR_MODEL_TREATMENT

    def live_on(self, day) -> bool:
        """Within its period, and not (yet) ended or cancelled on that day."""
        if day < self.starts_on or (self.ends_on and day > self.ends_on):
            return False
        return self.status == self.Status.ACTIVE or (
            self.status_changed_on is not None and day < self.status_changed_on
        )

    def occurrences(self, first, last) -> list:
        """The days from ``first`` to ``last`` (inclusive) on which it falls due, by its schedule alone."""
        import datetime as dt

        from dateutil.rrule import rrulestr

        if not self.has_schedule:
            return []
        last = min(last, self.ends_on) if self.ends_on else last
        first = max(first, self.starts_on)
        if first > last:
            return []
        if not self.recurrence:
            return [self.starts_on] if first <= self.starts_on <= last else []
        rule = rrulestr(self.recurrence, dtstart=dt.datetime.combine(self.starts_on, dt.time()))
        return [
            d.date()
            for d in rule.between(
                dt.datetime.combine(first, dt.time()), dt.datetime.combine(last, dt.time()), inc=True
            )
        ]


class BenefitDelivery(models.Model):
    """A benefit given: date, amount (when money), evidence and who recorded it.

    ``occurrence_on`` is the due day it answers (one delivery per due day, enforced by the database), or
    empty for something given outside the schedule. When the honour is revoked, money delivered is marked
    ``to_recover`` (DOMAIN.md §7: 奖金 is recovered and 待遇 stop); the recovery is then recorded, or
    waived, or withdrawn when the honour is reinstated before it was recovered.
    """

    class Recovery(models.TextChoices):
        NONE = "none", _("无需追回")
        TO_RECOVER = "to_recover", _("待追回")
        RECOVERED = "recovered", _("已追回")
        WAIVED = "waived", _("免予追回")

    RECOVERY_NEXT = {
        Recovery.NONE: {Recovery.TO_RECOVER},
        Recovery.TO_RECOVER: {Recovery.RECOVERED, Recovery.WAIVED, Recovery.NONE},
        Recovery.RECOVERED: set(),
        Recovery.WAIVED: set(),
    }

    entitlement = models.ForeignKey(BenefitEntitlement, on_delete=models.PROTECT, related_name="deliveries")
    occurrence_on = models.DateField(_("for the due day"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True)
    evidence = models.CharField(_("evidence"), max_length=500)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recovery = models.CharField(_("recovery"), max_length=20, choices=Recovery.choices, default=Recovery.NONE)
    recovery_marked_on = models.DateField(_("marked for recovery on"), null=True, blank=True)
    recovered_on = models.DateField(_("recovered on"), null=True, blank=True)
    recovery_note = models.CharField(_("recovery note"), max_length=500, blank=True)

    history = domain_history()

    class Meta:
        ordering = ["entitlement_id", "delivered_on", "id"]
        verbose_name = _("benefit delivery")
        verbose_name_plural = _("benefit deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["entitlement", "occurrence_on"],
                condition=models.Q(occurrence_on__isnull=False),
                name="delivery_once_per_due_day",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__isnull=True) | models.Q(amount__gt=0),
                name="delivery_amount_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(recovery="none") | models.Q(amount__isnull=False),
                name="delivery_recovery_only_of_money",
            ),
        ]

    def __str__(self):
        return f"{self.entitlement} · {self.delivered_on}"

    def can_become(self, recovery: str) -> bool:
        return recovery in self.RECOVERY_NEXT[self.recovery]
