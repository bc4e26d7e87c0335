"""Pages of the studios side: thin views over selectors (reads) and services (every write).

The host's pages are made for a phone on the shop floor: the studio page shows this year's progress as bars
(verified, and still waiting for verification) with what is missing and the deadline; the log page takes a
session in one screen with today's date and the active apprentices already ticked. A refused action comes
back on the page it was sent from, in the user's language.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.actions import post_action
from backend.errors import DomainError, ValidationFailed
from backend.forms import add_domain_error
from backend.input import form_date, form_int
from backend.personal_data import id_number_for
from backend.roles import Role, has_role
from backend.skills import SkillLevel
from honourees.models import Honouree
from studios import imports, permissions, selectors
from studios import rubric as rubric_rules
from studios.forms import ApprenticeForm, SessionForm, StudioForm, UpgradeForm
from studios.models import (
    Apprentice,
    Assessment,
    MentoringSession,
    SessionAttendance,
    Studio,
    StudioFile,
)
from studios.services import apprentices, assessments, evidence, sessions, studios

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


action = post_action(fallback="home", not_found_is_404=True)


def _studio(request, pk) -> Studio:
    return get_object_or_404(selectors.studios_for(request.user), pk=pk)


# --- studios -------------------------------------------------------------------------------------------------


@login_required
def studio_list(request):
    user = request.user
    visible = list(selectors.studios_for(user).order_by("id")[:500])
    if len(visible) == 1 and not has_role(user, Role.TALENT_OFFICE, Role.AUDITOR, Role.EXPERT):
        return redirect("studios:studio-detail", visible[0].pk)  # a host goes straight to their studio
    waiting = dict(
        MentoringSession.objects.filter(
            studio__in=[s.pk for s in visible], status=MentoringSession.Status.SUBMITTED
        )
        .values("studio_id")
        .annotate(n=Count("id"))
        .values_list("studio_id", "n")
        .order_by()
    )
    progress = selectors.progress_for(visible)
    rows = [{"studio": s, "progress": progress.get(s.pk), "waiting": waiting.get(s.pk, 0)} for s in visible]
    return render(
        request, "studios/studio_list.html", {"rows": rows, "is_office": has_role(user, Role.TALENT_OFFICE)}
    )


def _studio_form(request, data=None):
    User = get_user_model()
    taken = Studio.objects.exclude(status=Studio.Status.CLOSED).values("honouree_id")
    honourees = (
        Honouree.objects.filter(status=Honouree.Status.ACTIVE)
        .exclude(pk__in=taken)
        .select_related("person", "round__scheme")
    )
    hosts = User.objects.filter(groups__name=Role.STUDIO_HOST, is_active=True).order_by("username")
    contacts = User.objects.filter(is_active=True).exclude(groups__name=Role.STUDIO_HOST).order_by("username")
    return StudioForm(data, honourees=honourees, hosts=hosts, contacts=contacts)


@login_required
def studio_new(request):
    if not has_role(request.user, Role.TALENT_OFFICE):
        raise Http404
    form = _studio_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            studio = studios.studio_create(
                by=request.user,
                honouree_id=d["honouree"],
                host_id=d["host"],
                name=d["name"],
                institution_name=d["institution_name"],
                institution_kind=d["institution_kind"],
                address=d["address"],
                contact_id=d["contact"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Studio registered; upload the plaque evidence, then confirm the plaque date.")
            )
            return redirect("studios:studio-detail", studio.pk)
    return render(request, "studios/studio_form.html", {"form": form})


@login_required
def studio_detail(request, pk: int):
    user = request.user
    studio = _studio(request, pk)
    progress = selectors.progress_for([studio]).get(studio.pk)
    today = timezone.localdate()
    recent = list(
        selectors.with_overlaps(MentoringSession.objects.filter(studio=studio))
        .prefetch_related(
            Prefetch("attendance", queryset=SessionAttendance.objects.select_related("apprentice__person"))
        )
        .order_by("-date", "-starts_at", "-id")[:10]
    )
    roster = list(Apprentice.objects.filter(studio=studio).select_related("person").order_by("id"))
    for a in roster:
        a.is_active = a.active_on(today)
    counting = selectors.counting_institution_kinds(studio.honouree.round)
    return render(
        request,
        "studios/studio_detail.html",
        {
            "studio": studio,
            "progress": progress,
            "hours": selectors.hours_summary(studio, progress.starts_on, progress.ends_on)
            if progress
            else None,
            "sessions": recent,
            "apprentices": roster,
            "files": studio.files.filter(kind=StudioFile.Kind.ESTABLISHMENT),
            "pauses": studio.pauses.all(),
            "assessments": studio.assessments.all(),
            "assessors": studio.assessors.select_related("user"),
            "counts_for_round": counting is None or studio.institution_kind in counting,
            "can_manage": permissions.may_manage(user, studio) and studio.status != Studio.Status.CLOSED,
            "can_verify": permissions.may_verify(user, studio),
            "is_office": has_role(user, Role.TALENT_OFFICE),
            "experts": get_user_model()
            .objects.filter(groups__name=Role.EXPERT, is_active=True)
            .order_by("username")
            if has_role(user, Role.TALENT_OFFICE)
            else [],
            "today": today,
        },
    )


@action
def studio_establish(request, pk):
    s = studios.studio_establish(
        by=request.user,
        studio_id=pk,
        plaque_date=form_date(request.POST.get("plaque_date"), field="plaque_date"),
    )
    return _("Plaque confirmed on %(date)s.") % {"date": s.plaque_date}


@action
def studio_close(request, pk):
    studios.studio_close(
        by=request.user,
        studio_id=pk,
        closed_on=form_date(request.POST.get("closed_on"), field="closed_on"),
        reason=request.POST.get("reason", ""),
    )
    return _("Studio closed.")


@action
def studio_file_upload(request, pk):
    evidence.studio_file_add(
        by=request.user,
        studio_id=pk,
        kind=request.POST.get("kind", "establishment"),
        uploaded_file=request.FILES.get("file"),
        apprentice_id=form_int(request.POST.get("apprentice")),
        upgrade_id=form_int(request.POST.get("upgrade")),
    )
    return _("File uploaded.")


@action
def pause_add(request, pk):
    studios.pause_record(
        by=request.user,
        studio_id=pk,
        starts_on=form_date(request.POST.get("starts_on"), field="starts_on"),
        ends_on=form_date(request.POST.get("ends_on"), field="ends_on"),
        reason=request.POST.get("reason", ""),
    )
    return _("Pause recorded; this year's targets are lowered accordingly.")


@action
def assessor_add(request, pk):
    studios.studio_assessor_add(by=request.user, studio_id=pk, user_id=form_int(request.POST.get("user")))
    return _("Assessor linked.")


@login_required
def file_download(request, pk: int):
    try:
        handle, content_type, name = evidence.studio_file_open(by=request.user, file_id=pk)
    except DomainError:
        raise Http404 from None
    return FileResponse(handle, content_type=content_type, filename=name)


# --- sessions ------------------------------------------------------------------------------------------------


@login_required
def session_log(request, pk: int):
    """The phone page: one screen, today's date, the active apprentices ticked."""
    studio = _studio(request, pk)
    if not permissions.may_manage(request.user, studio):
        raise Http404
    today = timezone.localdate()
    active = list(selectors.active_apprentices(studio, today))
    last = (
        MentoringSession.objects.filter(studio=studio, logged_by=request.user).order_by("-logged_at").first()
    )
    initial = {
        "date": today,
        "attendees": [str(a.pk) for a in active],
        "kind": MentoringSession.Kind.TEACHING,
    }
    if (
        last is not None
    ):  # hosts keep regular slots: the last session's times, kind and place are the likely ones
        initial.update(starts_at=last.starts_at, ends_at=last.ends_at, kind=last.kind, location=last.location)
    others = list(
        Apprentice.objects.filter(studio=studio)
        .exclude(pk__in=[a.pk for a in active])
        .select_related("person")
    )
    form = SessionForm(request.POST or None, initial=initial, apprentices=active + others)
    if request.method == "POST" and form.is_valid():
        try:
            session = sessions.session_log(
                by=request.user,
                studio_id=studio.pk,
                photos=request.FILES.getlist("photos"),
                **form.service_args(),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Session saved: %(hours)s hours, waiting for verification.") % {"hours": session.hours},
            )
            if session.overlapping:
                messages.warning(
                    request,
                    _("It overlaps another session of the same day; the verifier will see it flagged."),
                )
            return redirect("studios:studio-detail", studio.pk)
    return render(
        request,
        "studios/session_log.html",
        {"studio": studio, "form": form, "active_ids": {a.pk for a in active}, "others": others},
    )


