"""The review steps between qualification and proposal: scores, shortlist, votes, defense, the proposal."""

import datetime as dt
from decimal import Decimal

import pytest

from backend.errors import Conflict, NotFound, NotPermitted, TransitionNotAllowed, ValidationFailed
from honourees import stages
from honourees.models import ExpertAssignment, Nomination, Round, Scheme
from honourees.seeds import BAOTOU_2023
from honourees.services import intake, naming, review
from tests.honourees.conftest import unit_of
from tests.honourees.intake_steps import expert_review, qualify, reload, start_review, submitted

S = Nomination.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def baotou(rounds, office, clerk_of):
    """包头 2023 (4 to name, so a shortlist of 6) in review with seven qualified nominations."""
    round_ = rounds["baotou"]
    Round.objects.filter(pk=round_.pk).update(target_count=4)
    people = []
    for unit_type in ("direct_union", "industry_union", "society"):
        unit = unit_of(round_, unit_type)
        clerk = clerk_of(unit)
        people += [submitted(round_, unit, clerk, name=f"{unit_type}{i}") for i in range(3)]
    start_review(office, round_)
    for n in people[:7]:
        qualify(office, n)
    intake.nomination_withdraw(by=office, nomination_id=people[7].pk, reason="本人放弃")
    naming.nomination_disqualify(by=office, nomination_id=people[8].pk, reason="材料不全")
    round_.refresh_from_db()
    return round_, people[:7]


# --- expert scores ---------------------------------------------------------------------------------------


def test_an_expert_scores_only_their_own_assignments(baotou, office, expert, expert_b):
    round_, people = baotou
    (mine,) = review.experts_assign(by=office, nomination_ids=[people[0].pk], expert_ids=[expert.pk])
    with pytest.raises(NotFound):
        review.expert_score(by=expert_b, assignment_id=mine.pk, score=90)
    with pytest.raises(NotPermitted):
        review.expert_score(by=office, assignment_id=mine.pk, score=90)
    assert ExpertAssignment.objects.get(pk=mine.pk).score is None


@pytest.mark.parametrize("bad", [90.5, "abc", "NaN", "Infinity", -1, 101, "85.555", None, True])
def test_a_score_is_a_mark_from_0_to_100_with_at_most_two_decimals(baotou, office, expert, bad):
    round_, people = baotou
    (a,) = review.experts_assign(by=office, nomination_ids=[people[0].pk], expert_ids=[expert.pk])
    with pytest.raises(ValidationFailed) as caught:
        review.expert_score(by=expert, assignment_id=a.pk, score=bad)
    assert caught.value.field == "score"
    assert reload(people[0]).status == S.QUALIFIED


def test_the_last_experts_score_gives_the_average_and_moves_the_nomination_on(
    baotou, office, expert, expert_b
):
    round_, people = baotou
    a, b = review.experts_assign(
        by=office, nomination_ids=[people[0].pk], expert_ids=[expert.pk, expert_b.pk]
    )
    review.expert_score(by=expert, assignment_id=a.pk, score="88.5")
    assert reload(people[0]).status == S.QUALIFIED
    review.expert_score(by=expert_b, assignment_id=b.pk, score=91)
    n = reload(people[0])
    assert (n.status, n.score) == (S.SCORED, Decimal("89.75"))
    with pytest.raises(TransitionNotAllowed):  # once scored, a score no longer changes
        review.expert_score(by=expert, assignment_id=a.pk, score=10)


def test_experts_score_only_while_the_round_is_in_review(baotou, office, expert):
    round_, people = baotou
    (a,) = review.experts_assign(by=office, nomination_ids=[people[0].pk], expert_ids=[expert.pk])
    review.round_set_status(by=office, round_id=round_.pk, status=Round.Status.OPEN)
    with pytest.raises(Conflict):
        review.expert_score(by=expert, assignment_id=a.pk, score=90)
    with pytest.raises(Conflict):
        review.experts_assign(by=office, nomination_ids=[people[1].pk], expert_ids=[expert.pk])


def test_only_expert_reviewers_are_assigned(baotou, office, auditor):
    round_, people = baotou
    with pytest.raises(ValidationFailed):
        review.experts_assign(by=office, nomination_ids=[people[0].pk], expert_ids=[auditor.pk])
    assert not ExpertAssignment.objects.exists()


# --- batch steps wait for everyone ------------------------------------------------------------------------


