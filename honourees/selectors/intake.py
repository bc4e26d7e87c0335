"""Reads of the intake side; the one user-scoped queryset per model lives here (the registry's: .registry)."""

from collections import Counter

from django.db.models import Q, QuerySet

from backend.roles import ALL, Role, scope_by_role
from honourees.models import ExpertAssignment, Nomination, RecommendingUnit, Round, Scheme
from honourees.services.intake import quota_for

_EVERY_ROLE_SEES_ALL = {role: ALL for role in Role.values}


def schemes_for(user) -> QuerySet[Scheme]:
    """Schemes are public notices: every role sees them; a unit clerk only their unit's scheme."""
    rules = dict(_EVERY_ROLE_SEES_ALL, **{Role.UNIT_CLERK: lambda u: Q(units__clerks__user=u)})
    return scope_by_role(Scheme.objects.all(), user, rules).distinct()


def rounds_for(user) -> QuerySet[Round]:
    rules = dict(_EVERY_ROLE_SEES_ALL, **{Role.UNIT_CLERK: lambda u: Q(scheme__units__clerks__user=u)})
    return scope_by_role(Round.objects.select_related("scheme"), user, rules).distinct()


def units_for(user) -> QuerySet[RecommendingUnit]:
    rules = {
        Role.TALENT_OFFICE: ALL,
        Role.AUDITOR: ALL,
        Role.EXPERT: ALL,
        Role.UNIT_CLERK: lambda u: Q(clerks__user=u),
    }
    return scope_by_role(RecommendingUnit.objects.select_related("scheme"), user, rules)


def clerk_unit(user) -> RecommendingUnit | None:
    return RecommendingUnit.objects.select_related("scheme").filter(clerks__user=user).first()


def nominations_for(user) -> QuerySet[Nomination]:
    """The office and the auditor see every nomination; a clerk their unit's; an expert those assigned."""
    rules = {
        Role.TALENT_OFFICE: ALL,
        Role.AUDITOR: ALL,
        Role.UNIT_CLERK: lambda u: Q(unit__clerks__user=u),
        Role.EXPERT: lambda u: Q(assignments__expert=u),
    }
    qs = Nomination.objects.select_related("round__scheme", "unit", "person")
    return scope_by_role(qs, user, rules).distinct()


def assignments_for(user) -> QuerySet[ExpertAssignment]:
    """An expert's own assignments; the office and the auditor see all of them."""
    rules = {Role.TALENT_OFFICE: ALL, Role.AUDITOR: ALL, Role.EXPERT: lambda u: Q(expert=u)}
    qs = ExpertAssignment.objects.select_related("nomination__person", "nomination__round__scheme", "expert")
    return scope_by_role(qs, user, rules)


def pipeline(round_: Round) -> dict:
    """Counts for the office's view of a round: per status, per unit (with quota use), per category."""
    rows = list(Nomination.objects.filter(round=round_).values("status", "unit_id", "category"))
    by_status = Counter(r["status"] for r in rows)
    counted = [r for r in rows if r["status"] not in Nomination.NOT_COUNTED]
    per_unit = Counter(r["unit_id"] for r in counted)
    drafts = Counter(r["unit_id"] for r in rows if r["status"] == Nomination.Status.DRAFT)
    units = [
        {"unit": u, "used": per_unit[u.pk], "quota": quota_for(round_, u), "drafts": drafts[u.pk]}
        for u in RecommendingUnit.objects.filter(scheme=round_.scheme)
    ]
    return {
        "by_status": [
            {"status": s, "label": label, "count": by_status[s]} for s, label in Nomination.Status.choices
        ],
        "units": units,
        "by_category": [
            {"category": c, "label": label, "count": sum(1 for r in counted if r["category"] == c)}
            for c, label in Nomination.Category.choices
        ],
        "total": len(counted),
    }
