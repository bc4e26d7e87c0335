"""The annual assessment, end to end: a 巴陵 nomination named through the intake, its studio set up, a year
of verified sessions, the assessors' scores, the result recorded — and the funding side, listening to the
signals and asking ``condition_met`` as its daily tick would, sees the second instalment become due.
Then the failing paths: rectification and re-assessment, and a fail made final."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from backend.errors import Conflict, NotPermitted, TransitionNotAllowed, ValidationFailed
from honourees.models import Honouree, RecommendingUnit, UnitClerk
from studios import selectors, services
from studios.models import Assessment, MentoringSession, StudioAssessor
from studios.signals import assessment_recorded, studio_closed, studio_established
from tests.honourees.intake_steps import expert_review, qualify, start_review, submitted

from .conftest import PLAQUE, add_apprentice, log, png_upload, set_up_studio

pytestmark = pytest.mark.django_db

NAMES = ["李明", "王芳", "张伟", "刘洋", "陈静", "赵磊", "孙丽", "周强", "吴敏", "郑凯"]


class FundingSide:
    """A listener beside funding: the second instalment's status from the round's rules and studio facts, and
    the signals' payloads (the main test also checks the real instalment funding's receivers keep).

    It listens to the studios' signals and re-reads the facts with ``selectors.condition_met`` (as the daily
    tick will), so the test shows the facts and the signals agree.
    """

    def __init__(self):
        self.status: dict[int, str] = {}
        self.heard: list[tuple[str, dict]] = []
        studio_established.connect(self.on_established)
        assessment_recorded.connect(self.on_assessment)
        studio_closed.connect(self.on_closed)

    def close(self):
        studio_established.disconnect(self.on_established)
        assessment_recorded.disconnect(self.on_assessment)
        studio_closed.disconnect(self.on_closed)

    def second_instalment(self, honouree: Honouree) -> dict:
        return honouree.round.rules["award"]["by_tier"][honouree.tier]["instalments"][1]

    def recheck(self, honouree: Honouree) -> str:
        inst = self.second_instalment(honouree)
        if self.status.get(honouree.pk) == "forfeited":
            return "forfeited"
        met = all(selectors.condition_met(honouree, c) for c in inst["conditions"])
        self.status[honouree.pk] = "due" if met else "blocked"
        return self.status[honouree.pk]

    def on_established(self, sender, honouree, **kw):
        self.heard.append(("studio_established", kw))
        self.recheck(honouree)

    def on_assessment(self, sender, honouree, final, passed, **kw):
        self.heard.append(("assessment_recorded", {"final": final, "passed": passed, **kw}))
        if final and not passed:
            self.status[honouree.pk] = (
                "forfeited"  # 巴陵 §三: no second-year money without a passed assessment
            )
        else:
            self.recheck(honouree)

    def on_closed(self, sender, honouree, **kw):
        self.heard.append(("studio_closed", kw))
        self.recheck(honouree)


def real_second_instalment(honouree: Honouree) -> str:
    """The status of the 巴陵 second instalment in funding itself (its receivers listen to the same signals)."""
    from funding.models import Instalment

    return Instalment.objects.get(plan__honouree=honouree, seq=2).status


@pytest.fixture
def funding():
    side = FundingSide()
    yield side
    side.close()


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


def test_a_named_baling_honourees_studio_passes_its_first_year_and_funding_sees_the_second_instalment_due(
    baling, rubric, office, make_user, host_a, contact, assessor, funding
):
    honouree = name_one_through_the_intake(baling, office, make_user)
    assert (honouree.certificate_no, honouree.named_on) == ("BALING-2023-001", dt.date(2023, 10, 30))

    # Set-up at a vocational college's industry college (巴陵 §三), confirmed by the office.
    studio = services.studio_create(
        by=office,
        honouree_id=honouree.pk,
        host_id=host_a.pk,
        name="周建华巴陵工匠工作室",
        institution_name="岳阳职业技术学院智能制造产业学院",
        institution_kind="vocational_college_industry_college",
        contact_id=contact.pk,
    )
    services.studio_file_add(
        by=office, studio_id=studio.pk, kind="establishment", uploaded_file=png_upload("挂牌.png")
    )
    studio = services.studio_establish(by=office, studio_id=studio.pk, plaque_date=PLAQUE)
    services.studio_assessor_add(by=office, studio_id=studio.pk, user_id=assessor.pk)
    assert funding.status[honouree.pk] == "blocked", "set up, but not yet assessed"
    assert real_second_instalment(honouree) == "blocked", "funding's own receiver agrees"

    # The year: ten apprentices (five with signed agreements on file), three reach 高级工, 24 sessions of 4 h.
    apprentices = [add_apprentice(studio, host_a, name, signed=i < 5) for i, name in enumerate(NAMES)]
    for app, day in zip(
        apprentices[:3], (dt.date(2025, 6, 20), dt.date(2025, 9, 12), dt.date(2025, 12, 1)), strict=True
    ):
        services.skill_upgrade_record(
            by=host_a, apprentice_id=app.pk, to_level="senior", achieved_on=day, certificate_no=f"S-{app.pk}"
        )
    sessions = a_year_of_sessions(studio, host_a, apprentices)
    services.sessions_verify(by=contact, session_ids=[s.pk for s in sessions])

    progress = selectors.progress_for([studio], today=dt.date(2025, 12, 31))[studio.pk]
    assert {b.code: (b.verified, b.target) for b in progress.bars} == {
        "agreements": (5, 5),
        "roster": (10, 10),
        "high_skill": (3, 3),
        "sessions": (24, 24),
        "hours": (Decimal(96), 96),
    }
    assert progress.missing == [] and progress.ends_on == dt.date(2026, 1, 5)

    # The assessment: opened during the year, scored by the assessor, recorded once the year is over.
    a = services.assessment_open(by=office, studio_id=studio.pk, period=1)
    assert (a.starts_on, a.ends_on) == (PLAQUE, dt.date(2026, 1, 5))
    with pytest.raises(Conflict):
        services.assessment_record(
            by=office, assessment_id=a.pk, on=dt.date(2026, 1, 10)
        )  # nobody has scored
    services.assessment_score(
        by=assessor, assessment_id=a.pk, scores={"site": "13", "innovation": "12.5", "exchange": "8"}
    )
    with pytest.raises(Conflict) as e:
        services.assessment_record(by=office, assessment_id=a.pk, on=dt.date(2026, 1, 5))
    assert e.value.field == "on" and "2026-01-05" in e.value.zh
    assert funding.status[honouree.pk] == "blocked"
    assert real_second_instalment(honouree) == "blocked"

    a = services.assessment_record(by=office, assessment_id=a.pk, on=dt.date(2026, 1, 12))
    assert (a.status, a.total) == ("passed", Decimal("93.50"))
    # 93.5 ≥ 85, but 20% of one studio is no 优秀 place: graded 合格, and told why.
    assert a.grade == "pass" and "优秀名额" in a.grade_note
    assert {i["code"]: i["points"] for i in a.items}["hours"] == "15.00"
    assert funding.status[honouree.pk] == "due"
    assert real_second_instalment(honouree) == "due", "funding's receiver made the real instalment due"
    name, payload = funding.heard[-1]
    assert name == "assessment_recorded"
    assert (payload["period"], payload["grade"], payload["total"], payload["final"], payload["passed"]) == (
        1,
        "pass",
        Decimal("93.50"),
        True,
        True,
    )
    # The assessment relies on the logs: a verified session does not move again.
    with pytest.raises(Conflict):
        services.session_delete(by=host_a, session_id=sessions[0].pk)


def test_only_verified_sessions_count_and_a_returned_one_counts_nowhere(
    studio_a, host_a, contact, apprentices_a
):
    a, b, c = (
        log(studio_a, host_a, dt.date(2025, 2, d), apprentices_a[: i + 1]) for i, d in enumerate((3, 10, 17))
    )
    services.sessions_verify(by=contact, session_ids=[a.pk])
    services.session_return(by=contact, session_id=c.pk, reason="无签到表")
    m = selectors.measure({studio_a.pk: (PLAQUE, dt.date(2026, 1, 5))})[studio_a.pk]
    assert (m["verified"]["sessions"], m["verified"]["hours"], m["verified"]["apprentices_taught"]) == (
        1,
        Decimal(4),
        1,
    )
    assert (m["logged"]["sessions"], m["logged"]["hours"], m["logged"]["apprentices_taught"]) == (
        2,
        Decimal(8),
        2,
    )
    hours = selectors.hours_summary(studio_a, PLAQUE, dt.date(2026, 1, 5))
    assert hours == {"submitted": Decimal(8), "verified": Decimal(4), "returned": Decimal(4)}
    assert m["verified"]["agreements"] == 3


def test_an_agreement_counts_only_with_its_signed_copy_on_file(studio_a, host_a):
    add_apprentice(studio_a, host_a, "甲", signed=True)
    unsigned = add_apprentice(studio_a, host_a, "乙", signed=False)
    services.apprentice_update(
        by=host_a, apprentice_id=unsigned.pk, agreement_signed_on=PLAQUE
    )  # signed, no copy
    m = selectors.measure({studio_a.pk: (PLAQUE, dt.date(2026, 1, 5))})[studio_a.pk]
    assert m["verified"]["agreements"] == 1


def fail_first(studio, office, assessor, host, contact):
    """A thin year: two apprentices, four short sessions, middling assessor scores: a fail."""
    apps = [add_apprentice(studio, host, n) for n in ("李明", "王芳")]
    few = [
        log(studio, host, dt.date(2025, m, 3), apps, start=dt.time(9), end=dt.time(11)) for m in (2, 5, 8, 11)
    ]
    services.sessions_verify(by=contact, session_ids=[s.pk for s in few])
    a = services.assessment_open(by=office, studio_id=studio.pk, period=1)
    services.assessment_score(
        by=assessor, assessment_id=a.pk, scores={"site": "10", "innovation": "8", "exchange": "6"}
    )
    a = services.assessment_record(by=office, assessment_id=a.pk, on=dt.date(2026, 1, 12))
    return a, apps


def test_a_fail_gets_a_rectification_period_and_passes_on_re_assessment(
    studio_a, office, assessor, host_a, contact, funding
):
    a, apps = fail_first(studio_a, office, assessor, host_a, contact)
    # agreements 2/5 → 10 − 6 = 4; roster 2/10 → 15 − 8 = 7; upgrades 0/3 → 1; sessions 4/24 → 0; hours 8/96 → 4; + 24
    assert (a.status, a.grade, a.total) == ("failed", "fail", Decimal("40.00"))
    assert funding.heard[-1][1]["final"] is False and funding.status[studio_a.honouree_id] == "blocked"
    with pytest.raises(ValidationFailed) as e:
        services.assessment_open_rectification(by=office, assessment_id=a.pk, note="")
    assert e.value.field == "note"
    a = services.assessment_open_rectification(
        by=office, assessment_id=a.pk, note="补足带徒人数和学时，完善实训场地。"
    )
    assert (a.status, a.attempt, a.rectification_until) == (
        "rectifying",
        2,
        dt.date(2026, 4, 12),
    )  # 东莞: 3 months

    # During rectification: eight more apprentices, twenty more sessions of four hours, three upgrades.
    more = [add_apprentice(studio_a, host_a, n, start=dt.date(2026, 1, 13)) for n in NAMES[2:]]
    everyone = apps + more
    late = [
        log(
            studio_a,
            host_a,
            dt.date(2026, 1, 14) + dt.timedelta(days=4 * i),
            everyone,
            start=dt.time(13),
            end=dt.time(17),
        )
        for i in range(20)
    ]
    services.sessions_verify(by=contact, session_ids=[s.pk for s in late])
    for app in more[:3]:
        services.skill_upgrade_record(
            by=host_a,
            apprentice_id=app.pk,
            to_level="senior",
            achieved_on=dt.date(2026, 3, 20),
            certificate_no=f"R-{app.pk}",
        )
    services.assessment_score(
        by=assessor, assessment_id=a.pk, scores={"site": "14", "innovation": "14", "exchange": "9"}
    )

    a = services.assessment_record(by=office, assessment_id=a.pk, on=dt.date(2026, 4, 12))
    assert a.status == "passed" and a.grade == "pass", "a re-assessment passes as 合格 at most"
    assert a.first_total == Decimal("40.00") and a.total > Decimal(85) and "合格" in a.grade_note
    assert funding.status[studio_a.honouree_id] == "due"
    assert [h.history_change_reason for h in a.history.order_by("history_id")][-1].startswith(
        "recorded attempt 2"
    )


def test_sessions_after_the_rectification_deadline_do_not_count(studio_a, office, assessor, host_a, contact):
    a, apps = fail_first(studio_a, office, assessor, host_a, contact)
    a = services.assessment_open_rectification(
        by=office, assessment_id=a.pk, note="补足学时", until=dt.date(2026, 2, 1)
    )
    after = log(studio_a, host_a, dt.date(2026, 2, 2), apps, start=dt.time(8), end=dt.time(20))
    services.sessions_verify(by=contact, session_ids=[after.pk])
    services.assessment_score(
        by=assessor, assessment_id=a.pk, scores={"site": "10", "innovation": "8", "exchange": "6"}
    )
    a = services.assessment_record(by=office, assessment_id=a.pk, on=dt.date(2026, 2, 10))
    assert {i["code"]: i["value"] for i in a.items}["hours"] == "8.00"
    assert a.status == "failed_final"


def test_a_failed_re_assessment_is_final_and_funding_forfeits(
    studio_a, office, assessor, host_a, contact, funding
):
    a, _apps = fail_first(studio_a, office, assessor, host_a, contact)
    services.assessment_open_rectification(
        by=office, assessment_id=a.pk, note="补足学时", until=dt.date(2026, 4, 1)
    )
    services.assessment_score(
        by=assessor, assessment_id=a.pk, scores={"site": "10", "innovation": "9", "exchange": "6"}
    )
    a = services.assessment_record(by=office, assessment_id=a.pk, on=dt.date(2026, 4, 1))
    assert (a.status, a.grade) == ("failed_final", "fail")
    assert funding.heard[-1][1]["final"] is True and funding.status[studio_a.honouree_id] == "forfeited"
    with pytest.raises(TransitionNotAllowed):
        services.assessment_open_rectification(by=office, assessment_id=a.pk, note="再给一次")
    with pytest.raises(Conflict):
        services.assessment_score(
            by=assessor, assessment_id=a.pk, scores={"site": "15", "innovation": "15", "exchange": "10"}
        )


def test_a_fail_can_be_made_final_without_rectification(studio_a, office, assessor, host_a, contact, funding):
    a, _apps = fail_first(studio_a, office, assessor, host_a, contact)
    with pytest.raises(ValidationFailed):
        services.assessment_make_final(by=office, assessment_id=a.pk, reason=" ")
    a = services.assessment_make_final(by=office, assessment_id=a.pk, reason="工作室已停止运行")
    assert a.status == "failed_final" and funding.status[studio_a.honouree_id] == "forfeited"
    assert not selectors.condition_met(
        studio_a.honouree, {"kind": "assessment_passed", "params": {"period": 1}}
    )


def test_assessor_scores_are_checked_item_by_item(studio_a, office, assessor, make_user):
    a = services.assessment_open(by=office, studio_id=studio_a.pk, period=1)
    with pytest.raises(ValidationFailed) as e:
        services.assessment_score(
            by=assessor, assessment_id=a.pk, scores={"site": "16", "innovation": "abc", "hours": "5"}
        )
    assert {x.field for x in e.value.errors} == {"site", "innovation", "hours", "exchange"}
    assert not a.sheets.exists()
    stranger = make_user("ezra", "expert")
    with pytest.raises(Exception) as e:
        services.assessment_score(by=stranger, assessment_id=a.pk, scores={})
    assert e.value.status == 404, "an expert who does not assess the studio does not see it"
    other = make_user("otto", "expert")
    StudioAssessor.objects.create(studio=studio_a, user=other)
    services.assessment_score(
        by=other, assessment_id=a.pk, scores={"site": "12", "innovation": "10", "exchange": "8"}
    )
    services.assessment_score(
        by=assessor, assessment_id=a.pk, scores={"site": "13", "innovation": "11", "exchange": "7"}
    )
    assert services.assessor_average(list(a.sheets.all())) == {
        "site": Decimal("12.50"),
        "innovation": Decimal("10.50"),
        "exchange": Decimal("7.50"),
    }
    with pytest.raises(NotPermitted):
        services.assessment_record(by=assessor, assessment_id=a.pk)


def test_an_assessment_opens_once_per_period_and_only_for_a_period_that_has_begun(studio_a, office):
    a = services.assessment_open(by=office, studio_id=studio_a.pk, period=1)
    assert services.assessment_open(by=office, studio_id=studio_a.pk, period=1) == a
    far = selectors.period_on(PLAQUE, timezone.localdate()) + 1
    with pytest.raises(ValidationFailed) as e:
        services.assessment_open(by=office, studio_id=studio_a.pk, period=far)
    assert e.value.field == "period"
    assert Assessment.objects.count() == 1


def test_the_cap_on_excellent_gives_the_first_excellent_studio_its_grade_and_the_next_a_pass(
    baling, office, make_user
):
    # A rubric of one assessor item (rubric as data), 优秀 for at most 20% of the round's studios: 1 of 5.
    services.rubric_save(
        by=office,
        round_id=baling.pk,
        items=[{"code": "overall", "zh": "综合评价", "en": "Overall", "max": "100", "measure": "assessor"}],
        pass_line="60",
        excellent_line="85",
        excellent_cap="0.20",
    )
    studios = [
        set_up_studio(baling, office, make_user(f"host{i}", "studio_host"), name=f"工匠{i}") for i in range(5)
    ]
    grades = []
    for studio, points in zip(studios, ("90", "95", "85", "84.99", "59.99"), strict=True):
        a = services.assessment_open(by=office, studio_id=studio.pk, period=1)
        services.assessment_score(by=office, assessment_id=a.pk, scores={"overall": points})
        grades.append(services.assessment_record(by=office, assessment_id=a.pk, on=dt.date(2026, 1, 6)).grade)
    assert grades == ["excellent", "pass", "pass", "pass", "fail"]
    with pytest.raises(Conflict) as e:  # results recorded: the rubric is fixed for the round
        services.rubric_save(by=office, round_id=baling.pk, items=[], pass_line="60", excellent_line="85")
    assert e.value.field == "items"


def test_a_closed_studio_no_longer_meets_the_condition(studio_a, office, funding):
    funding.recheck(studio_a.honouree)
    assert funding.status[studio_a.honouree_id] == "blocked"
    services.studio_close(by=office, studio_id=studio_a.pk, closed_on=dt.date(2025, 3, 1), reason="摘牌")
    condition = {"kind": "studio_established", "params": {}}
    assert not selectors.condition_met(studio_a.honouree, condition)
    assert MentoringSession.objects.count() == 0
