"""Benefit entitlements from a round's data, the benefit calendar, deliveries and referrals.

包头 §八: “包头工匠”… 享受包头市劳动模范待遇. 焦作 §六: 按程序申报焦作市五一劳动奖章.
"""

import datetime as dt
from decimal import Decimal

import pytest

from backend.errors import Conflict, NotPermitted, ValidationFailed
from honourees.models import BenefitDelivery, BenefitEntitlement, BenefitType, PriorHonour, Round
from honourees.rules import validate_round_rules
from honourees.selectors import registry as rs
from honourees.services import benefits, naming
from tests.honourees.registry_steps import baotou_treatment_items, name_baotou, past_round, register

pytestmark = pytest.mark.django_db

# fixtures shared by the registry tests
Jan2024 = dt.date(2024, 1, 1)


def by_code(honouree) -> dict[str, BenefitEntitlement]:
    return {e.code: e for e in BenefitEntitlement.objects.filter(honouree=honouree)}


def due(user, month, **kw) -> list[tuple[str, str, dt.date]]:
    return [
        (i.honouree.person.name, i.entitlement.code, i.day)
        for i in rs.benefit_calendar(user, month, **kw).items
    ]


# --- entitlements from the round's data ---------------------------------------------------------------------


def test_a_baotou_honouree_named_through_the_intake_gets_the_labour_model_treatment_and_its_items(
    seeds, office
):
    baotou_treatment_items()
    named = name_baotou(office, seeds["baotou"])

    assert len(named) == 1
    honouree = named[0]
    got = by_code(honouree)
    assert set(got) == {
        "baotou_labour_model",  # the treatment itself, as the round's rules name it
        "baotou_spring_festival_visit",
        "baotou_health_check",
        "baotou_honour_allowance",
    }, "the inactive item is not granted"
    treatment = got["baotou_labour_model"]
    assert (treatment.kind, treatment.name, treatment.funder, treatment.amount) == (
        "labour_model_treatment",
        "享受包头市劳动模范待遇",
        "city_finance",
        None,
    )
    visit = got["baotou_spring_festival_visit"]
    assert (visit.amount, visit.funder, visit.recurrence, visit.source_code) == (
        Decimal("500.00"),
        "union",
        "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=20",
        "baotou_labour_model",
    )
    assert all(e.starts_on == dt.date(2023, 4, 17) and e.ends_on is None for e in got.values())
    assert all(e.status == "active" and e.referral_status == "" for e in got.values())
    # Only the named nominee: the other one was not selected and has nothing.
    assert BenefitEntitlement.objects.exclude(honouree=honouree).count() == 0
    # The certificate number of naming is the registry's default pattern.
    assert honouree.certificate_no == naming.certificate_number(honouree.round, 1) == "BAOTOU-2023-001"


def test_granting_again_adds_nothing_and_types_changed_later_do_not_rewrite_entitlements(seeds, office):
    items = baotou_treatment_items()
    h = register(office, past_round(seeds["baotou"], 2021))
    assert len(by_code(h)) == 4
    BenefitType.objects.filter(pk=items[0].pk).update(amount="800.00")
    assert benefits.entitlements_grant(honouree=h, by=office) == []
    assert by_code(h)["baotou_spring_festival_visit"].amount == Decimal("500.00")


def test_a_treatment_without_items_is_still_recorded_as_the_standing_entitlement(seeds, office):
    h = register(office, past_round(seeds["baotou"], 2021))
    assert list(by_code(h)) == ["baotou_labour_model"]
    assert due(office, dt.date(2021, 5, 1)) == []  # a standing entitlement never falls due by itself


def test_jiaozuos_referral_goes_to_those_named_and_not_to_finalists(seeds, office):
    r = past_round(seeds["jiaozuo"], 2017)
    named = register(office, r, name="焦名")
    finalist = register(office, r, name="焦入围", tier="finalist")
    assert list(by_code(named)) == ["jiaozuo_may_day_medal"]
    referral = by_code(named)["jiaozuo_may_day_medal"]
    assert (referral.kind, referral.referral_status, referral.funder) == ("referral", "pending", "union")
    assert by_code(finalist) == {}


