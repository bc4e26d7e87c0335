"""Naming: the committee's list, the public notice and its objections, the naming, and an honouree
registered directly (named before the system existed). Both make the Honouree with its certificate
number and its benefit entitlements in the same transaction.

Every service takes the acting user as ``by`` (the talent office), locks what it changes, re-checks the
state under the lock, writes history and raises a DomainError a person can act on.

Decisions (the issue is silent on these):

- **Certificate numbers** follow the round's ``rules["certificate_pattern"]`` (default
  ``{scheme}-{year}-{seq:03d}``, what naming has always written: BALING-2023-001). They are unique across
  the whole registry, which is stricter than unique per scheme. ``next_certificate_number`` skips a number
  already taken (a historic certificate registered under its own number).
- **Direct registration** (historic honourees) needs a round of the scheme for that year that is not
  running an intake (a draft kept as the record of a past round, or a closed one).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.errors import Conflict, NotFound, ValidationFailed
from backend.history import save_as
from backend.roles import Role, require_role
from backend.workdays import notice_period
from honourees import stages
from honourees.fields import clean_person
from honourees.models import Debarment, Honouree, Nomination, Objection, RecommendingUnit, Round
from honourees.rules import DEFAULT_CERTIFICATE_PATTERN, TIER_LABELS, format_certificate_no
from honourees.services.benefits import entitlements_grant
from honourees.services.core import (
    batch,
    by_id,
    clean_line,
    move,
    nomination_locked,
    past_date,
    require_round_status,
    round_locked,
)
from honourees.services.people import person_lock_or_create
from honourees.signals import honouree_named

S = Nomination.Status
EARLIEST = dt.date(1949, 10, 1)
# Rounds whose honourees come from their own intake: nobody is registered into them directly.
INTAKE_RUNNING = (Round.Status.OPEN, Round.Status.REVIEWING, Round.Status.IN_NOTICE)


@transaction.atomic
def round_propose(*, by: User, round_id: int, tiers: dict[int, str], note: str = "") -> list[Nomination]:
    """The committee's list: who is proposed, in which tier; the rest are not selected.

    Checked here: the tiers exist in the round, no more are named than the round names (and per tier where
    ``tier_counts`` says), and each category cap holds (巴陵 §一: traditional and other crafts ≤ 20% of
    those named).
    """
    require_role(by, Role.TALENT_OFFICE)
    round_ = round_locked(round_id)
    require_round_status(round_, Round.Status.REVIEWING)
    pool = batch(round_, S.PROPOSED)
    tiers = by_id(tiers, field="tiers")
    if "named" not in tiers.values():
        raise ValidationFailed(
            "拟命名名单中至少要有一名“named”。",
            "The proposed list must name at least one person.",
            field="tiers",
        )
    errors = []
    for nid, tier in tiers.items():
        if nid not in pool:
            errors.append(
                ValidationFailed(
                    f"推荐人选 {nid} 不在待决定名单中。",
                    f"Nomination {nid} is not awaiting the decision.",
                    field="nomination",
                )
            )
        if tier not in round_.rules.get("tiers", []):
            errors.append(
                ValidationFailed(
                    f"“{tier}”不是本批次的命名类别。", f"'{tier}' is not a tier of this round.", field="tier"
                )
            )
    if errors:
        raise ValidationFailed("拟命名名单有误。", "The proposed list has errors.", errors=errors)
    counts = Counter(tiers.values())
    limits = dict(round_.rules.get("tier_counts", {}))
    limits.setdefault("named", round_.target_count)
    for tier, limit in limits.items():
        if counts[tier] > limit:
            raise ValidationFailed(
                f"“{tier}”拟命名 {counts[tier]} 名，超过 {limit} 名。",
                f"{counts[tier]} proposed as '{tier}', more than {limit}.",
                field="tiers",
            )
    named = [pool[nid] for nid, t in tiers.items() if t == "named"]
    for cap in round_.rules.get("category_caps", []):
        capped = sum(1 for n in named if n.category in cap["categories"])
        share = Decimal(cap["max_share"])
        if capped > share * len(named):
            labels = "、".join(str(Nomination.Category(c).label) for c in cap["categories"])
            raise ValidationFailed(
                f"{labels}类拟命名 {capped} 名，超过命名总数 {len(named)} 名的 {share:.0%}。",
                f"{capped} of {len(named)} named are {', '.join(cap['categories'])}: more than {share:.0%}.",
                field="category_caps",
            )
    for nid, n in pool.items():
        n.round = round_
        if nid in tiers:
            n.tier = tiers[nid]
            n.committee_note = note
            move(n, S.PROPOSED, by=by, reason=f"proposed as {tiers[nid]}")
        else:
            move(n, S.NOT_SELECTED, by=by, reason="not proposed")
    return [pool[nid] for nid in tiers]


@transaction.atomic
def round_start_notice(*, by: User, round_id: int, starts_on: dt.date) -> Round:
    """Publish the proposed list: the notice's end is counted in working days (holidays and 调休 included)."""
    require_role(by, Role.TALENT_OFFICE)
    round_ = round_locked(round_id)
    require_round_status(round_, Round.Status.REVIEWING)
    if not stages.uses_notice(round_):
        raise Conflict(f"{round_} 不设公示环节。", f"{round_} has no public notice.")
    proposed = list(
        Nomination.objects.select_for_update(of=("self",)).filter(round=round_, status=S.PROPOSED)
    )
    if not proposed:
        raise Conflict("还没有拟命名人选。", "Nobody has been proposed yet.")
    period = notice_period(starts_on, round_.notice_working_days)
    round_.notice_starts_on, round_.notice_ends_on, round_.notice_calendar = (
        period.start,
        period.end,
        period.calendar,
    )
    round_.status = Round.Status.IN_NOTICE
    save_as(round_, by=by, reason=f"notice {period.start}–{period.end}")
    for n in proposed:
        n.round = round_
        move(n, S.IN_NOTICE, by=by, reason="public notice")
    return round_


