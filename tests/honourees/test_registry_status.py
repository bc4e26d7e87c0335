"""The life of an honour: every status change and what it does to benefits, money and the person.

巴陵 §五(二): 虚报 → 当即取消参评资格，三年内不得再申报 (the round's debarment_years). DOMAIN.md §7: when an
award is revoked, 奖金 is recovered and related 待遇 stop.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F

from backend.errors import Conflict, NotPermitted, TransitionNotAllowed, ValidationFailed
from honourees import eligibility
from honourees.models import (
    BenefitDelivery,
    BenefitEntitlement,
    Debarment,
    Honouree,
    HonoureeStatusChange,
    Round,
)
from honourees.selectors import registry as rs
from honourees.services import benefits, status
from honourees.signals import honour_reinstated, honour_revoked, honour_status_changed
from tests.honourees.conftest import unit_of
from tests.honourees.intake_steps import draft
from tests.honourees.registry_steps import baotou_treatment_items, past_round, quick_clerk, register

pytestmark = pytest.mark.django_db

# fixtures shared by the registry tests
H = Honouree.Status


def due_codes(user, month) -> list[str]:
    return [i.entitlement.code for i in rs.benefit_calendar(user, month).items]


def reload(h: Honouree) -> Honouree:
    return Honouree.objects.get(pk=h.pk)


def entitlement_statuses(h) -> dict[str, str]:
    return dict(BenefitEntitlement.objects.filter(honouree=h).values_list("code", "status"))


@pytest.fixture
def baotou(seeds, office):
    """A 2021 包头工匠 with the labour-model items, the January 2024 allowance and visit both delivered."""
    baotou_treatment_items()
    h = register(office, past_round(seeds["baotou"], 2021), name="包头甲", named_on=dt.date(2021, 4, 28))
    for code, day in (
        ("baotou_honour_allowance", dt.date(2024, 1, 1)),
        ("baotou_spring_festival_visit", dt.date(2024, 1, 20)),
    ):
        e = BenefitEntitlement.objects.get(honouree=h, code=code)
        benefits.delivery_record(
            by=office, entitlement_id=e.pk, occurrence_on=day, delivered_on=day, evidence=f"凭证{code}"
        )
    e = BenefitEntitlement.objects.get(honouree=h, code="baotou_health_check")  # a service: no money
    benefits.delivery_record(
        by=office,
        entitlement_id=e.pk,
        occurrence_on=dt.date(2023, 5, 1),
        delivered_on=dt.date(2023, 5, 6),
        evidence="体检报告",
    )
    return reload(h)


@pytest.fixture
def baling_2020(seeds, office):
    """A 2020 巴陵工匠 (the 2023 round is open for nominations): 巴陵's rules debar for 3 years."""
    return register(office, past_round(seeds["baling"], 2020), name="巴陵甲", named_on=dt.date(2020, 10, 30))


# --- suspension, moving away, death ------------------------------------------------------------------------


def test_a_suspension_stops_what_falls_due_from_its_day_and_resuming_starts_it_again(baotou, office):
    status.honouree_set_status(
        by=office, honouree_id=baotou.pk, status=H.SUSPENDED, on=dt.date(2024, 2, 15), reason="接受调查"
    )
    h = reload(baotou)
    assert (h.status, h.status_changed_on, h.status_reason) == (H.SUSPENDED, dt.date(2024, 2, 15), "接受调查")
    assert set(entitlement_statuses(h).values()) == {"active"}, "entitlements stay: the title is kept"
    assert due_codes(office, dt.date(2024, 2, 1)) == ["baotou_honour_allowance"], (
        "02-01 was before the suspension"
    )
    assert due_codes(office, dt.date(2024, 3, 1)) == []
    status.honouree_set_status(
        by=office, honouree_id=h.pk, status=H.ACTIVE, on=dt.date(2024, 4, 10), reason="调查结束"
    )
    assert due_codes(office, dt.date(2024, 4, 1)) == [], "04-01 fell while suspended and is not owed"
    assert due_codes(office, dt.date(2024, 5, 1)) == ["baotou_health_check", "baotou_honour_allowance"]
    log = list(HonoureeStatusChange.objects.filter(honouree=h).values_list("from_status", "to_status", "on"))
    assert log == [
        (H.ACTIVE, H.SUSPENDED, dt.date(2024, 2, 15)),
        (H.SUSPENDED, H.ACTIVE, dt.date(2024, 4, 10)),
    ]