def test_a_rounds_benefit_entry_can_carry_its_own_amount_schedule_length_and_tiers(seeds, office):
    rules = dict(
        seeds["bayu"].rules,
        benefits=[
            {
                "kind": "recurring_allowance",
                "code": "bayu_allowance",
                "zh": "工匠津贴",
                "en": "Craftsman allowance",
                "funder": "city_finance",
                "amount": "200.00",
                "recurrence": "FREQ=MONTHLY;BYMONTHDAY=10",
                "months": 12,
                "tiers": ["named", "nominated"],
            },
        ],
    )
    h = register(
        office,
        past_round(seeds["bayu"], 2021, benefits=rules["benefits"]),
        tier="nominated",
        named_on=dt.date(2021, 3, 15),
    )
    e = by_code(h)["bayu_allowance"]
    assert (e.amount, e.recurrence, e.starts_on, e.ends_on) == (
        Decimal("200.00"),
        "FREQ=MONTHLY;BYMONTHDAY=10",
        dt.date(2021, 3, 15),
        dt.date(2022, 3, 14),
    )
    days = e.occurrences(dt.date(2021, 1, 1), dt.date(2030, 1, 1))
    assert days[0] == dt.date(2021, 4, 10) and days[-1] == dt.date(2022, 3, 10) and len(days) == 12


@pytest.mark.parametrize(
    ("benefit", "path"),
    [
        ({"recurrence": "FREQ=DAILY"}, "rules.benefits[0].recurrence"),
        ({"recurrence": "FREQ=MONTHLY;UNTIL=20300101"}, "rules.benefits[0].recurrence"),
        ({"recurrence": "FREQ=MONTHLY;BYMONTHDAY=40"}, "rules.benefits[0].recurrence"),
        ({"amount": 500}, "rules.benefits[0].amount"),
        ({"funder": "bank"}, "rules.benefits[0].funder"),
        ({"tiers": ["finalist"]}, "rules.benefits[0].tiers[0]"),
        ({"months": 0}, "rules.benefits[0].months"),
        ({"code": "Has Space"}, "rules.benefits[0].code"),
    ],
)
def test_bad_benefit_entries_are_refused_naming_the_path(seeds, benefit, path):
    rules = dict(seeds["baling"].rules)
    rules["benefits"] = [dict(rules["benefits"][0], **benefit)]
    with pytest.raises(ValidationFailed) as caught:
        validate_round_rules(rules)
    assert caught.value.field == path


@pytest.mark.parametrize(
    "pattern", ["{scheme}-{year}", "{city}-{seq}", "{seq:q}", 7, "{scheme}{scheme}{scheme}{seq}"]
)
def test_a_certificate_pattern_needs_seq_and_known_placeholders_and_a_short_result(seeds, pattern):
    with pytest.raises(ValidationFailed) as caught:
        validate_round_rules(dict(seeds["baling"].rules, certificate_pattern=pattern))
    assert caught.value.field == "rules.certificate_pattern"


def test_direct_registration_numbers_certificates_by_the_rounds_pattern_skipping_taken_ones(seeds, office):
    r = past_round(seeds["baling"], 2019, certificate_pattern="岳阳巴陵{year}第{seq:02d}号")
    first = register(
        office, r, name="甲", certificate_no="岳阳巴陵2019第02号"
    )  # the certificate's own number
    second = register(office, r, name="乙")
    third = register(office, r, name="丙")
    assert [first.certificate_no, second.certificate_no, third.certificate_no] == [
        "岳阳巴陵2019第02号",
        "岳阳巴陵2019第03号",
        "岳阳巴陵2019第04号",
    ]


# --- the benefit calendar ----------------------------------------------------------------------------------


@pytest.fixture
def baotou_2021(seeds, office):
    baotou_treatment_items()
    return register(office, past_round(seeds["baotou"], 2021), name="包头甲", named_on=dt.date(2021, 4, 28))


def test_the_calendar_lists_what_falls_due_to_whom_in_the_month(baotou_2021, office, auditor):
    assert due(office, Jan2024) == [
        ("包头甲", "baotou_honour_allowance", dt.date(2024, 1, 1)),
        ("包头甲", "baotou_spring_festival_visit", dt.date(2024, 1, 20)),
    ]
    assert due(office, dt.date(2024, 5, 1)) == [
        ("包头甲", "baotou_health_check", dt.date(2024, 5, 1)),
        ("包头甲", "baotou_honour_allowance", dt.date(2024, 5, 1)),
    ]
    assert due(office, dt.date(2021, 4, 1)) == [], "nothing before the naming on 04-28"
    assert due(auditor, Jan2024) == due(office, Jan2024), "the auditor reads the same calendar"
    cal = rs.benefit_calendar(office, Jan2024)
    assert cal.totals_by_funder() == {"city_finance": Decimal("300.00"), "union": Decimal("500.00")}
    assert due(office, Jan2024, funder="union") == [
        ("包头甲", "baotou_spring_festival_visit", dt.date(2024, 1, 20))
    ]
    assert due(office, Jan2024, scheme="baling") == []


