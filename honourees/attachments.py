"""A nomination's scanned files: accepted by what they contain, kept private, opened only by those who may.

What is accepted is decided by ``backend.uploads`` (PDF, JPEG and PNG, by their bytes and parsed).
Files go to MEDIA_ROOT under a random name; nothing under MEDIA_ROOT has a public URL, so the only way to
a file is ``attachment_open``, which checks who is asking.

When a file may be added or removed (decided here, one rule for pages, API and imports):

- added by the nomination's unit clerk or the talent office while the nomination is a draft or submitted:
  after submission the unit still sends what only exists then (the signed and stamped 申报表, 晋中's
  department opinions), and the office's qualification review reads them. From qualification on the
  dossier is what the experts judged, so it is closed.
- removed by the same people only while the nomination is a draft: once submitted, what the office
  received stays on file (a returned nomination is a draft again and can be corrected).
"""

from __future__ import annotations

import hashlib
import uuid

from django.contrib.auth.models import User
from django.core.files.base import ContentFile, File
from django.db import transaction

from backend.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from backend.history import save_as
from backend.models import PersonalDataAccess
from backend.roles import Role, can_see_full_id, has_role
from backend.uploads import EXTENSIONS, IMAGE_TYPES, read_upload, with_extension
from honourees.models import Attachment, Nomination
from honourees.selectors.intake import nominations_for

ADD_WHILE = (Nomination.Status.DRAFT, Nomination.Status.SUBMITTED)
DELETE_WHILE = (Nomination.Status.DRAFT,)


# --- who may do what (who sees a nomination: honourees.selectors.intake.nominations_for) ------------------------


def _may_change(user, nomination: Nomination) -> bool:
    """The office, or a clerk of the nomination's own unit (honourees.services.core.can_edit_unit's rule)."""
    if has_role(user, Role.TALENT_OFFICE):
        return True
    return (
        nomination.unit_id is not None
        and has_role(user, Role.UNIT_CLERK)
        and nomination.unit.clerks.filter(user=user).exists()
    )


def _nomination_not_found(nomination_id) -> NotFound:
    return NotFound(
        f"推荐人选 {nomination_id} 不存在。",
        f"Nomination {nomination_id} does not exist.",
        field="nomination",
    )


def _attachment_not_found(attachment_id) -> NotFound:
    return NotFound(
        f"附件 {attachment_id} 不存在。", f"Attachment {attachment_id} does not exist.", field="file"
    )


def download_name(attachment: Attachment) -> str:
    """The name to offer on download, ending in the extension that matches the content."""
    return with_extension(attachment.original_name or "attachment", attachment.content_type)