def test_moving_away_stops_the_citys_benefits_until_they_come_back(baotou, office):
    status.honouree_set_status(
        by=office, honouree_id=baotou.pk, status=H.MOVED_AWAY, on=dt.date(2024, 6, 1), reason="调往外地工作"
    )
    assert due_codes(office, dt.date(2024, 7, 1)) == []
    with pytest.raises(TransitionNotAllowed):  # moving away is not a suspension
        status.honouree_set_status(
            by=office, honouree_id=baotou.pk, status=H.SUSPENDED, on=dt.date(2024, 7, 1), reason="x"
        )
    status.honouree_set_status(
        by=office, honouree_id=baotou.pk, status=H.ACTIVE, on=dt.date(2025, 1, 5), reason="回包头工作"
    )
    assert due_codes(office, dt.date(2025, 1, 1)) == ["baotou_spring_festival_visit"]


def test_a_death_ends_every_entitlement_and_is_final(baotou, office):
    status.honouree_set_status(
        by=office, honouree_id=baotou.pk, status=H.DECEASED, on=dt.date(2024, 3, 2), reason="病故"
    )
    h = reload(baotou)
    assert h.status == H.DECEASED
    assert set(entitlement_statuses(h).values()) == {"ended"}
    assert BenefitEntitlement.objects.filter(honouree=h).first().status_changed_on == dt.date(2024, 3, 2)
    assert due_codes(office, dt.date(2024, 3, 1)) == ["baotou_honour_allowance"], "03-01 was still due"
    assert due_codes(office, dt.date(2024, 4, 1)) == []
    assert not BenefitDelivery.objects.exclude(recovery="none").exists(), "nothing is recovered after a death"
    for to in (H.ACTIVE, H.SUSPENDED):
        with pytest.raises(TransitionNotAllowed):
            status.honouree_set_status(
                by=office, honouree_id=h.pk, status=to, on=dt.date(2024, 4, 1), reason="x"
            )
    with pytest.raises(TransitionNotAllowed):
        status.honouree_revoke(
            by=office, honouree_id=h.pk, on=dt.date(2024, 4, 1), reason="x", grounds="other"
        )


def test_status_changes_need_a_reason_and_a_date_after_the_last_change_never_in_the_future(
    baotou, office, auditor
):
    with pytest.raises(ValidationFailed) as caught:
        status.honouree_set_status(
            by=office, honouree_id=baotou.pk, status=H.SUSPENDED, on=dt.date(2024, 1, 1), reason=" "
        )
    assert caught.value.field == "reason"
    with pytest.raises(ValidationFailed) as caught:
        status.honouree_set_status(
            by=office,
            honouree_id=baotou.pk,
            status=H.SUSPENDED,
            on=dt.date.today() + dt.timedelta(days=1),
            reason="x",
        )
    assert caught.value.field == "on"
    with pytest.raises(ValidationFailed):  # before the naming
        status.honouree_set_status(
            by=office, honouree_id=baotou.pk, status=H.SUSPENDED, on=dt.date(2021, 4, 1), reason="x"
        )
    status.honouree_set_status(
        by=office, honouree_id=baotou.pk, status=H.SUSPENDED, on=dt.date(2024, 5, 1), reason="x"
    )
    with pytest.raises(ValidationFailed) as caught:
        status.honouree_set_status(
            by=office, honouree_id=baotou.pk, status=H.ACTIVE, on=dt.date(2024, 4, 1), reason="x"
        )
    assert "2024-05-01" in caught.value.zh
    with pytest.raises(NotPermitted):
        status.honouree_set_status(
            by=auditor, honouree_id=baotou.pk, status=H.ACTIVE, on=dt.date(2024, 6, 1), reason="x"
        )
    with pytest.raises(Conflict):  # revocation has its own service, with grounds
        status.honouree_set_status(
            by=office, honouree_id=baotou.pk, status=H.REVOKED, on=dt.date(2024, 6, 1), reason="x"
        )
    # A replay of the same change changes nothing.
    status.honouree_set_status(
        by=office, honouree_id=baotou.pk, status=H.SUSPENDED, on=dt.date(2024, 6, 1), reason="x"
    )
    assert HonoureeStatusChange.objects.filter(honouree=baotou).count() == 1


