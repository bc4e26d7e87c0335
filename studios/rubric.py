"""The annual assessment rubric as data, and how a studio's year is scored against it (with the arithmetic
it rests on: a session's minutes as hours, the assessors' average). Pure, no database.

A round's rubric (``StudioRubric``, one per round) lists items. Each item has a code, a Chinese and an
English name, its maximum points, and what it measures:

- ``assessor``: scored by the studio's assessors (0 to max); several assessors' points are averaged.
- a measure computed from the logs over the assessment period:

  ``sessions``            verified mentoring sessions
  ``hours``               verified hours (Decimal)
  ``apprentices_taught``  distinct apprentices who attended a verified session (the 学员花名册)
  ``upgrades``            skill upgrades of the studio's apprentices (``min_level``: only those reaching it,
                          e.g. 高级工 and above for "高技能人才")
  ``agreements``          apprentices with a signed 师带徒协议 on file covering part of the period

  with a ``target`` (the threshold), ``per_short`` points off for every ``step`` (default 1) the studio
  falls short of it, never below 0. That is DOMAIN.md §1's form: "≥ 10 apprentices a year, 10 points, −1 per
  apprentice short"; "≥ 3 高技能人才 a year, 10 points, −3 per person short".

Decisions:

- **Points at the threshold**: reaching the target gives full points; each started ``step`` short costs
  ``per_short`` (short by 1 hour with step 8 costs as much as short by 8).
- **A pause moves the targets**: a target is multiplied by the share of the period the studio was not
  paused, rounded half up (counts to a whole number, hours to 0.1 h). The deadline stays: the money
  depends on a date, and a studio that lost three months owes three months' less work, not a later date.
- **Grades**: total ≥ ``excellent_line`` → 优秀, ≥ ``pass_line`` → 合格, else 不合格. With an
  ``excellent_cap`` (义乌: at most 20% of studios 优秀) the number of 优秀 in a round's period is at most
  floor(cap × the round's established studios); a studio over the cap is graded 合格 and told why.
  A re-assessment after rectification can pass (合格) but not be 优秀.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Protocol

from backend.errors import ValidationFailed
from backend.skills import SkillLevel, at_least


class ScoreSheet(Protocol):
    """What the averaging reads of an assessor's sheet (studios.models.AssessorSheet): item code → points."""

    scores: dict


ASSESSOR = "assessor"
COUNT_MEASURES = ("sessions", "apprentices_taught", "upgrades", "agreements")
MEASURES = (*COUNT_MEASURES, "hours")
MEASURE_LABELS = {
    "sessions": ("带徒活动次数", "sessions"),
    "hours": ("带徒学时", "hours"),
    "apprentices_taught": ("带教学徒人数", "apprentices taught"),
    "upgrades": ("学徒技能晋级人次", "skill upgrades"),
    "agreements": ("签订带徒协议人数", "agreements signed"),
}
ITEM_KEYS = {"code", "zh", "en", "max", "measure", "target", "per_short", "step", "min_level"}

EXCELLENT, PASS, FAIL = "excellent", "pass", "fail"
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Item:
    code: str
    zh: str
    en: str
    max: Decimal
    measure: str
    target: Decimal = Decimal(0)
    per_short: Decimal = Decimal(0)
    step: Decimal = Decimal(1)
    min_level: str = ""

    @property
    def computed(self) -> bool:
        return self.measure != ASSESSOR


@dataclass
class ItemResult:
    item: Item
    value: Decimal | None  # what the logs show (None for an assessor item)
    target: Decimal | None  # after a pause
    points: Decimal

    def as_dict(self) -> dict:
        return {
            "code": self.item.code,
            "zh": self.item.zh,
            "en": self.item.en,
            "measure": self.item.measure,
            "max": str(self.item.max),
            "value": None if self.value is None else str(self.value),
            "target": None if self.target is None else str(self.target),
            "points": str(self.points),
        }


@dataclass
class Sheet:
    results: list[ItemResult] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((r.points for r in self.results), Decimal(0)).quantize(TWO_PLACES)


# --- reading and checking the data ---------------------------------------------------------------------------


def _bad(path: str, zh: str, en: str) -> ValidationFailed:
    return ValidationFailed(f"评分细则 {path}：{zh}", f"Rubric {path}: {en}", field=path)


def _number(value, path: str, *, allow_zero: bool = True, places: int = 2) -> Decimal:
    if isinstance(value, bool) or isinstance(value, float):
        # A float in the rubric would carry binary noise into the points; write "12.5".
        raise _bad(
            path,
            f'应写成数字字符串或整数（如 "12.5"），收到 {value!r}',
            f'write a string or whole number such as "12.5", not {value!r}',
        )
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _bad(path, f"“{value}”不是数字", f"'{value}' is not a number") from None
    if not number.is_finite() or number < 0 or (number == 0 and not allow_zero):
        raise _bad(
            path,
            f"应为{'非负' if allow_zero else '正'}数，收到 {value}",
            f"must be {'≥ 0' if allow_zero else '> 0'}, not {value}",
        )
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise _bad(path, f"最多 {places} 位小数，收到 {value}", f"at most {places} decimals, not {value}")
    return number


