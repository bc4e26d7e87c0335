"""Every write of the studios side: one service per change, keyword-only, the acting user as ``by``.

Each service checks who may do it, locks the rows it changes (the studio first, then what is under it),
re-checks state under the lock, writes history with ``save_as`` and raises a DomainError naming the field
(and the row, for an import). Bad input is collected and refused as a whole: nothing is half-saved.

Who may do what: ``studios.permissions``.

Decisions:

- **Sessions** lie within one day (end after start, no crossing midnight) and are logged only for an
  established studio, on or after its plaque date, never in the future (today: ending at most 15 minutes
  from now, for a host saving as the session ends). The studio's sessions of one day may not add up to
  more than 24 hours; sessions that overlap are allowed but flagged (``selectors.with_overlaps``) for the
  verifier, who decides.
- **Edit window**: a session can be edited or deleted until ``STUDIO_SESSION_EDIT_DAYS`` (default 7) days
  after it was logged; returning it opens the window again from the return. A verified session is locked
  for good: the assessment relies on it. Every edit is in the history (attendees too: their own rows).
- **Attendees** are the studio's apprentices under an agreement covering the session's date; at least one.
- **Pauses** are recorded by the office (a host does not lower their own targets) and do not overlap.
- **Assessment**: opened by the office for a period that has begun, scored by assessors, recorded by the
  office once the period has ended. The logs count verified sessions up to the period's end; a
  re-assessment after rectification counts them up to the re-assessment day (at most the rectification
  deadline). Rubric changes are refused once a result of the round has been recorded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
import uuid
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.errors import Conflict, NotFound, NotPermitted, TransitionNotAllowed, ValidationFailed
from backend.history import save_as
from backend.roles import Role, has_role, require_role
from backend.skills import SkillLevel, skill_rank
from backend.uploads import EXTENSIONS, Upload, read_upload, with_extension
from honourees.fields import clean_person
from honourees.models import Honouree, Round
from honourees.services.people import person_lock_or_create
from studios import permissions, selectors
from studios import rubric as rub
from studios.models import (
    Apprentice,
    Assessment,
    AssessorSheet,
    InstitutionKind,
    MentoringSession,
    SessionAttendance,
    SkillUpgrade,
    Studio,
    StudioAssessor,
    StudioFile,
    StudioPause,
    StudioRubric,
)
from studios.signals import assessment_recorded, studio_closed, studio_established

S = MentoringSession.Status
A = Assessment.Status
DEFAULT_EDIT_DAYS = 7
FUTURE_GRACE = dt.timedelta(minutes=15)
NOTES_MAX = 2000


def edit_days() -> int:
    return int(getattr(settings, "STUDIO_SESSION_EDIT_DAYS", DEFAULT_EDIT_DAYS))


# --- helpers ---------------------------------------------------------------------------------------------------


def _not_found(what_zh: str, what_en: str, pk, field: str) -> NotFound:
    return NotFound(f"{what_zh} {pk} 不存在。", f"{what_en} {pk} does not exist.", field=field)


def _studio_locked(by, studio_id) -> Studio:
    """The studio, locked, if ``by`` may see it; NotFound otherwise (also for one that exists elsewhere)."""
    if not selectors.studios_for(by).filter(pk=studio_id).exists():
        raise _not_found("工作室", "Studio", studio_id, "studio")
    return Studio.objects.select_for_update(of=("self",)).select_related("honouree").get(pk=studio_id)


def _require_not_closed(studio: Studio) -> None:
    if studio.status == Studio.Status.CLOSED:
        raise Conflict(
            f"工作室“{studio.name}”已摘牌，不能再修改。",
            f"The studio '{studio.name}' is closed.",
            field="studio",
        )


def _raise_all(errors: list[ValidationFailed], *, row: int | None = None) -> None:
    """Nothing is saved when anything is wrong: one error as itself, several listed under one."""
    if not errors:
        return
    if len(errors) == 1:
        e = errors[0]
        raise ValidationFailed(e.zh, e.en, field=e.field, row=row if e.row is None else e.row)
    raise ValidationFailed(
        f"有 {len(errors)} 处错误，均未保存。",
        f"{len(errors)} error(s); nothing was saved.",
        row=row,
        errors=errors,
    )


def _err(errors: list, field: str, zh: str, en: str, row: int | None = None) -> None:
    errors.append(ValidationFailed(zh, en, field=field, row=row))


def _text(
    value, *, field: str, zh: str, en: str, limit: int, errors: list, row=None, required=False, lines=False
) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        _err(errors, field, f"请填写{zh}。", f"The {en} is required.", row)
    elif len(text) > limit:
        _err(
            errors,
            field,
            f"{zh}不能超过 {limit} 个字（现有 {len(text)} 个）。",
            f"The {en} must be at most {limit} characters (it has {len(text)}).",
            row,
        )
    elif any(unicodedata.category(ch) == "Cc" and (not lines or ch not in "\n\r\t") for ch in text):
        _err(
            errors,
            field,
            f"{zh}不能包含换行或控制字符。",
            f"The {en} may not contain line breaks or control characters.",
            row,
        )
    return text


def _date_or_none(
    value, *, field: str, zh: str, en: str, errors: list, row=None, required=True
) -> dt.date | None:
    if value in (None, ""):
        if required:
            _err(errors, field, f"请填写{zh}。", f"The {en} is required.", row)
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        _err(
            errors,
            field,
            f"{zh}“{value}”不是有效日期（应为 2025-03-01）。",
            f"The {en} '{value}' is not a date (write 2025-03-01).",
            row,
        )
        return None


def _user(user_id, *, field: str, zh: str, en: str):
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        raise ValidationFailed(f"请选择有效的{zh}账号。", f"Choose an active user as the {en}.", field=field)
    return user


# --- files (evidence) ------------------------------------------------------------------------------------------


def _store(by, studio: Studio, kind: str, checked: Upload, **links) -> StudioFile:
    f = StudioFile(
        studio=studio,
        kind=kind,
        original_name=checked.name,
        content_type=checked.content_type,
        size=len(checked.data),
        sha256=hashlib.sha256(checked.data).hexdigest(),
        uploaded_by=by,
        **links,
    )
    # A random name on disk: the uploaded name says nothing about the content and may not be a safe path.
    f.file.save(uuid.uuid4().hex + EXTENSIONS[checked.content_type][0], ContentFile(checked.data), save=False)
    try:
        save_as(f, by=by, reason=f"uploaded {kind}")
    except BaseException:
        f.file.storage.delete(f.file.name)
        raise
    return f


@transaction.atomic
def studio_file_add(
    *,
    by,
    studio_id: int,
    kind: str,
    uploaded_file,
    apprentice_id: int | None = None,
    upgrade_id: int | None = None,
) -> StudioFile:
    """Store a checked PDF, JPEG or PNG as evidence of the studio (a refused file leaves no row and no file).

    ``agreement`` files belong to an apprentice, ``certificate`` files to a skill upgrade; session photos go
    through ``session_photo_add`` (they follow the session's edit window).
    """
    studio = _studio_locked(by, studio_id)
    permissions.require_manage(by, studio)
    _require_not_closed(studio)
    if kind not in StudioFile.Kind.values or kind == StudioFile.Kind.SESSION_PHOTO:
        raise ValidationFailed(
            f"材料类别“{kind}”无效。", f"'{kind}' is not a kind of evidence here.", field="kind"
        )
    links = {}
    if kind == StudioFile.Kind.AGREEMENT:
        app = Apprentice.objects.filter(pk=apprentice_id, studio=studio).first() if apprentice_id else None
        if app is None:
            raise ValidationFailed(
                "师带徒协议须属于本工作室的一名学徒。",
                "An agreement belongs to one of the studio's apprentices.",
                field="apprentice",
            )
        links["apprentice"] = app
    if kind == StudioFile.Kind.CERTIFICATE:
        up = (
            SkillUpgrade.objects.filter(pk=upgrade_id, apprentice__studio=studio)
            .select_related("apprentice")
            .first()
            if upgrade_id
            else None
        )
        if up is None:
            raise ValidationFailed(
                "技能等级证书须属于本工作室学徒的一次晋级。",
                "A certificate belongs to a skill upgrade of the studio's apprentices.",
                field="upgrade",
            )
        links["upgrade"], links["apprentice"] = up, up.apprentice
    checked = read_upload(uploaded_file, field="file", stem="file", named=True)
    return _store(by, studio, kind, checked, **links)


def studio_file_open(*, by, file_id: int):
    """(open file, content type, download name) for those who may see the studio; NotFound for others."""
    f = selectors.files_for(by).filter(pk=file_id).first()
    if f is None:
        raise _not_found("文件", "File", file_id, "file")
    try:
        handle = f.file.storage.open(f.file.name, "rb")
    except FileNotFoundError:
        raise NotFound(
            f"文件 {file_id} 已不在存储中，请联系管理员。",
            f"The file {file_id} is missing from storage; tell the administrator.",
            field="file",
        ) from None
    return handle, f.content_type, with_extension(f.original_name, f.content_type)


# --- studios ---------------------------------------------------------------------------------------------------


def _studio_fields(data: dict, errors: list) -> dict:
    out = {}
    if "name" in data:
        out["name"] = _text(
            data["name"],
            field="name",
            zh="工作室名称",
            en="studio name",
            limit=200,
            errors=errors,
            required=True,
        )
    if "institution_name" in data:
        out["institution_name"] = _text(
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
            _err(
                errors,
                "institution_kind",
                f"请选择共建单位类型（{labels}）。",
                f"Choose the kind of institution ({', '.join(InstitutionKind.values)}).",
            )
        out["institution_kind"] = kind
    if "address" in data:
        out["address"] = _text(
            data["address"], field="address", zh="地址", en="address", limit=300, errors=errors
        )
    return out


@transaction.atomic
def studio_create(
    *,
    by,
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
        _err(errors, "honouree", "请选择已命名的工匠。", "Choose the named craftsman (honouree).")
    elif honouree.status != Honouree.Status.ACTIVE:
        _err(
            errors,
            "honouree",
            "该工匠的荣誉已撤销，不能设立工作室。",
            "The honour has been revoked; no studio can be set up.",
        )
    host = get_user_model().objects.filter(pk=host_id, is_active=True).first() if host_id else None
    if host is None or not has_role(host, Role.STUDIO_HOST):
        _err(
            errors,
            "host",
            "请选择具有“工作室领办人”角色的账号作为领办人。",
            "Choose an active account with the studio-host role as the host.",
        )
    contact = get_user_model().objects.filter(pk=contact_id, is_active=True).first() if contact_id else None
    if contact_id and contact is None:
        _err(
            errors,
            "contact",
            "请选择有效的院校联系人账号。",
            "Choose an active user as the institution contact.",
        )
    elif contact is not None and host is not None and contact.pk == host.pk:
        _err(
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
    _raise_all(errors)
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
def studio_update(*, by, studio_id: int, **data) -> Studio:
    """Change the studio's details: name and address by the host or the office; the institution only while
    the studio is being set up (it decides the funding condition); the contact only by the office."""
    studio = _studio_locked(by, studio_id)
    permissions.require_manage(by, studio)
    _require_not_closed(studio)
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
    _raise_all(errors)
    if "contact_id" in data and data["contact_id"] != studio.contact_id:
        require_role(by, Role.TALENT_OFFICE)
        contact = (
            _user(data["contact_id"], field="contact", zh="院校联系人", en="institution contact")
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
def studio_establish(*, by, studio_id: int, plaque_date: dt.date) -> Studio:
    """The office confirms the 挂牌: from the plaque date the studio counts (巴陵 notice §三) and funding is told.

    Needs the plaque date (not in the future, not before the naming) and at least one piece of
    establishment evidence on file (the 挂牌 photo or the co-operation agreement with the institution).
    """
    require_role(by, Role.TALENT_OFFICE)
    studio = _studio_locked(by, studio_id)
    if studio.status == Studio.Status.ESTABLISHED and studio.plaque_date == plaque_date:
        return studio  # a double click confirms once
    if not studio.can_become(Studio.Status.ESTABLISHED):
        raise TransitionNotAllowed(studio, Studio.Status.ESTABLISHED)
    errors: list = []
    plaque_date = _date_or_none(
        plaque_date, field="plaque_date", zh="挂牌日期", en="plaque date", errors=errors
    )
    _raise_all(errors)
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
def studio_close(*, by, studio_id: int, closed_on: dt.date, reason: str) -> Studio:
    """摘牌: the studio stops counting (funding is told); its records stay."""
    require_role(by, Role.TALENT_OFFICE)
    studio = _studio_locked(by, studio_id)
    if not studio.can_become(Studio.Status.CLOSED):
        raise TransitionNotAllowed(studio, Studio.Status.CLOSED)
    errors: list = []
    reason = _text(
        reason, field="reason", zh="摘牌原因", en="reason", limit=500, errors=errors, required=True
    )
    closed_on = _date_or_none(closed_on, field="closed_on", zh="摘牌日期", en="closing date", errors=errors)
    _raise_all(errors)
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
def studio_assessor_add(*, by, studio_id: int, user_id: int) -> StudioAssessor:
    require_role(by, Role.TALENT_OFFICE)
    studio = _studio_locked(by, studio_id)
    user = _user(user_id, field="assessor", zh="考核专家", en="assessor")
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
def studio_assessor_remove(*, by, studio_id: int, user_id: int) -> None:
    require_role(by, Role.TALENT_OFFICE)
    studio = _studio_locked(by, studio_id)
    link = StudioAssessor.objects.filter(studio=studio, user_id=user_id).first()
    if link is None:
        raise _not_found("考核专家", "Assessor", user_id, "assessor")
    link._history_user = by
    link.delete()


@transaction.atomic
def pause_record(*, by, studio_id: int, starts_on: dt.date, ends_on: dt.date, reason: str) -> StudioPause:
    """A stretch the studio could not teach; the year's targets shrink by its share (studios.rubric)."""
    require_role(by, Role.TALENT_OFFICE)
    studio = _studio_locked(by, studio_id)
    _require_not_closed(studio)
    errors: list = []
    starts_on = _date_or_none(
        starts_on, field="starts_on", zh="暂停开始日期", en="start of the pause", errors=errors
    )
    ends_on = _date_or_none(ends_on, field="ends_on", zh="暂停结束日期", en="end of the pause", errors=errors)
    reason = _text(
        reason, field="reason", zh="暂停原因", en="reason", limit=500, errors=errors, required=True
    )
    if starts_on and ends_on and ends_on < starts_on:
        _err(errors, "ends_on", "暂停结束日期早于开始日期。", "The pause ends before it starts.")
    if starts_on and studio.plaque_date and starts_on < studio.plaque_date:
        _err(
            errors,
            "starts_on",
            f"暂停不能早于挂牌日期 {studio.plaque_date}。",
            f"A pause cannot start before the plaque date {studio.plaque_date}.",
        )
    if studio.status != Studio.Status.ESTABLISHED:
        _err(errors, "studio", "工作室挂牌后才能登记暂停。", "A pause is recorded for an established studio.")
    _raise_all(errors)
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
def pause_delete(*, by, pause_id: int) -> None:
    require_role(by, Role.TALENT_OFFICE)
    pause = StudioPause.objects.filter(pk=pause_id).first()
    if pause is None:
        raise _not_found("暂停记录", "Pause", pause_id, "pause")
    _studio_locked(by, pause.studio_id)
    pause._history_user = by
    pause.delete()


# --- apprentices -----------------------------------------------------------------------------------------------


def _agreement(data: dict, errors: list, row) -> dict:
    out = {}
    today = timezone.localdate()
    if "agreement_start" in data:
        out["agreement_start"] = _date_or_none(
            data["agreement_start"],
            field="agreement_start",
            zh="协议开始日期",
            en="start of the agreement",
            errors=errors,
            row=row,
        )
    if "agreement_end" in data:
        out["agreement_end"] = _date_or_none(
            data["agreement_end"],
            field="agreement_end",
            zh="协议结束日期",
            en="end of the agreement",
            errors=errors,
            row=row,
            required=False,
        )
    if "agreement_signed_on" in data:
        signed = _date_or_none(
            data["agreement_signed_on"],
            field="agreement_signed_on",
            zh="协议签订日期",
            en="signing date",
            errors=errors,
            row=row,
            required=False,
        )
        if signed and signed > today:
            _err(
                errors,
                "agreement_signed_on",
                f"协议签订日期 {signed} 在今天之后。",
                f"The signing date {signed} is in the future.",
                row,
            )
        out["agreement_signed_on"] = signed
    start, end = out.get("agreement_start"), out.get("agreement_end")
    if start and end and end < start:
        _err(
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
    by,
    studio_id: int,
    person: dict,
    skill_level: str,
    agreement_start,
    agreement_end=None,
    agreement_signed_on=None,
    employer: str = "",
    trade: str = "",
    row: int | None = None,
) -> Apprentice:
    """An apprentice under a 师带徒协议 with the studio; the person is found or made by identity number."""
    studio = _studio_locked(by, studio_id)
    permissions.require_manage(by, studio)
    _require_not_closed(studio)
    errors: list = []
    person_data = clean_person(person, errors, row=row)
    if skill_level not in SkillLevel.values:
        _err(
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
    employer = _text(
        employer, field="employer", zh="工作单位", en="employer", limit=200, errors=errors, row=row
    )
    trade = _text(trade, field="trade", zh="工种", en="trade", limit=100, errors=errors, row=row)
    _raise_all(errors, row=row)
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
def apprentice_update(*, by, apprentice_id: int, **data) -> Apprentice:
    """Employer, trade and the agreement's dates; an agreement cannot end before a session the apprentice attended."""
    found = selectors.apprentices_for(by).filter(pk=apprentice_id).values_list("studio_id", flat=True).first()
    if found is None:
        raise _not_found("学徒", "Apprentice", apprentice_id, "apprentice")
    studio = _studio_locked(by, found)
    permissions.require_manage(by, studio)
    _require_not_closed(studio)
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
        texts["employer"] = _text(
            data["employer"], field="employer", zh="工作单位", en="employer", limit=200, errors=errors
        )
    if "trade" in data:
        texts["trade"] = _text(data["trade"], field="trade", zh="工种", en="trade", limit=100, errors=errors)
    _raise_all(errors)
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
    *, by, apprentice_id: int, to_level: str, achieved_on, certificate_no: str, certificate_file=None
) -> SkillUpgrade:
    """A step up the 新八级工 ladder from the apprentice's current level, during the agreement, with its
    certificate number (and the certificate's scan when given)."""
    found = selectors.apprentices_for(by).filter(pk=apprentice_id).values_list("studio_id", flat=True).first()
    if found is None:
        raise _not_found("学徒", "Apprentice", apprentice_id, "apprentice")
    studio = _studio_locked(by, found)
    permissions.require_manage(by, studio)
    _require_not_closed(studio)
    app = Apprentice.objects.select_for_update().select_related("person").get(pk=apprentice_id)
    errors: list = []
    achieved_on = _date_or_none(
        achieved_on, field="achieved_on", zh="取得日期", en="date achieved", errors=errors
    )
    certificate_no = _text(
        certificate_no,
        field="certificate_no",
        zh="证书编号",
        en="certificate number",
        limit=60,
        errors=errors,
        required=True,
    )
    if to_level not in SkillLevel.values:
        _err(errors, "to_level", "请选择晋升后的技能等级（新八级工）。", "Choose the level reached.")
    elif skill_rank(to_level) <= skill_rank(app.current_level):
        _err(
            errors,
            "to_level",
            f"晋升后的等级须高于现有等级“{SkillLevel(app.current_level).label}”。",
            f"The new level must be above the current level ({app.current_level}).",
        )
    if achieved_on:
        if achieved_on > timezone.localdate():
            _err(
                errors,
                "achieved_on",
                f"取得日期 {achieved_on} 在今天之后。",
                f"The date {achieved_on} is in the future.",
            )
        elif not app.active_on(achieved_on):
            _err(
                errors,
                "achieved_on",
                f"取得日期 {achieved_on} 不在师带徒协议期内（{app.agreement_start} 起）。",
                f"{achieved_on} is outside the mentoring agreement (from {app.agreement_start}).",
            )
        last = app.upgrades.order_by("-achieved_on").first()
        if last and achieved_on < last.achieved_on:
            _err(
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
    _raise_all(errors)
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
        _store(by, studio, StudioFile.Kind.CERTIFICATE, checked, apprentice=app, upgrade=up)
    return up


# --- sessions --------------------------------------------------------------------------------------------------


def _time_or_none(value, *, field: str, zh: str, en: str, errors: list, row) -> dt.time | None:
    if value in (None, ""):
        _err(errors, field, f"请填写{zh}。", f"The {en} is required.", row)
        return None
    if isinstance(value, dt.datetime):
        value = value.time()
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    text = str(value).strip().replace("：", ":")
    try:
        return dt.time.fromisoformat(text if len(text) > 4 else text.zfill(5)).replace(
            second=0, microsecond=0
        )
    except ValueError:
        _err(
            errors,
            field,
            f"{zh}“{value}”不是有效时间（应为 09:30）。",
            f"The {en} '{value}' is not a time (write 09:30).",
            row,
        )
        return None


def _check_session(studio: Studio, data: dict, *, session: MentoringSession | None, row) -> dict:
    """The session's fields cleaned, with every problem collected (see the module docstring for the rules)."""
    errors: list = []
    now = timezone.localtime()
    today = now.date()
    day = _date_or_none(data.get("date"), field="date", zh="日期", en="date", errors=errors, row=row)
    start = _time_or_none(
        data.get("starts_at"), field="starts_at", zh="开始时间", en="start time", errors=errors, row=row
    )
    end = _time_or_none(
        data.get("ends_at"), field="ends_at", zh="结束时间", en="end time", errors=errors, row=row
    )
    kind = data.get("kind") or MentoringSession.Kind.TEACHING
    if kind not in MentoringSession.Kind.values:
        labels = "、".join(str(x) for x in MentoringSession.Kind.labels)
        _err(
            errors,
            "kind",
            f"活动类型“{kind}”无效（可选：{labels}）。",
            f"'{kind}' is not a kind of session ({', '.join(MentoringSession.Kind.values)}).",
            row,
        )
    topic = _text(
        data.get("topic"),
        field="topic",
        zh="活动内容",
        en="topic",
        limit=200,
        errors=errors,
        row=row,
        required=True,
    )
    location = _text(
        data.get("location"), field="location", zh="地点", en="location", limit=200, errors=errors, row=row
    )
    notes = _text(
        data.get("notes"),
        field="notes",
        zh="备注",
        en="notes",
        limit=NOTES_MAX,
        errors=errors,
        row=row,
        lines=True,
    )
    if day is not None:
        if day > today:
            _err(
                errors,
                "date",
                f"日期 {day} 在今天之后：只能登记已经开展的活动。",
                f"The date {day} is in the future: only sessions that took place can be logged.",
                row,
            )
        elif studio.plaque_date is None or day < studio.plaque_date:
            _err(
                errors,
                "date",
                f"日期 {day} 早于工作室挂牌日期 {studio.plaque_date or '（未挂牌）'}。",
                f"The date {day} is before the studio's plaque date ({studio.plaque_date or 'not established'}).",
                row,
            )
    minutes = None
    if start is not None and end is not None:
        minutes = rub.minutes_between(start, end)
        if minutes <= 0:
            _err(
                errors,
                "ends_at",
                f"结束时间 {end:%H:%M} 须晚于开始时间 {start:%H:%M}（活动不跨天）。",
                f"The end time {end:%H:%M} must be after the start time {start:%H:%M} (a session lies within one day).",
                row,
            )
            minutes = None
        elif (
            day == today
            and dt.datetime.combine(day, end) > dt.datetime.combine(day, now.time()) + FUTURE_GRACE
        ):
            _err(
                errors,
                "ends_at",
                f"结束时间 {end:%H:%M} 还没到：只能登记已经开展的活动。",
                f"The end time {end:%H:%M} has not come yet: only sessions that took place can be logged.",
                row,
            )
    if day is not None and minutes is not None:
        others = MentoringSession.objects.filter(studio=studio, date=day)
        if session is not None:
            others = others.exclude(pk=session.pk)
        taken = sum(others.values_list("minutes", flat=True))
        if taken + minutes > 24 * 60:
            _err(
                errors,
                "date",
                f"{day} 已登记 {rub.hours_of(taken)} 小时，加上本次 {rub.hours_of(minutes)} 小时超过一天 24 小时。",
                f"{day} already has {rub.hours_of(taken)} hours logged; with these {rub.hours_of(minutes)} it is more than 24 hours in a day.",
                row,
            )
    ids = []
    for raw in data.get("attendee_ids") or []:
        try:
            ids.append(int(raw))
        except (TypeError, ValueError):
            _err(errors, "attendees", f"学徒编号“{raw}”无效。", f"'{raw}' is not an apprentice id.", row)
    ids = list(dict.fromkeys(ids))
    attendees = []
    if not ids and not any(e.field == "attendees" for e in errors):
        _err(
            errors,
            "attendees",
            "请至少选择一名参加的学徒。",
            "Choose at least one apprentice who attended.",
            row,
        )
    elif ids:
        found = {
            a.pk: a for a in Apprentice.objects.filter(pk__in=ids, studio=studio).select_related("person")
        }
        for pk in ids:
            app = found.get(pk)
            if app is None:
                _err(
                    errors,
                    "attendees",
                    f"学徒 {pk} 不是本工作室的学徒。",
                    f"Apprentice {pk} is not an apprentice of this studio.",
                    row,
                )
            elif day is not None and not app.active_on(day):
                _err(
                    errors,
                    "attendees",
                    f"{app.person.name} 在 {day} 不在师带徒协议期内。",
                    f"{app.person.name} was not under a mentoring agreement with the studio on {day}.",
                    row,
                )
            else:
                attendees.append(app)
    _raise_all(errors, row=row)
    return {
        "date": day,
        "starts_at": start,
        "ends_at": end,
        "minutes": minutes,
        "hours": rub.hours_of(minutes),
        "kind": kind,
        "topic": topic,
        "location": location,
        "notes": notes,
        "attendees": attendees,
    }


def _require_loggable(studio: Studio) -> None:
    _require_not_closed(studio)
    if studio.status != Studio.Status.ESTABLISHED:
        raise Conflict(
            "工作室挂牌后才能登记带徒活动。",
            "Sessions are logged once the studio is established.",
            field="studio",
        )


@transaction.atomic
def session_log(
    *,
    by,
    studio_id: int,
    date,
    starts_at,
    ends_at,
    topic: str,
    attendee_ids: Iterable,
    kind: str = MentoringSession.Kind.TEACHING,
    location: str = "",
    notes: str = "",
    photos=(),
    row: int | None = None,
) -> MentoringSession:
    """Log a session (submitted, waiting for verification); ``.overlapping`` lists sessions it overlaps.

    The studio's row is locked, so two saves of the same day are checked against 24 hours one after the other.
    """
    studio = _studio_locked(by, studio_id)
    permissions.require_manage(by, studio)
    _require_loggable(studio)
    clean = _check_session(
        studio,
        {
            "date": date,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "kind": kind,
            "topic": topic,
            "location": location,
            "notes": notes,
            "attendee_ids": attendee_ids,
        },
        session=None,
        row=row,
    )
    checked = [read_upload(p, field="photos", row=row, stem="file", named=True) for p in photos or ()]
    attendees = clean.pop("attendees")
    session = MentoringSession(
        studio=studio, logged_by=by, editable_until=timezone.now() + dt.timedelta(days=edit_days()), **clean
    )
    save_as(session, by=by, reason="logged")
    for app in attendees:
        save_as(SessionAttendance(session=session, apprentice=app), by=by)
    for c in checked:
        _store(by, studio, StudioFile.Kind.SESSION_PHOTO, c, session=session)
    session.overlapping = _overlapping(session)
    return session


def _overlapping(session: MentoringSession) -> list[MentoringSession]:
    return list(
        MentoringSession.objects.filter(
            studio_id=session.studio_id,
            date=session.date,
            starts_at__lt=session.ends_at,
            ends_at__gt=session.starts_at,
        ).exclude(pk=session.pk)
    )


def _session_locked(by, session_id) -> tuple[Studio, MentoringSession]:
    """Lock order: the studio, then the session (as session_log)."""
    found = selectors.sessions_for(by).filter(pk=session_id).values_list("studio_id", flat=True).first()
    if found is None:
        raise _not_found("带徒活动", "Session", session_id, "session")
    studio = _studio_locked(by, found)
    return studio, MentoringSession.objects.select_for_update().get(pk=session_id)


def _require_editable(session: MentoringSession) -> None:
    if session.status == S.VERIFIED:
        raise Conflict(
            "该活动已核实并锁定，不能再修改（考核以此为据）。",
            "This session has been verified and is locked (the assessment relies on it).",
            field="session",
        )
    if timezone.now() > session.editable_until:
        until = timezone.localtime(session.editable_until)
        raise Conflict(
            f"该活动登记后可修改 {edit_days()} 天，已于 {until:%Y-%m-%d %H:%M} 锁定。",
            f"A session can be edited for {edit_days()} days after it is logged; this one locked on {until:%Y-%m-%d %H:%M}.",
            field="session",
        )


@transaction.atomic
def session_edit(
    *,
    by,
    session_id: int,
    date,
    starts_at,
    ends_at,
    topic: str,
    attendee_ids: Iterable,
    kind: str = MentoringSession.Kind.TEACHING,
    location: str = "",
    notes: str = "",
) -> MentoringSession:
    """Correct a session within its edit window (a returned one goes back for verification); in the history."""
    studio, session = _session_locked(by, session_id)
    permissions.require_manage(by, studio)
    _require_loggable(studio)
    _require_editable(session)
    clean = _check_session(
        studio,
        {
            "date": date,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "kind": kind,
            "topic": topic,
            "location": location,
            "notes": notes,
            "attendee_ids": attendee_ids,
        },
        session=session,
        row=None,
    )
    attendees = {a.pk: a for a in clean.pop("attendees")}
    for k, v in clean.items():
        setattr(session, k, v)
    if session.status == S.RETURNED:
        session.status = S.SUBMITTED
    save_as(session, by=by, reason="edited")
    for att in session.attendance.all():
        if att.apprentice_id not in attendees:
            att._history_user = by
            att.delete()
    kept = set(session.attendance.values_list("apprentice_id", flat=True))
    for pk, app in attendees.items():
        if pk not in kept:
            save_as(SessionAttendance(session=session, apprentice=app), by=by)
    session.overlapping = _overlapping(session)
    return session


@transaction.atomic
def session_delete(*, by, session_id: int) -> None:
    """Remove a session logged by mistake, within its edit window; its photos go once the delete commits."""
    studio, session = _session_locked(by, session_id)
    permissions.require_manage(by, studio)
    _require_editable(session)
    names = []
    for photo in session.photos.all():
        names.append((photo.file.storage, photo.file.name))
        photo._history_user = by
        photo.delete()
    for att in session.attendance.all():
        att._history_user = by
        att.delete()
    session._history_user = by
    session._change_reason = "deleted"
    session.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in names])


