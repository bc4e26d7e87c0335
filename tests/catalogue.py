"""Reading a gettext catalogue for the translation tests: the .po's entries and its compiled .mo."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_ENTRY = re.compile(
    r'^msgid ((?:"(?:[^"\\]|\\.)*"\n)+)(msgid_plural (?:"(?:[^"\\]|\\.)*"\n)+)?msgstr(?:\[0\])? ((?:"(?:[^"\\]|\\.)*"\n)+)',
    re.M,
)


def catalogue(where: str = "") -> Path:
    """The zh_Hans LC_MESSAGES folder of the project (``""``) or of an app (``"studios"``)."""
    return ROOT / where / "locale" / "zh_Hans" / "LC_MESSAGES"


def _unquote(block: str) -> str:
    return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block)).replace('\\"', '"').replace("\\n", "\n")


def entries(folder: Path, *, plurals: bool = True) -> dict[str, str]:
    """msgid → msgstr (the first form for a plural; plural entries left out with ``plurals=False``).

    Fails when the .po has fuzzy entries: those are not compiled and need a person's review.
    """
    text = (folder / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in text, "fuzzy entries are not compiled: review them"
    return {
        _unquote(i): _unquote(s)
        for i, plural, s in _ENTRY.findall(text)
        if _unquote(i) and (plurals or not plural)
    }


def untranslated(folder: Path) -> list[str]:
    """English messages (plurals included) without a Chinese translation."""
    return [m for m, zh in entries(folder).items() if m.isascii() and not zh]


def stale_in_mo(folder: Path) -> list[str]:
    """Singular messages whose compiled translation differs from the .po (msgfmt not run)."""
    with open(folder / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    return [m for m, zh in entries(folder, plurals=False).items() if zh and compiled.gettext(m) != zh]
