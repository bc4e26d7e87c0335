"""Reads of the funding side: the one user-scoped queryset per model, what falls due, the budget figures
(the budget table, the budget checks, the budget execution export) and the lines a bank file lists.

Who sees money (pages, API and exports all go through these functions):

- the finance maker and checker, the talent office and the auditor: everything;
- a studio host: the award plan and instalments of the honouree whose studio they host (their own money);
- everyone else: nothing.

Batches, lines, payments, the ledger and bank rows are finance's working papers: only the four reading
roles above see them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from backend.money import sum_money
from backend.roles import ALL, Role, has_role, scope_by_role
from studios.models import Studio

from .bankfile import PaymentLine
from .models import (
    AwardPlan,
    BankReturnRow,
    BatchLine,
    Budget,
    DisbursementBatch,
    FundingSource,
    Instalment,
    LedgerEntry,
    Payment,
)

S = Instalment.Status
B = DisbursementBatch.Status
ZERO = Decimal("0.00")

READERS = (Role.FINANCE_MAKER, Role.FINANCE_CHECKER, Role.TALENT_OFFICE, Role.AUDITOR)
FINANCE = (Role.FINANCE_MAKER, Role.FINANCE_CHECKER)
_READ_ALL = {role: ALL for role in READERS}


def _own_honourees(user) -> Q:
    return Q(honouree__in=Studio.objects.filter(host=user).values("honouree_id"))


def may_read(user) -> bool:
    """Whether the user may open the funding pages at all (the lists, the budget page)."""
    return has_role(user, *READERS)


def may_handle_bank_files(user) -> bool:
    """The bank file names payees' accounts and identity numbers: finance roles only."""
    return has_role(user, *FINANCE)


# --- scoped querysets ----------------------------------------------------------------------------------------


def sources_for(user) -> QuerySet[FundingSource]:
    return scope_by_role(FundingSource.objects.select_related("scheme"), user, _READ_ALL)


def budgets_for(user) -> QuerySet[Budget]:
    return scope_by_role(Budget.objects.select_related("source__scheme"), user, _READ_ALL)


def plans_for(user) -> QuerySet[AwardPlan]:
    rules = {**_READ_ALL, Role.STUDIO_HOST: _own_honourees}
    return scope_by_role(
        AwardPlan.objects.select_related("honouree__person", "round__scheme", "source"), user, rules
    )


def instalments_for(user) -> QuerySet[Instalment]:
    rules = {**_READ_ALL, Role.STUDIO_HOST: lambda u: Q(plan__in=plans_for(u).values("pk"))}
    return scope_by_role(
        Instalment.objects.select_related("plan__honouree__person", "plan__round__scheme", "source__scheme"),
        user,
        rules,
    )


def batches_for(user) -> QuerySet[DisbursementBatch]:
    return scope_by_role(
        DisbursementBatch.objects.select_related("source__scheme", "maker", "checker", "exported_by"),
        user,
        _READ_ALL,
    )


def lines_for(user) -> QuerySet[BatchLine]:
    return scope_by_role(
        BatchLine.objects.select_related("batch", "instalment__plan__honouree__person", "settled_by"),
        user,
        _READ_ALL,
    )


def payments_for(user) -> QuerySet[Payment]:
    return scope_by_role(
        Payment.objects.select_related(
            "instalment__plan__honouree__person", "instalment__source", "line__batch", "recorded_by"
        ),
        user,
        _READ_ALL,
    )


def ledger_for(user) -> QuerySet[LedgerEntry]:
    return scope_by_role(
        LedgerEntry.objects.select_related("source", "honouree__person", "by"), user, _READ_ALL
    )


def return_rows_for(user) -> QuerySet[BankReturnRow]:
    return scope_by_role(BankReturnRow.objects.select_related("batch", "line", "decided_by"), user, _READ_ALL)


def live_lines() -> Prefetch:
    """Prefetch of an instalment's line still waiting for the bank or paid, with its batch (no query per row)."""
    return Prefetch(
        "lines",
        queryset=BatchLine.objects.filter(status__in=[BatchLine.Status.PENDING, BatchLine.Status.PAID])
        .select_related("batch")
        .order_by("-id"),
        to_attr="live_lines",
    )


# --- what falls due ------------------------------------------------------------------------------------------


@dataclass
class DueFilter:
    """The due page's filters: a source id, a round id, and a last date (inclusive) of earliest payment."""

    source: int | None = None
    round: int | None = None
    up_to: dt.date | None = None

    @classmethod
    def from_params(cls, params) -> DueFilter:
        def number(key):
            value = (params.get(key) or "").strip()
            return int(value) if value.isdigit() else None

        try:
            up_to = dt.date.fromisoformat((params.get("up_to") or "").strip())
        except ValueError:
            up_to = None
        return cls(source=number("source"), round=number("round"), up_to=up_to)

    def apply(self, qs: QuerySet[Instalment]) -> QuerySet[Instalment]:
        if self.source:
            qs = qs.filter(source_id=self.source)
        if self.round:
            qs = qs.filter(plan__round_id=self.round)
        if self.up_to:
            qs = qs.filter(earliest_on__lte=self.up_to)
        return qs


