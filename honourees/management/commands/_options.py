"""What the intake commands share: finding the round, the unit and the acting user, and printing errors."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db.models import Case, IntegerField, Q, Value, When

from backend.errors import DomainError
from backend.roles import Role
from honourees.models import RecommendingUnit, Round


def find_round(value: str) -> Round:
    """A round by id (``7``) or by scheme code and year (``baling-2023``)."""
    rounds = Round.objects.select_related("scheme")
    found = None
    if value.isdigit():
        found = rounds.filter(pk=int(value)).first()
    elif "-" in value:
        code, year = value.rsplit("-", 1)
        if year.isdigit():
            found = rounds.filter(scheme__code=code, year=int(year)).first()
    if found is None:
        raise CommandError(
            f"找不到评选批次“{value}”（写作 项目代码-年份，如 baling-2023，或批次编号）。/ "
            f"No round '{value}' (write <scheme code>-<year>, e.g. baling-2023, or the round's id)."
        )
    return found


def find_unit(round_: Round, value: str) -> RecommendingUnit:
    """One of the round's scheme's units, by id or by exact name."""
    units = RecommendingUnit.objects.filter(scheme=round_.scheme)
    found = units.filter(pk=int(value)).first() if value.isdigit() else None
    found = found or units.filter(name=value.strip()).first()
    if found is None:
        raise CommandError(
            f"{round_.scheme} 没有推荐单位“{value}”。/ {round_.scheme} has no recommending unit '{value}'."
        )
    return found


def acting_user(username: str | None):
    """The named user, or by default the first active talent-office user, then the first active superuser.

    Services check roles, which are groups only: a superuser outside the talent-office group is refused
    by them like anyone else, so the talent office comes first.
    """
    users = get_user_model().objects.filter(is_active=True)
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有启用的用户“{username}”。/ No active user '{username}'.")
        return user
    office = Q(groups__name=Role.TALENT_OFFICE)
    user = (
        users.filter(office | Q(is_superuser=True))
        .annotate(
            office_first=Case(When(office, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("office_first", "pk")
        .first()
    )
    if user is None:
        raise CommandError(
            "没有可用的人才办用户或超级用户，请用 --as 指定。/ No talent-office user or superuser; name one with --as."
        )
    return user


def report_errors(stderr, error: DomainError) -> None:
    """Every error, one a line: row, field, Chinese / English."""
    for e in error.errors or [error]:
        row = e.row if e.row is not None else "-"
        stderr.write(f"  row {row} · {e.field or '-'} · {e.zh} / {e.en}")
