"""Demo data for the studios side: a named 巴陵工匠 with a studio in its first year, apprentices and sessions.

``load_demo_studio(host=..., office=...)`` is idempotent: a second run finds the studio and changes nothing.
It needs the seed rounds (``honourees.demo.load_seeds``) and the demo users. The honouree is made directly
(a named nomination from 巴陵石化工会, so the demo clerk's quota is untouched), because naming through the
services would close the 2023 round that the demo keeps open for nominations. Everything under the studio
goes through the services, as a host and the office would do it.
"""

from __future__ import annotations

import datetime as dt
import zlib

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from backend.history import save_as
from backend.idnumbers import id_check_char
from honourees.models import Honouree, Nomination, Person, RecommendingUnit, Round
from studios.models import InstitutionKind, Studio, StudioAssessor, StudioRubric
from studios.rubric import BALING_RUBRIC
from studios.services.apprentices import apprentice_add, skill_upgrade_record
from studios.services.assessments import rubric_save
from studios.services.evidence import studio_file_add
from studios.services.sessions import session_log, sessions_verify
from studios.services.studios import studio_create, studio_establish

HOST = ("周建华", dt.date(1975, 4, 12), "M")
APPRENTICES = [
    # name, birth date, gender, level at start, employer
    ("李明", dt.date(2001, 3, 8), "M", "junior", "岳阳职业技术学院"),
    ("王芳", dt.date(2002, 7, 21), "F", "intermediate", "岳阳职业技术学院"),
    ("张伟", dt.date(1999, 11, 2), "M", "intermediate", "巴陵石化机修厂"),
    ("刘洋", dt.date(2000, 1, 30), "M", "senior", "巴陵石化机修厂"),
    ("陈静", dt.date(2003, 5, 17), "F", "apprentice", "岳阳职业技术学院"),
    ("赵磊", dt.date(1998, 9, 9), "M", "intermediate", "岳阳中联重科"),
]
TOPICS = ["压缩机检修要点", "精密测量与公差", "钳工锉削实操", "故障诊断案例", "技能大赛备赛", "设备点检规范"]


def demo_id(birth: dt.date, gender: str, n: int) -> str:
    body = f"430603{birth:%Y%m%d}{n % 100:02d}{1 if gender == 'M' else 2}"
    return body + id_check_char(body)


