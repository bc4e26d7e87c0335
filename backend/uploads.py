"""Uploads accepted by what they contain: the one check for every file a person sends (a nomination's
attachments, a studio's evidence).

Only PDF, JPEG and PNG are taken, recognised by their bytes (never by the file name or the browser's
content type) and then parsed: a PDF must have its header and end-of-file marker, a PNG is parsed chunk by
chunk with its pixel data inflated, a JPEG has every marker segment and scan walked to its EOI.

The image checks are our own rather than Pillow's (installed, as WeasyPrint needs it): importing WeasyPrint
sets ``PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True`` for the whole process, after which Pillow decodes
truncated and garbled images without a word, so what it accepted would depend on whether a PDF had been
rendered in the same process before.

``read_upload`` reads at most the size limit (``ATTACHMENT_MAX_BYTES``, 10 MB by default) and checks the
content; nothing is stored here. Where the file goes and who may open it is the calling service's business.
"""

from __future__ import annotations

import struct
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings

from backend.errors import ValidationFailed

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


def clean_name(name: str | None, content_type: str, *, stem: str = "attachment") -> str:
    """The uploaded name without folders or control characters, at most 255 characters."""
    base = PurePosixPath(str(name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    if not base or base in (".", ".."):
        base = stem + EXTENSIONS[content_type][0]
    if len(base) > 255:
        suffix = PurePosixPath(base).suffix[:20]
        base = base[: 255 - len(suffix)] + suffix
    return base


def read_bounded(uploaded_file, limit: int) -> bytes:
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


def _too_big(size: int, limit: int) -> ValidationFailed:
    return _refuse(
        f"文件过大（{_mb(size)}），单个文件不能超过 {_mb(limit)}。",
        f"The file is too large ({_mb(size)}); a file may be at most {_mb(limit)}.",
    )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size} B"


def with_extension(name: str, content_type: str) -> str:
    """The name to offer on download, ending in the extension that matches the content."""
    extensions = EXTENSIONS.get(content_type, ())
    if extensions and not name.lower().endswith(extensions):
        name += extensions[0]
    return name


@dataclass(frozen=True)
class Upload:
    """A checked upload: its bytes, the content type they were recognised as, and a safe original name."""

    data: bytes
    content_type: str
    name: str


def max_bytes() -> int:
    """The largest file a person may upload (``ATTACHMENT_MAX_BYTES``, 10 MB by default)."""
    return getattr(settings, "ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def read_upload(
    uploaded_file,
    *,
    field: str = "file",
    row: int | None = None,
    stem: str = "attachment",
    named: bool = False,
) -> Upload:
    """The upload read (at most the limit) and checked by its content, or ValidationFailed saying why not.

    ``named`` puts the file's name in front of a content error, for forms that take several files at once.
    """

    def refuse(error: ValidationFailed) -> ValidationFailed:
        return ValidationFailed(error.zh, error.en, field=field, row=row)

    if uploaded_file is None:
        raise refuse(_refuse("请选择要上传的文件。", "Choose a file to upload."))
    limit = max_bytes()
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > limit:
        raise refuse(_too_big(declared, limit))
    data = read_bounded(uploaded_file, limit)
    if len(data) > limit:
        raise refuse(_too_big(len(data), limit))
    if not data:
        raise refuse(_refuse("文件是空的。", "The file is empty."))
    original = getattr(uploaded_file, "name", None)
    try:
        content_type = check_content(data)
    except ValidationFailed as e:
        if not named:
            raise refuse(e) from None
        shown = clean_name(original, PDF, stem=stem)
        raise ValidationFailed(f"“{shown}”：{e.zh}", f"'{shown}': {e.en}", field=field, row=row) from None
    return Upload(data, content_type, clean_name(original, content_type, stem=stem))