def parse_items(items) -> list[Item]:
    """The rubric's items, checked; ValidationFailed names the first bad entry (``items[2].target``)."""
    if not isinstance(items, list) or not items:
        raise _bad("items", "至少要有一项评分内容", "needs at least one item")
    out, codes = [], set()
    for i, raw in enumerate(items):
        path = f"items[{i}]"
        if not isinstance(raw, dict):
            raise _bad(path, "每一项应为一个对象", "each item is an object")
        unknown = sorted(set(raw) - ITEM_KEYS)
        if unknown:
            raise _bad(f"{path}.{unknown[0]}", f"未知的键 {unknown}", f"unknown keys {unknown}")
        code = str(raw.get("code") or "").strip()
        if not code or not code.replace("_", "").isalnum() or not code.isascii():
            raise _bad(
                f"{path}.code", "代码应为字母、数字或下划线", "the code is letters, digits or underscores"
            )
        if code in codes:
            raise _bad(f"{path}.code", f"代码“{code}”重复", f"the code '{code}' repeats")
        codes.add(code)
        for key in ("zh", "en"):
            if not str(raw.get(key) or "").strip():
                raise _bad(f"{path}.{key}", "请填写名称", "the name is required")
        measure = raw.get("measure")
        if measure != ASSESSOR and measure not in MEASURES:
            raise _bad(
                f"{path}.measure",
                f"“{measure}”不是可用的计分来源（{ASSESSOR}、{'、'.join(MEASURES)}）",
                f"'{measure}' is not a measure ({ASSESSOR}, {', '.join(MEASURES)})",
            )
        top = _number(raw.get("max"), f"{path}.max", allow_zero=False)
        kwargs = {}
        if measure != ASSESSOR:
            places = 1 if measure == "hours" else 0
            kwargs["target"] = _number(raw.get("target"), f"{path}.target", places=places)
            kwargs["per_short"] = _number(raw.get("per_short", 0), f"{path}.per_short")
            kwargs["step"] = _number(raw.get("step", 1), f"{path}.step", allow_zero=False, places=places)
            level = raw.get("min_level") or ""
            if level and (measure != "upgrades" or level not in SkillLevel.values):
                raise _bad(
                    f"{path}.min_level",
                    "只有 upgrades 项可以设技能等级下限，且须为新八级工中的等级",
                    "only an upgrades item takes min_level, and it must be a level of the ladder",
                )
            kwargs["min_level"] = level
        else:
            extra = sorted({"target", "per_short", "step", "min_level"} & set(raw))
            if extra:
                raise _bad(
                    f"{path}.{extra[0]}",
                    "评审打分项不设目标和扣分",
                    "an assessor item has no target or deductions",
                )
        out.append(
            Item(
                code=code,
                zh=str(raw["zh"]).strip(),
                en=str(raw["en"]).strip(),
                max=top,
                measure=measure,
                **kwargs,
            )
        )
    return out


def check_lines(items: list[Item], *, pass_line, excellent_line, excellent_cap) -> None:
    """Pass line ≤ excellent line ≤ the rubric's total; the cap is a share between 0 and 1."""
    total = sum((i.max for i in items), Decimal(0))
    pass_line, excellent_line = Decimal(pass_line), Decimal(excellent_line)
    if not 0 < pass_line <= total:
        raise _bad(
            "pass_line",
            f"合格线应在 0 与总分 {total} 之间",
            f"the pass line must be between 0 and the total {total}",
        )
    if not pass_line <= excellent_line <= total:
        raise _bad(
            "excellent_line",
            f"优秀线应在合格线 {pass_line} 与总分 {total} 之间",
            f"the excellent line must be between the pass line {pass_line} and the total {total}",
        )
    if excellent_cap is not None and not 0 <= Decimal(excellent_cap) <= 1:
        raise _bad(
            "excellent_cap",
            "优秀比例上限应在 0 与 1 之间（如 0.20）",
            "the cap on 优秀 is a share between 0 and 1 (e.g. 0.20)",
        )


# --- scoring ---------------------------------------------------------------------------------------------


def adjusted_target(item: Item, active_share: Decimal) -> Decimal:
    """The target once a pause is taken off: scaled by the unpaused share, rounded half up."""
    places = Decimal("0.1") if item.measure == "hours" else Decimal(1)
    return (item.target * active_share).quantize(places, rounding=ROUND_HALF_UP)


def item_points(item: Item, value: Decimal, target: Decimal) -> Decimal:
    """Full points at or over the target; ``per_short`` off for every started ``step`` short; never below 0."""
    short = target - value
    if short <= 0:
        return item.max.quantize(TWO_PLACES)
    steps = math.ceil(short / item.step)
    return max(Decimal(0), item.max - item.per_short * steps).quantize(TWO_PLACES)


