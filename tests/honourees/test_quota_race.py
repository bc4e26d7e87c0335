"""Races on PostgreSQL with real threads: the last quota slot, and naming a round, happen once.

Each thread has its own database connection (Django's are per thread) and closes it when done; a barrier
releases the threads together, and each race is run several times so that a missing lock shows up.
"""

import datetime as dt
from functools import partial

import pytest

from backend.errors import Conflict, QuotaExceeded
from honourees.models import Honouree, Nomination, Objection, RecommendingUnit, Round
from honourees.services import intake, naming, review
from tests.honourees.conftest import unit_of
from tests.honourees.intake_steps import draft, expert_review, qualify, start_review, submitted
from tests.races import outcomes, race

S = Nomination.Status
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RUNS = 8


def test_two_clerks_submitting_a_units_last_slot_at_once_get_one_slot(rounds, clerk_of):
    round_ = rounds["baling"]
    for run in range(RUNS):
        unit = RecommendingUnit.objects.create(
            scheme=round_.scheme, name=f"竞争企业{run}", unit_type="enterprise_union"
        )
        alice, bob = clerk_of(unit), clerk_of(unit)
        submitted(round_, unit, alice, name="先报")  # 1 of the 2 slots used
        a, b = draft(round_, unit, alice, name="甲方"), draft(round_, unit, bob, name="乙方")

        results = race(
            partial(intake.nomination_submit, by=alice, nomination_id=a.pk),
            partial(intake.nomination_submit, by=bob, nomination_id=b.pk),
        )

        assert outcomes(results) == ["QuotaExceeded", "ok"], (run, results)
        assert all(isinstance(v, QuotaExceeded) for k, v in results if k == "error")
        counted = Nomination.objects.filter(unit=unit).exclude(status__in=Nomination.NOT_COUNTED)
        assert counted.count() == 2
        assert sorted(Nomination.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True)) == [
            S.DRAFT,
            S.SUBMITTED,
        ]


def test_two_clerks_submitting_the_same_draft_at_once_submit_it_once(rounds, clerk_of):
    round_ = rounds["baling"]
    for run in range(RUNS):
        unit = RecommendingUnit.objects.create(
            scheme=round_.scheme, name=f"同单位{run}", unit_type="enterprise_union"
        )
        alice, bob = clerk_of(unit), clerk_of(unit)
        n = draft(round_, unit, alice, name="同一人")

        results = race(
            partial(intake.nomination_submit, by=alice, nomination_id=n.pk),
            partial(intake.nomination_submit, by=bob, nomination_id=n.pk),
        )

        assert outcomes(results) == ["ok", "ok"], (run, results)
        assert Nomination.objects.get(pk=n.pk).history.filter(history_change_reason="submitted").count() == 1


def test_two_rounds_taking_the_same_new_person_at_once_make_one_person(rounds, office):
    from honourees.models import Person
    from tests.honourees.conftest import good_fields, person_data

    baling, jiaozuo = rounds["baling"], rounds["jiaozuo"]
    for run in range(RUNS):
        person = person_data(f"两头报{run}")

        def save(round_, unit_type, person=person):
            return intake.nomination_save(
                by=office,
                round_id=round_.pk,
                unit_id=unit_of(round_, unit_type).pk,
                person=person,
                fields=good_fields(),
            )

        results = race(partial(save, baling, "county_union"), partial(save, jiaozuo, "county_union"))

        assert outcomes(results) == ["ok", "ok"], (run, results)
        assert Person.objects.filter(id_number=person["id_number"]).count() == 1
        assert Nomination.objects.filter(person__id_number=person["id_number"]).count() == 2


def round_in_notice(
    scheme_round: Round, year: int, office, clerk_of, expert
) -> tuple[Round, list[Nomination]]:
    """A fresh 巴陵 round (the seed's rules, another year) with three candidates in a notice that ended 2023-10-10."""
    round_ = Round.objects.create(
        scheme=scheme_round.scheme,
        year=year,
        title=f"{year}",
        target_count=5,
        rules=scheme_round.rules,
        published_on=scheme_round.published_on,
        status=Round.Status.OPEN,
    )
    unit = unit_of(round_, "county_union")
    clerk = clerk_of(unit)
    people = [submitted(round_, unit, clerk, name=f"{year}-{i}") for i in range(3)]
    start_review(office, round_)
    for n in people:
        qualify(office, n)
    expert_review(office, [expert], {n: (90,) for n in people})
    for n in people:
        review.nomination_record_inspection(by=office, nomination_id=n.pk, notes="属实")
    naming.round_propose(by=office, round_id=round_.pk, tiers={n.pk: "named" for n in people})
    naming.round_start_notice(by=office, round_id=round_.pk, starts_on=dt.date(2023, 9, 28))
    return round_, people


def test_two_namings_of_one_round_at_once_make_one_set_of_honourees(
    rounds, office, make_user, clerk_of, expert
):
    other_office = make_user("bella", "talent_office")
    for run in range(4):
        round_, people = round_in_notice(rounds["baling"], 2030 + run, office, clerk_of, expert)

        results = race(
            partial(naming.round_name, by=office, round_id=round_.pk, named_on=dt.date(2023, 10, 11)),
            partial(naming.round_name, by=other_office, round_id=round_.pk, named_on=dt.date(2023, 10, 12)),
        )

        assert outcomes(results) == ["Conflict", "ok"], (run, results)
        assert Honouree.objects.filter(round=round_).count() == 3
        assert len({h.named_on for h in Honouree.objects.filter(round=round_)}) == 1
        assert set(Nomination.objects.filter(round=round_).values_list("status", flat=True)) == {S.NAMED}


def test_an_objection_and_the_naming_at_the_same_moment_never_both_go_through(
    rounds, office, clerk_of, expert
):
    for run in range(RUNS):
        round_, people = round_in_notice(rounds["baling"], 2040 + run, office, clerk_of, expert)

        results = race(
            partial(naming.round_name, by=office, round_id=round_.pk, named_on=dt.date(2023, 10, 11)),
            partial(
                naming.objection_record,
                by=office,
                nomination_id=people[0].pk,
                received_on=dt.date(2023, 10, 10),
                summary="最后一天的异议",
            ),
        )

        assert outcomes(results) == ["Conflict", "ok"], (run, results)
        assert all(isinstance(v, Conflict) for k, v in results if k == "error")
        named = Honouree.objects.filter(round=round_).exists()
        pending = Objection.objects.filter(
            nomination__round=round_, outcome=Objection.Outcome.PENDING
        ).exists()
        assert named != pending, (run, named, pending)  # named with no objection, or objection and not named
