"""For each of the five seed rounds: the award plan made at naming, its due dates and tax, and the path to paid."""

import datetime as dt
from decimal import Decimal

import pytest

from backend.models import CalendarOverride
from funding.models import AwardPlan, Instalment, LedgerEntry, Payment
from funding.services import plans
from tests.studios.steps import name_one_through_the_intake

from .conftest import name_directly
from .steps import pay, status_of

pytestmark = pytest.mark.django_db
S = Instalment.Status


def amounts(plan: AwardPlan) -> list[tuple[Decimal, str]]:
    return list(plan.instalments.order_by("seq").values_list("amount", "status"))


def test_baling_names_20000_in_two_instalments_and_the_second_waits(seeds, office):
    h = name_directly(seeds["baling"], office, named_on=dt.date(2023, 10, 30))
    plan = h.award_plan
    assert (plan.total, plan.source.code, plan.source.name) == (
        Decimal("20000.00"),
        "city_talent_fund",
        "市人才发展专项资金",
    )
    assert amounts(plan) == [(Decimal("10000.00"), S.DUE), (Decimal("10000.00"), S.BLOCKED)]
    second = plan.instalments.get(seq=2)
    assert (second.months_after_naming, second.budget_year) == (12, 2024)
    assert second.conditions[0]["kind"] == "studio_established"


def test_jiaozuo_pays_10000_once_from_union_funds_and_goes_all_the_way_to_paid(seeds, office, maker, checker):
    jiaozuo = seeds["jiaozuo"]
    h = name_directly(jiaozuo, office, named_on=dt.date(2018, 12, 28))
    plan = h.award_plan
    assert (plan.total, plan.source.code, plan.source.name) == (
        Decimal("10000.00"),
        "union_funds",
        "工会经费",
    )
    (inst,) = plan.instalments.all()
    assert (inst.status, inst.earliest_on, inst.budget_year) == (S.DUE, dt.date(2018, 12, 28), 2018)

    batch = pay([inst], maker, checker)
    assert batch.status == "closed" and status_of(inst) == S.PAID
    plan.refresh_from_db()
    assert plan.status == AwardPlan.Status.COMPLETED
    assert Payment.objects.get(instalment=inst).withholding_agent == jiaozuo.scheme.organiser


def test_a_jiaozuo_finalist_gets_nothing_until_the_office_adds_the_finalist_award_to_the_rules(seeds, office):
    jiaozuo = seeds["jiaozuo"]
    first = name_directly(jiaozuo, office, name="入围甲", tier="finalist")
    assert not AwardPlan.objects.filter(honouree=first).exists()

    # §六's 入围奖 names no amount: the office puts one into the round's package.
    jiaozuo.rules["award"]["by_tier"]["finalist"] = {
        "instalments": [{"amount": "2000.00", "label": "入围奖"}]
    }
    jiaozuo.save()
    second = name_directly(jiaozuo, office, name="入围乙", tier="finalist")
    assert amounts(second.award_plan) == [(Decimal("2000.00"), S.DUE)]
    assert second.award_plan.instalments.get().label == "入围奖"


def test_baotou_pays_10000_from_the_city_government(seeds, office, maker, checker):
    h = name_directly(seeds["baotou"], office, named_on=dt.date(2023, 4, 28))
    plan = h.award_plan
    assert (plan.total, plan.source.code) == (Decimal("10000.00"), "city_government")
    batch = pay(list(plan.instalments.all()), maker, checker)
    line = batch.lines.get()
    assert (line.gross, line.tax, line.net, line.status) == (
        Decimal("10000.00"),
        Decimal("2000.00"),
        Decimal("8000.00"),
        "paid",
    )


def test_jinzhong_pays_20000_once_from_city_finance(seeds, office, maker, checker):
    h = name_directly(seeds["jinzhong"], office, named_on=dt.date(2019, 11, 15))
    plan = h.award_plan
    assert (plan.total, plan.source.code) == (Decimal("20000.00"), "city_finance")
    assert amounts(plan) == [(Decimal("20000.00"), S.DUE)]
    pay(list(plan.instalments.all()), maker, checker)
    p = Payment.objects.get()
    assert (p.gross, p.tax, p.net, p.tax_rate) == (
        Decimal("20000.00"),
        Decimal("4000.00"),
        Decimal("16000.00"),
        Decimal("0.2000"),
    )


def test_bayu_names_no_money_so_there_is_no_plan(seeds, office):
    bayu = seeds["bayu"]
    named = name_directly(bayu, office, name="甲")
    nominated = name_directly(bayu, office, name="乙", tier="nominated")
    assert not AwardPlan.objects.filter(honouree__in=[named, nominated]).exists()
    assert not LedgerEntry.objects.exists()


