"""Funding fixtures: personas (two makers, two checkers, the office), the five seed rounds, honourees named
with the ``honouree_named`` signal as the intake's ``round_name`` sends it, bank accounts and budgets.

Every funding test ends with the reconciliation: ledger, instalments, payments, batches and budgets must
agree after each scenario (issue #5, "reconciliation is clean after every test scenario").
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import transaction
from django.test import override_settings

from backend.history import save_as
from backend.roles import Role
from funding.models import FundingSource
from funding.reconciliation import reconcile
from funding.services import budgets, payees
from honourees.models import Honouree, Nomination, Person, RecommendingUnit, Round
from honourees.services import benefits
from honourees.signals import honouree_named
from tests.honourees.conftest import make_id

_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def media(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"


@pytest.fixture(autouse=True)
def reconciled(request):
    """After each test that touched the database: the books agree."""
    yield
    if (
        "db" in request.fixturenames
        or "transactional_db" in request.fixturenames
        or request.node.get_closest_marker("django_db")
    ):
        assert reconcile() == []


@pytest.fixture
def baling(seeds) -> Round:
    return seeds["baling"]


@pytest.fixture
def maker_b(make_user):
    return make_user("mona", Role.FINANCE_MAKER)


@pytest.fixture
def checker_b(make_user):
    return make_user("carl", Role.FINANCE_CHECKER)


@pytest.fixture
def maker_checker(make_user):
    """Holds both finance roles: may make and approve, but never approve what they made."""
    return make_user("max", Role.FINANCE_MAKER, Role.FINANCE_CHECKER)


def name_directly(
    round_: Round,
    by,
    *,
    name: str = "周建华",
    tier: str = "named",
    named_on=dt.date(2023, 10, 30),
    birth=dt.date(1975, 4, 12),
    gender: str = "M",
) -> Honouree:
    """A named honouree of the round, made as ``round_name`` makes it, with the same signal in one transaction."""
    serial = next(_serial)
    with transaction.atomic():
        person = save_as(
            Person(id_number=make_id(birth, gender), name=name, gender=gender, birth_date=birth), by=by
        )
        unit = RecommendingUnit.objects.filter(scheme=round_.scheme).order_by("id").first()
        nomination = save_as(
            Nomination(
                round=round_,
                unit=unit,
                person=person,
                status=Nomination.Status.NAMED,
                tier=tier,
                trade="钳工",
                employer="机修厂",
            ),
            by=by,
        )
        honouree = save_as(
            Honouree(
                person=person,
                round=round_,
                nomination=nomination,
                tier=tier,
                certificate_no=f"T-{round_.scheme.code}-{serial:04d}",
                named_on=named_on,
            ),
            by=by,
        )
        benefits.entitlements_grant(honouree=honouree, by=by)  # as round_name does, in the same transaction
        honouree_named.send(sender=Honouree, honouree=honouree, by=by)
    return honouree


def source_of(round_: Round) -> FundingSource:
    return FundingSource.objects.get(scheme=round_.scheme, code=round_.rules["award"]["source"])


def give_account(
    honouree: Honouree, maker, *, account_no: str = "6222021234567890123", bank: str = "中国工商银行岳阳分行"
):
    return payees.payee_account_set(
        by=maker,
        person_id=honouree.person_id,
        account_name=honouree.person.name,
        bank_name=bank,
        account_no=account_no,
    )


def give_budget(round_: Round, checker, year: int, amount="1000000.00"):
    return budgets.budget_set(by=checker, source_id=budgets.source_for(round_).pk, year=year, amount=amount)
