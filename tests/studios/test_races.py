"""Races on PostgreSQL with real threads: a day's 24 hours and the 优秀 cap hold when two requests come at once.

Each thread has its own connection (Django's are per thread) and closes it when done; a barrier releases
the threads together, and each race runs several times so that a missing lock shows up.
"""

import datetime as dt
from functools import partial

import pytest

from backend.errors import ValidationFailed
from studios.models import Assessment, MentoringSession
from studios.services.assessments import assessment_open, assessment_record, assessment_score, rubric_save
from studios.services.sessions import session_log
from tests.races import outcomes, race

from .conftest import add_apprentice, set_up_studio

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RUNS = 5


def test_two_saves_that_together_pass_24_hours_in_a_day_are_served_one_after_the_other(
    studio_a, host_a, office
):
    app = add_apprentice(studio_a, host_a, "李明")
    for run in range(RUNS):
        day = dt.date(2025, 3, 3) + dt.timedelta(days=run)
        log = partial(session_log, studio_id=studio_a.pk, date=day, topic="通宵抢修", attendee_ids=[app.pk])
        results = race(
            partial(log, by=host_a, starts_at=dt.time(0, 0), ends_at=dt.time(13, 0)),
            partial(log, by=office, starts_at=dt.time(10, 0), ends_at=dt.time(23, 0)),
        )
        assert outcomes(results) == ["ValidationFailed", "ok"], (run, results)
        assert all(isinstance(v, ValidationFailed) and v.field == "date" for k, v in results if k == "error")
        assert MentoringSession.objects.filter(date=day).count() == 1


def test_two_excellent_results_recorded_at_once_take_the_one_place_once(baling, office, make_user):
    # One assessor item and 优秀 for at most 20% of the round's studios: one place among five.
    rubric_save(
        by=office,
        round_id=baling.pk,
        items=[{"code": "overall", "zh": "综合", "en": "Overall", "max": "100", "measure": "assessor"}],
        pass_line="60",
        excellent_line="85",
        excellent_cap="0.20",
    )
    studios = [
        set_up_studio(baling, office, make_user(f"h{i}", "studio_host"), name=f"工匠{i}") for i in range(5)
    ]
    for run in range(RUNS):
        pair = [assessment_open(by=office, studio_id=s.pk, period=1) for s in studios[:2]]
        for a in pair:
            assessment_score(by=office, assessment_id=a.pk, scores={"overall": "95"})
        results = race(
            *(partial(assessment_record, by=office, assessment_id=a.pk, on=dt.date(2026, 1, 6)) for a in pair)
        )
        assert outcomes(results) == ["ok", "ok"], (run, results)
        grades = sorted(
            Assessment.objects.filter(pk__in=[a.pk for a in pair]).values_list("grade", flat=True)
        )
        assert grades == ["excellent", "pass"], run
        Assessment.objects.filter(pk__in=[a.pk for a in pair]).delete()  # the next run starts afresh