@transaction.atomic
def objection_record(*, by: User, nomination_id: int, received_on: dt.date, summary: str) -> Objection:
    """An objection against a candidate in notice; until it is decided, the round is not named."""
    require_role(by, Role.TALENT_OFFICE)
    nomination = nomination_locked(nomination_id)
    if nomination.status != S.IN_NOTICE:
        raise Conflict(
            "只能对公示中的人选登记异议。", "Objections are recorded against candidates in notice."
        )
    if not summary.strip():
        raise ValidationFailed("请填写异议内容。", "Write down the objection.", field="summary")
    starts = nomination.round.notice_starts_on
    if starts and received_on < starts:  # one received after the end but before naming is still heard
        raise ValidationFailed(
            f"公示从 {starts} 开始，{received_on} 收到的不是对公示的异议。",
            f"The notice began on {starts}; something received on {received_on} is not an objection to it.",
            field="received_on",
        )
    return save_as(Objection(nomination=nomination, received_on=received_on, summary=summary), by=by)


def _disqualify(
    nomination: Nomination, *, by: User, reason: str, false_claims: bool, on: dt.date
) -> Nomination:
    nomination.review_note = reason
    move(nomination, S.DISQUALIFIED, by=by, reason=f"disqualified: {reason}")
    years = nomination.round.rules.get("debarment_years")
    if false_claims and years:
        # 巴陵 notice §五(二): false claims → disqualified and barred from applying for 3 years.
        save_as(
            Debarment(
                person=nomination.person,
                scheme=nomination.round.scheme,
                reason=reason,
                starts_on=on,
                # The last barred day: 3 years from 2023-10-09 is 2026-10-09, so through 2026-10-08
                # (relativedelta takes 02-29 to 02-28 where that year has none).
                ends_on=on + relativedelta(years=years) - dt.timedelta(days=1),
                source=nomination,
            ),
            by=by,
        )
    return nomination


@transaction.atomic
def objection_decide(
    *,
    by: User,
    objection_id: int,
    upheld: bool,
    finding: str,
    false_claims: bool = False,
    on: dt.date | None = None,
) -> Objection:
    """Record the finding; an upheld objection removes the candidate (and debars for false claims)."""
    require_role(by, Role.TALENT_OFFICE)
    objection = Objection.objects.select_for_update().filter(pk=objection_id).first()
    if objection is None:
        raise NotFound("异议不存在。", "No such objection.", field="objection")
    if objection.outcome != Objection.Outcome.PENDING:
        raise Conflict("这条异议已有结论。", "This objection has already been decided.")
    if not finding.strip():
        raise ValidationFailed("请填写核实情况。", "Write down the finding.", field="finding")
    on = on or timezone.localdate()
    objection.outcome = Objection.Outcome.UPHELD if upheld else Objection.Outcome.DISMISSED
    objection.finding, objection.decided_by, objection.decided_on = finding, by, on
    save_as(objection, by=by)
    if upheld:
        nomination = nomination_locked(objection.nomination_id)
        _disqualify(nomination, by=by, reason=f"异议属实：{finding}", false_claims=false_claims, on=on)
    return objection


