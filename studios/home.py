"""Home-page cards of the studios side: the host's year at a glance, what waits for a verifier or an assessor."""

from django.urls import reverse
from django.utils.translation import gettext as _

from backend.home import Card
from backend.roles import Role, has_role
from studios import selectors
from studios.models import Assessment, MentoringSession, Studio
from studios.templatetags.studio_tags import hours, in_language


def cards(user) -> list[Card]:
    if not getattr(user, "is_authenticated", False):
        return []
    out = []
    if has_role(user, Role.STUDIO_HOST):
        hosted = list(selectors.studios_for(user).filter(host=user).order_by("id"))
        progress = selectors.progress_for(hosted)
        for studio in hosted:
            p = progress.get(studio.pk)
            lines = [(_("status"), studio.get_status_display())]
            if p is not None:
                lines += [(in_language(b), f"{hours(b.verified)} / {hours(b.target)}") for b in p.bars]
                lines.append((_("Deadline"), p.ends_on.isoformat()))
            links = []
            if studio.status == Studio.Status.ESTABLISHED:
                links.append((reverse("studios:session-log", args=[studio.pk]), _("Log a session")))
            out.append(
                Card(
                    title=studio.name,
                    lines=lines,
                    links=links,
                    link=reverse("studios:studio-detail", args=[studio.pk]),
                    link_text=_("Open the studio"),
                    order=5,
                )
            )
    visible = selectors.studios_for(user)
    waiting = MentoringSession.objects.filter(
        studio__in=visible.values("pk"), status=MentoringSession.Status.SUBMITTED
    )
    if has_role(user, Role.TALENT_OFFICE) or Studio.objects.filter(contact=user).exists():
        out.append(
            Card(
                title=_("Studios"),
                lines=[
                    (_("Studios"), str(visible.count())),
                    (_("Sessions waiting for verification"), str(waiting.count())),
                ],
                link=reverse("studios:studio-list"),
                link_text=_("Open the studios"),
                order=30,
            )
        )
    elif (
        has_role(user, Role.AUDITOR, Role.EXPERT, Role.FINANCE_MAKER, Role.FINANCE_CHECKER)
        and visible.exists()
    ):
        todo = Assessment.objects.filter(
            studio__in=visible.values("pk"), status__in=Assessment.SCORING
        ).count()
        out.append(
            Card(
                title=_("Studios"),
                lines=[(_("Studios"), str(visible.count())), (_("Assessments open"), str(todo))],
                link=reverse("studios:studio-list"),
                link_text=_("Open the studios"),
                order=30,
            )
        )
    return out
