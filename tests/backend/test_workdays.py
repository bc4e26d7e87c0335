"""Working days: the official calendar (chinesecalendar), the admin's overrides, and both sides of the data's edge."""

from dataclasses import FrozenInstanceError
from datetime import date, datetime
from importlib import metadata

import pytest

from backend import workdays
from backend.errors import CalendarDataMissing, ValidationFailed
from backend.models import CalendarOverride
from backend.workdays import (
    DayInfo,
    Period,
    add_working_days,
    day_info,
    is_working_day,
    next_working_day,
    notice_period,
    working_days_between,
)

pytestmark = pytest.mark.django_db

PACKAGE = f"chinese_calendar {metadata.version('chinesecalendar')}"
WEEKDAY_RULE = "weekday rule (year entered in overrides)"


def override(day: date, working: bool, name: str = "") -> CalendarOverride:
    return CalendarOverride.objects.create(date=day, is_working_day=working, name=name, source="test")


def missing(func, *args) -> CalendarDataMissing:
    with pytest.raises(CalendarDataMissing) as info:
        func(*args)
    return info.value


def invalid(func, *args, **kwargs) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        func(*args, **kwargs)
    return info.value


# --- 公示 periods (DOMAIN.md §4, DESIGN.md "Working days") -------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        # Mon 05-22 .. Fri 05-26 (盐城 江苏最美工匠 notice).
        (date(2023, 5, 22), date(2023, 5, 26)),
        # Tue 09-14, 15, 16, Fri 09-17, Sat 09-18 (调休 working day for Mid-autumn 2021; 荆楚工匠 notice).
        (date(2021, 9, 14), date(2021, 9, 18)),
        # Wed 09-30 (1); 10-01..10-07 National Day; Thu 10-08 (2), Fri 10-09 (3), Sat 10-10 调休 (4);
        # Sun 10-11 off; Mon 10-12 (5). Same as chinese_calendar.find_workday(4, date(2026, 9, 30)).
        (date(2026, 9, 30), date(2026, 10, 12)),
        # Fri 01-24 (1); Sat 01-25 off; Sun 01-26 调休 (2); Mon 01-27 (3); 01-28 (除夕)..02-04 Spring
        # Festival; Wed 02-05 (4); Thu 02-06 (5).
        (date(2025, 1, 24), date(2025, 2, 6)),
    ],
)
def test_notice_of_five_working_days_counts_a_working_start_day(start, end):
    period = notice_period(start, 5)
    assert period == Period(start=start, working_days=5, end=end, calendar=PACKAGE)


def test_notice_published_on_a_day_off_starts_counting_on_the_next_working_day():
    # Published Sat 2023-05-20: Mon 05-22 .. Fri 05-26.
    assert notice_period(date(2023, 5, 20), 5).end == date(2023, 5, 26)
    # Published on National Day 2026-10-01: Thu 10-08, Fri 10-09, Sat 10-10 (调休), Mon 10-12, Tue 10-13.
    assert notice_period(date(2026, 10, 1), 5) == Period(date(2026, 10, 1), 5, date(2026, 10, 13), PACKAGE)


def test_spring_festival_2025_adjusted_working_days():
    assert is_working_day(date(2025, 1, 26))  # Sunday, 调休
    assert is_working_day(date(2025, 2, 8))  # Saturday, 调休
    assert not is_working_day(date(2025, 1, 28))  # 除夕, a statutory holiday since 2025
    assert not is_working_day(date(2025, 2, 4))
    assert day_info(date(2025, 1, 26)) == DayInfo(date(2025, 1, 26), True, "春节调休", PACKAGE)
    # 7 working days from Fri 01-24: 01-24, 01-26, 01-27, 02-05, 02-06, 02-07, Sat 02-08 (调休).
    assert notice_period(date(2025, 1, 24), 7).end == date(2025, 2, 8)


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    ],
)
def test_2026_adjusted_working_days(day):
    assert day.weekday() >= 5  # all fall on a weekend
    info = day_info(day)
    assert info.is_working_day
    assert info.source == PACKAGE
    assert info.name.endswith("调休")


def test_a_holiday_is_not_a_working_day():
    assert day_info(date(2026, 10, 1)) == DayInfo(date(2026, 10, 1), False, "国庆节", PACKAGE)
    assert not is_working_day(date(2026, 10, 1))


def test_2026_has_248_working_days():
    assert working_days_between(date(2026, 1, 1), date(2026, 12, 24)) + 5 == 248  # + Fri 12-25 .. Thu 12-31
    override(date(2027, 1, 1), False, "元旦")  # the 2027 notice is entered, so late December is known
    assert working_days_between(date(2026, 1, 1), date(2026, 12, 31)) == 248


def test_working_days_between_is_inclusive():
    assert working_days_between(date(2023, 5, 22), date(2023, 5, 26)) == 5
    assert working_days_between(date(2023, 5, 20), date(2023, 5, 20)) == 0
    assert working_days_between(date(2026, 9, 30), date(2026, 10, 12)) == 5
    assert invalid(working_days_between, date(2023, 5, 26), date(2023, 5, 22)).field == "end"


