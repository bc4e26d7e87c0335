"""manage.py demo gives the finance pages something to show: budgets, plans, accounts; twice is once."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from funding.models import AwardPlan, Budget, Instalment, LedgerEntry, PayeeAccount

pytestmark = pytest.mark.django_db


def test_the_demo_makes_plans_for_each_paying_scheme_once():
    call_command("demo", allow_production=True, stdout=io.StringIO())
    first = (
        AwardPlan.objects.count(),
        Instalment.objects.count(),
        LedgerEntry.objects.count(),
        Budget.objects.count(),
    )
    call_command("demo", allow_production=True, stdout=io.StringIO())
    assert (
        AwardPlan.objects.count(),
        Instalment.objects.count(),
        LedgerEntry.objects.count(),
        Budget.objects.count(),
    ) == first
    plans = {
        p.honouree.person.name: p for p in AwardPlan.objects.select_related("honouree__person", "source")
    }
    # 巴陵: the studio demo's host and two more; 焦作, 包头, 晋中 one each; 巴渝 pays no money.
    assert set(plans) == {"周建华", "刘志强", "何秀英", "马建国", "巴特尔", "韩丽娟"}
    assert plans["韩丽娟"].total == Decimal("20000.00") and plans["马建国"].source.code == "union_funds"
    assert PayeeAccount.objects.count() == 5, "the studio host's account is left for the maker to enter"
    assert set(Instalment.objects.values_list("status", flat=True)) <= {"due", "blocked", "planned"}
