"""A round's rules are data, validated on save with the path of the bad entry."""

import copy
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from backend.errors import ValidationFailed
from honourees.models import Round, Scheme
from honourees.rules import validate_round_rules
from honourees.seeds import BALING_2023, BAOTOU_2023, BAYU_2022, JIAOZUO_2018, JINZHONG_2019, SEEDS


@pytest.mark.parametrize("seed", SEEDS, ids=[s["scheme"]["code"] for s in SEEDS])
def test_every_seed_round_is_valid(seed):
    assert validate_round_rules(seed["rules"]) is seed["rules"]


def award_total(rules: dict, tier: str = "named") -> Decimal:
    """The money a tier's package promises one honouree, read straight from the rules."""
    package = rules.get("award", {}).get("by_tier", {}).get(tier)
    return (
        sum((Decimal(i["amount"]) for i in package["instalments"]), Decimal("0.00"))
        if package
        else Decimal("0.00")
    )


def test_the_award_totals_follow_the_notices():
    assert award_total(BALING_2023["rules"]) == Decimal("20000.00")
    assert award_total(JIAOZUO_2018["rules"]) == Decimal("10000.00")
    assert award_total(JIAOZUO_2018["rules"], "finalist") == Decimal("0.00")
    assert award_total(BAOTOU_2023["rules"]) == Decimal("10000.00")
    assert award_total(JINZHONG_2019["rules"]) == Decimal("20000.00")
    assert award_total(BAYU_2022["rules"]) == Decimal("0.00")


def test_baling_second_instalment_waits_for_studio_and_assessment():
    second = BALING_2023["rules"]["award"]["by_tier"]["named"]["instalments"][1]
    assert second["months_after_naming"] == 12
    assert [c["kind"] for c in second["conditions"]] == ["studio_established", "assessment_passed"]


def broken(path_setter):
    rules = copy.deepcopy(BALING_2023["rules"])
    path_setter(rules)
    return rules


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda r: r["quotas"][1].update(max=0), "rules.quotas[1].max"),
        (lambda r: r["quotas"][0].update(unit_type="planet"), "rules.quotas[0].unit_type"),
        (lambda r: r["quotas"][0].update(min=9), "rules.quotas[0].min"),
        (lambda r: r["category_caps"][0].update(max_share="1.5"), "rules.category_caps[0].max_share"),
        (
            lambda r: r["eligibility"][0]["params"].update(date="1963-13-01"),
            "rules.eligibility[0].params.date",
        ),
        (lambda r: r["eligibility"][2]["params"].update(level="wizard"), "rules.eligibility[2].params.level"),
        (lambda r: r["eligibility"].append({"kind": "astrology"}), "rules.eligibility[8].kind"),
        (lambda r: r["stages"].append({"kind": "qualification"}), "rules.stages[5].kind"),
        (lambda r: r["stages"].reverse(), "rules.stages"),
        (lambda r: r["tiers"].remove("named"), "rules.tiers"),
        (
            lambda r: r["award"]["by_tier"]["named"]["instalments"][0].update(amount="100.001"),
            "rules.award.by_tier.named.instalments[0].amount",
        ),
        (
            lambda r: r["award"]["by_tier"]["named"]["instalments"][0].update(amount=10000.0),
            "rules.award.by_tier.named.instalments[0].amount",
        ),
        (
            lambda r: r["award"]["by_tier"]["named"]["instalments"][0].update(amount="0"),
            "rules.award.by_tier.named.instalments[0].amount",
        ),
        (lambda r: r["award"]["tax"].update(rate="1.2"), "rules.award.tax.rate"),
        (lambda r: r.update(colour="red"), "rules"),
        (lambda r: r.pop("quotas"), "rules"),
    ],
)
def test_a_bad_entry_is_refused_naming_its_path(mutate, path):
    with pytest.raises(ValidationFailed) as caught:
        validate_round_rules(broken(mutate))
    assert caught.value.field == path
    assert caught.value.zh.startswith(path) and caught.value.en.startswith(path)


@pytest.mark.django_db
def test_the_model_refuses_bad_rules_in_full_clean():
    scheme = Scheme.objects.create(code="t", name="T", city="T")
    round_ = Round(
        scheme=scheme,
        year=2026,
        title="t",
        target_count=5,
        rules=broken(lambda r: r["quotas"].clear() or r.pop("tiers")),
    )
    with pytest.raises(ValidationError) as caught:
        round_.full_clean()
    assert "rules" in caught.value.message_dict
