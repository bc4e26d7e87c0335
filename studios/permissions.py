"""Who may do what with a studio: the questions the services ask before they refuse, and the pages ask
before they offer a button. Who may *see* a studio is ``studios.selectors.studios_for``.

- **talent office**: everything — set up studios, confirm the 挂牌, link assessors and the institution
  contact, record pauses, open, record and finalise assessments, verify hours, and enter data for a host.
- **studio host**: their own studio's apprentices, upgrades, evidence and sessions (log, edit, delete within
  the edit window, import from Excel); name and address of the studio.
- **institution contact** (a user linked to the studio): verifies or returns its sessions. Nobody verifies
  a session they logged themselves.
- **assessor** (an expert linked to the studio, or the office): scores the assessor items.
- **auditor**, **finance**: read only.
"""

from __future__ import annotations

from django.contrib.auth.models import User

from backend.errors import NotPermitted
from backend.roles import Role, has_role
from studios.models import Studio, StudioAssessor


def may_manage(user: User, studio: Studio) -> bool:
    """The office, or the studio's own host."""
    if has_role(user, Role.TALENT_OFFICE):
        return True
    return has_role(user, Role.STUDIO_HOST) and studio.host_id == user.pk


def may_verify(user: User, studio: Studio) -> bool:
    """The office, or the host institution's contact linked to the studio."""
    return has_role(user, Role.TALENT_OFFICE) or (
        studio.contact_id is not None and studio.contact_id == user.pk
    )


def may_assess(user: User, studio: Studio) -> bool:
    """The office, or an expert linked to the studio as its assessor."""
    if has_role(user, Role.TALENT_OFFICE):
        return True
    return has_role(user, Role.EXPERT) and StudioAssessor.objects.filter(studio=studio, user=user).exists()


def require_manage(user: User, studio: Studio) -> None:
    """NotPermitted unless ``may_manage``."""
    if not may_manage(user, studio):
        raise NotPermitted(
            "只有工作室领办人本人或人才办可以修改本工作室的信息。",
            "Only the studio's own host or the talent office may change it.",
        )
