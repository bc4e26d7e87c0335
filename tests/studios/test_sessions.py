"""Logging, editing, verifying and returning mentoring sessions: each bad input refused naming its field, with
nothing saved; the edit window and the verification lock; overlaps flagged; every edit in the history."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from backend.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from studios.models import MentoringSession, SessionAttendance, StudioFile
from studios.services.sessions import (
    session_delete,
    session_edit,
    session_log,
    session_photo_add,
    session_return,
    sessions_verify,
)
from studios.services.studios import studio_close, studio_create

from .conftest import PLAQUE, add_apprentice, log, png_upload

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 3, 4)


def nothing_saved():
    return (
        MentoringSession.objects.count() == 0
        and SessionAttendance.objects.count() == 0
        and not StudioFile.objects.filter(kind="session_photo").exists()
    )


def refused(fn, field, *, kind=ValidationFailed, **kwargs):
    with pytest.raises(kind) as e:
        fn(**kwargs)
    assert e.value.field == field, (e.value.field, e.value.zh)
    assert e.value.zh and e.value.en
    return e.value


def test_a_session_is_logged_with_its_hours_derived_and_waits_for_verification(
    studio_a, host_a, apprentices_a
):
    s = log(studio_a, host_a, DAY, apprentices_a, start=dt.time(9, 0), end=dt.time(10, 20))
    assert (s.minutes, s.hours, s.status) == (80, Decimal("1.33"), "submitted")
    assert set(s.attendees.all()) == set(apprentices_a)
    assert s.editable_until > timezone.now() + dt.timedelta(days=6)
    assert s.history.first().history_user == host_a


def test_a_session_in_the_future_is_refused(studio_a, host_a, apprentices_a):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    e = refused(log, "date", studio=studio_a, by=host_a, day=tomorrow, apprentices=apprentices_a)
    assert "今天之后" in e.zh and "future" in e.en
    assert nothing_saved()


def test_a_session_ending_before_it_starts_is_refused(studio_a, host_a, apprentices_a):
    e = refused(
        log,
        "ends_at",
        studio=studio_a,
        by=host_a,
        day=DAY,
        apprentices=apprentices_a,
        start=dt.time(15),
        end=dt.time(14),
    )
    assert "15:00" in e.zh and "14:00" in e.en
    assert nothing_saved()


def test_a_session_before_the_plaque_date_is_refused(studio_a, host_a):
    early = add_apprentice(studio_a, host_a, "钱程", start=PLAQUE - dt.timedelta(days=30))
    e = refused(
        log, "date", studio=studio_a, by=host_a, day=PLAQUE - dt.timedelta(days=1), apprentices=[early]
    )
    assert str(PLAQUE) in e.zh
    assert nothing_saved()


def test_attendees_from_another_studio_are_refused(studio_a, studio_b, host_a, host_b, apprentices_a):
    stranger = add_apprentice(studio_b, host_b, "赵强")
    e = refused(
        log, "attendees", studio=studio_a, by=host_a, day=DAY, apprentices=[apprentices_a[0], stranger]
    )
    assert str(stranger.pk) in e.zh and "not an apprentice of this studio" in e.en
    assert MentoringSession.objects.count() == 0


def test_an_apprentice_outside_their_agreement_is_refused(studio_a, host_a):
    later = add_apprentice(studio_a, host_a, "孙丽", start=dt.date(2025, 6, 1))
    e = refused(log, "attendees", studio=studio_a, by=host_a, day=DAY, apprentices=[later])
    assert "孙丽" in e.zh and "agreement" in e.en
    assert nothing_saved()


def test_a_session_without_attendees_or_topic_is_refused_listing_both(studio_a, host_a):
    with pytest.raises(ValidationFailed) as e:
        session_log(
            by=host_a,
            studio_id=studio_a.pk,
            date=DAY,
            starts_at=dt.time(9),
            ends_at=dt.time(11),
            topic="  ",
            attendee_ids=[],
        )
    assert {x.field for x in e.value.errors} == {"topic", "attendees"}
    assert nothing_saved()


def test_more_than_24_hours_in_a_day_is_refused(studio_a, host_a, apprentices_a):
    log(studio_a, host_a, DAY, apprentices_a, start=dt.time(0, 0), end=dt.time(23, 0))
    log(
        studio_a, host_a, DAY, apprentices_a, start=dt.time(8, 0), end=dt.time(8, 59)
    )  # 23 h 59 min: allowed, flagged
    e = refused(
        log,
        "date",
        studio=studio_a,
        by=host_a,
        day=DAY,
        apprentices=apprentices_a,
        start=dt.time(9),
        end=dt.time(9, 2),
    )
    assert "24" in e.zh and "24 hours" in e.en
    assert MentoringSession.objects.count() == 2


def test_overlapping_sessions_are_saved_but_flagged(studio_a, host_a, apprentices_a):
    first = log(studio_a, host_a, DAY, apprentices_a, start=dt.time(9), end=dt.time(11))
    second = log(studio_a, host_a, DAY, apprentices_a, start=dt.time(10), end=dt.time(12))
    third = log(
        studio_a, host_a, DAY, apprentices_a, start=dt.time(11), end=dt.time(12, 30)
    )  # touches the first only
    assert second.overlapping and second.overlapping[0].pk == first.pk
    from studios.selectors import with_overlaps

    flags = dict(with_overlaps(MentoringSession.objects.all()).values_list("pk", "overlaps"))
    assert flags == {first.pk: True, second.pk: True, third.pk: True}
    assert log(studio_a, host_a, DAY, apprentices_a, start=dt.time(13), end=dt.time(14)).overlapping == []


def test_a_photo_that_is_not_an_image_or_pdf_is_refused_and_nothing_is_saved(
    studio_a, host_a, apprentices_a, media
):
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 this is a program", content_type="image/jpeg")
    files_before = sorted(media.rglob("*.*"))
    e = refused(
        log,
        "photos",
        studio=studio_a,
        by=host_a,
        day=DAY,
        apprentices=apprentices_a,
        photos=[png_upload(), fake],
    )
    assert "PDF" in e.zh and "JPEG" in e.en
    assert nothing_saved()
    assert sorted(media.rglob("*.*")) == files_before, "no file is left on disk"


def test_photos_are_stored_with_the_session(studio_a, host_a, apprentices_a):
    s = log(studio_a, host_a, DAY, apprentices_a, photos=[png_upload("现场.png")])
    photo = s.photos.get()
    assert (photo.kind, photo.content_type, photo.original_name) == ("session_photo", "image/png", "现场.png")


def test_a_planned_or_closed_studio_takes_no_sessions(
    baling, rubric, office, host_b, studio_a, host_a, apprentices_a
):
    from .conftest import honouree

    planned = studio_create(
        by=office,
        honouree_id=honouree(baling, office, "吴秀兰").pk,
        host_id=host_b.pk,
        name="筹建中的工作室",
        institution_name="岳阳理工学院",
        institution_kind="university_internship_base",
    )
    e = refused(
        session_log,
        "studio",
        kind=Conflict,
        by=host_b,
        studio_id=planned.pk,
        date=DAY,
        starts_at=dt.time(9),
        ends_at=dt.time(10),
        topic="x",
        attendee_ids=[],
    )
    assert "挂牌" in e.zh
    studio_close(by=office, studio_id=studio_a.pk, closed_on=DAY, reason="领办人调离")
    refused(log, "studio", kind=Conflict, studio=studio_a, by=host_a, day=DAY, apprentices=apprentices_a)
    assert nothing_saved()


# --- editing and the lock ------------------------------------------------------------------------------------


def edit(session, by, **changes):
    data = {
        "date": session.date,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "topic": session.topic,
        "attendee_ids": list(session.attendance.values_list("apprentice_id", flat=True)),
        "kind": session.kind,
        "location": session.location,
        "notes": session.notes,
    }
    data.update(changes)
    return session_edit(by=by, session_id=session.pk, **data)


def test_an_edit_within_the_window_is_saved_and_recorded_in_the_history(studio_a, host_a, apprentices_a):
    s = log(studio_a, host_a, DAY, apprentices_a)
    edit(s, host_a, topic="压缩机检修", ends_at=dt.time(17), attendee_ids=[apprentices_a[0].pk])
    s.refresh_from_db()
    assert (s.topic, s.hours) == ("压缩机检修", Decimal("3.00"))
    assert list(s.attendance.values_list("apprentice_id", flat=True)) == [apprentices_a[0].pk]
    reasons = list(s.history.values_list("history_change_reason", flat=True))
    assert reasons[:2] == ["edited", "logged"]
    removed = SessionAttendance.history.filter(history_type="-").values_list("apprentice_id", flat=True)
    assert set(removed) == {apprentices_a[1].pk, apprentices_a[2].pk}


def test_an_edit_after_the_window_is_refused_and_changes_nothing(studio_a, host_a, apprentices_a):
    s = log(studio_a, host_a, DAY, apprentices_a)
    MentoringSession.objects.filter(pk=s.pk).update(editable_until=timezone.now() - dt.timedelta(seconds=1))
    e = refused(edit, "session", kind=Conflict, session=s, by=host_a, topic="改过")
    assert "7 天" in e.zh and "7 days" in e.en
    refused(session_delete, "session", kind=Conflict, by=host_a, session_id=s.pk)
    s.refresh_from_db()
    assert s.topic == "钳工实操"


def test_the_edit_window_is_a_setting(studio_a, host_a, apprentices_a, settings):
    settings.STUDIO_SESSION_EDIT_DAYS = 2
    s = log(studio_a, host_a, DAY, apprentices_a)
    assert (
        timezone.now() + dt.timedelta(days=1)
        < s.editable_until
        < timezone.now() + dt.timedelta(days=2, seconds=5)
    )


def test_a_verified_session_is_locked(studio_a, host_a, contact, apprentices_a):
    s = log(studio_a, host_a, DAY, apprentices_a)
    sessions_verify(by=contact, session_ids=[s.pk])
    e = refused(edit, "session", kind=Conflict, session=s, by=host_a, topic="改过")
    assert "已核实" in e.zh and "verified" in e.en
    refused(session_delete, "session", kind=Conflict, by=host_a, session_id=s.pk)
    refused(
        session_photo_add,
        "session",
        kind=Conflict,
        by=host_a,
        session_id=s.pk,
        uploaded_file=png_upload(),
    )


# --- verification ----------------------------------------------------------------------------------------------


def test_the_contact_verifies_and_a_replay_changes_nothing(studio_a, host_a, contact, apprentices_a):
    a = log(studio_a, host_a, DAY, apprentices_a)
    b = log(studio_a, host_a, DAY + dt.timedelta(days=7), apprentices_a)
    done = sessions_verify(by=contact, session_ids=[a.pk, b.pk])
    assert {x.status for x in done} == {"verified"}
    first = MentoringSession.objects.get(pk=a.pk).verified_at
    sessions_verify(by=contact, session_ids=[a.pk])
    assert MentoringSession.objects.get(pk=a.pk).verified_at == first
    assert MentoringSession.objects.get(pk=a.pk).verified_by == contact


def test_a_host_cannot_verify_and_nobody_verifies_what_they_logged(studio_a, host_a, office, apprentices_a):
    s = log(studio_a, host_a, DAY, apprentices_a)
    refused(sessions_verify, "sessions", kind=NotPermitted, by=host_a, session_ids=[s.pk])
    by_office = log(studio_a, office, DAY + dt.timedelta(days=1), apprentices_a)
    e = refused(sessions_verify, "sessions", kind=NotPermitted, by=office, session_ids=[by_office.pk])
    assert "自己" in e.zh
    assert MentoringSession.objects.filter(status="verified").count() == 0


def test_verifying_a_batch_is_all_or_nothing(studio_a, host_a, contact, apprentices_a):
    ok = log(studio_a, host_a, DAY, apprentices_a)
    returned = log(studio_a, host_a, DAY + dt.timedelta(days=1), apprentices_a)
    session_return(by=contact, session_id=returned.pk, reason="照片与签到表不符")
    refused(sessions_verify, "sessions", kind=Conflict, by=contact, session_ids=[ok.pk, returned.pk])
    assert MentoringSession.objects.get(pk=ok.pk).status == "submitted"


def test_a_returned_session_reopens_for_editing_and_goes_back_for_verification(
    studio_a, host_a, contact, apprentices_a
):
    s = log(studio_a, host_a, DAY, apprentices_a)
    MentoringSession.objects.filter(pk=s.pk).update(editable_until=timezone.now() - dt.timedelta(days=1))
    refused(session_return, "reason", by=contact, session_id=s.pk, reason=" ")
    session_return(by=contact, session_id=s.pk, reason="学时偏多，请按签到表更正")
    s.refresh_from_db()
    assert s.status == "returned" and s.editable_until > timezone.now()
    edit(s, host_a, ends_at=dt.time(16))
    s.refresh_from_db()
    assert (s.status, s.hours) == ("submitted", Decimal("2.00"))
    sessions_verify(by=contact, session_ids=[s.pk])


def test_an_unknown_session_is_not_found(host_a, contact):
    refused(sessions_verify, "sessions", kind=NotFound, by=contact, session_ids=[999999])