# --- overrides win ----------------------------------------------------------------------------------


def test_an_override_beats_the_package():
    override(date(2023, 5, 24), False, "临时停工")
    # Mon 05-22, Tue 05-23, (05-24 off), Thu 05-25, Fri 05-26, (weekend), Mon 05-29.
    period = notice_period(date(2023, 5, 22), 5)
    assert period == Period(date(2023, 5, 22), 5, date(2023, 5, 29), f"{PACKAGE} + 1 override")
    assert day_info(date(2023, 5, 24)) == DayInfo(date(2023, 5, 24), False, "临时停工", "override")


def test_an_override_can_make_an_official_holiday_a_working_day():
    override(date(2026, 10, 1), True, "更正")
    assert is_working_day(date(2026, 10, 1))
    assert day_info(date(2026, 10, 1)).source == "override"


def test_an_override_edited_between_calls_takes_effect_at_once():
    assert is_working_day(date(2023, 5, 24))
    row = override(date(2023, 5, 24), False)
    assert not is_working_day(date(2023, 5, 24))
    row.is_working_day = True
    row.save()
    assert is_working_day(date(2023, 5, 24))
    row.delete()
    assert day_info(date(2023, 5, 24)).source == PACKAGE


# --- both sides of the package's edge ---------------------------------------------------------------


def test_the_last_official_date_comes_from_the_package_data():
    # 1.11.0 ends with National Day 2026 (10-01..10-07) and the 调休 Saturday 10-10.
    assert workdays.LAST_OFFICIAL_DATE == date(2026, 10, 10)
    assert (workdays.PACKAGE_FIRST_YEAR, workdays.PACKAGE_LAST_YEAR) == (2004, 2026)


def test_last_days_of_the_package_data_are_answered_by_the_package():
    assert day_info(date(2026, 10, 7)) == DayInfo(date(2026, 10, 7), False, "国庆节", PACKAGE)
    assert day_info(date(2026, 10, 8)) == DayInfo(date(2026, 10, 8), True, "", PACKAGE)


def test_rest_of_2026_follows_the_2026_notice_which_has_nothing_after_national_day():
    assert day_info(date(2026, 10, 11)) == DayInfo(date(2026, 10, 11), False, "", PACKAGE)  # Sunday
    assert day_info(date(2026, 11, 23)) == DayInfo(date(2026, 11, 23), True, "", PACKAGE)  # Monday
    assert day_info(date(2026, 12, 24)) == DayInfo(date(2026, 12, 24), True, "", PACKAGE)  # Thursday
    # Thu 12-17, Fri 12-18, Mon 12-21 .. Wed 12-23: ends before the last week of December.
    assert notice_period(date(2026, 12, 17), 5).end == date(2026, 12, 23)


def test_a_2027_date_without_overrides_is_an_error_saying_which_date_and_how_to_fix_it():
    error = missing(day_info, date(2027, 1, 4))
    assert error.status == 409
    assert error.code == "calendar_data_missing"
    assert "2027-01-04" in error.zh
    assert "日历调整" in error.zh
    assert "国务院办公厅 2027 年放假通知" in error.zh
    assert "升级 chinesecalendar" in error.zh
    assert "2027-01-04" in error.en
    assert "Calendar overrides" in error.en
    assert "2027 holiday notice" in error.en
    assert "upgrade chinesecalendar" in error.en
    missing(is_working_day, date(2027, 6, 1))
    missing(add_working_days, date(2027, 3, 1), 0)


def test_the_last_week_of_2026_waits_for_the_2027_notice():
    # The next year's notice may move New Year's Day 调休 into late December (it did for 2007, 2008, 2012, 2019).
    error = missing(day_info, date(2026, 12, 28))
    assert "2026-12-28" in error.zh
    assert "2027 年放假通知" in error.zh
    assert "Calendar overrides" in error.en
    assert "2027" in error.en
    # An override for the day itself answers even before 2027 is entered.
    override(date(2026, 12, 26), True, "元旦调休")
    assert day_info(date(2026, 12, 26)) == DayInfo(date(2026, 12, 26), True, "元旦调休", "override")


def test_a_notice_running_from_2026_into_an_unentered_2027_is_an_error():
    # Mon 12-21 .. Thu 12-24 are known; Fri 12-25 onwards waits for the 2027 notice.
    error = missing(notice_period, date(2026, 12, 21), 10)
    assert "2026-12-25" in error.zh
    assert "2027" in error.en
    error = missing(notice_period, date(2026, 12, 31), 5)
    assert "2026-12-31" in error.en


