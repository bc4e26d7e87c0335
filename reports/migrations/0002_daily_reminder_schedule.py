"""The daily reminder run as a django-q2 schedule (07:00 Beijing time, from tomorrow)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import migrations

NAME = "reports.daily_reminders"
FUNC = "reports.tasks.send_daily_reminders"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    tz = ZoneInfo("Asia/Shanghai")
    tomorrow = dt.datetime.now(tz).date() + dt.timedelta(days=1)
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={
            "func": FUNC,
            "schedule_type": "D",
            "repeats": -1,
            "next_run": dt.datetime.combine(tomorrow, dt.time(7, 0), tzinfo=tz),
        },
    )


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_report_jobs_and_notifications"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
