"""Payable benefits (an allowance with an amount) are paid through batches like the award: the tick makes an
instalment per due day, the maker batches it, the bank's payment becomes the registry's delivery."""

import datetime as dt
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from funding.models import Instalment, LedgerEntry
from funding.services import bank_results, batches, budgets, plans
from honourees.models import BenefitDelivery, BenefitEntitlement, Round
from honourees.services import benefits, status

from .conftest import give_account, name_directly
from .steps import batch_of

pytestmark = pytest.mark.django_db
S = Instalment.Status


@pytest.fixture
def allowance_round(seeds):
    """巴陵 with its allowance given an amount: 500 yuan on the 1st of each month for two years, city finance."""
    baling = seeds["baling"]
    rules = baling.rules
    rules["benefits"][0].update({"amount": "500.00", "recurrence": "FREQ=MONTHLY;BYMONTHDAY=1", "months": 24})
    Round.objects.filter(pk=baling.pk).update(rules=rules)
    baling.refresh_from_db()
    return baling


@pytest.fixture
def honouree(allowance_round, office):
    first_of_month = timezone.localdate().replace(day=1)
    return name_directly(allowance_round, office, named_on=first_of_month - relativedelta(months=2))


def benefit_instalments(h):
    return Instalment.objects.filter(plan__honouree=h, kind="benefit").order_by("occurrence_on")


def test_the_tick_makes_one_instalment_per_due_day_from_the_month_the_system_knew_of_it(honouree):
    today = timezone.localdate()
    first = plans.tick(on=today)
    assert first["benefit_instalments_made"] == 1
    (inst,) = benefit_instalments(honouree)
    assert (inst.occurrence_on, inst.amount, inst.status) == (today.replace(day=1), Decimal("500.00"), S.DUE)
    assert inst.source.code == "city_finance" and inst.plan == honouree.award_plan
    assert plans.tick(on=today)["benefit_instalments_made"] == 0, "the tick is idempotent"
    next_month = today.replace(day=1) + relativedelta(months=1, days=14)
    assert plans.tick(on=next_month)["benefit_instalments_made"] == 1
    assert [i.status for i in benefit_instalments(honouree)] == [S.DUE, S.DUE]
    commits = LedgerEntry.objects.filter(instalment__kind="benefit", kind="commit")
    assert sum(e.amount for e in commits) == Decimal("1000.00")


def test_a_paid_benefit_is_the_registrys_delivery_and_is_not_taxed(honouree, maker, checker, office):
    plans.tick(on=timezone.localdate())
    (inst,) = benefit_instalments(honouree)
    give_account(honouree, maker)
    budgets.budget_set(by=checker, source_id=inst.source_id, year=inst.budget_year, amount="100000.00")
    batch = batch_of([inst], maker, checker)
    batches.batch_export(by=maker, batch_id=batch.pk)
    line = batch.lines.get()
    assert (line.gross, line.tax, line.net) == (Decimal("500.00"), Decimal("0.00"), Decimal("500.00"))
    bank_results.line_mark_paid(by=maker, line_id=line.pk, bank_ref="JT-01", paid_on=timezone.localdate())
    delivery = BenefitDelivery.objects.get(entitlement=inst.entitlement)
    assert (delivery.occurrence_on, delivery.amount) == (inst.occurrence_on, Decimal("500.00"))
    assert "JT-01" in delivery.evidence and batch.number in delivery.evidence
    assert plans.tick(on=timezone.localdate())["benefit_instalments_made"] == 0, (
        "a delivered day is not made again"
    )
    honouree.award_plan.refresh_from_db()
    assert honouree.award_plan.status == "active", "the award's own instalments are still open"


def test_a_day_already_delivered_by_hand_is_not_made_and_revocation_cancels_the_open_ones(honouree, office):
    today = timezone.localdate()
    e = BenefitEntitlement.objects.get(honouree=honouree)
    benefits.delivery_record(
        by=office,
        entitlement_id=e.pk,
        occurrence_on=today.replace(day=1),
        delivered_on=today.replace(day=1),
        evidence="现金发放签收单",
    )
    assert plans.tick(on=today)["benefit_instalments_made"] == 0
    plans.tick(on=today.replace(day=1) + relativedelta(months=1, days=3))
    (inst,) = benefit_instalments(honouree)
    status.honouree_revoke(
        by=office, honouree_id=honouree.pk, on=today, reason="提供虚假材料", grounds="false_claims"
    )
    inst.refresh_from_db()
    assert inst.status == S.CANCELLED
    e.refresh_from_db()
    assert e.status == "cancelled"


def test_an_employers_benefit_is_not_paid_by_the_city(allowance_round, office):
    rules = allowance_round.rules
    rules["benefits"][0]["funder"] = "employer"
    Round.objects.filter(pk=allowance_round.pk).update(rules=rules)
    allowance_round.refresh_from_db()
    h = name_directly(allowance_round, office, named_on=timezone.localdate() - dt.timedelta(days=40))
    assert plans.tick(on=timezone.localdate())["benefit_instalments_made"] == 0
    assert not benefit_instalments(h).exists()
