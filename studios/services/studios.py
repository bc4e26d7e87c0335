"""The studios themselves: set up, details, 挂牌 and 摘牌, their assessors, and pauses.

Decisions:

- **Pauses** are recorded by the office (a host does not lower their own targets) and do not overlap.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.errors import Conflict, TransitionNotAllowed, ValidationFailed
from backend.history import save_as
from backend.roles import Role, has_role, require_role
from honourees.models import Honouree
from studios import permissions
from studios.models import InstitutionKind, Studio, StudioAssessor, StudioFile, StudioPause
from studios.services import checks
from studios.signals import studio_closed, studio_established


def _studio_fields(data: dict, errors: list) -> dict:
    out = {}
    if "name" in data:
        out["name"] = checks.text(
            data["name"],
            field="name",
            zh="工作室名称",
            en="studio name",
            limit=200,
            errors=errors,
            required=True,
        )
    if "institution_name" in data:
        out["institution_name"] = checks.text(
            data["institution_name"],
            field="institution_name",
            zh="共建院校或基地名称",
            en="host institution",
            limit=200,
            errors=errors,
            required=True,
        )
    if "institution_kind" in data:
        kind = data["institution_kind"]
        if kind not in InstitutionKind.values:
            labels = "、".join(str(label) for label in InstitutionKind.labels)
            checks.err(
                errors,
                "institution_kind",
                f"请选择共建单位类型（{labels}）。",
                f"Choose the kind of institution ({', '.join(InstitutionKind.values)}).",
            )
        out["institution_kind"] = kind
    if "address" in data:
        out["address"] = checks.text(
            data["address"], field="address", zh="地址", en="address", limit=300, errors=errors
        )
    return out


@transaction.atomic
def studio_create(
    *,
    by: User,
    honouree_id: int,
    host_id: int,
    name: str,
    institution_name: str,
    institution_kind: str,
    address: str = "",
    contact_id: int | None = None,
) -> Studio:
    """Register a named craftsman's studio (筹建中); the office confirms its 挂牌 with ``studio_establish``."""
    require_role(by, Role.TALENT_OFFICE)
    errors: list = []
    honouree = Honouree.objects.select_for_update().filter(pk=honouree_id).first() if honouree_id else None
    if honouree is None:
        checks.err(errors, "honouree", "请选择已命名的工匠。", "Choose the named craftsman (honouree).")
    elif honouree.status != Honouree.Status.ACTIVE:
        checks.err(
            errors,
            "honouree",
            "该工匠的荣誉已撤销，不能设立工作室。",
            "The honour has been revoked; no studio can be set up.",
        )
    host = get_user_model().objects.filter(pk=host_id, is_active=True).first() if host_id else None
    if host is None or not has_role(host, Role.STUDIO_HOST):
        checks.err(
            errors,
            "host",
            "请选择具有“工作室领办人”角色的账号作为领办人。",
            "Choose an active account with the studio-host role as the host.",
        )
    contact = get_user_model().objects.filter(pk=contact_id, is_active=True).first() if contact_id else None
    if contact_id and contact is None:
        checks.err(
            errors,
            "contact",
            "请选择有效的院校联系人账号。",
            "Choose an active user as the institution contact.",
        )
    elif contact is not None and host is not None and contact.pk == host.pk:
        checks.err(
            errors,
            "contact",
            "院校联系人负责核实学时，不能是领办人本人。",
            "The institution contact verifies the hours and cannot be the host.",
        )
    fields = _studio_fields(
        {
            "name": name,
            "institution_name": institution_name,
            "institution_kind": institution_kind,
            "address": address,
        },
        errors,
    )
    checks.raise_all(errors)
    studio = Studio(honouree=honouree, host=host, contact=contact, **fields)
    try:
        with transaction.atomic():
            save_as(studio, by=by, reason="created")
    except IntegrityError:
        raise Conflict(
            f"{honouree.person.name} 已有一个未摘牌的工作室。",
            f"{honouree.person.name} already has an open studio.",
            field="honouree",
        ) from None
    return studio