@transaction.atomic
def nomination_disqualify(
    *, by: User, nomination_id: int, reason: str, false_claims: bool = False, on: dt.date | None = None
) -> Nomination:
    """Remove a candidate at any stage before naming (e.g. false claims found), debarring where the rules say."""
    require_role(by, Role.TALENT_OFFICE)
    if not reason.strip():
        raise ValidationFailed("请说明取消资格的原因。", "Say why.", field="reason")
    nomination = nomination_locked(nomination_id)
    return _disqualify(
        nomination, by=by, reason=reason, false_claims=false_claims, on=on or timezone.localdate()
    )


@transaction.atomic
def round_name(*, by: User, round_id: int, named_on: dt.date, naming_document: str = "") -> list[Honouree]:
    """Name the list: an Honouree per candidate, and the funding and registry sides told in this transaction.

    With a public notice, only after it has ended (the day after its last working day at the earliest)
    and with every objection decided.
    """
    require_role(by, Role.TALENT_OFFICE)
    round_ = round_locked(round_id)
    if stages.uses_notice(round_):
        require_round_status(round_, Round.Status.IN_NOTICE)
        if named_on <= round_.notice_ends_on:
            raise Conflict(
                f"公示到 {round_.notice_ends_on} 结束，{named_on} 还不能命名。",
                f"The notice runs until {round_.notice_ends_on}; naming on {named_on} is too early.",
                field="named_on",
            )
        waiting = S.IN_NOTICE
    else:
        require_round_status(round_, Round.Status.REVIEWING)
        waiting = S.PROPOSED
    candidates = list(
        Nomination.objects.select_for_update(of=("self",))
        .select_related("person")
        .filter(round=round_, status=waiting)
        .order_by("unit_id", "id")
    )
    # Counted only once the candidates are locked: objection_record locks its nomination before adding the
    # objection, so one recorded at this very moment is either committed and counted here, or waits and
    # then finds its candidate named. Counting first would let it slip in between.
    # (An objection against someone already withdrawn or removed no longer holds up the others.)
    pending = Objection.objects.filter(
        nomination__in=[n.pk for n in candidates], outcome=Objection.Outcome.PENDING
    ).count()
    if pending:
        raise Conflict(f"还有 {pending} 条异议未核实。", f"{pending} objection(s) still need a finding.")
    if not candidates:
        raise Conflict("没有可命名的人选。", "There is nobody to name.")
    honourees = []
    for n in candidates:
        n.round = round_
        move(n, S.NAMED, by=by, reason="named")
        honouree = save_as(
            Honouree(
                person=n.person,
                round=round_,
                nomination=n,
                tier=n.tier or "named",
                certificate_no=next_certificate_number(round_),  # the round's pattern, never a taken one
                named_on=named_on,
                naming_document=naming_document,
            ),
            by=by,
        )
        honourees.append(honouree)
        entitlements_grant(honouree=honouree, by=by)  # the round's benefits, in this transaction
    round_.status, round_.naming_document = Round.Status.CLOSED, naming_document
    save_as(round_, by=by, reason="named")
    # Receivers (funding's award plan) run inside this transaction: if one fails, nobody is named.
    for honouree in honourees:
        honouree_named.send(sender=Honouree, honouree=honouree, by=by)
    return honourees


# --- certificate numbers -----------------------------------------------------------------------------------


def certificate_number(round_: Round, seq: int) -> str:
    """The certificate number of the round's ``seq``-th honouree, by the round's pattern."""
    pattern = round_.rules.get("certificate_pattern", DEFAULT_CERTIFICATE_PATTERN)
    return format_certificate_no(pattern, scheme_code=round_.scheme.code, year=round_.year, seq=seq)


def next_certificate_number(round_: Round) -> str:
    """The next free number of the round's pattern. The caller holds the round's row lock."""
    seq = Honouree.objects.filter(round=round_).count() + 1
    while True:
        number = certificate_number(round_, seq)
        if not Honouree.objects.filter(certificate_no=number).exists():
            return number
        seq += 1  # taken by a historic certificate registered under its own number


# --- direct registration -----------------------------------------------------------------------------------