@transaction.atomic
def session_photo_add(*, by, session_id: int, uploaded_file) -> StudioFile:
    """A photo (or scanned sign-in sheet) of a session, within the session's edit window."""
    studio, session = _session_locked(by, session_id)
    permissions.require_manage(by, studio)
    _require_editable(session)
    checked = read_upload(uploaded_file, field="photos", stem="file", named=True)
    return _store(by, studio, StudioFile.Kind.SESSION_PHOTO, checked, session=session)


@transaction.atomic
def sessions_verify(*, by, session_ids: Iterable[int]) -> list[MentoringSession]:
    """Accept sessions' hours (the contact or the office): all the given ones, or none. Replays change nothing."""
    ids = sorted({int(i) for i in session_ids})
    if not ids:
        raise ValidationFailed("请选择要核实的活动。", "Choose the sessions to verify.", field="sessions")
    visible = dict(selectors.sessions_for(by).filter(pk__in=ids).values_list("pk", "studio_id"))
    missing = [i for i in ids if i not in visible]
    if missing:
        raise _not_found("带徒活动", "Session", missing[0], "sessions")
    studios = {
        s.pk: s
        for s in Studio.objects.select_for_update(of=("self",))
        .filter(pk__in=set(visible.values()))
        .order_by("pk")
    }
    done = []
    for session in MentoringSession.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
        studio = studios[session.studio_id]
        if not permissions.may_verify(by, studio):
            raise NotPermitted(
                "只有共建院校联系人或人才办可以核实学时。",
                "Only the institution's contact or the talent office may verify hours.",
                field="sessions",
            )
        if session.status == S.VERIFIED:
            done.append(session)
            continue
        if session.logged_by_id == by.pk:
            raise NotPermitted(
                "不能核实自己登记的活动。",
                "You cannot verify a session you logged yourself.",
                field="sessions",
            )
        if not session.can_become(S.VERIFIED):
            raise Conflict(
                f"{session.date} 的活动已退回，领办人修改后才能核实。",
                f"The session of {session.date} was returned; it can be verified once the host has corrected it.",
                field="sessions",
            )
        session.status, session.verified_by, session.verified_at = S.VERIFIED, by, timezone.now()
        done.append(save_as(session, by=by, reason="verified"))
    return done


