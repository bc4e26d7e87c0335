"""Nomination attachments: PDF, JPEG or PNG by content only, nothing half-saved, private to those who may see."""

import hashlib
import io
import os
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from PIL import Image
from weasyprint import HTML

from backend.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from backend.models import PersonalDataAccess
from backend.roles import Role
from honourees.attachments import attachment_add, attachment_delete, attachment_open
from honourees.models import Attachment, ExpertAssignment, Nomination
from honourees.services import intake

from .conftest import unit_of

# --- real files, made here --------------------------------------------------------------------------------


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width=3, height=2, idat: bytes | None = None) -> bytes:
    """A valid RGB PNG built by hand: signature, IHDR, one zlib IDAT, IEND, each chunk with its CRC."""
    rows = b"".join(b"\x00" + b"\xff\x80\x00" * width for _ in range(height))  # filter 0, orange pixels
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(rows) if idat is None else idat)
        + _chunk(b"IEND", b"")
    )


def jpeg(size=(4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3)).save(buffer, "JPEG")
    return buffer.getvalue()


def pdf() -> bytes:
    return HTML(string="<p>技能等级证书</p>").write_pdf()


def upload(data: bytes, name: str = "scan.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def files_under(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()]


# --- personas and a nomination per unit ------------------------------------------------------------------


@pytest.fixture
def media(tmp_path):
    """A private MEDIA_ROOT for the test, so nothing is written under var/."""
    root = tmp_path / "files"
    with override_settings(MEDIA_ROOT=root):
        yield root


@pytest.fixture
def county(baling):
    return unit_of(baling, "county_union")


@pytest.fixture
def industry(baling):
    return unit_of(baling, "industry_union")


@pytest.fixture
def clerk_a(clerk_of, county):
    return clerk_of(county, "clerk_a")


@pytest.fixture
def clerk_b(clerk_of, industry):
    return clerk_of(industry, "clerk_b")


@pytest.fixture
def draft(baling, county, clerk_a, nominate):
    return nominate(baling, county, clerk_a)


def add(
    nomination, by, data, name="scan.pdf", kind=Attachment.Kind.CERTIFICATE, content_type="application/pdf"
):
    return attachment_add(
        by=by, nomination_id=nomination.pk, kind=kind, uploaded_file=upload(data, name, content_type)
    )


# --- accepted files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "name", "content_type"),
    [
        (pdf, "证书.pdf", "application/pdf"),
        (png, "照片.png", "image/png"),
        (jpeg, "身份证.jpg", "image/jpeg"),
    ],
)
def test_a_clerk_attaches_a_real_pdf_png_or_jpeg(media, draft, clerk_a, make, name, content_type):
    data = make()
    attachment = add(draft, clerk_a, data, name=name, content_type="application/octet-stream")

    attachment.refresh_from_db()
    assert attachment.content_type == content_type
    assert attachment.original_name == name
    assert attachment.size == len(data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.uploaded_by == clerk_a
    stored = media / attachment.file.name
    assert stored.read_bytes() == data
    assert stored.name != name  # stored under a random name, not the uploaded one
    assert attachment.history.get().history_user == clerk_a


def test_the_type_comes_from_the_content_not_the_name_or_the_browser(media, draft, clerk_a):
    attachment = add(draft, clerk_a, png(), name="scan.pdf", content_type="application/pdf")

    assert attachment.content_type == "image/png"
    assert attachment.file.name.endswith(".png")
    _, content_type, filename = attachment_open(by=clerk_a, attachment_id=attachment.pk)
    assert (content_type, filename) == ("image/png", "scan.pdf.png")


def test_a_path_in_the_uploaded_name_is_dropped(media, draft, clerk_a):
    attachment = add(draft, clerk_a, pdf(), name="../../etc/证书.pdf")
    assert attachment.original_name == "证书.pdf"
    assert (media / attachment.file.name).is_file()


def test_the_office_may_attach_to_any_unit_s_nomination(media, draft, office):
    assert add(draft, office, pdf()).uploaded_by == office


# --- refused files: nothing is saved -------------------------------------------------------------------


def _exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" * 8


def _bad_png_crc() -> bytes:
    data = bytearray(png())
    data[29] ^= 0xFF  # a byte of IHDR's CRC
    return bytes(data)


def _truncated_png() -> bytes:
    good = png()
    return good[:40] + good[-12:]  # IDAT cut short, IEND still at the end


def _fake_jpeg() -> bytes:
    return b"\xff\xd8\xff\xe0" + b"not really an image" * 4 + b"\xff\xd9"


def _jpeg_cut_short() -> bytes:
    whole = jpeg((64, 64))
    return whole[: len(whole) // 2]


def _jpeg_without(marker: int) -> bytes:
    """A real JPEG with every segment of one kind taken out (0xDB: its quantisation tables)."""
    whole = jpeg((16, 16))
    out, pos = bytearray(whole[:2]), 2
    while whole[pos + 1] != 0xDA:  # up to the first scan
        length = int.from_bytes(whole[pos + 2 : pos + 4], "big")
        if whole[pos + 1] != marker:
            out += whole[pos : pos + 2 + length]
        pos += 2 + length
    return bytes(out + whole[pos:])


def _png_whose_pixels_are_not_zlib() -> bytes:
    # Every chunk and CRC in order (it opens): only decoding finds the pixel data is garbage.
    return png(idat=b"these bytes are not zlib-compressed pixels")


def _pdf_header_only() -> bytes:
    return b"%PDF-1.7\nthis is a text file with a PDF header and nothing else\n"


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        pytest.param(
            "这是一段文字，不是 PDF。".encode(), "申报表.pdf", "application/pdf", id="text-named-pdf"
        ),
        pytest.param(_exe(), "photo.png", "image/png", id="exe-renamed-png"),
        pytest.param(b"<html><script>alert(1)</script></html>", "x.jpg", "image/jpeg", id="html-as-jpeg"),
        pytest.param(_bad_png_crc(), "photo.png", "image/png", id="png-with-a-bad-header-crc"),
        pytest.param(_truncated_png(), "photo.png", "image/png", id="png-cut-short"),
        pytest.param(_fake_jpeg(), "photo.jpg", "image/jpeg", id="jpeg-markers-around-text"),
        pytest.param(_jpeg_cut_short(), "photo.jpg", "image/jpeg", id="jpeg-cut-short"),
        pytest.param(_jpeg_without(0xDB), "photo.jpg", "image/jpeg", id="jpeg-without-quantisation-tables"),
        pytest.param(_jpeg_without(0xC0), "photo.jpg", "image/jpeg", id="jpeg-without-a-frame"),
        pytest.param(_png_whose_pixels_are_not_zlib(), "photo.png", "image/png", id="png-pixels-garbage"),
        pytest.param(_pdf_header_only(), "form.pdf", "application/pdf", id="pdf-header-only"),
        pytest.param(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "anim.gif", "image/gif", id="gif"),
    ],
)
def test_a_file_that_is_not_a_real_pdf_jpeg_or_png_is_refused_and_nothing_saved(
    media, draft, clerk_a, data, name, content_type
):
    with pytest.raises(ValidationFailed) as refused:
        add(draft, clerk_a, data, name=name, content_type=content_type)

    assert refused.value.field == "file"
    assert refused.value.zh and refused.value.en
    assert not Attachment.objects.exists()
    assert files_under(media) == []