@dataclass
class FallsDue:
    today: dt.date
    month_starts: dt.date
    overdue: list[Instalment] = field(default_factory=list)
    this_month: list[Instalment] = field(default_factory=list)
    blocked: list[Instalment] = field(default_factory=list)
    upcoming: list[Instalment] = field(default_factory=list)
    in_batches: list[Instalment] = field(default_factory=list)

    @property
    def due(self) -> list[Instalment]:
        return self.overdue + self.this_month

    @property
    def due_total(self) -> Decimal:
        return sum((i.amount for i in self.due), ZERO)


def falls_due(
    user, search: DueFilter | None = None, *, today: dt.date | None = None, limit: int = 500
) -> FallsDue:
    """What the user may see of open money: due (overdue before this month, or this month), blocked and why,
    planned, and what is in a batch waiting for approval or the bank. A fixed number of queries."""
    today = today or timezone.localdate()
    f = search or DueFilter()
    out = FallsDue(today=today, month_starts=today.replace(day=1))
    qs = f.apply(instalments_for(user)).select_related("plan__honouree__person__payee_account")
    for inst in qs.filter(status=S.DUE).order_by("earliest_on", "id")[:limit]:
        (out.overdue if inst.earliest_on < out.month_starts else out.this_month).append(inst)
    out.blocked = list(qs.filter(status=S.BLOCKED).order_by("earliest_on", "id")[:limit])
    out.upcoming = list(qs.filter(status=S.PLANNED).order_by("earliest_on", "id")[:limit])
    out.in_batches = list(
        qs.filter(status__in=[S.SCHEDULED, S.APPROVED, S.FAILED])
        .prefetch_related(live_lines())
        .order_by("earliest_on", "id")[:limit]
    )
    return out


# --- budgets -------------------------------------------------------------------------------------------------

FIGURES = ("budget", "committed", "scheduled", "approved", "paid", "remaining")


@dataclass
class BudgetRow:
    """A source's year: its budget (None when not set yet) and the money against it."""

    source: FundingSource | None  # None in ``budget_figures``, which reads by source id
    year: int
    budget: Decimal | None
    committed: Decimal
    scheduled: Decimal
    approved: Decimal
    paid: Decimal
    note: str = ""

    @property
    def remaining(self) -> Decimal | None:
        return None if self.budget is None else self.budget - self.committed

    @property
    def figures(self) -> dict:
        return {k: getattr(self, k) for k in FIGURES}


Key = tuple[int, int]  # (source id, budget year)


def _money_by_key(qs: QuerySet, source: str, year: str, value: str) -> dict[Key, Decimal]:
    rows = qs.order_by().values(source, year).annotate(s=sum_money(value)).values_list(source, year, "s")
    return {(s, y): total for s, y, total in rows}


@dataclass
class _Money:
    """The budgets and the money against them of some sources (and years), each by (source id, year)."""

    budgets: dict[Key, Budget]
    committed: dict[Key, Decimal]
    scheduled: dict[Key, Decimal]
    approved: dict[Key, Decimal]
    paid: dict[Key, Decimal]

    def keys(self) -> set[Key]:
        return (
            set(self.budgets)
            | set(self.committed)
            | set(self.scheduled)
            | set(self.approved)
            | set(self.paid)
        )

    def row(self, source: FundingSource | None, key: Key) -> BudgetRow:
        b = self.budgets.get(key)
        return BudgetRow(
            source=source,
            year=key[1],
            budget=b.amount if b else None,
            note=b.note if b else "",
            committed=self.committed.get(key, ZERO),
            scheduled=self.scheduled.get(key, ZERO),
            approved=self.approved.get(key, ZERO),
            paid=self.paid.get(key, ZERO),
        )


