"""The 申报表's fields: what may be entered, in which form, checked in one place for pages, API and imports.

``clean_person`` and ``clean_nomination_fields`` append one ValidationFailed per bad field to ``errors``
(so a form or an import row reports every problem at once) and return the cleaned values.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from backend.errors import DomainError, ValidationFailed
from backend.idnumbers import check_id_agrees
from backend.input import whole_number
from backend.skills import SkillLevel
from honourees.models import Nomination
from honourees.rules import HonourLevel

AWARD_KINDS = {
    "": "honour",
    "honour": "honour",
    "荣誉": "honour",
    "competition": "competition",
    "竞赛": "competition",
}
BRIEF_DEEDS_MAX = 500  # 附件1 填表说明: 简要事迹不超过500字
LONG_TEXT_MAX = 20000
EARLIEST = dt.date(1900, 1, 1)

TEXT_FIELDS = [
    "ethnicity",
    "political_status",
    "native_place",
    "education_fulltime",
    "school_fulltime",
    "education_inservice",
    "school_inservice",
    "trade",
    "industry",
    "phone",
    "employer",
    "position",
    "expertise",
]
REQUIRED = {"trade": ("从业工种", "trade"), "employer": ("工作单位", "employer")}
LONG_TEXT_FIELDS = [
    "innovation_work",
    "process_improvement",
    "mentoring_work",
    "brief_deeds",
    "full_deeds",
    "employer_opinion",
    "recommender_opinion",
    "peer_org_opinion",
]
DATE_FIELDS = ["work_started_on", "in_city_since", "declaration_signed_on", "unit_notice_starts_on"]
COUNT_FIELDS = {"years_in_trade": 80, "invention_patent_count": 999, "innovation_count": 999}
LIST_FIELDS = {
    "resume": ("from", "to", "what"),
    # kind: 荣誉 (an honour) or 竞赛 (a competition placing). 巴陵 §二 bars provincial honours but welcomes
    # provincial competition placings, so the prior-honour check reads honours only.
    "awards": ("date", "name", "grantor", "level", "rank", "kind"),
    "patents": ("term", "name", "authority", "owner"),
    "department_opinions": ("department", "opinion"),
}
CHOICE_FIELDS = {"skill_level": SkillLevel, "category": Nomination.Category}
FIELDS = (
    set(TEXT_FIELDS)
    | set(LONG_TEXT_FIELDS)
    | set(DATE_FIELDS)
    | set(COUNT_FIELDS)
    | set(LIST_FIELDS)
    | set(CHOICE_FIELDS)
    | {"email", "claimed_routes"}
)


def label(name: str) -> str:
    """The field's Chinese/English name for messages: 工作单位 (employer)."""
    try:
        return str(Nomination._meta.get_field(name).verbose_name)
    except Exception:
        return name


def _err(errors, field, zh, en, row):
    errors.append(ValidationFailed(zh, en, field=field, row=row))


