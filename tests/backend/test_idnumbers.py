"""Identity numbers (GB 11643-1999) and unified social credit codes (GB 32100-2015): checks and messages."""

from dataclasses import FrozenInstanceError
from datetime import date

import pytest

from backend.errors import ValidationFailed
from backend.idnumbers import (
    CREDIT_CODE_ALPHABET,
    IdInfo,
    check_id_agrees,
    credit_code_check_char,
    id_check_char,
    mask_id_number,
    normalize_credit_code,
    normalize_id_number,
    org_code_check_char,
    parse_id_number,
    registration_authority,
)

TODAY = date(2025, 6, 1)


def fails(func, *args, **kwargs) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        func(*args, **kwargs)
    return info.value


# --- 公民身份号码 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "check"),
    [
        ("11010519491231002X", "X"),  # DOMAIN.md §5, verified
        ("440524188001010014", "4"),  # DOMAIN.md §5, verified (born 1880: check is right, parse refuses it)
        ("34052419800101001X", "X"),  # DOMAIN.md §5, verified
    ],
)
def test_check_character_of_the_verified_examples(number, check):
    assert id_check_char(number[:17]) == check


@pytest.mark.parametrize("bad", ["", "1101051949123100", "110105194912310021", "1101051949123100X2", "1101x"])
def test_id_check_char_rejects_anything_but_17_digits(bad):
    with pytest.raises(ValueError):
        id_check_char(bad)


def test_parse_the_verified_examples():
    assert parse_id_number("11010519491231002X", today=TODAY) == IdInfo(
        number="11010519491231002X", birth_date=date(1949, 12, 31), gender="F", region_code="110105"
    )
    assert parse_id_number("34052419800101001X", today=TODAY) == IdInfo(
        number="34052419800101001X", birth_date=date(1980, 1, 1), gender="M", region_code="340524"
    )


def test_id_info_is_frozen():
    info = parse_id_number("34052419800101001X")
    with pytest.raises(FrozenInstanceError):
        info.gender = "F"


def test_a_valid_number_born_before_1900_is_refused():
    # Decision: 440524188001010014 has a correct check character (see above), but nobody born in 1880 is a
    # living honouree, so a birth date before 1900-01-01 is treated as a typing error.
    err = fails(parse_id_number, "440524188001010014", today=TODAY)
    assert err.field == "id_number"
    assert "1880-01-01" in err.zh and "早于 1900-01-01" in err.zh
    assert "1880-01-01" in err.en and "before 1900-01-01" in err.en
    fails(normalize_id_number, "110105189912310023")  # 1899-12-31, correct check character 3
    assert parse_id_number("11010519000101001X").birth_date == date(1900, 1, 1)  # the earliest accepted


def test_lowercase_x_spaces_and_full_width_characters_are_normalised():
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"
    assert normalize_id_number(" 110105 19491231 002x ") == "11010519491231002X"
    assert normalize_id_number("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"


def test_a_15_digit_old_form_number_is_upgraded():
    # 110105 491231 002 → insert "19" before the birth date → 11010519491231002 + check character X.
    assert normalize_id_number("110105491231002") == "11010519491231002X"
    info = parse_id_number("110105491231002")
    assert info.birth_date == date(1949, 12, 31)
    assert info.gender == "F"


def test_an_old_form_number_with_an_impossible_date_is_refused():
    err = fails(normalize_id_number, "110105990230002")  # 1999-02-30 once upgraded
    assert "19990230" in err.zh and "19990230" in err.en


@pytest.mark.parametrize("empty", ["", "   ", None])
def test_empty_id_number(empty):
    err = fails(normalize_id_number, empty)
    assert err.zh == "请填写身份证号。"
    assert err.en == "Enter the identity number."
    assert err.field == "id_number"


@pytest.mark.parametrize("number", ["1101051949123100", "11010519491231002X1", "1101054912310"])
def test_wrong_length_says_the_length(number):
    err = fails(normalize_id_number, number)
    assert f"实为 {len(number)} 位" in err.zh
    assert f"got {len(number)}" in err.en
    assert "18" in err.en and "15" in err.en


def test_a_letter_is_reported_with_its_position():
    err = fails(normalize_id_number, "1101051949A231002X")
    assert "第 11 位“A”不是数字" in err.zh
    assert "Character 11" in err.en and "'A'" in err.en


def test_x_is_allowed_only_last():
    err = fails(normalize_id_number, "11010519491231X02X")
    assert "第 15 位为 X" in err.zh
    assert "Character 15" in err.en
    fails(normalize_id_number, "11010549123100X")  # an old-form number has no check character at all


def test_a_wrong_check_character_says_expected_and_got():
    err = fails(normalize_id_number, "110105194912310023")
    assert err.zh == "身份证号校验位错误：应为 X，实为 3。请逐位核对号码。"
    assert err.en.startswith("Identity number check character is wrong: expected X, got 3.")
    assert err.field == "id_number"


def test_every_single_digit_typo_is_caught():
    number = "34052419800101001X"
    for position in range(17):
        for digit in "0123456789":
            if digit == number[position]:
                continue
            typo = number[:position] + digit + number[position + 1 :]
            with pytest.raises(ValidationFailed):
                normalize_id_number(typo, today=TODAY)


def test_field_name_is_passed_through():
    assert fails(normalize_id_number, "123", field="spouse_id_number").field == "spouse_id_number"
    assert fails(parse_id_number, "123", field="row_id").field == "row_id"


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("110105199902300023", "19990230"),  # 30 February, check character otherwise correct
        ("110105190002290025", "19000229"),  # 1900 was not a leap year
        ("110105199913010021", "19991301"),  # month 13
    ],
)
def test_an_impossible_birth_date_is_refused(number, shown):
    err = fails(normalize_id_number, number, today=TODAY)
    assert shown in err.zh and "不是真实的日期" in err.zh
    assert shown in err.en and "not a real date" in err.en


