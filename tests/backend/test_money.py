"""Money: parsing, rounding, splits, tax withholding and 票据 amounts/dates in words (DOMAIN.md §6)."""

from datetime import date
from decimal import Decimal

import pytest

from backend.errors import ValidationFailed
from backend.money import (
    CENT,
    MAX_AMOUNT,
    amount_in_words,
    date_in_words,
    quantize,
    require_positive,
    split,
    split_by_weights,
    to_money,
    withhold_tax,
)

D = Decimal


def fails(func, *args, **kwargs) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        func(*args, **kwargs)
    return info.value


# --- a reader for amounts in words, so round trips check the value independently of the writer ----------

_DIGIT = {c: i for i, c in enumerate("零壹贰叁肆伍陆柒捌玖")}
_PLACE = {"拾": 10, "佰": 100, "仟": 1000}


def _read_section(text: str) -> int:
    """壹仟零伍拾 → 1050 (no 万/亿 inside)."""
    total, digit = 0, None
    for ch in text:
        if ch in _DIGIT:
            digit = _DIGIT[ch]
        else:
            assert digit is not None, f"unit {ch} without a digit in {text}"
            total += digit * _PLACE[ch]
            digit = None
    return total + (digit or 0)


def _read_integer(text: str) -> int:
    value = 0
    for unit, factor in (("亿", 10**8), ("万", 10**4)):
        if unit in text:
            head, text = text.split(unit)
            value += _read_section(head) * factor
    return value + _read_section(text)


def read_words(words: str) -> Decimal:
    """Turn 人民币…元…角…分 back into a Decimal."""
    assert words.startswith("人民币")
    text = words.removeprefix("人民币").removesuffix("整")
    yuan, _, rest = text.rpartition("元") if "元" in text else ("", "", text)
    jiao = fen = 0
    rest = rest.lstrip("零")
    if "角" in rest:
        head, rest = rest.split("角")
        jiao = _DIGIT[head]
    if "分" in rest:
        head, rest = rest.split("分")
        fen = _DIGIT[head]
    assert rest == ""
    return D(_read_integer(yuan) * 100 + jiao * 10 + fen) / 100


# --- to_money ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("10000"), D("10000.00")),
        (10000, D("10000.00")),
        ("10000", D("10000.00")),
        ("  1409.5 ", D("1409.50")),
        ("-3.25", D("-3.25")),
        (".5", D("0.50")),
        ("1.500", D("1.50")),  # trailing zeros are not extra precision; nothing is rounded
        (MAX_AMOUNT, MAX_AMOUNT),
        (-MAX_AMOUNT, -MAX_AMOUNT),
    ],
)
def test_to_money_accepts_decimals_ints_and_plain_strings_with_two_places(value, expected):
    money = to_money(value)
    assert money == expected
    assert money.as_tuple().exponent == -2


def test_to_money_never_returns_negative_zero():
    assert str(to_money("-0")) == "0.00"


def test_to_money_refuses_a_float_even_a_harmless_looking_one():
    error = fails(to_money, 10000.0)
    assert "浮点" in error.zh and "float" in error.en


def test_to_money_refuses_a_bool():
    fails(to_money, True)


def test_to_money_refuses_three_decimal_places_instead_of_rounding():
    error = fails(to_money, "1.005", field="gross")
    assert "两位" in error.zh
    assert "more than two decimal places" in error.en
    assert error.field == "gross"
    fails(to_money, D("0.001"))


@pytest.mark.parametrize("text", ["1,409.50", "1e3", "¥100", "", "abc", "10 000", "1.2.3"])
def test_to_money_refuses_anything_but_a_plain_numeric_string(text):
    fails(to_money, text)


@pytest.mark.parametrize("value", [D("NaN"), D("Infinity"), D("-Infinity"), "NaN", "inf"])
def test_to_money_refuses_nan_and_infinity(value):
    fails(to_money, value)


@pytest.mark.parametrize("value", [MAX_AMOUNT + CENT, -MAX_AMOUNT - CENT, D("1E+30"), 10**12])
def test_to_money_refuses_amounts_a_decimal_field_of_14_2_cannot_hold(value):
    assert "999999999999.99" in fails(to_money, value).en


# --- quantize ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("0.025"), D("0.03")),  # half up, not banker's rounding (which gives 0.02)
        (D("0.035"), D("0.04")),
        (D("0.0249"), D("0.02")),
        (D("66.666"), D("66.67")),
        (D("-0.025"), D("-0.03")),  # half away from zero
        (D("-0.001"), D("0.00")),
        (5, D("5.00")),
    ],
)
def test_quantize_rounds_computed_amounts_half_up_to_the_cent(value, expected):
    result = quantize(value)
    assert result == expected
    assert result.as_tuple().exponent == -2
    assert str(result) != "-0.00"


