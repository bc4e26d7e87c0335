"""Funding listens to the intake, the registry and the studios (their signals; they never import funding).

Each receiver runs inside the sender's transaction and only calls a funding service, so what it changes
commits or rolls back with the fact that caused it. The daily tick re-reads the same facts.
"""

from django.contrib.auth.models import User
from django.dispatch import receiver

from honourees.models import Honouree
from honourees.signals import honour_reinstated, honour_revoked, honour_status_changed, honouree_named
from studios.signals import assessment_recorded, studio_closed, studio_established

from .services import plans, revocation


@receiver(honouree_named, dispatch_uid="funding.plan_at_naming")
def make_plan_at_naming(sender, honouree: Honouree, by: User, **kwargs):
    plans.award_plan_create(honouree=honouree, by=by)


@receiver(honour_status_changed, dispatch_uid="funding.status_changed")
def reread_on_status_change(sender, honouree: Honouree, by: User, **kwargs):
    plans.honouree_refresh(honouree_id=honouree.pk, by=by)


@receiver(honour_revoked, dispatch_uid="funding.revoked")
def cancel_on_revocation(sender, honouree: Honouree, by: User, recover_paid: bool = True, **kwargs):
    revocation.plan_revoke(honouree=honouree, by=by, recover_paid=recover_paid)


@receiver(honour_reinstated, dispatch_uid="funding.reinstated")
def restore_on_reinstatement(sender, honouree: Honouree, by: User, **kwargs):
    revocation.plan_reinstate(honouree=honouree, by=by)


@receiver(studio_established, dispatch_uid="funding.studio_established")
@receiver(studio_closed, dispatch_uid="funding.studio_closed")
@receiver(assessment_recorded, dispatch_uid="funding.assessment_recorded")
def reread_on_studio_change(sender, honouree: Honouree, by: User | None = None, **kwargs):
    plans.honouree_refresh(honouree_id=honouree.pk, by=by)