@login_required
def session_list(request, pk: int):
    studio = _studio(request, pk)
    qs = selectors.with_overlaps(MentoringSession.objects.filter(studio=studio)).select_related("verified_by")
    status = request.GET.get("status")
    if status in MentoringSession.Status.values:
        qs = qs.filter(status=status)
    shown = list(
        qs.prefetch_related(
            Prefetch("attendance", queryset=SessionAttendance.objects.select_related("apprentice__person"))
        ).order_by("-date", "-starts_at", "-id")[:500]
    )
    return render(
        request,
        "studios/session_list.html",
        {
            "studio": studio,
            "sessions": shown,
            "status": status,
            "statuses": MentoringSession.Status.choices,
            "can_verify": permissions.may_verify(request.user, studio),
            "can_manage": permissions.may_manage(request.user, studio),
        },
    )


@login_required
def session_detail(request, pk: int):
    session = get_object_or_404(selectors.with_overlaps(selectors.sessions_for(request.user)), pk=pk)
    studio = session.studio
    user = request.user
    can_edit = (
        permissions.may_manage(user, studio)
        and session.status != MentoringSession.Status.VERIFIED
        and timezone.now() <= session.editable_until
        and studio.status == Studio.Status.ESTABLISHED
    )
    roster = list(Apprentice.objects.filter(studio=studio).select_related("person").order_by("id"))
    attending = [str(x) for x in session.attendance.values_list("apprentice_id", flat=True)]
    initial = {
        f: getattr(session, f) for f in ("date", "starts_at", "ends_at", "kind", "topic", "location", "notes")
    }
    initial["attendees"] = attending
    form = SessionForm(request.POST or None, initial=initial, apprentices=roster)
    if request.method == "POST":
        if not can_edit:
            messages.error(request, _("This session can no longer be edited."))
            return redirect("studios:session-detail", session.pk)
        if form.is_valid():
            try:
                sessions.session_edit(by=user, session_id=session.pk, **form.service_args())
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("studios:session-detail", session.pk)
    history = session.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "studios/session_detail.html",
        {
            "session": session,
            "studio": studio,
            "form": form,
            "can_edit": can_edit,
            "can_verify": permissions.may_verify(user, studio)
            and session.status == MentoringSession.Status.SUBMITTED
            and session.logged_by_id != user.pk,
            "attendees": session.attendance.select_related("apprentice__person"),
            "photos": session.photos.all(),
            "history": history,
        },
    )


