"""Working days: the official holiday and 调休 calendar (the chinesecalendar package) plus the admin's overrides.

Who answers for a date ``d`` (the first rule that applies wins):

1. **Override.** A ``CalendarOverride`` row for ``d``. The talent office enters these in the admin ("日历调整" /
   "Calendar overrides"); they win over the package.
2. **Package.** ``d`` lies in a year the package has data for (``PACKAGE_FIRST_YEAR``..``PACKAGE_LAST_YEAR``,
   2004–2026 in 1.11.0), and is not in the last week of December of its last year (rule 4). The package encodes
   each year's State Council (国务院办公厅) notice whole. Its data ends with ``LAST_OFFICIAL_DATE``, the
   2026-10-10 调休 Saturday after National Day (its last *holiday* is 2026-10-07, the date DOMAIN.md gives
   as its coverage). Decision: 2026-10-08..2026-12-24 count as known, answered by the package's
   plain weekday logic, because the 2026 notice, which the package encodes whole (checked: its 2026 entries
   end with National Day 10-01..10-07 and the 调休 working days 09-20 and 10-10), has nothing after that. This
   is the notice's own answer, not a weekend-only guess.
3. **Year entered by the office.** For a year the package has no data for (2027 onwards, or before 2004): the
   year counts as entered as soon as it has at least one override. The office enters the whole notice, and
   every notice has holidays. Then Monday–Friday are working days, Saturday and Sunday are not, and the
   overrides answer the rest. A year with no override is unknown: ``CalendarDataMissing`` says which date and
   how to fix it. We never guess from weekends alone.
4. **The last week of December (from 12-25) belongs to the next year's notice too.** The notice for year Y+1
   can put New Year's Day 调休 into late December of year Y. The package data shows this happened in four
   notices: 2006-12-30/31, 2007-12-29 and 2011-12-31 became working days; 2007-12-31 and 2018-12-31 became
   holidays, and 2018-12-29 a working day. So 12-25..12-31 of a year count as known only when year Y+1 is known
   too, either from the package or entered as in rule 3. An override for the date itself still answers.

Overrides are read from the database on every call: one query for the calendar years the call needs (a
second only if a walk runs past them). Nothing is cached between calls, so an edited override takes effect at
once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from importlib import metadata

import chinese_calendar

from backend.errors import CalendarDataMissing, ValidationFailed
from backend.models import CalendarOverride

try:
    PACKAGE_VERSION = metadata.version("chinesecalendar")
except metadata.PackageNotFoundError:  # pragma: no cover - installed some other way
    PACKAGE_VERSION = "unknown"

SOURCE_OVERRIDE = "override"
SOURCE_PACKAGE = f"chinese_calendar {PACKAGE_VERSION}"
SOURCE_WEEKDAY_RULE = "weekday rule (year entered in overrides)"

# Use the package's data itself (its holidays/workdays tables) for the last date it knows, so an upgrade
# moves this on by itself. The fallback is what chinesecalendar 1.11.0 holds: National Day 2026 ends on
# 10-07 and 10-10 is the last 调休 working day. It is used only if a future release drops those tables.
_FALLBACK_RANGE = (dt.date(2004, 1, 1), dt.date(2026, 10, 10))
try:
    _known = set(chinese_calendar.holidays) | set(chinese_calendar.workdays)
    FIRST_OFFICIAL_DATE, LAST_OFFICIAL_DATE = min(_known), max(_known)
    del _known
except (AttributeError, TypeError, ValueError):  # pragma: no cover - depends on the package's internals
    FIRST_OFFICIAL_DATE, LAST_OFFICIAL_DATE = _FALLBACK_RANGE
PACKAGE_FIRST_YEAR = FIRST_OFFICIAL_DATE.year
PACKAGE_LAST_YEAR = LAST_OFFICIAL_DATE.year

# From this day on, the next year's notice may still move New Year's Day 调休 days into the year (rule 4).
YEAR_END_WINDOW = (12, 25)

_HOLIDAY_ZH = {h.value: h.chinese for h in chinese_calendar.Holiday}


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    is_working_day: bool
    name: str
    source: str


@dataclass(frozen=True)
class Period:
    start: dt.date
    working_days: int
    end: dt.date
    calendar: str


def _check_date(value, field: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise ValidationFailed(
            f"{field} 应为日期（不含时间），收到“{value!r}”。",
            f"{field} must be a date (without a time); got {value!r}.",
            field=field,
        )
    return value


def _check_count(value, field: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValidationFailed(
            f"{field} 应为不小于 {minimum} 的整数，收到“{value!r}”。",
            f"{field} must be a whole number of at least {minimum}; got {value!r}.",
            field=field,
        )
    return value


def _in_year_end_window(d: dt.date) -> bool:
    return (d.month, d.day) >= YEAR_END_WINDOW


class _Calendar:
    """The overrides of some calendar years, loaded in one query, and the answers given from them."""

    def __init__(self, first_year: int, last_year: int):
        self._overrides: dict[dt.date, CalendarOverride] = {}
        self._entered_years: set[int] = set()
        self._last_loaded = first_year - 1
        self.sources: set[str] = set()
        self.weekday_rule_years: set[int] = set()
        self.overrides_used: set[dt.date] = set()
        self._load_through(last_year)

    def _load_through(self, year: int) -> None:
        year = min(year, dt.MAXYEAR)
        if year <= self._last_loaded:
            return
        rows = CalendarOverride.objects.filter(
            date__gte=dt.date(self._last_loaded + 1, 1, 1), date__lte=dt.date(year, 12, 31)
        ).only("date", "is_working_day", "name")
        for row in rows:
            self._overrides[row.date] = row
            self._entered_years.add(row.date.year)
        self._last_loaded = year

    def _year_known(self, year: int) -> bool:
        return PACKAGE_FIRST_YEAR <= year <= PACKAGE_LAST_YEAR or year in self._entered_years

    def info(self, d: dt.date) -> DayInfo:
        # Always hold the following year too: rule 4 asks whether it is known.
        self._load_through(d.year + 1)
        override = self._overrides.get(d)
        if override is not None:
            self.sources.add(SOURCE_OVERRIDE)
            self.overrides_used.add(d)
            return DayInfo(d, override.is_working_day, override.name, SOURCE_OVERRIDE)
        if not self._year_known(d.year):
            raise _missing(d, d.year)
        if _in_year_end_window(d) and not self._year_known(d.year + 1):
            raise _missing(d, d.year + 1)
        if PACKAGE_FIRST_YEAR <= d.year <= PACKAGE_LAST_YEAR:
            is_off, holiday = chinese_calendar.get_holiday_detail(d)
            name = _HOLIDAY_ZH.get(holiday, holiday or "")
            if name and not is_off:
                name += "调休"
            self.sources.add(SOURCE_PACKAGE)
            return DayInfo(d, not is_off, name, SOURCE_PACKAGE)
        self.sources.add(SOURCE_WEEKDAY_RULE)
        self.weekday_rule_years.add(d.year)
        return DayInfo(d, d.weekday() < 5, "", SOURCE_WEEKDAY_RULE)

    def is_working_day(self, d: dt.date) -> bool:
        return self.info(d).is_working_day

    def describe(self) -> str:
        parts = []
        if SOURCE_PACKAGE in self.sources:
            parts.append(SOURCE_PACKAGE)
        if self.weekday_rule_years:
            years = ", ".join(str(y) for y in sorted(self.weekday_rule_years))
            parts.append(f"weekday rule {years} (entered in overrides)")
        if self.overrides_used:
            count = len(self.overrides_used)
            parts.append(f"{count} override{'s' if count != 1 else ''}")
        return " + ".join(parts)


def _missing(d: dt.date, year: int) -> CalendarDataMissing:
    coverage_zh = (
        f"chinesecalendar {PACKAGE_VERSION} 只含 {PACKAGE_FIRST_YEAR}–{PACKAGE_LAST_YEAR} 年的放假安排，"
        f"最后一条数据为 {LAST_OFFICIAL_DATE}"
    )
    coverage_en = (
        f"chinesecalendar {PACKAGE_VERSION} holds the holiday arrangements for {PACKAGE_FIRST_YEAR}–"
        f"{PACKAGE_LAST_YEAR} only; its last entry is {LAST_OFFICIAL_DATE}"
    )
    fix_zh = (
        f"请在管理后台“日历调整”中录入国务院办公厅 {year} 年放假通知的节假日和调休，或升级 chinesecalendar。"
    )
    fix_en = (
        f"Enter the holidays and adjusted working days (调休) from the State Council's {year} holiday notice "
        f"in the admin under “Calendar overrides”, or upgrade chinesecalendar."
    )
    if year == d.year:
        return CalendarDataMissing(
            f"{d} 不在官方节假日数据范围内（{coverage_zh}），“日历调整”中也还没有 {year} 年的记录。{fix_zh}",
            f"{d} is outside the official holiday data ({coverage_en}), and no calendar override has been "
            f"entered for {year}. {fix_en}",
        )
    return CalendarDataMissing(
        f"{d} 在年末最后一周，国务院办公厅 {year} 年放假通知可能把元旦调休安排在这几天，"
        f"而官方节假日数据中还没有 {year} 年（{coverage_zh}），“日历调整”中也还没有 {year} 年的记录。"
        f"{fix_zh}",
        f"{d} is in the last week of the year, which the State Council's {year} notice may change for New "
        f"Year's Day, and there is no data for {year} yet ({coverage_en}; no calendar override entered for "
        f"{year}). {fix_en}",
    )


def _horizon(d: dt.date, working_days: int) -> int:
    """The last calendar year to preload: a generous bound on where ``working_days`` working days from ``d`` end."""
    days = 2 * working_days + 21  # weekends plus the longest holiday run, with room to spare
    return (
        (d + dt.timedelta(days=days)).year + 1 if d <= dt.date.max - dt.timedelta(days=days) else dt.MAXYEAR
    )


def _walk(cal: _Calendar, d: dt.date, n: int) -> dt.date:
    """The n-th working day counting ``d`` itself as the first if it is one (n >= 1)."""
    count = 0
    while True:
        if cal.is_working_day(d):
            count += 1
            if count == n:
                return d
        d += dt.timedelta(days=1)


def day_info(d: dt.date) -> DayInfo:
    """Whether ``d`` is a working day, its holiday name, and which source said so; raises CalendarDataMissing."""
    d = _check_date(d, "date")
    return _Calendar(d.year, d.year + 1).info(d)


def is_working_day(d: dt.date) -> bool:
    """True if ``d`` is a working day per the overrides and the official calendar; raises CalendarDataMissing."""
    return day_info(d).is_working_day


def next_working_day(d: dt.date, *, include_today: bool = True) -> dt.date:
    """The first working day on or after ``d`` (strictly after it with ``include_today=False``)."""
    d = _check_date(d, "date")
    first = d if include_today else d + dt.timedelta(days=1)
    cal = _Calendar(first.year, _horizon(first, 1))
    return _walk(cal, first, 1)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after ``start``; with n=0, ``start`` if it is a working day, else the next one."""
    start = _check_date(start, "start")
    n = _check_count(n, "n", 0)
    cal = _Calendar(start.year, _horizon(start, n))
    if n == 0:
        return _walk(cal, start, 1)
    return _walk(cal, start + dt.timedelta(days=1), n)


def notice_period(start: dt.date, working_days: int) -> Period:
    """A notice of N working days published on ``start``: ``start`` counts if it is a working day (DESIGN.md)."""
    start = _check_date(start, "start")
    working_days = _check_count(working_days, "working_days", 1)
    cal = _Calendar(start.year, _horizon(start, working_days))
    end = _walk(cal, start, working_days)
    return Period(start=start, working_days=working_days, end=end, calendar=cal.describe())


def working_days_between(start: dt.date, end: dt.date) -> int:
    """The number of working days from ``start`` to ``end``, both included; ``end`` must not be before ``start``."""
    start = _check_date(start, "start")
    end = _check_date(end, "end")
    if end < start:
        raise ValidationFailed(
            f"结束日期 {end} 早于开始日期 {start}。",
            f"The end date {end} is before the start date {start}.",
            field="end",
        )
    cal = _Calendar(start.year, end.year + 1)
    count = 0
    d = start
    while d <= end:
        count += cal.is_working_day(d)
        d += dt.timedelta(days=1)
    return count