def _money(source_ids: Collection[int], years: Collection[int] | None = None) -> _Money:
    """Five queries, however many sources and years: the budgets, then each figure summed by (source, year)."""
    budgets = Budget.objects.filter(source_id__in=source_ids)
    ledger = LedgerEntry.objects.filter(
        source_id__in=source_ids, kind__in=[LedgerEntry.Kind.COMMIT, LedgerEntry.Kind.RELEASE]
    )
    pending = BatchLine.objects.filter(batch__source_id__in=source_ids, status=BatchLine.Status.PENDING)
    payments = Payment.objects.filter(line__batch__source_id__in=source_ids)
    if years is not None:
        budgets = budgets.filter(year__in=years)
        ledger = ledger.filter(budget_year__in=years)
        pending = pending.filter(instalment__budget_year__in=years)
        payments = payments.filter(instalment__budget_year__in=years)
    by_line = ("batch__source_id", "instalment__budget_year", "gross")
    return _Money(
        budgets={(b.source_id, b.year): b for b in budgets},
        committed=_money_by_key(ledger, "source_id", "budget_year", "amount"),
        scheduled=_money_by_key(pending.filter(batch__status__in=[B.DRAFT, B.SUBMITTED]), *by_line),
        approved=_money_by_key(pending.filter(batch__status__in=[B.APPROVED, B.EXPORTED]), *by_line),
        paid=_money_by_key(payments, "line__batch__source_id", "instalment__budget_year", "gross"),
    )


def budget_figures(keys: Iterable[Key]) -> dict[Key, dict[str, Decimal | None]]:
    """Budget, committed, scheduled, approved, paid and remaining for each (source id, year) asked, from the
    rows, in five queries however many are asked. ``budget`` (and so ``remaining``) is None for a year
    without a budget; the sums are 0.00 where nothing was recorded.

    Committed is the ledger's commitments less its releases; scheduled is what waits in draft or submitted
    batches, approved what the checker approved or the bank has, paid what the bank confirmed (gross)."""
    keys = set(keys)
    if not keys:
        return {}
    money = _money({s for s, _ in keys}, {y for _, y in keys})
    return {key: money.row(None, key).figures for key in keys}


def budget_table(user, *, source_id: int | None = None, year: int | None = None) -> list[BudgetRow]:
    """Every (source, year) the user may see with a budget or money against it, with the figures of
    ``budget_figures``, in a fixed number of queries (the budget page and the API)."""
    sources = {s.pk: s for s in sources_for(user)}
    if not sources:
        return []
    keep = set(sources) if source_id is None else {source_id} & set(sources)
    money = _money(keep, None if year is None else {year})
    keys = sorted(money.keys(), key=lambda k: (sources[k[0]].scheme_id, sources[k[0]].code, k[1]))
    return [money.row(sources[k[0]], k) for k in keys]


def budget_execution(*, scheme_id: int | None = None, year: int | None = None) -> list[BudgetRow]:
    """Every budget set, with its figures, by scheme, source and year: the budget execution export, in six
    queries however many budgets there are. Not scoped by user: the export is open only to ``READERS``,
    who see every source anyway."""
    qs = FundingSource.objects.select_related("scheme")
    if scheme_id is not None:
        qs = qs.filter(scheme_id=scheme_id)
    sources = {s.pk: s for s in qs}
    if not sources:
        return []
    money = _money(set(sources), None if year is None else {year})
    keys = sorted(money.budgets, key=lambda k: (sources[k[0]].scheme.code, sources[k[0]].code, k[1]))
    return [money.row(sources[k[0]], k) for k in keys]


# --- one instalment, one batch -------------------------------------------------------------------------------


def instalment_history(inst: Instalment, *, limit: int = 100) -> list:
    """The instalment's history rows, newest first, with who made each change."""
    return list(inst.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit])


def batch_lines(batch: DisbursementBatch) -> list[BatchLine]:
    return list(
        batch.lines.select_related("instalment__plan__honouree__person", "settled_by", "payment").order_by(
            "id"
        )
    )


def batch_totals(lines: list[BatchLine]) -> dict:
    """Totals of the lines that are or will be money out (withdrawn lines left out), and by status."""
    counted = [x for x in lines if x.status != BatchLine.Status.WITHDRAWN]
    return {
        "count": len(counted),
        "gross": sum((x.gross for x in counted), ZERO),
        "tax": sum((x.tax for x in counted), ZERO),
        "net": sum((x.net for x in counted), ZERO),
        "paid": sum(1 for x in counted if x.status == BatchLine.Status.PAID),
        "returned": sum(1 for x in counted if x.status == BatchLine.Status.RETURNED),
        "pending": sum(1 for x in counted if x.status == BatchLine.Status.PENDING),
    }


def pending_payment_lines(batch: DisbursementBatch) -> list[PaymentLine]:
    """The batch's lines waiting for the bank, in line order, as the bank files list them."""
    return [
        PaymentLine(
            reference=line.reference,
            payee_name=line.payee_name,
            payee_id_number=line.payee_id_number,
            bank_name=line.bank_name,
            account_no=line.account_no,
            gross=line.gross,
            tax=line.tax,
            net=line.net,
            purpose=line.purpose,
        )
        for line in batch.lines.filter(status=BatchLine.Status.PENDING).order_by("id")
    ]


def unmatched_rows(batch: DisbursementBatch) -> list[BankReturnRow]:
    return list(batch.return_rows.filter(status=BankReturnRow.Status.UNMATCHED).order_by("id"))
