"""The studio's evidence: checked PDF, JPEG and PNG files (挂牌 photo, agreements, certificates, session
photos), stored under a random name and opened only for those who may see the studio."""

from __future__ import annotations

import hashlib
import uuid
from typing import BinaryIO

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from backend.errors import NotFound, ValidationFailed
from backend.history import save_as
from backend.uploads import EXTENSIONS, Upload, read_upload, with_extension
from studios import permissions, selectors
from studios.models import Apprentice, SkillUpgrade, Studio, StudioFile
from studios.services import checks


def store(by: User, studio: Studio, kind: str, checked: Upload, **links: object) -> StudioFile:
    """A checked upload saved as the studio's file, under the caller's lock and after its checks; when the row
    cannot be saved, the stored file is removed again."""
    f = StudioFile(
        studio=studio,
        kind=kind,
        original_name=checked.name,
        content_type=checked.content_type,
        size=len(checked.data),
        sha256=hashlib.sha256(checked.data).hexdigest(),
        uploaded_by=by,
        **links,
    )
    # A random name on disk: the uploaded name says nothing about the content and may not be a safe path.
    f.file.save(uuid.uuid4().hex + EXTENSIONS[checked.content_type][0], ContentFile(checked.data), save=False)
    try:
        save_as(f, by=by, reason=f"uploaded {kind}")
    except BaseException:
        f.file.storage.delete(f.file.name)
        raise
    return f


@transaction.atomic
def studio_file_add(
    *,
    by: User,
    studio_id: int,
    kind: str,
    uploaded_file: UploadedFile | None,
    apprentice_id: int | None = None,
    upgrade_id: int | None = None,
) -> StudioFile:
    """Store a checked PDF, JPEG or PNG as evidence of the studio (a refused file leaves no row and no file).

    ``agreement`` files belong to an apprentice, ``certificate`` files to a skill upgrade; session photos go
    through ``session_photo_add`` (they follow the session's edit window).
    """
    studio = checks.studio_locked(by, studio_id)
    permissions.require_manage(by, studio)
    checks.require_not_closed(studio)
    if kind not in StudioFile.Kind.values or kind == StudioFile.Kind.SESSION_PHOTO:
        raise ValidationFailed(
            f"材料类别“{kind}”无效。", f"'{kind}' is not a kind of evidence here.", field="kind"
        )
    links = {}
    if kind == StudioFile.Kind.AGREEMENT:
        app = Apprentice.objects.filter(pk=apprentice_id, studio=studio).first() if apprentice_id else None
        if app is None:
            raise ValidationFailed(
                "师带徒协议须属于本工作室的一名学徒。",
                "An agreement belongs to one of the studio's apprentices.",
                field="apprentice",
            )
        links["apprentice"] = app
    if kind == StudioFile.Kind.CERTIFICATE:
        up = (
            SkillUpgrade.objects.filter(pk=upgrade_id, apprentice__studio=studio)
            .select_related("apprentice")
            .first()
            if upgrade_id
            else None
        )
        if up is None:
            raise ValidationFailed(
                "技能等级证书须属于本工作室学徒的一次晋级。",
                "A certificate belongs to a skill upgrade of the studio's apprentices.",
                field="upgrade",
            )
        links["upgrade"], links["apprentice"] = up, up.apprentice
    checked = read_upload(uploaded_file, field="file", stem="file", named=True)
    return store(by, studio, kind, checked, **links)


def studio_file_open(*, by: User, file_id: int) -> tuple[BinaryIO, str, str]:
    """(open file, content type, download name) for those who may see the studio; NotFound for others."""
    f = selectors.files_for(by).filter(pk=file_id).first()
    if f is None:
        raise checks.not_found("文件", "File", file_id, "file")
    try:
        handle = f.file.storage.open(f.file.name, "rb")
    except FileNotFoundError:
        raise NotFound(
            f"文件 {file_id} 已不在存储中，请联系管理员。",
            f"The file {file_id} is missing from storage; tell the administrator.",
            field="file",
        ) from None
    return handle, f.content_type, with_extension(f.original_name, f.content_type)
