"""The studio annual assessment report (PDF): the studio and its host, the apprentices and their skill
upgrades, sessions by month (an SVG bar chart), each rubric item with its evidence and score, the result.

One period of the studio (period N runs from the plaque date N−1 years on, studios.selectors.period_bounds).
``year`` picks the period that starts in that calendar year; without it, the latest period assessed, else
the current one. When the period's result is recorded the items are the recorded ones (what the money
depended on); before that the computed items are scored from the logs as they stand, marked as a preview.

Reads take a fixed number of queries whatever the number of sessions: months are aggregated in the
database, apprentices and their upgrades are prefetched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from backend.errors import ValidationFailed
from backend.skills import SkillLevel, at_least
from honourees.pdf import cn_date
from reports.kinds import PDF, Output
from reports.pdf import Cover, bar_chart, render_pdf
from studios import rubric as rub
from studios import selectors
from studios.models import (
    Apprentice,
    Assessment,
    AssessorSheet,
    MentoringSession,
    SessionAttendance,
    SkillUpgrade,
    Studio,
    StudioFile,
    StudioPause,
    StudioRubric,
)

S = MentoringSession.Status
TEMPLATE = "reports/studio_annual_pdf.html"


def hours_text(value) -> str:
    """96.00 → "96", 4.50 → "4.5": hours as a person writes them."""
    d = Decimal(value or 0).quantize(Decimal("0.01"))
    text = format(d.normalize(), "f")
    return text


def level_label(code: str) -> str:
    return str(SkillLevel(code).label) if code in SkillLevel.values else code


@dataclass
class Month:
    first: dt.date
    verified: int = 0
    pending: int = 0
    verified_hours: Decimal = Decimal(0)

    @property
    def label(self) -> str:
        return f"{self.first.year}年{self.first.month}月"

    @property
    def short(self) -> str:
        return f"{self.first.month}月" if self.first.month != 1 else f"{self.first.year % 100:02d}年1月"


@dataclass
class ApprenticeRow:
    name: str
    employer: str
    trade: str
    start_level: str
    current_level: str
    agreement: str
    signed: bool
    sessions: int
    hours: Decimal
    upgrades: list[str] = field(default_factory=list)


@dataclass
class ItemRow:
    code: str
    name: str
    measure: str
    max: str
    value: str
    target: str
    points: str
    evidence: list[str]


@dataclass
class StudioYear:
    studio: Studio
    period: int
    starts_on: dt.date
    ends_on: dt.date
    assessment: Assessment | None
    rubric: StudioRubric | None
    apprentices: list[ApprenticeRow]
    months: list[Month]
    items: list[ItemRow]
    total: Decimal | None
    preview: bool
    paused_days: int
    files: dict[str, int]

    @property
    def verified_sessions(self) -> int:
        return sum(m.verified for m in self.months)

    @property
    def pending_sessions(self) -> int:
        return sum(m.pending for m in self.months)

    @property
    def verified_hours(self) -> Decimal:
        return sum((m.verified_hours for m in self.months), Decimal(0))

    @property
    def upgrade_count(self) -> int:
        return sum(len(a.upgrades) for a in self.apprentices)


def pick_period(studio: Studio, year: int | None, *, today: dt.date) -> int:
    if studio.plaque_date is None:
        raise ValidationFailed(
            f"工作室“{studio.name}”尚未挂牌，没有考核期，不能生成年度考核报告。",
            f"The studio '{studio.name}' is not established: it has no assessment period yet.",
            field="studio",
        )
    if year is not None:
        period = year - studio.plaque_date.year + 1
        if period < 1:
            raise ValidationFailed(
                f"工作室于 {studio.plaque_date} 挂牌，{year} 年没有考核期。",
                f"The studio was established on {studio.plaque_date}; it has no period starting in {year}.",
                field="year",
            )
        return period
    latest = (
        Assessment.objects.filter(studio=studio).order_by("-period").values_list("period", flat=True).first()
    )
    return latest or selectors.period_on(studio.plaque_date, today)


def _months(start: dt.date, end: dt.date) -> list[Month]:
    out, first = [], start.replace(day=1)
    while first <= end:
        out.append(Month(first))
        first += relativedelta(months=1)
    return out


def collect(studio_id: int, *, year: int | None = None, today: dt.date | None = None) -> StudioYear:
    """Everything the report shows, read in a fixed number of queries."""
    today = today or timezone.localdate()
    studio = Studio.objects.select_related(
        "honouree__person", "honouree__round__scheme", "host", "contact"
    ).get(pk=studio_id)
    period = pick_period(studio, year, today=today)
    start, end = selectors.period_bounds(studio.plaque_date, period)
    assessment = Assessment.objects.select_related("recorded_by").filter(studio=studio, period=period).first()
    rubric = StudioRubric.objects.filter(round_id=studio.honouree.round_id).first()
    window_end = end
    if assessment is not None and assessment.attempt == 2 and assessment.rectification_until:
        window_end = max(end, assessment.rectification_until)
    in_window = Q(date__range=(start, window_end))

    months = {m.first: m for m in _months(start, end)}
    for row in (
        MentoringSession.objects.filter(in_window, studio=studio)
        .exclude(status=S.RETURNED)
        .annotate(month=TruncMonth("date"))
        .values("month", "status")
        .annotate(n=Count("id"), h=Sum("hours"))
        .order_by()
    ):
        first = row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]
        month = months.setdefault(first, Month(first))
        if row["status"] == S.VERIFIED:
            month.verified += row["n"]
            month.verified_hours += row["h"] or Decimal(0)
        else:
            month.pending += row["n"]

    attended = {
        row["apprentice_id"]: row
        for row in SessionAttendance.objects.filter(
            session__studio=studio, session__date__range=(start, window_end), session__status=S.VERIFIED
        )
        .values("apprentice_id")
        .annotate(n=Count("session"), h=Sum("session__hours"))
        .order_by()
    }
    agreement_files = set(
        StudioFile.objects.filter(studio=studio, kind=StudioFile.Kind.AGREEMENT, apprentice__isnull=False)
        .values_list("apprentice_id", flat=True)
        .distinct()
    )
    apprentices_qs = (
        Apprentice.objects.filter(studio=studio, agreement_start__lte=window_end)
        .filter(Q(agreement_end__isnull=True) | Q(agreement_end__gte=start))
        .select_related("person")
        .prefetch_related(
            Prefetch(
                "upgrades",
                queryset=SkillUpgrade.objects.filter(achieved_on__range=(start, window_end)).order_by(
                    "achieved_on"
                ),
            )
        )
        .order_by("agreement_start", "id")
    )
    apprentices, upgrades_seen = [], []
    for a in apprentices_qs:
        row = attended.get(a.pk, {})
        signed = a.agreement_signed_on is not None and a.pk in agreement_files
        agreement = f"{cn_date(a.agreement_start)}—{cn_date(a.agreement_end) if a.agreement_end else '至今'}"
        ups = []
        for u in a.upgrades.all():
            ups.append(
                f"{level_label(u.from_level)}→{level_label(u.to_level)}（{cn_date(u.achieved_on)}，证书 {u.certificate_no}）"
            )
            upgrades_seen.append((a.person.name, u))
        apprentices.append(
            ApprenticeRow(
                name=a.person.name,
                employer=a.employer,
                trade=a.trade,
                start_level=level_label(a.skill_level_at_start),
                current_level=level_label(a.current_level),
                agreement=agreement,
                signed=signed,
                sessions=row.get("n", 0),
                hours=row.get("h") or Decimal(0),
                upgrades=ups,
            )
        )

    pauses = list(StudioPause.objects.filter(studio=studio))
    share, paused_days = selectors.active_share(pauses, start, end)
    files = {
        r["kind"]: r["n"]
        for r in StudioFile.objects.filter(studio=studio).values("kind").annotate(n=Count("id")).order_by()
    }
    sheets = (
        list(
            AssessorSheet.objects.filter(assessment=assessment, attempt=assessment.attempt).select_related(
                "assessor"
            )
        )
        if assessment is not None
        else []
    )

    year_data = StudioYear(
        studio=studio,
        period=period,
        starts_on=start,
        ends_on=end,
        assessment=assessment,
        rubric=rubric,
        apprentices=apprentices,
        months=sorted(months.values(), key=lambda m: m.first),
        items=[],
        total=None,
        preview=False,
        paused_days=paused_days,
        files=files,
    )
    year_data.items, year_data.total, year_data.preview = _items(
        year_data, rubric, assessment, sheets, share, upgrades_seen, window_end
    )
    return year_data


def _items(year: StudioYear, rubric, assessment, sheets, share, upgrades_seen, window_end):
    """The rubric rows: as recorded when the result is in, else scored from the logs now (a preview)."""
    if rubric is None:
        return [], None, True
    items = rubric.parsed_items()
    recorded = assessment is not None and assessment.total is not None and assessment.items
    if recorded:
        results = {r["code"]: r for r in assessment.items}
        total = assessment.total
    else:
        measures = selectors.measure({year.studio.pk: (year.starts_on, min(window_end, year.ends_on))})[
            year.studio.pk
        ]["verified"]
        sheet = rub.score(items, measures, share, rub.assessor_average(sheets))
        results = {r.item.code: r.as_dict() for r in sheet.results}
        total = sheet.total
    rows = []
    for item in items:
        r = results.get(item.code)
        if r is None:
            continue
        measure_zh = rub.MEASURE_LABELS.get(item.measure, ("评审专家打分", "assessors"))[0]
        rows.append(
            ItemRow(
                code=item.code,
                name=item.zh,
                measure=measure_zh,
                max=hours_text(item.max),
                value="" if r["value"] is None else hours_text(r["value"]),
                target="" if r["target"] is None else hours_text(r["target"]),
                points=f"{Decimal(r['points']):.2f}",
                evidence=_evidence(item, year, sheets, upgrades_seen),
            )
        )
    return rows, total, not recorded


def _evidence(item: rub.Item, year: StudioYear, sheets, upgrades_seen) -> list[str]:
    m = item.measure
    if m == "sessions":
        return [
            f"已核实带徒活动 {year.verified_sessions} 次（按月分布见上图）",
            f"待核实 {year.pending_sessions} 次，不计分",
        ]
    if m == "hours":
        return [f"已核实带徒学时 {hours_text(year.verified_hours)} 小时"]
    if m == "apprentices_taught":
        taught = [a.name for a in year.apprentices if a.sessions]
        return [f"参加已核实带徒活动的学员 {len(taught)} 人：{'、'.join(taught) or '无'}"]
    if m == "agreements":
        signed = [a.name for a in year.apprentices if a.signed]
        return [f"已签订并上传带徒协议 {len(signed)} 份：{'、'.join(signed) or '无'}"]
    if m == "upgrades":
        lines = [
            f"{name}：{level_label(u.from_level)}→{level_label(u.to_level)}（证书 {u.certificate_no}）"
            for name, u in upgrades_seen
            if not item.min_level or at_least(u.to_level, item.min_level)
        ]
        return lines or ["本考核期无符合条件的技能晋级"]
    lines = []
    for s in sheets:
        who = s.assessor.get_full_name() or s.assessor.get_username()
        points = s.scores.get(item.code)
        if points is not None:
            lines.append(f"{who}：{Decimal(points):.2f} 分" + (f"（{s.comment}）" if s.comment else ""))
    return lines or ["尚无专家评分"]


def context(year: StudioYear) -> dict:
    chart = bar_chart([(m.short, float(m.verified), str(m.verified)) for m in year.months])
    a = year.assessment
    honouree = year.studio.honouree
    return {
        "y": year,
        "studio": year.studio,
        "honouree": honouree,
        "chart": chart,
        "a": a,
        "grade": a.get_grade_display() if a and a.grade else "",
        "status": a.get_status_display() if a else "",
        "period_text": f"第 {year.period} 考核期（{cn_date(year.starts_on)}—{cn_date(year.ends_on)}）",
        "plaque": cn_date(year.studio.plaque_date),
        "recorded_on": cn_date(a.recorded_on) if a and a.recorded_on else "",
        "rectification_until": cn_date(a.rectification_until) if a and a.rectification_until else "",
        "total_text": f"{year.total:.2f}" if year.total is not None else "",
        "pass_line": f"{year.rubric.pass_line:.2f}" if year.rubric else "",
        "excellent_line": f"{year.rubric.excellent_line:.2f}" if year.rubric else "",
        "max_total": hours_text(sum((Decimal(i.max) for i in year.items), Decimal(0))),
        "verified_hours": hours_text(year.verified_hours),
        "file_counts": [
            (str(StudioFile.Kind(k).label), n)
            for k, n in sorted(year.files.items())
            if k in StudioFile.Kind.values
        ],
    }


def build(params: dict, progress, *, by) -> Output:
    progress(5, "读取工作室与考核期")
    year = collect(params["studio"], year=params.get("year"))
    progress(40, "统计带徒活动与评分")
    ctx = context(year)
    honouree = year.studio.honouree
    scheme = honouree.round.scheme
    cover = Cover(
        title="工匠工作室年度考核报告",
        subtitle=f"{year.studio.name}（{ctx['period_text']}）",
        scheme=scheme.name,
        year=f"{year.starts_on.year}年度（第 {year.period} 考核期）",
        issuer=scheme.organiser.split("、")[0] if scheme.organiser else "",
    )
    progress(60, "排版 PDF")
    pdf = render_pdf(TEMPLATE, ctx, cover=cover)
    progress(95, "保存文件")
    return Output(pdf, f"工作室年度考核报告-{year.studio.pk}-第{year.period}期.pdf", PDF)
