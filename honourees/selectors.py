"""Reads for honourees; the one user-scoped queryset per model lives here."""

from django.db.models import Q, QuerySet

from backend.roles import ALL, Role, scope_by_role
from honourees.models import RecommendingUnit, Round, Scheme

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
