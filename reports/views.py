"""Pages of the reports side: ask for a report, watch it (a progress bar polling a small JSON view), download
it; the user's notifications. Thin: reads through selectors, writes through services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.errors import DomainError
from backend.forms import add_domain_error
from reports import selectors, services
from reports.forms import ReportRequestForm
from reports.kinds import KINDS, kinds_for
from reports.models import ReportJob


def _studios(user):
    from studios.models import Studio
    from studios.selectors import studios_for

    return list(studios_for(user).filter(status=Studio.Status.ESTABLISHED).order_by("name"))


@login_required
def job_list(request):
    """The user's report jobs and the form to ask for another."""
    kinds = kinds_for(request.user)
    form = ReportRequestForm(
        request.POST or None, user=request.user, studios=_studios(request.user) if kinds else []
    )
    if request.method == "POST" and form.is_valid():
        kind = KINDS[form.cleaned_data["kind"]]
        params = {k: v for k, v in form.params().items() if k in kind.takes}
        try:
            job = services.report_job_request(by=request.user, kind=kind.code, params=params)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Your report is being prepared."))
            return redirect("reports:job-detail", pk=job.pk)
    jobs = list(selectors.jobs_for(request.user).filter(requested_by=request.user)[:100])
    return render(request, "reports/job_list.html", {"form": form, "jobs": jobs, "kinds": kinds})


def _job(request, pk) -> ReportJob:
    return get_object_or_404(selectors.jobs_for(request.user), pk=pk)


def job_state(job: ReportJob) -> dict:
    """What the page and the API show of a job while it runs and when it ends."""
    data = {
        "id": job.pk,
        "kind": job.kind,
        "kind_label": job.kind_label,
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "progress": job.progress,
        "stage": job.stage,
        "finished": job.finished,
        "error": job.error if job.status == ReportJob.Status.FAILED else "",
        "download_url": reverse("reports:job-download", args=[job.pk])
        if job.status == ReportJob.Status.DONE
        else "",
        "filename": job.output_name,
    }
    return data


@login_required
def job_detail(request, pk: int):
    job = _job(request, pk)
    return render(request, "reports/job_detail.html", {"job": job, "state": job_state(job)})


@login_required
def job_status(request, pk: int):
    return JsonResponse(job_state(_job(request, pk)))


@login_required
def job_download(request, pk: int):
    job = _job(request, pk)
    if job.status != ReportJob.Status.DONE or not job.output:
        raise Http404
    try:
        handle = job.output.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=job.output_name, content_type=job.content_type)


@login_required
def notification_list(request):
    items = list(selectors.notifications_for(request.user)[:200])
    return render(request, "reports/notification_list.html", {"items": items})


@login_required
@require_POST
def notification_read(request):
    pk = request.POST.get("id")
    services.notification_mark_read(by=request.user, notification_id=int(pk) if pk and pk.isdigit() else None)
    return redirect("reports:notification-list")
