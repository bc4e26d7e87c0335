"""The disbursement schedule and budget execution workbooks, checked cell by cell against funding's rows."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from funding.models import Instalment
from reports import money_exports
from tests.funding.conftest import give_account, give_budget, name_directly
from tests.funding.steps import pay

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_one(seeds, office, maker, checker):
    baling = seeds["baling"]
    give_budget(baling, checker, 2023, amount="50000.00")
    a = name_directly(baling, office, name="甲工匠")
    name_directly(baling, office, name="=乙工匠")  # a name that looks like a formula stays text
    give_account(a, maker)
    pay([a.award_plan.instalments.get(seq=1)], maker, checker, ref="YB")
    return baling


def rows(content: bytes, sheet: str) -> list[tuple]:
    ws = load_workbook(io.BytesIO(content))[sheet]
    return [r for r in ws.iter_rows(min_row=3, values_only=True)]


def test_the_disbursement_schedule_lists_every_instalment_by_month_with_what_was_paid(paid_one, office):
    out = money_exports.build_disbursements({"scheme": paid_one.scheme_id}, lambda p, s: None, by=office)
    detail = rows(out.content, "支付计划")
    assert len(detail) == Instalment.objects.count() == 4
    paid = [r for r in detail if r[13] is not None]
    (p,) = paid
    assert (p[4], p[9], p[14], p[15], p[16]) == ("甲工匠", 10000, 2000, 8000, "YB001")
    assert isinstance(p[7], dt.datetime) and p[0] == dt.date.today().strftime("%Y-%m")
    assert any(r[4] == "=乙工匠" for r in detail)
    ws = load_workbook(io.BytesIO(out.content))["支付计划"]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    summary = rows(out.content, "按月汇总")
    assert sum(Decimal(str(r[2] or 0)) for r in summary) == Decimal("10000")
    assert sum(Decimal(str(r[3] or 0)) for r in summary) == Decimal("30000")


def test_budget_execution_gives_each_years_figures(paid_one, office):
    out = money_exports.build_budget({}, lambda p, s: None, by=office)
    (row,) = rows(out.content, "预算执行")
    assert row[1] == "市人才发展专项资金" and row[3] == 2023
    # Budget 50,000; committed: the two first instalments (2023); the second ones fall in 2024.
    assert (row[4], row[5], row[8], row[9], row[10]) == (50000, 20000, 10000, 30000, "20.0%")


def test_budget_execution_takes_a_fixed_number_of_queries(
    paid_one, seeds, office, checker, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6) as few:
        out = money_exports.build_budget({}, lambda p, s: None, by=office)
    assert len(rows(out.content, "预算执行")) == 1
    give_budget(paid_one, checker, 2024)
    for code in ("jiaozuo", "baotou", "jinzhong"):
        give_budget(seeds[code], checker, 2023)
        give_budget(seeds[code], checker, 2024)
        name_directly(seeds[code], office, name="丙工匠")
    with django_assert_max_num_queries(len(few.captured_queries)):
        out = money_exports.build_budget({}, lambda p, s: None, by=office)
    assert len(rows(out.content, "预算执行")) == 8
