"""Pages of the intake side: thin views over selectors (reads) and services (every write).

A refused action comes back as a message on the page it was sent from (or as form errors on the entry
form), in the user's language; the service's DomainError carries both.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from backend.actions import post_action
from backend.errors import DomainError
from backend.forms import add_domain_error
from backend.idnumbers import mask_id_number
from backend.input import form_date, form_int
from backend.personal_data import id_number_for
from backend.roles import Role, has_role
from honourees import stages
from honourees.eligibility import JUDGE
from honourees.forms import NominationForm
from honourees.models import ExpertAssignment, Nomination, Objection, RecommendingUnit, Round
from honourees.rules import TIER_LABELS
from honourees.selectors import intake as intake_selectors
from honourees.services import core, intake, naming, review

S = Nomination.Status
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


action = post_action(fallback="home", max_errors=20)


# --- nominations -------------------------------------------------------------------------------------------


@login_required
def nomination_list(request):
    qs = intake_selectors.nominations_for(request.user).order_by("-round__year", "unit__name", "id")
    round_id = form_int(request.GET.get("round"))
    if round_id:
        qs = qs.filter(round_id=round_id)
    unit = intake_selectors.clerk_unit(request.user)
    open_rounds = intake_selectors.rounds_for(request.user).filter(status=Round.Status.OPEN)
    quotas = []
    if unit:
        for r in open_rounds.filter(scheme=unit.scheme):
            quotas.append(
                {"round": r, "used": intake.quota_used(r, unit), "quota": intake.quota_for(r, unit)}
            )
    return render(
        request,
        "honourees/nomination_list.html",
        {
            "nominations": qs[:500],
            "unit": unit,
            "open_rounds": open_rounds,
            "quotas": quotas,
            "is_office": has_role(request.user, Role.TALENT_OFFICE),
        },
    )


def _form_page(request, round_, form, nomination=None):
    unit = intake_selectors.clerk_unit(request.user)
    units = (
        RecommendingUnit.objects.filter(scheme=round_.scheme)
        if has_role(request.user, Role.TALENT_OFFICE)
        else []
    )
    return render(
        request,
        "honourees/nomination_form.html",
        {
            "round": round_,
            "form": form,
            "nomination": nomination,
            "unit": unit,
            "units": units,
            "channels": [
                (c, lbl) for c, lbl in Nomination.Channel.choices if c in round_.rules.get("channels", [])
            ],
        },
    )


def _save_from_form(request, round_, form, nomination=None):
    person = form.person()
    if (
        nomination
        and "*" in (person["id_number"] or "")
        and person["id_number"] == mask_id_number(nomination.person.id_number)
    ):
        person["id_number"] = nomination.person.id_number  # unchanged masked value: keep the stored number
    if has_role(request.user, Role.TALENT_OFFICE):
        unit_id = form_int(request.POST.get("unit"))
        channel = request.POST.get("channel") or Nomination.Channel.UNIT
    else:
        unit = intake_selectors.clerk_unit(request.user)
        unit_id, channel = (unit.pk if unit else None), Nomination.Channel.UNIT
    return intake.nomination_save(
        by=request.user,
        round_id=round_.pk,
        unit_id=unit_id,
        channel=channel,
        person=person,
        fields=form.nomination_fields(),
        nomination_id=nomination.pk if nomination else None,
    )


@login_required
def nomination_new(request, round_id: int):
    round_ = get_object_or_404(intake_selectors.rounds_for(request.user), pk=round_id)
    form = NominationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            n = _save_from_form(request, round_, form)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved as a draft."))
            return redirect("intake:nomination-detail", n.pk)
    return _form_page(request, round_, form)


@login_required
def nomination_edit(request, pk: int):
    n = get_object_or_404(intake_selectors.nominations_for(request.user), pk=pk)
    initial = NominationForm.initial_from(n)
    initial["id_number"] = mask_id_number(n.person.id_number)
    form = NominationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _save_from_form(request, n.round, form, nomination=n)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("intake:nomination-detail", n.pk)
    return _form_page(request, n.round, form, nomination=n)


@login_required
def nomination_detail(request, pk: int):
    qs = intake_selectors.nominations_for(request.user).prefetch_related(
        "attachments",
        Prefetch("objections", queryset=Objection.objects.order_by("id")),
        Prefetch("assignments", queryset=ExpertAssignment.objects.select_related("expert")),
    )
    n = get_object_or_404(qs, pk=pk)
    user = request.user
    is_office = has_role(user, Role.TALENT_OFFICE)
    my_assignment = next((a for a in n.assignments.all() if a.expert_id == user.pk), None)
    return render(
        request,
        "honourees/nomination_detail.html",
        {
            "n": n,
            "id_number": id_number_for(user, n.person, purpose="nomination page"),
            "is_office": is_office,
            "can_edit": n.status == S.DRAFT and core.can_edit_unit(user, n.unit),
            "judge_checks": [e for e in n.eligibility if e.get("outcome") == JUDGE],
            "path": stages.path_for(n.round),
            "my_assignment": my_assignment,
            "attachment_kinds": n.attachments.model.Kind.choices,
            "show_scores": is_office or has_role(user, Role.AUDITOR),
        },
    )


@action
def nomination_submit(request, pk):
    intake.nomination_submit(by=request.user, nomination_id=pk)
    return _("Submitted to the talent office.")


@action
def nomination_withdraw(request, pk):
    intake.nomination_withdraw(by=request.user, nomination_id=pk, reason=request.POST.get("reason", ""))
    return _("Withdrawn.")


@action
def nomination_return(request, pk):
    intake.nomination_return(by=request.user, nomination_id=pk, reason=request.POST.get("reason", ""))
    return _("Returned to the unit for correction.")


@action
def nomination_qualify(request, pk):
    judgements = {}
    for key, value in request.POST.items():
        if key.startswith("judge_") and value in ("yes", "no"):
            index = key.removeprefix("judge_")
            judgements[index] = {"ok": value == "yes", "note": request.POST.get(f"note_{index}", "")}
    n = review.nomination_qualify(
        by=request.user, nomination_id=pk, judgements=judgements, note=request.POST.get("note", "")
    )
    return _("Qualification recorded: %(status)s") % {"status": n.get_status_display()}


@action
def nomination_disqualify(request, pk):
    naming.nomination_disqualify(
        by=request.user,
        nomination_id=pk,
        reason=request.POST.get("reason", ""),
        false_claims=request.POST.get("false_claims") == "on",
    )
    return _("Disqualified.")


@action
def nomination_defense(request, pk):
    review.nomination_record_defense(by=request.user, nomination_id=pk, score=request.POST.get("score", ""))
    return _("Defense score recorded.")


@action
def nomination_inspection(request, pk):
    review.nomination_record_inspection(
        by=request.user,
        nomination_id=pk,
        notes=request.POST.get("notes", ""),
        passed=request.POST.get("passed", "yes") == "yes",
    )
    return _("Inspection recorded.")


@action
def objection_add(request, pk):
    naming.objection_record(
        by=request.user,
        nomination_id=pk,
        received_on=form_date(request.POST.get("received_on"), field="received_on", required=True),
        summary=request.POST.get("summary", ""),
    )
    return _("Objection recorded.")


@action
def objection_decide(request, pk):
    naming.objection_decide(
        by=request.user,
        objection_id=pk,
        upheld=request.POST.get("upheld") == "yes",
        finding=request.POST.get("finding", ""),
        false_claims=request.POST.get("false_claims") == "on",
    )
    return _("Finding recorded.")


@login_required
def nomination_pdf(request, pk: int):
    from honourees.pdf import nomination_pdf as render_pdf

    n = get_object_or_404(intake_selectors.nominations_for(request.user), pk=pk)
    response = HttpResponse(render_pdf(n, user=request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="nomination-{n.pk}.pdf"'
    return response


@action
def attachment_upload(request, pk):
    from honourees.attachments import attachment_add

    upload = request.FILES.get("file")
    if upload is None:
        from backend.errors import ValidationFailed

        raise ValidationFailed("请选择文件。", "Choose a file.", field="file")
    attachment_add(
        by=request.user, nomination_id=pk, kind=request.POST.get("kind", "other"), uploaded_file=upload
    )
    return _("File uploaded.")


@login_required
def attachment_download(request, pk: int):
    from honourees.attachments import attachment_open

    try:
        handle, content_type, filename = attachment_open(by=request.user, attachment_id=pk)
    except DomainError:
        raise Http404 from None
    return FileResponse(handle, content_type=content_type, filename=filename)


# --- rounds (the office's pipeline) ------------------------------------------------------------------------


@login_required
def round_detail(request, pk: int):
    round_ = get_object_or_404(intake_selectors.rounds_for(request.user), pk=pk)
    user = request.user
    is_office = has_role(user, Role.TALENT_OFFICE)
    nominations = (
        intake_selectors.nominations_for(user).filter(round=round_).order_by("status", "unit__name", "id")
    )
    path = stages.path_for(round_)
    waiting = {}
    if is_office:
        live = [n for n in nominations if n.status in path]
        for step in path[2:]:
            before = path[path.index(step) - 1]
            waiting[step] = [n for n in live if n.status == before]
    experts = get_user_model().objects.filter(groups__name=Role.EXPERT, is_active=True).order_by("username")
    return render(
        request,
        "honourees/round_detail.html",
        {
            "round": round_,
            "pipeline": intake_selectors.pipeline(round_),
            "nominations": nominations,
            "is_office": is_office,
            "waiting": waiting,
            "path": path,
            "steps": [(s, S(s).label) for s in path],
            "experts": experts if is_office else [],
            "uses_notice": stages.uses_notice(round_),
            "tiers": [(t, TIER_LABELS.get(t, t)) for t in round_.rules.get("tiers", [])],
            "unit": intake_selectors.clerk_unit(user),
            "objections": Objection.objects.filter(nomination__round=round_).select_related(
                "nomination__person"
            )
            if is_office
            else [],
        },
    )


@action
def round_status(request, pk):
    r = review.round_set_status(by=request.user, round_id=pk, status=request.POST.get("status", ""))
    return _("The round is now: %(status)s") % {"status": r.get_status_display()}


@action
def round_assign(request, pk):
    ids = [int(i) for i in request.POST.getlist("nominations") if i.isdigit()]
    experts = [int(i) for i in request.POST.getlist("experts") if i.isdigit()]
    made = review.experts_assign(by=request.user, nomination_ids=ids, expert_ids=experts)
    return _("%(count)s assignments.") % {"count": len(made)}


@action
def round_shortlist(request, pk):
    ids = [int(i) for i in request.POST.getlist("nominations") if i.isdigit()]
    kept = review.round_shortlist(by=request.user, round_id=pk, nomination_ids=ids or None)
    return _("%(count)s shortlisted.") % {"count": len(kept)}


@action
def round_propose(request, pk):
    tiers = {}
    for key, value in request.POST.items():
        if key.startswith("tier_") and value:
            tiers[int(key.removeprefix("tier_"))] = value
    proposed = naming.round_propose(
        by=request.user, round_id=pk, tiers=tiers, note=request.POST.get("note", "")
    )
    return _("%(count)s proposed.") % {"count": len(proposed)}


@action
def round_notice(request, pk):
    r = naming.round_start_notice(
        by=request.user,
        round_id=pk,
        starts_on=form_date(request.POST.get("starts_on"), field="starts_on", required=True),
    )
    return _("Public notice from %(start)s to %(end)s.") % {
        "start": r.notice_starts_on,
        "end": r.notice_ends_on,
    }


@action
def round_name(request, pk):
    named = naming.round_name(
        by=request.user,
        round_id=pk,
        named_on=form_date(request.POST.get("named_on"), field="named_on", required=True),
        naming_document=request.POST.get("naming_document", ""),
    )
    return _("%(count)s named.") % {"count": len(named)}


@action
def round_import(request, pk):
    from honourees.imports import nominations_import

    upload = request.FILES.get("file")
    if upload is None:
        from backend.errors import ValidationFailed

        raise ValidationFailed("请选择 Excel 文件。", "Choose an Excel file.", field="file")
    unit = intake_selectors.clerk_unit(request.user)
    unit_id = unit.pk if unit else form_int(request.POST.get("unit"))
    made = nominations_import(by=request.user, round_id=pk, unit_id=unit_id, file=upload)
    return _("%(count)s nominations imported as drafts.") % {"count": len(made)}


@action
def round_votes(request, pk):
    from honourees.imports import votes_import

    upload = request.FILES.get("file")
    if upload is None:
        from backend.errors import ValidationFailed

        raise ValidationFailed("请选择 Excel 文件。", "Choose an Excel file.", field="file")
    kept = votes_import(by=request.user, round_id=pk, file=upload)
    return _("Votes recorded; %(count)s go on.") % {"count": len(kept)}


@login_required
def round_summary(request, pk: int):
    from honourees.summary.writing import export_summary

    round_ = get_object_or_404(intake_selectors.rounds_for(request.user), pk=pk)
    unit = intake_selectors.clerk_unit(request.user)
    if unit is None and request.GET.get("unit"):
        unit = get_object_or_404(RecommendingUnit, pk=form_int(request.GET["unit"], 0), scheme=round_.scheme)
    qs = intake_selectors.nominations_for(request.user).filter(round=round_).exclude(status=S.WITHDRAWN)
    if unit:
        qs = qs.filter(unit=unit)
    response = HttpResponse(
        export_summary(
            by=request.user, round_=round_, nominations=qs.order_by("unit__name", "id"), unit=unit
        ),
        content_type=XLSX,
    )
    response["Content-Disposition"] = (
        f'attachment; filename="summary-{round_.scheme.code}-{round_.year}.xlsx"'
    )
    return response


@login_required
def round_vote_sheet(request, pk: int):
    from honourees.imports import write_vote_sheet

    round_ = get_object_or_404(intake_selectors.rounds_for(request.user), pk=pk)
    if not has_role(request.user, Role.TALENT_OFFICE) or not stages.uses(round_, S.VOTED):
        raise Http404
    pool = review.nominations_waiting(round_, S.VOTED).select_related("person").order_by("id")
    response = HttpResponse(write_vote_sheet(round_, list(pool)), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="votes-{round_.scheme.code}-{round_.year}.xlsx"'
    return response


# --- experts -----------------------------------------------------------------------------------------------


@login_required
def review_list(request):
    assignments = (
        intake_selectors.assignments_for(request.user).filter(expert=request.user).order_by("scored_at", "id")
    )
    return render(request, "honourees/review_list.html", {"assignments": assignments})


@action
def review_score(request, pk):
    review.expert_score(
        by=request.user,
        assignment_id=pk,
        score=request.POST.get("score", ""),
        comment=request.POST.get("comment", ""),
    )
    return _("Score saved.")