# --- revocation and reinstatement --------------------------------------------------------------------------


def test_a_revocation_stops_what_is_due_marks_benefit_money_paid_and_debars_for_false_claims(
    baling_2020, baotou, office, seeds
):
    # 包头's rules set no debarment period; the money part is 包头's, the debarment 巴陵's.
    status.honouree_revoke(
        by=office,
        honouree_id=baotou.pk,
        on=dt.date(2024, 2, 10),
        reason="获奖材料造假",
        grounds="false_claims",
        debar=False,
    )
    h = reload(baotou)
    assert h.status == H.REVOKED
    assert set(entitlement_statuses(h).values()) == {"cancelled"}
    assert due_codes(office, dt.date(2024, 2, 1)) == ["baotou_honour_allowance"], (
        "02-01 came before the revocation"
    )
    assert due_codes(office, dt.date(2024, 3, 1)) == [] and due_codes(office, dt.date(2025, 1, 1)) == []
    marked = BenefitDelivery.objects.filter(entitlement__honouree=h).order_by(
        F("amount").asc(nulls_last=True)
    )
    assert [(d.amount, d.recovery) for d in marked] == [
        (Decimal("300.00"), "to_recover"),
        (Decimal("500.00"), "to_recover"),
        (None, "none"),
    ]
    assert rs.benefit_money(rs.honouree_page(office).get(pk=h.pk))["to_recover"] == Decimal("800.00")
    assert not Debarment.objects.filter(person=h.person).exists()
    with pytest.raises(Conflict):  # nothing is given to a revoked honour
        benefits.delivery_record(
            by=office,
            entitlement_id=BenefitEntitlement.objects.get(honouree=h, code="baotou_honour_allowance").pk,
            occurrence_on=dt.date(2024, 2, 1),
            delivered_on=dt.date(2024, 2, 12),
            evidence="x",
        )

    status.honouree_revoke(
        by=office,
        honouree_id=baling_2020.pk,
        on=dt.date(2024, 3, 1),
        reason="虚报专利",
        grounds="false_claims",
    )
    bar = Debarment.objects.get(person=baling_2020.person)
    assert (bar.scheme, bar.starts_on, bar.ends_on) == (
        baling_2020.round.scheme,
        dt.date(2024, 3, 1),
        dt.date(2027, 2, 28),
    )
    assert HonoureeStatusChange.objects.get(honouree=baling_2020).debarment == bar
    # The intake now refuses them in 巴陵's open round, with the reason.
    clerk = quick_clerk(unit_of(seeds["baling"], "county_union"))
    with pytest.raises(ValidationFailed) as caught:
        draft(
            seeds["baling"],
            unit_of(seeds["baling"], "county_union"),
            clerk,
            person={
                "name": "巴陵甲",
                "id_number": baling_2020.person.id_number,
                "gender": "",
                "birth_date": "",
            },
        )
    assert "2027-02-28" in caught.value.zh
    assert (
        eligibility.active_debarment(baling_2020.person, baling_2020.round.scheme, dt.date(2027, 3, 1))
        is None
    )


def test_a_conviction_revokes_without_debarment_unless_asked_and_only_where_the_rules_set_a_period(
    baling_2020, baotou, office
):
    with pytest.raises(ValidationFailed) as caught:
        status.honouree_revoke(
            by=office, honouree_id=baling_2020.pk, on=dt.date(2024, 3, 1), reason="x", grounds="rumour"
        )
    assert caught.value.field == "grounds"
    status.honouree_revoke(
        by=office,
        honouree_id=baling_2020.pk,
        on=dt.date(2024, 3, 1),
        reason="刑事判决",
        grounds="criminal_conviction",
        recover_paid=False,
    )
    assert not Debarment.objects.exists()
    with pytest.raises(ValidationFailed) as caught:  # 包头's rules have no debarment_years
        status.honouree_revoke(
            by=office,
            honouree_id=baotou.pk,
            on=dt.date(2024, 3, 1),
            reason="刑事判决",
            grounds="criminal_conviction",
            debar=True,
        )
    assert caught.value.field == "debar"
    assert reload(baotou).status == H.ACTIVE, "nothing was half-done"
    status.honouree_revoke(
        by=office,
        honouree_id=baotou.pk,
        on=dt.date(2024, 3, 1),
        reason="刑事判决",
        grounds="criminal_conviction",
        recover_paid=False,
    )
    assert not BenefitDelivery.objects.exclude(recovery="none").exists(), "the office chose not to recover"