# --- services ------------------------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(*, by: User, nomination_id: int, kind: str, uploaded_file) -> Attachment:
    """Store a checked PDF, JPEG or PNG for the nomination; a refused file leaves no row and no file."""
    nomination = (
        Nomination.objects.select_for_update(of=("self",))
        .select_related("unit")
        .filter(pk=nomination_id)
        .order_by("pk")
        .first()
    )
    if nomination is None or not nominations_for(by).filter(pk=nomination.pk).exists():
        raise _nomination_not_found(nomination_id)
    if not _may_change(by, nomination):
        raise NotPermitted(
            "只有本单位的经办人或人才办可以上传附件。",
            "Only the unit's own clerk or the talent office may upload files.",
            field="file",
        )
    if nomination.status not in ADD_WHILE:
        raise Conflict(
            f"推荐人选当前为“{nomination.get_status_display()}”，只有草稿或已报送的推荐人选可以上传附件。",
            f"The nomination is '{nomination.status}'; files can only be added while it is a draft or submitted.",
            field="file",
        )
    if kind not in Attachment.Kind.values:
        raise ValidationFailed(
            f"附件类别“{kind}”无效。", f"'{kind}' is not a kind of attachment.", field="kind"
        )
    upload = read_upload(uploaded_file)
    data, content_type = upload.data, upload.content_type
    if kind == Attachment.Kind.PHOTO and content_type not in IMAGE_TYPES:
        raise ValidationFailed(
            "照片须为 JPEG 或 PNG 图片。", "A photo must be a JPEG or PNG image.", field="file"
        )

    digest = hashlib.sha256(data).hexdigest()
    attachment = Attachment(
        nomination=nomination,
        kind=kind,
        original_name=upload.name,
        content_type=content_type,
        size=len(data),
        sha256=digest,
        uploaded_by=by,
    )
    # A random name on disk: the uploaded name says nothing about the content and may not be a safe path.
    attachment.file.save(uuid.uuid4().hex + EXTENSIONS[content_type][0], ContentFile(data), save=False)
    try:
        save_as(attachment, by=by, reason=f"uploaded {kind}")
    except BaseException:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def attachment_open(*, by: User, attachment_id: int) -> tuple[File, str, str]:
    """(open file, content type, download name) for those who may see the nomination; NotFound for others.

    Opening an identity-card scan shows a whole identity number, so it is recorded like an unmasking.
    The caller closes the file (a FileResponse does).
    """
    attachment = Attachment.objects.filter(pk=attachment_id).order_by("pk").first()
    if attachment is None or not nominations_for(by).filter(pk=attachment.nomination_id).exists():
        raise _attachment_not_found(attachment_id)
    if attachment.kind == Attachment.Kind.ID_CARD and not can_see_full_id(by):
        # DESIGN.md: the auditor (and anyone else without the right) sees personal data masked; a scan of
        # the identity card is the whole number, so it is not shown to them.
        raise NotPermitted(
            "身份证扫描件只向可查看完整身份证号的角色显示。",
            "Identity-card scans are shown only to roles that may see whole identity numbers.",
            field="file",
        )
    try:
        handle = attachment.file.storage.open(attachment.file.name, "rb")
    except FileNotFoundError:
        raise NotFound(
            f"附件 {attachment_id} 的文件已不在存储中，请联系管理员。",
            f"The file of attachment {attachment_id} is missing from storage; tell the administrator.",
            field="file",
        ) from None
    if attachment.kind == Attachment.Kind.ID_CARD:
        PersonalDataAccess.objects.create(
            user=by,
            subject_type=Attachment._meta.label_lower,
            subject_id=str(attachment.pk),
            field="file",
            purpose="身份证扫描件 / identity card scan",
        )
    return handle, attachment.content_type, download_name(attachment)


@transaction.atomic
def attachment_delete(*, by: User, attachment_id: int) -> None:
    """Remove a draft nomination's file: the row now, the file on disk once the transaction commits."""
    found = (
        Attachment.objects.filter(pk=attachment_id)
        .order_by("pk")
        .values_list("nomination_id", flat=True)
        .first()
    )
    if found is None or not nominations_for(by).filter(pk=found).exists():
        raise _attachment_not_found(attachment_id)
    # Lock order as in attachment_add: the nomination first, so a delete and a submit do not interleave.
    nomination = Nomination.objects.select_for_update(of=("self",)).select_related("unit").get(pk=found)
    # order_by("pk"): the model's default ordering joins the nomination and its (nullable) unit, and
    # PostgreSQL cannot lock the nullable side of an outer join.
    attachment = (
        Attachment.objects.select_for_update(of=("self",)).filter(pk=attachment_id).order_by("pk").first()
    )
    if attachment is None:
        raise _attachment_not_found(attachment_id)  # deleted by someone else meanwhile
    if not _may_change(by, nomination):
        raise NotPermitted(
            "只有本单位的经办人或人才办可以删除附件。",
            "Only the unit's own clerk or the talent office may delete files.",
            field="file",
        )
    if nomination.status not in DELETE_WHILE:
        raise Conflict(
            f"推荐人选当前为“{nomination.get_status_display()}”，已报送的附件不能删除；请人才办退回后再改。",
            f"The nomination is '{nomination.status}'; its files can only be deleted while it is a draft "
            "(ask the talent office to return it first).",
            field="file",
        )
    storage, name = attachment.file.storage, attachment.file.name
    attachment._history_user = by
    attachment._change_reason = "deleted"
    attachment.delete()
    # The file goes only when the row is gone for good: a rolled-back delete keeps both.
    transaction.on_commit(lambda: storage.delete(name))
