"""Every domain model records who changed what and when."""

import datetime as dt

import pytest
from django.apps import apps
from simple_history.models import registered_models

from backend import services
from backend.models import CalendarOverride
from honourees.models import Scheme

DOMAIN_APPS = ["backend", "honourees", "studios", "funding", "reports"]
# Tables that are themselves append-only logs: history of a log would only repeat it.
APPEND_ONLY_LOGS = {
    "backend.PersonalDataAccess",
    "funding.LedgerEntry",  # refuses updates and deletes (a trigger on PostgreSQL)
    "funding.Payment",  # written once when the bank confirms; never changed (corrections are ledger reversals)
    "reports.Notification",  # a message to one person: created once, only its read mark changes
    "reports.ReportJob",  # a job's own status row: who asked and when it started, progressed and ended
}


def test_every_domain_model_has_history():
    missing = []
    for label in DOMAIN_APPS:
        for model in apps.get_app_config(label).get_models():
            name = f"{model._meta.app_label}.{model.__name__}"
            if model.__name__.startswith("Historical") or name in APPEND_ONLY_LOGS:
                continue
            if model not in registered_models.values() and not hasattr(model, "history"):
                missing.append(name)
    assert missing == []


@pytest.mark.django_db
def test_a_service_records_the_acting_user(office):
    services.calendar_override_set(by=office, date=dt.date(2027, 1, 1), is_working_day=False, name="元旦")
    services.calendar_override_set(by=office, date=dt.date(2027, 1, 1), is_working_day=False, name="元旦节")
    records = list(CalendarOverride.history.order_by("history_date"))
    assert [(r.history_type, r.name, r.history_user) for r in records] == [
        ("+", "元旦", office),
        ("~", "元旦节", office),
    ]
    services.calendar_override_delete(by=office, date=dt.date(2027, 1, 1))
    last = CalendarOverride.history.latest("history_date")
    assert (last.history_type, last.history_user) == ("-", office)


@pytest.mark.django_db
def test_an_admin_edit_records_the_user_through_the_request(admin_client, admin_user):
    scheme = Scheme.objects.create(code="z", name="旧名", city="Z")
    response = admin_client.post(
        f"/admin/honourees/scheme/{scheme.pk}/change/",
        {"code": "z", "name": "新名", "city": "Z", "organiser": ""},
    )
    assert response.status_code == 302
    latest = scheme.history.latest("history_date")
    assert (latest.name, latest.history_user) == ("新名", admin_user)
    assert latest.prev_record.name == "旧名"


def test_every_history_model_is_found_in_the_module_it_names():
    """Models kept in a models/ package still have their history class where ``__module__`` says."""
    import importlib

    from django.apps import apps

    history_models = [m for m in apps.get_models() if m.__name__.startswith("Historical")]
    assert any(m.__module__.startswith("honourees.models.") for m in history_models)
    for model in history_models:
        assert getattr(importlib.import_module(model.__module__), model.__name__) is model