def _jpeg_claiming(width: int, height: int) -> bytes:
    data = bytearray(jpeg((8, 8)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (png(width=8000, height=6000, idat=zlib.compress(b"")), "photo.png"),
        (_jpeg_claiming(8000, 6000), "photo.jpg"),
    ],
)
def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded(media, draft, clerk_a, data, name):
    # 8000 × 6000 declared in a file of a few hundred bytes: decoding it would take 144 MB of memory.
    with pytest.raises(ValidationFailed, match="too many pixels") as refused:
        add(draft, clerk_a, data, name=name)
    assert refused.value.field == "file"
    assert files_under(media) == []


def test_a_file_over_the_limit_is_refused_and_one_at_the_limit_is_taken(media, draft, clerk_a):
    data = png()
    with override_settings(ATTACHMENT_MAX_BYTES=len(data) - 1):
        with pytest.raises(ValidationFailed, match="too large") as refused:
            add(draft, clerk_a, data, name="photo.png")
    assert refused.value.field == "file"
    assert not Attachment.objects.exists()
    assert files_under(media) == []

    with override_settings(ATTACHMENT_MAX_BYTES=len(data)):
        add(draft, clerk_a, data, name="photo.png")
    assert Attachment.objects.count() == 1


def test_the_limit_is_ten_megabytes_unless_set(media, draft, clerk_a):
    from django.conf import settings

    assert not hasattr(settings, "ATTACHMENT_MAX_BYTES")
    eleven_mb = b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024) + b"\n%%EOF\n"
    with pytest.raises(ValidationFailed, match="10.0 MB"):
        add(draft, clerk_a, eleven_mb)
    assert files_under(media) == []


