"""Intake fixtures: the five seed rounds open for nominations, a clerk per unit, experts, valid nominees."""

import datetime as dt
import itertools

import pytest

from backend.idnumbers import id_check_char
from backend.roles import Role
from honourees.demo import load_seeds
from honourees.models import RecommendingUnit, Round, UnitClerk
from honourees.services import intake

_serial = itertools.count(1)


def make_id(birth: dt.date = dt.date(1980, 5, 17), gender: str = "M", region: str = "430602") -> str:
    """A valid 18-character identity number for the birth date and gender (a new one on every call)."""
    seq = next(_serial) % 500
    third = 1 if gender == "M" else 0  # the 17th character is odd for men, even for women
    body = f"{region}{birth:%Y%m%d}{seq // 5 % 100:02d}{third + 2 * (seq % 5)}"
    return body + id_check_char(body)


def person_data(name: str = "张师傅", birth: dt.date = dt.date(1980, 5, 17), gender: str = "M") -> dict:
    return {"name": name, "id_number": make_id(birth, gender), "gender": gender, "birth_date": birth}


def good_fields(**overrides) -> dict:
    """Fields that pass every machine check of the five seed rounds (judgement items aside)."""
    fields = {
        "trade": "数控车工",
        "employer": "岳阳机械厂",
        "position": "班组长",
        "industry": "装备制造",
        "category": "manufacturing",
        "skill_level": "senior_technician",
        "education_fulltime": "大专",
        "work_started_on": "2000-07-01",
        "in_city_since": "2005-03-01",
        "years_in_trade": 22,
        "expertise": "精密数控加工",
        "invention_patent_count": 2,
        "innovation_count": 5,
        "brief_deeds": "扎根一线二十余年，攻克多项加工难题。",
        "unit_notice_starts_on": "2023-02-01",  # 包头: the unit's own notice ran before it recommends
        "awards": [
            {
                "date": "2019-05",
                "name": "岳阳市技术能手",
                "grantor": "岳阳市人社局",
                "level": "city",
                "rank": "1",
            }
        ],
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def rounds(db):
    """The five seed rounds, open for nominations, by scheme code."""
    out = {}
    for r in load_seeds():
        Round.objects.filter(pk=r.pk).update(status=Round.Status.OPEN)
        r.refresh_from_db()
        out[r.scheme.code] = r
    return out


@pytest.fixture
def baling(rounds):
    """The 巴陵工匠 2023 round, open for nominations."""
    return rounds["baling"]


@pytest.fixture
def unit(baling):
    """岳阳楼区总工会, a county union of 巴陵."""
    return unit_of(baling, "county_union")


@pytest.fixture
def clerk(clerk_of, unit):
    """lily, the clerk of that unit."""
    return clerk_of(unit, "lily")


@pytest.fixture
def clerk_of(make_user):
    """clerk_of(unit) → a unit-clerk user of that unit."""

    def make(unit: RecommendingUnit, username: str | None = None):
        user = make_user(username or f"clerk{unit.pk}_{next(_serial)}", Role.UNIT_CLERK)
        UnitClerk.objects.create(user=user, unit=unit)
        return user

    return make


@pytest.fixture
def expert(make_user):
    return make_user("erin", Role.EXPERT)


@pytest.fixture
def expert_b(make_user):
    return make_user("ezra", Role.EXPERT)


@pytest.fixture
def nominate():
    """nominate(round, unit, by, person=..., **fields) → a saved draft nomination."""

    def make(round_, unit, by, *, person=None, channel="unit", **fields):
        if round_.scheme.code == "baotou":
            fields.setdefault("claimed_routes", ["competition"])  # 包头 §三: one of six routes is needed
        return intake.nomination_save(
            by=by,
            round_id=round_.pk,
            unit_id=unit.pk if unit else None,
            channel=channel,
            person=person or person_data(),
            fields=good_fields(**fields),
        )

    return make


def unit_of(round_: Round, unit_type: str) -> RecommendingUnit:
    return RecommendingUnit.objects.filter(scheme=round_.scheme, unit_type=unit_type).order_by("id").first()


@pytest.fixture
def outsider(make_user):
    """oscar, a studio host with no studio: signed in, and entitled to nothing here."""
    return make_user("oscar", Role.STUDIO_HOST)