@transaction.atomic
def studio_update(*, by: User, studio_id: int, **data: object) -> Studio:
    """Change the studio's details: name and address by the host or the office; the institution only while
    the studio is being set up (it decides the funding condition); the contact only by the office."""
    studio = checks.studio_locked(by, studio_id)
    permissions.require_manage(by, studio)
    checks.require_not_closed(studio)
    unknown = sorted(set(data) - {"name", "institution_name", "institution_kind", "address", "contact_id"})
    if unknown:
        raise ValidationFailed(f"未知字段：{unknown}", f"Unknown fields: {unknown}", field=unknown[0])
    if studio.status != Studio.Status.PLANNED and {"institution_name", "institution_kind"} & {
        k for k, v in data.items() if v != getattr(studio, k)
    }:
        raise Conflict(
            "工作室已挂牌，共建单位不能再改；如更换单位，请摘牌后另设工作室。",
            "The studio is established: its institution cannot change (close it and set up a new one).",
            field="institution_kind",
        )
    errors: list = []
    fields = _studio_fields(data, errors)
    checks.raise_all(errors)
    if "contact_id" in data and data["contact_id"] != studio.contact_id:
        require_role(by, Role.TALENT_OFFICE)
        contact = (
            checks.active_user(data["contact_id"], field="contact", zh="院校联系人", en="institution contact")
            if data["contact_id"]
            else None
        )
        if contact is not None and contact.pk == studio.host_id:
            raise ValidationFailed(
                "院校联系人负责核实学时，不能是领办人本人。",
                "The institution contact verifies the hours and cannot be the host.",
                field="contact",
            )
        studio.contact = contact
    for k, v in fields.items():
        setattr(studio, k, v)
    return save_as(studio, by=by, reason="updated")


@transaction.atomic
def studio_establish(*, by: User, studio_id: int, plaque_date: dt.date) -> Studio:
    """The office confirms the 挂牌: from the plaque date the studio counts (巴陵 notice §三) and funding is told.

    Needs the plaque date (not in the future, not before the naming) and at least one piece of
    establishment evidence on file (the 挂牌 photo or the co-operation agreement with the institution).
    """
    require_role(by, Role.TALENT_OFFICE)
    studio = checks.studio_locked(by, studio_id)
    if studio.status == Studio.Status.ESTABLISHED and studio.plaque_date == plaque_date:
        return studio  # a double click confirms once
    if not studio.can_become(Studio.Status.ESTABLISHED):
        raise TransitionNotAllowed(studio, Studio.Status.ESTABLISHED)
    errors: list = []
    plaque_date = checks.date_or_none(
        plaque_date, field="plaque_date", zh="挂牌日期", en="plaque date", errors=errors
    )
    checks.raise_all(errors)
    if plaque_date > timezone.localdate():
        raise ValidationFailed(
            f"挂牌日期 {plaque_date} 在今天之后。",
            f"The plaque date {plaque_date} is in the future.",
            field="plaque_date",
        )
    named_on = studio.honouree.named_on
    if plaque_date < named_on:
        raise ValidationFailed(
            f"挂牌日期 {plaque_date} 早于命名日期 {named_on}。",
            f"The plaque date {plaque_date} is before the naming on {named_on}.",
            field="plaque_date",
        )
    if studio.honouree.status != Honouree.Status.ACTIVE:
        raise Conflict("该工匠的荣誉已撤销。", "The honour has been revoked.", field="honouree")
    if not studio.files.filter(kind=StudioFile.Kind.ESTABLISHMENT).exists():
        raise ValidationFailed(
            "请先上传挂牌照片或共建协议等挂牌材料。",
            "Upload the establishment evidence (plaque photo or the agreement with the institution) first.",
            field="file",
        )
    studio.plaque_date, studio.status = plaque_date, Studio.Status.ESTABLISHED
    studio.established_by, studio.established_at = by, timezone.now()
    save_as(studio, by=by, reason=f"established {plaque_date}")
    studio_established.send(
        sender=Studio,
        studio=studio,
        honouree=studio.honouree,
        institution_kind=studio.institution_kind,
        plaque_date=plaque_date,
        by=by,
    )
    return studio


@transaction.atomic
def studio_close(*, by: User, studio_id: int, closed_on: dt.date, reason: str) -> Studio:
    """摘牌: the studio stops counting (funding is told); its records stay."""
    require_role(by, Role.TALENT_OFFICE)
    studio = checks.studio_locked(by, studio_id)
    if not studio.can_become(Studio.Status.CLOSED):
        raise TransitionNotAllowed(studio, Studio.Status.CLOSED)
    errors: list = []
    reason = checks.text(
        reason, field="reason", zh="摘牌原因", en="reason", limit=500, errors=errors, required=True
    )
    closed_on = checks.date_or_none(
        closed_on, field="closed_on", zh="摘牌日期", en="closing date", errors=errors
    )
    checks.raise_all(errors)
    if closed_on > timezone.localdate():
        raise ValidationFailed(
            f"摘牌日期 {closed_on} 在今天之后。",
            f"The closing date {closed_on} is in the future.",
            field="closed_on",
        )
    studio.status, studio.closed_on, studio.closed_reason = Studio.Status.CLOSED, closed_on, reason
    save_as(studio, by=by, reason=f"closed: {reason}")
    studio_closed.send(
        sender=Studio, studio=studio, honouree=studio.honouree, closed_on=closed_on, reason=reason, by=by
    )
    return studio