def test_revoking_twice_revokes_once(baling_2020, office):
    for _ in range(2):
        status.honouree_revoke(
            by=office,
            honouree_id=baling_2020.pk,
            on=dt.date(2024, 3, 1),
            reason="虚报",
            grounds="false_claims",
        )
    assert Debarment.objects.count() == 1 and HonoureeStatusChange.objects.count() == 1


def test_a_reinstatement_restores_benefits_withdraws_open_recovery_and_lifts_the_debarment(
    baling_2020, baotou, office
):
    status.honouree_revoke(
        by=office, honouree_id=baotou.pk, on=dt.date(2024, 2, 10), reason="举报", grounds="other"
    )
    visit = BenefitDelivery.objects.get(entitlement__code="baotou_spring_festival_visit")
    benefits.delivery_settle_recovery(
        by=office, delivery_id=visit.pk, on=dt.date(2024, 3, 1), note="已退回 500 元"
    )
    with pytest.raises(TransitionNotAllowed):  # a revoked honour is not suspended; it is reinstated
        status.honouree_set_status(
            by=office, honouree_id=baotou.pk, status=H.SUSPENDED, on=dt.date(2024, 3, 1), reason="x"
        )
    with pytest.raises(Conflict):
        status.honouree_set_status(
            by=office, honouree_id=baotou.pk, status=H.ACTIVE, on=dt.date(2024, 3, 1), reason="x"
        )

    status.honouree_reinstate(
        by=office, honouree_id=baotou.pk, on=dt.date(2024, 4, 15), reason="复查：举报不实"
    )
    h = reload(baotou)
    assert (h.status, h.status_changed_on) == (H.ACTIVE, dt.date(2024, 4, 15))
    assert set(entitlement_statuses(h).values()) == {"active"}
    recovery = dict(
        BenefitDelivery.objects.filter(amount__isnull=False).values_list("entitlement__code", "recovery")
    )
    assert recovery == {"baotou_honour_allowance": "none", "baotou_spring_festival_visit": "recovered"}
    assert due_codes(office, dt.date(2024, 4, 1)) == [], "04-01 fell while revoked"
    assert due_codes(office, dt.date(2024, 5, 1)) == ["baotou_health_check", "baotou_honour_allowance"]
    assert (
        status.honouree_reinstate(by=office, honouree_id=h.pk, on=dt.date(2024, 4, 15), reason="x").status
        == H.ACTIVE
    )
    assert HonoureeStatusChange.objects.filter(honouree=h).count() == 2, "a replay adds nothing"

    status.honouree_revoke(
        by=office, honouree_id=baling_2020.pk, on=dt.date(2024, 3, 1), reason="虚报", grounds="false_claims"
    )
    status.honouree_reinstate(
        by=office, honouree_id=baling_2020.pk, on=dt.date(2024, 6, 1), reason="行政复议撤销原决定"
    )
    bar = Debarment.objects.get(person=baling_2020.person)
    assert (bar.starts_on, bar.ends_on) == (dt.date(2024, 3, 1), dt.date(2024, 5, 31))
    assert (
        eligibility.active_debarment(baling_2020.person, baling_2020.round.scheme, dt.date(2024, 6, 1))
        is None
    )


def test_a_debarment_lifted_on_its_first_day_is_removed(baling_2020, office):
    status.honouree_revoke(
        by=office, honouree_id=baling_2020.pk, on=dt.date(2024, 3, 1), reason="虚报", grounds="false_claims"
    )
    status.honouree_reinstate(
        by=office, honouree_id=baling_2020.pk, on=dt.date(2024, 3, 1), reason="当日更正"
    )
    assert not Debarment.objects.exists()
    assert Debarment.history.filter(history_type="-").get().history_user == office


def test_only_a_revoked_honour_is_reinstated(baling_2020, office):
    with pytest.raises(TransitionNotAllowed):
        status.honouree_reinstate(by=office, honouree_id=baling_2020.pk, on=dt.date(2024, 3, 1), reason="x")