@transaction.atomic
def session_return(*, by, session_id: int, reason: str) -> MentoringSession:
    """Send a session back to the host with the reason; the host has a new edit window to correct it."""
    studio, session = _session_locked(by, session_id)
    if not permissions.may_verify(by, studio):
        raise NotPermitted(
            "只有共建院校联系人或人才办可以退回学时。",
            "Only the institution's contact or the talent office may return hours.",
            field="session",
        )
    errors: list = []
    reason = _text(
        reason, field="reason", zh="退回原因", en="reason", limit=500, errors=errors, required=True
    )
    _raise_all(errors)
    if session.status == S.RETURNED and session.return_reason == reason:
        return session
    if not session.can_become(S.RETURNED):
        raise TransitionNotAllowed(session, S.RETURNED)
    session.status, session.return_reason = S.RETURNED, reason
    session.editable_until = max(session.editable_until, timezone.now() + dt.timedelta(days=edit_days()))
    return save_as(session, by=by, reason=f"returned: {reason}")


# --- rubric and assessment -------------------------------------------------------------------------------------


@transaction.atomic
def rubric_save(
    *,
    by,
    round_id: int,
    items: list,
    pass_line,
    excellent_line,
    excellent_cap=None,
    rectification_months: int = 3,
) -> StudioRubric:
    """Set a round's rubric; refused once a result of the round has been recorded (it would change its meaning)."""
    require_role(by, Role.TALENT_OFFICE)
    round_ = Round.objects.select_for_update().filter(pk=round_id).first()
    if round_ is None:
        raise _not_found("评选批次", "Round", round_id, "round")
    if Assessment.objects.filter(studio__honouree__round=round_).exclude(status=A.OPEN).exists():
        raise Conflict(
            "本批次已有考核结果，评分细则不能再改。",
            "Results of this round have been recorded; the rubric cannot change.",
            field="items",
        )
    try:
        pass_line, excellent_line = Decimal(str(pass_line)), Decimal(str(excellent_line))
        excellent_cap = None if excellent_cap in (None, "") else Decimal(str(excellent_cap))
    except InvalidOperation:
        raise ValidationFailed(
            "合格线、优秀线和优秀比例须为数字。", "The lines and the cap are numbers.", field="pass_line"
        ) from None
    parsed = rub.parse_items(items)
    rub.check_lines(parsed, pass_line=pass_line, excellent_line=excellent_line, excellent_cap=excellent_cap)
    if not isinstance(rectification_months, int) or not 0 < rectification_months <= 24:
        raise ValidationFailed(
            "整改期应为 1–24 个月。", "The rectification period is 1–24 months.", field="rectification_months"
        )
    obj = StudioRubric.objects.filter(round=round_).first() or StudioRubric(round=round_)
    obj.items, obj.pass_line, obj.excellent_line = items, pass_line, excellent_line
    obj.excellent_cap, obj.rectification_months = excellent_cap, rectification_months
    return save_as(obj, by=by, reason="rubric saved")


