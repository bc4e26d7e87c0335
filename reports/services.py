"""Writes of the reports side: a report job's life (asked, started, progress, finished or failed) and
notifications sent once."""

from __future__ import annotations

import logging
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.errors import TransitionNotAllowed
from reports import kinds as registry
from reports.models import Notification, ReportJob

log = logging.getLogger(__name__)
J = ReportJob.Status
TASK = "reports.tasks.run_report_job"


def _enqueue(job_id: int) -> None:
    from django_q.tasks import async_task

    task_id = async_task(TASK, job_id, task_name=f"report-job-{job_id}", group="reports")
    ReportJob.objects.filter(pk=job_id).update(task_id=str(task_id or "")[:64])


@transaction.atomic
def report_job_request(*, by: User, kind: str, params: dict | None = None) -> ReportJob:
    """A queued job for a report ``by`` may ask for; the worker is told only once the row is committed."""
    report_kind = registry.get_kind(kind)
    clean = registry.clean_params(report_kind, params or {}, by=by)
    job = ReportJob.objects.create(kind=report_kind.code, params=clean, requested_by=by)
    # Enqueued after commit: a worker that picked the task up earlier would not find the row.
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


@transaction.atomic
def report_job_start(*, job_id: int) -> ReportJob | None:
    """Mark the job running; None when it is not queued any more (a task delivered twice runs once)."""
    job = ReportJob.objects.select_for_update().get(pk=job_id)
    if job.status != J.QUEUED:
        return None
    job.status, job.started_at, job.progress, job.stage = J.RUNNING, timezone.now(), 0, ""
    job.save(update_fields=["status", "started_at", "progress", "stage"])
    return job


def report_job_progress(*, job_id: int, percent: int, stage: str = "") -> bool:
    """Record how far a running job has come. A guarded UPDATE rather than a lock: progress is written often,
    never moves a finished job, and never goes backwards."""
    percent = max(0, min(99, int(percent)))  # 100 is reached by finishing, with the file in place
    return bool(
        ReportJob.objects.filter(pk=job_id, status=J.RUNNING, progress__lte=percent).update(
            progress=percent, stage=str(stage)[:200]
        )
    )


@transaction.atomic
def report_job_finish(*, job_id: int, content: bytes, filename: str, content_type: str) -> ReportJob:
    """Store the file (under a random name in private storage) and mark the job done."""
    job = ReportJob.objects.select_for_update().get(pk=job_id)
    if not job.can_become(J.DONE):
        raise TransitionNotAllowed(job, J.DONE)
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    job.output.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(content), save=False)
    job.output_name, job.content_type, job.size = filename[:255], content_type, len(content)
    job.status, job.progress, job.stage, job.finished_at = J.DONE, 100, "", timezone.now()
    job.save()
    notify(
        user=job.requested_by,
        kind="report_done",
        key=f"report-job-{job.pk}-done",
        title=_("Report ready: %(kind)s") % {"kind": job.kind_label},
        body=_("%(kind)s (%(file)s) is ready to download.") % {"kind": job.kind_label, "file": filename},
        link=reverse("reports:job-detail", args=[job.pk]),
    )
    return job


@transaction.atomic
def report_job_fail(*, job_id: int, error: str) -> ReportJob:
    """Mark the job failed with a message the person who asked can read; a finished job stays as it was."""
    job = ReportJob.objects.select_for_update().get(pk=job_id)
    if job.finished:
        return job
    job.status, job.error, job.finished_at = J.FAILED, error[:5000], timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    return job


# --- notifications ---------------------------------------------------------------------------------------------


def _email(notification_id: int) -> None:
    n = Notification.objects.select_related("user").get(pk=notification_id)
    if not n.user.email:
        return
    link = n.link
    if link.startswith("/") and getattr(settings, "SITE_URL", ""):
        link = settings.SITE_URL.rstrip("/") + link
    body = n.body + (f"\n\n{link}" if link else "")
    try:
        send_mail(n.title, body, None, [n.user.email])
    except Exception:  # a mail server down must not undo the notification; the page still shows it
        log.exception("emailing notification %s failed", n.pk)
        return
    Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())


def notify(
    *, user: User, key: str, title: str, body: str = "", link: str = "", kind: str = "reminder"
) -> Notification | None:
    """The notification, created and emailed once per (user, key); None when it was sent before.

    The unique constraint decides: of two racing senders one inserts and the other gets an IntegrityError
    (PostgreSQL makes it wait for the first to commit), so only the inserter emails, and only after its
    transaction commits — a rolled-back notification sends nothing.
    """
    try:
        with transaction.atomic():
            n = Notification.objects.create(
                user=user, kind=kind, key=key[:200], title=title[:200], body=body, link=link[:300]
            )
    except IntegrityError:
        return None
    transaction.on_commit(lambda: _email(n.pk))
    return n


@transaction.atomic
def notification_mark_read(*, by: User, notification_id: int | None = None) -> int:
    """Mark one of ``by``'s notifications read (or all of them); how many changed."""
    qs = Notification.objects.filter(user=by, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
