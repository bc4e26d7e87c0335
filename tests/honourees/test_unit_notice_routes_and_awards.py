"""Rules added after the first pass: 包头's unit notice, known route codes, award kinds, one-line fields."""

import pytest

from backend.errors import ValidationFailed
from honourees.models import Nomination
from honourees.services import intake, naming
from tests.honourees.conftest import unit_of

pytestmark = pytest.mark.django_db


def refusal(call) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return caught.value


def test_baotou_needs_the_units_own_notice_to_have_run_its_three_working_days(rounds, clerk_of, nominate):
    r = rounds["baotou"]
    unit = unit_of(r, "direct_union")
    clerk = clerk_of(unit)
    missing = nominate(r, unit, clerk, unit_notice_starts_on="")
    error = refusal(lambda: intake.nomination_submit(by=clerk, nomination_id=missing.pk))
    assert error.field == "unit_notice_starts_on" and "不少于 3 个工作日" in error.zh

    from django.utils import timezone

    today = timezone.localdate()
    running = nominate(r, unit, clerk, unit_notice_starts_on=today.isoformat())
    error = refusal(lambda: intake.nomination_submit(by=clerk, nomination_id=running.pk))
    assert error.field == "unit_notice_starts_on" and "结束后才能报送" in error.zh

    done = nominate(r, unit, clerk, unit_notice_starts_on="2023-02-01")  # Wed: runs to Fri 02-03
    assert intake.nomination_submit(by=clerk, nomination_id=done.pk).status == "submitted"


def test_a_round_without_a_unit_notice_rule_does_not_ask_for_one(rounds, clerk_of, nominate):
    r = rounds["baling"]
    unit = unit_of(r, "county_union")
    clerk = clerk_of(unit)
    n = nominate(r, unit, clerk, unit_notice_starts_on="")
    assert intake.nomination_submit(by=clerk, nomination_id=n.pk).status == "submitted"


def test_claimed_routes_must_be_codes_of_the_round(rounds, clerk_of, nominate):
    r = rounds["baotou"]
    unit = unit_of(r, "direct_union")
    error = refusal(lambda: nominate(r, unit, clerk_of(unit), claimed_routes=["lottery"]))
    assert error.field == "claimed_routes" and "lottery" in error.zh
    assert Nomination.objects.count() == 0


def test_a_provincial_competition_placing_is_not_a_provincial_honour_for_baling(rounds, clerk_of, nominate):
    r = rounds["baling"]
    unit = unit_of(r, "county_union")
    clerk = clerk_of(unit)
    placing = {
        "date": "2021-10",
        "name": "湖南省职业技能大赛第3名",
        "grantor": "湖南省人社厅",
        "level": "省部级",
        "rank": "3",
        "kind": "竞赛",
    }
    n = nominate(r, unit, clerk, awards=[placing])
    assert n.awards[0]["kind"] == "competition"
    assert intake.nomination_submit(by=clerk, nomination_id=n.pk).status == "submitted"

    honour = dict(placing, name="湖南省技术能手", kind="荣誉")
    barred = nominate(r, unit, clerk, awards=[honour])
    error = refusal(lambda: intake.nomination_submit(by=clerk, nomination_id=barred.pk))
    assert "湖南省技术能手" in error.zh


def test_an_award_of_an_unknown_kind_is_refused(rounds, clerk_of, nominate):
    r = rounds["baling"]
    unit = unit_of(r, "county_union")
    award = {"date": "2021", "name": "某奖", "level": "市级", "kind": "彩票"}
    error = refusal(lambda: nominate(r, unit, clerk_of(unit), awards=[award]))
    assert "awards[0].kind" in {e.field for e in error.errors} | {error.field}


def test_one_line_fields_refuse_line_breaks_and_the_category_is_never_assumed(rounds, clerk_of, nominate):
    r = rounds["baling"]
    unit = unit_of(r, "county_union")
    clerk = clerk_of(unit)
    error = refusal(lambda: nominate(r, unit, clerk, employer="岳阳机械厂\n班组长"))
    assert "employer" in {e.field for e in error.errors} | {error.field}
    error = refusal(lambda: nominate(r, unit, clerk, category=""))
    assert "category" in {e.field for e in error.errors} | {error.field}
    assert Nomination.objects.count() == 0


def test_a_long_reason_is_kept_whole_on_the_nomination_even_though_history_holds_100_characters(
    rounds, clerk_of, office, nominate
):
    r = rounds["baling"]
    unit = unit_of(r, "county_union")
    clerk = clerk_of(unit)
    n = intake.nomination_submit(by=clerk, nomination_id=nominate(r, unit, clerk).pk)
    reason = "经核查，申报材料中的获奖证书与授予单位档案不符。" * 8
    out = naming.nomination_disqualify(by=office, nomination_id=n.pk, reason=reason)
    assert out.status == "disqualified" and out.review_note == reason
    assert len(out.history.first().history_change_reason) <= 100
