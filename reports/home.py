"""Home-page card of the reports side: unread notifications, and the way to the reports."""

from django.urls import reverse
from django.utils.translation import gettext as _

from backend.home import Card
from reports import selectors
from reports.kinds import kinds_for


def cards(user) -> list[Card]:
    if not getattr(user, "is_authenticated", False):
        return []
    unread = selectors.unread_count(user)
    lines = [(_("Unread notifications"), str(unread))]
    links = [(reverse("reports:notification-list"), _("Open the notifications"))]
    if kinds_for(user):
        links.append((reverse("reports:job-list"), _("Ask for a report")))
    return [Card(title=_("Reports and notifications"), lines=lines, links=links, order=80)]
