"""Roles are Django groups; services require them, selectors scope querysets by them.

A user's roles are exactly the groups they belong to: a superuser gets no role implicitly, so
maker/checker separation and personal-data rules hold for administrators too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from backend.errors import NotPermitted

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


class Role(models.TextChoices):
    TALENT_OFFICE = "talent_office", _("Talent office")
    UNIT_CLERK = "unit_clerk", _("Recommending-unit clerk")
    EXPERT = "expert", _("Expert reviewer")
    FINANCE_MAKER = "finance_maker", _("Finance officer (maker)")
    FINANCE_CHECKER = "finance_checker", _("Finance approver (checker)")
    STUDIO_HOST = "studio_host", _("Studio host")
    AUDITOR = "auditor", _("Auditor")


ROLE_LABELS_ZH = {
    Role.TALENT_OFFICE: "人才办",
    Role.UNIT_CLERK: "推荐单位经办人",
    Role.EXPERT: "评审专家",
    Role.FINANCE_MAKER: "财务经办",
    Role.FINANCE_CHECKER: "财务审核",
    Role.STUDIO_HOST: "工作室领办人",
    Role.AUDITOR: "审计",
}

# Roles whose work needs whole identity numbers (bank files, eligibility checks); everyone else,
# the auditor included, sees them masked.
ROLES_SEEING_FULL_ID = frozenset({Role.TALENT_OFFICE, Role.FINANCE_MAKER, Role.FINANCE_CHECKER})


def user_roles(user) -> frozenset[str]:
    """The user's roles, read once per user object."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_gongjiang_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(r for r in Role.values if r in names)
        user._gongjiang_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def require_role(user, *roles: str) -> None:
    """Raise NotPermitted unless the user holds one of the roles."""
    if has_role(user, *roles):
        return
    zh = "、".join(ROLE_LABELS_ZH[Role(r)] for r in roles)
    with translation.override("en"):
        en = ", ".join(str(Role(r).label) for r in roles)
    raise NotPermitted(f"此操作需要以下角色之一：{zh}。", f"This needs one of these roles: {en}.")


def users_with(*roles: str) -> list[AbstractBaseUser]:
    """The active users holding one of the roles, each once, by id."""
    return list(
        get_user_model().objects.filter(is_active=True, groups__name__in=roles).distinct().order_by("pk")
    )


def can_see_full_id(user) -> bool:
    return has_role(user, *ROLES_SEEING_FULL_ID)


ALL = object()
ScopeRule = Q | object | Callable[[object], Q]


def scope_by_role(queryset: QuerySet, user, rules: Mapping[str, ScopeRule]) -> QuerySet:
    """Rows the user may see: the union over their roles of each role's rule; none without a role.

    A rule is ``ALL``, a ``Q``, or a callable ``user -> Q``. Each app's selectors call this once per
    model (``studios_for(user)``, ``nominations_for(user)``), and the API, pages and exports all go
    through those selectors, so who sees which rows is decided in one place. Rules that follow a
    to-many relation may repeat rows: the selector adds ``.distinct()`` when it needs to.
    """
    condition = None
    for role in user_roles(user):
        rule = rules.get(role)
        if rule is None:
            continue
        if rule is ALL:
            return queryset
        q = rule(user) if callable(rule) else rule
        condition = q if condition is None else condition | q
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def roles_context(request) -> dict:
    """Template context: the signed-in user's roles."""
    roles = user_roles(getattr(request, "user", None))
    return {"user_roles": roles, "user_role_choices": [r for r in Role if r.value in roles]}