@transaction.atomic
def honouree_register(
    *,
    by: User,
    round_id: int,
    person: dict,
    named_on: dt.date,
    tier: str = "named",
    certificate_no: str = "",
    naming_document: str = "",
    title: str = "",
    employer: str = "",
    trade: str = "",
    unit_id: int | None = None,
    region: str = "",
    note: str = "",
    row: int | None = None,
) -> Honouree:
    """Register an honouree directly (named before the system existed), with their entitlements.

    ``person`` holds name and id_number (gender and birth date come from the number). The certificate
    number is the one on the certificate when given, else the round's next by its pattern. Every bad field
    is reported at once; ``row`` is put on each error when the data came from a file.
    """

    require_role(by, Role.TALENT_OFFICE)
    round_ = round_locked(round_id)
    if round_.status in INTAKE_RUNNING:
        raise Conflict(
            f"{round_} 正在“{round_.get_status_display()}”，其工匠由评选产生，不能直接登记。",
            f"{round_} is '{round_.status}': its honourees come from its own intake, not direct registration.",
            field="year",
            row=row,
        )
    errors: list[ValidationFailed] = []
    who = clean_person(person, errors, row=row)
    if tier not in round_.rules.get("tiers", []):
        labels = "、".join(str(TIER_LABELS.get(t, t)) for t in round_.rules.get("tiers", []))
        errors.append(
            ValidationFailed(
                f"“{tier}”不是 {round_} 的命名类别（可选：{labels}）。",
                f"'{tier}' is not a tier of {round_} ({', '.join(round_.rules.get('tiers', []))}).",
                field="tier",
                row=row,
            )
        )
    try:
        past_date(named_on, "named_on", not_before=EARLIEST, row=row)
    except ValidationFailed as e:
        errors.append(e)
    texts = {
        "certificate_no": clean_line(
            certificate_no, "certificate_no", 40, errors, row=row, label=("证书编号", "certificate number")
        ),
        "naming_document": clean_line(
            naming_document, "naming_document", 200, errors, row=row, label=("命名文号", "naming document")
        ),
        "title": clean_line(title, "title", 100, errors, row=row, label=("称号", "title")),
        "employer": clean_line(employer, "employer", 200, errors, row=row, label=("工作单位", "employer")),
        "trade": clean_line(trade, "trade", 100, errors, row=row, label=("从业工种", "trade")),
        "region": clean_line(region, "region", 100, errors, row=row, label=("所在地区", "region")),
    }
    note = (note or "").strip()
    if len(note) > 2000:
        errors.append(
            ValidationFailed(
                "备注不能超过 2000 字。", "The note is at most 2000 characters.", field="note", row=row
            )
        )
    unit = None
    if unit_id:
        unit = RecommendingUnit.objects.filter(pk=unit_id, scheme=round_.scheme).first()
        if unit is None:
            errors.append(
                ValidationFailed(
                    f"推荐单位 {unit_id} 不属于{round_.scheme}。",
                    f"Unit {unit_id} is not one of {round_.scheme}'s units.",
                    field="unit",
                    row=row,
                )
            )
    if texts["certificate_no"] and Honouree.objects.filter(certificate_no=texts["certificate_no"]).exists():
        errors.append(
            ValidationFailed(
                f"证书编号 {texts['certificate_no']} 已被使用。",
                f"Certificate number {texts['certificate_no']} is already taken.",
                field="certificate_no",
                row=row,
            )
        )
    if errors:
        raise ValidationFailed(
            f"登记信息有 {len(errors)} 处错误。",
            f"The registration has {len(errors)} error(s).",
            field=errors[0].field if len(errors) == 1 else None,
            row=row,
            errors=errors,
        )
    person_row = person_lock_or_create(who, by=by, row=row)
    if Honouree.objects.filter(round=round_, person=person_row).exists():
        raise ValidationFailed(
            f"{person_row.name} 已登记为{round_}。",
            f"{person_row.name} is already registered as an honouree of {round_}.",
            field="id_number",
            row=row,
        )
    honouree = Honouree(
        person=person_row,
        round=round_,
        tier=tier,
        certificate_no=texts["certificate_no"] or next_certificate_number(round_),
        named_on=named_on,
        naming_document=texts["naming_document"],
        title=texts["title"],
        employer=texts["employer"],
        trade=texts["trade"],
        unit=unit,
        region=texts["region"],
        note=note,
    )
    try:
        with transaction.atomic():
            save_as(honouree, by=by, reason="registered directly")
    except IntegrityError:  # someone registered the same certificate or person a moment ago
        raise ValidationFailed(
            f"证书编号 {honouree.certificate_no} 或此人在 {round_} 的登记已存在。",
            f"Certificate {honouree.certificate_no}, or this person in {round_}, is already registered.",
            field="certificate_no",
            row=row,
        ) from None
    entitlements_grant(honouree=honouree, by=by)
    return honouree
