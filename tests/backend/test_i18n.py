"""The Chinese catalogue is complete and the committed .mo matches the .po (nobody forgot compilemessages)."""

import pytest
from django.test import Client

from tests.catalogue import catalogue, stale_in_mo, untranslated

CATALOGUE = catalogue()


def test_every_english_message_has_a_chinese_translation():
    assert untranslated(CATALOGUE) == []


def test_the_compiled_catalogue_matches_the_po_file():
    assert stale_in_mo(CATALOGUE) == [], "run compilemessages"


@pytest.mark.django_db
def test_pages_are_chinese_unless_the_user_switches(client: Client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "zh-hans"
    assert "登录" in page.content.decode()

    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/")
    assert page["Content-Language"] == "en"
    assert "Log in" in page.content.decode()
