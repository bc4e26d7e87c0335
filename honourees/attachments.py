"""A nomination's scanned files: accepted by what they contain, kept private, opened only by those who may.

Only PDF, JPEG and PNG are taken, recognised by their bytes (never by the file name or the browser's
content type) and then parsed: a PDF must have its header and end-of-file marker, a PNG is parsed chunk by
chunk with its pixel data inflated, a JPEG has every marker segment and scan walked to its EOI.

The image checks are our own rather than Pillow's (installed, as WeasyPrint needs it): importing WeasyPrint
sets ``PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True`` for the whole process, after which Pillow decodes
truncated and garbled images without a word, so what it accepted would depend on whether a PDF had been
rendered in the same process before.
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
import struct
import unicodedata
import uuid
import zlib
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction

from backend.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from backend.history import save_as
from backend.models import PersonalDataAccess
from backend.roles import Role, can_see_full_id, has_role
from honourees.models import Attachment, Nomination
from honourees.selectors import nominations_for

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# An image may be at most this many pixels: an A4 scan at 600 dpi is about 35 million. A bigger one is
# refused from its header, before its pixels are inflated here or decoded by WeasyPrint for the form, so
# a small file that would inflate to gigabytes (a "decompression bomb") never is.
MAX_IMAGE_PIXELS = 40_000_000

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: (".pdf",), JPEG: (".jpg", ".jpeg"), PNG: (".png",)}
IMAGE_TYPES = (JPEG, PNG)

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SOI = b"\xff\xd8\xff"

ADD_WHILE = (Nomination.Status.DRAFT, Nomination.Status.SUBMITTED)
DELETE_WHILE = (Nomination.Status.DRAFT,)


# --- who may do what (who sees a nomination: honourees.selectors.nominations_for) ------------------------


def _may_change(user, nomination: Nomination) -> bool:
    """The office, or a clerk of the nomination's own unit (honourees.services._can_edit_unit's rule)."""
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


# --- content checks ------------------------------------------------------------------------------------------


def _refuse(zh: str, en: str) -> ValidationFailed:
    return ValidationFailed(zh, en, field="file")


def _not_a_pdf_jpeg_or_png() -> ValidationFailed:
    return _refuse(
        "只接受 PDF、JPEG 或 PNG 文件；该文件的内容不是其中任何一种（与文件名无关）。",
        "Only PDF, JPEG or PNG files are accepted; this file's content is none of them, whatever its name.",
    )


def _damaged(kind: str) -> ValidationFailed:
    return _refuse(
        f"文件看起来是 {kind}，但内容不完整或已损坏，请重新扫描或导出后再上传。",
        f"The file looks like a {kind} but is incomplete or damaged; scan or export it again.",
    )


def sniff(data: bytes) -> str | None:
    """The content type by the file's first bytes (PDF, JPEG or PNG), or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(_JPEG_SOI):
        return JPEG
    if data.startswith(_PNG_SIGNATURE):
        return PNG
    return None


def _check_pdf(data: bytes) -> None:
    # A PDF starts with "%PDF-1.x" (or 2.x) and its last 1 KB holds the "%%EOF" marker (ISO 32000-1 §7.5).
    if data[5:7] not in (b"1.", b"2.") or b"%%EOF" not in data[-1024:]:
        raise _damaged("PDF")


# PNG (ISO/IEC 15948): samples per pixel by colour type, and the bit depths each allows.
_PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_PNG_DEPTHS = {0: {1, 2, 4, 8, 16}, 2: {8, 16}, 3: {1, 2, 4, 8}, 4: {8, 16}, 6: {8, 16}}
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def _too_many_pixels(width: int, height: int) -> ValidationFailed:
    return _refuse(
        f"图片像素过多（{width}×{height}），请缩小后再上传。",
        f"The image has too many pixels ({width}×{height}); scale it down first.",
    )


