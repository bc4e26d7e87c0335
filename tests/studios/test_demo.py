"""studios.demo makes a 巴陵 honouree's studio with apprentices and sessions, and a rerun changes nothing."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from honourees.models import Honouree, Nomination
from studios import selectors
from studios.demo import load_demo_studio
from studios.models import Apprentice, MentoringSession, SkillUpgrade, Studio, StudioFile

pytestmark = pytest.mark.django_db


def counts():
    return tuple(
        m.objects.count() for m in (Honouree, Studio, Apprentice, MentoringSession, SkillUpgrade, StudioFile)
    )


def test_the_demo_studio_is_made_once_with_verified_and_waiting_sessions():
    call_command("demo", allow_production=True, stdout=io.StringIO())
    users = get_user_model().objects
    host, office, expert = (users.get(username=u) for u in ("host", "office", "expert"))
    # manage.py demo loads the studio itself, after the clerk's three nominations.
    studio = load_demo_studio(host=host, office=office, assessor=expert)

    assert studio.status == "established" and studio.host == host
    assert studio.honouree.certificate_no == "BALING-2023-001" and studio.honouree.person.name == "周建华"
    named = studio.honouree.nomination
    assert named.status == "named" and named.unit.name == "巴陵石化工会"
    assert Nomination.objects.exclude(status="named").count() == 3, (
        "the clerk's three (funding's demo adds named ones)"
    )
    assert Apprentice.objects.count() == 6 and MentoringSession.objects.count() >= 15
    assert set(MentoringSession.objects.values_list("status", flat=True)) == {"verified", "submitted"}
    assert selectors.studios_for(expert).get() == studio, "the demo expert assesses it"
    progress = selectors.progress_for([studio])[studio.pk]
    assert progress.period == 1 and any(b.logged > b.verified for b in progress.bars)

    before = counts()
    call_command("demo", allow_production=True, stdout=io.StringIO())
    assert load_demo_studio(host=host, office=office, assessor=expert) == studio
    assert counts() == before
