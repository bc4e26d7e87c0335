"""Submitting a nomination: each unit's quota, who may touch it, the round's eligibility checks, bad input."""

import datetime as dt

import pytest

from backend.errors import Conflict, NotPermitted, QuotaExceeded, ValidationFailed
from backend.idnumbers import id_check_char
from honourees.models import Debarment, Honouree, Nomination, Person, PriorHonour, RecommendingUnit, Round
from honourees.seeds import SEEDS
from honourees.services import intake, review
from tests.honourees.conftest import good_fields, person_data, unit_of
from tests.honourees.intake_steps import draft, qualify, reload, start_review, submitted

S = Nomination.Status
pytestmark = pytest.mark.django_db

SEED_QUOTAS = [
    (seed["scheme"]["code"], q["unit_type"], q["max"]) for seed in SEEDS for q in seed["rules"]["quotas"]
]


def a_unit(round_: Round, unit_type: str) -> RecommendingUnit:
    """The seed's unit of that type, or a new one where the seed lists none (焦作 has no city unit)."""
    return unit_of(round_, unit_type) or RecommendingUnit.objects.create(
        scheme=round_.scheme, name=f"新建{unit_type}", unit_type=unit_type
    )


def eligibility_error(excinfo) -> tuple[str, str]:
    assert excinfo.value.field == "eligibility"
    return excinfo.value.zh, excinfo.value.en


# --- quotas --------------------------------------------------------------------------------------------


def test_the_seed_quotas_are_those_of_the_notices():
    assert SEED_QUOTAS == [
        ("baling", "county_union", 8),
        ("baling", "industry_union", 5),
        ("baling", "enterprise_union", 2),
        ("jiaozuo", "county_union", 2),
        ("jiaozuo", "key_enterprise", 2),
        ("jiaozuo", "industry_union", 1),
        ("jiaozuo", "city_unit", 1),
        ("baotou", "direct_union", 3),
        ("baotou", "industry_union", 3),
        ("baotou", "society", 3),
        ("jinzhong", "county_hr_bureau", 2),
        ("jinzhong", "city_unit", 1),
        ("bayu", "district", 6),
        ("bayu", "city_department", 3),
    ]


@pytest.mark.parametrize(
    ("code", "unit_type", "quota"), SEED_QUOTAS, ids=[f"{c}-{t}" for c, t, _ in SEED_QUOTAS]
)
def test_a_unit_submits_up_to_its_quota_and_the_next_one_is_refused(rounds, clerk_of, code, unit_type, quota):
    round_ = rounds[code]
    unit = a_unit(round_, unit_type)
    clerk = clerk_of(unit)
    for i in range(quota):
        assert submitted(round_, unit, clerk, name=f"甲{i}").status == S.SUBMITTED
    one_more = draft(round_, unit, clerk, name="超额")
    with pytest.raises(QuotaExceeded) as caught:
        intake.nomination_submit(by=clerk, nomination_id=one_more.pk)
    assert f"{quota} 名" in caught.value.zh and f"may send {quota}" in caught.value.en
    assert reload(one_more).status == S.DRAFT
    assert Nomination.objects.filter(unit=unit).exclude(status__in=Nomination.NOT_COUNTED).count() == quota


def test_a_baotou_reform_pilot_unit_may_send_two_more(rounds, clerk_of):
    round_ = rounds["baotou"]
    society = unit_of(round_, "society")
    RecommendingUnit.objects.filter(pk=society.pk).update(is_pilot=True)
    society.refresh_from_db()
    assert intake.quota_for(round_, society) == 5
    clerk = clerk_of(society)
    for i in range(5):
        submitted(round_, society, clerk, name=f"试点{i}")
    with pytest.raises(QuotaExceeded):
        submitted(round_, society, clerk, name="试点六")


def test_a_unit_type_without_a_quota_cannot_submit(rounds, clerk_of):
    round_ = rounds["jinzhong"]
    stranger = RecommendingUnit.objects.create(scheme=round_.scheme, name="某协会", unit_type="society")
    clerk = clerk_of(stranger)
    with pytest.raises(QuotaExceeded):
        submitted(round_, stranger, clerk)


