"""Report jobs (a report built in a worker, watched by the person who asked) and in-app notifications.

Neither is a domain row: a job records who asked, when it started and ended and what came of it, and a
notification is a message sent once. So they carry their own timestamps instead of a history table (a
progress bar would otherwise write a history row every second).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportJob(models.Model):
    """One report asked for: its kind and parameters, its progress, and the file or the error it ended with."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    NEXT = {
        Status.QUEUED: {Status.RUNNING, Status.FAILED},
        Status.RUNNING: {Status.DONE, Status.FAILED},
        Status.DONE: set(),
        Status.FAILED: set(),
    }
    FINISHED = (Status.DONE, Status.FAILED)

    kind = models.CharField(_("kind"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="report_jobs",
        verbose_name=_("asked by"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    stage = models.CharField(_("stage"), max_length=200, blank=True)
    # Under MEDIA_ROOT, which is never served from a public URL: the download view checks who asks.
    output = models.FileField(_("file"), upload_to="reports/%Y/%m/", blank=True)
    output_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        indexes = [models.Index(fields=["requested_by", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_job_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | ~models.Q(output=""), name="report_job_done_has_file"
            ),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk}"

    def can_become(self, status: str) -> bool:
        return status in self.NEXT[self.status]

    @property
    def finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def kind_label(self) -> str:
        from reports.kinds import KINDS

        kind = KINDS.get(self.kind)
        return str(kind.label) if kind else self.kind


class Notification(models.Model):
    """A message to one user, in the app and by email, sent once per ``key`` (the database says so)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(_("key"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_user_key")]

    def __str__(self):
        return f"{self.user} · {self.title}"
