"""The daily tick (``manage.py tick`` and the django-q2 schedule): instalments made due when their day comes,
conditions re-read, and a second run the same day changes nothing."""

import datetime as dt

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from funding import tasks
from funding.models import Instalment
from funding.services import core

from .conftest import name_directly
from .steps import status_of

pytestmark = pytest.mark.django_db
S = Instalment.Status


@pytest.fixture
def planned(seeds, office, monkeypatch) -> Instalment:
    """A 巴陵 second instalment whose conditions the office has waived by hand, named 2023-10-30 and created
    as if on that day: planned for 2024-10-30."""
    baling = seeds["baling"]
    baling.rules["award"]["by_tier"]["named"]["instalments"][1]["conditions"] = []
    baling.save()
    monkeypatch.setattr(core, "_today", lambda: dt.date(2023, 10, 30))
    h = name_directly(baling, office, named_on=dt.date(2023, 10, 30))
    inst = h.award_plan.instalments.get(seq=2)
    assert (inst.status, inst.earliest_on) == (S.PLANNED, dt.date(2024, 10, 30))
    return inst


def tick(day: str, capsys) -> dict:
    call_command("tick", "--date", day)
    return dict(pair.split("=") for pair in capsys.readouterr().out.strip().split(", "))


def test_the_tick_makes_an_instalment_due_on_its_day_and_a_second_run_moves_nothing(planned, capsys):
    assert tick("2024-10-29", capsys)["moved"] == "0"
    assert status_of(planned) == S.PLANNED
    out = tick("2024-10-30", capsys)
    assert (out["moved"], out["on"], out["due"]) == ("1", "2024-10-30", "2")
    assert status_of(planned) == S.DUE and "已到期" in planned.status_reason
    history = planned.history.count()
    assert tick("2024-10-30", capsys)["moved"] == "0"
    assert tick("2024-10-31", capsys)["moved"] == "0"
    assert planned.history.count() == history, "an idempotent run writes no history either"


def test_the_scheduled_task_runs_the_same_tick(planned):
    assert Schedule.objects.filter(func="funding.tasks.daily_tick", schedule_type="D").exists()
    result = tasks.daily_tick("2024-10-30")
    assert (result["moved"], result["on"]) == (1, "2024-10-30")
    assert status_of(planned) == S.DUE
    assert tasks.daily_tick("2024-10-30")["moved"] == 0


def test_the_tick_re_reads_conditions_that_changed_without_a_signal(seeds, office):
    baling = seeds["baling"]
    h = name_directly(baling, office, named_on=dt.date(2023, 10, 30))
    second = h.award_plan.instalments.get(seq=2)
    # The office confirms the conditions by editing the round's instalment directly (no signal fires):
    Instalment.objects.filter(pk=second.pk).update(conditions=[])
    assert status_of(second) == S.BLOCKED
    assert tasks.daily_tick()["moved"] == 1
    assert status_of(second) == S.DUE