def test_an_empty_file_is_refused(media, draft, clerk_a):
    with pytest.raises(ValidationFailed, match="empty") as refused:
        add(draft, clerk_a, b"", name="empty.pdf")
    assert refused.value.field == "file"
    assert not Attachment.objects.exists()
    assert files_under(media) == []


def test_a_photo_must_be_an_image(media, draft, clerk_a):
    with pytest.raises(ValidationFailed, match="photo") as refused:
        add(draft, clerk_a, pdf(), kind=Attachment.Kind.PHOTO)
    assert refused.value.field == "file"
    assert files_under(media) == []


def test_an_unknown_kind_is_refused(media, draft, clerk_a):
    with pytest.raises(ValidationFailed) as refused:
        add(draft, clerk_a, pdf(), kind="selfie")
    assert refused.value.field == "kind"
    assert files_under(media) == []


# --- when and by whom a file may be added --------------------------------------------------------------


def test_a_submitted_nomination_still_takes_the_signed_form(media, draft, clerk_a):
    intake.nomination_submit(by=clerk_a, nomination_id=draft.pk)
    signed = add(draft, clerk_a, pdf(), name="签章申报表.pdf", kind=Attachment.Kind.SIGNED_FORM)
    assert signed.nomination.status == Nomination.Status.SUBMITTED


@pytest.mark.parametrize(
    "status", [Nomination.Status.QUALIFIED, Nomination.Status.NAMED, Nomination.Status.WITHDRAWN]
)
def test_a_nomination_past_submission_takes_no_more_files(media, draft, clerk_a, office, status):
    Nomination.objects.filter(pk=draft.pk).update(status=status)
    for user in (clerk_a, office):
        with pytest.raises(Conflict) as refused:
            add(draft, user, pdf())
        assert refused.value.field == "file"
    assert files_under(media) == []


def test_a_clerk_of_another_unit_cannot_tell_the_nomination_exists(media, draft, clerk_b):
    with pytest.raises(NotFound):
        add(draft, clerk_b, pdf())
    with pytest.raises(NotFound):
        attachment_add(by=clerk_b, nomination_id=10**9, kind="other", uploaded_file=upload(pdf()))
    assert files_under(media) == []


def test_the_auditor_sees_the_nomination_but_may_not_add_files(media, draft, auditor):
    with pytest.raises(NotPermitted):
        add(draft, auditor, pdf())
    assert files_under(media) == []


# --- who may open what ------------------------------------------------------------------------------------


@pytest.fixture
def certificate(media, draft, clerk_a):
    return add(draft, clerk_a, pdf(), name="技能等级证书.pdf")


def _opened(user, attachment):
    handle, content_type, filename = attachment_open(by=user, attachment_id=attachment.pk)
    with handle:
        return handle.read(), content_type, filename


def test_the_unit_s_clerk_the_office_and_the_auditor_open_the_file(certificate, clerk_a, office, auditor):
    expected = (
        certificate.file.storage.open(certificate.file.name).read(),
        "application/pdf",
        "技能等级证书.pdf",
    )
    for user in (clerk_a, office, auditor):
        assert _opened(user, certificate) == expected