def test_the_shortlist_waits_until_every_nomination_has_been_scored(baotou, office, expert):
    round_, people = baotou
    expert_review(office, [expert], {n: (80,) for n in people[:6]})
    with pytest.raises(Conflict) as caught:
        review.round_shortlist(by=office, round_id=round_.pk)
    assert "1 名" in caught.value.zh and "1 nomination" in caught.value.en
    assert all(reload(n).status == S.SCORED for n in people[:6])


def test_the_shortlist_keeps_one_and_a_half_times_the_number_to_name_by_score(baotou, office, expert):
    round_, people = baotou
    expert_review(
        office, [expert], {n: (s,) for n, s in zip(people, [60, 90, 85, 80, 75, 75, 95], strict=True)}
    )
    kept = review.round_shortlist(by=office, round_id=round_.pk)
    assert sorted(n.pk for n in kept) == sorted(n.pk for n in people[1:])
    assert reload(people[0]).status == S.NOT_SELECTED


def test_a_tie_across_the_cut_keeps_both(baotou, office, expert):
    round_, people = baotou
    expert_review(
        office, [expert], {n: (s,) for n, s in zip(people, [95, 90, 85, 80, 75, 70, 70], strict=True)}
    )
    kept = review.round_shortlist(by=office, round_id=round_.pk)
    assert len(kept) == 7  # 1:1.5 of 4 is 6, but the 6th and 7th have the same score


def test_online_votes_are_all_or_nothing_and_take_ids_from_json(baotou, office, expert):
    round_, people = baotou
    expert_review(office, [expert], {n: (90 - i,) for i, n in enumerate(people)})
    shortlisted = review.round_shortlist(by=office, round_id=round_.pk)
    votes = {str(n.pk): 100 + i for i, n in enumerate(shortlisted)}  # as a JSON body gives them

    for spoil in (
        lambda v: v.pop(next(iter(v))),  # a candidate missing
        lambda v: v.update({str(people[6].pk): 5}),  # someone not shortlisted
        lambda v: v.update({next(iter(v)): -1}),  # a negative count
        lambda v: v.update({next(iter(v)): 1.5}),  # not a whole number
        lambda v: v.update({"abc": 1}),  # not an id
    ):
        bad = dict(votes)
        spoil(bad)
        with pytest.raises(ValidationFailed):
            review.round_record_votes(by=office, round_id=round_.pk, votes=bad)
        assert all(reload(n).status == S.SHORTLISTED and reload(n).vote_count is None for n in shortlisted)

    voted = review.round_record_votes(by=office, round_id=round_.pk, votes=votes)
    assert sorted(n.pk for n in voted) == sorted(n.pk for n in shortlisted)
    assert reload(shortlisted[0]).vote_count == 100


@pytest.mark.parametrize("bad", [85.5, "abc", "NaN", 101, "-1", "85.555"])
def test_a_defense_score_is_a_mark_from_0_to_100(baotou, office, expert, bad):
    round_, people = baotou
    expert_review(office, [expert], {n: (90 - i,) for i, n in enumerate(people)})
    shortlisted = review.round_shortlist(by=office, round_id=round_.pk)
    review.round_record_votes(by=office, round_id=round_.pk, votes={n.pk: 1 for n in shortlisted})
    with pytest.raises(ValidationFailed) as caught:
        review.nomination_record_defense(by=office, nomination_id=shortlisted[0].pk, score=bad)
    assert caught.value.field == "score"
    assert review.nomination_record_defense(
        by=office, nomination_id=shortlisted[0].pk, score="88.25"
    ).defense_score == Decimal("88.25")


def test_a_defense_comes_after_the_vote(baotou, office, expert):
    round_, people = baotou
    expert_review(office, [expert], {n: (90 - i,) for i, n in enumerate(people)})
    shortlisted = review.round_shortlist(by=office, round_id=round_.pk)
    with pytest.raises(TransitionNotAllowed):
        review.nomination_record_defense(by=office, nomination_id=shortlisted[0].pk, score=80)


# --- the proposal --------------------------------------------------------------------------------------


def _ready_to_propose(round_, people, office, expert) -> list[Nomination]:
    expert_review(office, [expert], {n: (90 - i,) for i, n in enumerate(people)})
    shortlisted = review.round_shortlist(by=office, round_id=round_.pk)
    review.round_record_votes(by=office, round_id=round_.pk, votes={n.pk: 1 for n in shortlisted})
    for n in shortlisted:
        review.nomination_record_defense(by=office, nomination_id=n.pk, score=80)
    return shortlisted


def test_a_proposal_that_names_nobody_is_refused_and_changes_nothing(baotou, office, expert):
    round_, people = baotou
    defended = _ready_to_propose(round_, people, office, expert)
    for tiers in ({}, {defended[0].pk: "finalist"}):
        with pytest.raises(ValidationFailed):
            naming.round_propose(by=office, round_id=round_.pk, tiers=tiers)
    assert all(reload(n).status == S.DEFENDED for n in defended)