def test_quantize_refuses_a_float_and_a_string():
    fails(quantize, 0.025)
    fails(quantize, "0.025")


# --- require_positive --------------------------------------------------------------------------------------


def test_require_positive_returns_the_amount_as_money():
    assert require_positive("0.01") == D("0.01")


@pytest.mark.parametrize("value", [0, "0.00", D("-1")])
def test_require_positive_refuses_zero_and_negative_naming_the_field(value):
    error = fails(require_positive, value, field="award")
    assert error.field == "award"
    assert "award" in error.en


def test_require_positive_names_amount_by_default():
    assert fails(require_positive, 0).field == "amount"


# --- split -------------------------------------------------------------------------------------------------


def test_a_20000_award_in_two_years_is_two_instalments_of_10000():
    assert split(D("20000"), 2) == [D("10000.00"), D("10000.00")]


def test_the_remainder_of_a_split_goes_on_the_last_part():
    assert split(D("100"), 3) == [D("33.33"), D("33.33"), D("33.34")]


def test_five_fen_in_two_parts_puts_the_odd_fen_last():
    assert split(D("0.05"), 2) == [D("0.02"), D("0.03")]


def test_splitting_into_more_parts_than_fen_gives_zero_parts_then_the_remainder():
    assert split(D("0.02"), 3) == [D("0.00"), D("0.00"), D("0.02")]


def test_one_part_is_the_total():
    assert split(D("1409.50"), 1) == [D("1409.50")]


def test_split_parts_always_sum_to_the_total_and_only_the_last_can_differ():
    totals = [D(c) / 100 for c in range(0, 100_000, 997)] + [D("20000"), D("0.01"), MAX_AMOUNT]
    for total in totals:
        for parts in range(1, 13):
            result = split(total, parts)
            assert len(result) == parts
            assert sum(result) == total
            assert all(p.as_tuple().exponent == -2 and p >= 0 for p in result)
            assert len(set(result[:-1])) <= 1
            assert D(0) <= result[-1] - result[0] < parts * CENT


@pytest.mark.parametrize("parts", [0, -1, 1.0, True, "2"])
def test_split_refuses_a_part_count_that_is_not_a_positive_whole_number(parts):
    assert fails(split, D("100"), parts).field == "parts"


def test_split_refuses_a_negative_total_and_a_float_total():
    fails(split, D("-100"), 2)
    fails(split, 100.0, 2)


# --- split_by_weights --------------------------------------------------------------------------------------


def test_weighted_split_rounds_each_share_down_and_puts_the_remainder_last():
    assert split_by_weights(D("100"), [1, 1, 1]) == [D("33.33"), D("33.33"), D("33.34")]
    assert split_by_weights(D("10000"), [D("0.3"), D("0.7")]) == [D("3000.00"), D("7000.00")]
    assert split_by_weights(D("0.05"), [1, 2]) == [D("0.01"), D("0.04")]


def test_a_zero_weight_always_gets_nothing_even_when_it_is_last():
    assert split_by_weights(D("0.01"), [1, 1, 0]) == [D("0.00"), D("0.01"), D("0.00")]


def test_weighted_split_always_sums_to_the_total():
    weight_sets = [[1], [1, 2], [3, 3, 4], [D("0.2"), D("0.3"), D("0.5")], [7, 0, 11, 13], [1] * 12]
    for cents in range(0, 50_000, 613):
        total = D(cents) / 100
        for weights in weight_sets:
            result = split_by_weights(total, weights)
            assert sum(result) == total
            assert len(result) == len(weights)
            assert all(p >= 0 for p in result)


@pytest.mark.parametrize("weights", [[], [0, 0], [1, -1], [0.5, 0.5]])
def test_weighted_split_refuses_empty_negative_all_zero_or_float_weights(weights):
    assert fails(split_by_weights, D("100"), weights).field == "weights"


# --- withhold_tax ------------------------------------------------------------------------------------------


def test_twenty_percent_of_10000_is_withheld_as_2000():
    assert withhold_tax(D("10000"), D("0.20")) == (D("2000.00"), D("8000.00"))


def test_tax_on_333_33_is_rounded_half_up_and_net_makes_up_the_rest():
    assert withhold_tax(D("333.33"), D("0.20")) == (D("66.67"), D("266.66"))


