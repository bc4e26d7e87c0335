"""Honourees (named craftsmen) and the append-only log of their honour's status."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.history import domain_history
from honourees.models.nominations import Nomination
from honourees.models.people import Debarment, Person
from honourees.models.schemes import RecommendingUnit, Round
from honourees.rules import TIER_LABELS


class Honouree(models.Model):
    """A named craftsman: made by naming from the nomination that named them, or registered directly
    (historic honourees from before the system, which have no nomination).

    Status machine (``NEXT``), decided for the registry:

    - ``active``: holds the title; benefits fall due.
    - ``suspended`` (e.g. under investigation): still holds the title; nothing falls due until resumed.
    - ``moved_away`` (left the city): still holds the title; the city's benefits stop falling due, and
      start again if they come back (→ ``active``).
    - ``revoked`` (false claims found, a criminal conviction): the title is withdrawn; entitlements are
      cancelled, benefit money paid is marked for recovery, the person may be debarred. Only
      reinstatement leads back (→ ``active``).
    - ``deceased``: final; entitlements end on the date of death, nothing is recovered.

    Every change is a HonoureeStatusChange row (from, to, effective date, reason, who); the benefit
    calendar reads that log to know on which days the honour was active.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        SUSPENDED = "suspended", _("暂停")
        REVOKED = "revoked", _("已撤销")
        DECEASED = "deceased", _("已故")
        MOVED_AWAY = "moved_away", _("已迁离")

    NEXT = {
        Status.ACTIVE: {Status.SUSPENDED, Status.REVOKED, Status.DECEASED, Status.MOVED_AWAY},
        Status.SUSPENDED: {Status.ACTIVE, Status.REVOKED, Status.DECEASED, Status.MOVED_AWAY},
        Status.MOVED_AWAY: {Status.ACTIVE, Status.REVOKED, Status.DECEASED},
        Status.REVOKED: {Status.ACTIVE},  # reinstatement
        Status.DECEASED: set(),
    }
    # Still holding the title (the intake's "not already honoured" check should count these).
    HOLDING = (Status.ACTIVE, Status.SUSPENDED, Status.MOVED_AWAY, Status.DECEASED)
    # What the title reads after the scheme's name, by tier (最美巴渝工匠提名, 焦作工匠入围奖).
    TITLE_SUFFIX = {"named": "", "nominated": "提名", "finalist": "入围奖"}

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="honours")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="honourees")
    nomination = models.OneToOneField(
        Nomination, on_delete=models.PROTECT, null=True, blank=True, related_name="honouree"
    )
    tier = models.CharField(_("tier"), max_length=20)
    title = models.CharField(_("honour title"), max_length=100, blank=True)
    certificate_no = models.CharField(_("certificate number"), max_length=40, unique=True)
    named_on = models.DateField(_("named on"))
    naming_document = models.CharField(_("naming document"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_changed_on = models.DateField(_("status since"), null=True, blank=True)
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    # For a directly registered honouree, what the office knows; a named one reads its nomination.
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    trade = models.CharField(_("trade"), max_length=100, blank=True)
    unit = models.ForeignKey(
        RecommendingUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)

    history = domain_history()

    class Meta:
        ordering = ["round_id", "certificate_no"]
        verbose_name = _("honouree")
        verbose_name_plural = _("honourees")
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="honouree_once_per_round")]
        indexes = [models.Index(fields=["status"])]

    def __str__(self):
        return f"{self.person} ({self.round})"

    def can_become(self, status: str) -> bool:
        return status in self.NEXT[self.status]

    def tier_label(self) -> str:
        return str(TIER_LABELS.get(self.tier, self.tier))

    def status_on(self, day) -> str | None:
        """The honour's status on ``day`` by its change log (None before it was named).

        A change takes effect on its own date. Reads ``status_changes.all()``: prefetch it for a list.
        """
        if day < self.named_on:
            return None
        status = self.Status.ACTIVE
        for change in sorted(self.status_changes.all(), key=lambda c: (c.on, c.pk)):
            if change.on > day:
                break
            status = change.to_status
        return status

    # Shown on the roster and the honouree's page; the selectors load nomination__unit and unit with the
    # honouree, so none of these costs a query.
    def title_shown(self) -> str:
        return self.title or f"{self.round.scheme.name}{self.TITLE_SUFFIX.get(self.tier, '')}"

    def employer_shown(self) -> str:
        return self.employer or (self.nomination.employer if self.nomination_id else "")

    def trade_shown(self) -> str:
        return self.trade or (self.nomination.trade if self.nomination_id else "")

    def unit_shown(self):
        if self.unit_id:
            return self.unit
        return self.nomination.unit if self.nomination_id else None

    def region_shown(self) -> str:
        unit = self.unit_shown()
        return self.region or (unit.region if unit else "")


class HonoureeStatusChange(models.Model):
    """One change of an honour's status, effective on a date: an append-only log, never edited.

    The benefit calendar asks "was the honour active on that day?" of this log, so a suspension or a
    revocation stops what falls due from its date on, and reading an earlier month still shows what was
    due then.
    """

    class Grounds(models.TextChoices):
        FALSE_CLAIMS = "false_claims", _("弄虚作假")
        CRIMINAL_CONVICTION = "criminal_conviction", _("受到刑事处罚")
        OTHER = "other", _("其他")

    honouree = models.ForeignKey(Honouree, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=20, choices=Honouree.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=Honouree.Status.choices)
    on = models.DateField(_("effective on"))
    reason = models.TextField(_("reason"))
    grounds = models.CharField(_("grounds"), max_length=30, choices=Grounds.choices, blank=True)
    recover_paid = models.BooleanField(_("recover money paid"), default=False)
    debarment = models.ForeignKey(
        Debarment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    history = domain_history()  # who wrote each row (the log itself is never edited)

    class Meta:
        ordering = ["honouree_id", "on", "id"]
        verbose_name = _("honour status change")
        verbose_name_plural = _("honour status changes")

    def __str__(self):
        return f"{self.honouree_id}: {self.from_status} → {self.to_status} ({self.on})"
