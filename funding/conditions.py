"""What an instalment waits for: its date, its conditions, and the honour still standing.

``assess`` only reads; funding.services.plans applies its answer under a row lock. The same reading serves the
studio signals, the daily tick and the pages (which show "blocked, and why"), so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.utils import translation

from backend.errors import CalendarDataMissing
from backend.workdays import day_info, next_working_day
from honourees.models import Honouree
from studios.models import Assessment, InstitutionKind
from studios.selectors import condition_met

from .models import Instalment

S = Instalment.Status


@dataclass(frozen=True)
class ConditionState:
    index: int
    kind: str
    met: bool
    zh: str
    en: str


@dataclass(frozen=True)
class Verdict:
    """The status an open instalment should have on a day, and why (in both languages)."""

    status: str
    zh: str
    en: str
    conditions: tuple[ConditionState, ...] = ()


def due_date(named_on: dt.date, months: int) -> tuple[dt.date, str]:
    """The earliest payment day: ``months`` after naming, moved to the next working day by the calendar.

    When the official calendar and the overrides do not know that year yet, the plain date is kept and
    the note says so; once the calendar knows the year, the daily tick's re-read
    (``funding.services.plans.honouree_refresh``) sets the working day and a final note.
    """
    plain = named_on + relativedelta(months=months)
    try:
        day = next_working_day(plain)
    except CalendarDataMissing:
        return plain, f"provisional: no working-day calendar for {plain.year} yet"
    return day, day_info(day).source if day == plain else f"moved from {plain} to the next working day"


def _describe(index: int, cond: dict, met: bool, confirmation: dict | None) -> ConditionState:
    kind, params = cond.get("kind"), cond.get("params", {})
    if kind == "studio_established":
        kinds = params.get("institution_kinds") or []
        with translation.override("zh-hans"):  # the labels are the Chinese names
            labels = [str(InstitutionKind(k).label) if k in InstitutionKind.values else k for k in kinds]
        where_zh = "（" + "、".join(labels) + "）" if kinds else ""
        zh = f"工匠工作室已挂牌{where_zh}"
        en = "studio established" + (f" at {', '.join(kinds)}" if kinds else "")
    elif kind == "assessment_passed":
        period = params.get("period", 1)
        zh, en = f"第 {period} 年度考核合格", f"assessment for year {period} passed"
    else:
        what = params.get("zh") or "人工确认"
        zh, en = f"人工确认：{what}", f"manual confirmation: {params.get('en') or what}"
        if confirmation:
            zh += f"（{confirmation.get('by', '')} 于 {confirmation.get('on', '')} 确认：{confirmation.get('reason', '')}）"
            en += f" (confirmed by {confirmation.get('by', '')} on {confirmation.get('on', '')}: {confirmation.get('reason', '')})"
    return ConditionState(index=index, kind=kind, met=met, zh=zh, en=en)


def condition_states(inst: Instalment, honouree: Honouree, on: dt.date) -> tuple[ConditionState, ...]:
    states = []
    for i, cond in enumerate(inst.conditions or []):
        confirmation = (inst.confirmations or {}).get(str(i))
        if cond.get("kind") == "manual_confirmation":
            met = confirmation is not None
        else:
            met = condition_met(honouree, cond, on=on)
        states.append(_describe(i, cond, met, confirmation))
    return tuple(states)


def forfeit_reason(inst: Instalment, honouree: Honouree) -> tuple[str, str] | None:
    """Why the instalment can never be paid: an assessment it waits for failed for good."""
    for cond in inst.conditions or []:
        if cond.get("kind") != "assessment_passed":
            continue
        period = cond.get("params", {}).get("period", 1)
        assessments = Assessment.objects.filter(studio__honouree=honouree, period=period)
        failed = assessments.filter(status=Assessment.Status.FAILED_FINAL).exists()
        failed = failed and not assessments.filter(status=Assessment.Status.PASSED).exists()
        if failed:
            return (
                f"第 {period} 年度考核最终不合格（整改后仍未通过），该笔资助不再发放。",
                f"The assessment for year {period} failed for good (after any rectification); this instalment lapses.",
            )
    return None


def due_basis(inst: Instalment, honouree: Honouree) -> tuple[dt.date, int]:
    """The plain date and months ``due_date`` starts from: naming for the award, the due day for a benefit."""
    if inst.kind == Instalment.Kind.BENEFIT:
        return inst.occurrence_on, 0
    return honouree.named_on, inst.months_after_naming


def assess(inst: Instalment, honouree: Honouree, on: dt.date) -> Verdict:
    """Where an open instalment (planned, blocked or due) belongs on ``on``, with the reason."""
    if inst.kind == Instalment.Kind.BENEFIT and not inst.entitlement.live_on(inst.occurrence_on):
        return Verdict(
            S.CANCELLED,
            "该待遇在应发日已不再有效（已终止或取消）。",
            "The benefit was no longer in force on its due day.",
        )
    forfeit = forfeit_reason(inst, honouree)
    if forfeit:
        return Verdict(S.FORFEITED, *forfeit)
    states = condition_states(inst, honouree, on)
    if honouree.status != Honouree.Status.ACTIVE:
        label = honouree.get_status_display()
        return Verdict(
            S.BLOCKED,
            f"荣誉当前状态为“{label}”，暂停支付。",
            f"The honour is {honouree.status}: payment is on hold.",
            states,
        )
    unmet = [s for s in states if not s.met]
    if unmet:
        return Verdict(
            S.BLOCKED,
            "尚未满足：" + "；".join(s.zh for s in unmet),
            "Waiting for: " + "; ".join(s.en for s in unmet),
            states,
        )
    if inst.earliest_on > on:
        return Verdict(
            S.PLANNED, f"{inst.earliest_on} 起可支付。", f"Payable from {inst.earliest_on}.", states
        )
    if states:
        return Verdict(S.DUE, "条件均已满足，已到期。", "All conditions hold and the date has come.", states)
    return Verdict(S.DUE, "已到期。", "The date has come.", states)
