"""The ledger is append-only, and the reconciliation is a check that can fail: corrupt the books and it says so."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from funding.models import Budget, DisbursementBatch, Instalment, LedgerEntry
from funding.reconciliation import reconcile

from .conftest import name_directly
from .steps import batch_of, pay

pytestmark = pytest.mark.django_db
L = LedgerEntry.Kind
S = Instalment.Status


@pytest.fixture
def paid(seeds, office, maker, checker) -> Instalment:
    """A 晋中 honouree's 20,000, paid (commit, payment, tax withheld in the ledger)."""
    h = name_directly(seeds["jinzhong"], office, named_on=dt.date(2019, 11, 15))
    inst = h.award_plan.instalments.get()
    pay([inst], maker, checker)
    inst.refresh_from_db()
    return inst


def reconcile_command() -> str:
    call_command("reconcile")
    return "clean"


def test_a_ledger_entry_cannot_be_edited_or_deleted_through_the_code(paid):
    entry = paid.ledger.get(kind=L.PAYMENT)
    entry.amount = Decimal("1.00")
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()
    with pytest.raises(RuntimeError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with pytest.raises(RuntimeError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("20000.00")


@pytest.mark.postgres
def test_the_database_refuses_a_raw_update_or_delete_of_a_ledger_entry(paid):
    entry = paid.ledger.get(kind=L.PAYMENT)
    for sql in (
        "UPDATE funding_ledgerentry SET amount = 1 WHERE id = %s",
        "DELETE FROM funding_ledgerentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("20000.00")


def test_the_reconcile_command_passes_on_clean_books(paid, capsys):
    assert reconcile_command() == "clean"
    assert "agree" in capsys.readouterr().out


def test_a_stray_ledger_entry_is_found_and_a_reversal_puts_it_right(paid):
    stray = LedgerEntry.objects.create(
        kind=L.COMMIT,
        amount=Decimal("500.00"),
        source_id=paid.plan.source_id,
        budget_year=2019,
        honouree_id=paid.plan.honouree_id,
        instalment=paid,
        memo="typed in by hand",
    )
    assert reconcile() == [f"instalment {paid.pk} (paid): ledger commitment 20500.00, expected 20000.00"]
    with pytest.raises(CommandError, match="1 disagreement"):
        reconcile_command()
    LedgerEntry.objects.create(
        kind=L.REVERSAL,
        amount=Decimal("-500.00"),
        source_id=paid.plan.source_id,
        budget_year=2019,
        honouree_id=paid.plan.honouree_id,
        instalment=paid,
        reverses=stray,
        memo="wrong entry reversed",
    )
    assert reconcile() == []


def test_tax_withheld_on_an_instalment_nobody_paid_is_found(seeds, office):
    h = name_directly(seeds["jinzhong"], office, named_on=dt.date(2019, 11, 15))
    inst = h.award_plan.instalments.get()
    stray = LedgerEntry.objects.create(
        kind=L.TAX_WITHHELD,
        amount=Decimal("4000.00"),
        source_id=inst.plan.source_id,
        budget_year=2019,
        honouree_id=h.pk,
        instalment=inst,
    )
    assert reconcile() == [f"instalment {inst.pk}: tax withheld in the ledger 4000.00, payment says None"]
    LedgerEntry.objects.create(
        kind=L.REVERSAL,
        amount=Decimal("-4000.00"),
        source_id=inst.plan.source_id,
        budget_year=2019,
        honouree_id=h.pk,
        instalment=inst,
        reverses=stray,
    )


def test_a_status_changed_behind_the_services_back_is_found(paid, seeds, office):
    Instalment.objects.filter(pk=paid.pk).update(status=S.DUE)
    problems = reconcile()
    assert f"instalment {paid.pk} (due): ledger payments 20000.00, expected 0.00" in problems
    assert f"instalment {paid.pk} (due): 1 payment rows" in problems
    with pytest.raises(CommandError):
        reconcile_command()
    Instalment.objects.filter(pk=paid.pk).update(status=S.PAID)

    other = name_directly(
        seeds["jinzhong"], office, name="乙", named_on=dt.date(2019, 11, 15)
    ).award_plan.instalments.get()
    Instalment.objects.filter(pk=other.pk).update(status=S.CANCELLED)
    assert reconcile() == [f"instalment {other.pk} (cancelled): ledger commitment 20000.00, expected 0.00"]
    Instalment.objects.filter(pk=other.pk).update(status=S.DUE)


def test_a_budget_lowered_behind_the_services_back_and_a_batch_closed_too_early_are_found(
    paid, seeds, office, maker, checker
):
    Budget.objects.filter(source_id=paid.plan.source_id, year=2019).update(amount=Decimal("100.00"))
    assert reconcile() == ["city_finance 2019: committed 20000.00 exceeds the budget 100.00"]
    Budget.objects.filter(source_id=paid.plan.source_id, year=2019).update(amount=Decimal("1000000.00"))

    other = name_directly(
        seeds["jinzhong"], office, name="乙", named_on=dt.date(2019, 11, 15)
    ).award_plan.instalments.get()
    batch = batch_of([other], maker, checker)
    DisbursementBatch.objects.filter(pk=batch.pk).update(status="closed")
    problems = reconcile()
    assert f"batch {batch.number} is closed with 1 lines unsettled" in problems
    assert f"instalment {other.pk} is approved but its live line's batch is closed" in problems
    DisbursementBatch.objects.filter(pk=batch.pk).update(status="approved")
