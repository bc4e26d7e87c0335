"""The studios' Chinese catalogue is complete, its .mo matches the .po, and the pages come out in Chinese."""

import pytest

from tests.catalogue import catalogue, entries, stale_in_mo, untranslated

from .conftest import logged_in

CATALOGUE = catalogue("studios")


def test_every_english_message_of_the_studios_has_a_chinese_translation():
    assert len(entries(CATALOGUE)) > 150
    assert untranslated(CATALOGUE) == []


def test_the_compiled_studios_catalogue_matches_the_po_file():
    assert stale_in_mo(CATALOGUE) == [], "run msgfmt"


@pytest.mark.django_db
def test_the_host_page_is_in_chinese_unless_switched(studio_a, host_a):
    client = logged_in(host_a)
    page = client.get(f"/studios/{studio_a.pk}/").content.decode()
    assert "记录带徒活动" in page and "从 Excel 导入" in page and "Log a session" not in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/studios/{studio_a.pk}/").content.decode()
    assert "Log a session" in page and "Mentoring sessions" in page, "rubric items follow the language too"
    assert "带徒活动次数" not in page
