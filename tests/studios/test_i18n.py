"""The studios' Chinese catalogue is complete, its .mo matches the .po, and the pages come out in Chinese."""

import gettext
import re
from pathlib import Path

import pytest

from .conftest import logged_in

CATALOGUE = Path(__file__).resolve().parents[2] / "studios" / "locale" / "zh_Hans" / "LC_MESSAGES"
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


def test_every_english_message_of_the_studios_has_a_chinese_translation():
    entries = _entries()
    assert len(entries) > 150
    assert [m for m, zh in entries.items() if m.isascii() and not zh] == []


def test_the_compiled_studios_catalogue_matches_the_po_file():
    with open(CATALOGUE / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for msgid, msgstr in _entries().items():
        if msgstr and msgid != "%(days)s day left":  # a plural: looked up with ngettext
            assert compiled.gettext(msgid) == msgstr, f"run msgfmt: {msgid!r}"


@pytest.mark.django_db
def test_the_host_page_is_in_chinese_unless_switched(studio_a, host_a):
    client = logged_in(host_a)
    page = client.get(f"/studios/{studio_a.pk}/").content.decode()
    assert "记录带徒活动" in page and "从 Excel 导入" in page and "Log a session" not in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/studios/{studio_a.pk}/").content.decode()
    assert "Log a session" in page and "Mentoring sessions" in page, "rubric items follow the language too"
    assert "带徒活动次数" not in page
