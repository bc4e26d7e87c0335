"""Home-page cards of the shared parts: what each role is here for, and the calendar."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from backend.home import Card
from backend.models import CalendarOverride
from backend.roles import Role, has_role, user_roles

ROLE_DUTIES = {
    Role.TALENT_OFFICE: gettext_noop(
        "Set up rounds, run review to naming, watch studios, produce the annual report."
    ),
    Role.UNIT_CLERK: gettext_noop(
        "Enter or import your unit's nominations within its quota and print the signed forms."
    ),
    Role.EXPERT: gettext_noop("Score the nominations assigned to you."),
    Role.FINANCE_MAKER: gettext_noop(
        "See what falls due, put it into disbursement batches, export for the bank, record the result."
    ),
    Role.FINANCE_CHECKER: gettext_noop("Approve or reject disbursement batches prepared by someone else."),
    Role.STUDIO_HOST: gettext_noop("Log mentoring sessions, manage apprentices, upload evidence."),
    Role.AUDITOR: gettext_noop("Read everything, change nothing; personal data is shown masked."),
}


def cards(user) -> list[Card]:
    roles = user_roles(user)
    out = [
        Card(title=Role(r).label, lines=[(_("Your work"), _(ROLE_DUTIES[Role(r)]))], order=0)
        for r in Role.values
        if r in roles
    ]
    if has_role(user, Role.TALENT_OFFICE, Role.FINANCE_MAKER, Role.FINANCE_CHECKER):
        from backend.workdays import LAST_OFFICIAL_DATE

        out.append(
            Card(
                title=_("Working-day calendar"),
                lines=[
                    (_("Official data until"), LAST_OFFICIAL_DATE.isoformat()),
                    (_("Overrides entered"), str(CalendarOverride.objects.count())),
                ],
                link=reverse("calendar"),
                link_text=_("Open the calendar"),
                order=90,
            )
        )
    return out
