"""The scheme annual report: one scheme, one calendar year, as a talent office sends it upward.

What the year means, decided: honourees *named* in the year; studios *established* (plaque date) in the
year, and all established by its end; sessions, hours, apprentices and skill upgrades *dated* in the year
(verified sessions only — what the assessment relies on); assessments *recorded* in the year; money by
source: commitments and payments of the scheme's sources with budget year Y, plus payments *paid* in the
year; benefits *delivered* in the year. The table per honouree covers every honouree of the scheme named
by the end of the year. Every figure is an aggregate query, so the query count does not grow with the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractMonth

from funding.models import Instalment, LedgerEntry, Payment
from honourees.models import BenefitDelivery, Honouree, Scheme
from reports.kinds import PDF, Output
from reports.pdf import Cover, bar_chart, render_pdf
from studios.models import Apprentice, Assessment, MentoringSession, SkillUpgrade, Studio

TEMPLATE = "reports/scheme_annual_pdf.html"
ZERO = Decimal("0.00")
TIERS = {"named": "命名", "nominated": "提名", "finalist": "入围"}
GRADES = [("excellent", "优秀"), ("pass", "合格"), ("fail", "不合格")]
MONEY_STATUSES = [
    ("committed", "承诺"),
    ("paid", "已支付"),
    ("in_batches", "支付中"),
    ("due", "待支付"),
    ("waiting", "未到期/待条件"),
]


@dataclass
class HonoureeRow:
    name: str
    round_year: int
    tier: str
    status: str
    studio: str = ""
    sessions: int = 0
    hours: Decimal = ZERO
    apprentices: int = 0
    award: Decimal = ZERO
    paid: Decimal = ZERO
    grade: str = ""


@dataclass
class SchemeYear:
    scheme: Scheme
    year: int
    named: int = 0
    named_by_tier: dict = field(default_factory=dict)
    honourees_total: int = 0
    studios_new: int = 0
    studios_established: int = 0
    sessions: int = 0
    hours: Decimal = ZERO
    sessions_by_month: list = field(default_factory=list)  # [(month, sessions, hours)]
    apprentices: int = 0
    upgrades: int = 0
    assessments: dict = field(default_factory=dict)  # grade → count
    assessments_failed_final: int = 0
    money: list = field(default_factory=list)  # [{source, committed, paid, in_batches, due, waiting, tax}]
    paid_in_year: Decimal = ZERO
    tax_in_year: Decimal = ZERO
    benefits_delivered: int = 0
    benefits_amount: Decimal = ZERO
    rows: list = field(default_factory=list)


def collect(scheme_id: int, year: int) -> SchemeYear:
    """Every figure of the report, from the database, in a fixed number of queries."""
    scheme = Scheme.objects.get(pk=scheme_id)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    y = SchemeYear(scheme=scheme, year=year)

    honourees = Honouree.objects.filter(round__scheme=scheme, named_on__lte=end)
    y.honourees_total = honourees.count()
    named = honourees.filter(named_on__gte=start)
    y.named_by_tier = dict(named.values_list("tier").annotate(n=Count("id")).order_by("tier"))
    y.named = sum(y.named_by_tier.values())

    studios = Studio.objects.filter(honouree__round__scheme=scheme)
    counts = studios.aggregate(
        new=Count("id", filter=Q(plaque_date__gte=start, plaque_date__lte=end)),
        standing=Count(
            "id", filter=Q(plaque_date__lte=end) & (Q(closed_on__isnull=True) | Q(closed_on__gt=end))
        ),
    )
    y.studios_new, y.studios_established = counts["new"], counts["standing"]

    sessions = MentoringSession.objects.filter(
        studio__honouree__round__scheme=scheme, date__gte=start, date__lte=end, status="verified"
    )
    by_month = {
        r["m"]: (r["n"], r["h"] or ZERO)
        for r in sessions.annotate(m=ExtractMonth("date")).values("m").annotate(n=Count("id"), h=Sum("hours"))
    }
    y.sessions_by_month = [(m, *by_month.get(m, (0, ZERO))) for m in range(1, 13)]
    y.sessions = sum(n for _m, n, _h in y.sessions_by_month)
    y.hours = sum((h for _m, _n, h in y.sessions_by_month), ZERO)

    y.apprentices = (
        Apprentice.objects.filter(studio__honouree__round__scheme=scheme, agreement_start__lte=end)
        .filter(Q(agreement_end__isnull=True) | Q(agreement_end__gte=start))
        .count()
    )
    y.upgrades = SkillUpgrade.objects.filter(
        apprentice__studio__honouree__round__scheme=scheme, achieved_on__gte=start, achieved_on__lte=end
    ).count()

    assessed = Assessment.objects.filter(
        studio__honouree__round__scheme=scheme, recorded_on__gte=start, recorded_on__lte=end
    ).exclude(grade="")
    y.assessments = dict(assessed.values_list("grade").annotate(n=Count("id")).order_by("grade"))
    y.assessments_failed_final = assessed.filter(status=Assessment.Status.FAILED_FINAL).count()

    y.money = _money(scheme, year)
    paid = Payment.objects.filter(
        instalment__plan__round__scheme=scheme, paid_on__gte=start, paid_on__lte=end
    )
    totals = paid.aggregate(g=Sum("gross"), t=Sum("tax"))
    y.paid_in_year, y.tax_in_year = totals["g"] or ZERO, totals["t"] or ZERO

    delivered = BenefitDelivery.objects.filter(
        entitlement__honouree__round__scheme=scheme, delivered_on__gte=start, delivered_on__lte=end
    ).aggregate(n=Count("id"), a=Sum("amount"))
    y.benefits_delivered, y.benefits_amount = delivered["n"], delivered["a"] or ZERO

    y.rows = _rows(honourees, start, end)
    return y


def _money(scheme: Scheme, year: int) -> list[dict]:
    """Per source of the scheme, for budget year ``year``: committed, paid, in batches, due, waiting, tax."""
    S = Instalment.Status
    out: dict[int, dict] = {}
    for r in (
        LedgerEntry.objects.filter(source__scheme=scheme, budget_year=year)
        .values("source_id", "source__name", "kind")
        .annotate(s=Sum("amount"))
    ):
        row = out.setdefault(
            r["source_id"],
            {
                "source": r["source__name"],
                **dict.fromkeys(["committed", "paid", "in_batches", "due", "waiting", "tax"], ZERO),
            },
        )
        if r["kind"] in (LedgerEntry.Kind.COMMIT, LedgerEntry.Kind.RELEASE):
            row["committed"] += r["s"]
        elif r["kind"] == LedgerEntry.Kind.PAYMENT:
            row["paid"] += r["s"]
        elif r["kind"] == LedgerEntry.Kind.TAX_WITHHELD:
            row["tax"] += r["s"]
    groups = {
        S.SCHEDULED: "in_batches",
        S.APPROVED: "in_batches",
        S.DUE: "due",
        S.FAILED: "due",
        S.PLANNED: "waiting",
        S.BLOCKED: "waiting",
    }
    for r in (
        Instalment.objects.filter(source__scheme=scheme, budget_year=year, status__in=list(groups))
        .values("source_id", "source__name", "status")
        .annotate(s=Sum("amount"))
    ):
        row = out.setdefault(
            r["source_id"],
            {
                "source": r["source__name"],
                **dict.fromkeys(["committed", "paid", "in_batches", "due", "waiting", "tax"], ZERO),
            },
        )
        row[groups[r["status"]]] += r["s"]
    return [out[k] for k in sorted(out)]


def _rows(honourees, start: dt.date, end: dt.date) -> list[HonoureeRow]:
    rows = {
        h.pk: HonoureeRow(
            name=h.person.name,
            round_year=h.round.year,
            tier=TIERS.get(h.tier, h.tier),
            status=h.get_status_display(),
        )
        for h in honourees.select_related("person", "round").order_by("round__year", "certificate_no")
    }
    ids = list(rows)
    for s in Studio.objects.filter(honouree_id__in=ids).order_by("id"):
        rows[s.honouree_id].studio = s.name
    for r in (
        MentoringSession.objects.filter(
            studio__honouree_id__in=ids, date__gte=start, date__lte=end, status="verified"
        )
        .values("studio__honouree_id")
        .annotate(n=Count("id"), h=Sum("hours"))
    ):
        rows[r["studio__honouree_id"]].sessions, rows[r["studio__honouree_id"]].hours = r["n"], r["h"] or ZERO
    for r in (
        Apprentice.objects.filter(studio__honouree_id__in=ids, agreement_start__lte=end)
        .filter(Q(agreement_end__isnull=True) | Q(agreement_end__gte=start))
        .values("studio__honouree_id")
        .annotate(n=Count("id"))
    ):
        rows[r["studio__honouree_id"]].apprentices = r["n"]
    for r in (
        Instalment.objects.filter(plan__honouree_id__in=ids)
        .exclude(status__in=[Instalment.Status.CANCELLED, Instalment.Status.FORFEITED])
        .values("plan__honouree_id")
        .annotate(s=Sum("amount"))
    ):
        rows[r["plan__honouree_id"]].award = r["s"]
    for r in (
        Payment.objects.filter(instalment__plan__honouree_id__in=ids, paid_on__lte=end)
        .values("instalment__plan__honouree_id")
        .annotate(s=Sum("gross"))
    ):
        rows[r["instalment__plan__honouree_id"]].paid = r["s"]
    labels = dict(GRADES)
    for hid, grade in (
        Assessment.objects.filter(studio__honouree_id__in=ids, recorded_on__gte=start, recorded_on__lte=end)
        .exclude(grade="")
        .order_by("recorded_on")
        .values_list("studio__honouree_id", "grade")
    ):
        rows[hid].grade = labels.get(grade, grade)
    return list(rows.values())


def _money_chart(y: SchemeYear):
    points = []
    for m in y.money:
        for key, label in MONEY_STATUSES:
            value = m[key]
            points.append((f"{m['source'][:6]}·{label}", float(value), f"{value:,.0f}"))
    return bar_chart(points, height=240) if points else None


def context(y: SchemeYear) -> dict:
    return {
        "y": y,
        "named_by_tier": [(TIERS.get(t, t), n) for t, n in y.named_by_tier.items()],
        "sessions_chart": bar_chart([(f"{m}月", float(n), str(n)) for m, n, _h in y.sessions_by_month]),
        "money_chart": _money_chart(y),
        "grade_chart": bar_chart(
            [
                (label, float(y.assessments.get(code, 0)), str(y.assessments.get(code, 0)))
                for code, label in GRADES
            ],
            width=360,
            height=200,
        ),
        "grades": [(label, y.assessments.get(code, 0)) for code, label in GRADES],
        "money_totals": {k: sum((m[k] for m in y.money), ZERO) for k, _l in MONEY_STATUSES + [("tax", "")]},
    }


def build(params: dict, progress, *, by) -> Output:
    progress(5, "统计命名、工作室与带徒活动")
    y = collect(params["scheme"], params["year"])
    progress(50, "绘制图表")
    ctx = context(y)
    cover = Cover(
        title=f"{y.scheme.name}年度工作报告",
        subtitle=f"{y.year}年度",
        scheme=y.scheme.name,
        year=f"{y.year}年度",
        issuer=y.scheme.organiser.split("、")[0] if y.scheme.organiser else "",
    )
    progress(65, "排版 PDF")
    pdf = render_pdf(TEMPLATE, ctx, cover=cover)
    progress(95, "保存文件")
    return Output(pdf, f"{y.scheme.name}{y.year}年度报告.pdf", PDF)
