"""Home-page cards for the intake side."""

from django.urls import reverse
from django.utils.translation import gettext as _

from backend.home import Card
from backend.roles import Role, has_role, user_roles
from honourees.models import Honouree, Round
from honourees.selectors import intake as intake_selectors
from honourees.selectors import registry as registry_selectors
from honourees.services import intake


def cards(user) -> list[Card]:
    if not user_roles(user):
        return []
    out = []
    unit = intake_selectors.clerk_unit(user) if has_role(user, Role.UNIT_CLERK) else None
    if unit is not None:
        out.append(
            Card(
                title=_("Your unit"),
                lines=[
                    (_("Unit"), unit.name),
                    (_("Scheme"), unit.scheme.name),
                    (_("Type"), unit.get_unit_type_display()),
                ],
                order=10,
            )
        )
    if unit is not None:
        out.append(
            Card(
                title=_("Nominations"),
                lines=[
                    (_("Quota used"), f"{intake.quota_used(r, unit)} / {intake.quota_for(r, unit)} · {r}")
                    for r in intake_selectors.rounds_for(user).filter(
                        scheme=unit.scheme, status=Round.Status.OPEN
                    )
                ],
                link=reverse("intake:nomination-list"),
                link_text=_("Enter, import and submit nominations"),
                order=11,
            )
        )
    if has_role(user, Role.EXPERT):
        todo = intake_selectors.assignments_for(user).filter(expert=user, score__isnull=True).count()
        out.append(
            Card(
                title=_("Scoring"),
                lines=[(_("Waiting for your score"), str(todo))],
                link=reverse("intake:review-list"),
                link_text=_("Open your assignments"),
                order=12,
            )
        )
    if has_role(user, *registry_selectors.REGISTRY_READERS):
        counts = registry_selectors.status_counts(user)
        out.append(
            Card(
                title=_("Honouree registry"),
                lines=[
                    (str(label), str(counts.get(s, 0)))
                    for s, label in Honouree.Status.choices
                    if counts.get(s)
                ]
                or [(_("Honourees"), "0")],
                links=[(reverse("registry:calendar"), _("Benefit calendar"))],
                link=reverse("registry:roster"),
                link_text=_("Open the registry"),
                order=15,
            )
        )
    rounds = list(intake_selectors.rounds_for(user).order_by("scheme__code", "-year")[:10])
    if rounds:
        out.append(
            Card(
                title=_("Rounds"),
                lines=[(str(r), r.get_status_display()) for r in rounds],
                links=[(reverse("intake:round-detail", args=[r.pk]), str(r)) for r in rounds]
                if has_role(user, Role.TALENT_OFFICE) or has_role(user, Role.AUDITOR)
                else [],
                link=reverse("api-docs") if has_role(user, Role.TALENT_OFFICE) else "",
                link_text=_("API documentation") if has_role(user, Role.TALENT_OFFICE) else "",
                order=20,
            )
        )
    return out
