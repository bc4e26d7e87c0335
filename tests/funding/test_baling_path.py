"""巴陵: 20,000 in two instalments; the second waits for the studio and its first-year assessment."""

import datetime as dt
from decimal import Decimal

import pytest

from backend.errors import BudgetExceeded, Conflict, NotPermitted, ValidationFailed
from funding.models import Instalment, LedgerEntry, Payment
from funding.services import bank_results, batches

from .conftest import give_account, give_budget, name_directly

pytestmark = pytest.mark.django_db
S = Instalment.Status


def test_the_plan_is_made_at_naming_and_the_first_instalment_goes_all_the_way_to_paid(
    seeds, office, maker, checker
):
    baling = seeds["baling"]
    h = name_directly(baling, office, named_on=dt.date(2023, 10, 30))
    plan = h.award_plan
    first, second = plan.instalments.order_by("seq")
    assert (plan.total, plan.tax_withheld, plan.tax_rate, plan.tax_category) == (
        Decimal("20000.00"),
        True,
        Decimal("0.2000"),
        "incidental_income",
    )
    assert (first.amount, first.earliest_on, first.status) == (
        Decimal("10000.00"),
        dt.date(2023, 10, 30),
        S.DUE,
    )
    # 12 months after 2023-10-30 is 2024-10-30, a Wednesday and a working day.
    assert (second.amount, second.earliest_on, second.status) == (
        Decimal("10000.00"),
        dt.date(2024, 10, 30),
        S.BLOCKED,
    )
    assert "工作室" in second.status_reason and "考核" in second.status_reason

    give_account(h, maker)
    give_budget(baling, checker, 2023)
    batch = batches.batch_create(
        by=maker, source_id=plan.source_id, purpose="2023巴陵工匠第一年资助", instalment_ids=[first.pk]
    )
    line = batch.lines.get()
    assert (line.gross, line.tax, line.net) == (Decimal("10000.00"), Decimal("2000.00"), Decimal("8000.00"))
    with pytest.raises(ValidationFailed) as e:
        batches.batch_add(by=maker, batch_id=batch.pk, instalment_ids=[second.pk])
    assert "条件未满足" in e.value.errors[0].zh
    batches.batch_submit(by=maker, batch_id=batch.pk)
    with pytest.raises(NotPermitted):
        batches.batch_approve(by=maker, batch_id=batch.pk)
    batches.batch_approve(by=checker, batch_id=batch.pk)
    batches.batch_export(by=maker, batch_id=batch.pk)
    bank_results.line_mark_paid(by=maker, line_id=line.pk, bank_ref="B123", paid_on=dt.date.today())
    bank_results.line_mark_paid(by=maker, line_id=line.pk, bank_ref="B123", paid_on=dt.date.today())  # replay
    with pytest.raises(Conflict):
        bank_results.line_mark_paid(by=maker, line_id=line.pk, bank_ref="B999", paid_on=dt.date.today())
    first.refresh_from_db()
    batch.refresh_from_db()
    assert first.status == S.PAID and batch.status == "closed"
    pay = Payment.objects.get()
    assert (pay.gross, pay.tax, pay.net, pay.withholding_agent) == (
        Decimal("10000.00"),
        Decimal("2000.00"),
        Decimal("8000.00"),
        baling.scheme.organiser,
    )
    kinds = list(LedgerEntry.objects.filter(instalment=first).values_list("kind", "amount"))
    assert kinds == [
        ("commit", Decimal("10000.00")),
        ("payment", Decimal("10000.00")),
        ("tax_withheld", Decimal("2000.00")),
    ]


def test_a_budget_too_small_refuses_the_naming_with_the_figures(seeds, office, checker):
    baling = seeds["baling"]
    give_budget(baling, checker, 2023, amount="15000.00")
    name_directly(baling, office, name="甲")
    with pytest.raises(BudgetExceeded) as e:
        name_directly(baling, office, name="乙")
    assert "15000.00" in e.value.zh and "10000.00" in e.value.zh
