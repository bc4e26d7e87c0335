"""Studio fixtures: personas (two hosts, the institution contact, an assessor), a named 巴陵 honouree with an
established studio, apprentices, and real files."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from backend.roles import Role
from honourees.demo import load_seeds
from honourees.models import Round
from studios.demo import ensure_named_honouree, ensure_rubric, tiny_pdf, tiny_png
from studios.models import InstitutionKind, StudioAssessor
from studios.services.apprentices import apprentice_add
from studios.services.evidence import studio_file_add
from studios.services.sessions import session_log
from studios.services.studios import studio_create, studio_establish
from tests.conftest import PASSWORD
from tests.honourees.conftest import make_id

_serial = itertools.count(2)

PLAQUE = dt.date(2025, 1, 6)  # a Monday; period 1 runs 2025-01-06 … 2026-01-05


@pytest.fixture(autouse=True)
def media(tmp_path):
    """A private MEDIA_ROOT for each test, so nothing is written under var/."""
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"


@pytest.fixture
def baling(db) -> Round:
    load_seeds()
    return Round.objects.get(scheme__code="baling", year=2023)


@pytest.fixture
def rubric(baling, office):
    return ensure_rubric(baling, by=office)


@pytest.fixture
def host_a(make_user):
    return make_user("hank", Role.STUDIO_HOST, last_name="周建华")


@pytest.fixture
def host_b(make_user):
    return make_user("hilda", Role.STUDIO_HOST, last_name="吴秀兰")


@pytest.fixture
def contact(make_user):
    """The host institution's contact: no role of their own, linked to the studio to verify hours."""
    return make_user("connie", last_name="产业学院 孙老师")


@pytest.fixture
def assessor(make_user):
    return make_user("erin", Role.EXPERT)


def png_upload(name="photo.png"):
    return SimpleUploadedFile(name, tiny_png(), content_type="image/png")


def pdf_upload(name="agreement.pdf"):
    return SimpleUploadedFile(name, tiny_pdf(), content_type="application/pdf")


def honouree(baling, office, name="周建华"):
    return ensure_named_honouree(
        baling,
        by=office,
        name=name,
        birth=dt.date(1975, 4, 12),
        gender="M",
        serial=next(_serial),
        named_on=dt.date(2023, 12, 1),
    )


def set_up_studio(
    baling,
    office,
    host,
    *,
    contact=None,
    assessor=None,
    plaque=PLAQUE,
    name="周建华",
    kind=InstitutionKind.VOCATIONAL_COLLEGE_INDUSTRY_COLLEGE,
):
    h = honouree(baling, office, name)
    studio = studio_create(
        by=office,
        honouree_id=h.pk,
        host_id=host.pk,
        name=f"{name}工作室",
        institution_name="岳阳职业技术学院产业学院",
        institution_kind=kind,
        contact_id=contact.pk if contact else None,
    )
    studio_file_add(by=office, studio_id=studio.pk, kind="establishment", uploaded_file=png_upload())
    studio = studio_establish(by=office, studio_id=studio.pk, plaque_date=plaque)
    if assessor is not None:
        StudioAssessor.objects.create(studio=studio, user=assessor)
    return studio


def person(name="李明", birth=dt.date(2001, 3, 8), gender="M"):
    return {"name": name, "id_number": make_id(birth, gender), "gender": gender, "birth_date": birth}


def add_apprentice(studio, by, name="李明", *, level="intermediate", start=PLAQUE, end=None, signed=True):
    app = apprentice_add(
        by=by,
        studio_id=studio.pk,
        person=person(name),
        skill_level=level,
        agreement_start=start,
        agreement_end=end,
        agreement_signed_on=start if signed else None,
        employer="岳阳职业技术学院",
    )
    if signed:
        studio_file_add(
            by=by, studio_id=studio.pk, kind="agreement", apprentice_id=app.pk, uploaded_file=pdf_upload()
        )
    return app


def log(studio, by, day, apprentices, *, start=dt.time(14, 0), end=dt.time(18, 0), topic="钳工实操", **extra):
    return session_log(
        by=by,
        studio_id=studio.pk,
        date=day,
        starts_at=start,
        ends_at=end,
        topic=topic,
        attendee_ids=[a.pk for a in apprentices],
        **extra,
    )


@pytest.fixture
def studio_a(baling, rubric, office, host_a, contact, assessor):
    return set_up_studio(baling, office, host_a, contact=contact, assessor=assessor)


@pytest.fixture
def studio_b(baling, rubric, office, host_b):
    return set_up_studio(baling, office, host_b, name="吴秀兰")


@pytest.fixture
def apprentices_a(studio_a, host_a):
    return [add_apprentice(studio_a, host_a, n) for n in ("李明", "王芳", "张伟")]


def logged_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client
