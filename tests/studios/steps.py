"""Steps that several test folders share: a 巴陵 honouree named through the real intake, the apprentices' names
and a year of sessions over period 1. Fixtures stay in conftest.py."""

from __future__ import annotations

import datetime as dt

from honourees.models import Honouree, RecommendingUnit, UnitClerk
from tests.honourees.intake_steps import expert_review, qualify, start_review, submitted
from tests.studios.conftest import PLAQUE, log

NAMES = ["李明", "王芳", "张伟", "刘洋", "陈静", "赵磊", "孙丽", "周强", "吴敏", "郑凯"]


def name_one_through_the_intake(baling, office, make_user, name="周建华") -> Honouree:
    """One 巴陵 nomination from a county union, through review, inspection, committee and notice, to naming."""
    unit = (
        RecommendingUnit.objects.filter(scheme=baling.scheme, unit_type="county_union").order_by("id").first()
    )
    clerk = make_user("clerk_x", "unit_clerk")
    UnitClerk.objects.create(user=clerk, unit=unit)
    experts = [make_user("exp1", "expert"), make_user("exp2", "expert")]
    from honourees.models import Round
    from honourees.services import naming, review

    Round.objects.filter(pk=baling.pk).update(status=Round.Status.OPEN)
    n = submitted(baling, unit, clerk, name=name)
    start_review(office, baling)
    qualify(office, n)
    expert_review(office, experts, {n: (92, 90)})
    review.nomination_record_inspection(by=office, nomination_id=n.pk, notes="现场考察属实")
    naming.round_propose(by=office, round_id=baling.pk, tiers={n.pk: "named"})
    naming.round_start_notice(by=office, round_id=baling.pk, starts_on=dt.date(2023, 10, 23))
    (honouree,) = naming.round_name(by=office, round_id=baling.pk, named_on=dt.date(2023, 10, 30))
    return honouree


def a_year_of_sessions(studio, host, apprentices, *, count=24, hours=4):
    """``count`` sessions spread over period 1 (every ~15 days from the plaque date), each with everyone."""
    made = []
    for i in range(count):
        day = PLAQUE + dt.timedelta(days=1 + i * (360 // count))
        made.append(
            log(
                studio,
                host,
                day,
                apprentices,
                start=dt.time(13, 0),
                end=dt.time(13 + hours, 0),
                topic=f"第{i + 1}次带徒",
            )
        )
    return made
