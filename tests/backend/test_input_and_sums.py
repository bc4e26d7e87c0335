"""The shared readers of typed and cell values, and the one SUM for amounts (quantized on every backend)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db.models import DecimalField, Q, Value

from backend.errors import ValidationFailed
from backend.input import cell_text, form_date, form_int, whole_number
from backend.money import DecimalSum, sum_money


def test_form_values_are_read_with_their_default_and_a_bad_date_names_its_field():
    assert form_int("12") == 12 and form_int("x") is None and form_int(None, 0) == 0
    assert form_date(" 2026-12-01 ", field="on") == dt.date(2026, 12, 1)
    assert form_date("", field="on") is None
    assert form_date("", field="on", default=dt.date(2026, 1, 2)) == dt.date(2026, 1, 2)
    with pytest.raises(ValidationFailed) as missing:
        form_date("", field="paid_on", required=True)
    assert missing.value.field == "paid_on" and "请填写日期" in missing.value.zh
    with pytest.raises(ValidationFailed) as bad:
        form_date("2026-13-01", field="on")
    assert bad.value.field == "on" and "2026-13-01" in bad.value.zh and "not a date" in bad.value.en


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (None, ""),
        (13800138000.0, "13800138000"),
        (2.5, "2.5"),
        (dt.datetime(2024, 1, 5), "2024-01-05"),
        (dt.datetime(2024, 1, 5, 9, 30), "2024-01-05 09:30:00"),
        ("\u3000岳阳 机械厂 ", "岳阳 机械厂"),
    ],
)
def test_a_cell_reads_as_the_text_a_person_sees(cell, text):
    assert cell_text(cell) == text


@pytest.mark.parametrize(
    ("cell", "number"),
    [(3, 3), ("3", 3), (" 3 ", 3), (3.0, 3), (Decimal("4"), 4), ("-2", -2)]
    + [(2.5, None), ("x", None), (True, None), (float("inf"), None), ("３", None), ("", None)],
)
def test_whole_numbers_come_from_ints_text_and_whole_floats_only(cell, number):
    assert whole_number(cell) == number


@pytest.mark.django_db
def test_a_sum_of_amounts_has_two_places_and_is_zero_point_zero_zero_over_no_rows():
    User.objects.create(username="alice")
    User.objects.create(username="bob")
    four = Value(Decimal("4"), output_field=DecimalField(max_digits=14, decimal_places=2))
    totals = User.objects.aggregate(
        all=sum_money(four),
        none=sum_money(four, filter=Q(username="nobody")),
        hours=DecimalSum(four, places=1),
    )
    assert [str(totals["all"]), str(totals["none"]), str(totals["hours"])] == ["8.00", "0.00", "8.0"]
    rows = User.objects.order_by("username").values("username").annotate(s=sum_money(four))
    assert [str(r["s"]) for r in rows] == ["4.00", "4.00"]
