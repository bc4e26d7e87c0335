"""The Excel reports: sessions log and benefits ledger (streamed, reports.xlsx), and the honouree roster and
the intake's 汇总表, which reuse the honourees app's own writers.

Rows come from the user-scoped selectors of each app, so a file holds exactly what its reader may see on
the pages; whole identity numbers only for roles that may see them, each one logged.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from backend.idnumbers import mask_id_number
from backend.personal_data import log_whole_id_numbers
from backend.roles import Role, has_role
from honourees.models import Nomination, Round, Scheme, UnitClerk
from reports.kinds import XLSX, Output, Progress
from reports.xlsx import Col, Sheet, save, workbook

CHUNK = 2000


def _scheme(params) -> Scheme | None:
    return Scheme.objects.get(pk=params["scheme"]) if "scheme" in params else None


def _scope_label(params, scheme: Scheme | None) -> str:
    parts = [scheme.name if scheme else "全部项目"]
    if "year" in params:
        parts.append(f"{params['year']}年")
    return "".join(parts)


def _every(total: int, progress, stage: str, start: int = 10, end: int = 90):
    """A per-row ticker that moves ``progress`` from ``start`` to ``end`` over ``total`` rows."""

    def tick(done: int) -> None:
        if total and (done % 200 == 0 or done == total):
            progress(start + (end - start) * done // total, f"{stage} {done}/{total}")

    return tick


# --- sessions log --------------------------------------------------------------------------------------------

SESSION_COLUMNS = [
    Col("序号", 7, "int"),
    Col("工作室", 26),
    Col("领办人", 10),
    Col("项目", 14),
    Col("日期", 14, "date"),
    Col("开始", 7),
    Col("结束", 7),
    Col("学时", 8, "hours"),
    Col("类型", 10),
    Col("主题", 30),
    Col("地点", 18),
    Col("学员人数", 8, "int"),
    Col("参加学员", 30),
    Col("状态", 8),
    Col("记录人", 10),
    Col("核实人", 10),
    Col("核实时间", 17, "datetime"),
    Col("退回原因", 24),
]


def build_sessions(params: dict, progress: Progress, *, by: User) -> Output:
    from studios.models import SessionAttendance
    from studios.selectors import sessions_for

    progress(2, "筛选带徒活动")
    scheme = _scheme(params)
    qs = sessions_for(by).select_related("studio__honouree__person", "studio__honouree__round__scheme")
    if scheme is not None:
        qs = qs.filter(studio__honouree__round__scheme=scheme)
    if "year" in params:
        qs = qs.filter(date__year=params["year"])
    if "studio" in params:
        qs = qs.filter(studio_id=params["studio"])
    total = qs.count()
    qs = qs.order_by("studio_id", "date", "starts_at", "id").prefetch_related(
        Prefetch("attendance", queryset=SessionAttendance.objects.select_related("apprentice__person"))
    )
    wb = workbook()
    sheet = Sheet(wb, "带徒活动", f"带徒活动记录（{_scope_label(params, scheme)}）", SESSION_COLUMNS)
    tick = _every(total, progress, "写入带徒活动")
    for n, s in enumerate(qs.iterator(chunk_size=CHUNK), start=1):
        names = [a.apprentice.person.name for a in s.attendance.all()]
        sheet.append(
            [
                n,
                s.studio.name,
                s.studio.honouree.person.name,
                s.studio.honouree.round.scheme.name,
                s.date,
                s.starts_at.strftime("%H:%M"),
                s.ends_at.strftime("%H:%M"),
                s.hours,
                s.get_kind_display(),
                s.topic,
                s.location,
                len(names),
                "、".join(names),
                s.get_status_display(),
                _person(s.logged_by),
                _person(s.verified_by),
                s.verified_at,
                s.return_reason,
            ]
        )
        tick(n)
    progress(95, "保存文件")
    return Output(save(wb), f"带徒活动记录-{timezone.localdate():%Y%m%d}.xlsx", XLSX)


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


# --- benefits ledger -----------------------------------------------------------------------------------------

BENEFIT_COLUMNS = [
    Col("序号", 7, "int"),
    Col("项目", 14),
    Col("批次年度", 8, "int"),
    Col("证书编号", 18),
    Col("姓名", 10),
    Col("身份证号", 21),
    Col("待遇名称", 22),
    Col("出资方", 10),
    Col("应享日期", 14, "date"),
    Col("发放日期", 14, "date"),
    Col("金额（元）", 12, "money"),
    Col("凭证", 24),
    Col("追回状态", 10),
    Col("追回日期", 14, "date"),
    Col("记录人", 10),
]


def build_benefits(params: dict, progress: Progress, *, by: User) -> Output:
    from honourees.selectors.registry import deliveries_for

    progress(2, "筛选待遇发放记录")
    scheme = _scheme(params)
    qs = deliveries_for(by).select_related("entitlement__honouree__round__scheme")
    if scheme is not None:
        qs = qs.filter(entitlement__honouree__round__scheme=scheme)
    if "year" in params:
        qs = qs.filter(delivered_on__year=params["year"])
    qs = qs.order_by("delivered_on", "entitlement__honouree__certificate_no", "id")
    rows = list(qs)
    # each whole identity number written is an unmasking, logged
    whole = log_whole_id_numbers(
        by, (d.entitlement.honouree.person_id for d in rows), purpose="待遇发放台账导出"
    )
    wb = workbook()
    sheet = Sheet(wb, "待遇发放台账", f"待遇发放台账（{_scope_label(params, scheme)}）", BENEFIT_COLUMNS)
    tick = _every(len(rows), progress, "写入发放记录")
    for n, d in enumerate(rows, start=1):
        e = d.entitlement
        h = e.honouree
        id_number = h.person.id_number if whole else mask_id_number(h.person.id_number)
        sheet.append(
            [
                n,
                h.round.scheme.name,
                h.round.year,
                h.certificate_no,
                h.person.name,
                id_number,
                e.name,
                e.get_funder_display() if e.funder else "",
                d.occurrence_on,
                d.delivered_on,
                d.amount,
                d.evidence,
                d.get_recovery_display(),
                d.recovered_on,
                _person(d.recorded_by),
            ]
        )
        tick(n)
    progress(95, "保存文件")
    return Output(save(wb), f"待遇发放台账-{timezone.localdate():%Y%m%d}.xlsx", XLSX)


# --- roster and 汇总表: the honourees app's writers ------------------------------------------------------------


def build_roster(params: dict, progress: Progress, *, by: User) -> Output:
    from honourees.registry_xlsx import export_roster
    from honourees.selectors.registry import RosterFilter, roster

    progress(5, "筛选工匠名册")
    scheme = _scheme(params)
    honourees = list(roster(by, RosterFilter(scheme=scheme.code if scheme else "", year=params.get("year"))))
    progress(40, f"写入 {len(honourees)} 名工匠")
    with transaction.atomic():
        data = export_roster(by=by, honourees=honourees)
    progress(95, "保存文件")
    return Output(data, f"工匠名册-{timezone.localdate():%Y%m%d}.xlsx", XLSX)


def build_summary(params: dict, progress: Progress, *, by: User) -> Output:
    from honourees.selectors.intake import nominations_for
    from honourees.summary.writing import export_summary

    progress(5, "筛选推荐人选")
    round_ = Round.objects.select_related("scheme").get(scheme_id=params["scheme"], year=params["year"])
    unit = None
    if not has_role(by, Role.TALENT_OFFICE, Role.AUDITOR):
        unit = UnitClerk.objects.select_related("unit").get(user=by).unit
    nominations = (
        nominations_for(by)
        .filter(round=round_)
        .exclude(status=Nomination.Status.WITHDRAWN)
        .order_by("unit__name", "pk")
    )
    if unit is not None:
        nominations = nominations.filter(unit=unit)
    nominations = list(nominations)
    progress(40, f"写入 {len(nominations)} 名推荐人选")
    with transaction.atomic():
        data = export_summary(by=by, round_=round_, nominations=nominations, unit=unit)
    progress(95, "保存文件")
    return Output(data, f"汇总表-{round_.scheme.code}-{round_.year}.xlsx", XLSX)