def test_a_delivery_takes_its_due_day_off_the_calendar_and_a_replay_records_it_once(baotou_2021, office):
    visit = by_code(baotou_2021)["baotou_spring_festival_visit"]
    d = benefits.delivery_record(
        by=office,
        entitlement_id=visit.pk,
        occurrence_on=dt.date(2024, 1, 20),
        delivered_on=dt.date(2024, 1, 22),
        evidence="慰问签收单 2024-017",
    )
    assert d.amount == Decimal("500.00") and d.recorded_by == office and d.recovery == "none"
    again = benefits.delivery_record(
        by=office,
        entitlement_id=visit.pk,
        occurrence_on=dt.date(2024, 1, 20),
        delivered_on=dt.date(2024, 1, 22),
        evidence="慰问签收单 2024-017",
    )
    assert again.pk == d.pk and BenefitDelivery.objects.count() == 1
    with pytest.raises(Conflict):  # the same due day with other evidence: already given
        benefits.delivery_record(
            by=office,
            entitlement_id=visit.pk,
            occurrence_on=dt.date(2024, 1, 20),
            delivered_on=dt.date(2024, 1, 23),
            evidence="另一张单据",
        )
    assert due(office, Jan2024) == [("包头甲", "baotou_honour_allowance", dt.date(2024, 1, 1))]


def test_a_delivery_must_answer_a_real_due_day_with_money_as_decimal(baotou_2021, office):
    allowance = by_code(baotou_2021)["baotou_honour_allowance"]
    with pytest.raises(ValidationFailed) as caught:
        benefits.delivery_record(
            by=office,
            entitlement_id=allowance.pk,
            occurrence_on=dt.date(2024, 1, 2),
            delivered_on=dt.date(2024, 1, 5),
            evidence="x",
        )
    assert caught.value.field == "occurrence_on"
    with pytest.raises(ValidationFailed) as caught:
        benefits.delivery_record(
            by=office,
            entitlement_id=allowance.pk,
            occurrence_on=dt.date(2024, 1, 1),
            delivered_on=dt.date(2024, 1, 5),
            evidence="x",
            amount=300.0,
        )
    assert caught.value.field == "amount" and "浮点" in caught.value.zh
    with pytest.raises(ValidationFailed):  # a delivery needs its evidence
        benefits.delivery_record(
            by=office,
            entitlement_id=allowance.pk,
            occurrence_on=dt.date(2024, 1, 1),
            delivered_on=dt.date(2024, 1, 5),
            evidence=" ",
        )
    with pytest.raises(ValidationFailed):  # nor is it recorded for a day to come
        benefits.delivery_record(
            by=office,
            entitlement_id=allowance.pk,
            occurrence_on=dt.date(2024, 1, 1),
            delivered_on=dt.date.today() + dt.timedelta(days=2),
            evidence="x",
        )
    treatment = by_code(baotou_2021)["baotou_labour_model"]
    with pytest.raises(Conflict):  # the treatment itself is not given; its items are
        benefits.delivery_record(
            by=office, entitlement_id=treatment.pk, delivered_on=dt.date(2024, 1, 5), evidence="x"
        )
    d = benefits.delivery_record(
        by=office,
        entitlement_id=allowance.pk,
        occurrence_on=dt.date(2024, 1, 1),
        delivered_on=dt.date(2024, 1, 5),
        evidence="代发 0105",
        amount="280.50",
    )
    assert d.amount == Decimal("280.50")


def test_only_the_talent_office_records_deliveries(baotou_2021, auditor):
    allowance = by_code(baotou_2021)["baotou_honour_allowance"]
    with pytest.raises(NotPermitted):
        benefits.delivery_record(
            by=auditor,
            entitlement_id=allowance.pk,
            occurrence_on=dt.date(2024, 1, 1),
            delivered_on=dt.date(2024, 1, 5),
            evidence="x",
        )


def test_an_allowance_paid_from_retirement_moves_its_period_and_the_office_can_end_one(baotou_2021, office):
    allowance = by_code(baotou_2021)["baotou_honour_allowance"]
    benefits.entitlement_set_period(
        by=office, entitlement_id=allowance.pk, starts_on=dt.date(2024, 3, 15), ends_on=None
    )
    assert [c for _, c, _ in due(office, dt.date(2024, 3, 1))] == []
    assert [c for _, c, _ in due(office, dt.date(2024, 4, 1))] == ["baotou_honour_allowance"]
    benefits.delivery_record(
        by=office,
        entitlement_id=allowance.pk,
        occurrence_on=dt.date(2024, 4, 1),
        delivered_on=dt.date(2024, 4, 2),
        evidence="代发",
    )
    with pytest.raises(ValidationFailed):  # the April delivery would fall outside
        benefits.entitlement_set_period(
            by=office, entitlement_id=allowance.pk, starts_on=dt.date(2024, 5, 1), ends_on=None
        )
    benefits.entitlement_end(
        by=office, entitlement_id=allowance.pk, on=dt.date(2024, 6, 15), reason="政策调整"
    )
    assert [c for _, c, _ in due(office, dt.date(2024, 6, 1))] == ["baotou_honour_allowance"], (
        "due before the end"
    )
    assert due(office, dt.date(2024, 7, 1)) == []
    with pytest.raises(Conflict):
        benefits.entitlement_set_period(
            by=office, entitlement_id=allowance.pk, starts_on=dt.date(2024, 1, 1), ends_on=None
        )