def tiny_png() -> bytes:
    """A valid 1×1 PNG (honourees.attachments checks every chunk)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")

    ihdr = (1).to_bytes(4, "big") + (1).to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00\xb4\x23\x18"))
        + chunk(b"IEND", b"")
    )


def tiny_pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def ensure_rubric(round_: Round, *, by: User) -> StudioRubric:
    existing = StudioRubric.objects.filter(round=round_).first()
    if existing is not None:
        return existing
    data = BALING_RUBRIC
    return rubric_save(
        by=by,
        round_id=round_.pk,
        items=data["items"],
        pass_line=data["pass_line"],
        excellent_line=data["excellent_line"],
        excellent_cap=data["excellent_cap"],
        rectification_months=data["rectification_months"],
    )


def ensure_named_honouree(
    round_: Round,
    *,
    by,
    name: str,
    birth: dt.date,
    gender: str,
    serial: int,
    named_on: dt.date,
    unit_name: str = "巴陵石化工会",
) -> Honouree:
    """A named honouree of the round, made directly (see the module docstring); found again on a rerun."""
    id_number = demo_id(birth, gender, serial)
    person = Person.objects.filter(id_number=id_number).first() or save_as(
        Person(id_number=id_number, name=name, gender=gender, birth_date=birth), by=by
    )
    honouree = Honouree.objects.filter(round=round_, person=person).first()
    if honouree is not None:
        return honouree
    unit = RecommendingUnit.objects.get(scheme=round_.scheme, name=unit_name)
    nomination = save_as(
        Nomination(
            round=round_,
            unit=unit,
            person=person,
            status=Nomination.Status.NAMED,
            tier="named",
            trade="钳工",
            employer="岳阳巴陵石化机修厂",
            skill_level="senior_technician",
            category="manufacturing",
            industry="石油化工",
            brief_deeds=f"{name}同志扎根设备检修一线三十年，带徒传艺。",
        ),
        by=by,
        reason="demo: named",
    )
    seq = Honouree.objects.filter(round=round_).count() + 1
    return save_as(
        Honouree(
            person=person,
            round=round_,
            nomination=nomination,
            tier="named",
            certificate_no=f"{round_.scheme.code.upper()}-{round_.year}-{seq:03d}",
            named_on=named_on,
            naming_document="岳人才领〔2023〕（演示）",
        ),
        by=by,
    )


@transaction.atomic
def load_demo_studio(*, host, office, assessor=None, today: dt.date | None = None) -> Studio:
    """The demo host's 巴陵 studio, eight months into its first year, with six apprentices and a session
    every fortnight (the older ones verified by the office, the recent ones waiting)."""
    today = today or timezone.localdate()
    round_ = Round.objects.get(scheme__code="baling", year=2023)
    ensure_rubric(round_, by=office)
    name, birth, gender = HOST
    honouree = ensure_named_honouree(
        round_, by=office, name=name, birth=birth, gender=gender, serial=1, named_on=dt.date(2023, 12, 1)
    )
    studio = Studio.objects.filter(honouree=honouree).exclude(status=Studio.Status.CLOSED).first()
    if studio is not None:
        return studio
    studio = studio_create(
        by=office,
        honouree_id=honouree.pk,
        host_id=host.pk,
        name="周建华巴陵工匠工作室",
        institution_name="岳阳职业技术学院智能制造产业学院",
        institution_kind=InstitutionKind.VOCATIONAL_COLLEGE_INDUSTRY_COLLEGE,
        address="岳阳市岳阳楼区学院路",
    )
    studio_file_add(
        by=office,
        studio_id=studio.pk,
        kind="establishment",
        uploaded_file=SimpleUploadedFile("挂牌照片.png", tiny_png(), "image/png"),
    )
    plaque = today - relativedelta(months=8)
    studio = studio_establish(by=office, studio_id=studio.pk, plaque_date=plaque)
    if assessor is not None:
        StudioAssessor.objects.get_or_create(studio=studio, user=assessor)
    apprentices = []
    for n, (app_name, app_birth, app_gender, level, employer) in enumerate(APPRENTICES, start=1):
        app = apprentice_add(
            by=host,
            studio_id=studio.pk,
            person={
                "name": app_name,
                "id_number": demo_id(app_birth, app_gender, 10 + n),
                "gender": app_gender,
                "birth_date": app_birth,
            },
            skill_level=level,
            agreement_start=plaque,
            agreement_end=plaque + relativedelta(years=3) - dt.timedelta(days=1),
            agreement_signed_on=plaque if n <= 4 else None,
            employer=employer,
            trade="钳工",
        )
        if n <= 4:
            studio_file_add(
                by=host,
                studio_id=studio.pk,
                kind="agreement",
                apprentice_id=app.pk,
                uploaded_file=SimpleUploadedFile(f"师带徒协议-{app_name}.pdf", tiny_pdf(), "application/pdf"),
            )
        apprentices.append(app)
    skill_upgrade_record(
        by=host,
        apprentice_id=apprentices[2].pk,
        to_level="senior",
        achieved_on=plaque + relativedelta(months=5),
        certificate_no="S430600202600123",
    )
    day, n = plaque + dt.timedelta(days=7), 0
    to_verify = []
    while day < today:
        attendees = [a.pk for i, a in enumerate(apprentices) if (i + n) % 3 != 0]
        session = session_log(
            by=host,
            studio_id=studio.pk,
            date=day,
            starts_at=dt.time(14, 0),
            ends_at=dt.time(17, 30),
            kind="practice" if n % 2 else "teaching",
            topic=TOPICS[n % len(TOPICS)],
            location="产业学院钳工实训室",
            attendee_ids=attendees,
        )
        if (today - day).days > 21:
            to_verify.append(session.pk)
        day, n = day + dt.timedelta(days=14), n + 1
    if to_verify:
        sessions_verify(by=office, session_ids=to_verify)
    return studio