def test_a_tax_of_exactly_half_a_fen_rounds_up():
    assert withhold_tax(D("10.05"), D("0.5")) == (D("5.03"), D("5.02"))


def test_tax_and_net_always_add_up_to_gross():
    for cents in range(0, 200_000, 1_237):
        gross = D(cents) / 100
        for rate in (D("0"), D("0.03"), D("0.1"), D("0.2"), D("0.45"), D("1")):
            tax, net = withhold_tax(gross, rate)
            assert tax + net == gross
            assert tax.as_tuple().exponent == -2


@pytest.mark.parametrize("rate", [D("-0.01"), D("1.01"), 20, 0.2])
def test_withhold_tax_refuses_a_rate_outside_zero_to_one_or_a_float(rate):
    assert fails(withhold_tax, D("100"), rate).field == "rate"


def test_withhold_tax_refuses_a_negative_gross():
    assert fails(withhold_tax, D("-100"), D("0.2")).field == "gross"


# --- amount_in_words: the PBOC examples (DOMAIN.md §6) -----------------------------------------------------


def test_a_zero_in_the_middle_is_written_as_ling():
    # PBOC example; 整 after 角 is optional and we leave it out, exactly as the example does.
    assert amount_in_words(D("1409.50")) == "人民币壹仟肆佰零玖元伍角"


def test_a_run_of_zeros_is_written_as_one_ling():
    assert amount_in_words(D("6007.14")) == "人民币陆仟零柒元壹角肆分"


def test_a_zero_yuan_place_before_jiao_is_written_as_ling():
    # PBOC allows 壹仟陆佰捌拾元叁角贰分 too; we always write the 零.
    assert amount_in_words(D("1680.32")) == "人民币壹仟陆佰捌拾元零叁角贰分"


def test_zero_wan_and_yuan_places_both_get_their_ling():
    # PBOC examples are 壹拾万柒仟元零伍角叁分 and 壹拾万零柒仟元伍角叁分; we write the first (零 after 元 only).
    assert amount_in_words(D("107000.53")) == "人民币壹拾万柒仟元零伍角叁分"


def test_ling_after_yuan_is_required_when_jiao_is_zero_and_fen_is_not():
    assert amount_in_words(D("16409.02")) == "人民币壹万陆仟肆佰零玖元零贰分"
    assert amount_in_words(D("325.04")) == "人民币叁佰贰拾伍元零肆分"