def _assessment_locked(by, assessment_id) -> tuple[StudioRubric, Assessment]:
    """Lock order: the round's rubric (so 优秀 under a cap is handed out one at a time), then the assessment."""
    found = (
        selectors.assessments_for(by)
        .filter(pk=assessment_id)
        .values_list("studio__honouree__round_id", flat=True)
        .first()
    )
    if found is None:
        raise _not_found("考核", "Assessment", assessment_id, "assessment")
    rubric = StudioRubric.objects.select_for_update().filter(round_id=found).first()
    if rubric is None:
        raise Conflict(
            "本批次还没有评分细则，请人才办先设置。",
            "The round has no assessment rubric yet; the talent office sets it first.",
            field="rubric",
        )
    return rubric, Assessment.objects.select_for_update(of=("self",)).select_related("studio__honouree").get(
        pk=assessment_id
    )


@transaction.atomic
def assessment_open(*, by, studio_id: int, period: int) -> Assessment:
    """Open a period's assessment (once per studio and period; asking again returns it)."""
    require_role(by, Role.TALENT_OFFICE)
    studio = _studio_locked(by, studio_id)
    existing = Assessment.objects.filter(studio=studio, period=period).first()
    if existing is not None:
        return existing
    if studio.status != Studio.Status.ESTABLISHED:
        raise Conflict(
            "工作室挂牌后才能考核。", "A studio is assessed once it is established.", field="studio"
        )
    if not isinstance(period, int) or period < 1:
        raise ValidationFailed(
            "考核期应为正整数（1 = 挂牌后第一年）。",
            "The period is a whole number from 1 (the first year).",
            field="period",
        )
    if not StudioRubric.objects.filter(round_id=studio.honouree.round_id).exists():
        raise Conflict(
            "本批次还没有评分细则，请先设置。",
            "The round has no assessment rubric yet; set it first.",
            field="rubric",
        )
    start, end = selectors.period_bounds(studio.plaque_date, period)
    if start > timezone.localdate():
        raise ValidationFailed(
            f"第 {period} 个考核期从 {start} 开始，还没到。",
            f"Period {period} starts on {start}; it has not begun.",
            field="period",
        )
    return save_as(
        Assessment(studio=studio, period=period, starts_on=start, ends_on=end, opened_by=by),
        by=by,
        reason="opened",
    )


