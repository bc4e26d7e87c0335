"""The reports' Chinese catalogue is complete, its .mo matches the .po, and the pages come out in Chinese."""

import pytest

from tests.catalogue import catalogue, entries, stale_in_mo

from .conftest import logged_in

CATALOGUE = catalogue("reports")


def test_every_english_message_of_the_reports_has_a_chinese_translation():
    assert len(entries(CATALOGUE)) > 60
    assert [m for m, zh in entries(CATALOGUE).items() if not zh] == []


def test_the_compiled_reports_catalogue_matches_the_po_file():
    assert stale_in_mo(CATALOGUE) == [], "run msgfmt"


@pytest.mark.django_db
def test_the_reports_page_is_in_chinese_unless_switched(studio_a, host_a):
    client = logged_in(host_a)
    page = client.get("/reports/").content.decode()
    assert "工作室年度考核报告" in page and "生成报表" in page and "Prepare the report" not in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/reports/").content.decode()
    assert "Studio annual assessment report" in page and "Prepare the report" in page
