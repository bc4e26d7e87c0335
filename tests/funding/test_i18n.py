"""The funding side's Chinese catalogue is complete, its .mo matches the .po, and the pages come out in Chinese."""

import gettext
import re
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import PASSWORD

CATALOGUE = Path(__file__).resolve().parents[2] / "funding" / "locale" / "zh_Hans" / "LC_MESSAGES"
_ENTRY = re.compile(
    r'^msgid ((?:"(?:[^"\\]|\\.)*"\n)+)(?:msgid_plural (?:"(?:[^"\\]|\\.)*"\n)+)?msgstr(?:\[0\])? ((?:"(?:[^"\\]|\\.)*"\n)+)',
    re.M,
)


def _unquote(block: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block)).replace('\\"', '"').replace("\\n", "\n")


def _entries() -> dict[str, str]:
    text = (CATALOGUE / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    return {_unquote(i): _unquote(s) for i, s in _ENTRY.findall(text) if _unquote(i)}


def logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_every_english_message_of_the_funding_side_has_a_chinese_translation():
    entries = _entries()
    assert len(entries) > 150
    assert [m for m, zh in entries.items() if m.isascii() and not zh] == []


def test_the_compiled_funding_catalogue_matches_the_po_file():
    with open(CATALOGUE / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for msgid, msgstr in _entries().items():
        if msgstr and msgid != "Total: %(n)s line":  # a plural: looked up with ngettext
            assert compiled.gettext(msgid) == msgstr, f"run msgfmt: {msgid!r}"


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
