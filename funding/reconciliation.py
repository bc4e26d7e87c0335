"""Proof that the ledger, the instalments, the payments, the batches and the budgets tell one story.

Run by ``manage.py reconcile`` (exit status 1 when anything disagrees) and after every funding test
scenario. Each check is one aggregate query, so it stays cheap on a year's data.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q, Sum

from .models import BatchLine, Budget, DisbursementBatch, Instalment, LedgerEntry, Payment

ZERO = Decimal("0.00")
L = LedgerEntry.Kind
S = Instalment.Status


def reconcile() -> list[str]:
    """Every disagreement found, one sentence each (English: this is an operator's and auditor's tool)."""
    problems: list[str] = []
    sums: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for row in LedgerEntry.objects.values("instalment_id", "kind").annotate(s=Sum("amount")):
        sums[row["instalment_id"]][row["kind"]] += row["s"]
    reversed_kinds: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for row in (
        LedgerEntry.objects.filter(kind=L.REVERSAL)
        .values("instalment_id", "reverses__kind")
        .annotate(s=Sum("amount"))
    ):
        reversed_kinds[row["instalment_id"]][row["reverses__kind"]] += row["s"]
    payments = {p["instalment_id"]: p for p in Payment.objects.values("instalment_id", "gross", "tax", "net")}
    pay_count = dict(Payment.objects.values_list("instalment_id").annotate(n=Count("id")))

    for inst in Instalment.objects.values("id", "amount", "status", "recovery"):
        i, s, r = inst["id"], sums[inst["id"]], reversed_kinds[inst["id"]]
        committed = s[L.COMMIT] + s[L.RELEASE] + r[L.COMMIT] + r[L.RELEASE]
        expected = inst["amount"] if inst["status"] in Instalment.COMMITTED else ZERO
        if committed != expected:
            problems.append(
                f"instalment {i} ({inst['status']}): ledger commitment {committed}, expected {expected}"
            )
        paid = s[L.PAYMENT] + r[L.PAYMENT]
        expected_paid = inst["amount"] if inst["status"] == S.PAID else ZERO
        if paid != expected_paid:
            problems.append(
                f"instalment {i} ({inst['status']}): ledger payments {paid}, expected {expected_paid}"
            )
        if (inst["status"] == S.PAID) != (i in payments) or pay_count.get(i, 0) > 1:
            problems.append(f"instalment {i} ({inst['status']}): {pay_count.get(i, 0)} payment rows")
        p = payments.get(i)
        if p and (p["gross"] != inst["amount"] or p["tax"] + p["net"] != p["gross"]):
            problems.append(
                f"instalment {i}: payment gross {p['gross']} tax {p['tax']} net {p['net']} disagree"
            )
        tax = s[L.TAX_WITHHELD] + r[L.TAX_WITHHELD]
        if tax != (p["tax"] if p else ZERO):  # no payment, no tax withheld either
            problems.append(
                f"instalment {i}: tax withheld in the ledger {tax}, payment says {p['tax'] if p else None}"
            )
        claimed = s[L.RECOVERY] + s[L.RECOVERY_SETTLED] + r[L.RECOVERY] + r[L.RECOVERY_SETTLED]
        expected_claim = inst["amount"] if inst["recovery"] == Instalment.Recovery.PENDING else ZERO
        if claimed != expected_claim:
            problems.append(
                f"instalment {i}: open recovery in the ledger {claimed}, expected {expected_claim}"
            )

    # Lines and instalments: a live line for exactly the instalments in a batch's hands.
    live = dict(
        BatchLine.objects.filter(status=BatchLine.Status.PENDING).values_list(
            "instalment_id", "batch__status"
        )
    )
    for inst in Instalment.objects.filter(Q(status__in=[S.SCHEDULED, S.APPROVED]) | Q(pk__in=live)).values(
        "id", "status"
    ):
        batch_status = live.get(inst["id"])
        ok = {S.SCHEDULED: {"draft", "submitted"}, S.APPROVED: {"approved", "exported"}}.get(
            inst["status"], set()
        )
        if batch_status not in ok:
            problems.append(
                f"instalment {inst['id']} is {inst['status']} but its live line's batch is {batch_status}"
            )
    for line in (
        BatchLine.objects.filter(status=BatchLine.Status.PAID)
        .exclude(payment__isnull=False)
        .values("reference")
    ):
        problems.append(f"line {line['reference']} is paid without a payment row")
    for batch in (
        DisbursementBatch.objects.filter(status=DisbursementBatch.Status.CLOSED)
        .annotate(open=Count("lines", filter=Q(lines__status=BatchLine.Status.PENDING)))
        .filter(open__gt=0)
    ):
        problems.append(f"batch {batch.number} is closed with {batch.open} lines unsettled")

    # Budgets: commitments and money out within each year's budget.
    committed = defaultdict(lambda: ZERO)
    for row in (
        LedgerEntry.objects.filter(kind__in=[L.COMMIT, L.RELEASE])
        .values("source_id", "budget_year")
        .annotate(s=Sum("amount"))
    ):
        committed[(row["source_id"], row["budget_year"])] += row["s"]
    for budget in Budget.objects.select_related("source"):
        c = committed[(budget.source_id, budget.year)]
        if c > budget.amount:
            problems.append(
                f"{budget.source.code} {budget.year}: committed {c} exceeds the budget {budget.amount}"
            )
    return problems
