"""Races on PostgreSQL with real threads: a due day is delivered once, an honour revoked once."""

import datetime as dt
from functools import partial

import pytest

from honourees.models import BenefitDelivery, BenefitEntitlement, Debarment, HonoureeStatusChange
from honourees.services import benefits, status
from tests.honourees.registry_steps import baotou_treatment_items, past_round, register
from tests.races import outcomes, race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# fixtures shared by the registry tests
RUNS = 4


def test_two_clerks_recording_the_same_due_day_at_once_record_it_once(seeds, office):
    baotou_treatment_items()
    r = past_round(seeds["baotou"], 2021)
    for run in range(RUNS):
        h = register(office, r, name=f"竞{run}")
        e = BenefitEntitlement.objects.get(honouree=h, code="baotou_honour_allowance")
        record = partial(
            benefits.delivery_record,
            by=office,
            entitlement_id=e.pk,
            occurrence_on=dt.date(2024, 1, 1),
            delivered_on=dt.date(2024, 1, 2),
        )
        results = race(partial(record, evidence="甲单"), partial(record, evidence="乙单"))
        assert outcomes(results) == ["Conflict", "ok"], (run, results)
        assert BenefitDelivery.objects.filter(entitlement=e).count() == 1


def test_two_revocations_of_one_honour_at_once_debar_and_log_once(seeds, office):
    r = past_round(seeds["baling"], 2020)
    for run in range(RUNS):
        h = register(office, r, name=f"撤{run}")
        revoke = partial(
            status.honouree_revoke,
            by=office,
            honouree_id=h.pk,
            on=dt.date(2024, 3, 1),
            reason="虚报",
            grounds="false_claims",
        )
        results = race(revoke, revoke)
        assert outcomes(results) == ["ok", "ok"], (run, results)
        assert HonoureeStatusChange.objects.filter(honouree=h).count() == 1
        assert Debarment.objects.filter(person=h.person).count() == 1
