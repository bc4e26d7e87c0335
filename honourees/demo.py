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
