"""The status of an honour after naming: suspended, moved away, deceased, revoked, reinstated.

Every service takes the acting user as ``by`` (the talent office), locks the rows it changes, re-checks
the state under the lock, writes history and raises a DomainError a person can act on.

Decisions (the issue is silent on these):

- **Status machine**: ``Honouree.NEXT``. Suspension and moving away keep the title but nothing falls due
  while they last; death ends the entitlements; revocation cancels them. Each change is logged with its
  effective date (never in the future, never before the previous change) and the benefit calendar reads
  that log, so earlier months still show what was due then.
- **Revocation** (``honouree_revoke``): records the grounds and reason; cancels the benefit entitlements
  (nothing falls due from that day); marks benefit money already delivered ``to_recover`` (unless the
  office says not to recover); debars the person from the scheme for the round's ``debarment_years``
  (巴陵 §五(二): 3 years) when the grounds are false claims, or when the office asks for it (it must be a
  round whose rules set a period); and sends ``honour_revoked`` inside the transaction. Award instalments
  are the funding app's: it receives that signal to cancel what is unpaid and mark what was paid.
- **Reinstatement** (``honouree_reinstate``) undoes a revocation from its date: cancelled entitlements
  are active again, recovery marks not yet acted on are withdrawn (money already recovered stays
  recovered), the debarment the revocation made is lifted (shortened to the day before, or removed when
  lifted on its first day), and ``honour_reinstated`` is sent. Days that fell while it was revoked are
  not owed afterwards; the office can record a delivery for one outside the schedule if it decides so.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet

from backend.errors import Conflict, NotFound, TransitionNotAllowed, ValidationFailed
from backend.history import required_reason, save_as
from backend.roles import Role, require_role
from honourees.models import BenefitDelivery, BenefitEntitlement, Debarment, Honouree, HonoureeStatusChange
from honourees.services.core import history_reason, past_date
from honourees.signals import honour_reinstated, honour_revoked, honour_status_changed

H = Honouree.Status
E = BenefitEntitlement.Status
R = BenefitDelivery.Recovery


def _honouree_locked(honouree_id: int) -> Honouree:
    found = (
        Honouree.objects.select_for_update(of=("self",))
        .select_related("round__scheme", "person")
        .filter(pk=honouree_id)
        .first()
    )
    if found is None:
        raise NotFound(
            f"工匠 {honouree_id} 不存在。", f"Honouree {honouree_id} does not exist.", field="honouree"
        )
    return found


def _check_change_date(honouree: Honouree, on: dt.date) -> None:
    """Effective dates never lie in the future, before the naming or before the previous change."""
    past_date(on, "on", not_before=honouree.named_on)
    last = honouree.status_changes.order_by("-on", "-id").first()
    if last and on < last.on:
        raise ValidationFailed(
            f"上一次状态变更（{last.get_to_status_display()}）于 {last.on} 生效，新的变更不能早于它。",
            f"The previous change ({last.to_status}) took effect on {last.on}; a new one cannot be earlier.",
            field="on",
        )


def _log(honouree: Honouree, to: str, *, by: User, on: dt.date, reason: str, **extra) -> HonoureeStatusChange:
    change = save_as(
        HonoureeStatusChange(
            honouree=honouree,
            from_status=honouree.status,
            to_status=to,
            on=on,
            reason=reason,
            recorded_by=by,
            **extra,
        ),
        by=by,
    )
    honouree.status, honouree.status_changed_on, honouree.status_reason = to, on, reason[:500]
    save_as(honouree, by=by, reason=history_reason(f"{change.from_status} → {to}: {reason}"))
    return change


def _entitlements_locked(honouree: Honouree, status: str) -> QuerySet[BenefitEntitlement]:
    return BenefitEntitlement.objects.select_for_update(of=("self",)).filter(honouree=honouree, status=status)


@transaction.atomic
def honouree_set_status(*, by: User, honouree_id: int, status: str, on: dt.date, reason: str) -> Honouree:
    """Suspend, resume, record a move away (or a return) or a death, effective ``on``; a replay changes nothing.

    Revocation and reinstatement have their own services. A death ends every entitlement on that day.
    """
    require_role(by, Role.TALENT_OFFICE)
    if status not in H.values:
        raise ValidationFailed(
            f"“{status}”不是工匠状态。", f"'{status}' is not an honour status.", field="status"
        )
    if status == H.REVOKED:
        raise Conflict(
            "撤销荣誉请使用“撤销”操作。", "Use the revocation to revoke an honour.", field="status"
        )
    honouree = _honouree_locked(honouree_id)
    if honouree.status == status:
        return honouree
    if honouree.status == H.REVOKED and status == H.ACTIVE:
        raise Conflict(
            "已撤销的荣誉请使用“恢复”操作。", "Use the reinstatement for a revoked honour.", field="status"
        )
    if not honouree.can_become(status):
        raise TransitionNotAllowed(honouree, status)
    reason = required_reason(reason, limit=2000)
    _check_change_date(honouree, on)
    if status == H.DECEASED:
        for e in _entitlements_locked(honouree, E.ACTIVE):
            e.status, e.status_changed_on, e.status_reason = E.ENDED, on, f"本人去世：{reason}"[:500]
            save_as(e, by=by, reason="deceased")
    change = _log(honouree, status, by=by, on=on, reason=reason)
    honour_status_changed.send(sender=Honouree, honouree=honouree, change=change, by=by)
    return honouree


@transaction.atomic
def honouree_revoke(
    *,
    by: User,
    honouree_id: int,
    on: dt.date,
    reason: str,
    grounds: str,
    debar: bool | None = None,
    recover_paid: bool = True,
) -> Honouree:
    """Withdraw the title from ``on``: entitlements cancelled, benefit money paid marked for recovery, the
    person debarred where the round's rules say; funding is told in this transaction. A replay changes nothing.

    ``debar`` left out debars for false claims (巴陵 §五(二): 虚报 → 三年内不得再申报) and not otherwise.
    """
    require_role(by, Role.TALENT_OFFICE)
    honouree = _honouree_locked(honouree_id)
    if honouree.status == H.REVOKED:
        return honouree
    if not honouree.can_become(H.REVOKED):
        raise TransitionNotAllowed(honouree, H.REVOKED)
    reason = required_reason(reason, limit=2000)
    if grounds not in HonoureeStatusChange.Grounds.values:
        labels = "、".join(str(label) for label in HonoureeStatusChange.Grounds.labels)
        raise ValidationFailed(
            f"请选择撤销依据（{labels}）。",
            f"Choose the grounds ({', '.join(HonoureeStatusChange.Grounds.values)}).",
            field="grounds",
        )
    _check_change_date(honouree, on)
    round_ = honouree.round
    if debar is None:
        debar = grounds == HonoureeStatusChange.Grounds.FALSE_CLAIMS
    debarment = None
    if debar:
        years = round_.rules.get("debarment_years")
        if not years:
            raise ValidationFailed(
                f"{round_} 的规则没有规定禁止申报的年限，不能禁止申报。",
                f"{round_}'s rules set no debarment period, so nobody can be debarred from it.",
                field="debar",
            )
        debarment = save_as(
            Debarment(
                person=honouree.person,
                scheme=round_.scheme,
                reason=f"撤销{honouree.title_shown()}：{reason}"[:500],
                starts_on=on,
                # 3 years from 2024-03-01 is through 2027-02-28 (as the intake counts a debarment).
                ends_on=on + relativedelta(years=years) - dt.timedelta(days=1),
                source=honouree.nomination,
            ),
            by=by,
            reason="honour revoked",
        )
    for e in _entitlements_locked(honouree, E.ACTIVE):
        e.status, e.status_changed_on, e.status_reason = E.CANCELLED, on, f"荣誉撤销：{reason}"[:500]
        save_as(e, by=by, reason="honour revoked")
    if recover_paid:
        paid = BenefitDelivery.objects.select_for_update(of=("self",)).filter(
            entitlement__honouree=honouree, amount__isnull=False, recovery=R.NONE
        )
        for d in paid:
            d.recovery, d.recovery_marked_on, d.recovery_note = R.TO_RECOVER, on, f"荣誉撤销：{reason}"[:500]
            save_as(d, by=by, reason="honour revoked: to recover")
    change = _log(
        honouree,
        H.REVOKED,
        by=by,
        on=on,
        reason=reason,
        grounds=grounds,
        recover_paid=recover_paid,
        debarment=debarment,
    )
    honour_revoked.send(
        sender=Honouree, honouree=honouree, change=change, by=by, on=on, recover_paid=recover_paid
    )
    return honouree


@transaction.atomic
def honouree_reinstate(*, by: User, honouree_id: int, on: dt.date, reason: str) -> Honouree:
    """Give a revoked title back from ``on``: entitlements active again, open recovery marks withdrawn, the
    revocation's debarment lifted; funding is told in this transaction. A replay changes nothing."""
    require_role(by, Role.TALENT_OFFICE)
    honouree = _honouree_locked(honouree_id)
    last = honouree.status_changes.order_by("-on", "-id").first()
    if honouree.status == H.ACTIVE and last and last.from_status == H.REVOKED:
        return honouree
    if honouree.status != H.REVOKED:
        raise TransitionNotAllowed(honouree, H.ACTIVE)
    reason = required_reason(reason, limit=2000)
    _check_change_date(honouree, on)
    for e in _entitlements_locked(honouree, E.CANCELLED):
        e.status, e.status_changed_on, e.status_reason = E.ACTIVE, on, f"荣誉恢复：{reason}"[:500]
        save_as(e, by=by, reason="honour reinstated")
    marked = BenefitDelivery.objects.select_for_update(of=("self",)).filter(
        entitlement__honouree=honouree, recovery=R.TO_RECOVER
    )
    for d in marked:
        d.recovery, d.recovery_marked_on = R.NONE, None
        d.recovery_note = f"荣誉恢复，撤回追回：{reason}"[:500]
        save_as(d, by=by, reason="honour reinstated: recovery withdrawn")
    bar = last.debarment if last and last.to_status == H.REVOKED else None
    if bar is not None:
        bar = Debarment.objects.select_for_update().get(pk=bar.pk)
        if on > bar.starts_on:
            bar.ends_on = min(bar.ends_on, on - dt.timedelta(days=1))
            save_as(bar, by=by, reason="lifted: honour reinstated")
        else:  # lifted on its first day: it never held
            bar._history_user = by
            bar._change_reason = "lifted: honour reinstated"
            bar.delete()
    change = _log(honouree, H.ACTIVE, by=by, on=on, reason=reason)
    honour_reinstated.send(sender=Honouree, honouree=honouree, change=change, by=by, on=on)
    return honouree
