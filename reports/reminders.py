"""Reminders of what falls due, each an in-app notification and an email sent once (reports.services.notify).

``send_due_reminders(today)`` runs them all (a django-q2 schedule calls it daily through
reports.tasks.send_daily_reminders) and returns how many notifications each made. Running it again the
same day, or the next day for the same fact, sends nothing new: each reminder's key names the fact (the
studio and period, the round and its notice end, the month, the instalment, the batch's submission), and a
key is sent to a user once.

``REMINDERS`` holds them in the order they run: assessments due, public notices ending, benefits due, then
funding's two, instalments due and batches waiting for an approver.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from backend.roles import Role, users_with
from funding.models import BatchLine, DisbursementBatch, Instalment
from reports.services import notify

ASSESSMENT_WARNING_DAYS = 30
NOTICE_WARNING_DAYS = 3


def assessments_due(today: dt.date) -> int:
    """Studios whose assessment period ends within 30 days and whose result is not recorded: the host and
    the talent office are told once per studio and period."""
    from studios import selectors
    from studios.models import Assessment, Studio

    office = users_with(Role.TALENT_OFFICE)
    studios = Studio.objects.filter(
        status=Studio.Status.ESTABLISHED, plaque_date__isnull=False
    ).select_related("host", "honouree__person")
    due = []
    for s in studios:
        period = selectors.period_on(s.plaque_date, today)
        _start, end = selectors.period_bounds(s.plaque_date, period)
        if today <= end <= today + dt.timedelta(days=ASSESSMENT_WARNING_DAYS):
            due.append((s, period, end))
    recorded = set(
        Assessment.objects.filter(studio_id__in=[s.pk for s, _p, _e in due], total__isnull=False).values_list(
            "studio_id", "period"
        )
    )
    sent = 0
    for s, period, end in due:
        if (s.pk, period) in recorded:
            continue
        for user in {u.pk: u for u in [s.host, *office]}.values():
            sent += bool(
                notify(
                    user=user,
                    kind="assessment_due",
                    key=f"assessment-due:{s.pk}:{period}",
                    title=_("Assessment due: %(studio)s") % {"studio": s.name},
                    body=_(
                        "Period %(period)s of %(studio)s ends on %(end)s (in %(days)s days). Make sure every "
                        "session is logged and verified; the assessment follows."
                    )
                    % {
                        "period": period,
                        "studio": s.name,
                        "end": end.isoformat(),
                        "days": (end - today).days,
                    },
                    link=reverse("studios:studio-detail", args=[s.pk]),
                )
            )
    return sent


def notices_ending(today: dt.date) -> int:
    """Rounds whose public notice ends within 3 days: the talent office is told once per round and end date."""
    from honourees.models import Round

    office = users_with(Role.TALENT_OFFICE)
    sent = 0
    for r in Round.objects.filter(
        status=Round.Status.IN_NOTICE,
        notice_ends_on__range=(today, today + dt.timedelta(days=NOTICE_WARNING_DAYS)),
    ).select_related("scheme"):
        for user in office:
            sent += bool(
                notify(
                    user=user,
                    kind="notice_ending",
                    key=f"notice-ends:{r.pk}:{r.notice_ends_on.isoformat()}",
                    title=_("Public notice ending: %(round)s") % {"round": str(r)},
                    body=_(
                        "The public notice of %(round)s ends on %(end)s. Decide every objection; naming is "
                        "allowed from the next day."
                    )
                    % {"round": str(r), "end": r.notice_ends_on.isoformat()},
                    link=reverse("intake:round-detail", args=[r.pk]),
                )
            )
    return sent


def benefits_due(today: dt.date) -> int:
    """Benefits falling due this month (the registry's benefit calendar): the talent office and the finance
    officer are told once a month, with the list."""
    from honourees.selectors.registry import benefit_calendar

    month = today.replace(day=1)
    sent = 0
    for user in users_with(Role.TALENT_OFFICE, Role.FINANCE_MAKER):
        cal = benefit_calendar(user, month)
        if not cal.items:
            continue
        lines = [
            f"{i.day.isoformat()} {i.honouree.person.name} {i.entitlement.name}"
            + (f" {i.amount:,.2f}" if i.amount is not None else "")
            for i in cal.items[:50]
        ]
        if len(cal.items) > 50:
            lines.append("…")
        sent += bool(
            notify(
                user=user,
                kind="benefits_due",
                key=f"benefits-due:{month:%Y-%m}",
                title=_("Benefits due in %(month)s: %(count)s")
                % {"month": f"{month:%Y-%m}", "count": len(cal.items)},
                body="\n".join(lines),
                link=reverse("registry:calendar") + f"?month={month:%Y-%m}",
            )
        )
    return sent


def instalments_due(today: dt.date) -> int:
    """Instalments due and not yet in a batch: each finance maker is told once per instalment."""
    due = list(
        Instalment.objects.filter(status=Instalment.Status.DUE, earliest_on__lte=today)
        .select_related("plan__honouree__person", "source")
        .order_by("earliest_on", "id")[:500]
    )
    sent = 0
    for user in users_with(Role.FINANCE_MAKER) if due else []:
        for inst in due:
            sent += bool(
                notify(
                    user=user,
                    kind="instalment_due",
                    key=f"instalment-due:{inst.pk}:{inst.status_changed_at and inst.status_changed_at.date()}",
                    title=_("Payment due: %(name)s, %(amount)s yuan")
                    % {"name": inst.plan.honouree.person.name, "amount": f"{inst.amount:,.2f}"},
                    body=_(
                        "%(label)s from %(source)s can be paid from %(day)s. Put it into a disbursement batch."
                    )
                    % {"label": inst.label, "source": inst.source.name, "day": inst.earliest_on.isoformat()},
                    link=reverse("funding:instalment-detail", args=[inst.pk]),
                )
            )
    return sent


def batches_waiting(today: dt.date) -> int:
    """Submitted batches: every checker who did not make the batch is told once per submission."""
    batches = list(
        DisbursementBatch.objects.filter(status=DisbursementBatch.Status.SUBMITTED)
        .select_related("source")
        .annotate(total=Sum("lines__gross", filter=Q(lines__status=BatchLine.Status.PENDING)))
    )
    sent = 0
    checkers = users_with(Role.FINANCE_CHECKER) if batches else []
    for batch in batches:
        total = batch.total or 0
        for user in checkers:
            if user.pk == batch.maker_id:
                continue
            sent += bool(
                notify(
                    user=user,
                    kind="batch_waiting",
                    key=f"batch-submitted:{batch.pk}:{batch.submitted_at and batch.submitted_at.isoformat()}",
                    title=_("Batch waiting for approval: %(number)s") % {"number": batch.number},
                    body=_("%(purpose)s, %(source)s, %(total)s yuan, submitted %(at)s.")
                    % {
                        "purpose": batch.purpose,
                        "source": batch.source.name,
                        "total": f"{total:,.2f}",
                        "at": batch.submitted_at.date().isoformat() if batch.submitted_at else "",
                    },
                    link=reverse("funding:batch-detail", args=[batch.pk]),
                )
            )
    return sent


REMINDERS: dict[str, Callable[[dt.date], int]] = {
    "assessments_due": assessments_due,
    "notices_ending": notices_ending,
    "benefits_due": benefits_due,
    "instalments_due": instalments_due,
    "batches_waiting": batches_waiting,
}


def send_due_reminders(today: dt.date) -> dict[str, int]:
    """Every reminder for ``today``, in Chinese; {reminder: notifications made}."""
    with translation.override("zh-hans"):
        return {name: reminder(today) for name, reminder in REMINDERS.items()}
