"""Apprentices under a 师带徒协议 with a studio, the agreement's dates, and their skill upgrades.

The person is found or made by identity number (``honourees.services.people.person_lock_or_create``), so an
apprentice is the same person as in intake and the registry.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.errors import ValidationFailed
from backend.history import save_as
from backend.skills import SkillLevel, skill_rank
from backend.uploads import read_upload
from honourees.fields import clean_person
from honourees.services.people import person_lock_or_create
from studios import permissions, selectors
from studios.models import Apprentice, SkillUpgrade, StudioFile
from studios.services import checks, evidence
from studios.services.checks import DateInput


def _agreement(data: dict, errors: list, row) -> dict:
    out = {}
    today = timezone.localdate()
    if "agreement_start" in data:
        out["agreement_start"] = checks.date_or_none(
            data["agreement_start"],
            field="agreement_start",
            zh="协议开始日期",
            en="start of the agreement",
            errors=errors,
            row=row,
        )
    if "agreement_end" in data:
        out["agreement_end"] = checks.date_or_none(
            data["agreement_end"],
            field="agreement_end",
            zh="协议结束日期",
            en="end of the agreement",
            errors=errors,
            row=row,
            required=False,
        )
    if "agreement_signed_on" in data:
        signed = checks.date_or_none(
            data["agreement_signed_on"],
            field="agreement_signed_on",
            zh="协议签订日期",
            en="signing date",
            errors=errors,
            row=row,
            required=False,
        )
        if signed and signed > today:
            checks.err(
                errors,
                "agreement_signed_on",
                f"协议签订日期 {signed} 在今天之后。",
                f"The signing date {signed} is in the future.",
                row,
            )
        out["agreement_signed_on"] = signed
    start, end = out.get("agreement_start"), out.get("agreement_end")
    if start and end and end < start:
        checks.err(
            errors,
            "agreement_end",
            f"协议结束日期 {end} 早于开始日期 {start}。",
            f"The agreement ends ({end}) before it starts ({start}).",
            row,
        )
    return out


@transaction.atomic
def apprentice_add(
    *,
    by: User,
    studio_id: int,
    person: dict,
    skill_level: str,
    agreement_start: DateInput,
    agreement_end: DateInput = None,
    agreement_signed_on: DateInput = None,
    employer: str = "",
    trade: str = "",
    row: int | None = None,
) -> Apprentice:
    """An apprentice under a 师带徒协议 with the studio; the person is found or made by identity number."""
    studio = checks.studio_locked(by, studio_id)
    permissions.require_manage(by, studio)
    checks.require_not_closed(studio)
    errors: list = []
    person_data = clean_person(person, errors, row=row)
    if skill_level not in SkillLevel.values:
        checks.err(
            errors,
            "skill_level",
            "请选择学徒开始时的技能等级（新八级工）。",
            "Choose the apprentice's skill level at the start.",
            row,
        )
    dates = _agreement(
        {
            "agreement_start": agreement_start,
            "agreement_end": agreement_end,
            "agreement_signed_on": agreement_signed_on,
        },
        errors,
        row,
    )
    employer = checks.text(
        employer, field="employer", zh="工作单位", en="employer", limit=200, errors=errors, row=row
    )
    trade = checks.text(trade, field="trade", zh="工种", en="trade", limit=100, errors=errors, row=row)
    checks.raise_all(errors, row=row)
    who = person_lock_or_create(person_data, by=by, row=row)
    if who.pk == studio.honouree.person_id:
        raise ValidationFailed(
            "领办人不能做本工作室的学徒。",
            "The host cannot be an apprentice of their own studio.",
            field="id_number",
            row=row,
        )
    app = Apprentice(
        studio=studio,
        person=who,
        employer=employer,
        trade=trade,
        skill_level_at_start=skill_level,
        current_level=skill_level,
        **dates,
    )
    try:
        with transaction.atomic():
            save_as(app, by=by, reason="added")
    except IntegrityError:
        raise ValidationFailed(
            f"{who.name} 已是本工作室的学徒。",
            f"{who.name} is already an apprentice of this studio.",
            field="id_number",
            row=row,
        ) from None
    return app


@transaction.atomic
def apprentice_update(*, by: User, apprentice_id: int, **data: object) -> Apprentice:
    """Employer, trade and the agreement's dates; an agreement cannot end before a session the apprentice attended."""
    found = selectors.apprentices_for(by).filter(pk=apprentice_id).values_list("studio_id", flat=True).first()
    if found is None:
        raise checks.not_found("学徒", "Apprentice", apprentice_id, "apprentice")
    studio = checks.studio_locked(by, found)
    permissions.require_manage(by, studio)
    checks.require_not_closed(studio)
    app = Apprentice.objects.select_for_update().get(pk=apprentice_id)
    unknown = sorted(
        set(data) - {"employer", "trade", "agreement_start", "agreement_end", "agreement_signed_on"}
    )
    if unknown:
        raise ValidationFailed(f"未知字段：{unknown}", f"Unknown fields: {unknown}", field=unknown[0])
    errors: list = []
    merged = {
        k: data.get(k, getattr(app, k)) for k in ("agreement_start", "agreement_end", "agreement_signed_on")
    }
    dates = _agreement(merged, errors, None)
    texts = {}
    if "employer" in data:
        texts["employer"] = checks.text(
            data["employer"], field="employer", zh="工作单位", en="employer", limit=200, errors=errors
        )
    if "trade" in data:
        texts["trade"] = checks.text(
            data["trade"], field="trade", zh="工种", en="trade", limit=100, errors=errors
        )
    checks.raise_all(errors)
    attended = app.attendance.select_related("session")
    first, last = (attended.order_by("session__date").first(), attended.order_by("-session__date").first())
    if first and dates["agreement_start"] > first.session.date:
        raise ValidationFailed(
            f"{app.person.name} 在 {first.session.date} 已参加带徒活动，协议不能晚于该日开始。",
            f"{app.person.name} attended a session on {first.session.date}; the agreement cannot start later.",
            field="agreement_start",
        )
    if last and dates["agreement_end"] and dates["agreement_end"] < last.session.date:
        raise ValidationFailed(
            f"{app.person.name} 在 {last.session.date} 还参加了带徒活动，协议不能早于该日结束。",
            f"{app.person.name} attended a session on {last.session.date}; the agreement cannot end earlier.",
            field="agreement_end",
        )
    for k, v in {**dates, **texts}.items():
        setattr(app, k, v)
    return save_as(app, by=by, reason="updated")


