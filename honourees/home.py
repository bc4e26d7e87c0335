"""Home-page cards for the intake side."""

from django.urls import reverse
from django.utils.translation import gettext as _

from backend.home import Card
from backend.roles import Role, has_role, user_roles
from honourees import selectors


def cards(user) -> list[Card]:
    if not user_roles(user):
        return []
    out = []
    unit = selectors.clerk_unit(user) if has_role(user, Role.UNIT_CLERK) else None
    if unit is not None:
        out.append(
            Card(
                title=_("Your unit"),
                lines=[(_("Unit"), unit.name), (_("Scheme"), unit.scheme.name), (_("Type"), unit.get_unit_type_display())],
                order=10,
            )
        )
    rounds = list(selectors.rounds_for(user).order_by("scheme__code", "-year")[:10])
    if rounds:
        out.append(
            Card(
                title=_("Rounds"),
                lines=[(str(r), r.get_status_display()) for r in rounds],
                link=reverse("api-docs") if has_role(user, Role.TALENT_OFFICE) else "",
                link_text=_("API documentation") if has_role(user, Role.TALENT_OFFICE) else "",
                order=20,
            )
        )
    return out