def _points(value, item: rub.Item, errors: list) -> Decimal | None:
    try:
        points = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        points = None
    if isinstance(value, bool | float) or points is None or not points.is_finite():
        _err(
            errors,
            item.code,
            f"“{item.zh}”的得分“{value}”不是数字。",
            f"'{item.en}': '{value}' is not a number.",
        )
        return None
    if not 0 <= points <= item.max or points != points.quantize(Decimal("0.01")):
        _err(
            errors,
            item.code,
            f"“{item.zh}”的得分应在 0–{item.max} 之间，最多两位小数，收到 {value}。",
            f"'{item.en}' takes 0–{item.max} points with at most two decimals, not {value}.",
        )
        return None
    return points


@transaction.atomic
def assessment_score(*, by, assessment_id: int, scores: dict, comment: str = "") -> AssessorSheet:
    """An assessor's points for every assessor item of the current attempt (replacing their earlier sheet)."""
    rubric, assessment = _assessment_locked(by, assessment_id)
    if not permissions.may_assess(by, assessment.studio):
        raise NotPermitted(
            "只有本工作室的考核专家或人才办可以打分。",
            "Only the studio's assessors or the talent office may score.",
        )
    if assessment.status not in Assessment.SCORING:
        raise Conflict(
            "考核结果已记录，不能再打分。",
            "The result has been recorded; scoring is closed.",
            field="assessment",
        )
    items = [i for i in rubric.parsed_items() if not i.computed]
    scores = dict(scores or {})
    errors: list = []
    unknown = sorted(set(scores) - {i.code for i in items})
    for code in unknown:
        _err(errors, code, f"“{code}”不是评审打分项。", f"'{code}' is not an item the assessors score.")
    clean = {}
    for item in items:
        if item.code not in scores or scores[item.code] in (None, ""):
            _err(
                errors,
                item.code,
                f"请为“{item.zh}”打分（0–{item.max}）。",
                f"Score '{item.en}' (0–{item.max}).",
            )
            continue
        points = _points(scores[item.code], item, errors)
        if points is not None:
            clean[item.code] = str(points)
    comment = _text(
        comment, field="comment", zh="评语", en="comment", limit=NOTES_MAX, errors=errors, lines=True
    )
    _raise_all(errors)
    sheet = AssessorSheet.objects.filter(
        assessment=assessment, attempt=assessment.attempt, assessor=by
    ).first()
    sheet = sheet or AssessorSheet(assessment=assessment, attempt=assessment.attempt, assessor=by)
    sheet.scores, sheet.comment = clean, comment
    return save_as(sheet, by=by, reason=f"scored attempt {assessment.attempt}")