def _png_raw_size(width: int, height: int, depth: int, colour: int, interlaced: bool) -> int:
    """Bytes of filtered scanlines the IDAT stream must inflate to."""
    bits = depth * _PNG_CHANNELS[colour]

    def scanlines(w: int, h: int) -> int:
        return h * (1 + (w * bits + 7) // 8) if w > 0 and h > 0 else 0

    if not interlaced:
        return scanlines(width, height)
    return sum(scanlines((width - x + dx - 1) // dx, (height - y + dy - 1) // dy) for x, y, dx, dy in _ADAM7)


def _check_png(data: bytes) -> None:
    """Every chunk whole with a good CRC, IHDR first and sane, IEND last, and the IDAT stream inflating to
    exactly the size the header implies (inflated a megabyte at a time, so nothing big is held)."""
    pos, expected, inflated, ended = 8, None, 0, False
    inflater = zlib.decompressobj()
    while pos < len(data):
        if ended or pos + 12 > len(data):
            raise _damaged("PNG")
        length, chunk_type = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        end = pos + 12 + length
        if end > len(data) or zlib.crc32(chunk_type + body) != struct.unpack(">I", data[end - 4 : end])[0]:
            raise _damaged("PNG")
        if expected is None:
            if chunk_type != b"IHDR" or length != 13:
                raise _damaged("PNG")
            width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", body)
            if (
                not width
                or not height
                or depth not in _PNG_DEPTHS.get(colour, ())
                or (compression, filtering) != (0, 0)
                or interlace not in (0, 1)
            ):
                raise _damaged("PNG")
            if width * height > MAX_IMAGE_PIXELS:
                raise _too_many_pixels(width, height)
            expected = _png_raw_size(width, height, depth, colour, bool(interlace))
        elif chunk_type == b"IDAT":
            pending = body
            while pending:
                try:
                    inflated += len(inflater.decompress(pending, 1 << 20))
                except zlib.error:
                    raise _damaged("PNG") from None
                pending = inflater.unconsumed_tail
                if inflated > expected:
                    raise _damaged("PNG")
        elif chunk_type == b"IEND":
            ended = True
        pos = end
    if not ended or not inflater.eof or inflated != expected:
        raise _damaged("PNG")


# JPEG (ITU T.81): the frame markers that carry the image size (SOF0–SOF15 but DHT, JPG and DAC).
_JPEG_SOF = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_DQT, _JPEG_SOS, _JPEG_EOI = 0xDB, 0xDA, 0xD9


def _check_jpeg(data: bytes) -> None:
    """Walk the markers from SOI: every segment whole, quantisation tables and a frame header of 1–4
    components before the first scan, each scan's entropy-coded data ending at a marker, then EOI.

    Data after EOI is allowed: some cameras append a trailer there.
    """
    pos, frame, tables, scans = 2, False, False, 0
    while True:
        if pos >= len(data) or data[pos] != 0xFF:
            raise _damaged("JPEG")
        while pos < len(data) and data[pos] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos >= len(data):
            raise _damaged("JPEG")
        marker = data[pos]
        pos += 1
        if marker == _JPEG_EOI:
            break
        if 0xD0 <= marker <= 0xD8 or marker == 0x01:
            raise _damaged("JPEG")  # restart markers belong inside a scan; a second SOI is no JPEG
        length = int.from_bytes(data[pos : pos + 2], "big")
        if length < 2 or pos + length > len(data):
            raise _damaged("JPEG")
        segment = data[pos + 2 : pos + length]
        if marker == _JPEG_DQT:
            tables = True
        elif marker in _JPEG_SOF:
            if frame or len(segment) < 6:
                raise _damaged("JPEG")
            height, width, components = struct.unpack(">HHB", segment[1:6])
            if not width or not height or not 1 <= components <= 4 or len(segment) != 6 + 3 * components:
                raise _damaged("JPEG")
            if width * height > MAX_IMAGE_PIXELS:
                raise _too_many_pixels(width, height)
            frame = True
        pos += length
        if marker == _JPEG_SOS:
            if not (frame and tables) or not segment or not 1 <= segment[0] <= 4:
                raise _damaged("JPEG")
            scans += 1
            while True:  # entropy-coded data runs to the next marker that is not FF00 or RSTn
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= len(data):
                    raise _damaged("JPEG")  # cut short: the scan never ends
                following = data[pos + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    pos += 2
                elif following == 0xFF:
                    pos += 1
                else:
                    break
    if not scans:
        raise _damaged("JPEG")


def check_content(data: bytes) -> str:
    """The content type of an acceptable file, or ValidationFailed(field="file") saying why not."""
    content_type = sniff(data)
    if content_type is None:
        raise _not_a_pdf_jpeg_or_png()
    if content_type == PDF:
        _check_pdf(data)
    elif content_type == PNG:
        _check_png(data)
    else:
        _check_jpeg(data)
    return content_type


def _clean_name(name: str | None, content_type: str) -> str:
    """The uploaded name without folders or control characters, at most 255 characters."""
    base = PurePosixPath(str(name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if not base or base in (".", ".."):
        base = "attachment" + EXTENSIONS[content_type][0]
    if len(base) > 255:
        suffix = PurePosixPath(base).suffix[:20]
        base = base[: 255 - len(suffix)] + suffix
    return base


def download_name(attachment: Attachment) -> str:
    """The name to offer on download, ending in the extension that matches the content."""
    name = attachment.original_name or "attachment"
    extensions = EXTENSIONS.get(attachment.content_type, ())
    if extensions and not name.lower().endswith(extensions):
        name += extensions[0]
    return name


def _read_bounded(uploaded_file, limit: int) -> bytes:
    """At most ``limit + 1`` bytes: enough to know the file is too big without reading all of it."""
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    if hasattr(uploaded_file, "chunks"):
        parts, total = [], 0
        for chunk in uploaded_file.chunks():
            parts.append(chunk)
            total += len(chunk)
            if total > limit:
                break
        return b"".join(parts)[: limit + 1]
    return uploaded_file.read(limit + 1)


# --- services ------------------------------------------------------------------------------------------------


@transaction.atomic
def attachment_add(*, by, nomination_id: int, kind: str, uploaded_file) -> Attachment:
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
    if uploaded_file is None:
        raise _refuse("请选择要上传的文件。", "Choose a file to upload.")

    limit = getattr(settings, "ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > limit:
        raise _too_big(declared, limit)
    data = _read_bounded(uploaded_file, limit)
    if len(data) > limit:
        raise _too_big(len(data), limit)
    if not data:
        raise _refuse("文件是空的。", "The file is empty.")
    content_type = check_content(data)
    if kind == Attachment.Kind.PHOTO and content_type not in IMAGE_TYPES:
        raise _refuse("照片须为 JPEG 或 PNG 图片。", "A photo must be a JPEG or PNG image.")

    digest = hashlib.sha256(data).hexdigest()
    attachment = Attachment(
        nomination=nomination,
        kind=kind,
        original_name=_clean_name(getattr(uploaded_file, "name", None), content_type),
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


def _too_big(size: int, limit: int) -> ValidationFailed:
    return _refuse(
        f"文件过大（{_mb(size)}），单个附件不能超过 {_mb(limit)}。",
        f"The file is too large ({_mb(size)}); an attachment may be at most {_mb(limit)}.",
    )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size} B"


def attachment_open(*, by, attachment_id: int) -> tuple[File, str, str]:
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
def attachment_delete(*, by, attachment_id: int) -> None:
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
