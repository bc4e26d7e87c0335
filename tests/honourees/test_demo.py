"""manage.py demo sets up all five seed schemes and a user for every role, and can run again."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from backend.roles import Role, user_roles
from honourees.models import RecommendingUnit, Round, Scheme, UnitClerk

pytestmark = pytest.mark.django_db


def run_demo():
    out = io.StringIO()
    call_command("demo", allow_production=True, stdout=out)
    return out.getvalue()


def test_demo_creates_the_five_seed_rounds_with_their_rules():
    run_demo()
    rounds = {r.scheme.code: r for r in Round.objects.select_related("scheme")}
    assert sorted(rounds) == ["baling", "baotou", "bayu", "jiaozuo", "jinzhong"]
    assert (rounds["baling"].year, rounds["baling"].target_count) == (2023, 20)
    assert {q["unit_type"]: q["max"] for q in rounds["baling"].rules["quotas"]} == {
        "county_union": 8,
        "industry_union": 5,
        "enterprise_union": 2,
    }
    assert rounds["baotou"].rules["shortlist_ratio"] == "1.5"
    assert rounds["bayu"].rules["tiers"] == ["named", "nominated"]
    assert rounds["jinzhong"].target_count == 15
    assert rounds["jiaozuo"].document_no == "焦工文[2018]33号"
    for r in rounds.values():
        r.full_clean()


def test_demo_prints_a_login_for_every_role_and_each_login_works(client):
    out = run_demo()
    users = get_user_model().objects
    for role in Role:
        holders = [u for u in users.all() if role.value in user_roles(u)]
        assert len(holders) == 1, role
        assert holders[0].username in out
        assert client.login(username=holders[0].username, password="gongjiang-demo")
    assert "gongjiang-demo" in out


def test_running_demo_twice_changes_nothing():
    run_demo()
    counts = (
        Scheme.objects.count(),
        Round.objects.count(),
        RecommendingUnit.objects.count(),
        UnitClerk.objects.count(),
    )
    users = get_user_model().objects.count()
    run_demo()
    assert counts == (
        Scheme.objects.count(),
        Round.objects.count(),
        RecommendingUnit.objects.count(),
        UnitClerk.objects.count(),
    )
    assert users == get_user_model().objects.count()
    assert counts == (5, 5, 16, 1)


def test_demo_refuses_to_run_with_debug_off_unless_told(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo", stdout=io.StringIO())
    assert not Scheme.objects.exists()