def test_29_february_in_a_leap_year_is_fine():
    assert parse_id_number("110105200002290021", today=TODAY).birth_date == date(2000, 2, 29)


def test_a_birth_date_in_the_future_is_refused():
    today = date(2020, 1, 1)
    err = fails(normalize_id_number, "110105202001020029", today=today)
    assert "2020-01-02" in err.zh and "晚于今天（2020-01-01）" in err.zh
    assert "2020-01-02" in err.en and "after today (2020-01-01)" in err.en
    assert parse_id_number("110105202001010015", today=today).birth_date == today  # born today is fine


def test_the_birth_date_is_reported_before_the_check_character():
    # A typo in the date digits usually breaks both; the date message says where to look.
    err = fails(normalize_id_number, "110105199902300021")
    assert "19990230" in err.en


def test_gender_comes_from_the_17th_digit():
    assert parse_id_number("430602198506151239").gender == "M"  # 3 is odd
    assert parse_id_number("430602198506151247").gender == "F"  # 4 is even


def test_agreeing_birth_date_and_gender_pass():
    info = check_id_agrees("11010519491231002X", birth_date=date(1949, 12, 31), gender="F")
    assert info.number == "11010519491231002X"
    assert check_id_agrees("34052419800101001x", birth_date=None, gender=None).gender == "M"
    assert check_id_agrees("34052419800101001X", birth_date=None, gender="男").gender == "M"
    assert check_id_agrees("34052419800101001X", birth_date=None, gender="m").gender == "M"


def test_a_disagreeing_birth_date_names_both_dates():
    err = fails(check_id_agrees, "11010519491231002X", birth_date=date(1950, 1, 1), gender="F")
    assert err.zh == "身份证号中的出生日期为 1949-12-31，与填写的出生日期 1950-01-01 不一致。"
    assert (
        err.en == "The identity number gives birth date 1949-12-31, but the entered birth date is 1950-01-01."
    )
    assert err.field == "id_number"


def test_a_disagreeing_gender_names_both_genders():
    err = fails(check_id_agrees, "11010519491231002X", birth_date=None, gender="M", field="person_id")
    assert err.zh == "身份证号第 17 位表示性别为女，与填写的性别“男”不一致。"
    assert err.en == "The identity number (character 17) gives gender female, but the entered gender is male."
    assert err.field == "person_id"


def test_an_unknown_gender_code_is_a_programming_error():
    with pytest.raises(ValueError):
        check_id_agrees("11010519491231002X", birth_date=None, gender="X")


def test_check_id_agrees_still_validates_the_number():
    fails(check_id_agrees, "110105194912310023", birth_date=None, gender=None)


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("430602198506151239", "430602********1239"),
        ("11010519491231002x", "110105********002X"),
        (" 430602 19850615 1239 ", "430602********1239"),
        ("110105491231002", "***********1002"),  # 15-digit old form: all but the last 4
        ("12345", "*2345"),
        ("1234", "****"),  # decision: a value of 4 or fewer characters is masked entirely
        ("", ""),
        (None, ""),
    ],
)
def test_masking(value, masked):
    assert mask_id_number(value) == masked


# --- 统一社会信用代码 ---------------------------------------------------------------------------------

VALID_CODE = "914403001922038216"  # DOMAIN.md §5, verified including its org-code check

# A trade-union code built by hand: 8 (工会) 1 (机构类别) 430600 (岳阳市), org code MA4L0001 + check, check.
# Org code, GB 11714 values (digit = itself, letter = ord − 55: M = 22, A = 10, L = 21),
# weights 3 7 9 10 5 8 4 2:
#   22·3 + 10·7 + 4·9 + 21·10 + 0·5 + 0·8 + 0·4 + 1·2 = 66 + 70 + 36 + 210 + 2 = 384; 384 mod 11 = 10;
#   C = 11 − 10 = 1  →  MA4L00011.
# Credit code, values = index in 0-9ABCDEFGHJKLMNPQRTUWXY (M = 21, A = 10, L = 20), weights 3^i mod 31:
#   8·1 + 1·3 + 4·9 + 3·27 + 0·19 + 6·26 + 0·16 + 0·17 + 21·20 + 10·29 + 4·25 + 20·13 + 0·8 + 0·24
#   + 0·10 + 1·30 + 1·28 = 8 + 3 + 36 + 81 + 156 + 420 + 290 + 100 + 260 + 30 + 28 = 1412;
#   1412 mod 31 = 17 (31·45 = 1395); (31 − 17) mod 31 = 14 → "E".
UNION_CODE = "81430600MA4L00011E"


