"""Reads of the reports side: whose jobs and notifications a user sees, decided once here.

A report job is seen (and its file downloaded) by the person who asked and by the talent office; nobody
else, whatever they may see elsewhere — a file holds what its asker was allowed to read.
"""

from __future__ import annotations

from django.db.models import QuerySet

from backend.roles import Role, has_role
from reports.models import Notification, ReportJob


def jobs_for(user) -> QuerySet[ReportJob]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ReportJob.objects.none()
    qs = ReportJob.objects.select_related("requested_by")
    if has_role(user, Role.TALENT_OFFICE):
        return qs
    return qs.filter(requested_by=user)


def notifications_for(user) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def unread_count(user) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()
