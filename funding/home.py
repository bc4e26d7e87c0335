"""Home-page cards of the funding side, and the money panel on an honouree's page."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.home import Card
from backend.roles import Role, has_role
from honourees.selectors.registry import Panel

from . import selectors
from .models import DisbursementBatch, Instalment

S = Instalment.Status
B = DisbursementBatch.Status


def cards(user) -> list[Card]:
    if not getattr(user, "is_authenticated", False) or not selectors.may_read(user):
        return []
    instalments = selectors.instalments_for(user)
    batches = selectors.batches_for(user)
    month_starts = timezone.localdate().replace(day=1)
    due = instalments.filter(status=S.DUE)
    lines = [
        (_("Due"), str(due.count())),
        (_("Overdue (due before this month)"), str(due.filter(earliest_on__lt=month_starts).count())),
        (_("Blocked"), str(instalments.filter(status=S.BLOCKED).count())),
    ]
    links = [
        (reverse("funding:batch-list"), _("Disbursement batches")),
        (reverse("funding:budgets"), _("Budgets")),
    ]
    out = [
        Card(
            title=_("Funding"),
            lines=lines,
            links=links,
            link=reverse("funding:due"),
            link_text=_("See what falls due"),
            order=20,
        )
    ]
    if has_role(user, Role.FINANCE_MAKER):
        out.append(
            Card(
                title=_("My batches"),
                lines=[
                    (_("Drafts"), str(batches.filter(maker=user, status=B.DRAFT).count())),
                    (_("Waiting for the bank's result"), str(batches.filter(status=B.EXPORTED).count())),
                    (_("Approved, bank file not made"), str(batches.filter(status=B.APPROVED).count())),
                ],
                link=reverse("funding:batch-list"),
                link_text=_("Open the batches"),
                order=21,
            )
        )
    if has_role(user, Role.FINANCE_CHECKER):
        waiting = batches.filter(status=B.SUBMITTED).exclude(maker=user).count()
        out.append(
            Card(
                title=_("Batches to approve"),
                lines=[(_("Waiting for your approval"), str(waiting))],
                link=reverse("funding:batch-list") + "?status=submitted",
                link_text=_("Open the batches"),
                order=21,
            )
        )
    return out


def honouree_panel(honouree, user) -> list[Panel]:
    """The award plan and each instalment with its status, for readers of the funding side (one query)."""
    if not selectors.may_read(user):
        return []
    instalments = list(selectors.instalments_for(user).filter(plan__honouree=honouree).order_by("seq"))
    if not instalments:
        return []
    plan = instalments[0].plan
    lines = [(_("total (yuan)"), f"{plan.total} · {plan.source.name} · {plan.get_status_display()}")]
    for inst in instalments:
        text = f"{inst.amount} · {inst.earliest_on:%Y-%m-%d} · {inst.get_status_display()}"
        if inst.recovery:
            text += f" · {inst.get_recovery_display()}"
        lines.append((inst.label or str(inst.seq), text))
    return [
        Panel(
            title=_("Award plan"),
            lines=lines,
            kind="money",
            order=10,
            link=reverse("funding:instalment-detail", args=[instalments[0].pk]),
            link_text=_("Open the instalments"),
        )
    ]


def register() -> None:
    from backend.home import register_cards
    from honourees.selectors.registry import register_honouree_panel

    register_cards(cards)
    register_honouree_panel(honouree_panel)