@transaction.atomic
def assessment_record(*, by, assessment_id: int, on: dt.date | None = None) -> Assessment:
    """Score the period from the logs and the assessors' sheets, grade it and tell funding.

    First assessment: from the day after the period ends. 合格 or 优秀 is final; 不合格 waits for the office
    to give a rectification period or make it final. Re-assessment (during rectification): 合格 or a final
    不合格; it cannot be 优秀.
    """
    require_role(by, Role.TALENT_OFFICE)
    rubric, a = _assessment_locked(by, assessment_id)
    on = on or timezone.localdate()
    if a.status not in Assessment.SCORING:
        raise TransitionNotAllowed(a, A.PASSED)
    if on > timezone.localdate():
        raise ValidationFailed(
            f"考核日期 {on} 在今天之后。", f"The assessment date {on} is in the future.", field="on"
        )
    if a.attempt == 1 and on <= a.ends_on:
        raise Conflict(
            f"第 {a.period} 个考核期到 {a.ends_on} 结束，之后才能记录考核结果。",
            f"Period {a.period} runs until {a.ends_on}; record the result after that.",
            field="on",
        )
    items = rubric.parsed_items()
    sheets = list(a.sheets.filter(attempt=a.attempt))
    if any(not i.computed for i in items) and not sheets:
        raise Conflict("还没有考核专家打分。", "No assessor has scored yet.", field="scores")
    window_end = a.ends_on if a.attempt == 1 else min(a.rectification_until, on)
    measures = selectors.measure({a.studio_id: (a.starts_on, window_end)})[a.studio_id]["verified"]
    share, _paused = selectors.active_share(list(a.studio.pauses.all()), a.starts_on, a.ends_on)
    sheet = rub.score(items, measures, share, rub.assessor_average(sheets))
    total = sheet.total
    excellent_allowed, note = a.attempt == 1, ""
    if a.attempt == 1 and total >= rubric.excellent_line:
        round_id = rubric.round_id
        limit = rub.excellent_limit(
            rubric.excellent_cap,
            Studio.objects.filter(honouree__round_id=round_id, status=Studio.Status.ESTABLISHED).count(),
        )
        taken = (
            Assessment.objects.filter(
                studio__honouree__round_id=round_id, period=a.period, grade=Assessment.Grade.EXCELLENT
            )
            .exclude(pk=a.pk)
            .count()
        )
        if limit is not None and taken >= limit:
            excellent_allowed = False
            note = (
                f"得分达到优秀线，但本批次优秀名额（{rubric.excellent_cap:.0%}，{limit} 名）已满，评为合格。 / "
                f"Scored at the excellent line, but the round's {limit} 优秀 place(s) are taken: graded 合格."
            )
    elif a.attempt == 2 and total >= rubric.excellent_line:
        note = "整改后复核最高评为合格。 / A re-assessment after rectification is graded 合格 at most."
    grade = rub.grade_for(
        total,
        pass_line=rubric.pass_line,
        excellent_line=rubric.excellent_line,
        excellent_allowed=excellent_allowed,
    )
    passed = grade != rub.FAIL
    to = A.PASSED if passed else (A.FAILED if a.attempt == 1 else A.FAILED_FINAL)
    if not a.can_become(to):
        raise TransitionNotAllowed(a, to)
    a.items, a.total, a.grade, a.grade_note = [x.as_dict() for x in sheet.results], total, grade, note
    if a.attempt == 1:
        a.first_total, a.first_items = total, a.items
    a.recorded_on, a.recorded_by, a.status = on, by, to
    save_as(a, by=by, reason=f"recorded attempt {a.attempt}: {total} {grade}")
    _tell_funding(a, by=by)
    return a