def test_once_2027_is_entered_weekday_rule_and_overrides_answer():
    override(date(2027, 1, 1), False, "元旦")
    assert day_info(date(2027, 1, 1)) == DayInfo(date(2027, 1, 1), False, "元旦", "override")
    assert day_info(date(2027, 1, 4)) == DayInfo(date(2027, 1, 4), True, "", WEEKDAY_RULE)  # Monday
    assert day_info(date(2027, 1, 9)) == DayInfo(date(2027, 1, 9), False, "", WEEKDAY_RULE)  # Saturday
    assert day_info(date(2026, 12, 28)) == DayInfo(date(2026, 12, 28), True, "", PACKAGE)
    # Tue 12-29 (1), Wed 12-30 (2), Thu 12-31 (3); Fri 01-01 元旦 (override); weekend; Mon 01-04 (4), Tue 01-05 (5).
    period = notice_period(date(2026, 12, 29), 5)
    assert period == Period(
        date(2026, 12, 29),
        5,
        date(2027, 1, 5),
        f"{PACKAGE} + weekday rule 2027 (entered in overrides) + 1 override",
    )
    # The last week of 2027 in turn waits for the 2028 notice.
    assert "2028" in missing(day_info, date(2027, 12, 27)).en
    assert day_info(date(2027, 12, 24)).source == WEEKDAY_RULE
    # 2028 is still unknown.
    missing(day_info, date(2028, 3, 1))


def test_years_before_the_package_need_overrides_too():
    error = missing(day_info, date(2003, 6, 2))
    assert "2003-06-02" in error.zh


# --- add_working_days / next_working_day -------------------------------------------------------------


def test_add_working_days():
    # n counts working days after start: Thu 10-08 is the 1st after Wed 2026-09-30.
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)  # the 调休 Saturday
    assert add_working_days(date(2026, 9, 30), 4) == date(2026, 10, 12)
    # After Fri 2025-01-24: Sun 01-26 (调休), Mon 01-27, Wed 02-05, Thu 02-06, Fri 02-07.
    assert add_working_days(date(2025, 1, 24), 5) == date(2025, 2, 7)


def test_add_zero_working_days():
    assert add_working_days(date(2023, 5, 22), 0) == date(2023, 5, 22)  # a working day: itself
    assert add_working_days(date(2023, 5, 20), 0) == date(2023, 5, 22)  # Saturday: the next working day
    assert add_working_days(date(2026, 10, 1), 0) == date(2026, 10, 8)  # National Day: after the holiday


def test_bad_arguments_are_rejected():
    assert invalid(add_working_days, date(2023, 5, 22), -1).field == "n"
    invalid(add_working_days, date(2023, 5, 22), 1.5)
    invalid(add_working_days, date(2023, 5, 22), True)
    assert invalid(notice_period, date(2023, 5, 22), 0).field == "working_days"
    invalid(notice_period, date(2023, 5, 22), -5)
    assert invalid(notice_period, datetime(2023, 5, 22, 9, 0), 5).field == "start"
    invalid(day_info, "2023-05-22")
    error = invalid(add_working_days, date(2023, 5, 22), -1)
    assert "-1" in error.zh and "-1" in error.en


def test_next_working_day():
    assert next_working_day(date(2026, 10, 1)) == date(2026, 10, 8)
    assert next_working_day(date(2026, 10, 8)) == date(2026, 10, 8)
    assert next_working_day(date(2026, 10, 8), include_today=False) == date(2026, 10, 9)
    assert next_working_day(date(2026, 10, 9), include_today=False) == date(2026, 10, 10)  # 调休 Saturday


# --- Period and queries ------------------------------------------------------------------------------


def test_period_records_start_length_end_and_calendar():
    override(date(2023, 5, 24), False)
    override(date(2023, 5, 27), True)  # a Saturday made a working day
    override(date(2023, 8, 1), False)  # outside the period: not counted as used
    period = notice_period(date(2023, 5, 22), 5)
    assert (period.start, period.working_days, period.end) == (date(2023, 5, 22), 5, date(2023, 5, 27))
    assert period.calendar == f"{PACKAGE} + 2 overrides"
    with pytest.raises(FrozenInstanceError):
        period.end = date(2023, 6, 1)


def test_sixty_working_days_take_at_most_two_queries(django_assert_max_num_queries):
    override(date(2023, 6, 23), False)
    with django_assert_max_num_queries(2):
        period = notice_period(date(2023, 5, 22), 60)
    assert period.calendar == f"{PACKAGE} + 1 override"
    assert working_days_between(date(2023, 5, 22), period.end) == 60


def test_sixty_working_days_into_an_entered_2027_take_at_most_two_queries(django_assert_max_num_queries):
    for day in (date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 8)):
        override(day, False, "节假日")
    with django_assert_max_num_queries(2):
        period = notice_period(date(2026, 11, 23), 60)
    with django_assert_max_num_queries(2):
        assert working_days_between(period.start, period.end) == 60
    with django_assert_max_num_queries(2):
        assert add_working_days(date(2026, 11, 23), 59) == period.end