def test_alphabet_has_31_symbols_without_i_o_z_s_v():
    assert len(CREDIT_CODE_ALPHABET) == 31
    assert not set("IOZSV") & set(CREDIT_CODE_ALPHABET)


def test_the_verified_code_is_valid():
    assert credit_code_check_char(VALID_CODE[:17]) == "6"
    assert org_code_check_char("19220382") == "1"
    assert normalize_credit_code(VALID_CODE) == VALID_CODE
    assert registration_authority(VALID_CODE) == "industry_commerce"


def test_the_hand_built_trade_union_code():
    assert org_code_check_char("MA4L0001") == "1"
    assert credit_code_check_char("81430600MA4L00011") == "E"
    assert normalize_credit_code(UNION_CODE) == UNION_CODE
    assert registration_authority(UNION_CODE) == "trade_union"


def test_org_code_check_maps_10_to_x_and_11_to_0():
    # 00000001: Σ = 1·2 = 2, C = 11 − 2 = 9.   00000005: Σ = 5·2 = 10, C = 1.   00000100: Σ = 1·8 = 8, C = 3.
    assert org_code_check_char("00000001") == "9"
    assert org_code_check_char("00000005") == "1"
    assert org_code_check_char("00000100") == "3"
    # 00000000: Σ = 0, C = 11 → "0".   00000006: Σ = 12, 12 mod 11 = 1, C = 10 → "X".
    assert org_code_check_char("00000000") == "0"
    assert org_code_check_char("00000006") == "X"


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("1" + VALID_CODE[1:], "organisation_staffing"),
        ("5" + VALID_CODE[1:], "civil_affairs"),
        ("81", "trade_union"),
        (" 9", "industry_commerce"),
        ("Y1", "other"),
        ("N2", "other"),
        ("", "other"),
    ],
)
def test_registration_authority(code, label):
    assert registration_authority(code) == label


def test_lowercase_and_spaces_are_normalised():
    assert normalize_credit_code(" 81430600ma4l00011e ") == UNION_CODE
    assert normalize_credit_code("9144 0300 1922 0382 16") == VALID_CODE


def test_changing_any_single_character_makes_the_code_invalid():
    for position in range(18):
        for char in CREDIT_CODE_ALPHABET:
            if char == VALID_CODE[position]:
                continue
            altered = VALID_CODE[:position] + char + VALID_CODE[position + 1 :]
            with pytest.raises(ValidationFailed):
                normalize_credit_code(altered)


@pytest.mark.parametrize("empty", ["", "  ", None])
def test_empty_credit_code(empty):
    err = fails(normalize_credit_code, empty)
    assert err.en == "Enter the unified social credit code."
    assert err.field == "credit_code"


@pytest.mark.parametrize("code", ["91440300192203821", "9144030019220382161", "91"])
def test_credit_code_wrong_length(code):
    err = fails(normalize_credit_code, code, field="org_code")
    assert f"实为 {len(code)} 位" in err.zh
    assert f"got {len(code)}" in err.en
    assert err.field == "org_code"


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_a_forbidden_letter_is_reported_with_its_position(letter):
    code = VALID_CODE[:9] + letter + VALID_CODE[10:]
    err = fails(normalize_credit_code, code)
    assert f"第 10 位“{letter}”不允许" in err.zh
    assert f"Character 10 of the credit code, '{letter}', is not allowed" in err.en


def test_punctuation_is_reported_with_its_position():
    err = fails(normalize_credit_code, "91440300-922038216")
    assert "第 9 位“-”" in err.zh
    assert "Character 9" in err.en


def test_first_character_zero_is_refused():
    err = fails(normalize_credit_code, "0" + VALID_CODE[1:])
    assert "登记管理部门码" in err.zh and "registration authority" in err.en


def test_region_code_must_be_digits():
    err = fails(normalize_credit_code, "9144A3001922038216")
    assert "行政区划码" in err.zh and "“44A300”" in err.zh
    assert "region code" in err.en and "'44A300'" in err.en


def test_a_wrong_org_code_check_is_named():
    err = fails(normalize_credit_code, "914403001922038206")
    assert "组织机构代码 192203820" in err.zh and "第 17 位应为 1，实为 0" in err.zh
    assert "organisation code" in err.en and "should be 1, got 0" in err.en


def test_a_wrong_overall_check_character_says_expected_and_got():
    err = fails(normalize_credit_code, "914403001922038217")
    assert err.zh == "统一社会信用代码校验位错误：应为 6，实为 7。请逐位核对代码。"
    assert err.en.startswith("Credit code check character is wrong: expected 6, got 7.")


@pytest.mark.parametrize("bad", ["", "9144030019220382", "91440300192203821I", "9144030019220382I"])
def test_credit_code_check_char_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        credit_code_check_char(bad)