def _tell_funding(a: Assessment, *, by) -> None:
    assessment_recorded.send(
        sender=Assessment,
        assessment=a,
        studio=a.studio,
        honouree=a.studio.honouree,
        period=a.period,
        status=a.status,
        grade=a.grade,
        total=a.total,
        passed=a.status == A.PASSED,
        final=a.status in Assessment.FINAL,
        by=by,
    )


@transaction.atomic
def assessment_open_rectification(
    *, by, assessment_id: int, note: str, until: dt.date | None = None
) -> Assessment:
    """Give a failed studio a rectification period (东莞: 3 months) before a re-assessment."""
    require_role(by, Role.TALENT_OFFICE)
    rubric, a = _assessment_locked(by, assessment_id)
    if not a.can_become(A.RECTIFYING):
        raise TransitionNotAllowed(a, A.RECTIFYING)
    errors: list = []
    note = _text(
        note,
        field="note",
        zh="整改要求",
        en="what to rectify",
        limit=NOTES_MAX,
        errors=errors,
        required=True,
        lines=True,
    )
    until = until or (a.recorded_on + relativedelta(months=rubric.rectification_months))
    if not isinstance(until, dt.date) or until <= a.recorded_on:
        _err(
            errors,
            "until",
            f"整改期限须晚于考核日期 {a.recorded_on}。",
            f"The deadline must be after the assessment on {a.recorded_on}.",
        )
    _raise_all(errors)
    a.status, a.attempt, a.rectification_until, a.rectification_note = A.RECTIFYING, 2, until, note
    return save_as(a, by=by, reason=f"rectification until {until}")


@transaction.atomic
def assessment_make_final(*, by, assessment_id: int, reason: str) -> Assessment:
    """Make a fail final (no rectification granted, or none that helped): funding forfeits what hung on it."""
    require_role(by, Role.TALENT_OFFICE)
    _rubric, a = _assessment_locked(by, assessment_id)
    if not a.can_become(A.FAILED_FINAL):
        raise TransitionNotAllowed(a, A.FAILED_FINAL)
    errors: list = []
    reason = _text(reason, field="reason", zh="原因", en="reason", limit=500, errors=errors, required=True)
    _raise_all(errors)
    a.status, a.grade, a.final_reason = A.FAILED_FINAL, Assessment.Grade.FAIL, reason
    save_as(a, by=by, reason=f"fail made final: {reason}")
    _tell_funding(a, by=by)
    return a