def test_an_expert_opens_files_only_of_nominations_assigned_to_them(certificate, draft, make_user):
    assigned = make_user("erin", Role.EXPERT)
    other = make_user("ezra", Role.EXPERT)
    ExpertAssignment.objects.create(nomination=draft, expert=assigned)

    assert _opened(assigned, certificate)[1] == "application/pdf"
    with pytest.raises(NotFound):
        attachment_open(by=other, attachment_id=certificate.pk)


def test_anyone_else_gets_not_found_exactly_as_for_a_missing_file(certificate, clerk_b, nobody, maker):
    missing = 10**9
    with pytest.raises(NotFound) as for_missing:
        attachment_open(by=clerk_b, attachment_id=missing)
    for user in (clerk_b, nobody, maker):
        with pytest.raises(NotFound) as hidden:
            attachment_open(by=user, attachment_id=certificate.pk)
        # The same message with the other number: nothing tells an existing file from a missing one.
        assert hidden.value.zh.replace(str(certificate.pk), "#") == for_missing.value.zh.replace(
            str(missing), "#"
        )
        assert hidden.value.en.replace(str(certificate.pk), "#") == for_missing.value.en.replace(
            str(missing), "#"
        )


def test_opening_an_identity_card_scan_is_recorded_as_an_unmasking(media, draft, clerk_a, office, auditor):
    card = add(draft, clerk_a, jpeg(), name="身份证.jpg", kind=Attachment.Kind.ID_CARD)
    certificate = add(draft, clerk_a, pdf())

    _opened(auditor, certificate)
    assert not PersonalDataAccess.objects.exists()
    with pytest.raises(NotPermitted):
        attachment_open(by=auditor, attachment_id=card.pk)  # the auditor sees personal data masked only
    assert not PersonalDataAccess.objects.exists()
    _opened(office, card)
    shown = PersonalDataAccess.objects.get()
    assert (shown.user, shown.subject_type, shown.subject_id) == (
        office,
        "honourees.attachment",
        str(card.pk),
    )


def test_files_are_not_reachable_under_static_or_media_urls(certificate, client, office):
    name = certificate.file.name
    client.force_login(office)
    for url in (f"/media/{name}", f"/static/{name}", f"/{name}", f"/static/../{name}", f"/files/{name}"):
        assert client.get(url).status_code == 404, url


# --- deleting ------------------------------------------------------------------------------------------------


def test_the_clerk_deletes_a_draft_s_file_and_it_leaves_the_disk_on_commit(
    certificate, media, clerk_a, django_capture_on_commit_callbacks
):
    path = media / certificate.file.name
    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(by=clerk_a, attachment_id=certificate.pk)

    assert not Attachment.objects.exists()
    assert not path.exists()
    deletion = Attachment.history.filter(id=certificate.pk).latest("history_date")
    assert (deletion.history_type, deletion.history_user) == ("-", clerk_a)


def test_a_delete_that_is_rolled_back_keeps_the_row_and_the_file(
    certificate, media, clerk_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            attachment_delete(by=clerk_a, attachment_id=certificate.pk)
            raise RuntimeError("something later in the same request fails")

    assert Attachment.objects.filter(pk=certificate.pk).exists()
    assert (media / certificate.file.name).exists()


def test_a_submitted_nomination_s_files_stay(certificate, draft, media, clerk_a, office):
    intake.nomination_submit(by=clerk_a, nomination_id=draft.pk)
    for user in (clerk_a, office):
        with pytest.raises(Conflict):
            attachment_delete(by=user, attachment_id=certificate.pk)
    assert Attachment.objects.filter(pk=certificate.pk).exists()
    assert (media / certificate.file.name).exists()


def test_only_the_unit_s_clerk_or_the_office_may_delete(
    certificate, clerk_b, auditor, office, django_capture_on_commit_callbacks
):
    with pytest.raises(NotFound):
        attachment_delete(by=clerk_b, attachment_id=certificate.pk)
    with pytest.raises(NotPermitted):
        attachment_delete(by=auditor, attachment_id=certificate.pk)
    assert Attachment.objects.filter(pk=certificate.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(by=office, attachment_id=certificate.pk)
    assert not Attachment.objects.exists()