def test_a_round_without_tax_withholding_pays_gross_as_net(seeds, office, maker, checker):
    baotou = seeds["baotou"]
    baotou.rules["award"]["tax"] = {"withhold": False}
    baotou.save()
    h = name_directly(baotou, office)
    plan = h.award_plan
    assert (plan.tax_withheld, plan.tax_rate, plan.withholding_agent) == (False, Decimal("0"), "")
    batch = pay(list(plan.instalments.all()), maker, checker)
    line = batch.lines.get()
    assert (line.gross, line.tax, line.net) == (Decimal("10000.00"), Decimal("0.00"), Decimal("10000.00"))
    p = Payment.objects.get()
    assert (p.tax, p.net, p.withholding_agent) == (Decimal("0.00"), Decimal("10000.00"), "")
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.TAX_WITHHELD).exists()


# --- Due dates: relativedelta months, then the next working day by the official calendar ----------------


def dates(h) -> list[tuple[dt.date, str]]:
    return list(h.award_plan.instalments.order_by("seq").values_list("earliest_on", "calendar_note"))


def test_a_due_date_on_national_day_moves_to_the_first_working_day_after_it(seeds, office):
    # Named on 2023-10-01 (国庆): the first instalment waits for 2023-10-07, a Saturday worked by 调休;
    # the second, 2024-10-01, moves past the 2024 holiday to 2024-10-08.
    h = name_directly(seeds["baling"], office, named_on=dt.date(2023, 10, 1))
    (first, first_note), (second, second_note) = dates(h)
    assert (first, second) == (dt.date(2023, 10, 7), dt.date(2024, 10, 8))
    assert first_note == "moved from 2023-10-01 to the next working day"
    assert second_note == "moved from 2024-10-01 to the next working day"


def test_a_due_date_on_a_saturday_moves_to_the_next_working_day_which_may_be_a_sunday(seeds, office):
    weekend = name_directly(seeds["baling"], office, name="甲", named_on=dt.date(2023, 11, 2))
    assert dates(weekend)[1][0] == dt.date(2024, 11, 4)  # Saturday 2024-11-02 → Monday
    swapped = name_directly(seeds["baling"], office, name="乙", named_on=dt.date(2023, 9, 28))
    assert dates(swapped)[1][0] == dt.date(
        2024, 9, 29
    )  # Saturday 2024-09-28 → Sunday 09-29, a 调休 working day


def test_a_working_day_stays_and_the_note_names_the_calendar(seeds, office):
    h = name_directly(seeds["baling"], office, named_on=dt.date(2023, 9, 30))
    day, note = dates(h)[1]
    assert day == dt.date(2024, 9, 30) and note.startswith("chinese_calendar ")


def test_a_due_date_past_the_calendars_data_is_provisional_until_the_office_enters_that_year(seeds, office):
    h = name_directly(seeds["baling"], office, named_on=dt.date(2026, 1, 5))
    second = h.award_plan.instalments.get(seq=2)
    assert (second.earliest_on, second.budget_year) == (dt.date(2027, 1, 5), 2027)
    assert second.calendar_note == "provisional: no working-day calendar for 2027 yet"
    plans.tick()
    assert Instalment.objects.get(pk=second.pk).calendar_note.startswith("provisional"), "still unknown"

    # The office enters the 2027 notice (here: a made-up day off on Tuesday 2027-01-05).
    CalendarOverride.objects.create(date=dt.date(2027, 1, 1), is_working_day=False, name="元旦")
    CalendarOverride.objects.create(date=dt.date(2027, 1, 5), is_working_day=False, name="调休")
    plans.tick()
    second.refresh_from_db()
    assert (second.earliest_on, second.calendar_note) == (
        dt.date(2027, 1, 6),
        "moved from 2027-01-05 to the next working day",
    )
    assert second.status == S.BLOCKED and second.budget_year == 2027
    assert "due date fixed by the calendar" in [r.history_change_reason for r in second.history.all()]


# --- Through the intake ---------------------------------------------------------------------------------


def test_a_baling_honouree_named_through_the_intake_gets_the_plan_and_is_paid_the_first_year(
    seeds, office, make_user, maker, checker
):
    h = name_one_through_the_intake(seeds["baling"], office, make_user)
    first, second = h.award_plan.instalments.order_by("seq")
    assert (first.status, first.earliest_on) == (S.DUE, dt.date(2023, 10, 30))
    assert (second.status, second.earliest_on) == (S.BLOCKED, dt.date(2024, 10, 30))
    batch = pay([first], maker, checker)
    assert batch.lines.get().payee_name == h.person.name
    assert status_of(first) == S.PAID and status_of(second) == S.BLOCKED
