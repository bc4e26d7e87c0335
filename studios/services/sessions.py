"""Mentoring sessions: logged by the host, edited within the edit window, verified or returned.

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
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from backend.errors import Conflict, NotPermitted, TransitionNotAllowed, ValidationFailed
from backend.history import save_as
from backend.uploads import read_upload
from studios import permissions, selectors
from studios import rubric as rub
from studios.models import Apprentice, MentoringSession, SessionAttendance, Studio, StudioFile
from studios.services import checks, evidence
from studios.services.checks import DateInput

S = MentoringSession.Status
DEFAULT_EDIT_DAYS = 7
FUTURE_GRACE = dt.timedelta(minutes=15)

# What a time field may hold: a time (or a datetime, its time is taken), text such as 09:30 or 9：30, or nothing.
TimeInput = dt.time | dt.datetime | str | None


def edit_days() -> int:
    return int(getattr(settings, "STUDIO_SESSION_EDIT_DAYS", DEFAULT_EDIT_DAYS))


def _time_or_none(value, *, field: str, zh: str, en: str, errors: list, row) -> dt.time | None:
    if value in (None, ""):
        checks.err(errors, field, f"请填写{zh}。", f"The {en} is required.", row)
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
        checks.err(
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
    day = checks.date_or_none(data.get("date"), field="date", zh="日期", en="date", errors=errors, row=row)
    start = _time_or_none(
        data.get("starts_at"), field="starts_at", zh="开始时间", en="start time", errors=errors, row=row
    )
    end = _time_or_none(
        data.get("ends_at"), field="ends_at", zh="结束时间", en="end time", errors=errors, row=row
    )
    kind = data.get("kind") or MentoringSession.Kind.TEACHING
    if kind not in MentoringSession.Kind.values:
        labels = "、".join(str(x) for x in MentoringSession.Kind.labels)
        checks.err(
            errors,
            "kind",
            f"活动类型“{kind}”无效（可选：{labels}）。",
            f"'{kind}' is not a kind of session ({', '.join(MentoringSession.Kind.values)}).",
            row,
        )
    topic = checks.text(
        data.get("topic"),
        field="topic",
        zh="活动内容",
        en="topic",
        limit=200,
        errors=errors,
        row=row,
        required=True,
    )
    location = checks.text(
        data.get("location"), field="location", zh="地点", en="location", limit=200, errors=errors, row=row
    )
    notes = checks.text(
        data.get("notes"),
        field="notes",
        zh="备注",
        en="notes",
        limit=checks.NOTES_MAX,
        errors=errors,
        row=row,
        lines=True,
    )
    if day is not None:
        if day > today:
            checks.err(
                errors,
                "date",
                f"日期 {day} 在今天之后：只能登记已经开展的活动。",
                f"The date {day} is in the future: only sessions that took place can be logged.",
                row,
            )
        elif studio.plaque_date is None or day < studio.plaque_date:
            checks.err(
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
            checks.err(
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
            checks.err(
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
            checks.err(
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
            checks.err(
                errors, "attendees", f"学徒编号“{raw}”无效。", f"'{raw}' is not an apprentice id.", row
            )
    ids = list(dict.fromkeys(ids))
    attendees = []
    if not ids and not any(e.field == "attendees" for e in errors):
        checks.err(
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
                checks.err(
                    errors,
                    "attendees",
                    f"学徒 {pk} 不是本工作室的学徒。",
                    f"Apprentice {pk} is not an apprentice of this studio.",
                    row,
                )
            elif day is not None and not app.active_on(day):
                checks.err(
                    errors,
                    "attendees",
                    f"{app.person.name} 在 {day} 不在师带徒协议期内。",
                    f"{app.person.name} was not under a mentoring agreement with the studio on {day}.",
                    row,
                )
            else:
                attendees.append(app)
    checks.raise_all(errors, row=row)
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
    checks.require_not_closed(studio)
    if studio.status != Studio.Status.ESTABLISHED:
        raise Conflict(
            "工作室挂牌后才能登记带徒活动。",
            "Sessions are logged once the studio is established.",
            field="studio",
        )


@transaction.atomic
def session_log(
    *,
    by: User,
    studio_id: int,
    date: DateInput,
    starts_at: TimeInput,
    ends_at: TimeInput,
    topic: str,
    attendee_ids: Iterable[int | str],
    kind: str = MentoringSession.Kind.TEACHING,
    location: str = "",
    notes: str = "",
    photos: Iterable[UploadedFile] = (),
    row: int | None = None,
) -> MentoringSession:
    """Log a session (submitted, waiting for verification); ``.overlapping`` lists sessions it overlaps.

    The studio's row is locked, so two saves of the same day are checked against 24 hours one after the other.
    """
    studio = checks.studio_locked(by, studio_id)
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
        evidence.store(by, studio, StudioFile.Kind.SESSION_PHOTO, c, session=session)
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
        raise checks.not_found("带徒活动", "Session", session_id, "session")
    studio = checks.studio_locked(by, found)
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
    by: User,
    session_id: int,
    date: DateInput,
    starts_at: TimeInput,
    ends_at: TimeInput,
    topic: str,
    attendee_ids: Iterable[int | str],
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
def session_delete(*, by: User, session_id: int) -> None:
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
def session_photo_add(*, by: User, session_id: int, uploaded_file: UploadedFile | None) -> StudioFile:
    """A photo (or scanned sign-in sheet) of a session, within the session's edit window."""
    studio, session = _session_locked(by, session_id)
    permissions.require_manage(by, studio)
    _require_editable(session)
    checked = read_upload(uploaded_file, field="photos", stem="file", named=True)
    return evidence.store(by, studio, StudioFile.Kind.SESSION_PHOTO, checked, session=session)


@transaction.atomic
def sessions_verify(*, by: User, session_ids: Iterable[int]) -> list[MentoringSession]:
    """Accept sessions' hours (the contact or the office): all the given ones, or none. Replays change nothing."""
    ids = sorted({int(i) for i in session_ids})
    if not ids:
        raise ValidationFailed("请选择要核实的活动。", "Choose the sessions to verify.", field="sessions")
    visible = dict(selectors.sessions_for(by).filter(pk__in=ids).values_list("pk", "studio_id"))
    missing = [i for i in ids if i not in visible]
    if missing:
        raise checks.not_found("带徒活动", "Session", missing[0], "sessions")
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
def session_return(*, by: User, session_id: int, reason: str) -> MentoringSession:
    """Send a session back to the host with the reason; the host has a new edit window to correct it."""
    studio, session = _session_locked(by, session_id)
    if not permissions.may_verify(by, studio):
        raise NotPermitted(
            "只有共建院校联系人或人才办可以退回学时。",
            "Only the institution's contact or the talent office may return hours.",
            field="session",
        )
    errors: list = []
    reason = checks.text(
        reason, field="reason", zh="退回原因", en="reason", limit=500, errors=errors, required=True
    )
    checks.raise_all(errors)
    if session.status == S.RETURNED and session.return_reason == reason:
        return session
    if not session.can_become(S.RETURNED):
        raise TransitionNotAllowed(session, S.RETURNED)
    session.status, session.return_reason = S.RETURNED, reason
    session.editable_until = max(session.editable_until, timezone.now() + dt.timedelta(days=edit_days()))
    return save_as(session, by=by, reason=f"returned: {reason}")