def test_drafts_and_withdrawn_nominations_do_not_use_the_quota(rounds, clerk_of, office):
    round_ = rounds["baling"]
    unit = unit_of(round_, "enterprise_union")  # quota 2
    clerk = clerk_of(unit)
    drafts = [draft(round_, unit, clerk, name=f"草稿{i}") for i in range(4)]  # drafts are not limited
    first, second = (intake.nomination_submit(by=clerk, nomination_id=n.pk) for n in drafts[:2])
    with pytest.raises(QuotaExceeded):
        intake.nomination_submit(by=clerk, nomination_id=drafts[2].pk)

    intake.nomination_withdraw(by=clerk, nomination_id=first.pk, reason="本人放弃")
    assert intake.nomination_submit(by=clerk, nomination_id=drafts[2].pk).status == S.SUBMITTED
    with pytest.raises(QuotaExceeded):
        intake.nomination_submit(by=clerk, nomination_id=drafts[3].pk)

    intake.nomination_return(by=office, nomination_id=second.pk, reason="请补充证明材料")
    assert reload(second).status == S.DRAFT
    assert intake.nomination_submit(by=clerk, nomination_id=drafts[3].pk).status == S.SUBMITTED


def test_a_rejected_nomination_still_uses_its_units_slot(rounds, clerk_of, office):
    round_ = rounds["jinzhong"]
    unit = unit_of(round_, "city_unit")  # quota 1
    clerk = clerk_of(unit)
    n = submitted(round_, unit, clerk)
    start_review(office, round_)
    qualify(office, n, ok=False, note="未征求部门意见")
    review.round_set_status(by=office, round_id=round_.pk, status=Round.Status.OPEN)
    with pytest.raises(QuotaExceeded):
        submitted(round_, unit, clerk, name="另一人")


def test_submitting_twice_submits_once(rounds, clerk_of):
    round_ = rounds["baling"]
    unit = unit_of(round_, "enterprise_union")
    clerk = clerk_of(unit)
    n = submitted(round_, unit, clerk)
    assert intake.nomination_submit(by=clerk, nomination_id=n.pk).status == S.SUBMITTED
    assert n.history.filter(history_change_reason="submitted").count() == 1


def test_nothing_is_submitted_once_the_round_has_closed_intake(rounds, clerk_of, office):
    round_ = rounds["baling"]
    unit = unit_of(round_, "enterprise_union")
    clerk = clerk_of(unit)
    n = draft(round_, unit, clerk)
    start_review(office, round_)
    with pytest.raises(Conflict):
        intake.nomination_submit(by=clerk, nomination_id=n.pk)


# --- who may touch a nomination --------------------------------------------------------------------------


def test_clerks_cannot_touch_other_units_nominations(rounds, clerk_of, auditor, nobody):
    round_ = rounds["baling"]
    ours, theirs = unit_of(round_, "industry_union"), unit_of(round_, "enterprise_union")
    clerk, other = clerk_of(ours), clerk_of(theirs)
    n = draft(round_, theirs, other, name="他单位")

    with pytest.raises(NotPermitted):  # nominating into another unit
        draft(round_, theirs, clerk)
    with pytest.raises(NotPermitted):  # editing another unit's draft, even by moving it to one's own unit
        intake.nomination_save(
            by=clerk,
            round_id=round_.pk,
            unit_id=ours.pk,
            nomination_id=n.pk,
            person=person_data("他单位"),
            fields=good_fields(),
        )
    with pytest.raises(NotPermitted):
        intake.nomination_submit(by=clerk, nomination_id=n.pk)
    with pytest.raises(NotPermitted):
        intake.nomination_withdraw(by=clerk, nomination_id=n.pk)
    for outsider in (auditor, nobody):
        with pytest.raises(NotPermitted):
            intake.nomination_submit(by=outsider, nomination_id=n.pk)
    assert reload(n).status == S.DRAFT and reload(n).unit_id == theirs.pk

    intake.nomination_submit(by=other, nomination_id=n.pk)
    with pytest.raises(NotPermitted):  # a replayed submit is still only for the unit's own clerk
        intake.nomination_submit(by=clerk, nomination_id=n.pk)
    intake.nomination_withdraw(by=other, nomination_id=n.pk)
    with pytest.raises(NotPermitted):  # nor a replayed withdrawal
        intake.nomination_withdraw(by=clerk, nomination_id=n.pk)


