"""Files no row points to: left on disk when a transaction rolled back after its upload was stored.

Uploads (attachments, studio evidence, bank files, report outputs) are written to storage before their
transaction commits, and Django has no hook for a rollback. The daily run removes files that no FileField
of any model names and that are older than a day (so an upload whose transaction is still open is safe).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import timezone

log = logging.getLogger(__name__)
# The folders the app's own FileFields write under (upload_to prefixes); nothing else under MEDIA_ROOT is touched.
FOLDERS = ("nominations", "studios", "funding", "reports")


def referenced_files() -> set[str]:
    """Every file name a FileField of any model (history tables included) points to."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                names.update(
                    n
                    for n in model._default_manager.exclude(**{field.name: ""}).values_list(
                        field.name, flat=True
                    )
                    if n
                )
    return names


def sweep_orphan_files(
    *, older_than: dt.timedelta = dt.timedelta(days=1), dry_run: bool = False
) -> list[str]:
    """Remove (or with ``dry_run`` only list) unreferenced files under the app's folders older than ``older_than``."""
    root = Path(settings.MEDIA_ROOT)
    keep = referenced_files()
    cutoff = (timezone.now() - older_than).timestamp()
    removed = []
    for folder in FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            if not path.is_file():
                continue
            name = path.relative_to(root).as_posix()
            if name in keep or path.stat().st_mtime > cutoff:
                continue
            removed.append(name)
            if not dry_run:
                os.remove(path)
                log.info("removed orphan file %s", name)
    return sorted(removed)
