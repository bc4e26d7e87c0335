"""Background tasks (django-q2): tasks take ids and call services, so they run the same in any worker."""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backend.errors import DomainError
from reports import services
from reports.kinds import get_kind
from reports.models import ReportJob

log = logging.getLogger(__name__)


def progress_writer(job_id: int, *, every: float = 0.5):
    """A ``progress(percent, stage)`` callback that writes at most every ``every`` seconds, or on a new stage."""
    last = {"at": 0.0, "stage": None, "percent": -1}

    def progress(percent: int, stage: str = "") -> None:
        now = time.monotonic()
        if stage == last["stage"] and (now - last["at"] < every or percent == last["percent"]):
            return
        last.update(at=now, stage=stage, percent=percent)
        services.report_job_progress(job_id=job_id, percent=percent, stage=stage)

    return progress


def error_text(exc: BaseException) -> str:
    """What the person who asked reads when their report failed: a domain error's own words in both
    languages, anything else named with its type (the traceback goes to the worker's log)."""
    if isinstance(exc, DomainError):
        return f"{exc.zh}\n{exc.en}"
    return _("The report could not be built: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"}


def run_report_job(job_id: int) -> str:
    """Build the job's report and store it; any exception ends the job ``failed`` with its message."""
    job = services.report_job_start(job_id=job_id)
    if job is None:
        return "skipped"
    try:
        with translation.override("zh-hans"):
            kind = get_kind(job.kind)
            out = kind.build(job.params, progress_writer(job.pk), by=job.requested_by)
    except Exception as exc:
        log.exception("report job %s (%s) failed", job_id, job.kind)
        with translation.override("zh-hans"):
            services.report_job_fail(job_id=job_id, error=error_text(exc))
        return "failed"
    services.report_job_finish(
        job_id=job_id, content=out.content, filename=out.filename, content_type=out.content_type
    )
    return "done"


def fail_stale_jobs(*, older_than_minutes: int = 120) -> int:
    """Jobs a dead worker left running or queued for too long are failed, so nobody watches them forever."""
    cutoff = timezone.now() - dt.timedelta(minutes=older_than_minutes)
    stale = ReportJob.objects.filter(
        status__in=[ReportJob.Status.QUEUED, ReportJob.Status.RUNNING], created_at__lt=cutoff
    ).values_list("pk", flat=True)
    count = 0
    with translation.override("zh-hans"):
        for pk in stale:
            services.report_job_fail(
                job_id=pk, error=_("The report was not finished in time; ask for it again.")
            )
            count += 1
    return count


def send_daily_reminders() -> dict:
    """The daily reminder run (a django-q2 schedule made by a migration calls it)."""
    from reports.reminders import send_due_reminders

    counts = send_due_reminders(timezone.localdate())
    counts["stale_jobs_failed"] = fail_stale_jobs()
    from reports.sweep import sweep_orphan_files

    counts["orphan_files_removed"] = len(sweep_orphan_files())
    return counts