def test_only_the_office_may_review(rounds, clerk_of, expert):
    round_ = rounds["baling"]
    unit = unit_of(round_, "enterprise_union")
    clerk = clerk_of(unit)
    n = submitted(round_, unit, clerk)
    for who in (clerk, expert):
        with pytest.raises(NotPermitted):
            review.round_set_status(by=who, round_id=round_.pk, status=Round.Status.REVIEWING)
        with pytest.raises(NotPermitted):
            review.nomination_qualify(by=who, nomination_id=n.pk, judgements={})
        with pytest.raises(NotPermitted):
            intake.nomination_return(by=who, nomination_id=n.pk, reason="x")


# --- eligibility ------------------------------------------------------------------------------------------


def test_baling_refuses_someone_born_before_1963(rounds, clerk_of):
    round_ = rounds["baling"]
    unit = unit_of(round_, "county_union")
    clerk = clerk_of(unit)
    old = draft(round_, unit, clerk, person=person_data("老师傅", birth=dt.date(1962, 12, 31)))
    with pytest.raises(ValidationFailed) as caught:
        intake.nomination_submit(by=clerk, nomination_id=old.pk)
    zh, en = eligibility_error(caught)
    assert "1962-12-31 早于 1963-01-01" in zh and "before 1963-01-01" in en
    assert caught.value.errors[0].field == "eligibility[0]"
    assert reload(old).status == S.DRAFT
    born_on_the_day = submitted(round_, unit, clerk, person=person_data("新师傅", birth=dt.date(1963, 1, 1)))
    assert born_on_the_day.status == S.SUBMITTED


def test_baling_wants_a_technician_in_manufacturing_but_not_in_traditional_crafts(rounds, clerk_of):
    round_ = rounds["baling"]
    unit = unit_of(round_, "county_union")
    clerk = clerk_of(unit)
    with pytest.raises(ValidationFailed) as caught:
        submitted(round_, unit, clerk, skill_level="senior", category="manufacturing")
    zh, en = eligibility_error(caught)
    assert "未达到技师" in zh and "below technician" in en
    craft = submitted(round_, unit, clerk, name="竹编", skill_level="senior", category="traditional_craft")
    assert craft.status == S.SUBMITTED
    assert submitted(round_, unit, clerk, name="技师", skill_level="technician").status == S.SUBMITTED


def test_baling_counts_three_years_in_the_city_to_the_notice_date(rounds, clerk_of):
    round_ = rounds["baling"]  # published 2023-09-11
    unit = unit_of(round_, "county_union")
    clerk = clerk_of(unit)
    with pytest.raises(ValidationFailed) as caught:
        submitted(round_, unit, clerk, in_city_since="2020-09-12")
    assert "不满 3 年" in caught.value.zh
    assert submitted(round_, unit, clerk, name="满三年", in_city_since="2020-09-11").status == S.SUBMITTED


def test_jiaozuo_wants_at_least_a_senior_worker(rounds, clerk_of):
    round_ = rounds["jiaozuo"]
    unit = unit_of(round_, "county_union")
    clerk = clerk_of(unit)
    with pytest.raises(ValidationFailed) as caught:
        submitted(round_, unit, clerk, skill_level="intermediate")
    zh, en = eligibility_error(caught)
    assert "未达到高级工" in zh and "below senior" in en
    assert submitted(round_, unit, clerk, name="高级工", skill_level="senior").status == S.SUBMITTED


def test_baotou_refuses_a_nominee_who_claims_none_of_the_six_routes(rounds, clerk_of):
    round_ = rounds["baotou"]
    unit = unit_of(round_, "direct_union")
    clerk = clerk_of(unit)
    with pytest.raises(ValidationFailed) as caught:
        submitted(round_, unit, clerk, claimed_routes=[])
    zh, en = eligibility_error(caught)
    assert zh.startswith("不符合申报条件：须至少符合以下条件之一") and "Must meet at least one of" in en
    with pytest.raises(ValidationFailed):  # a code that is not one of the six is no route either
        submitted(round_, unit, clerk, claimed_routes=["astrology"])
    n = submitted(round_, unit, clerk, name="能手", claimed_routes=["competition"])
    (route,) = [r for r in n.eligibility if r["kind"] == "any_of"]
    assert route["outcome"] == "judge" and "需审核证明" in route["zh"]


