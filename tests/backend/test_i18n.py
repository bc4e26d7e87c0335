"""The Chinese catalogue is complete and the committed .mo matches the .po (nobody forgot compilemessages)."""

import gettext
import re
from pathlib import Path

import pytest
from django.test import Client

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"
_ENTRY = re.compile(r'^msgid ((?:"(?:[^"\\]|\\.)*"\n)+)msgstr ((?:"(?:[^"\\]|\\.)*"\n)+)', re.M)


def _unquote(block: str) -> str:
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', block)
    return "".join(parts).replace('\\"', '"').replace("\\n", "\n")


def _po_entries() -> dict[str, str]:
    text = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in text, "fuzzy entries are not compiled: review them"
    return {_unquote(i): _unquote(s) for i, s in _ENTRY.findall(text) if _unquote(i)}


def test_every_english_message_has_a_chinese_translation():
    untranslated = [msgid for msgid, msgstr in _po_entries().items() if msgid.isascii() and not msgstr]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_po_file():
    with open(CATALOGUE / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for msgid, msgstr in _po_entries().items():
        if msgstr:
            assert compiled.gettext(msgid) == msgstr, f"run compilemessages: {msgid!r}"


@pytest.mark.django_db
def test_pages_are_chinese_unless_the_user_switches(client: Client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page["Content-Language"] == "zh-hans"
    assert "登录" in page.content.decode()

    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/")
    assert page["Content-Language"] == "en"
    assert "Log in" in page.content.decode()
