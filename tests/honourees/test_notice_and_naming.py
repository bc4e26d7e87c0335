"""The public notice (公示) in working days, objections during it, and naming after it."""

import datetime as dt

import chinese_calendar
import pytest
from dateutil.relativedelta import relativedelta

from backend.errors import Conflict, TransitionNotAllowed, ValidationFailed
from honourees.models import Debarment, Honouree, Nomination, Objection, Round
from honourees.services import intake, naming, review
from honourees.signals import honouree_named
from tests.honourees.conftest import unit_of
from tests.honourees.intake_steps import draft, expert_review, qualify, reload, start_review, submitted

S = Nomination.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def proposed(rounds, office, clerk_of, expert):
    """巴陵 2023 with three candidates proposed for naming, by name."""
    round_ = rounds["baling"]
    unit = unit_of(round_, "county_union")
    clerk = clerk_of(unit)
    people = {name: submitted(round_, unit, clerk, name=name) for name in ("甲", "乙", "丙")}
    start_review(office, round_)
    for n in people.values():
        qualify(office, n)
    expert_review(office, [expert], {n: (90,) for n in people.values()})
    for n in people.values():
        review.nomination_record_inspection(by=office, nomination_id=n.pk, notes="属实")
    naming.round_propose(by=office, round_id=round_.pk, tiers={n.pk: "named" for n in people.values()})
    return round_, {name: reload(n) for name, n in people.items()}


def start_notice(office, round_, on: dt.date) -> Round:
    return naming.round_start_notice(by=office, round_id=round_.pk, starts_on=on)


# --- the notice's end in working days ---------------------------------------------------------------------


def test_the_calendar_data_has_the_adjusted_working_days_these_tests_rely_on():
    # National Day 2023: 09-29 (中秋) to 10-06 off; Saturday 10-07 and Sunday 10-08 were 调休 working days.
    assert not any(chinese_calendar.is_workday(dt.date(2023, 9, 29) + dt.timedelta(days=i)) for i in range(8))
    assert chinese_calendar.is_workday(dt.date(2023, 10, 7)) and chinese_calendar.is_workday(
        dt.date(2023, 10, 8)
    )
    # Spring Festival 2024: 02-10 to 02-17 off; Sunday 02-04 and Sunday 02-18 were 调休 working days.
    assert not any(chinese_calendar.is_workday(dt.date(2024, 2, 10) + dt.timedelta(days=i)) for i in range(8))
    assert chinese_calendar.is_workday(dt.date(2024, 2, 4)) and chinese_calendar.is_workday(
        dt.date(2024, 2, 18)
    )


@pytest.mark.parametrize(
    ("starts", "ends"),
    [
        # Thu 09-28 is day 1; 09-29..10-06 are off; Sat 10-07 (2), Sun 10-08 (3), Mon 10-09 (4), Tue 10-10 (5).
        (dt.date(2023, 9, 28), dt.date(2023, 10, 10)),
        # Published on the 中秋 holiday itself: the count starts on Sat 10-07 → 10-07, 08, 09, 10, 11.
        (dt.date(2023, 9, 29), dt.date(2023, 10, 11)),
        # Thu 02-08 (1), Fri 02-09 (2); 02-10..02-17 off; Sun 02-18 (3), Mon 02-19 (4), Tue 02-20 (5).
        (dt.date(2024, 2, 8), dt.date(2024, 2, 20)),
        # Sun 02-04 is a 调休 working day and counts itself: 02-04, 05, 06, 07, 08.
        (dt.date(2024, 2, 4), dt.date(2024, 2, 8)),
        # DOMAIN.md §4: 5 working days from 2021-09-14 end on the 调休 Saturday 09-18.
        (dt.date(2021, 9, 14), dt.date(2021, 9, 18)),
    ],
)
def test_the_notice_ends_after_five_working_days_counting_holidays_and_adjusted_days(
    proposed, office, starts, ends
):
    round_, people = proposed
    notice = start_notice(office, round_, starts)
    assert (notice.notice_starts_on, notice.notice_ends_on) == (starts, ends)
    assert notice.notice_calendar.startswith("chinese_calendar")
    assert notice.status == Round.Status.IN_NOTICE
    assert all(reload(n).status == S.IN_NOTICE for n in people.values())