def test_bayu_below_technician_with_an_alternative_goes_to_the_reviewers(rounds, clerk_of, office):
    round_ = rounds["bayu"]
    unit = unit_of(round_, "district")
    clerk = clerk_of(unit)
    with pytest.raises(ValidationFailed) as caught:
        submitted(round_, unit, clerk, skill_level="senior", claimed_routes=[])
    assert "未达到技师" in caught.value.zh
    heir = submitted(
        round_, unit, clerk, name="非遗", skill_level="senior", claimed_routes=["city_heritage_inheritor"]
    )
    skill = heir.eligibility[0]
    assert (skill["kind"], skill["outcome"]) == ("min_skill_level", "judge")
    assert "city_heritage_inheritor" in skill["zh"] and "check the evidence" in skill["en"]
    start_review(office, round_)
    assert qualify(office, heir).status == S.QUALIFIED


def test_a_debarred_person_cannot_be_nominated_or_submitted(rounds, clerk_of, office):
    round_ = rounds["baling"]
    unit = unit_of(round_, "county_union")
    clerk = clerk_of(unit)
    liar = person_data("虚报者")
    waiting = draft(round_, unit, clerk, person=liar)
    person = Person.objects.get(id_number=liar["id_number"])
    today = dt.date.today()
    Debarment.objects.create(
        person=person,
        scheme=round_.scheme,
        reason="虚报获奖",
        starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=300),
    )
    with pytest.raises(ValidationFailed) as caught:  # the draft made before the ban is not sent
        intake.nomination_submit(by=clerk, nomination_id=waiting.pk)
    assert "虚报获奖" in caught.value.zh and "Barred from nomination" in caught.value.en
    intake.nomination_withdraw(by=clerk, nomination_id=waiting.pk)
    with pytest.raises(ValidationFailed) as caught:  # and no new nomination is taken
        draft(round_, unit, clerk, person=liar)
    assert caught.value.field == "id_number" and "虚报获奖" in caught.value.zh
    assert Nomination.objects.filter(person=person).count() == 1

    # The ban is for 巴陵 only; another scheme's round takes the nomination.
    other = rounds["jiaozuo"]
    assert submitted(other, unit_of(other, "county_union"), office, person=liar).status == S.SUBMITTED


def test_an_expired_or_other_schemes_debarment_does_not_bar(rounds, clerk_of):
    round_ = rounds["baling"]
    unit = unit_of(round_, "county_union")
    clerk = clerk_of(unit)
    data = person_data("旧账")
    person = Person.objects.create(
        id_number=data["id_number"], name=data["name"], gender="M", birth_date=data["birth_date"]
    )
    Debarment.objects.create(
        person=person,
        scheme=round_.scheme,
        reason="旧事",
        starts_on=dt.date(2019, 1, 1),
        ends_on=dt.date(2021, 12, 31),
    )
    Debarment.objects.create(
        person=person,
        scheme=rounds["bayu"].scheme,
        reason="他项",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date.today() + dt.timedelta(days=1),
    )
    assert submitted(round_, unit, clerk, person=data).status == S.SUBMITTED


def _earlier_honouree(round_: Round, person: Person) -> Honouree:
    earlier = Round.objects.create(
        scheme=round_.scheme,
        year=round_.year - 1,
        title="往届",
        target_count=1,
        rules=round_.rules,
        status=Round.Status.CLOSED,
    )
    n = Nomination.objects.create(
        round=earlier, person=person, channel="direct", status=S.NAMED, trade="车工", employer="厂"
    )
    return Honouree.objects.create(
        person=person,
        round=earlier,
        nomination=n,
        tier="named",
        certificate_no=f"OLD-{person.pk}",
        named_on=dt.date(2022, 5, 1),
    )


