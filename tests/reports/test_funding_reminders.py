"""Funding's reminders: a due instalment tells the makers once; a submitted batch tells the other checkers once."""

import datetime as dt

import pytest

from funding.services import batches
from reports.models import Notification
from reports.reminders import send_due_reminders
from tests.funding.conftest import give_account, give_budget, name_directly

pytestmark = pytest.mark.django_db


def test_due_instalments_and_waiting_batches_are_each_reminded_once(
    seeds, office, maker, checker, maker_checker, django_capture_on_commit_callbacks
):
    baling = seeds["baling"]
    h = name_directly(baling, office)
    today = dt.date.today()
    with django_capture_on_commit_callbacks(execute=True):
        first = send_due_reminders(today)
    assert first["instalments_due"] == 2, "both makers (mike and max) hear of the due first instalment"
    assert first["batches_waiting"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(today)["instalments_due"] == 0
    assert Notification.objects.filter(kind="instalment_due", title__contains="周建华").count() == 2

    give_account(h, maker_checker)
    give_budget(baling, checker, 2023)
    inst = h.award_plan.instalments.get(seq=1)
    batch = batches.batch_create(
        by=maker_checker, source_id=inst.plan.source_id, purpose="p", instalment_ids=[inst.pk]
    )
    batches.batch_submit(by=maker_checker, batch_id=batch.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(today)["batches_waiting"] == 1, "cathy; max made it and is not asked"
        assert send_due_reminders(today)["batches_waiting"] == 0
    note = Notification.objects.get(kind="batch_waiting")
    assert (
        note.user == checker
        and batch.number in note.title
        and note.link.endswith(f"/funding/batches/{batch.pk}/")
    )
