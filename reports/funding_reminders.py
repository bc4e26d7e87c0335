"""Funding's reminders: instalments that fell due, and batches waiting for an approver. Sent once per fact."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from backend.roles import Role, users_with
from funding.models import BatchLine, DisbursementBatch, Instalment
from reports.services import notify


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
