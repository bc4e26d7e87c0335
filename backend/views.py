from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from backend import workdays
from backend.errors import DomainError
from backend.forms import NoticePeriodForm, add_domain_error
from backend.home import cards_for
from backend.models import CalendarOverride
from backend.roles import ROLE_LABELS_ZH, Role, has_role, user_roles


@login_required
def home(request):
    roles = [Role(r) for r in Role.values if r in user_roles(request.user)]
    return render(
        request,
        "backend/home.html",
        {"roles": roles, "role_labels_zh": ROLE_LABELS_ZH, "cards": cards_for(request.user)},
    )


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok", "database": connection.vendor})


@login_required
def calendar(request):
    """Notice-period calculator and the override table (edited in the admin by the talent office)."""
    form = NoticePeriodForm(request.GET or None)
    period = None
    if form.is_valid():
        try:
            period = workdays.notice_period(form.cleaned_data["start"], form.cleaned_data["days"])
        except DomainError as exc:
            add_domain_error(form, exc)
    return render(
        request,
        "backend/calendar.html",
        {
            "form": form,
            "period": period,
            "overrides": CalendarOverride.objects.order_by("-date")[:200],
            "last_official": workdays.LAST_OFFICIAL_DATE,
            "can_edit": request.user.is_staff and has_role(request.user, Role.TALENT_OFFICE),
        },
    )
