"""Money: parse, round, split, withhold tax, and write amounts and dates in words for 票据.

Pure functions, and ``sum_money``: the one aggregate for amounts in queries. Money is ``Decimal`` with two places, as stored in ``DecimalField(14, 2)``;
a float is never money and is refused wherever an amount comes in. Bad input raises ``ValidationFailed``
with a Chinese and an English message.

Decisions (see DOMAIN.md §6 and PBOC《正确填写票据和结算凭证的基本规定》):

- User input is never rounded: ``to_money`` refuses a third decimal place that is not zero. Computed
  amounts (a tax rate times a gross amount) are rounded in one place, ``quantize``, half up to the cent.
- ``sum_money`` sums with the result typed ``DecimalField(14, 2)`` and 0.00 for no rows, so every backend
  returns it quantized (SQLite gives a bare SUM back without its places: 8, not 8.00).
- ``split`` and ``split_by_weights`` round every share down to the cent and put the remainder on the last
  part (as pretix does), so the parts always add up to the total exactly.
- Where the PBOC allows a 零 to be written or left out (the 万 or 元 place is 0 but the next place is
  not), we write it after 元 and leave it out after 万/亿: the first official form of each example. Amounts from 10 to 19 start with 壹拾, never a bare 拾.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction
from math import floor

from django.db.models import DecimalField, Sum

from backend.errors import ValidationFailed

__all__ = [
    "CENT",
    "DecimalSum",
    "MAX_AMOUNT",
    "amount_in_words",
    "date_in_words",
    "quantize",
    "require_positive",
    "split",
    "split_by_weights",
    "sum_money",
    "to_money",
    "withhold_tax",
]

CENT = Decimal("0.01")
# The largest value a DecimalField(max_digits=14, decimal_places=2) holds.
MAX_AMOUNT = Decimal("999999999999.99")

# A plain number: optional sign, digits, optional decimal point. No thousands separators, no exponent.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ("", "拾", "佰", "仟")  # within a group of four digits
_GROUPS = ("", "万", "亿")  # 12 integer digits at most: 9999亿9999万9999


def _decimal(value, *, field: str | None, what_zh: str, what_en: str) -> Decimal:
    """A finite Decimal from a Decimal, an int or a plain numeric string; never from a float."""
    if isinstance(value, float):
        raise ValidationFailed(
            zh=f"{what_zh}不能是浮点数（{value!r}），请使用 Decimal、整数或数字字符串。",
            en=f"The {what_en} must not be a float ({value!r}); use a Decimal, an int or a numeric string.",
            field=field,
        )
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ValidationFailed(
            zh=f"{what_zh}必须是数字，收到的是 {type(value).__name__}。",
            en=f"The {what_en} must be a number, not {type(value).__name__}.",
            field=field,
        )
    if isinstance(value, str):
        text = value.strip()
        if not _PLAIN_NUMBER.fullmatch(text):
            raise ValidationFailed(
                zh=f"{what_zh}“{value}”不是数字（只能包含数字和小数点，不能有逗号或其他符号）。",
                en=f"The {what_en} '{value}' is not a plain number (digits and a decimal point only, no commas).",
                field=field,
            )
        value = text
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError) as exc:  # pragma: no cover - the pattern above admits only numbers
        raise ValidationFailed(
            zh=f"{what_zh}“{value}”不是数字。", en=f"The {what_en} '{value}' is not a number.", field=field
        ) from exc
    if not number.is_finite():
        raise ValidationFailed(
            zh=f"{what_zh}必须是有限的数字，收到的是 {number}。",
            en=f"The {what_en} must be a finite number, not {number}.",
            field=field,
        )
    return number


def to_money(value, *, field: str | None = None) -> Decimal:
    """The amount as a Decimal with exactly two places; refuses floats, extra decimals and out-of-range values."""
    number = _decimal(value, field=field, what_zh="金额", what_en="amount")
    if abs(number) > MAX_AMOUNT:
        raise ValidationFailed(
            zh=f"金额 {number} 超出范围，绝对值不能超过 {MAX_AMOUNT}。",
            en=f"The amount {number} is out of range; it must be between -{MAX_AMOUNT} and {MAX_AMOUNT}.",
            field=field,
        )
    money = number.quantize(CENT)  # exact when the check below passes; never used to round input
    if money != number:
        raise ValidationFailed(
            zh=f"金额 {value} 的小数超过两位（最小单位是分），请核对后重新输入。",
            en=f"The amount {value} has more than two decimal places (the smallest unit is the fen).",
            field=field,
        )
    return money if money else Decimal("0.00")  # no "-0.00"


def quantize(value: Decimal) -> Decimal:
    """A computed amount rounded half up to the cent: the one place where money is rounded.

    Used for results such as tax = 20% of gross (0.025 → 0.03), never for what a person typed: user input
    goes through ``to_money``, which refuses a third decimal place. ROUND_HALF_UP is how amounts are
    rounded on Chinese vouchers and tax returns (四舍五入), not Python's default banker's rounding.
    """
    if isinstance(value, str):
        raise ValidationFailed(
            zh="只能对计算出的金额取整；输入的金额请用 to_money。",
            en="Only computed amounts are rounded; use to_money for input.",
        )
    number = _decimal(value, field=None, what_zh="金额", what_en="amount")
    try:
        rounded = number.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than the decimal context holds
        raise ValidationFailed(
            zh=f"计算出的金额 {number} 过大。", en=f"The computed amount {number} is too large."
        ) from exc
    return rounded if rounded else Decimal("0.00")


class DecimalSum(Sum):
    """SUM quantized to ``places`` decimals on every backend, 0 (with its places) when no row matches.

    SQLite hands back a computed decimal without its places (8, not 8.00) and Django quantizes only plain
    columns, so the value is quantized here, as the aggregate's own converter.
    """

    def __init__(self, expression, *, places: int = 2, **extra):
        self.places = places
        super().__init__(expression, output_field=DecimalField(max_digits=14, decimal_places=places), **extra)

    def convert_value(self, value, expression, connection):
        exponent = Decimal(1).scaleb(-self.places)
        return (Decimal(0) if value is None else Decimal(value)).quantize(exponent, rounding=ROUND_HALF_UP)


def sum_money(expression, **extra) -> DecimalSum:
    """SUM of an amount: a Decimal with two places, 0.00 when no row matches."""
    return DecimalSum(expression, places=2, **extra)


def require_positive(amount, *, field: str = "amount") -> Decimal:
    """The amount as money, guaranteed greater than zero; otherwise ValidationFailed naming the field."""
    money = to_money(amount, field=field)
    if money <= 0:
        raise ValidationFailed(
            zh=f"{field} 必须大于零，收到的是 {money}。",
            en=f"{field} must be greater than zero, not {money}.",
            field=field,
        )
    return money


def _cents(amount, *, field: str) -> int:
    money = to_money(amount, field=field)
    if money < 0:
        raise ValidationFailed(
            zh=f"要拆分的金额不能为负数，收到的是 {money}。",
            en=f"The amount to split must not be negative, not {money}.",
            field=field,
        )
    return int(money * 100)


def _from_cents(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2).quantize(CENT)


def split(total, parts: int) -> list[Decimal]:
    """``parts`` instalments, each rounded down to the cent, the remainder on the last; they sum to total."""
    if isinstance(parts, bool) or not isinstance(parts, int) or parts < 1:
        raise ValidationFailed(
            zh=f"分期数必须是不小于 1 的整数，收到的是 {parts!r}。",
            en=f"The number of parts must be a whole number of at least 1, not {parts!r}.",
            field="parts",
        )
    cents = _cents(total, field="total")
    share = cents // parts  # rounded down: the total is not negative
    return [_from_cents(share)] * (parts - 1) + [_from_cents(cents - share * (parts - 1))]


def split_by_weights(total, weights: list[Decimal | int]) -> list[Decimal]:
    """Shares of total in proportion to weights, each rounded down to the cent, summing to total exactly.

    The remainder goes on the last part with a positive weight, so a part weighted 0 always gets 0.00.
    """
    if not weights:
        raise ValidationFailed(zh="至少需要一个权重。", en="At least one weight is needed.", field="weights")
    exact = [Fraction(_decimal(w, field="weights", what_zh="权重", what_en="weight")) for w in weights]
    if any(w < 0 for w in exact) or sum(exact) <= 0:
        raise ValidationFailed(
            zh="权重不能为负数，且至少有一个大于零。",
            en="Weights must not be negative and at least one must be greater than zero.",
            field="weights",
        )
    cents = _cents(total, field="total")
    weight_sum = sum(exact)
    # Fractions keep every share exact before it is rounded down; Decimal division could round first.
    shares = [floor(cents * w / weight_sum) for w in exact]
    last = max(i for i, w in enumerate(exact) if w > 0)
    shares[last] += cents - sum(shares)
    return [_from_cents(s) for s in shares]


def withhold_tax(gross, rate) -> tuple[Decimal, Decimal]:
    """(tax, net) where tax = gross × rate rounded half up to the cent and tax + net == gross exactly."""
    gross = to_money(gross, field="gross")
    if gross < 0:
        raise ValidationFailed(
            zh=f"应发金额不能为负数，收到的是 {gross}。",
            en=f"The gross amount must not be negative, not {gross}.",
            field="gross",
        )
    rate = _decimal(rate, field="rate", what_zh="税率", what_en="tax rate")
    if not 0 <= rate <= 1:
        raise ValidationFailed(
            zh=f"税率必须在 0 到 1 之间（例如 0.20 表示 20%），收到的是 {rate}。",
            en=f"The tax rate must be between 0 and 1 (0.20 means 20%), not {rate}.",
            field="rate",
        )
    tax = quantize(gross * rate)
    return tax, gross - tax


def amount_in_words(amount, *, prefix: bool = True) -> str:
    """The amount in Chinese capitals as PBOC《正确填写票据和结算凭证的基本规定》requires for 票据.

    Rules (PBOC 正确填写票据和结算凭证的基本规定, DOMAIN.md §6):
    - only 零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整; "人民币" directly before the amount when ``prefix``;
    - 整 after 元 when there are no 角 or 分; nothing after 角 (整 is optional there and we leave it out, as
      in the official example 人民币壹仟肆佰零玖元伍角); never anything after 分;
    - a 0 in the middle is written 零, and a run of 0s as one 零 (陆仟零柒元);
    - 角 is 0 but 分 is not: 零 after 元 is required (叁佰贰拾伍元零肆分);
    - the 万 or 元 place is 0 but the next place is not: the PBOC allows one 零 or none. We write it after
      元 and leave it out after 万/亿, which gives the first official form of both examples:
      壹仟陆佰捌拾元零叁角贰分 and 壹拾万柒仟元零伍角叁分. A run of several 0s across 万 still gets its
      零 (壹拾万零壹佰元整), as any run in the middle does. The 亿 place is treated like 万.
    - 10–19 are written 壹拾…, never a bare 拾 (the banking form: 壹拾伍元整), so no digit can be added in front;
    - below one yuan there is no 元 and no leading 零: 0.05 → 人民币伍分, 0.50 → 人民币伍角; zero → 人民币零元整.
    Negative amounts are refused: a voucher never shows a negative amount in words.
    """
    money = to_money(amount, field="amount")
    if money < 0:
        raise ValidationFailed(
            zh=f"大写金额不能为负数，收到的是 {money}。",
            en=f"A negative amount ({money}) cannot be written in words on a voucher.",
            field="amount",
        )
    cents = int(money * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    head = "人民币" if prefix else ""
    if cents == 0:
        return head + "零元整"

    out: list[str] = []
    zero_pending = False  # a 0 (or a run of 0s) after something written and before the next non-zero digit
    digits = str(yuan) if yuan else ""
    for i, ch in enumerate(digits):
        position = len(digits) - 1 - i  # 0 = 元 place
        place, group = position % 4, position // 4
        d = int(ch)
        if d:
            if zero_pending:
                out.append("零")
                zero_pending = False
            out.append(_DIGITS[d] + _PLACES[place])
        elif not (place == 0 and group > 0 and not zero_pending and digits[i + 1] != "0"):
            # The leading digit is never 0, so something is already written before this 0. A lone 0 in
            # the 万/亿 place followed by a non-zero digit gets no 零 (壹拾万柒仟, as in the PBOC example).
            zero_pending = True
        if place == 0 and group > 0 and int(digits[max(0, i - 3) : i + 1]):
            out.append(_GROUPS[group])  # 万/亿 after a group of four that is not all zeros
    if yuan:
        out.append("元")
        if not jiao and not fen:
            return head + "".join(out) + "整"
    for d, unit in ((jiao, "角"), (fen, "分")):
        if d:
            if zero_pending:
                out.append("零")
                zero_pending = False
            out.append(_DIGITS[d] + unit)
        elif yuan:
            zero_pending = True
    return head + "".join(out)


def _number_in_words(n: int) -> str:
    """1–99 for months and days: 壹…玖, 壹拾, 壹拾壹, 贰拾, 叁拾壹 (always 壹拾, never a bare 拾)."""
    tens, units = divmod(n, 10)
    if not tens:
        return _DIGITS[units]
    return _DIGITS[tens] + "拾" + (_DIGITS[units] if units else "")


def date_in_words(d: date) -> str:
    """The date as written on 票据: year digit by digit, month and day with the PBOC 零/壹 rules.

    PBOC 正确填写票据和结算凭证的基本规定: months 壹, 贰 and 壹拾 and days 壹–玖, 壹拾, 贰拾 and 叁拾 get 零 in
    front (so nothing can be written before them); days 11–19 are written 壹拾壹…壹拾玖.
    Example: 2023-10-20 → 贰零贰叁年零壹拾月零贰拾日.
    """
    if not isinstance(d, date):
        raise ValidationFailed(zh=f"日期格式不正确：{d!r}。", en=f"Not a date: {d!r}.", field="date")
    year = "".join(_DIGITS[int(ch)] for ch in f"{d.year:04d}")
    month = ("零" if d.month in (1, 2, 10) else "") + _number_in_words(d.month)
    day = ("零" if d.day < 10 or d.day % 10 == 0 else "") + _number_in_words(d.day)
    return f"{year}年{month}月{day}日"
