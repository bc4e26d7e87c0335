"""Identity numbers (公民身份号码) and credit codes (统一社会信用代码): normalise, check, describe, mask.

Pure functions, no database. Bad input raises ``ValidationFailed`` with a Chinese and an English message
that says what is wrong and where, so a page, the API and an import's error list can all show it as is.

Decisions (see DOMAIN.md §5):

- Input is read leniently: Unicode NFKC (full-width digits/letters typed with a Chinese input method become
  ASCII), all whitespace removed, letters upper-cased. Output is the canonical 18-character form.
- Birth dates before 1900-01-01 are rejected: nobody alive or in these schemes was born then, so such a
  number is a typing error (e.g. 440524188001010014 has a correct check character but is refused).
- The address code (first 6 digits) is not looked up in GB/T 2260: codes are withdrawn over time and old
  numbers keep their original code.
- Structure is checked before the check character, and the birth date before the check character, so a
  typing error in the date is reported as a date problem (it pinpoints where to look).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from backend.errors import ValidationFailed

__all__ = [
    "CREDIT_CODE_ALPHABET",
    "EARLIEST_BIRTH_DATE",
    "IdInfo",
    "check_id_agrees",
    "credit_code_check_char",
    "id_check_char",
    "mask_id_number",
    "normalize_credit_code",
    "normalize_id_number",
    "org_code_check_char",
    "parse_id_number",
    "registration_authority",
]

DIGITS = "0123456789"
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

# --- GB 11643-1999 公民身份号码 -------------------------------------------------------------------------
# 6-digit address code, 8-digit birth date YYYYMMDD, 3-digit sequence (odd = male), 1 check character.
# Check character, ISO 7064 MOD 11-2: S = Σ aᵢ·Wᵢ over the first 17 digits, Wᵢ = 2^(17−i) mod 11;
# R = S mod 11 and R = 0…10 maps to 1 0 X 9 8 7 6 5 4 3 2.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

# --- GB 32100-2015 统一社会信用代码 ---------------------------------------------------------------------
# 1 登记管理部门码, 1 机构类别码, 6-digit region code (GB/T 2260), 9-character 主体标识码
# (GB 11714 组织机构代码, with its own check character), 1 check character. Character set: 0-9 and A-Z
# without I O Z S V (31 symbols; a symbol's value is its index). Weights Wᵢ = 3^i mod 31;
# check = (31 − Σ mod 31) mod 31.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_FIRST_CHARS = CREDIT_CODE_ALPHABET[1:]  # any symbol but 0
REGISTRATION_AUTHORITIES = {
    "1": "organisation_staffing",  # 机构编制
    "5": "civil_affairs",  # 民政
    "8": "trade_union",  # 工会
    "9": "industry_commerce",  # 工商
}
# GB 11714 组织机构代码: 8 body characters (digit = its value, letter = ord − 55, so A = 10 … Z = 35),
# weights 3 7 9 10 5 8 4 2, C = 11 − (Σ mod 11), where C = 10 is written X and C = 11 is written 0.
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _clean(value: str | None) -> str:
    """The value with full-width forms folded to ASCII, all whitespace removed and letters upper-cased."""
    return "".join(unicodedata.normalize("NFKC", value or "").split()).upper()


def _fail(field: str, zh: str, en: str) -> ValidationFailed:
    return ValidationFailed(zh=zh, en=en, field=field)


# ---------------------------------------------------------------------------------------------------------
# 公民身份号码 (GB 11643-1999)
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdInfo:
    """What an 18-character identity number says about its holder."""

    number: str
    birth_date: date
    gender: str  # "M" or "F"
    region_code: str


def id_check_char(first17: str) -> str:
    """The GB 11643-1999 check character (ISO 7064 MOD 11-2) for 17 digits: one of 0-9 or X."""
    if len(first17) != 17 or any(c not in DIGITS for c in first17):
        raise ValueError(f"id_check_char needs exactly 17 digits, got {first17!r}")
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def _birth_date(number: str, field: str, today: date | None) -> date:
    """The birth date in characters 7-14 of an 18-character number, checked to be real, past and ≥ 1900."""
    text = number[6:14]
    try:
        born = date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise _fail(
            field,
            f"身份证号中的出生日期 {text}（第 7–14 位）不是真实的日期，请核对。",
            f"The birth date in the identity number, {text} (characters 7-14), is not a real date.",
        ) from None
    today = today or date.today()
    if born > today:
        raise _fail(
            field,
            f"身份证号中的出生日期 {born.isoformat()} 晚于今天（{today.isoformat()}），请核对第 7–14 位。",
            f"The birth date in the identity number, {born.isoformat()}, is after today "
            f"({today.isoformat()}); check characters 7-14.",
        )
    if born < EARLIEST_BIRTH_DATE:
        raise _fail(
            field,
            f"身份证号中的出生日期 {born.isoformat()} 早于 1900-01-01，请核对第 7–14 位。",
            f"The birth date in the identity number, {born.isoformat()}, is before 1900-01-01; "
            f"check characters 7-14.",
        )
    return born


def normalize_id_number(value: str, *, field: str = "id_number", today: date | None = None) -> str:
    """The canonical 18-character identity number (15-digit old form upgraded, x → X), fully checked."""
    return _checked_id(value, field, today)[0]


def _checked_id(value: str, field: str, today: date | None) -> tuple[str, date]:
    """The canonical 18-character number and its birth date, or ValidationFailed saying what is wrong."""
    number = _clean(value)
    if not number:
        raise _fail(field, "请填写身份证号。", "Enter the identity number.")
    if len(number) not in (15, 18):
        raise _fail(
            field,
            f"身份证号应为 18 位（旧号码为 15 位），实为 {len(number)} 位。",
            f"An identity number has 18 characters (15 for an old-form number); got {len(number)}.",
        )
    for position, char in enumerate(number, start=1):
        if char in DIGITS or (char == "X" and position == 18):
            continue
        if char == "X":
            raise _fail(
                field,
                f"身份证号第 {position} 位为 X；只有 18 位号码的最后一位可以是 X。",
                f"Character {position} of the identity number is X; only the last of 18 characters may be X.",
            )
        raise _fail(
            field,
            f"身份证号第 {position} 位“{char}”不是数字；只有第 18 位可以是 X。",
            f"Character {position} of the identity number, '{char}', is not a digit; only the 18th may be X.",
        )
    if len(number) == 15:
        # GB 11643-1989 old form: 6-digit address, yymmdd birth date in the 1900s, 3-digit sequence, no check.
        first17 = number[:6] + "19" + number[6:]
        number = first17 + id_check_char(first17)
    born = _birth_date(number, field, today)
    expected = id_check_char(number[:17])
    if number[17] != expected:
        raise _fail(
            field,
            f"身份证号校验位错误：应为 {expected}，实为 {number[17]}。请逐位核对号码。",
            f"Identity number check character is wrong: expected {expected}, got {number[17]}. "
            f"Check each digit of the number.",
        )
    return number, born


def parse_id_number(value: str, *, field: str = "id_number", today: date | None = None) -> IdInfo:
    """The checked number with the birth date, gender and address code it encodes."""
    number, born = _checked_id(value, field, today)
    return IdInfo(
        number=number,
        birth_date=born,
        gender="M" if int(number[16]) % 2 else "F",
        region_code=number[:6],
    )


_GENDERS = {"M": "M", "F": "F", "男": "M", "女": "F"}
_GENDER_LABELS = {"M": ("男", "male"), "F": ("女", "female")}


def check_id_agrees(
    value: str,
    *,
    birth_date: date | None,
    gender: str | None,
    field: str = "id_number",
    today: date | None = None,
) -> IdInfo:
    """The parsed number, once the entered birth date and gender (where given) agree with it."""
    info = parse_id_number(value, field=field, today=today)
    if birth_date is not None and birth_date != info.birth_date:
        raise _fail(
            field,
            f"身份证号中的出生日期为 {info.birth_date.isoformat()}，"
            f"与填写的出生日期 {birth_date.isoformat()} 不一致。",
            f"The identity number gives birth date {info.birth_date.isoformat()}, "
            f"but the entered birth date is {birth_date.isoformat()}.",
        )
    if gender:
        entered = _GENDERS.get(gender.strip().upper())
        if entered is None:
            raise ValueError(f"gender must be 'M' or 'F', got {gender!r}")
        if entered != info.gender:
            zh_id, en_id = _GENDER_LABELS[info.gender]
            zh_in, en_in = _GENDER_LABELS[entered]
            raise _fail(
                field,
                f"身份证号第 17 位表示性别为{zh_id}，与填写的性别“{zh_in}”不一致。",
                f"The identity number (character 17) gives gender {en_id}, "
                f"but the entered gender is {en_in}.",
            )
    return info


def mask_id_number(value: str) -> str:
    """The number with all but its first 6 and last 4 of 18 hidden (all but the last 4 otherwise)."""
    text = _clean(value)
    if not text:
        return ""
    if len(text) == 18:
        return text[:6] + "*" * 8 + text[-4:]
    if len(text) <= 4:  # showing "the last 4" would show everything
        return "*" * len(text)
    return "*" * (len(text) - 4) + text[-4:]


# ---------------------------------------------------------------------------------------------------------
# 统一社会信用代码 (GB 32100-2015) and the embedded 组织机构代码 (GB 11714)
# ---------------------------------------------------------------------------------------------------------


def credit_code_check_char(first17: str) -> str:
    """The GB 32100-2015 check character (mod 31, in the code's own 31-symbol alphabet) for 17 symbols."""
    if len(first17) != 17 or any(c not in CREDIT_CODE_ALPHABET for c in first17):
        raise ValueError(
            f"credit_code_check_char needs 17 symbols of {CREDIT_CODE_ALPHABET}, got {first17!r}"
        )
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def _org_value(char: str) -> int:
    # GB 11714: a digit counts as itself, a letter as ord − 55 (A = 10 … Z = 35).
    return int(char) if char in DIGITS else ord(char) - 55


def org_code_check_char(first8: str) -> str:
    """The GB 11714 organisation-code check character (0-9 or X) for 8 digits or upper-case letters."""
    if len(first8) != 8 or any(not (c in DIGITS or "A" <= c <= "Z") for c in first8):
        raise ValueError(f"org_code_check_char needs 8 digits or upper-case letters, got {first8!r}")
    check = 11 - sum(_org_value(c) * w for c, w in zip(first8, ORG_CODE_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def normalize_credit_code(value: str, *, field: str = "credit_code") -> str:
    """The canonical 18-character credit code, with its structure and both check characters verified."""
    code = _clean(value)
    if not code:
        raise _fail(field, "请填写统一社会信用代码。", "Enter the unified social credit code.")
    if len(code) != 18:
        raise _fail(
            field,
            f"统一社会信用代码应为 18 位，实为 {len(code)} 位。",
            f"A unified social credit code has 18 characters; got {len(code)}.",
        )
    for position, char in enumerate(code, start=1):
        if char not in CREDIT_CODE_ALPHABET:
            raise _fail(
                field,
                f"统一社会信用代码第 {position} 位“{char}”不允许；"
                f"只能用数字和除 I、O、Z、S、V 以外的大写字母。",
                f"Character {position} of the credit code, '{char}', is not allowed; only digits and "
                f"letters other than I, O, Z, S and V are used.",
            )
    if code[0] not in CREDIT_CODE_FIRST_CHARS:
        raise _fail(
            field,
            f"统一社会信用代码第 1 位（登记管理部门码）不能是“{code[0]}”。",
            f"Character 1 of the credit code (registration authority) cannot be '{code[0]}'.",
        )
    region = code[2:8]
    if any(c not in DIGITS for c in region):
        raise _fail(
            field,
            f"统一社会信用代码第 3–8 位（行政区划码）应为 6 位数字，实为“{region}”。",
            f"Characters 3-8 of the credit code (region code) must be 6 digits; got '{region}'.",
        )
    org = code[8:17]
    org_expected = org_code_check_char(org[:8])
    if org[8] != org_expected:
        raise _fail(
            field,
            f"统一社会信用代码第 9–17 位（组织机构代码 {org}）校验位错误："
            f"第 17 位应为 {org_expected}，实为 {org[8]}。",
            f"The organisation code in characters 9-17 of the credit code ({org}) has a wrong check "
            f"character: character 17 should be {org_expected}, got {org[8]}.",
        )
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        raise _fail(
            field,
            f"统一社会信用代码校验位错误：应为 {expected}，实为 {code[17]}。请逐位核对代码。",
            f"Credit code check character is wrong: expected {expected}, got {code[17]}. "
            f"Check each character of the code.",
        )
    return code


def registration_authority(code: str) -> str:
    """A label key for the registering authority named by the code's first character ("other" if unknown)."""
    return REGISTRATION_AUTHORITIES.get(_clean(code)[:1], "other")