@transaction.atomic
def skill_upgrade_record(
    *,
    by: User,
    apprentice_id: int,
    to_level: str,
    achieved_on: DateInput,
    certificate_no: str,
    certificate_file: UploadedFile | None = None,
) -> SkillUpgrade:
    """A step up the 新八级工 ladder from the apprentice's current level, during the agreement, with its
    certificate number (and the certificate's scan when given)."""
    found = selectors.apprentices_for(by).filter(pk=apprentice_id).values_list("studio_id", flat=True).first()
    if found is None:
        raise checks.not_found("学徒", "Apprentice", apprentice_id, "apprentice")
    studio = checks.studio_locked(by, found)
    permissions.require_manage(by, studio)
    checks.require_not_closed(studio)
    app = Apprentice.objects.select_for_update().select_related("person").get(pk=apprentice_id)
    errors: list = []
    achieved_on = checks.date_or_none(
        achieved_on, field="achieved_on", zh="取得日期", en="date achieved", errors=errors
    )
    certificate_no = checks.text(
        certificate_no,
        field="certificate_no",
        zh="证书编号",
        en="certificate number",
        limit=60,
        errors=errors,
        required=True,
    )
    if to_level not in SkillLevel.values:
        checks.err(errors, "to_level", "请选择晋升后的技能等级（新八级工）。", "Choose the level reached.")
    elif skill_rank(to_level) <= skill_rank(app.current_level):
        checks.err(
            errors,
            "to_level",
            f"晋升后的等级须高于现有等级“{SkillLevel(app.current_level).label}”。",
            f"The new level must be above the current level ({app.current_level}).",
        )
    if achieved_on:
        if achieved_on > timezone.localdate():
            checks.err(
                errors,
                "achieved_on",
                f"取得日期 {achieved_on} 在今天之后。",
                f"The date {achieved_on} is in the future.",
            )
        elif not app.active_on(achieved_on):
            checks.err(
                errors,
                "achieved_on",
                f"取得日期 {achieved_on} 不在师带徒协议期内（{app.agreement_start} 起）。",
                f"{achieved_on} is outside the mentoring agreement (from {app.agreement_start}).",
            )
        last = app.upgrades.order_by("-achieved_on").first()
        if last and achieved_on < last.achieved_on:
            checks.err(
                errors,
                "achieved_on",
                f"取得日期早于上一次晋级（{last.achieved_on}）。",
                f"The date is before the previous upgrade ({last.achieved_on}).",
            )
    checked = (
        read_upload(certificate_file, field="file", stem="file", named=True)
        if certificate_file is not None
        else None
    )
    checks.raise_all(errors)
    up = save_as(
        SkillUpgrade(
            apprentice=app,
            from_level=app.current_level,
            to_level=to_level,
            achieved_on=achieved_on,
            certificate_no=certificate_no,
            recorded_by=by,
        ),
        by=by,
    )
    app.current_level = to_level
    save_as(app, by=by, reason=f"upgraded to {to_level}")
    if checked is not None:
        evidence.store(by, studio, StudioFile.Kind.CERTIFICATE, checked, apprentice=app, upgrade=up)
    return up
