"""Reads of the honouree registry: the roster, one honouree with everything known, the benefit calendar.

Who sees which rows is decided here once (the talent office, the auditor and both finance roles read the
registry; nobody else), and the pages, the API and the Excel roster all go through these functions.

Other apps add to an honouree's page without this app importing them (dependencies run one way): the
studios app registers a panel with the studio, funding one with the money planned and paid, through
``register_honouree_panel`` in their ``AppConfig.ready()``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Prefetch, Q, QuerySet

from backend.roles import ALL, Role, scope_by_role
from honourees.models import (
    BenefitDelivery,
    BenefitEntitlement,
    Debarment,
    Honouree,
    HonoureeStatusChange,
    PriorHonour,
)
from honourees.rules import BenefitKind

REGISTRY_READERS = {
    Role.TALENT_OFFICE: ALL,
    Role.AUDITOR: ALL,
    Role.FINANCE_MAKER: ALL,
    Role.FINANCE_CHECKER: ALL,
}


def honourees_for(user) -> QuerySet[Honouree]:
    """The honourees the user may see, with what the roster shows loaded alongside (no query per row)."""
    qs = Honouree.objects.select_related("person", "round__scheme", "nomination__unit", "unit")
    return scope_by_role(qs, user, REGISTRY_READERS)


def entitlements_for(user) -> QuerySet[BenefitEntitlement]:
    qs = BenefitEntitlement.objects.select_related("honouree__person", "honouree__round__scheme")
    return scope_by_role(qs, user, REGISTRY_READERS)


def deliveries_for(user) -> QuerySet[BenefitDelivery]:
    qs = BenefitDelivery.objects.select_related("entitlement__honouree__person", "recorded_by")
    return scope_by_role(qs, user, REGISTRY_READERS)


def prior_honours_for(user) -> QuerySet[PriorHonour]:
    return scope_by_role(PriorHonour.objects.select_related("person"), user, REGISTRY_READERS)


@dataclass
class RosterFilter:
    """The roster's search: scheme code, year, status, trade, region, unit id, and a name or certificate."""

    scheme: str = ""
    year: int | None = None
    status: str = ""
    trade: str = ""
    region: str = ""
    unit: int | None = None
    q: str = ""

    @classmethod
    def from_params(cls, params) -> RosterFilter:
        def number(key):
            value = (params.get(key) or "").strip()
            return int(value) if value.isdigit() else None

        return cls(
            scheme=(params.get("scheme") or "").strip(),
            year=number("year"),
            status=(params.get("status") or "").strip(),
            trade=(params.get("trade") or "").strip(),
            region=(params.get("region") or "").strip(),
            unit=number("unit"),
            q=(params.get("q") or "").strip(),
        )


def roster(user, search: RosterFilter | None = None) -> QuerySet[Honouree]:
    """The registry as the user may see it, searched: a directly registered honouree is found by what the
    office entered, a named one also by its nomination (trade, unit and the unit's region)."""
    f = search or RosterFilter()
    qs = honourees_for(user)
    if f.scheme:
        qs = qs.filter(round__scheme__code=f.scheme)
    if f.year:
        qs = qs.filter(round__year=f.year)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.trade:
        qs = qs.filter(Q(trade__icontains=f.trade) | Q(nomination__trade__icontains=f.trade))
    if f.region:
        qs = qs.filter(
            Q(region__icontains=f.region)
            | Q(unit__region__icontains=f.region)
            | Q(nomination__unit__region__icontains=f.region)
        )
    if f.unit:
        qs = qs.filter(Q(unit_id=f.unit) | Q(nomination__unit_id=f.unit))
    if f.q:
        qs = qs.filter(
            Q(person__name__icontains=f.q) | Q(certificate_no__icontains=f.q) | Q(title__icontains=f.q)
        )
    return qs.order_by("-round__year", "round__scheme__code", "certificate_no")


def status_counts(user) -> dict[str, int]:
    rows = honourees_for(user).order_by().values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}


def honouree_page(user) -> QuerySet[Honouree]:
    """One honouree with everything its page shows, in a fixed number of queries."""
    return honourees_for(user).prefetch_related(
        Prefetch(
            "status_changes", queryset=HonoureeStatusChange.objects.select_related("recorded_by", "debarment")
        ),
        Prefetch(
            "entitlements",
            queryset=BenefitEntitlement.objects.select_related("awarded_honour").prefetch_related(
                Prefetch("deliveries", queryset=BenefitDelivery.objects.select_related("recorded_by"))
            ),
        ),
        Prefetch("person__prior_honours", queryset=PriorHonour.objects.order_by("-year", "id")),
        Prefetch("person__debarments", queryset=Debarment.objects.select_related("scheme")),
        Prefetch("person__honours", queryset=Honouree.objects.select_related("round__scheme")),
    )


def award_plan(honouree: Honouree) -> list[dict]:
    """The award money the round's package plans for the honouree's tier: label, amount, earliest date,
    conditions. What is actually paid is the funding side's (its panel)."""
    package = honouree.round.rules.get("award", {}).get("by_tier", {}).get(honouree.tier)
    if not package:
        return []
    return [
        {
            "label": inst.get("label", ""),
            "amount": Decimal(inst["amount"]),
            "earliest": honouree.named_on + relativedelta(months=inst.get("months_after_naming", 0)),
            "conditions": [c["kind"] for c in inst.get("conditions", [])],
        }
        for inst in package["instalments"]
    ]


