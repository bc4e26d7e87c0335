"""Every honouree of a round gets a certificate page; a revoked honour gets none."""

import datetime as dt
import subprocess

import pytest

from honourees.services import status
from reports.certificates import build, certificate_date
from tests.funding.conftest import name_directly

pytestmark = pytest.mark.django_db


def test_certificate_dates_are_written_in_chinese_numerals():
    assert certificate_date(dt.date(2023, 10, 30)) == "二〇二三年十月三十日"
    assert certificate_date(dt.date(2019, 1, 5)) == "二〇一九年一月五日"
    assert certificate_date(dt.date(2024, 12, 21)) == "二〇二四年十二月二十一日"


def test_a_round_prints_one_certificate_per_standing_honouree(seeds, office, tmp_path):
    baling = seeds["baling"]
    a = name_directly(baling, office, name="甲工匠")
    name_directly(baling, office, name="乙工匠")
    revoked = name_directly(baling, office, name="丙工匠")
    status.honouree_revoke(
        by=office,
        honouree_id=revoked.pk,
        on=dt.date(2024, 1, 8),
        reason="提供虚假材料",
        grounds="false_claims",
    )
    out = build({"scheme": baling.scheme_id, "year": 2023}, lambda p, s: None, by=office)
    path = tmp_path / "c.pdf"
    path.write_bytes(out.content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           2" in info
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "甲工匠 同志" in text and "乙工匠" in text and "丙工匠" not in text
    assert a.certificate_no in text and "二〇二三年十月三十日" in text
