"""Reads of the studios side: the one user-scoped queryset per model, the year's progress, funding's facts.

Who sees which studio (pages, API and exports all go through ``studios_for``):

- the talent office, the auditor and the finance roles: every studio (finance reads the facts that
  release money; the auditor reads everything);
- a studio host: the studios they host;
- an expert: the studios they are an assessor of;
- anyone linked as a studio's institution contact (whatever their role): that studio, to verify its hours.

Everything below a studio (sessions, apprentices, files, assessments) is visible exactly when its studio
is, so a host asking for another studio's session gets a 404, never a 403 that would confirm it exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from backend.money import DecimalSum
from backend.roles import ALL, Role, scope_by_role
from honourees.models import Honouree, Round
from studios import rubric as r
from studios.models import (
    Apprentice,
    Assessment,
    MentoringSession,
    SessionAttendance,
    SkillUpgrade,
    Studio,
    StudioFile,
    StudioPause,
    StudioRubric,
)

S = MentoringSession.Status

# --- scoping ---------------------------------------------------------------------------------------------------

_STUDIO_RULES = {
    Role.TALENT_OFFICE: ALL,
    Role.AUDITOR: ALL,
    Role.FINANCE_MAKER: ALL,
    Role.FINANCE_CHECKER: ALL,
    Role.STUDIO_HOST: lambda u: Q(host=u),
    Role.EXPERT: lambda u: Q(assessors__user=u),
}


def studios_for(user) -> QuerySet[Studio]:
    """The studios ``user`` may see (see the module docstring)."""
    scoped = scope_by_role(Studio.objects.all(), user, _STUDIO_RULES)
    if getattr(user, "is_authenticated", False) and user.is_active:
        scoped = scoped | Studio.objects.filter(contact=user)
    # A subquery rather than .distinct(): the assessor rule joins a to-many relation.
    return Studio.objects.filter(pk__in=scoped.values("pk")).select_related(
        "honouree__person", "honouree__round__scheme", "host", "contact"
    )


def _visible(user) -> QuerySet:
    return studios_for(user).values("pk")


def sessions_for(user) -> QuerySet[MentoringSession]:
    return MentoringSession.objects.filter(studio__in=_visible(user)).select_related(
        "studio", "logged_by", "verified_by"
    )


def apprentices_for(user) -> QuerySet[Apprentice]:
    return Apprentice.objects.filter(studio__in=_visible(user)).select_related("person", "studio")


def assessments_for(user) -> QuerySet[Assessment]:
    return Assessment.objects.filter(studio__in=_visible(user)).select_related(
        "studio__honouree__person", "studio__honouree__round__scheme"
    )


def files_for(user) -> QuerySet[StudioFile]:
    return StudioFile.objects.filter(studio__in=_visible(user))


def with_overlaps(qs: QuerySet[MentoringSession]) -> QuerySet[MentoringSession]:
    """Each session annotated ``overlaps``: another session of the same studio runs at the same time."""
    other = MentoringSession.objects.filter(
        studio=OuterRef("studio"),
        date=OuterRef("date"),
        starts_at__lt=OuterRef("ends_at"),
        ends_at__gt=OuterRef("starts_at"),
    ).exclude(pk=OuterRef("pk"))
    return qs.annotate(overlaps=Exists(other))


# --- periods -------------------------------------------------------------------------------------------------


def period_bounds(plaque_date: dt.date, period: int) -> tuple[dt.date, dt.date]:
    """Period N runs N−1 years after the plaque date to the day before N years after (29 Feb → 28 Feb)."""
    start = plaque_date + relativedelta(years=period - 1)
    return start, plaque_date + relativedelta(years=period) - dt.timedelta(days=1)


def period_on(plaque_date: dt.date, day: dt.date) -> int:
    """The period a day falls in (1 before the plaque date too)."""
    period = 1
    while period_bounds(plaque_date, period)[1] < day:
        period += 1
    return period


def active_share(pauses, start: dt.date, end: dt.date) -> tuple[Decimal, int]:
    """(share of the period not paused, paused days in it). Pauses of one studio never overlap."""
    total = (end - start).days + 1
    paused = 0
    for p in pauses:
        lo, hi = max(p.starts_on, start), min(p.ends_on, end)
        if lo <= hi:
            paused += (hi - lo).days + 1
    paused = min(paused, total)
    return Decimal(total - paused) / Decimal(total), paused


# --- what the logs show ----------------------------------------------------------------------------------------


def _windows_q(windows: dict[int, tuple[dt.date, dt.date]], studio: str, day: str) -> Q:
    q = Q(pk__in=[])
    for sid, (start, end) in windows.items():
        q |= Q(**{studio: sid, f"{day}__range": (start, end)})
    return q


def _empty() -> dict:
    return {
        "sessions": 0,
        "hours": Decimal("0.00"),
        "apprentices_taught": 0,
        "upgrade_levels": [],
        "agreements": 0,
    }


def measure(windows: dict[int, tuple[dt.date, dt.date]]) -> dict[int, dict[str, dict]]:
    """For each studio id and its (start, end): {"verified": measures, "logged": measures}.

    ``verified`` is what the rubric counts; ``logged`` also counts sessions still waiting for verification
    (returned ones are out of both). Four queries whatever the number of studios.
    """
    out = {sid: {"verified": _empty(), "logged": _empty()} for sid in windows}
    if not windows:
        return out
    verified = Q(status=S.VERIFIED)
    logged = ~Q(status=S.RETURNED)
    for row in (
        MentoringSession.objects.filter(_windows_q(windows, "studio_id", "date"))
        .values("studio_id")
        .annotate(
            v_count=Count("id", filter=verified),
            l_count=Count("id", filter=logged),
            v_hours=DecimalSum("hours", filter=verified),
            l_hours=DecimalSum("hours", filter=logged),
        )
        .order_by()
    ):
        m = out[row["studio_id"]]
        m["verified"]["sessions"], m["logged"]["sessions"] = row["v_count"], row["l_count"]
        m["verified"]["hours"], m["logged"]["hours"] = row["v_hours"], row["l_hours"]
    for row in (
        SessionAttendance.objects.filter(_windows_q(windows, "session__studio_id", "session__date"))
        .values("session__studio_id")
        .annotate(
            v=Count("apprentice", distinct=True, filter=Q(session__status=S.VERIFIED)),
            l=Count("apprentice", distinct=True, filter=~Q(session__status=S.RETURNED)),
        )
        .order_by()
    ):
        m = out[row["session__studio_id"]]
        m["verified"]["apprentices_taught"], m["logged"]["apprentices_taught"] = row["v"], row["l"]
    for sid, level in SkillUpgrade.objects.filter(
        _windows_q(windows, "apprentice__studio_id", "achieved_on")
    ).values_list("apprentice__studio_id", "to_level"):
        out[sid]["verified"]["upgrade_levels"].append(level)
        out[sid]["logged"]["upgrade_levels"].append(level)
    # A signed agreement counts when its signed copy is on file and it covers part of the period.
    signed_copy = StudioFile.objects.filter(apprentice=OuterRef("pk"), kind=StudioFile.Kind.AGREEMENT)
    agreements = Q(pk__in=[])
    for sid, (start, end) in windows.items():
        agreements |= Q(studio_id=sid, agreement_signed_on__lte=end, agreement_start__lte=end) & (
            Q(agreement_end__isnull=True) | Q(agreement_end__gte=start)
        )
    for row in (
        Apprentice.objects.filter(agreements, Exists(signed_copy))
        .values("studio_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        out[row["studio_id"]]["verified"]["agreements"] = row["n"]
        out[row["studio_id"]]["logged"]["agreements"] = row["n"]
    return out


# --- the year's progress ---------------------------------------------------------------------------------------


@dataclass
class Bar:
    code: str
    zh: str
    en: str
    measure: str
    unit_zh: str
    unit_en: str
    verified: Decimal
    logged: Decimal
    target: Decimal
    max: Decimal
    points: Decimal

    @property
    def missing(self) -> Decimal:
        return max(Decimal(0), self.target - self.verified)

    @property
    def pending(self) -> Decimal:
        """Logged but not yet verified."""
        return max(Decimal(0), self.logged - self.verified)

    def _pct(self, value: Decimal) -> int:
        if self.target <= 0:
            return 100
        return int(min(Decimal(100), value * 100 / self.target))

    @property
    def verified_pct(self) -> int:
        return self._pct(self.verified)

    @property
    def logged_pct(self) -> int:
        return self._pct(self.logged)

    @property
    def pending_pct(self) -> int:
        return max(0, self.logged_pct - self.verified_pct)

    @property
    def done(self) -> bool:
        return self.verified >= self.target


UNITS = {
    "sessions": ("次", "sessions"),
    "hours": ("小时", "hours"),
    "apprentices_taught": ("人", "apprentices"),
    "upgrades": ("人次", "upgrades"),
    "agreements": ("份", "agreements"),
}


@dataclass
class Progress:
    studio: Studio
    period: int
    starts_on: dt.date
    ends_on: dt.date
    paused_days: int
    share: Decimal
    rubric: StudioRubric | None
    bars: list[Bar] = field(default_factory=list)
    assessor_max: Decimal = Decimal(0)

    @property
    def computed_points(self) -> Decimal:
        return sum((b.points for b in self.bars), Decimal(0))

    @property
    def computed_max(self) -> Decimal:
        return sum((b.max for b in self.bars), Decimal(0))

    @property
    def missing(self) -> list[Bar]:
        return [b for b in self.bars if not b.done]

    @property
    def days_left(self) -> int:
        return (self.ends_on - timezone.localdate()).days


def progress_for(studios: list[Studio], *, today: dt.date | None = None) -> dict[int, Progress]:
    """This period's progress of each established studio against its round's rubric, in a fixed number
    of queries (the studios need ``honouree`` loaded)."""
    today = today or timezone.localdate()
    established = [s for s in studios if s.plaque_date is not None and s.status == Studio.Status.ESTABLISHED]
    if not established:
        return {}
    windows, periods = {}, {}
    for s in established:
        periods[s.pk] = period_on(s.plaque_date, today)
        windows[s.pk] = period_bounds(s.plaque_date, periods[s.pk])
    rubrics = {
        x.round_id: x
        for x in StudioRubric.objects.filter(round_id__in={s.honouree.round_id for s in established})
    }
    pauses: dict[int, list] = {}
    for p in StudioPause.objects.filter(studio_id__in=windows):
        pauses.setdefault(p.studio_id, []).append(p)
    measures = measure(windows)
    out = {}
    for s in established:
        start, end = windows[s.pk]
        share, paused = active_share(pauses.get(s.pk, []), start, end)
        rub = rubrics.get(s.honouree.round_id)
        prog = Progress(
            studio=s,
            period=periods[s.pk],
            starts_on=start,
            ends_on=end,
            paused_days=paused,
            share=share,
            rubric=rub,
        )
        if rub is not None:
            for item in rub.parsed_items():
                if not item.computed:
                    prog.assessor_max += item.max
                    continue
                target = r.adjusted_target(item, share)
                verified = r.measure_value(item, measures[s.pk]["verified"])
                logged = r.measure_value(item, measures[s.pk]["logged"])
                unit_zh, unit_en = UNITS[item.measure]
                prog.bars.append(
                    Bar(
                        item.code,
                        item.zh,
                        item.en,
                        item.measure,
                        unit_zh,
                        unit_en,
                        verified,
                        logged,
                        target,
                        item.max,
                        r.item_points(item, verified, target),
                    )
                )
        out[s.pk] = prog
    return out


def hours_summary(studio: Studio, start: dt.date, end: dt.date) -> dict:
    """Hours in a window as the host sees them: submitted (everything logged and standing, verified or not)
    against verified (what counts); returned ones apart, until corrected."""
    row = MentoringSession.objects.filter(studio=studio, date__range=(start, end)).aggregate(
        submitted=DecimalSum("hours", filter=~Q(status=S.RETURNED)),
        verified=DecimalSum("hours", filter=Q(status=S.VERIFIED)),
        returned=DecimalSum("hours", filter=Q(status=S.RETURNED)),
    )
    return row


def active_apprentices(studio: Studio, day: dt.date) -> QuerySet[Apprentice]:
    """Apprentices whose agreement covers ``day`` (the phone page ticks them all)."""
    return (
        Apprentice.objects.filter(studio=studio, agreement_start__lte=day)
        .filter(Q(agreement_end__isnull=True) | Q(agreement_end__gte=day))
        .select_related("person")
        .order_by("id")
    )


# --- funding's facts -----------------------------------------------------------------------------------------

STUDIO_CONDITION_KINDS = frozenset({"studio_established", "assessment_passed"})


def counting_institution_kinds(round_: Round, tier: str = "named") -> list[str] | None:
    """The institution kinds the round's studio condition accepts (None: the round sets no such condition)."""
    package = round_.rules.get("award", {}).get("by_tier", {}).get(tier, {})
    for inst in package.get("instalments", []):
        for cond in inst.get("conditions", []):
            if cond.get("kind") == "studio_established":
                return list(cond.get("params", {}).get("institution_kinds", []))
    return None


def condition_met(honouree: Honouree, condition: dict, *, on: dt.date | None = None) -> bool:
    """Whether a studio condition of an award instalment holds for the honouree (funding's daily tick asks).

    ``studio_established``: a studio of the honouree is established, with its plaque date on or before
    ``on``, at an institution of one of ``params.institution_kinds`` (any kind when not given).
    ``assessment_passed``: the honouree's studio passed the assessment of ``params.period`` (default 1).
    """
    kind, params = condition.get("kind"), condition.get("params", {})
    if kind not in STUDIO_CONDITION_KINDS:
        raise ValueError(f"{kind!r} is not a studio condition ({sorted(STUDIO_CONDITION_KINDS)})")
    on = on or timezone.localdate()
    if kind == "studio_established":
        qs = Studio.objects.filter(honouree=honouree, status=Studio.Status.ESTABLISHED, plaque_date__lte=on)
        if params.get("institution_kinds"):
            qs = qs.filter(institution_kind__in=params["institution_kinds"])
        return qs.exists()
    return Assessment.objects.filter(
        studio__honouree=honouree, period=params.get("period", 1), status=Assessment.Status.PASSED
    ).exists()
