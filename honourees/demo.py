"""Demo data for the intake side: the five seed schemes, one round each, and some units."""

import datetime as dt

from django.db import transaction

from honourees.models import RecommendingUnit, Round, Scheme
from honourees.rules import validate_round_rules
from honourees.seeds import SEEDS


@transaction.atomic
def load_seeds() -> list[Round]:
    """Create or update the five seed schemes and rounds; running it again changes nothing."""
    rounds = []
    for seed in SEEDS:
        validate_round_rules(seed["rules"])
        s = seed["scheme"]
        scheme, _ = Scheme.objects.update_or_create(
            code=s["code"], defaults={"name": s["name"], "city": s["city"], "organiser": s["organiser"]}
        )
        r = seed["round"]
        published = dt.date.fromisoformat(r["published_on"]) if r["published_on"] else None
        round_, created = Round.objects.update_or_create(
            scheme=scheme,
            year=r["year"],
            defaults={
                "title": r["title"],
                "document_no": r["document_no"],
                "published_on": published,
                "target_count": r["target_count"],
                "notice_working_days": r["notice_working_days"],
                "rules": seed["rules"],
            },
        )
        if created:  # a new demo round takes nominations at once; a rerun leaves its status alone
            round_.status = Round.Status.OPEN
            round_.save(update_fields=["status"])
        for name, unit_type, region in seed["units"]:
            RecommendingUnit.objects.update_or_create(
                scheme=scheme, name=name, defaults={"unit_type": unit_type, "region": region}
            )
        rounds.append(round_)
    return rounds


DEMO_NOMINEES = [
    # name, birth date, gender, trade, employer, category, skill level, submit?
    ("刘建国", "1972-03-14", "M", "钳工", "岳阳巴陵石化机修厂", "manufacturing", "senior_technician", True),
    ("陈芳", "1985-11-02", "F", "数控车工", "岳阳中联重科", "manufacturing", "technician", True),
    ("周德厚", "1968-06-20", "M", "君山银针制茶", "君山银针茶业公司", "traditional_craft", "senior", False),
]


def _demo_id(birth: dt.date, gender: str, n: int) -> str:
    from backend.idnumbers import id_check_char

    body = f"430602{birth:%Y%m%d}{n:02d}{1 if gender == 'M' else 2}"
    return body + id_check_char(body)


def load_demo_nominations(*, clerk) -> int:
    """A few 巴陵 nominations from the demo clerk's unit, so the pipeline has something in it.

    Made through the services like any clerk's; skipped when the round already has nominations.
    """
    from honourees.services import intake

    round_ = Round.objects.get(scheme__code="baling", year=2023)
    if round_.nominations.exists() or round_.status != Round.Status.OPEN:
        return 0
    unit = clerk.clerk_of.unit
    for i, (name, born, gender, trade, employer, category, level, submit) in enumerate(
        DEMO_NOMINEES, start=1
    ):
        birth = dt.date.fromisoformat(born)
        n = intake.nomination_save(
            by=clerk,
            round_id=round_.pk,
            unit_id=unit.pk,
            person={
                "name": name,
                "id_number": _demo_id(birth, gender, i),
                "gender": gender,
                "birth_date": birth,
            },
            fields={
                "trade": trade,
                "employer": employer,
                "category": category,
                "skill_level": level,
                "in_city_since": "2005-01-01",
                "industry": "制造业" if category == "manufacturing" else "传统工艺",
                "brief_deeds": f"{name}同志扎根一线多年，技艺精湛，带徒传艺。",
            },
        )
        if submit:
            intake.nomination_submit(by=clerk, nomination_id=n.pk)
    return len(DEMO_NOMINEES)
