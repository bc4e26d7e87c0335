"""Eligibility checks of a round, run on a nomination: each answers pass, fail or needs judgement.

The checks are the round's ``rules["eligibility"]`` entries (see honourees.rules for their kinds and
parameters). ``evaluate`` reads only the nomination, its person and the registry tables (honourees, prior
honours, debarments); it writes nothing. A failed check blocks submission with its reason; a check that
needs judgement goes to the qualification reviewers, who record a decision per check.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils import timezone

from backend.skills import SkillLevel, at_least
from honourees.models import Debarment, Honouree, Nomination, PriorHonour
from honourees.rules import HONOUR_RANK, HonourLevel

PASS, FAIL, JUDGE = "pass", "fail", "judge"


@dataclass(frozen=True)
class Result:
    index: int
    kind: str
    outcome: str  # pass | fail | judge
    zh: str
    en: str

    def as_dict(self) -> dict:
        return asdict(self)


def _level_zh(level: str) -> str:
    return str(dict(SkillLevel.choices)[level])


def _honour_zh(level: str) -> str:
    return str(dict(HonourLevel.choices)[level])


def reference_date(nomination: Nomination) -> dt.date:
    """The date ages and years are counted to: the notice's date, else the day of the check."""
    return nomination.round.published_on or timezone.localdate()


def _born_on_or_after(n: Nomination, p: dict):
    limit = dt.date.fromisoformat(p["date"])
    born = n.person.birth_date
    if born >= limit:
        return PASS, f"出生日期 {born} 符合（{limit} 及以后出生）", f"Born {born}, on or after {limit}"
    return (
        FAIL,
        f"出生日期 {born} 早于 {limit}，超过年龄要求",
        f"Born {born}, before {limit}: over the age limit",
    )


def _min_years_in_city(n: Nomination, p: dict):
    years = p["years"]
    if not n.in_city_since:
        return (
            FAIL,
            f"请填写在本市全职工作的起始日期（要求满 {years} 年）",
            (f"Enter the date full-time work in the city began ({years} years needed)"),
        )
    on = reference_date(n)
    have = relativedelta(on, n.in_city_since).years
    if have >= years:
        return (
            PASS,
            f"在本市全职工作 {have} 年，满 {years} 年",
            f"{have} years full-time in the city (≥ {years})",
        )
    return (
        FAIL,
        f"在本市全职工作仅 {have} 年，不满 {years} 年",
        f"Only {have} years full-time in the city (< {years})",
    )


def _min_skill_level(n: Nomination, p: dict):
    level, industries = p["level"], p.get("industries") or []
    if industries and n.category not in industries:
        return PASS, "本行业类别不要求技能等级", "No skill level is required for this category"
    if at_least(n.skill_level, level):
        return PASS, f"技能等级达到{_level_zh(level)}", f"Skill level is {level} or higher"
    claimed = [r for r in n.claimed_routes if r in (p.get("alternatives") or [])]
    if claimed:
        return (
            JUDGE,
            f"技能等级未达{_level_zh(level)}，申报以其他条件替代（{'、'.join(claimed)}），需审核证明",
            (f"Below {level}; claims the alternative route(s) {', '.join(claimed)}: check the evidence"),
        )
    have = _level_zh(n.skill_level) if n.skill_level else "未填写"
    return (
        FAIL,
        f"技能等级（{have}）未达到{_level_zh(level)}",
        (f"Skill level ({n.skill_level or 'none'}) is below {level}"),
    )


