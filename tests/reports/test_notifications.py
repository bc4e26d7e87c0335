"""Notifications are sent once per user and key — in the app and by email — also when two senders race;
the daily reminders find what falls due and say it once."""

import datetime as dt
import importlib
import threading

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.db import connection
from django_q.models import Schedule

from backend.roles import Role
from honourees.models import Round
from reports import reminders, services, tasks
from reports.models import Notification
from tests.honourees.registry_steps import baotou_treatment_items, past_round, register

from .conftest import logged_in

schedule_migration = importlib.import_module("reports.migrations.0002_daily_reminder_schedule")


@pytest.mark.django_db
def test_a_notification_is_created_and_emailed_once_per_key(office, django_capture_on_commit_callbacks):
    office.email = "alice@example.cn"
    office.save()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.notify(user=office, key="k1", title="标题", body="正文", link="/reports/")
    with django_capture_on_commit_callbacks(execute=True):
        again = services.notify(user=office, key="k1", title="标题", body="正文")
    assert first is not None and again is None
    assert Notification.objects.filter(user=office, key="k1").count() == 1
    assert (
        len(mail.outbox) == 1
        and mail.outbox[0].to == ["alice@example.cn"]
        and "/reports/" in mail.outbox[0].body
    )
    first.refresh_from_db()
    assert first.emailed_at is not None


@pytest.mark.django_db
def test_a_rolled_back_notification_sends_no_email(office, django_capture_on_commit_callbacks):
    from django.db import transaction

    office.email = "alice@example.cn"
    office.save()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                services.notify(user=office, key="k2", title="t")
                raise RuntimeError("the caller failed")
        except RuntimeError:
            pass
    assert not Notification.objects.exists() and mail.outbox == []


@pytest.mark.django_db
def test_the_notifications_page_lists_and_marks_read(office):
    services.notify(user=office, key="k3", title="评估提醒", body="第一行")
    client = logged_in(office)
    page = client.get("/notifications/").content.decode()
    assert "评估提醒" in page and "第一行" in page
    client.post("/notifications/read/", {})
    assert Notification.objects.get().read_at is not None
    r = client.get("/api/v1/notifications/")
    assert r.json()["results"][0]["title"] == "评估提醒"


@pytest.mark.django_db
def test_the_migration_creates_the_daily_reminder_schedule_and_its_reverse_removes_it():
    Schedule.objects.filter(name=schedule_migration.NAME).delete()
    schedule_migration.create_schedule(django_apps, None)
    s = Schedule.objects.get(name=schedule_migration.NAME)
    assert (s.func, s.schedule_type, s.repeats) == ("reports.tasks.send_daily_reminders", "D", -1)
    schedule_migration.create_schedule(django_apps, None)
    assert Schedule.objects.filter(name=schedule_migration.NAME).count() == 1
    schedule_migration.delete_schedule(django_apps, None)
    assert not Schedule.objects.filter(name=schedule_migration.NAME).exists()


@pytest.mark.django_db
def test_the_daily_reminders_say_each_due_thing_once(
    studio_a, host_a, office, seeds, make_user, django_capture_on_commit_callbacks
):
    today = dt.date(2026, 12, 10)  # studio_a's period 2 ends on 2027-01-05
    make_user("olivia", Role.TALENT_OFFICE)  # a second talent-office user: each reminder reaches both
    baotou_treatment_items()
    register(office, past_round(seeds["baotou"], 2021), name="包头甲", named_on=dt.date(2021, 4, 28))
    baling = Round.objects.get(scheme__code="baling", year=2023)
    Round.objects.filter(pk=baling.pk).update(
        status=Round.Status.IN_NOTICE, notice_ends_on=today + dt.timedelta(days=2)
    )
    host_a.email = "hank@example.cn"
    host_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        counts = reminders.send_due_reminders(today)
    # The host and both talent-office users hear of the assessment; both office users of the notice; the
    # office users of the benefits due in December.
    assert counts == {
        "assessments_due": 3,
        "notices_ending": 2,
        "benefits_due": 2,
        "instalments_due": 0,
        "batches_waiting": 0,
    }
    n = Notification.objects.get(user=host_a)
    assert n.kind == "assessment_due" and studio_a.name in n.title and "2027-01-05" in n.body
    assert n.link == f"/studios/{studio_a.pk}/"
    benefits = Notification.objects.get(user=office, kind="benefits_due")
    assert "包头甲" in benefits.body and "2026-12" in benefits.title
    assert [m.to for m in mail.outbox] == [["hank@example.cn"]], "email to whoever has an address"
    with django_capture_on_commit_callbacks(execute=True):
        assert sum(reminders.send_due_reminders(today).values()) == 0
        assert sum(reminders.send_due_reminders(today + dt.timedelta(days=1)).values()) == 0
    assert len(mail.outbox) == 1
    assert tasks.send_daily_reminders()["stale_jobs_failed"] == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_racing_senders_of_the_same_notification_send_it_once(office):
    office.email = "alice@example.cn"
    office.save()
    barrier = threading.Barrier(4)
    results = []

    def send():
        try:
            barrier.wait()
            results.append(services.notify(user=office, key="race", title="一次"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r is not None for r in results) == 1
    assert Notification.objects.filter(key="race").count() == 1
    assert len(mail.outbox) == 1