def test_someone_already_named_by_the_scheme_is_not_nominated_again(rounds, clerk_of):
    round_ = rounds["baling"]
    unit = unit_of(round_, "county_union")
    clerk = clerk_of(unit)
    data = person_data("老工匠")
    person = Person.objects.create(
        id_number=data["id_number"], name=data["name"], gender="M", birth_date=data["birth_date"]
    )
    honour = _earlier_honouree(round_, person)
    with pytest.raises(ValidationFailed) as caught:
        submitted(round_, unit, clerk, person=data)
    assert "已被命名为巴陵工匠 2022" in caught.value.zh and "Already named" in caught.value.en
    Honouree.objects.filter(pk=honour.pk).update(
        status=Honouree.Status.REVOKED
    )  # a revoked title does not count
    n = Nomination.objects.get(round=round_, person=person)
    assert intake.nomination_submit(by=clerk, nomination_id=n.pk).status == S.SUBMITTED


@pytest.mark.parametrize(
    ("code", "programme", "barred"),
    [
        ("baling", "city_talent_funding", True),
        ("jinzhong", "sanjin_talent", True),
        ("jinzhong", "sanjin_technical_expert", True),
        ("baling", "sanjin_talent", False),
        ("jinzhong", "city_talent_funding", False),
    ],
)
def test_a_listed_talent_programme_bars_a_nomination(rounds, clerk_of, code, programme, barred):
    round_ = rounds[code]
    unit = a_unit(round_, round_.rules["quotas"][0]["unit_type"])
    clerk = clerk_of(unit)
    data = person_data("人才")
    person = Person.objects.create(
        id_number=data["id_number"], name=data["name"], gender="M", birth_date=data["birth_date"]
    )
    PriorHonour.objects.create(person=person, name="某人才计划", programme=programme, level="city")
    if barred:
        with pytest.raises(ValidationFailed) as caught:
            submitted(round_, unit, clerk, person=data)
        assert "已入选某人才计划" in caught.value.zh and programme in caught.value.en
    else:
        assert submitted(round_, unit, clerk, person=data).status == S.SUBMITTED


def test_baling_refuses_a_provincial_or_higher_honour_in_the_awards(rounds, clerk_of):
    round_ = rounds["baling"]
    unit = unit_of(round_, "county_union")
    clerk = clerk_of(unit)
    provincial = [
        {
            "date": "2021-04",
            "name": "湖南省技术能手",
            "grantor": "湖南省人社厅",
            "level": "省部级",
            "rank": "",
        }
    ]
    with pytest.raises(ValidationFailed) as caught:
        submitted(round_, unit, clerk, awards=provincial)
    assert "已获湖南省技术能手（省部级）" in caught.value.zh and "provincial" in caught.value.en
    national = [{"name": "全国五一劳动奖章", "level": "national"}]
    with pytest.raises(ValidationFailed):
        submitted(round_, unit, clerk, name="国家级", awards=national)
    city = [{"name": "岳阳市技术能手", "level": "city"}]
    assert submitted(round_, unit, clerk, name="市级", awards=city).status == S.SUBMITTED


def test_baling_refuses_a_provincial_honour_recorded_by_the_office(rounds, clerk_of):
    round_ = rounds["baling"]
    unit = unit_of(round_, "county_union")
    clerk = clerk_of(unit)
    data = person_data("省劳模")
    person = Person.objects.create(
        id_number=data["id_number"], name=data["name"], gender="M", birth_date=data["birth_date"]
    )
    PriorHonour.objects.create(person=person, name="湖南省劳动模范", level="provincial", year=2020)
    with pytest.raises(ValidationFailed) as caught:
        submitted(round_, unit, clerk, person=data)
    assert "湖南省劳动模范" in caught.value.zh


