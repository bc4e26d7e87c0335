"""The 巴陵 second instalment (notice §三): blocked until the studio is set up at a vocational college's industry
college or a university internship base **and** its first-year assessment is passed; forfeited when that
assessment fails for good. The studios services send their real signals; funding's receivers listen."""

import datetime as dt

import pytest

from backend.errors import NotPermitted, ValidationFailed
from funding.models import Instalment
from funding.services import core, plans
from studios.demo import ensure_rubric
from studios.models import InstitutionKind
from studios.services.apprentices import skill_upgrade_record
from studios.services.assessments import (
    assessment_make_final,
    assessment_open,
    assessment_open_rectification,
    assessment_record,
    assessment_score,
)
from studios.services.evidence import studio_file_add
from studios.services.sessions import sessions_verify
from studios.services.studios import studio_assessor_add, studio_close, studio_create, studio_establish
from tests.studios.conftest import add_apprentice
from tests.studios.steps import NAMES, a_year_of_sessions, name_one_through_the_intake

from .conftest import name_directly
from .steps import AFTER_PERIOD_1, PLAQUE, assess, establishment_file, one_item_rubric, status_of, studio_for

pytestmark = pytest.mark.django_db
S = Instalment.Status


@pytest.fixture
def host(make_user):
    return make_user("hank", "studio_host", last_name="周建华")


@pytest.fixture
def baling(seeds, office):
    one_item_rubric(seeds["baling"], office)
    return seeds["baling"]


def second_of(h) -> Instalment:
    return h.award_plan.instalments.get(seq=2)


def test_a_studio_set_up_but_not_assessed_keeps_the_second_instalment_blocked(baling, office, host):
    h = name_directly(baling, office)
    second = second_of(h)
    studio_for(h, office, host)
    second.refresh_from_db()
    assert second.status == S.BLOCKED
    assert "第 1 年度考核合格" in second.status_reason and "工作室已挂牌" not in second.status_reason


def test_the_second_instalment_becomes_due_once_the_studio_passes_its_first_year(baling, office, host):
    h = name_directly(baling, office)
    studio = studio_for(h, office, host)
    assess(studio, office, "75")
    second = second_of(h)
    assert second.status == S.DUE and "条件均已满足" in second.status_reason
    reasons = [r.history_change_reason for r in second.history.order_by("history_id")]
    assert reasons[-1].startswith("blocked→due")


def test_a_studio_at_an_enterprise_does_not_count_even_when_it_passes(baling, office, host):
    h = name_directly(baling, office)
    studio = studio_for(h, office, host, kind=InstitutionKind.ENTERPRISE)
    assess(studio, office, "95")
    second = second_of(h)
    assert second.status == S.BLOCKED
    zh = second.status_reason.split(" / ")[0]
    assert zh == "尚未满足：工匠工作室已挂牌（职业院校产业学院、大学生企业实习基地）"


def test_a_pass_before_the_twelve_months_makes_it_planned_and_the_tick_makes_it_due_on_the_day(
    baling, office, host, monkeypatch
):
    # Named on 2023-10-01; the studio's plaque the same day, so its first year ends 2024-09-30 and the result
    # can be recorded on 2024-10-01, a week before the second instalment's earliest day (2024-10-08).
    monkeypatch.setattr(core, "_today", lambda: dt.date(2024, 10, 1))
    h = name_directly(baling, office, named_on=dt.date(2023, 10, 1))
    studio = studio_for(h, office, host, plaque=dt.date(2023, 10, 1))
    assess(studio, office, "80", on=dt.date(2024, 10, 1))
    second = second_of(h)
    assert (second.status, second.earliest_on) == (S.PLANNED, dt.date(2024, 10, 8))
    assert plans.tick(on=dt.date(2024, 10, 7))["moved"] == 0
    assert status_of(second) == S.PLANNED
    assert plans.tick(on=dt.date(2024, 10, 8))["moved"] == 1
    assert status_of(second) == S.DUE


def test_a_fail_with_rectification_pending_keeps_it_blocked_and_a_final_fail_forfeits_it(
    baling, office, host
):
    h = name_directly(baling, office)
    studio = studio_for(h, office, host)
    a = assess(studio, office, "40")
    assert a.status == "failed"
    second = second_of(h)
    assert second.status == S.BLOCKED
    a = assessment_open_rectification(
        by=office, assessment_id=a.pk, note="补足带徒学时", until=dt.date(2026, 4, 1)
    )
    assert status_of(second) == S.BLOCKED
    assessment_score(by=office, assessment_id=a.pk, scores={"overall": "50"})
    a = assessment_record(by=office, assessment_id=a.pk, on=dt.date(2026, 4, 1))
    assert a.status == "failed_final"
    second.refresh_from_db()
    assert second.status == S.FORFEITED
    assert "最终不合格" in second.status_reason and "lapses" in second.status_reason
    ledger = list(second.ledger.values_list("kind", "amount"))
    assert [k for k, _ in ledger] == ["commit", "release"] and sum(a for _, a in ledger) == 0
    assert plans.tick()["moved"] == 0, "forfeited is for good"