def _no_prior_honour_at_or_above(n: Nomination, p: dict):
    floor = HONOUR_RANK[p["level"]]
    names = set(p.get("names") or [])
    for award in n.awards:
        if award.get("kind") == "competition":
            continue  # a competition placing is not an honour (巴陵 §二 welcomes provincial top-6 placings)
        lvl = award.get("level")
        if (lvl in HONOUR_RANK and HONOUR_RANK[lvl] >= floor) or award.get("name") in names:
            return (
                FAIL,
                f"已获{award.get('name')}（{_honour_zh(lvl) if lvl in HONOUR_RANK else lvl}），"
                f"不属于{_honour_zh(p['level'])}以下荣誉",
                (f"Already holds {award.get('name')} ({lvl}), at or above {p['level']}"),
            )
    prior = [
        h
        for h in n.person.prior_honours.all()
        if not h.revoked
        and (HONOUR_RANK[h.level] >= floor or h.name in names)  # a revoked honour no longer bars
    ]
    if prior:
        h = prior[0]
        return FAIL, f"已获{h.name}（{_honour_zh(h.level)}）", f"Already holds {h.name} ({h.level})"
    return PASS, f"未获{_honour_zh(p['level'])}及以上荣誉", f"No honour at {p['level']} level or above"


def _not_already_honoured(n: Nomination, p: dict):
    schemes, programmes = p.get("schemes") or [], p.get("programmes") or []
    earlier = (
        Honouree.objects.filter(person=n.person, round__scheme__code__in=schemes, status__in=Honouree.HOLDING)
        .exclude(nomination=n)
        .select_related("round__scheme")
        .first()
    )
    if earlier:
        return FAIL, f"已被命名为{earlier.round}", f"Already named {earlier.round}"
    held = (
        PriorHonour.objects.filter(person=n.person, programme__in=programmes, revoked=False).first()
        if programmes
        else None
    )
    if held:
        return FAIL, f"已入选{held.name}", f"Already in {held.name} ({held.programme})"
    return PASS, "未曾入选本项或所列人才项目", "Not already honoured by this or a listed programme"


def active_debarment(person, scheme, on: dt.date | None = None) -> Debarment | None:
    """The ban that keeps ``person`` out of ``scheme``'s rounds on ``on`` (today), if any; the longest first."""
    on = on or timezone.localdate()
    return (
        Debarment.objects.filter(
            Q(scheme__isnull=True) | Q(scheme=scheme), person=person, starts_on__lte=on, ends_on__gte=on
        )
        .order_by("-ends_on")
        .first()
    )


def debarment_message(bar: Debarment) -> tuple[str, str]:
    return (
        f"{bar.ends_on} 前不得申报：{bar.reason}",
        f"Barred from nomination until {bar.ends_on}: {bar.reason}",
    )


def _not_debarred(n: Nomination, p: dict):
    bar = active_debarment(n.person, n.round.scheme)
    if bar:
        return (FAIL, *debarment_message(bar))
    return PASS, "无禁止申报记录", "Not barred"


def _any_of(n: Nomination, p: dict):
    routes = {r["code"]: r for r in p["routes"]}
    claimed = [routes[c] for c in n.claimed_routes if c in routes]
    if not claimed:
        return (
            FAIL,
            "须至少符合以下条件之一：" + "；".join(r["zh"] for r in p["routes"]),
            ("Must meet at least one of: " + "; ".join(r["en"] for r in p["routes"])),
        )
    return (
        JUDGE,
        "申报符合：" + "；".join(r["zh"] for r in claimed) + "（需审核证明）",
        ("Claims: " + "; ".join(r["en"] for r in claimed) + " (check the evidence)"),
    )


def _judgement(n: Nomination, p: dict):
    return JUDGE, p["zh"], p["en"]


CHECKS = {
    "born_on_or_after": _born_on_or_after,
    "min_years_in_city": _min_years_in_city,
    "min_skill_level": _min_skill_level,
    "no_prior_honour_at_or_above": _no_prior_honour_at_or_above,
    "not_already_honoured": _not_already_honoured,
    "not_debarred": _not_debarred,
    "any_of": _any_of,
    "judgement": _judgement,
}


def evaluate(nomination: Nomination) -> list[Result]:
    """Every check of the nomination's round, in the round's order."""
    out = []
    for i, check in enumerate(nomination.round.rules.get("eligibility", [])):
        outcome, zh, en = CHECKS[check["kind"]](nomination, check.get("params", {}))
        out.append(Result(i, check["kind"], outcome, zh, en))
    return out