def test_the_calendar_costs_three_queries_however_many_honourees(seeds, office, django_assert_num_queries):
    baotou_treatment_items()
    r = past_round(seeds["baotou"], 2021)
    register(office, r, name="一号")
    rs.benefit_calendar(office, Jan2024)  # roles read once per user object
    with django_assert_num_queries(3):
        assert len(rs.benefit_calendar(office, Jan2024).items) == 2
    for i in range(5):
        register(office, r, name=f"多{i}")
    with django_assert_num_queries(3):
        assert len(rs.benefit_calendar(office, Jan2024).items) == 12


# --- referrals ---------------------------------------------------------------------------------------------


def test_a_referral_is_submitted_then_awarded_and_the_medal_becomes_a_prior_honour(seeds, office):
    h = register(office, past_round(seeds["jiaozuo"], 2017), name="焦工", named_on=dt.date(2017, 9, 10))
    referral = by_code(h)["jiaozuo_may_day_medal"]
    assert due(office, dt.date(2017, 9, 1)) == [("焦工", "jiaozuo_may_day_medal", dt.date(2017, 9, 10))]
    with pytest.raises(Conflict):  # decided before it was even submitted
        benefits.referral_record(
            by=office, entitlement_id=referral.pk, outcome="awarded", on=dt.date(2018, 4, 1)
        )
    benefits.referral_record(
        by=office,
        entitlement_id=referral.pk,
        outcome="submitted",
        on=dt.date(2017, 9, 20),
        note="焦作市总工会",
    )
    assert due(office, dt.date(2017, 9, 1)) == [], "a submitted referral is no longer due"
    with pytest.raises(ValidationFailed):  # decided before it was submitted
        benefits.referral_record(
            by=office, entitlement_id=referral.pk, outcome="awarded", on=dt.date(2017, 9, 1)
        )
    done = benefits.referral_record(
        by=office,
        entitlement_id=referral.pk,
        outcome="awarded",
        on=dt.date(2018, 4, 28),
        honour_name="焦作市五一劳动奖章",
        honour_level="city",
        honour_granted_by="焦作市总工会",
    )
    assert (done.referral_status, done.referral_submitted_on, done.referral_decided_on) == (
        "awarded",
        dt.date(2017, 9, 20),
        dt.date(2018, 4, 28),
    )
    medal = PriorHonour.objects.get(person=h.person)
    assert (medal.name, medal.level, medal.year, medal.granted_by, done.awarded_honour_id) == (
        "焦作市五一劳动奖章",
        "city",
        2018,
        "焦作市总工会",
        medal.pk,
    )
    with pytest.raises(Conflict):  # an outcome is final
        benefits.referral_record(
            by=office, entitlement_id=referral.pk, outcome="declined", on=dt.date(2018, 5, 1)
        )
    assert benefits.referral_record(
        by=office, entitlement_id=referral.pk, outcome="awarded", on=dt.date(2018, 5, 1)
    ).pk


def test_a_declined_referral_is_recorded_and_deliveries_are_not_how_referrals_are_kept(seeds, office):
    h = register(office, past_round(seeds["jinzhong"], 2018), named_on=dt.date(2018, 9, 17))
    referral = by_code(h)["jinzhong_sanjin_talent"]
    with pytest.raises(Conflict):
        benefits.delivery_record(
            by=office, entitlement_id=referral.pk, delivered_on=dt.date(2018, 10, 1), evidence="x"
        )
    benefits.referral_record(
        by=office, entitlement_id=referral.pk, outcome="submitted", on=dt.date(2018, 10, 8)
    )
    done = benefits.referral_record(
        by=office, entitlement_id=referral.pk, outcome="declined", on=dt.date(2019, 1, 8)
    )
    assert done.referral_status == "declined" and not PriorHonour.objects.exists()


def test_a_round_kept_as_a_draft_record_takes_direct_registrations_and_an_open_one_does_not(seeds, office):
    draft = past_round(seeds["baling"], 2021, status=Round.Status.DRAFT)
    assert register(office, draft).round == draft
    with pytest.raises(Conflict):
        register(office, seeds["baling"])  # 2023 is taking nominations: its honourees come from the intake