def test_a_fail_made_final_without_rectification_forfeits_it(baling, office, host):
    h = name_directly(baling, office)
    a = assess(studio_for(h, office, host), office, "30")
    assessment_make_final(by=office, assessment_id=a.pk, reason="工作室已停止运行")
    assert second_of(h).status == S.FORFEITED


def test_a_rectified_fail_that_passes_makes_it_due(baling, office, host):
    h = name_directly(baling, office)
    a = assess(studio_for(h, office, host), office, "40")
    a = assessment_open_rectification(by=office, assessment_id=a.pk, note="整改", until=dt.date(2026, 4, 1))
    assessment_score(by=office, assessment_id=a.pk, scores={"overall": "70"})
    assessment_record(by=office, assessment_id=a.pk, on=dt.date(2026, 4, 1))
    assert second_of(h).status == S.DUE


def test_closing_the_studio_takes_a_due_instalment_back_to_blocked(baling, office, host):
    h = name_directly(baling, office)
    studio = studio_for(h, office, host)
    assess(studio, office, "75")
    assert second_of(h).status == S.DUE
    studio_close(by=office, studio_id=studio.pk, closed_on=dt.date(2026, 2, 1), reason="摘牌")
    second = second_of(h)
    assert second.status == S.BLOCKED and "工作室已挂牌" in second.status_reason


def test_a_manual_confirmation_is_given_by_the_office_with_a_reason(seeds, office, maker):
    jinzhong = seeds["jinzhong"]
    jinzhong.rules["award"]["by_tier"]["named"]["instalments"][0]["conditions"] = [
        {
            "kind": "manual_confirmation",
            "params": {"zh": "已签订奖励资金使用承诺书", "en": "undertaking signed"},
        }
    ]
    jinzhong.save()
    h = name_directly(jinzhong, office, named_on=dt.date(2019, 11, 15))
    inst = h.award_plan.instalments.get()
    assert inst.status == S.BLOCKED and "已签订奖励资金使用承诺书" in inst.status_reason

    with pytest.raises(NotPermitted):
        plans.instalment_confirm_condition(by=maker, instalment_id=inst.pk, index=0, reason="已签")
    with pytest.raises(ValidationFailed) as e:
        plans.instalment_confirm_condition(by=office, instalment_id=inst.pk, index=0, reason="  ")
    assert e.value.field == "reason"
    with pytest.raises(ValidationFailed) as e:
        plans.instalment_confirm_condition(by=office, instalment_id=inst.pk, index=1, reason="已签")
    assert e.value.field == "index"
    assert status_of(inst) == S.BLOCKED and inst.confirmations == {}

    inst = plans.instalment_confirm_condition(
        by=office, instalment_id=inst.pk, index=0, reason="承诺书原件已归档"
    )
    inst.refresh_from_db()
    assert inst.status == S.DUE
    assert (
        inst.confirmations["0"]["reason"] == "承诺书原件已归档"
        and inst.confirmations["0"]["user_id"] == office.pk
    )


def test_named_through_the_intake_a_year_of_sessions_and_a_passed_assessment_make_the_real_instalment_due(
    seeds, office, make_user, host
):
    """The studios flow test's stand-in replaced by the real funding receivers."""
    baling = seeds["baling"]
    ensure_rubric(baling, by=office)
    assessor = make_user("erin", "expert")
    contact = make_user("connie")
    h = name_one_through_the_intake(baling, office, make_user)
    second = second_of(h)
    assert second.status == S.BLOCKED

    studio = studio_create(
        by=office,
        honouree_id=h.pk,
        host_id=host.pk,
        name="周建华巴陵工匠工作室",
        institution_name="岳阳职业技术学院智能制造产业学院",
        institution_kind="vocational_college_industry_college",
        contact_id=contact.pk,
    )
    studio_file_add(by=office, studio_id=studio.pk, kind="establishment", uploaded_file=establishment_file())
    studio = studio_establish(by=office, studio_id=studio.pk, plaque_date=PLAQUE)
    studio_assessor_add(by=office, studio_id=studio.pk, user_id=assessor.pk)
    assert status_of(second) == S.BLOCKED, "set up, but not yet assessed"

    apprentices = [add_apprentice(studio, host, name, signed=i < 5) for i, name in enumerate(NAMES)]
    for app, day in zip(
        apprentices[:3], (dt.date(2025, 6, 20), dt.date(2025, 9, 12), dt.date(2025, 12, 1)), strict=True
    ):
        skill_upgrade_record(
            by=host, apprentice_id=app.pk, to_level="senior", achieved_on=day, certificate_no=f"S-{app.pk}"
        )
    sessions = a_year_of_sessions(studio, host, apprentices)
    sessions_verify(by=contact, session_ids=[s.pk for s in sessions])
    a = assessment_open(by=office, studio_id=studio.pk, period=1)
    assessment_score(
        by=assessor, assessment_id=a.pk, scores={"site": "13", "innovation": "12.5", "exchange": "8"}
    )
    assert status_of(second) == S.BLOCKED
    a = assessment_record(by=office, assessment_id=a.pk, on=AFTER_PERIOD_1)
    assert a.status == "passed"
    assert status_of(second) == S.DUE