def test_recovery_is_recorded_or_waived_once(baotou, office):
    status.honouree_revoke(
        by=office,
        honouree_id=baotou.pk,
        on=dt.date(2024, 2, 10),
        reason="造假",
        grounds="false_claims",
        debar=False,
    )
    allowance, visit = BenefitDelivery.objects.filter(amount__isnull=False).order_by("amount")
    with pytest.raises(ValidationFailed):  # waiving needs a reason
        benefits.delivery_settle_recovery(
            by=office, delivery_id=allowance.pk, on=dt.date(2024, 3, 1), waived=True
        )
    benefits.delivery_settle_recovery(
        by=office, delivery_id=allowance.pk, on=dt.date(2024, 3, 1), waived=True, note="经批准免予追回"
    )
    with pytest.raises(Conflict):
        benefits.delivery_settle_recovery(by=office, delivery_id=allowance.pk, on=dt.date(2024, 3, 2))
    health = BenefitDelivery.objects.get(amount__isnull=True)
    with pytest.raises(Conflict):  # nothing to recover of a health check
        benefits.delivery_settle_recovery(by=office, delivery_id=health.pk, on=dt.date(2024, 3, 2))
    assert (
        benefits.delivery_settle_recovery(by=office, delivery_id=visit.pk, on=dt.date(2024, 3, 2)).recovery
        == "recovered"
    )


# --- signals: funding is told inside the transaction -------------------------------------------------------


def test_funding_is_told_of_a_revocation_and_a_reinstatement_once_each(baotou, office):
    heard = []

    def listen(signal_name):
        def receiver(sender, honouree, change, by, **kwargs):
            heard.append((signal_name, honouree.pk, change.to_status, kwargs.get("recover_paid")))

        return receiver

    receivers = {
        honour_status_changed: listen("changed"),
        honour_revoked: listen("revoked"),
        honour_reinstated: listen("reinstated"),
    }
    for signal, receiver in receivers.items():
        signal.connect(receiver, dispatch_uid=f"test-{id(receiver)}")
    try:
        status.honouree_revoke(
            by=office,
            honouree_id=baotou.pk,
            on=dt.date(2024, 2, 10),
            reason="造假",
            grounds="false_claims",
            debar=False,
        )
        status.honouree_reinstate(by=office, honouree_id=baotou.pk, on=dt.date(2024, 3, 1), reason="复查")
    finally:
        for signal, receiver in receivers.items():
            signal.disconnect(dispatch_uid=f"test-{id(receiver)}")
    assert heard == [
        ("revoked", baotou.pk, H.REVOKED, True),
        ("reinstated", baotou.pk, H.ACTIVE, None),
    ], "one signal per move: a revocation and a reinstatement are not also a plain status change"


def test_a_failing_receiver_of_honour_revoked_undoes_the_whole_revocation(baling_2020, office):
    def funding_fails(sender, **kwargs):
        raise RuntimeError("funding could not cancel the instalments")

    honour_revoked.connect(funding_fails, dispatch_uid="test-failing-funding")
    try:
        with pytest.raises(RuntimeError):
            status.honouree_revoke(
                by=office,
                honouree_id=baling_2020.pk,
                on=dt.date(2024, 3, 1),
                reason="虚报",
                grounds="false_claims",
            )
    finally:
        honour_revoked.disconnect(dispatch_uid="test-failing-funding")
    assert reload(baling_2020).status == H.ACTIVE
    assert not Debarment.objects.exists() and not HonoureeStatusChange.objects.exists()
    assert set(entitlement_statuses(baling_2020).values()) == {"active"}


def test_the_intake_keeps_counting_a_suspended_honouree_as_honoured_the_log_answers_any_day(
    baling_2020, office
):
    status.honouree_set_status(
        by=office, honouree_id=baling_2020.pk, status=H.SUSPENDED, on=dt.date(2024, 1, 1), reason="x"
    )
    h = rs.honouree_page(office).get(pk=baling_2020.pk)
    assert [h.status_on(d) for d in (dt.date(2020, 10, 29), dt.date(2020, 10, 30), dt.date(2024, 1, 1))] == [
        None,
        H.ACTIVE,
        H.SUSPENDED,
    ]
    assert H.SUSPENDED in Honouree.HOLDING and H.REVOKED not in Honouree.HOLDING
    assert Round.objects.filter(pk=baling_2020.round_id, status=Round.Status.CLOSED).exists()