def test_the_proposal_waits_until_everyone_has_been_through_the_defense(baotou, office, expert):
    round_, people = baotou
    expert_review(office, [expert], {n: (90 - i,) for i, n in enumerate(people)})
    shortlisted = review.round_shortlist(by=office, round_id=round_.pk)
    review.round_record_votes(by=office, round_id=round_.pk, votes={n.pk: 1 for n in shortlisted})
    for n in shortlisted[:-1]:
        review.nomination_record_defense(by=office, nomination_id=n.pk, score=80)
    with pytest.raises(Conflict):
        naming.round_propose(by=office, round_id=round_.pk, tiers={shortlisted[0].pk: "named"})
    assert reload(shortlisted[-1]).status == S.VOTED and reload(shortlisted[0]).status == S.DEFENDED


def test_a_proposal_takes_ids_as_strings_and_refuses_someone_not_waiting(baotou, office, expert):
    round_, people = baotou
    defended = _ready_to_propose(round_, people, office, expert)
    with pytest.raises(ValidationFailed) as caught:
        naming.round_propose(
            by=office, round_id=round_.pk, tiers={str(defended[0].pk): "named", str(people[6].pk): "named"}
        )
    assert [e.field for e in caught.value.errors] == ["nomination"]
    proposed = naming.round_propose(by=office, round_id=round_.pk, tiers={str(defended[0].pk): "named"})
    assert [n.pk for n in proposed] == [defended[0].pk]
    assert [reload(n).status for n in defended] == [S.PROPOSED] + [S.NOT_SELECTED] * (len(defended) - 1)


def test_a_proposal_of_a_round_without_review_steps_takes_the_qualified(rounds, office, clerk_of):
    round_ = rounds["jiaozuo"]
    rules = dict(
        round_.rules, stages=[{"kind": "qualification"}, {"kind": "committee"}, {"kind": "notice", "days": 5}]
    )
    Round.objects.filter(pk=round_.pk).update(rules=rules)
    round_.refresh_from_db()
    unit = unit_of(round_, "county_union")
    n = submitted(round_, unit, clerk_of(unit))
    start_review(office, round_)
    qualify(office, n)
    naming.round_propose(by=office, round_id=round_.pk, tiers={n.pk: "named"})
    assert reload(n).status == S.PROPOSED


# --- the path ------------------------------------------------------------------------------------------


def test_qualification_comes_first_wherever_the_stage_list_puts_it():
    scheme = Scheme(code="x", name="X", city="X")
    rules = dict(
        BAOTOU_2023["rules"],
        stages=[{"kind": "expert_review"}, {"kind": "qualification"}, {"kind": "committee"}],
    )
    round_ = Round(scheme=scheme, year=2030, title="x", target_count=1, rules=rules, notice_working_days=5)
    assert stages.path_for(round_) == [S.DRAFT, S.SUBMITTED, S.QUALIFIED, S.SCORED, S.PROPOSED, S.NAMED]
    no_qualification = dict(rules, stages=[{"kind": "online_vote"}])
    round_.rules = no_qualification
    assert stages.path_for(round_) == [S.DRAFT, S.SUBMITTED, S.QUALIFIED, S.VOTED, S.PROPOSED, S.NAMED]


def test_a_notice_of_zero_working_days_means_no_notice():
    scheme = Scheme(code="x", name="X", city="X")
    round_ = Round(
        scheme=scheme, year=2030, title="x", target_count=1, rules=BAOTOU_2023["rules"], notice_working_days=0
    )
    assert not stages.uses_notice(round_)
    assert stages.path_for(round_)[-2:] == [S.PROPOSED, S.NAMED]


def test_objections_dated_before_the_notice_are_refused(baotou, office, expert):
    round_, people = baotou
    defended = _ready_to_propose(round_, people, office, expert)
    naming.round_propose(by=office, round_id=round_.pk, tiers={defended[0].pk: "named"})
    naming.round_start_notice(by=office, round_id=round_.pk, starts_on=dt.date(2023, 4, 10))
    with pytest.raises(ValidationFailed) as caught:
        naming.objection_record(
            by=office, nomination_id=defended[0].pk, received_on=dt.date(2023, 4, 7), summary="早"
        )
    assert caught.value.field == "received_on"
    late = naming.objection_record(
        by=office, nomination_id=defended[0].pk, received_on=dt.date(2023, 4, 15), summary="晚到"
    )
    assert late.outcome == "pending"
