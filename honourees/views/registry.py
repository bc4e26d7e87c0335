"""Pages of the honouree registry: the roster, one honouree on one screen, the benefit calendar, direct
registration and the historic import. Thin views over honourees.selectors.registry (reads) and the
services (writes).

The registry is read by the talent office, the auditor and both finance roles; only the office changes it.
Identity numbers are masked on these pages; a role that may see them whole asks for it on the honouree's
page (``?reveal=id``), and each showing is recorded (backend.personal_data).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.actions import post_action
from backend.errors import DomainError, ValidationFailed
from backend.forms import add_domain_error
from backend.idnumbers import mask_id_number
from backend.input import form_date
from backend.personal_data import id_number_for
from backend.roles import Role, can_see_full_id, has_role
from honourees.models import (
    BenefitDelivery,
    BenefitEntitlement,
    Honouree,
    HonoureeStatusChange,
    RecommendingUnit,
    Round,
)
from honourees.rules import TIER_LABELS, Funder, HonourLevel
from honourees.selectors import intake as intake_selectors
from honourees.selectors import registry as rs
from honourees.services import benefits, naming, prior_honours, status

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50


action = post_action(fallback="home", max_errors=20)


def _reader(request) -> None:
    if not has_role(request.user, *rs.REGISTRY_READERS):
        raise PermissionDenied


def _is_office(request) -> bool:
    return has_role(request.user, Role.TALENT_OFFICE)


def describe_recurrence(entitlement: BenefitEntitlement) -> str:
    """The schedule in words: 每月1日, 每年1月20日, 每2年…, 一次 (English when English is active)."""
    en = (translation.get_language() or "").startswith("en")
    if not entitlement.has_schedule:
        return "standing entitlement" if en else "长期待遇"
    if not entitlement.recurrence:
        return f"once, {entitlement.starts_on}" if en else f"一次（{entitlement.starts_on}）"
    parts = dict(p.partition("=")[::2] for p in entitlement.recurrence.split(";"))
    every = int(parts.get("INTERVAL", "1"))
    day = parts.get("BYMONTHDAY", str(entitlement.starts_on.day))
    if day == "-1":
        day = "last day" if en else "末"
    if parts.get("FREQ") == "MONTHLY":
        if en:
            return f"every {every} months on day {day}" if every > 1 else f"monthly on day {day}"
        return f"每{every}个月{day}日" if every > 1 else f"每月{day}日"
    month = parts.get("BYMONTH", str(entitlement.starts_on.month))
    if en:
        return f"every {every} years on {month}/{day}" if every > 1 else f"yearly on {month}/{day}"
    return f"每{every}年{month}月{day}日" if every > 1 else f"每年{month}月{day}日"


# --- the roster --------------------------------------------------------------------------------------------


def _roster_context(request):
    search = rs.RosterFilter.from_params(request.GET)
    return search, rs.roster(request.user, search)


@login_required
def roster(request):
    _reader(request)
    search, qs = _roster_context(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    counts = rs.status_counts(request.user)
    return render(
        request,
        "honourees/registry/roster.html",
        {
            "page": page,
            "search": search,
            "query": query.urlencode(),
            "schemes": intake_selectors.schemes_for(request.user).order_by("code"),
            "units": RecommendingUnit.objects.select_related("scheme").order_by("scheme__code", "name"),
            "statuses": Honouree.Status.choices,
            "status_rows": [(st, label, counts.get(st, 0)) for st, label in Honouree.Status.choices],
            "is_office": _is_office(request),
        },
    )


@login_required
def roster_xlsx(request):
    from honourees.registry_xlsx import export_roster

    _reader(request)
    _, qs = _roster_context(request)
    response = HttpResponse(export_roster(by=request.user, honourees=qs), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="roster-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


# --- one honouree ------------------------------------------------------------------------------------------


@login_required
def honouree_detail(request, pk: int):
    _reader(request)
    h = get_object_or_404(rs.honouree_page(request.user), pk=pk)
    reveal = request.GET.get("reveal") == "id" and can_see_full_id(request.user)
    today = timezone.localdate()
    entitlements = [
        {"e": e, "schedule": describe_recurrence(e), "next_due": rs.next_due(e, after=today)}
        for e in h.entitlements.all()
    ]
    panels = rs.panels_for(h, request.user)
    history = h.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "honourees/registry/honouree.html",
        {
            "h": h,
            "id_number": id_number_for(request.user, h.person, purpose="registry page")
            if reveal
            else mask_id_number(h.person.id_number),
            "can_reveal": can_see_full_id(request.user) and not reveal,
            "is_office": _is_office(request),
            "entitlements": entitlements,
            "award_plan": rs.award_plan(h),
            "money": rs.benefit_money(h),
            "studio_panels": [p for p in panels if p.kind == "studio"],
            "money_panels": [p for p in panels if p.kind == "money"],
            "other_panels": [p for p in panels if p.kind not in ("studio", "money")],
            "history": history,
            "other_honours": [o for o in h.person.honours.all() if o.pk != h.pk],
            "next_statuses": [
                (s, Honouree.Status(s).label)
                for s in Honouree.NEXT[h.status]
                if s != Honouree.Status.REVOKED and not (h.status == Honouree.Status.REVOKED)
            ],
            "can_revoke": h.can_become(Honouree.Status.REVOKED),
            "grounds": HonoureeStatusChange.Grounds.choices,
            "levels": HonourLevel.choices,
            "debarment_years": h.round.rules.get("debarment_years"),
            "today": today,
            "recovery_open": BenefitDelivery.Recovery.TO_RECOVER,
        },
    )


@action
def honouree_status(request, pk):
    h = status.honouree_set_status(
        by=request.user,
        honouree_id=pk,
        status=request.POST.get("status", ""),
        on=form_date(request.POST.get("on"), field="on", required=True),
        reason=request.POST.get("reason", ""),
    )
    return _("The honour is now: %(status)s") % {"status": h.get_status_display()}


@action
def honouree_revoke(request, pk):
    debar = request.POST.get("debar", "rules")
    status.honouree_revoke(
        by=request.user,
        honouree_id=pk,
        on=form_date(request.POST.get("on"), field="on", required=True),
        reason=request.POST.get("reason", ""),
        grounds=request.POST.get("grounds", ""),
        debar=None if debar == "rules" else debar == "yes",
        recover_paid=request.POST.get("recover_paid", "yes") == "yes",
    )
    return _("The honour is revoked.")


@action
def honouree_reinstate(request, pk):
    status.honouree_reinstate(
        by=request.user,
        honouree_id=pk,
        on=form_date(request.POST.get("on"), field="on", required=True),
        reason=request.POST.get("reason", ""),
    )
    return _("The honour is reinstated.")


@action
def prior_honour_add(request, pk):
    h = get_object_or_404(rs.honourees_for(request.user), pk=pk)
    year = (request.POST.get("year") or "").strip()
    if year and not year.isdigit():
        raise ValidationFailed(f"年份“{year}”不是数字。", f"The year '{year}' is not a number.", field="year")
    prior_honours.prior_honour_add(
        by=request.user,
        person_id=h.person_id,
        name=request.POST.get("name", ""),
        level=request.POST.get("level", ""),
        granted_by=request.POST.get("granted_by", ""),
        year=int(year) if year.isdigit() else None,
        conferred_on=form_date(request.POST.get("conferred_on"), field="conferred_on"),
        programme=request.POST.get("programme", ""),
    )
    return _("Prior honour recorded.")


@action
def prior_honour_revoke(request, pk):
    prior_honours.prior_honour_revoke(
        by=request.user,
        prior_honour_id=pk,
        on=form_date(request.POST.get("on"), field="on", required=True),
        reason=request.POST.get("reason", ""),
    )
    return _("Marked revoked.")


@action
def delivery_add(request, pk):
    benefits.delivery_record(
        by=request.user,
        entitlement_id=pk,
        delivered_on=form_date(request.POST.get("delivered_on"), field="delivered_on", required=True),
        evidence=request.POST.get("evidence", ""),
        occurrence_on=form_date(request.POST.get("occurrence_on"), field="occurrence_on"),
        amount=(request.POST.get("amount") or "").strip() or None,
    )
    return _("Delivery recorded.")


@action
def referral_record(request, pk):
    benefits.referral_record(
        by=request.user,
        entitlement_id=pk,
        outcome=request.POST.get("outcome", ""),
        on=form_date(request.POST.get("on"), field="on", required=True),
        note=request.POST.get("note", ""),
        honour_name=request.POST.get("honour_name", ""),
        honour_level=request.POST.get("honour_level", ""),
        honour_granted_by=request.POST.get("honour_granted_by", ""),
    )
    return _("Referral recorded.")


@action
def entitlement_end(request, pk):
    benefits.entitlement_end(
        by=request.user,
        entitlement_id=pk,
        on=form_date(request.POST.get("on"), field="on", required=True),
        reason=request.POST.get("reason", ""),
    )
    return _("Entitlement ended.")


@action
def entitlement_period(request, pk):
    benefits.entitlement_set_period(
        by=request.user,
        entitlement_id=pk,
        starts_on=form_date(request.POST.get("starts_on"), field="starts_on", required=True),
        ends_on=form_date(request.POST.get("ends_on"), field="ends_on"),
    )
    return _("Period changed.")


@action
def delivery_recovery(request, pk):
    benefits.delivery_settle_recovery(
        by=request.user,
        delivery_id=pk,
        on=form_date(request.POST.get("on"), field="on", required=True),
        note=request.POST.get("note", ""),
        waived=request.POST.get("waived") == "yes",
    )
    return _("Recovery recorded.")


# --- the benefit calendar ----------------------------------------------------------------------------------


@login_required
def benefit_calendar(request):
    _reader(request)
    today = timezone.localdate()
    month = rs.month_of(request.GET.get("month"), today=today)
    scheme, funder = request.GET.get("scheme", ""), request.GET.get("funder", "")
    cal = rs.benefit_calendar(request.user, month, scheme=scheme, funder=funder)
    funders = dict(Funder.choices)
    return render(
        request,
        "honourees/registry/calendar.html",
        {
            "cal": cal,
            "items": [{"item": i, "schedule": describe_recurrence(i.entitlement)} for i in cal.items],
            "totals": [(funders.get(k, k or "—"), v) for k, v in sorted(cal.totals_by_funder().items())],
            "month": month,
            "scheme": scheme,
            "funder": funder,
            "schemes": intake_selectors.schemes_for(request.user).order_by("code"),
            "funders": Funder.choices,
            "is_office": _is_office(request),
            "today": today,
        },
    )


# --- direct registration and the historic import ----------------------------------------------------------


class RegisterForm(forms.Form):
    round = forms.ModelChoiceField(queryset=Round.objects.none(), label=gettext_lazy("round"))
    name = forms.CharField(label=gettext_lazy("name"), max_length=50)
    id_number = forms.CharField(label=gettext_lazy("identity number"), max_length=30)
    tier = forms.ChoiceField(label=gettext_lazy("tier"), choices=[(k, v) for k, v in TIER_LABELS.items()])
    named_on = forms.DateField(label=gettext_lazy("named on"), widget=forms.DateInput(attrs={"type": "date"}))
    certificate_no = forms.CharField(
        label=gettext_lazy("certificate number"),
        required=False,
        max_length=40,
        help_text=gettext_lazy("Empty: the round's next number by its pattern."),
    )
    naming_document = forms.CharField(label=gettext_lazy("naming document"), required=False, max_length=200)
    title = forms.CharField(label=gettext_lazy("honour title"), required=False, max_length=100)
    employer = forms.CharField(label=gettext_lazy("employer"), required=False, max_length=200)
    trade = forms.CharField(label=gettext_lazy("trade"), required=False, max_length=100)
    unit = forms.ModelChoiceField(
        queryset=RecommendingUnit.objects.none(), label=gettext_lazy("Unit"), required=False
    )
    region = forms.CharField(label=gettext_lazy("region"), required=False, max_length=100)
    note = forms.CharField(
        label=gettext_lazy("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = (
            intake_selectors.rounds_for(user)
            .exclude(status__in=naming.INTAKE_RUNNING)
            .order_by("scheme__code", "-year")
        )
        self.fields["unit"].queryset = RecommendingUnit.objects.select_related("scheme").order_by(
            "scheme__code", "name"
        )


@login_required
def register(request):
    if not _is_office(request):
        raise PermissionDenied
    form = RegisterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            h = naming.honouree_register(
                by=request.user,
                round_id=data["round"].pk,
                person={"name": data["name"], "id_number": data["id_number"]},
                named_on=data["named_on"],
                tier=data["tier"],
                certificate_no=data["certificate_no"],
                naming_document=data["naming_document"],
                title=data["title"],
                employer=data["employer"],
                trade=data["trade"],
                unit_id=data["unit"].pk if data["unit"] else None,
                region=data["region"],
                note=data["note"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Registered: %(cert)s") % {"cert": h.certificate_no})
            return redirect("registry:honouree", h.pk)
    return render(request, "honourees/registry/register.html", {"form": form})


@login_required
def historic_import(request):
    from honourees.registry_xlsx import historic_import as run_import

    if not _is_office(request):
        raise PermissionDenied
    schemes = intake_selectors.schemes_for(request.user).order_by("code")
    errors: list = []
    failure = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationFailed("请选择 Excel 文件。", "Choose an Excel file.", field="file")
            made = run_import(by=request.user, scheme_code=request.POST.get("scheme", ""), file=upload)
        except DomainError as exc:
            failure = exc
            errors = exc.errors or [exc]
        else:
            messages.success(request, _("%(count)s honourees registered.") % {"count": len(made)})
            return redirect(
                f"{reverse('registry:roster')}?{urlencode({'scheme': request.POST.get('scheme', '')})}"
            )
    return render(
        request,
        "honourees/registry/import.html",
        {"schemes": schemes, "errors": errors, "failure": failure, "chosen": request.POST.get("scheme", "")},
    )


@login_required
def historic_template(request, code: str):
    from honourees.registry_xlsx import write_historic_template

    _reader(request)
    scheme = get_object_or_404(intake_selectors.schemes_for(request.user), code=code)
    response = HttpResponse(write_historic_template(scheme), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="historic-{scheme.code}.xlsx"'
    return response