@transaction.atomic
def studio_assessor_add(*, by: User, studio_id: int, user_id: int) -> StudioAssessor:
    require_role(by, Role.TALENT_OFFICE)
    studio = checks.studio_locked(by, studio_id)
    user = checks.active_user(user_id, field="assessor", zh="考核专家", en="assessor")
    if not has_role(user, Role.EXPERT, Role.TALENT_OFFICE):
        raise ValidationFailed(
            "考核专家须具有“评审专家”或“人才办”角色。",
            "An assessor needs the expert or talent-office role.",
            field="assessor",
        )
    if user.pk in (studio.host_id, studio.contact_id):
        raise ValidationFailed(
            "领办人和院校联系人不能考核本工作室。",
            "The host and the institution contact cannot assess the studio.",
            field="assessor",
        )
    link, _ = StudioAssessor.objects.get_or_create(studio=studio, user=user)
    return link


@transaction.atomic
def studio_assessor_remove(*, by: User, studio_id: int, user_id: int) -> None:
    require_role(by, Role.TALENT_OFFICE)
    studio = checks.studio_locked(by, studio_id)
    link = StudioAssessor.objects.filter(studio=studio, user_id=user_id).first()
    if link is None:
        raise checks.not_found("考核专家", "Assessor", user_id, "assessor")
    link._history_user = by
    link.delete()


@transaction.atomic
def pause_record(
    *, by: User, studio_id: int, starts_on: dt.date, ends_on: dt.date, reason: str
) -> StudioPause:
    """A stretch the studio could not teach; the year's targets shrink by its share (studios.rubric)."""
    require_role(by, Role.TALENT_OFFICE)
    studio = checks.studio_locked(by, studio_id)
    checks.require_not_closed(studio)
    errors: list = []
    starts_on = checks.date_or_none(
        starts_on, field="starts_on", zh="暂停开始日期", en="start of the pause", errors=errors
    )
    ends_on = checks.date_or_none(
        ends_on, field="ends_on", zh="暂停结束日期", en="end of the pause", errors=errors
    )
    reason = checks.text(
        reason, field="reason", zh="暂停原因", en="reason", limit=500, errors=errors, required=True
    )
    if starts_on and ends_on and ends_on < starts_on:
        checks.err(errors, "ends_on", "暂停结束日期早于开始日期。", "The pause ends before it starts.")
    if starts_on and studio.plaque_date and starts_on < studio.plaque_date:
        checks.err(
            errors,
            "starts_on",
            f"暂停不能早于挂牌日期 {studio.plaque_date}。",
            f"A pause cannot start before the plaque date {studio.plaque_date}.",
        )
    if studio.status != Studio.Status.ESTABLISHED:
        checks.err(
            errors, "studio", "工作室挂牌后才能登记暂停。", "A pause is recorded for an established studio."
        )
    checks.raise_all(errors)
    clash = StudioPause.objects.filter(studio=studio, starts_on__lte=ends_on, ends_on__gte=starts_on).first()
    if clash:
        raise ValidationFailed(
            f"与已登记的暂停 {clash.starts_on}–{clash.ends_on} 重叠。",
            f"It overlaps the pause {clash.starts_on}–{clash.ends_on}.",
            field="starts_on",
        )
    return save_as(
        StudioPause(studio=studio, starts_on=starts_on, ends_on=ends_on, reason=reason, recorded_by=by), by=by
    )


@transaction.atomic
def pause_delete(*, by: User, pause_id: int) -> None:
    require_role(by, Role.TALENT_OFFICE)
    pause = StudioPause.objects.filter(pk=pause_id).first()
    if pause is None:
        raise checks.not_found("暂停记录", "Pause", pause_id, "pause")
    checks.studio_locked(by, pause.studio_id)
    pause._history_user = by
    pause.delete()