# --- amount_in_words: more cases ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("20000", "人民币贰万元整"),
        ("10000", "人民币壹万元整"),
        ("0", "人民币零元整"),
        ("0.05", "人民币伍分"),  # below one yuan: no 元 and no leading 零
        ("0.50", "人民币伍角"),
        ("0.01", "人民币壹分"),
        ("0.15", "人民币壹角伍分"),
        ("1", "人民币壹元整"),
        ("10", "人民币壹拾元整"),  # always 壹拾, never a bare 拾
        ("15", "人民币壹拾伍元整"),
        ("110", "人民币壹佰壹拾元整"),
        ("1010", "人民币壹仟零壹拾元整"),
        ("10.05", "人民币壹拾元零伍分"),  # 元 place and 角 both 0: still one 零
        ("100.10", "人民币壹佰元零壹角"),
        ("100000", "人民币壹拾万元整"),
        ("110000", "人民币壹拾壹万元整"),
        ("100100", "人民币壹拾万零壹佰元整"),
        ("1000000", "人民币壹佰万元整"),
        ("1000001", "人民币壹佰万零壹元整"),
        ("10100", "人民币壹万零壹佰元整"),
        ("100000000", "人民币壹亿元整"),
        ("100000000.01", "人民币壹亿元零壹分"),
        ("100010000", "人民币壹亿零壹万元整"),
        ("100000001", "人民币壹亿零壹元整"),
        ("1010000000", "人民币壹拾亿壹仟万元整"),  # the 亿 place is treated like the 万 place
        ("1001000000", "人民币壹拾亿零壹佰万元整"),  # a run of 0s across 亿 keeps its 零
        ("107000", "人民币壹拾万柒仟元整"),
        ("10000700", "人民币壹仟万零柒佰元整"),
        ("1200000000", "人民币壹拾贰亿元整"),
        ("100000000000", "人民币壹仟亿元整"),
        ("999999999999.99", "人民币玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_amounts_are_written_in_pboc_capitals(amount, words):
    assert amount_in_words(D(amount)) == words


def test_the_maximum_amount_can_be_written():
    assert amount_in_words(MAX_AMOUNT).startswith("人民币玖仟玖佰玖拾玖亿")


def test_the_prefix_can_be_left_off_for_a_box_that_prints_it():
    assert amount_in_words(D("325.04"), prefix=False) == "叁佰贰拾伍元零肆分"
    assert amount_in_words(D("0"), prefix=False) == "零元整"


def test_amount_in_words_goes_through_to_money():
    assert amount_in_words("1409.5") == "人民币壹仟肆佰零玖元伍角"
    assert amount_in_words(10) == "人民币壹拾元整"


def test_a_negative_amount_is_never_written_in_words():
    assert fails(amount_in_words, D("-0.01")).field == "amount"


def test_a_float_is_never_written_in_words():
    fails(amount_in_words, 1409.5)


def test_three_decimal_places_are_refused_not_rounded_for_words():
    fails(amount_in_words, D("1.005"))


def _sample_amounts():
    """A deterministic spread: zeros in every place, round numbers, and a stride through all sizes."""
    amounts = [D(c) / 100 for c in range(0, 30_000)]  # 0.00 … 299.99: every 角/分 combination
    for digits in range(1, 13):
        for pattern in ("1", "10", "101", "1001", "10001", "100001", "909", "9"):
            n = int((pattern * 12)[:digits])
            amounts += [D(n), D(n) + D("0.01"), D(n) + D("0.10"), D(n) + D("0.99")]
    amounts += [D(n) / 100 for n in range(1, 10**14, 7_654_321_987)]
    return [a for a in amounts if a <= MAX_AMOUNT]


def test_words_read_back_to_the_same_amount():
    for amount in _sample_amounts():
        words = amount_in_words(amount)
        assert read_words(words) == amount, (amount, words)


def test_words_use_only_pboc_characters_and_follow_the_zero_rules():
    allowed = set("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整")
    for amount in _sample_amounts():
        words = amount_in_words(amount)
        body = words.removeprefix("人民币")
        assert set(body) <= allowed, words
        assert not set(body) & set("一二三四五六七八九十百千毛另0123456789"), words
        assert "零零" not in body, words  # a run of zeros is one 零
        assert not body.endswith("零"), words
        assert not body.startswith("零") or body == "零元整", words
        assert body.endswith(("元整", "角", "分")), words
        assert ("整" in body) == body.endswith("元整"), words
        assert not body.startswith(("拾", "佰", "仟", "万", "亿")), words  # 壹拾, never a bare 拾
        assert "万亿" not in body and "零万" not in body and "零亿" not in body, words
        cents = int(amount * 100)
        if cents >= 100 and cents % 10 and cents // 10 % 10 == 0:
            assert "元零" in body, words  # 角 is 0 but 分 is not: 零 after 元 is required


# --- date_in_words -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (date(2023, 1, 15), "贰零贰叁年零壹月壹拾伍日"),  # DOMAIN.md §6 example
        (date(2023, 10, 20), "贰零贰叁年零壹拾月零贰拾日"),  # DOMAIN.md §6 example
        (date(2023, 2, 1), "贰零贰叁年零贰月零壹日"),
        (date(2024, 3, 9), "贰零贰肆年叁月零玖日"),
        (date(2024, 9, 10), "贰零贰肆年玖月零壹拾日"),
        (date(2024, 11, 11), "贰零贰肆年壹拾壹月壹拾壹日"),
        (date(2024, 12, 19), "贰零贰肆年壹拾贰月壹拾玖日"),
        (date(2024, 5, 21), "贰零贰肆年伍月贰拾壹日"),
        (date(2024, 7, 30), "贰零贰肆年柒月零叁拾日"),
        (date(2024, 8, 31), "贰零贰肆年捌月叁拾壹日"),
        (date(2000, 6, 6), "贰零零零年陆月零陆日"),
    ],
)
def test_dates_are_written_with_the_pboc_ling_and_yi_rules(day, words):
    assert date_in_words(day) == words


def test_every_day_of_a_leap_year_uses_only_pboc_characters():
    allowed = set("零壹贰叁肆伍陆柒捌玖拾年月日")
    day = date(2024, 1, 1)
    while day.year == 2024:
        words = date_in_words(day)
        assert set(words) <= allowed, words
        month_words = words.split("年")[1].split("月")[0]
        day_words = words.split("月")[1].removesuffix("日")
        assert month_words.startswith("零") == (day.month in (1, 2, 10)), words
        assert day_words.startswith("零") == (day.day < 10 or day.day in (10, 20, 30)), words
        assert not day_words.startswith("拾") and not month_words.startswith("拾"), words
        day = date.fromordinal(day.toordinal() + 1)


def test_date_in_words_refuses_a_string():
    fails(date_in_words, "2023-01-15")