def test_naming_is_refused_until_the_day_after_the_notice_ends(proposed, office):
    round_, people = proposed
    start_notice(office, round_, dt.date(2023, 9, 28))
    for too_early in (dt.date(2023, 9, 28), dt.date(2023, 10, 9), dt.date(2023, 10, 10)):
        with pytest.raises(Conflict) as caught:
            naming.round_name(by=office, round_id=round_.pk, named_on=too_early)
        assert caught.value.field == "named_on" and "2023-10-10" in caught.value.zh
    assert not Honouree.objects.exists()
    named = naming.round_name(by=office, round_id=round_.pk, named_on=dt.date(2023, 10, 11))
    assert len(named) == 3 and all(reload(n).status == S.NAMED for n in people.values())


def test_a_round_is_named_once(proposed, office):
    round_, _ = proposed
    start_notice(office, round_, dt.date(2023, 9, 28))
    naming.round_name(by=office, round_id=round_.pk, named_on=dt.date(2023, 10, 11))
    with pytest.raises(Conflict):
        naming.round_name(by=office, round_id=round_.pk, named_on=dt.date(2023, 10, 12))
    assert Honouree.objects.count() == 3


def test_a_round_in_notice_cannot_be_sent_back_to_review_leaving_its_candidates_stranded(proposed, office):
    round_, people = proposed
    start_notice(office, round_, dt.date(2023, 9, 28))
    with pytest.raises(Conflict):
        review.round_set_status(by=office, round_id=round_.pk, status=Round.Status.REVIEWING)
    assert Round.objects.get(pk=round_.pk).status == Round.Status.IN_NOTICE


def test_a_notice_needs_someone_proposed_and_a_round_with_a_notice_is_not_named_without_one(rounds, office):
    round_ = rounds["baling"]
    start_review(office, round_)
    with pytest.raises(Conflict):
        start_notice(office, round_, dt.date(2023, 10, 9))
    with pytest.raises(Conflict):
        naming.round_name(by=office, round_id=round_.pk, named_on=dt.date(2023, 10, 9))


# --- objections ------------------------------------------------------------------------------------------


def test_an_upheld_objection_removes_the_candidate_and_the_others_are_named(proposed, office):
    round_, people = proposed
    start_notice(office, round_, dt.date(2023, 9, 28))
    objection = naming.objection_record(
        by=office,
        nomination_id=people["乙"].pk,
        received_on=dt.date(2023, 10, 8),
        summary="实名反映：业绩不实",
    )
    naming.objection_decide(
        by=office,
        objection_id=objection.pk,
        upheld=True,
        finding="经核实，专利非本人",
        on=dt.date(2023, 10, 9),
    )
    removed = reload(people["乙"])
    assert removed.status == S.DISQUALIFIED and "专利非本人" in removed.review_note
    assert not Debarment.objects.exists()  # not found to be false claims: no ban

    naming.round_name(by=office, round_id=round_.pk, named_on=dt.date(2023, 10, 11))
    assert sorted(h.person.name for h in Honouree.objects.filter(round=round_)) == ["丙", "甲"]
    assert not Honouree.objects.filter(nomination=removed).exists()
    with pytest.raises(Conflict):  # a decided objection stays decided
        naming.objection_decide(by=office, objection_id=objection.pk, upheld=False, finding="改判")


