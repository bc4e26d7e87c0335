"""Funding sources and their yearly budgets: which source pays, the budget set, and the checks against it.

Two checks, both under the source row's lock (the last lock of the order in ``core``): a new commitment
must fit the year's budget (``_check_commit``), and what goes into batches or is paid must too
(``_check_payments``). A budget may not be set below what is already committed or in flight.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction

from backend.errors import BudgetExceeded, NotFound, ValidationFailed
from backend.history import save_as
from backend.money import to_money
from backend.roles import Role, require_role
from honourees.models import Round, Scheme

from ..models import Budget, FundingSource
from ..selectors import budget_figures

# The sources the five notices name, by the code a round's rules use.
SOURCE_NAMES = {
    "city_talent_fund": ("市人才发展专项资金", "City talent development fund"),
    "union_funds": ("工会经费", "Trade union funds"),
    "city_government": ("市政府财政资金", "City government budget"),
    "city_finance": ("市财政资金", "City finance budget"),
}
# A benefit's funder (honourees.rules.Funder) → the source code it is paid from; an employer pays its own.
BENEFIT_SOURCES = {"city_finance": "city_finance", "union": "union_funds"}


def source_for(round_: Round) -> FundingSource:
    """The round's funding source (made the first time a round of the scheme names it)."""
    code = round_.rules.get("award", {}).get("source") or "city_finance"
    zh, en = SOURCE_NAMES.get(code, (code, code))
    source, _ = FundingSource.objects.get_or_create(
        scheme=round_.scheme,
        code=code,
        defaults={"name": zh, "name_en": en, "payer": round_.scheme.organiser or round_.scheme.name},
    )
    return source


def _benefit_source(scheme: Scheme, funder: str) -> FundingSource | None:
    code = BENEFIT_SOURCES.get(funder)
    if code is None:
        return None
    zh, en = SOURCE_NAMES.get(code, (code, code))
    source, _ = FundingSource.objects.get_or_create(
        scheme=scheme,
        code=code,
        defaults={"name": zh, "name_en": en, "payer": scheme.organiser or scheme.name},
    )
    return source


def _lock_source(source_id: int) -> FundingSource | None:
    """The source row, locked: it stands for its budgets, since a year without a budget has no row to lock."""
    return FundingSource.objects.select_for_update().filter(pk=source_id).first()


def _figures_text(source: FundingSource, year: int, f: dict, extra: Decimal) -> tuple[str, str]:
    return (
        f"{source.name} {year} 年预算 {f['budget']} 元，已承诺 {f['committed']} 元，剩余 {f['remaining']} 元，"
        f"本次需要 {extra} 元，超出预算。",
        f"{source.name_en or source.name} {year}: budget {f['budget']}, committed {f['committed']}, "
        f"remaining {f['remaining']}; this needs {extra}, which exceeds the budget.",
    )


def _check_commit(source: FundingSource, year: int, amount: Decimal) -> None:
    """Refuse a commitment the year's budget cannot hold. A year without a budget yet is not checked here:
    the commitment is recorded, and a budget set later must cover it (``budget_set``), and nothing of that
    year can be put into a batch until a budget exists (``_check_payments``)."""
    # The source row, not the budget row: a year without a budget has no row to lock, and budget_set, which
    # checks the new budget against what is committed, locks the source too.
    _lock_source(source.pk)
    f = budget_figures([(source.pk, year)])[(source.pk, year)]
    if f["budget"] is not None and f["committed"] + amount > f["budget"]:
        raise BudgetExceeded(*_figures_text(source, year, f, amount))


def _check_payments(source_id: int, need: dict[int, Decimal]) -> None:
    """Refuse paying ``need`` (amount by budget year) from the source: what is in batches or paid stays within
    each year's budget, and a year without a budget pays nothing yet."""
    source = _lock_source(source_id)
    figures = budget_figures((source.pk, year) for year in need)
    for year, amount in sorted(need.items()):
        f = figures[(source.pk, year)]
        if f["budget"] is None:
            raise BudgetExceeded(
                f"{source.name} 尚未设定 {year} 年预算，不能安排支付。",
                f"{source.name_en or source.name} has no budget for {year}; nothing of that year can be paid yet.",
            )
        in_flight = f["scheduled"] + f["approved"] + f["paid"]
        if in_flight + amount > f["budget"]:
            raise BudgetExceeded(
                f"{source.name} {year} 年预算 {f['budget']} 元，已安排及支付 {in_flight} 元，"
                f"本批次再需 {amount} 元，超出预算。",
                f"{source.name_en or source.name} {year}: budget {f['budget']}, in batches or paid {in_flight}; "
                f"this needs {amount} more, which exceeds the budget.",
            )


@transaction.atomic
def budget_set(*, by: User, source_id: int, year: int, amount: Decimal | str, note: str = "") -> Budget:
    """Set a source's budget for a year; it may not drop below what is already committed for that year."""
    require_role(by, Role.FINANCE_CHECKER)
    amount = to_money(amount, field="amount")
    if amount <= 0:
        raise ValidationFailed(
            f"预算金额必须大于零，收到的是 {amount}。",
            f"A budget must be more than zero, not {amount}.",
            field="amount",
        )
    if not 2000 <= int(year) <= 2100:
        raise ValidationFailed(f"年度 {year} 不合理。", f"The year {year} is not plausible.", field="year")
    source = _lock_source(source_id)
    if source is None:
        raise NotFound("没有这个资金来源。", "No such funding source.")
    budget = Budget.objects.select_for_update().filter(source=source, year=year).first()
    f = budget_figures([(source.pk, year)])[(source.pk, year)]
    floor = max(f["committed"], f["paid"] + f["approved"] + f["scheduled"])
    if amount < floor:
        raise BudgetExceeded(
            f"{source.name} {year} 年已承诺 {f['committed']} 元（已支付 {f['paid']} 元），预算不能少于 {floor} 元。",
            f"{source.name_en or source.name} {year} already has {f['committed']} committed ({f['paid']} paid); "
            f"the budget cannot be less than {floor}.",
            field="amount",
        )
    budget = budget or Budget(source=source, year=year)
    budget.amount, budget.note = amount, note[:300]
    return save_as(budget, by=by, reason=f"budget {amount}")
