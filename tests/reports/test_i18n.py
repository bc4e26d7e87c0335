"""The reports' Chinese catalogue is complete, its .mo matches the .po, and the pages come out in Chinese."""

import gettext
import re
from pathlib import Path

import pytest

from .conftest import logged_in

CATALOGUE = Path(__file__).resolve().parents[2] / "reports" / "locale" / "zh_Hans" / "LC_MESSAGES"
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


def test_every_english_message_of_the_reports_has_a_chinese_translation():
    entries = _entries()
    assert len(entries) > 60
    assert [m for m, zh in entries.items() if not zh] == []


def test_the_compiled_reports_catalogue_matches_the_po_file():
    with open(CATALOGUE / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for msgid, msgstr in _entries().items():
        assert compiled.gettext(msgid) == msgstr, f"run msgfmt: {msgid!r}"


@pytest.mark.django_db
def test_the_reports_page_is_in_chinese_unless_switched(studio_a, host_a):
    client = logged_in(host_a)
    page = client.get("/reports/").content.decode()
    assert "工作室年度考核报告" in page and "生成报表" in page and "Prepare the report" not in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/reports/").content.decode()
    assert "Studio annual assessment report" in page and "Prepare the report" in page
