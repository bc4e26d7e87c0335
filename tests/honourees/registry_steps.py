"""Registry test helpers: quick personas, past rounds of the seed schemes, honourees registered or named.

Users here get no password (hashing one costs a third of a second): pages log them in with
``client.force_login``, the API with ``force_authenticate``. The personas (office, auditor, maker) and
``seeds`` are fixtures of tests/conftest.py.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from openpyxl import load_workbook

from backend.roles import Role
from backend.xlsx import put_text
from honourees.models import BenefitType, Honouree, RecommendingUnit, Round, UnitClerk
from honourees.registry_xlsx import write_historic_template
from honourees.services import naming, review
from tests.honourees.conftest import make_id
from tests.honourees.intake_steps import expert_review, qualify, start_review, submitted

_serial = itertools.count(1)


def quick_user(username: str, *roles: str, full_name: str = ""):
    user = get_user_model()(username=username, last_name=full_name)
    user.set_unusable_password()
    user.save()
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def past_round(seed_round: Round, year: int, *, status=Round.Status.CLOSED, **rules) -> Round:
    """An earlier round of the seed's scheme with the seed's rules (changed by ``rules``), kept as a record."""
    merged = copy.deepcopy(seed_round.rules)
    merged.update(rules)
    return Round.objects.create(
        scheme=seed_round.scheme,
        year=year,
        title=f"{year}年{seed_round.scheme.name}",
        target_count=seed_round.target_count,
        notice_working_days=seed_round.notice_working_days,
        status=status,
        rules=merged,
    )


def register(
    by, round_: Round, *, name: str = "王师傅", named_on=dt.date(2020, 4, 28), id_number=None, **fields
) -> Honouree:
    """An honouree registered directly (as a historic one), through the registry's service."""
    return naming.honouree_register(
        by=by,
        round_id=round_.pk,
        person={"name": name, "id_number": id_number or make_id(dt.date(1975, 3, 9))},
        named_on=named_on,
        **fields,
    )


def baotou_treatment_items() -> list[BenefitType]:
    """Items of 包头市劳动模范待遇 as an office would enter them. The amounts and days are test data: the
    city's 市级劳模 list is not in the notices (DOMAIN.md §2 gap)."""
    return [
        BenefitType.objects.create(
            code="baotou_spring_festival_visit",
            name="春节慰问",
            name_en="Spring Festival visit",
            kind="recurring_allowance",
            funder="union",
            amount="500.00",
            recurrence="FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=20",
            treatment="baotou_labour_model",
        ),
        BenefitType.objects.create(
            code="baotou_health_check",
            name="健康体检",
            name_en="Health check",
            kind="service",
            funder="union",
            recurrence="FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1",
            treatment="baotou_labour_model",
        ),
        BenefitType.objects.create(
            code="baotou_honour_allowance",
            name="荣誉津贴",
            name_en="Honour allowance",
            kind="recurring_allowance",
            funder="city_finance",
            amount="300.00",
            recurrence="FREQ=MONTHLY;BYMONTHDAY=1",
            treatment="baotou_labour_model",
        ),
        BenefitType.objects.create(  # no longer given: never granted
            code="baotou_old_subsidy",
            name="旧补贴",
            kind="one_off",
            funder="union",
            amount="100.00",
            treatment="baotou_labour_model",
            is_active=False,
        ),
    ]


def quick_clerk(unit: RecommendingUnit):
    user = quick_user(f"clerk{next(_serial)}", Role.UNIT_CLERK)
    UnitClerk.objects.create(user=user, unit=unit)
    return user


def name_baotou(office, round_: Round, *, names=("包钢甲", "包钢乙")) -> list[Honouree]:
    """包头 2023 through its own stages to naming (the first of ``names`` named), by the real services.

    Changed from the seed: 1 to name, so the 1:1.5 shortlist keeps both nominees.
    """
    Round.objects.filter(pk=round_.pk).update(target_count=1)
    round_.refresh_from_db()
    unit = (
        RecommendingUnit.objects.filter(scheme=round_.scheme, unit_type="direct_union").order_by("id").first()
    )
    clerk = quick_clerk(unit)
    nominations = [submitted(round_, unit, clerk, name=n) for n in names]
    start_review(office, round_)
    for n in nominations:
        qualify(office, n)
    experts = [quick_user(f"expert{next(_serial)}", Role.EXPERT) for _ in range(2)]
    expert_review(office, experts, {n: (90 - i, 90 - i) for i, n in enumerate(nominations)})
    review.round_shortlist(by=office, round_id=round_.pk)
    review.round_record_votes(by=office, round_id=round_.pk, votes={n.pk: 100 for n in nominations})
    for n in nominations:
        review.nomination_record_defense(by=office, nomination_id=n.pk, score=80)
    naming.round_propose(by=office, round_id=round_.pk, tiers={nominations[0].pk: "named"})
    naming.round_start_notice(by=office, round_id=round_.pk, starts_on=dt.date(2023, 4, 10))
    return naming.round_name(
        by=office, round_id=round_.pk, named_on=dt.date(2023, 4, 17), naming_document="包总工发〔2023〕9号"
    )


# --- the historic-honouree sheet ------------------------------------------------------------------------


def sheet(scheme, rows: list[list], *, edit=None) -> bytes:
    """The scheme's empty sheet with ``rows`` from row 3 (B onwards; A is the 序号), edited by ``edit(ws)``."""
    wb = load_workbook(io.BytesIO(write_historic_template(scheme)))
    ws = wb.worksheets[0]
    for i, values in enumerate(rows):
        ws.cell(3 + i, 1).value = i + 1
        for j, value in enumerate(values):
            if isinstance(value, str):
                put_text(ws.cell(3 + i, 2 + j), value)  # as typed: text, even when it starts with =
            else:
                ws.cell(3 + i, 2 + j).value = value
    if edit:
        edit(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(
    name="包钢王",
    id_number=None,
    year=2021,
    tier="命名",
    cert="",
    named="2021-04-28",
    doc="包总工发〔2021〕3号",
    title="",
    employer="包钢集团",
    trade="炼钢工",
    unit="",
    region="昆都仑区",
    note="",
):
    return [
        name,
        id_number or make_id(dt.date(1970, 1, 5)),
        year,
        tier,
        cert,
        named,
        doc,
        title,
        employer,
        trade,
        unit,
        region,
        note,
    ]