@action
def sessions_verify(request, pk=None):
    ids = [i for i in (form_int(v) for v in request.POST.getlist("sessions")) if i is not None]
    done = sessions.sessions_verify(by=request.user, session_ids=ids)
    return _("%(count)s session(s) verified.") % {"count": len(done)}


@action
def session_return(request, pk):
    sessions.session_return(by=request.user, session_id=pk, reason=request.POST.get("reason", ""))
    return _("Returned to the host with the reason.")


@action
def session_delete(request, pk):
    studio_id = selectors.sessions_for(request.user).filter(pk=pk).values_list("studio_id", flat=True).first()
    sessions.session_delete(by=request.user, session_id=pk)
    messages.success(request, _("Session deleted."))
    return redirect("studios:studio-detail", studio_id)


@action
def session_photo(request, pk):
    sessions.session_photo_add(by=request.user, session_id=pk, uploaded_file=request.FILES.get("photo"))
    return _("Photo added.")


@login_required
def session_import(request, pk: int):
    studio = _studio(request, pk)
    if not permissions.may_manage(request.user, studio):
        raise Http404
    errors, made = [], None
    if request.method == "POST":
        try:
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationFailed("请选择 Excel 文件。", "Choose an Excel file.", field="file")
            made = imports.sessions_import(by=request.user, studio_id=studio.pk, file=upload)
        except DomainError as exc:
            errors = [exc] + list(exc.errors)
        else:
            messages.success(
                request, _("%(count)s sessions imported, waiting for verification.") % {"count": len(made)}
            )
            return redirect("studios:studio-detail", studio.pk)
    return render(request, "studios/session_import.html", {"studio": studio, "errors": errors})