def parse_date(
    value, field: str, errors: list, row: int | None, *, today: dt.date | None = None
) -> dt.date | None:
    """A date from a date, a datetime or YYYY-MM-DD (also YYYY/MM/DD, YYYY.MM.DD, YYYY年M月D日)."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        text = str(value).strip().replace("/", "-").replace(".", "-")
        text = text.replace("年", "-").replace("月", "-").replace("日", "")
        try:
            y, m, d = (int(part) for part in text.split("-"))
            value = dt.date(y, m, d)
        except (TypeError, ValueError):
            _err(
                errors,
                field,
                f"“{value}”不是有效日期（应为 2010-01-01）",
                f"'{value}' is not a date (write 2010-01-01)",
                row,
            )
            return None
    latest = today or timezone.localdate()
    if not EARLIEST <= value <= latest:
        _err(
            errors,
            field,
            f"日期 {value} 超出范围（{EARLIEST} 至 {latest}）",
            f"The date {value} is out of range ({EARLIEST} to {latest})",
            row,
        )
        return None
    return value


def _choice(value, choices, field, errors, row):
    if value in (None, ""):
        return ""
    text = str(value).strip()
    for key, lab in choices.choices:
        if text in (key, str(lab)) or str(lab).startswith(text + " "):
            return key
    names = "、".join(str(lab) for _, lab in choices.choices)
    _err(errors, field, f"“{text}”不是可选值（{names}）", f"'{text}' is not one of: {names}", row)
    return ""


def clean_person(data: dict, errors: list, *, row: int | None = None) -> dict:
    """id_number, name, gender and birth date, agreeing with each other; gender and birth date may be left
    out, the identity number then supplies them."""
    name = str(data.get("name") or "").strip()
    if not name:
        _err(errors, "name", "请填写姓名", "The name is required", row)
    elif len(name) > 50:
        _err(errors, "name", "姓名超过50个字", "The name is longer than 50 characters", row)
    birth = parse_date(data.get("birth_date"), "birth_date", errors, row)
    gender_in = str(data.get("gender") or "").strip()
    gender = {"男": "M", "女": "F", "M": "M", "F": "F", "m": "M", "f": "F"}.get(gender_in)
    if gender_in and gender is None:
        _err(
            errors,
            "gender",
            f"性别“{gender_in}”应为男或女",
            f"Gender '{gender_in}' must be 男 or 女 (M/F)",
            row,
        )
    id_number = ""
    try:
        info = check_id_agrees(
            str(data.get("id_number") or ""), birth_date=birth, gender=gender, field="id_number"
        )
        id_number, birth, gender = info.number, info.birth_date, info.gender
    except DomainError as e:
        errors.append(ValidationFailed(e.zh, e.en, field="id_number", row=row))
    return {"id_number": id_number, "name": name, "gender": gender or "", "birth_date": birth}


def clean_nomination_fields(data: dict, errors: list, *, row: int | None = None) -> dict:
    """The nomination's own fields, cleaned; unknown names are refused rather than silently dropped."""
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        _err(errors, unknown[0], f"未知字段：{unknown}", f"Unknown fields: {unknown}", row)
    out: dict = {}
    for name in TEXT_FIELDS:
        if name not in data and name not in REQUIRED:
            continue
        value = "" if data.get(name) is None else str(data.get(name)).strip()
        limit = Nomination._meta.get_field(name).max_length
        if name in REQUIRED and not value:
            zh, en = REQUIRED[name]
            _err(errors, name, f"请填写{zh}", f"The {en} is required", row)
        elif any(unicodedata.category(ch) == "Cc" for ch in value):
            _err(
                errors,
                name,
                f"{label(name)}只能有一行，不能包含换行或控制字符",
                f"{name} is one line: no line breaks or control characters",
                row,
            )
        elif len(value) > limit:
            _err(
                errors,
                name,
                f"{label(name)}超过 {limit} 个字（现有 {len(value)} 个）",
                f"{name} is longer than {limit} characters ({len(value)})",
                row,
            )
        out[name] = value
    for name in LONG_TEXT_FIELDS:
        if name in data:
            value = "" if data[name] is None else str(data[name]).strip()
            limit = BRIEF_DEEDS_MAX if name == "brief_deeds" else LONG_TEXT_MAX
            if len(value) > limit:
                _err(
                    errors,
                    name,
                    f"{label(name)}不能超过 {limit} 字（现有 {len(value)} 字）",
                    f"{name} must be at most {limit} characters (it has {len(value)})",
                    row,
                )
            out[name] = value
    for name in DATE_FIELDS:
        if name in data:
            out[name] = parse_date(data[name], name, errors, row)
    for name, top in COUNT_FIELDS.items():
        if name in data:
            value = data[name]
            if value in (None, ""):
                out[name] = None if name == "years_in_trade" else 0
                continue
            number = whole_number(value)
            if number is None or not 0 <= number <= top:
                _err(
                    errors,
                    name,
                    f"{label(name)}应为 0–{top} 的整数，收到“{value}”",
                    f"{name} must be a whole number 0–{top}, not '{value}'",
                    row,
                )
            else:
                out[name] = number
    for name, choices in CHOICE_FIELDS.items():
        if name in data:
            out[name] = _choice(data[name], choices, name, errors, row)
    if not out.get("category"):
        # The 技师 rule (巴陵: manufacturing only) and the category caps depend on it: never assumed.
        if "category" not in data or data["category"] in (None, ""):
            _err(
                errors,
                "category",
                "请选择行业类别（制造业/传统工艺/其他）",
                "Choose the category (manufacturing, traditional craft or other)",
                row,
            )
        out.pop("category", None)
    if "email" in data:
        email = str(data["email"] or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                _err(
                    errors, "email", f"电子邮箱“{email}”格式不正确", f"'{email}' is not an email address", row
                )
        out["email"] = email
    for name, keys in LIST_FIELDS.items():
        if name in data:
            out[name] = _clean_list(data[name], name, keys, errors, row)
    if "claimed_routes" in data:
        routes = data["claimed_routes"] or []
        if not isinstance(routes, list) or not all(isinstance(r, str) for r in routes):
            _err(
                errors,
                "claimed_routes",
                "申报途径应为代码列表",
                "claimed_routes must be a list of codes",
                row,
            )
        else:
            out["claimed_routes"] = routes
    return out


LIST_ENTRY_MAX = 500


def _clean_list(items, name, keys, errors, row):
    if items in (None, ""):
        return []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        _err(errors, name, f"{label(name)}应为列表", f"{name} must be a list of entries", row)
        return []
    out = []
    for i, item in enumerate(items):
        extra = set(item) - set(keys)
        if extra:
            _err(errors, f"{name}[{i}]", f"未知的项 {sorted(extra)}", f"unknown keys {sorted(extra)}", row)
        entry = {k: "" if item.get(k) is None else str(item.get(k)).strip() for k in keys}
        for k, value in entry.items():
            if len(value) > LIST_ENTRY_MAX:  # refused, never cut short: nothing is half-saved
                _err(
                    errors,
                    f"{name}[{i}].{k}",
                    f"{label(name)}第 {i + 1} 项的 {k} 超过 {LIST_ENTRY_MAX} 个字（现有 {len(value)} 个）",
                    f"{name}[{i}].{k} is longer than {LIST_ENTRY_MAX} characters ({len(value)})",
                    row,
                )
        if name == "awards" and entry["level"]:
            entry["level"] = _choice(entry["level"], HonourLevel, f"awards[{i}].level", errors, row)
        if name == "awards" and any(entry.values()):
            kind = AWARD_KINDS.get(entry["kind"])
            if kind is None:
                _err(
                    errors,
                    f"awards[{i}].kind",
                    f"类型“{entry['kind']}”应为荣誉或竞赛",
                    f"The kind '{entry['kind']}' must be 荣誉 (honour) or 竞赛 (competition)",
                    row,
                )
            entry["kind"] = kind or ""
        if any(entry.values()):
            out.append(entry)
    return out