def test_false_claims_under_baling_debar_for_three_years_and_a_later_round_refuses_the_person(
    proposed, office, clerk_of
):
    round_, people = proposed
    start_notice(office, round_, dt.date(2023, 9, 28))
    liar = people["丙"]
    objection = naming.objection_record(
        by=office, nomination_id=liar.pk, received_on=dt.date(2023, 10, 8), summary="获奖证书系伪造"
    )
    naming.objection_decide(
        by=office, objection_id=objection.pk, upheld=True, finding="证书伪造属实", false_claims=True
    )
    today = dt.date.today()
    ban = Debarment.objects.get()
    assert (ban.person_id, ban.scheme_id, ban.source_id) == (liar.person_id, round_.scheme_id, liar.pk)
    assert (ban.starts_on, ban.ends_on) == (today, today + relativedelta(years=3) - dt.timedelta(days=1))
    assert "证书伪造属实" in ban.reason
    naming.round_name(by=office, round_id=round_.pk, named_on=dt.date(2023, 10, 11))
    assert reload(liar).status == S.DISQUALIFIED

    later = Round.objects.create(
        scheme=round_.scheme,
        year=2024,
        title="2024年“巴陵工匠”选拔",
        target_count=20,
        rules=round_.rules,
        status=Round.Status.OPEN,
    )
    unit = unit_of(later, "county_union")
    again = {
        "name": liar.person.name,
        "id_number": liar.person.id_number,
        "gender": "M",
        "birth_date": liar.person.birth_date,
    }
    with pytest.raises(ValidationFailed) as caught:
        draft(later, unit, clerk_of(unit), person=again)
    assert caught.value.field == "id_number" and str(ban.ends_on) in caught.value.zh
    assert not Nomination.objects.filter(round=later).exists()


def test_a_ban_from_an_old_decision_has_run_out(proposed, office, clerk_of):
    round_, people = proposed
    start_notice(office, round_, dt.date(2023, 9, 28))
    objection = naming.objection_record(
        by=office, nomination_id=people["甲"].pk, received_on=dt.date(2023, 10, 8), summary="材料不实"
    )
    naming.objection_decide(
        by=office,
        objection_id=objection.pk,
        upheld=True,
        finding="属实",
        false_claims=True,
        on=dt.date(2023, 10, 9),
    )
    assert Debarment.objects.get().ends_on == dt.date(2026, 10, 8)
    later = Round.objects.create(
        scheme=round_.scheme,
        year=2027,
        title="2027",
        target_count=20,
        rules=round_.rules,
        status=Round.Status.OPEN,
    )
    person = reload(people["甲"]).person
    again = {"name": person.name, "id_number": person.id_number, "birth_date": person.birth_date}
    unit = unit_of(later, "county_union")
    assert draft(later, unit, clerk_of(unit), person=again).status == S.DRAFT


def test_a_ban_decided_on_the_29th_of_february_ends_three_years_later(proposed, office):
    round_, people = proposed
    start_notice(office, round_, dt.date(2023, 9, 28))
    objection = naming.objection_record(
        by=office, nomination_id=people["甲"].pk, received_on=dt.date(2023, 10, 8), summary="虚报"
    )
    naming.objection_decide(
        by=office,
        objection_id=objection.pk,
        upheld=True,
        finding="属实",
        false_claims=True,
        on=dt.date(2024, 2, 29),
    )
    assert Debarment.objects.get().ends_on == dt.date(2027, 2, 27)


def test_false_claims_do_not_debar_where_the_notice_sets_no_ban(rounds, office, clerk_of):
    round_ = rounds["jinzhong"]
    unit = unit_of(round_, "city_unit")
    n = submitted(round_, unit, clerk_of(unit))
    start_review(office, round_)
    naming.nomination_disqualify(by=office, nomination_id=n.pk, reason="材料造假", false_claims=True)
    assert reload(n).status == S.DISQUALIFIED
    assert not Debarment.objects.exists()


def test_a_pending_objection_blocks_naming_until_it_is_decided(proposed, office):
    round_, people = proposed
    start_notice(office, round_, dt.date(2023, 9, 28))
    objection = naming.objection_record(
        by=office, nomination_id=people["甲"].pk, received_on=dt.date(2023, 10, 10), summary="匿名电话反映"
    )
    with pytest.raises(Conflict) as caught:
        naming.round_name(by=office, round_id=round_.pk, named_on=dt.date(2023, 10, 11))
    assert "1 条异议" in caught.value.zh and "1 objection" in caught.value.en
    assert not Honouree.objects.exists() and reload(people["甲"]).status == S.IN_NOTICE

    naming.objection_decide(by=office, objection_id=objection.pk, upheld=False, finding="经核实，反映不实")
    assert Objection.objects.get().outcome == Objection.Outcome.DISMISSED
    naming.round_name(by=office, round_id=round_.pk, named_on=dt.date(2023, 10, 11))
    assert reload(people["甲"]).status == S.NAMED


