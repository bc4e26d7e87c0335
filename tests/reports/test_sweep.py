"""The daily sweep removes files no row names (a rolled-back upload) and keeps every file a row points to."""

import datetime as dt
import os
import time

import pytest
from django.conf import settings
from django.db import transaction

from reports.sweep import sweep_orphan_files
from studios.models import StudioFile
from studios.services.evidence import studio_file_add
from tests.studios.conftest import png_upload

pytestmark = pytest.mark.django_db


def age(path, days=2):
    old = time.time() - days * 86400
    os.utime(path, (old, old))


def test_a_file_of_a_rolled_back_upload_is_removed_and_a_kept_one_stays(studio_a, office):
    kept = StudioFile.objects.filter(studio=studio_a).first()
    assert kept is not None, "the studio's establishment photo"
    with pytest.raises(RuntimeError), transaction.atomic():
        studio_file_add(
            by=office, studio_id=studio_a.pk, kind="establishment", uploaded_file=png_upload("x.png")
        )
        raise RuntimeError("the outer transaction fails after the file was stored")
    root = settings.MEDIA_ROOT
    files = [p for p in (root / "studios").rglob("*") if p.is_file()]
    assert len(files) == 2, "the rolled-back upload is still on disk"
    fresh_orphan = root / "funding" / "bank" / "fresh.xlsx"
    fresh_orphan.parent.mkdir(parents=True)
    fresh_orphan.write_bytes(b"PK")
    for p in files:
        age(p)
    assert sweep_orphan_files(dry_run=True) == sweep_orphan_files() != []
    left = [p for p in (root / "studios").rglob("*") if p.is_file()]
    assert [p.relative_to(root).as_posix() for p in left] == [kept.file.name]
    assert fresh_orphan.exists(), "younger than a day: its transaction may still be open"
    assert sweep_orphan_files(older_than=dt.timedelta(0)) == ["funding/bank/fresh.xlsx"]
