"""The daily tick as a django-q2 schedule: 01:30 Beijing time, every day (also ``manage.py tick``)."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import migrations

NAME = "funding: daily tick"


def create(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    tomorrow = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() + dt.timedelta(days=1)
    Schedule.objects.get_or_create(
        name=NAME,
        defaults={
            "func": "funding.tasks.daily_tick",
            "schedule_type": "D",
            "repeats": -1,
            "next_run": dt.datetime.combine(tomorrow, dt.time(1, 30), tzinfo=ZoneInfo("Asia/Shanghai")),
        },
    )


def drop(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0002_ledger_append_only_trigger"),
        ("django_q", "0018_task_success_index"),
    ]
    operations = [migrations.RunPython(create, drop)]
