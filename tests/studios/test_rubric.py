"""The rubric as data: every computed item scored at its threshold, one short, at each step, and at zero;
pauses moving the targets; grades at the pass and excellent lines; the 优秀 cap; bad rubrics refused."""

from decimal import Decimal

import pytest

from backend.errors import ValidationFailed
from studios import rubric as r

D = Decimal


def item(**kw):
    data = {
        "code": "x",
        "zh": "项",
        "en": "item",
        "max": "10",
        "measure": "apprentices_taught",
        "target": 10,
        "per_short": "1",
    }
    data.update(kw)
    return r.parse_items([data])[0]


@pytest.mark.parametrize(
    ("value", "points"),
    [(12, "10"), (10, "10"), (9, "9"), (5, "5"), (1, "1"), (0, "0")],
    ids=["over", "at-threshold", "one-short", "five-short", "nine-short", "none"],
)
def test_roster_item_gives_full_points_at_ten_and_one_less_per_apprentice_short(value, points):
    i = item()  # 杭州: ≥ 10 apprentices a year, 10 points, −1 per apprentice short
    assert r.item_points(i, D(value), i.target) == D(points)


@pytest.mark.parametrize(("value", "points"), [(4, "10"), (3, "10"), (2, "7"), (1, "4"), (0, "1")])
def test_high_skill_item_takes_three_points_per_person_short(value, points):
    i = item(
        measure="upgrades", min_level="senior", target=3, per_short="3"
    )  # 杭州: ≥ 3 高技能人才, −3 per person short
    assert r.item_points(i, D(value), i.target) == D(points)


def test_a_deduction_bigger_than_the_item_stops_at_zero():
    i = item(measure="upgrades", target=3, per_short="5")
    assert r.item_points(i, D(0), i.target) == D(0)
    assert r.item_points(i, D(1), i.target) == D(0)
    assert r.item_points(i, D(2), i.target) == D(5)


@pytest.mark.parametrize(
    ("hours", "points"),
    [("96", "15"), ("95.99", "14"), ("88", "14"), ("87.99", "13"), ("0", "3")],
    ids=["at-threshold", "a-minute-short", "one-full-step-short", "into-the-second-step", "none"],
)
def test_hours_lose_a_point_for_every_started_eight_hours_short(hours, points):
    i = item(measure="hours", max="15", target="96", per_short="1", step="8")
    assert r.item_points(i, D(hours), i.target) == D(points)


@pytest.mark.parametrize(("sessions", "points"), [(24, "10"), (23, "9"), (22, "9"), (21, "8"), (12, "4")])
def test_sessions_lose_a_point_for_every_started_two_short(sessions, points):
    i = item(measure="sessions", target=24, per_short="1", step=2)
    assert r.item_points(i, D(sessions), i.target) == D(points)


def test_upgrades_count_only_those_reaching_the_items_minimum_level():
    high = item(measure="upgrades", min_level="senior", target=3, per_short="3")
    every = item(code="y", measure="upgrades", target=3, per_short="3")
    measures = {"upgrade_levels": ["intermediate", "senior", "technician"]}
    assert r.measure_value(high, measures) == 2
    assert r.measure_value(every, measures) == 3


def test_a_pause_scales_the_targets_rounding_half_up():
    roster = item(target=10)
    hours = item(code="h", measure="hours", target="96", step="8")
    assert r.adjusted_target(roster, D(1)) == 10
    assert r.adjusted_target(roster, D("0.75")) == D(8)  # 7.5 → 8
    assert r.adjusted_target(roster, D("0.74")) == D(7)  # 7.4 → 7
    assert r.adjusted_target(hours, D("0.75")) == D("72.0")
    assert r.adjusted_target(hours, D(1) / 3) == D("32.0")


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("100", "excellent"),
        ("85", "excellent"),
        ("84.99", "pass"),
        ("60", "pass"),
        ("59.99", "fail"),
        ("0", "fail"),
    ],
)
def test_grades_at_the_pass_line_and_the_excellent_line(total, grade):
    assert r.grade_for(D(total), pass_line=D(60), excellent_line=D(85)) == grade


def test_excellent_not_allowed_gives_pass_at_the_excellent_line():
    assert r.grade_for(D(90), pass_line=D(60), excellent_line=D(85), excellent_allowed=False) == "pass"


@pytest.mark.parametrize(("studios", "limit"), [(4, 0), (5, 1), (9, 1), (10, 2)])
def test_a_twenty_percent_cap_rounds_down(studios, limit):
    assert r.excellent_limit(D("0.20"), studios) == limit
    assert r.excellent_limit(None, studios) is None


def test_a_sheet_adds_computed_and_assessor_points():
    items = r.parse_items(r.BALING_RUBRIC["items"])
    measures = {
        "sessions": 24,
        "hours": D(96),
        "apprentices_taught": 10,
        "upgrade_levels": ["senior"] * 3,
        "agreements": 5,
    }
    sheet = r.score(items, measures, D(1), {"site": D("12.50"), "innovation": D(10), "exchange": D(8)})
    assert sheet.total == D("90.50")  # 60 from the logs + 30.5 from the assessors
    assert [x.points for x in sheet.results if x.item.computed] == [D(10), D(15), D(10), D(10), D(15)]


def test_the_baling_rubric_is_valid_and_totals_100():
    items = r.parse_items(r.BALING_RUBRIC["items"])
    assert sum(i.max for i in items) == 100
    r.check_lines(items, pass_line=D(60), excellent_line=D(85), excellent_cap=D("0.20"))


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"measure": "likes"}, "items[0].measure"),
        ({"max": "-1"}, "items[0].max"),
        ({"max": 1.5}, "items[0].max"),
        ({"target": "2.5"}, "items[0].target"),
        ({"zh": ""}, "items[0].zh"),
        ({"min_level": "senior"}, "items[0].min_level"),
        ({"colour": "red"}, "items[0].colour"),
        ({"code": "有"}, "items[0].code"),
    ],
)
def test_a_bad_rubric_item_is_refused_naming_its_path(change, path):
    with pytest.raises(ValidationFailed) as e:
        item(**change)
    assert e.value.field == path
    assert "评分细则" in e.value.zh and "Rubric" in e.value.en


def test_repeated_codes_and_lines_out_of_order_are_refused():
    with pytest.raises(ValidationFailed) as e:
        r.parse_items([{"code": "a", "zh": "甲", "en": "a", "max": "5", "measure": "assessor"}] * 2)
    assert e.value.field == "items[1].code"
    items = r.parse_items(r.BALING_RUBRIC["items"])
    with pytest.raises(ValidationFailed) as e:
        r.check_lines(items, pass_line=D(90), excellent_line=D(85), excellent_cap=None)
    assert e.value.field == "excellent_line"
    with pytest.raises(ValidationFailed) as e:
        r.check_lines(items, pass_line=D(60), excellent_line=D(85), excellent_cap=D("1.5"))
    assert e.value.field == "excellent_cap"
