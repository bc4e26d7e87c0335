"""A round's rules as data: what differs from city to city is configured here, never coded.

``validate_round_rules(rules)`` checks the structure on save (admin, API and the demo alike) and
raises ValidationFailed naming the path of the first bad entry, e.g. ``rules.quotas[1].max``.
The intake, funding and registry sides read these rules; the kinds listed here are the ones they
implement.

The registry reads two more things (honourees.services.benefits and .naming): each ``benefits`` entry may say which ``tiers``
receive it (default: ``named`` only, so 焦作's 入围奖 finalists are not referred for the May Day medal),
an ``amount`` per occurrence, a ``recurrence`` (an RRULE) and how many ``months`` it lasts; where it says
none of these, a BenefitType of the same code (admin-editable data) supplies them. ``certificate_pattern``
sets how the round's certificates are numbered (default ``{scheme}-{year}-{seq:03d}``).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from dateutil.rrule import rrulestr
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.errors import ValidationFailed
from backend.skills import SkillLevel


class UnitType(models.TextChoices):
    COUNTY_UNION = "county_union", _("县市区总工会")
    INDUSTRY_UNION = "industry_union", _("产业工会")
    DIRECT_UNION = "direct_union", _("直属工会")
    ENTERPRISE_UNION = "enterprise_union", _("大中型企事业单位工会")
    KEY_ENTERPRISE = "key_enterprise", _("重点企业集团")
    CITY_UNIT = "city_unit", _("市直单位")
    COUNTY_HR_BUREAU = "county_hr_bureau", _("县区人社局")
    DISTRICT = "district", _("区县人力社保部门")
    CITY_DEPARTMENT = "city_department", _("市级行业主管部门")
    SOCIETY = "society", _("专业学会、行业协会")


class HonourLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省部级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")
    ENTERPRISE = "enterprise", _("企业级")


HONOUR_RANK = {"enterprise": 0, "county": 1, "city": 2, "provincial": 3, "national": 4}

ELIGIBILITY_KINDS = {
    "born_on_or_after": {"date"},
    "min_years_in_city": {"years"},
    "min_skill_level": {"level", "industries", "alternatives"},
    "no_prior_honour_at_or_above": {"level", "names"},
    "not_already_honoured": {"schemes", "programmes"},
    "not_debarred": set(),
    "any_of": {"routes"},
    "judgement": {"zh", "en"},
}
REQUIRED_PARAMS = {
    "born_on_or_after": {"date"},
    "min_years_in_city": {"years"},
    "min_skill_level": {"level"},
    "no_prior_honour_at_or_above": {"level"},
    "any_of": {"routes"},
    "judgement": {"zh", "en"},
}
STAGE_KINDS = [
    "qualification",
    "expert_review",
    "shortlist",
    "online_vote",
    "defense",
    "field_inspection",
    "committee",
    "notice",
]
TIERS = ["named", "nominated", "finalist"]
TIER_LABELS = {"named": _("命名"), "nominated": _("提名"), "finalist": _("入围")}
CHANNELS = ["unit", "social", "self", "direct"]
CONDITION_KINDS = {"studio_established", "assessment_passed", "manual_confirmation"}


class BenefitKind(models.TextChoices):
    LABOUR_MODEL_TREATMENT = "labour_model_treatment", _("劳动模范待遇")
    REFERRAL = "referral", _("推荐申报")
    RECURRING_ALLOWANCE = "recurring_allowance", _("定期津贴补助")
    ONE_OFF = "one_off", _("一次性待遇")
    SERVICE = "service", _("服务（体检、疗休养等）")


class Funder(models.TextChoices):
    EMPLOYER = "employer", _("用人单位")
    CITY_FINANCE = "city_finance", _("市财政")
    UNION = "union", _("工会")


BENEFIT_KINDS = set(BenefitKind.values)
BENEFIT_KEYS = {"kind", "code", "zh", "en", "funder", "tiers", "amount", "recurrence", "months"}
# A benefit's schedule is a python-dateutil RRULE without DTSTART/UNTIL: the entitlement's start and end
# dates bound it. Monthly and yearly cover every benefit the notices and DOMAIN.md §2 name.
RECURRENCE_PARTS = {"FREQ", "INTERVAL", "COUNT", "BYMONTH", "BYMONTHDAY"}
RECURRENCE_FREQS = {"MONTHLY", "YEARLY"}
# Certificate numbers: {scheme} is the scheme's code in capitals, {year} the round's year, {seq} the
# honouree's number in the round (a format spec such as {seq:03d} pads it). The default is what naming
# has always written (BALING-2023-001).
DEFAULT_CERTIFICATE_PATTERN = "{scheme}-{year}-{seq:03d}"
CERTIFICATE_NO_MAX = 40
CATEGORIES = ["manufacturing", "traditional_craft", "other"]
TOP_KEYS = {
    "quotas",
    "pilot_extra",
    "category_caps",
    "eligibility",
    "stages",
    "shortlist_ratio",
    "shortlist_count",
    "online_vote_keep",
    "tiers",
    "channels",
    "award",
    "benefits",
    "debarment_years",
    "unit_notice_working_days",
    "tier_counts",
    "certificate_pattern",
}


def _fail(path: str, zh: str, en: str):
    raise ValidationFailed(f"{path}：{zh}", f"{path}: {en}", field=path)


def _keys(obj, allowed: set[str], path: str, required: set[str] = frozenset()):
    if not isinstance(obj, dict):
        _fail(path, "应为对象", "must be an object")
    unknown = set(obj) - allowed
    if unknown:
        _fail(path, f"未知的键 {sorted(unknown)}", f"unknown keys {sorted(unknown)}")
    missing = set(required) - set(obj)
    if missing:
        _fail(path, f"缺少 {sorted(missing)}", f"missing {sorted(missing)}")


def _int(value, path: str, minimum: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        _fail(path, f"应为不小于 {minimum} 的整数", f"must be a whole number of at least {minimum}")
    return value


def _decimal(value, path: str, *, places: int = 2, lo: Decimal | None = None, hi: Decimal | None = None):
    if not isinstance(value, str):
        _fail(
            path,
            '金额或比例应写成字符串，如 "10000.00"',
            'write amounts and ratios as strings, e.g. "10000.00"',
        )
    try:
        d = Decimal(value)
    except InvalidOperation:
        _fail(path, f"“{value}”不是数字", f"'{value}' is not a number")
    if not d.is_finite() or -d.as_tuple().exponent > places:
        _fail(path, f"最多 {places} 位小数", f"at most {places} decimal places")
    if (lo is not None and d < lo) or (hi is not None and d > hi):
        _fail(path, f"应在 {lo} 与 {hi} 之间", f"must be between {lo} and {hi}")
    return d


def _date(value, path: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        _fail(path, "日期应为 YYYY-MM-DD", "dates are written YYYY-MM-DD")


def _choice(value, choices, path: str):
    if value not in choices:
        _fail(path, f"“{value}”不在 {list(choices)} 中", f"'{value}' is not one of {list(choices)}")
    return value


def _eligibility(checks, path: str):
    if not isinstance(checks, list):
        _fail(path, "应为列表", "must be a list")
    for i, check in enumerate(checks):
        p = f"{path}[{i}]"
        _keys(check, {"kind", "params", "zh", "en"}, p, {"kind"})
        kind = _choice(check["kind"], ELIGIBILITY_KINDS, f"{p}.kind")
        params = check.get("params", {})
        _keys(params, ELIGIBILITY_KINDS[kind], f"{p}.params", REQUIRED_PARAMS.get(kind, set()))
        if kind == "born_on_or_after":
            _date(params["date"], f"{p}.params.date")
        elif kind == "min_years_in_city":
            _int(params["years"], f"{p}.params.years", 1)
        elif kind == "min_skill_level":
            _choice(params["level"], SkillLevel.values, f"{p}.params.level")
            for j, ind in enumerate(params.get("industries", [])):
                _choice(ind, CATEGORIES, f"{p}.params.industries[{j}]")
        elif kind == "no_prior_honour_at_or_above":
            _choice(params["level"], HonourLevel.values, f"{p}.params.level")
        elif kind == "any_of":
            routes = params["routes"]
            if not isinstance(routes, list) or not routes:
                _fail(f"{p}.params.routes", "至少一条途径", "needs at least one route")
            for j, route in enumerate(routes):
                _keys(route, {"code", "zh", "en"}, f"{p}.params.routes[{j}]", {"code", "zh", "en"})


def _award(award, path: str, tiers: list[str]):
    _keys(award, {"source", "tax", "by_tier"}, path, {"by_tier"})
    if "tax" in award:
        tax = award["tax"]
        _keys(tax, {"withhold", "rate", "category", "agent"}, f"{path}.tax", {"withhold"})
        if not isinstance(tax["withhold"], bool):
            _fail(f"{path}.tax.withhold", "应为 true 或 false", "must be true or false")
        if tax["withhold"]:
            _decimal(tax.get("rate"), f"{path}.tax.rate", places=4, lo=Decimal(0), hi=Decimal(1))
    for tier, package in award["by_tier"].items():
        p = f"{path}.by_tier.{tier}"
        _choice(tier, tiers, p)
        _keys(package, {"instalments"}, p, {"instalments"})
        for i, inst in enumerate(package["instalments"]):
            q = f"{p}.instalments[{i}]"
            _keys(inst, {"amount", "months_after_naming", "conditions", "label"}, q, {"amount"})
            _decimal(inst["amount"], f"{q}.amount", lo=Decimal("0.01"), hi=Decimal("999999999999.99"))
            _int(inst.get("months_after_naming", 0), f"{q}.months_after_naming")
            for j, cond in enumerate(inst.get("conditions", [])):
                _keys(cond, {"kind", "params"}, f"{q}.conditions[{j}]", {"kind"})
                _choice(cond["kind"], CONDITION_KINDS, f"{q}.conditions[{j}].kind")


def validate_round_rules(rules) -> dict:
    """Return ``rules`` unchanged when well formed; otherwise raise ValidationFailed naming the path."""
    _keys(rules, TOP_KEYS, "rules", {"quotas", "stages", "tiers", "channels"})
    for i, quota in enumerate(rules["quotas"]):
        p = f"rules.quotas[{i}]"
        _keys(quota, {"unit_type", "max", "min"}, p, {"unit_type", "max"})
        _choice(quota["unit_type"], UnitType.values, f"{p}.unit_type")
        top = _int(quota["max"], f"{p}.max", 1)
        if _int(quota.get("min", 0), f"{p}.min") > top:
            _fail(f"{p}.min", "不能大于 max", "cannot exceed max")
    if "pilot_extra" in rules:
        _int(rules["pilot_extra"], "rules.pilot_extra", 1)
    for i, cap in enumerate(rules.get("category_caps", [])):
        p = f"rules.category_caps[{i}]"
        _keys(cap, {"categories", "max_share"}, p, {"categories", "max_share"})
        for j, cat in enumerate(cap["categories"]):
            _choice(cat, CATEGORIES, f"{p}.categories[{j}]")
        _decimal(cap["max_share"], f"{p}.max_share", places=4, lo=Decimal(0), hi=Decimal(1))
    _eligibility(rules.get("eligibility", []), "rules.eligibility")
    seen = []
    for i, stage in enumerate(rules["stages"]):
        p = f"rules.stages[{i}]"
        _keys(stage, {"kind", "starts", "ends", "days"}, p, {"kind"})
        kind = _choice(stage["kind"], STAGE_KINDS, f"{p}.kind")
        if kind in seen:
            _fail(f"{p}.kind", f"“{kind}”重复", f"'{kind}' appears twice")
        seen.append(kind)
        starts = _date(stage["starts"], f"{p}.starts") if "starts" in stage else None
        ends = _date(stage["ends"], f"{p}.ends") if "ends" in stage else None
        if starts and ends and ends < starts:
            _fail(f"{p}.ends", "结束早于开始", "ends before it starts")
    if "notice" in seen and seen[-1] != "notice":
        _fail("rules.stages", "公示（notice）必须是最后一个环节", "the public notice must be the last stage")
    for key in ("shortlist_count", "online_vote_keep"):
        if key in rules:
            _int(rules[key], f"rules.{key}", 1)
    if "shortlist_ratio" in rules:
        _decimal(rules["shortlist_ratio"], "rules.shortlist_ratio", lo=Decimal(1), hi=Decimal(10))
    tiers = rules["tiers"]
    if not tiers or "named" not in tiers:
        _fail("rules.tiers", "必须包含 named", "must include 'named'")
    for j, tier in enumerate(tiers):
        _choice(tier, TIERS, f"rules.tiers[{j}]")
    for j, channel in enumerate(rules["channels"]):
        _choice(channel, CHANNELS, f"rules.channels[{j}]")
    if "award" in rules:
        _award(rules["award"], "rules.award", tiers)
    codes = set()
    for i, benefit in enumerate(rules.get("benefits", [])):
        p = f"rules.benefits[{i}]"
        _keys(benefit, BENEFIT_KEYS, p, {"kind", "code", "zh", "en"})
        _choice(benefit["kind"], BENEFIT_KINDS, f"{p}.kind")
        if not isinstance(benefit["code"], str) or not _CODE.fullmatch(benefit["code"]):
            _fail(
                f"{p}.code", "代码只能用小写字母、数字和下划线", "a code is lower-case letters, digits and _"
            )
        if benefit["code"] in codes:
            _fail(f"{p}.code", f"“{benefit['code']}”重复", f"'{benefit['code']}' appears twice")
        codes.add(benefit["code"])
        if "funder" in benefit:
            _choice(benefit["funder"], Funder.values, f"{p}.funder")
        for j, tier in enumerate(benefit.get("tiers", [])):
            _choice(tier, tiers, f"{p}.tiers[{j}]")
        if "amount" in benefit:
            _decimal(benefit["amount"], f"{p}.amount", lo=Decimal("0.01"), hi=Decimal("999999999999.99"))
        if "recurrence" in benefit:
            validate_recurrence(benefit["recurrence"], f"{p}.recurrence")
        if "months" in benefit:
            _int(benefit["months"], f"{p}.months", 1)
    for tier, count in rules.get("tier_counts", {}).items():
        _choice(tier, tiers, f"rules.tier_counts.{tier}")
        _int(count, f"rules.tier_counts.{tier}", 1)
    if "debarment_years" in rules:
        _int(rules["debarment_years"], "rules.debarment_years", 1)
    if "unit_notice_working_days" in rules:
        _int(rules["unit_notice_working_days"], "rules.unit_notice_working_days", 1)
    if "certificate_pattern" in rules:
        _certificate_pattern(rules["certificate_pattern"], "rules.certificate_pattern")
    return rules


_CODE = re.compile(r"[a-z0-9_]{1,60}")


def validate_recurrence(value, path: str) -> str:
    """An RRULE such as ``FREQ=MONTHLY;BYMONTHDAY=1`` or ``FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=20``, else fail.

    The entitlement's start is the rule's DTSTART and its end date stops it, so neither DTSTART nor UNTIL
    may be written here. Only monthly and yearly schedules (the periods benefits have).
    """
    if not isinstance(value, str) or not value.strip():
        _fail(
            path,
            "应为 RRULE 文本，如 FREQ=MONTHLY;BYMONTHDAY=1",
            "must be an RRULE such as FREQ=MONTHLY;BYMONTHDAY=1",
        )
    text = value.strip().upper().removeprefix("RRULE:")
    parts = {}
    for part in text.split(";"):
        key, _, val = part.partition("=")
        if key not in RECURRENCE_PARTS or not val:
            _fail(
                path,
                f"“{part}”不可用（可用：{sorted(RECURRENCE_PARTS)}，起止日期由待遇本身决定）",
                f"'{part}' is not allowed (use {sorted(RECURRENCE_PARTS)}; start and end come from the benefit)",
            )
        parts[key] = val
    if parts.get("FREQ") not in RECURRENCE_FREQS:
        _fail(path, "FREQ 应为 MONTHLY 或 YEARLY", "FREQ must be MONTHLY or YEARLY")
    ranges = {"INTERVAL": (1, 100), "COUNT": (1, 1200), "BYMONTH": (1, 12), "BYMONTHDAY": (-31, 31)}
    for key, (lo, hi) in ranges.items():
        for number in parts.get(key, "1").split(","):
            ok = number.lstrip("-").isdigit() and lo <= int(number) <= hi and int(number) != 0
            if not ok or (key != "BYMONTHDAY" and number.startswith("-")):
                _fail(path, f"{key}={parts[key]} 超出范围", f"{key}={parts[key]} is out of range")
    try:
        first = rrulestr(text, dtstart=dt.datetime(2000, 1, 1)).after(dt.datetime(2000, 1, 1), inc=True)
    except (ValueError, TypeError):
        _fail(path, f"“{value}”不是有效的 RRULE", f"'{value}' is not a valid RRULE")
    if first is None:  # e.g. BYMONTH=2;BYMONTHDAY=30
        _fail(path, f"“{value}”永远不会到期", f"'{value}' never falls due")
    return text


def format_certificate_no(pattern: str, *, scheme_code: str, year: int, seq: int) -> str:
    """The certificate number the pattern gives for the honouree numbered ``seq`` in the round."""
    return pattern.format(scheme=scheme_code.upper(), year=year, seq=seq)


def _certificate_pattern(pattern, path: str) -> None:
    if not isinstance(pattern, str) or "{seq" not in pattern:
        _fail(
            path,
            "应为含 {seq} 的文本，如 {scheme}-{year}-{seq:03d}",
            "must contain {seq}, e.g. {scheme}-{year}-{seq:03d}",
        )
    try:
        sample = format_certificate_no(pattern, scheme_code="x" * 20, year=2023, seq=999)
    except (KeyError, IndexError, ValueError, AttributeError):
        _fail(
            path,
            "只能使用 {scheme}、{year} 和 {seq}（可加格式，如 {seq:03d}）",
            "only {scheme}, {year} and {seq} may be used (with a format such as {seq:03d})",
        )
    if len(sample) > CERTIFICATE_NO_MAX:
        _fail(
            path,
            f"生成的证书编号超过 {CERTIFICATE_NO_MAX} 个字符",
            f"makes numbers longer than {CERTIFICATE_NO_MAX} characters",
        )