def test_objections_are_taken_only_against_candidates_in_notice(proposed, office):
    round_, people = proposed
    with pytest.raises(Conflict):
        naming.objection_record(
            by=office, nomination_id=people["甲"].pk, received_on=dt.date(2023, 9, 27), summary="早"
        )
    start_notice(office, round_, dt.date(2023, 9, 28))
    with pytest.raises(ValidationFailed):
        naming.objection_record(
            by=office, nomination_id=people["甲"].pk, received_on=dt.date(2023, 9, 28), summary=" "
        )


def test_a_named_candidate_cannot_be_disqualified_afterwards(proposed, office):
    round_, people = proposed
    start_notice(office, round_, dt.date(2023, 9, 28))
    naming.round_name(by=office, round_id=round_.pk, named_on=dt.date(2023, 10, 11))
    with pytest.raises(TransitionNotAllowed):
        naming.nomination_disqualify(by=office, nomination_id=people["甲"].pk, reason="迟到的举报")


# --- naming is one transaction ------------------------------------------------------------------------


def test_a_failing_receiver_of_honouree_named_undoes_the_whole_naming(proposed, office):
    round_, people = proposed
    start_notice(office, round_, dt.date(2023, 9, 28))
    calls = []

    def award_plan(sender, honouree, by, **kwargs):
        calls.append(honouree.certificate_no)
        if len(calls) == 2:
            raise RuntimeError("funding could not make the award plan")

    honouree_named.connect(award_plan, dispatch_uid="test-failing-award-plan")
    try:
        with pytest.raises(RuntimeError):
            naming.round_name(by=office, round_id=round_.pk, named_on=dt.date(2023, 10, 11))
    finally:
        honouree_named.disconnect(dispatch_uid="test-failing-award-plan")

    assert calls == ["BALING-2023-001", "BALING-2023-002"]
    assert not Honouree.objects.exists()
    assert [reload(n).status for n in people.values()] == [S.IN_NOTICE] * 3
    assert Round.objects.get(pk=round_.pk).status == Round.Status.IN_NOTICE
    # Once the receiver is fixed, the same naming goes through.
    assert len(naming.round_name(by=office, round_id=round_.pk, named_on=dt.date(2023, 10, 11))) == 3


def test_every_receiver_hears_of_every_honouree_with_who_named_them(proposed, office):
    round_, _ = proposed
    start_notice(office, round_, dt.date(2023, 9, 28))
    heard = []

    def receiver(sender, honouree, by, **kwargs):
        heard.append((sender, honouree.pk is not None, by))

    honouree_named.connect(receiver, dispatch_uid="test-receiver")
    try:
        naming.round_name(by=office, round_id=round_.pk, named_on=dt.date(2023, 10, 11))
    finally:
        honouree_named.disconnect(dispatch_uid="test-receiver")
    assert heard == [(Honouree, True, office)] * 3


def test_a_person_already_named_once_cannot_be_named_again_in_the_next_round(proposed, office, clerk_of):
    round_, people = proposed
    start_notice(office, round_, dt.date(2023, 9, 28))
    naming.round_name(by=office, round_id=round_.pk, named_on=dt.date(2023, 10, 11))
    later = Round.objects.create(
        scheme=round_.scheme,
        year=2024,
        title="2024",
        target_count=20,
        rules=round_.rules,
        status=Round.Status.OPEN,
    )
    person = reload(people["甲"]).person
    unit = unit_of(later, "county_union")
    clerk = clerk_of(unit)
    n = draft(later, unit, clerk, person={"name": person.name, "id_number": person.id_number})
    with pytest.raises(ValidationFailed) as caught:
        intake.nomination_submit(by=clerk, nomination_id=n.pk)
    assert "已被命名为巴陵工匠 2023" in caught.value.zh