def test_judgement_items_need_a_decision_from_the_reviewers(rounds, clerk_of, office):
    round_ = rounds["baling"]
    unit = unit_of(round_, "county_union")
    clerk = clerk_of(unit)
    n = submitted(round_, unit, clerk)
    judged = [r["index"] for r in n.eligibility if r["outcome"] == "judge"]
    assert judged == [6, 7]
    assert all(r["outcome"] == "pass" for r in n.eligibility if r["index"] not in judged)
    start_review(office, round_)

    with pytest.raises(ValidationFailed) as caught:
        review.nomination_qualify(by=office, nomination_id=n.pk, judgements={"6": {"ok": True}})
    assert caught.value.field == "judgements"
    assert [e.field for e in caught.value.errors] == ["judgements[7]"]
    with pytest.raises(ValidationFailed):  # a decision is {ok: bool}, not a word
        review.nomination_qualify(by=office, nomination_id=n.pk, judgements={"6": {"ok": True}, "7": "yes"})
    with pytest.raises(ValidationFailed):  # and a decision on a check that needs none is a mistake
        review.nomination_qualify(
            by=office, nomination_id=n.pk, judgements={"6": {"ok": True}, "7": {"ok": True}, "0": "ok"}
        )
    assert reload(n).status == S.SUBMITTED

    rejected = review.nomination_qualify(
        by=office, nomination_id=n.pk, judgements={6: {"ok": True}, 7: {"ok": False, "note": "现任副局长"}}
    )
    assert rejected.status == S.REJECTED
    assert "现任副局长" in rejected.review_note
    assert rejected.judgements == {"6": {"ok": True, "note": ""}, "7": {"ok": False, "note": "现任副局长"}}


def test_qualification_runs_the_machine_checks_again(rounds, clerk_of, office):
    round_ = rounds["baling"]
    unit = unit_of(round_, "county_union")
    clerk = clerk_of(unit)
    n = submitted(round_, unit, clerk)
    PriorHonour.objects.create(person=n.person, name="湖南省技术能手", level="provincial")  # found out later
    start_review(office, round_)
    assert qualify(office, n).status == S.REJECTED
    assert "湖南省技术能手" in reload(n).review_note


# --- bad input ----------------------------------------------------------------------------------------


def _female_id(birth: dt.date) -> str:
    body = f"430602{birth:%Y%m%d}012"  # the 17th character is even for women
    return body + id_check_char(body)


BAD_PERSONS = [
    (
        "check character",
        lambda p: p.update(id_number=p["id_number"][:17] + ("0" if p["id_number"][17] != "0" else "1")),
    ),
    ("too short", lambda p: p.update(id_number=p["id_number"][:15])),
    ("birth date", lambda p: p.update(birth_date=dt.date(1980, 5, 18))),
    ("gender", lambda p: p.update(gender="F")),
    ("woman's number for a man", lambda p: p.update(id_number=_female_id(dt.date(1980, 5, 17)))),
]


