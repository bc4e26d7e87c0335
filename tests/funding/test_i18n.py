"""The funding side's Chinese catalogue is complete, its .mo matches the .po, and the pages come out in Chinese."""

import pytest
from django.test import Client

from tests.catalogue import catalogue, entries, stale_in_mo, untranslated
from tests.conftest import PASSWORD

CATALOGUE = catalogue("funding")


def logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_every_english_message_of_the_funding_side_has_a_chinese_translation():
    assert len(entries(CATALOGUE)) > 150
    assert untranslated(CATALOGUE) == []


def test_the_compiled_funding_catalogue_matches_the_po_file():
    assert stale_in_mo(CATALOGUE) == [], "run msgfmt"


@pytest.mark.django_db
def test_the_funding_pages_are_in_chinese_unless_switched(maker):
    client = logged_in(maker)
    page = client.get("/funding/budgets/").content.decode()
    assert "已承诺" in page and "支付批次" in page and "到期款项" in page
    assert "Disbursement batches" not in page and "What falls due" not in page
    page = client.get("/funding/").content.decode()
    assert "条件未满足的款项及原因" in page and "本月到期" in page and "Blocked, and why" not in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/funding/budgets/").content.decode()
    assert "Disbursement batches" in page and "What falls due" in page, "the pages follow the language"
    assert "已承诺" not in page
    page = client.get("/funding/").content.decode()
    assert "Blocked, and why" in page and "Due this month" in page and "本月到期" not in page