def score(
    items: list[Item], measures: dict, active_share: Decimal, assessor_points: dict[str, Decimal]
) -> Sheet:
    """Every item scored: computed ones from ``measures`` (by measure, and upgrades by min_level), the rest
    from ``assessor_points`` (already averaged)."""
    sheet = Sheet()
    for item in items:
        if item.computed:
            value = measure_value(item, measures)
            target = adjusted_target(item, active_share)
            sheet.results.append(ItemResult(item, value, target, item_points(item, value, target)))
        else:
            points = assessor_points.get(item.code, Decimal(0))
            sheet.results.append(ItemResult(item, None, None, min(points, item.max).quantize(TWO_PLACES)))
    return sheet


def measure_value(item: Item, measures: dict) -> Decimal:
    if item.measure == "upgrades":
        levels = measures.get("upgrade_levels", [])
        return Decimal(sum(1 for lv in levels if not item.min_level or at_least(lv, item.min_level)))
    return Decimal(measures.get(item.measure, 0))


def grade_for(
    total: Decimal, *, pass_line: Decimal, excellent_line: Decimal, excellent_allowed: bool = True
) -> str:
    if total >= excellent_line and excellent_allowed:
        return EXCELLENT
    if total >= pass_line:
        return PASS
    return FAIL


def excellent_limit(cap: Decimal | None, studios: int) -> int | None:
    """How many studios of a round may be 优秀 in a period (None: no cap). 20% of 4 studios is 0."""
    if cap is None:
        return None
    return math.floor(Decimal(cap) * studios)


def assessor_average(sheets: Iterable[ScoreSheet]) -> dict[str, Decimal]:
    """Each item's points averaged over the assessors' sheets, rounded half up to two decimals."""
    totals: dict[str, list[Decimal]] = {}
    for sheet in sheets:
        for code, value in sheet.scores.items():
            totals.setdefault(code, []).append(Decimal(value))
    return {
        code: (sum(v) / len(v)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        for code, v in totals.items()
    }


def minutes_between(start: dt.time, end: dt.time) -> int:
    """A session's length in whole minutes (negative or zero when it does not end after it starts)."""
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def hours_of(minutes: int) -> Decimal:
    """Minutes as hours with two decimals, rounded half up (1 h 20 min → 1.33)."""
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- 巴陵工匠 2023 ---------------------------------------------------------------------------------------

# The notice (§三) asks for a studio that 带徒授艺 and passes an assessment but publishes no score sheet, so
# this one follows DOMAIN.md §1: 杭州's 带徒传艺 lines (≥ 10 apprentices a year, −1 per apprentice short;
# ≥ 3 高技能人才, −3 per person short; 签订带徒协议), 义乌's grades with 优秀 ≤ 20%, and 东莞's pass line of
# 60 and 3-month rectification. The office changes it in the admin before the first assessment.
BALING_RUBRIC = {
    "pass_line": "60",
    "excellent_line": "85",
    "excellent_cap": "0.20",
    "rectification_months": 3,
    "items": [
        {
            "code": "agreements",
            "zh": "签订带徒协议",
            "en": "Mentoring agreements signed",
            "max": "10",
            "measure": "agreements",
            "target": 5,
            "per_short": "2",
        },
        {
            "code": "roster",
            "zh": "带徒人数（学员花名册）",
            "en": "Apprentices taught (roster)",
            "max": "15",
            "measure": "apprentices_taught",
            "target": 10,
            "per_short": "1",
        },
        {
            "code": "high_skill",
            "zh": "培养高技能人才（晋升高级工及以上）",
            "en": "High-skill upgrades (to 高级工 or above)",
            "max": "10",
            "measure": "upgrades",
            "min_level": "senior",
            "target": 3,
            "per_short": "3",
        },
        {
            "code": "sessions",
            "zh": "带徒活动次数",
            "en": "Mentoring sessions",
            "max": "10",
            "measure": "sessions",
            "target": 24,
            "per_short": "1",
            "step": 2,
        },
        {
            "code": "hours",
            "zh": "带徒学时",
            "en": "Mentoring hours",
            "max": "15",
            "measure": "hours",
            "target": "96",
            "per_short": "1",
            "step": "8",
        },
        {
            "code": "site",
            "zh": "基础保障（场地、设备、制度、经费）",
            "en": "Site, equipment, rules and funds",
            "max": "15",
            "measure": "assessor",
        },
        {
            "code": "innovation",
            "zh": "技术攻关与创新",
            "en": "Technical problem-solving and innovation",
            "max": "15",
            "measure": "assessor",
        },
        {
            "code": "exchange",
            "zh": "技术交流与社会服务",
            "en": "Exchange and social service",
            "max": "10",
            "measure": "assessor",
        },
    ],
}