def benefit_money(honouree: Honouree) -> dict[str, Decimal]:
    """Benefit money delivered, still to recover and recovered, from the prefetched entitlements."""
    out = {"delivered": Decimal("0.00"), "to_recover": Decimal("0.00"), "recovered": Decimal("0.00")}
    for e in honouree.entitlements.all():
        for d in e.deliveries.all():
            if d.amount is None:
                continue
            out["delivered"] += d.amount
            if d.recovery == BenefitDelivery.Recovery.TO_RECOVER:
                out["to_recover"] += d.amount
            elif d.recovery == BenefitDelivery.Recovery.RECOVERED:
                out["recovered"] += d.amount
    return out


def next_due(entitlement: BenefitEntitlement, *, after: dt.date, within_years: int = 2) -> dt.date | None:
    """The next day from ``after`` on which the entitlement falls due and has not been delivered."""
    delivered = {d.occurrence_on for d in entitlement.deliveries.all()}
    last = after + relativedelta(years=within_years)
    for day in entitlement.occurrences(after, last):
        if day in delivered:
            continue
        if entitlement.live_on(day) and entitlement.honouree.status_on(day) == Honouree.Status.ACTIVE:
            if (
                entitlement.kind == BenefitKind.REFERRAL
                and entitlement.referral_status != BenefitEntitlement.Referral.PENDING
            ):
                return None
            return day
    return None


# --- the benefit calendar ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    """Something an honouree is due on a day: the entitlement says what, from whom and how much."""

    day: dt.date
    entitlement: BenefitEntitlement

    @property
    def honouree(self) -> Honouree:
        return self.entitlement.honouree

    @property
    def amount(self) -> Decimal | None:
        return self.entitlement.amount


@dataclass
class Calendar:
    first: dt.date
    last: dt.date
    items: list[DueItem] = field(default_factory=list)

    def totals_by_funder(self) -> dict[str, Decimal]:
        """Money due this month per funder (benefits without an amount are not money)."""
        totals: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
        for item in self.items:
            if item.amount is not None:
                totals[item.entitlement.funder or ""] += item.amount
        return dict(totals)

    @property
    def previous(self) -> dt.date:
        return self.first - relativedelta(months=1)

    @property
    def next(self) -> dt.date:
        return self.first + relativedelta(months=1)


def month_of(text: str | None, *, today: dt.date) -> dt.date:
    """The first day of the month written ``2024-01`` (this month when empty or not a month)."""
    try:
        year, month = (int(p) for p in (text or "").split("-")[:2])
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        return today.replace(day=1)


def benefit_calendar(user, month: dt.date, *, scheme: str = "", funder: str = "") -> Calendar:
    """What is due to whom in the month: each entitlement's due days by its recurrence rule, on days the
    entitlement was in force and the honour active, less what has been delivered (or, for a referral,
    submitted). Three queries, whatever the number of honourees."""
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    qs = (
        entitlements_for(user)
        .exclude(kind=BenefitKind.LABOUR_MODEL_TREATMENT)
        .filter(starts_on__lte=last)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
        .filter(Q(status=BenefitEntitlement.Status.ACTIVE) | Q(status_changed_on__gt=first))
        .exclude(kind=BenefitKind.REFERRAL, referral_status__in=["submitted", "awarded", "declined"])
        .prefetch_related(
            "honouree__status_changes",
            Prefetch(
                "deliveries", queryset=BenefitDelivery.objects.filter(occurrence_on__range=(first, last))
            ),
        )
    )
    if scheme:
        qs = qs.filter(honouree__round__scheme__code=scheme)
    if funder:
        qs = qs.filter(funder=funder)
    out = Calendar(first=first, last=last)
    for e in qs:
        delivered = {d.occurrence_on for d in e.deliveries.all()}
        for day in e.occurrences(first, last):
            if day in delivered or not e.live_on(day):
                continue
            if e.honouree.status_on(day) != Honouree.Status.ACTIVE:
                continue
            out.items.append(DueItem(day=day, entitlement=e))
    out.items.sort(key=lambda i: (i.day, i.honouree.certificate_no, i.entitlement.code))
    return out


# --- panels other apps put on an honouree's page -----------------------------------------------------------


@dataclass
class Panel:
    """A section of an honouree's page supplied by another app (the studio, the money paid)."""

    title: str
    lines: list[tuple[str, str]] = field(default_factory=list)
    link: str = ""
    link_text: str = ""
    order: int = 100
    kind: str = ""  # "studio", "money": the page puts a panel of a known kind in its place


_panel_providers: list[Callable[[Honouree, object], list[Panel]]] = []


def register_honouree_panel(provider: Callable[[Honouree, object], list[Panel]]) -> None:
    """Add ``provider(honouree, user) -> [Panel]`` to every honouree's page (call it in AppConfig.ready)."""
    if provider not in _panel_providers:
        _panel_providers.append(provider)


def panels_for(honouree: Honouree, user) -> list[Panel]:
    panels = [p for provider in _panel_providers for p in provider(honouree, user)]
    return sorted(panels, key=lambda p: p.order)