@login_required
def session_template(request, pk: int):
    studio = _studio(request, pk)
    response = HttpResponse(imports.session_template(studio), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="sessions-template.xlsx"'
    return response


# --- apprentices ---------------------------------------------------------------------------------------------


@login_required
def apprentice_new(request, pk: int):
    studio = _studio(request, pk)
    if not permissions.may_manage(request.user, studio):
        raise Http404
    form = ApprenticeForm(request.POST or None, initial={"agreement_start": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            app = apprentices.apprentice_add(by=request.user, studio_id=studio.pk, **form.service_args())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Apprentice added; upload the signed agreement on their page."))
            return redirect("studios:apprentice-detail", app.pk)
    return render(request, "studios/apprentice_form.html", {"studio": studio, "form": form})


@login_required
def apprentice_detail(request, pk: int):
    app = get_object_or_404(selectors.apprentices_for(request.user), pk=pk)
    return render(
        request,
        "studios/apprentice_detail.html",
        {
            "app": app,
            "studio": app.studio,
            "id_number": id_number_for(request.user, app.person, purpose="apprentice page"),
            "upgrades": app.upgrades.all(),
            "files": app.files.all(),
            "form": UpgradeForm(),
            "levels": SkillLevel.choices,
            "can_manage": permissions.may_manage(request.user, app.studio)
            and app.studio.status != Studio.Status.CLOSED,
            "sessions": MentoringSession.objects.filter(attendance__apprentice=app).order_by("-date")[:20],
        },
    )


@action
def apprentice_update(request, pk):
    data = {k: request.POST.get(k) for k in ("employer", "trade") if k in request.POST}
    for k in ("agreement_start", "agreement_end", "agreement_signed_on"):
        if k in request.POST:
            data[k] = form_date(request.POST.get(k), field=k)
    apprentices.apprentice_update(by=request.user, apprentice_id=pk, **data)
    return _("Saved.")


@action
def upgrade_add(request, pk):
    form = UpgradeForm(request.POST)
    form.is_valid()
    d = form.cleaned_data
    if "achieved_on" in form.errors:
        raise ValidationFailed(
            "取得日期格式不正确。", "The date achieved is not a date.", field="achieved_on"
        )
    apprentices.skill_upgrade_record(
        by=request.user,
        apprentice_id=pk,
        to_level=d.get("to_level", ""),
        achieved_on=d.get("achieved_on"),
        certificate_no=d.get("certificate_no", ""),
        certificate_file=request.FILES.get("file"),
    )
    return _("Skill upgrade recorded.")


# --- assessments ---------------------------------------------------------------------------------------------


@action
def assessment_open(request, pk):
    a = assessments.assessment_open(
        by=request.user, studio_id=pk, period=form_int(request.POST.get("period")) or 0
    )
    return redirect("studios:assessment-detail", a.pk)


@login_required
def assessment_detail(request, pk: int):
    a = get_object_or_404(selectors.assessments_for(request.user), pk=pk)
    user = request.user
    rubric = getattr(a.studio.honouree.round, "studio_rubric", None)
    items = rubric.parsed_items() if rubric else []
    preview = None
    if a.status in Assessment.SCORING and rubric is not None:
        # What the logs show so far, scored as the record would score them (the assessors' part left out).
        end = (
            min(a.ends_on, timezone.localdate())
            if a.attempt == 1
            else min(a.rectification_until, timezone.localdate())
        )
        measures = selectors.measure({a.studio_id: (a.starts_on, end)})[a.studio_id]["verified"]
        share, _p = selectors.active_share(list(a.studio.pauses.all()), a.starts_on, a.ends_on)
        preview = [x for x in rubric_rules.score(items, measures, share, {}).results if x.item.computed]
    sheets = list(a.sheets.select_related("assessor").order_by("attempt", "id"))
    mine = next((s for s in sheets if s.assessor_id == user.pk and s.attempt == a.attempt), None)
    assessor_items = [(i, (mine.scores.get(i.code) if mine else "")) for i in items if not i.computed]
    return render(
        request,
        "studios/assessment_detail.html",
        {
            "a": a,
            "studio": a.studio,
            "rubric": rubric,
            "preview": preview,
            "sheets": sheets,
            "mine": mine,
            "assessor_items": assessor_items,
            "can_score": a.status in Assessment.SCORING and permissions.may_assess(user, a.studio),
            "is_office": has_role(user, Role.TALENT_OFFICE),
            "averages": rubric_rules.assessor_average([s for s in sheets if s.attempt == a.attempt]),
        },
    )


@action
def assessment_score(request, pk):
    scores = {k.removeprefix("item_"): v for k, v in request.POST.items() if k.startswith("item_")}
    assessments.assessment_score(
        by=request.user, assessment_id=pk, scores=scores, comment=request.POST.get("comment", "")
    )
    return _("Scores saved.")


@action
def assessment_record(request, pk):
    a = assessments.assessment_record(
        by=request.user, assessment_id=pk, on=form_date(request.POST.get("on"), field="on")
    )
    return _("Result recorded: %(total)s, %(grade)s.") % {"total": a.total, "grade": a.get_grade_display()}


@action
def assessment_rectify(request, pk):
    a = assessments.assessment_open_rectification(
        by=request.user,
        assessment_id=pk,
        note=request.POST.get("note", ""),
        until=form_date(request.POST.get("until"), field="until"),
    )
    return _("Rectification until %(date)s.") % {"date": a.rectification_until}


@action
def assessment_finalise(request, pk):
    assessments.assessment_make_final(
        by=request.user, assessment_id=pk, reason=request.POST.get("reason", "")
    )
    return _("The fail is final.")