@pytest.mark.parametrize(("what", "spoil"), BAD_PERSONS, ids=[w for w, _ in BAD_PERSONS])
def test_a_bad_or_disagreeing_identity_number_is_refused_and_nothing_is_saved(rounds, clerk_of, what, spoil):
    round_ = rounds["baling"]
    unit = unit_of(round_, "county_union")
    clerk = clerk_of(unit)
    person = person_data("错号", birth=dt.date(1980, 5, 17))
    spoil(person)
    with pytest.raises(ValidationFailed) as caught:
        draft(round_, unit, clerk, person=person)
    assert [e.field for e in caught.value.errors] == ["id_number"]
    assert caught.value.field == "id_number"
    assert caught.value.errors[0].zh and caught.value.errors[0].en
    assert not Person.objects.exists() and not Nomination.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"brief_deeds": "匠" * 501}, "brief_deeds"),
        ({"colour": "red"}, "colour"),
        ({"trade": ""}, "trade"),
        ({"skill_level": "wizard"}, "skill_level"),
        ({"in_city_since": "2005-02-30"}, "in_city_since"),
        ({"email": "not-an-address"}, "email"),
        ({"years_in_trade": -1}, "years_in_trade"),
        ({"awards": [{"name": "奖", "level": "galactic"}]}, "awards[0].level"),
        ({"awards": [{"name": "奖" * 501}]}, "awards[0].name"),
        ({"claimed_routes": "competition"}, "claimed_routes"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_bad_field_is_refused_naming_it_and_nothing_is_saved(rounds, clerk_of, fields, field):
    round_ = rounds["baling"]
    unit = unit_of(round_, "county_union")
    clerk = clerk_of(unit)
    with pytest.raises(ValidationFailed) as caught:
        draft(round_, unit, clerk, **fields)
    assert [e.field for e in caught.value.errors] == [field]
    assert all(e.zh and e.en for e in caught.value.errors)
    assert not Person.objects.exists() and not Nomination.objects.exists()


def test_every_bad_field_is_reported_at_once(rounds, clerk_of):
    round_ = rounds["baling"]
    unit = unit_of(round_, "county_union")
    clerk = clerk_of(unit)
    person = person_data("")
    person["id_number"] = "123"
    with pytest.raises(ValidationFailed) as caught:
        draft(round_, unit, clerk, person=person, brief_deeds="字" * 501, employer="", colour="red")
    assert sorted(e.field for e in caught.value.errors) == [
        "brief_deeds",
        "colour",
        "employer",
        "id_number",
        "name",
    ]
    assert "5 处错误" in caught.value.zh and "5 error(s)" in caught.value.en


def test_exactly_five_hundred_characters_of_brief_deeds_are_fine(rounds, clerk_of):
    round_ = rounds["baling"]
    unit = unit_of(round_, "county_union")
    n = draft(round_, unit, clerk_of(unit), brief_deeds="匠" * 500)
    assert len(reload(n).brief_deeds) == 500


def test_whole_numbers_from_a_spreadsheet_are_taken_as_numbers(rounds, clerk_of):
    round_ = rounds["baling"]
    unit = unit_of(round_, "county_union")
    n = draft(
        round_, unit, clerk_of(unit), years_in_trade=22.0, invention_patent_count="3", innovation_count=4
    )
    n = reload(n)
    assert (n.years_in_trade, n.invention_patent_count, n.innovation_count) == (22, 3, 4)
    with pytest.raises(ValidationFailed):
        draft(round_, unit, clerk_of(unit), name="半个", years_in_trade=2.5)


def test_the_same_person_is_nominated_once_per_round(rounds, clerk_of):
    round_ = rounds["baling"]
    a, b = RecommendingUnit.objects.filter(scheme=round_.scheme, unit_type="county_union")
    person = person_data("抢手")
    draft(round_, a, clerk_of(a), person=person)
    with pytest.raises(ValidationFailed) as caught:
        draft(round_, b, clerk_of(b), person=person)
    assert caught.value.field == "id_number"
    assert Nomination.objects.count() == 1


def test_an_identity_number_keeps_its_name(rounds, clerk_of, office):
    round_ = rounds["baling"]
    unit = unit_of(round_, "county_union")
    clerk = clerk_of(unit)
    person = person_data("本名")
    draft(round_, unit, clerk, person=person)
    elsewhere = rounds["jiaozuo"]
    other_unit = unit_of(elsewhere, "county_union")
    with pytest.raises(ValidationFailed) as caught:
        draft(elsewhere, other_unit, clerk_of(other_unit), person=dict(person, name="别名"))
    assert caught.value.field == "id_number" and "另一姓名" in caught.value.zh
    assert "本名" not in caught.value.zh + caught.value.en, "a clerk cannot look names up by identity number"
    with pytest.raises(ValidationFailed) as caught:
        draft(elsewhere, other_unit, office, person=dict(person, name="别名"))
    assert "本名" in caught.value.zh, "the office is told which name the number carries"
    assert Person.objects.get(id_number=person["id_number"]).name == "本名"


def test_a_submitted_nomination_is_not_edited_until_returned(rounds, clerk_of, office):
    round_ = rounds["baling"]
    unit = unit_of(round_, "county_union")
    clerk = clerk_of(unit)
    person = person_data("修改")
    n = submitted(round_, unit, clerk, person=person)
    edit = dict(by=clerk, round_id=round_.pk, unit_id=unit.pk, nomination_id=n.pk, person=person)
    with pytest.raises(Conflict):
        intake.nomination_save(**edit, fields=good_fields(trade="铣工"))
    intake.nomination_return(by=office, nomination_id=n.pk, reason="工种填写有误")
    assert intake.nomination_save(**edit, fields=good_fields(trade="铣工")).trade == "铣工"
