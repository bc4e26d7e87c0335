"""Demo data for funding: budgets for each source, a few named honourees per paying scheme with their award
plans and bank accounts, so the finance pages have due, blocked and planned instalments to show.

Idempotent. The honourees are made directly (as studios.demo does: naming through the services would close
the rounds the demo keeps open for nominations), then their plans through ``award_plan_create``, exactly
as the naming receiver makes them.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import User
from django.utils import timezone

from honourees.models import RecommendingUnit, Round
from studios.demo import ensure_named_honouree

from .models import AwardPlan, Budget, PayeeAccount
from .services import budgets, payees, plans

# scheme code → named on, and the honourees (name, birth date, gender)
DEMO_HONOUREES = {
    "baling": (
        dt.date(2023, 12, 1),
        [("刘志强", dt.date(1978, 2, 3), "M"), ("何秀英", dt.date(1982, 7, 9), "F")],
    ),
    "jiaozuo": (dt.date(2018, 12, 28), [("马建国", dt.date(1970, 5, 1), "M")]),
    "baotou": (dt.date(2023, 4, 28), [("巴特尔", dt.date(1980, 10, 1), "M")]),
    "jinzhong": (dt.date(2019, 12, 20), [("韩丽娟", dt.date(1979, 3, 15), "F")]),
}
BANKS = ["中国工商银行", "中国农业银行", "中国建设银行", "中国银行"]


def load_demo_funding(*, maker: User, checker: User, office: User) -> list[AwardPlan]:
    made = []
    serial = 60
    for code, (named_on, people) in DEMO_HONOUREES.items():
        round_ = Round.objects.get(scheme__code=code)
        source = budgets.source_for(round_)
        for year in sorted({named_on.year, named_on.year + 1, timezone.localdate().year}):
            if not Budget.objects.filter(source=source, year=year).exists():
                budgets.budget_set(
                    by=checker, source_id=source.pk, year=year, amount="500000.00", note="演示预算"
                )
        # The last unit of the seed (巴陵石化工会 for 巴陵): not the demo clerk's, whose quota stays free.
        unit = RecommendingUnit.objects.filter(scheme=round_.scheme).order_by("-id").first()
        for name, birth, gender in people:
            serial += 1
            honouree = ensure_named_honouree(
                round_,
                by=office,
                name=name,
                birth=birth,
                gender=gender,
                serial=serial,
                named_on=named_on,
                unit_name=unit.name,
            )
            made.append(plans.award_plan_create(honouree=honouree, by=office))
            if not PayeeAccount.objects.filter(person=honouree.person).exists():
                payees.payee_account_set(
                    by=maker,
                    person_id=honouree.person_id,
                    account_name=name,
                    bank_name=f"{BANKS[serial % 4]}{round_.scheme.city}分行",
                    account_no=f"62220{serial:03d}{birth:%Y%m%d}123",
                )
    # The studio demo's honouree (named without the signal) gets its plan too.
    from honourees.models import Honouree

    for honouree in Honouree.objects.filter(award_plan__isnull=True, round__scheme__code="baling"):
        made.append(plans.award_plan_create(honouree=honouree, by=office))
    return [p for p in made if p]
