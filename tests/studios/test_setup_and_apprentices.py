"""Setting a studio up (and what funding is told), apprentices under agreement, skill upgrades on the ladder,
evidence by content, pauses — each bad input refused naming its field, nothing half-saved."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from backend.errors import Conflict, NotPermitted, TransitionNotAllowed, ValidationFailed
from backend.roles import Role
from honourees.models import Person
from studios import selectors
from studios.models import Apprentice, SkillUpgrade, Studio, StudioFile, StudioPause
from studios.services.apprentices import apprentice_add, apprentice_update, skill_upgrade_record
from studios.services.evidence import studio_file_add
from studios.services.studios import (
    pause_record,
    studio_assessor_add,
    studio_close,
    studio_create,
    studio_establish,
    studio_update,
)
from studios.signals import studio_closed, studio_established

from .conftest import PLAQUE, add_apprentice, honouree, pdf_upload, person, png_upload, set_up_studio

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    """What a funding receiver would have heard: (signal name, payload)."""
    got = []

    def on_established(sender, **kw):
        got.append(("established", kw))

    def on_closed(sender, **kw):
        got.append(("closed", kw))

    studio_established.connect(on_established)
    studio_closed.connect(on_closed)
    yield got
    studio_established.disconnect(on_established)
    studio_closed.disconnect(on_closed)


def create(baling, office, host, **kw):
    data = {
        "name": "周建华工作室",
        "institution_name": "岳阳职业技术学院产业学院",
        "institution_kind": "vocational_college_industry_college",
    }
    data.update(kw)
    h = data.pop("honouree", None) or honouree(baling, office)
    return studio_create(by=office, honouree_id=h.pk, host_id=host.pk, **data)


def test_setting_up_tells_funding_and_the_condition_holds_for_a_counting_institution(
    baling, rubric, office, host_a, heard
):
    studio = create(baling, office, host_a)
    h = studio.honouree
    condition = baling.rules["award"]["by_tier"]["named"]["instalments"][1]["conditions"][0]
    assert not selectors.condition_met(h, condition)
    with pytest.raises(ValidationFailed) as e:
        studio_establish(by=office, studio_id=studio.pk, plaque_date=PLAQUE)
    assert e.value.field == "file" and "挂牌" in e.value.zh, "no evidence, no establishment"
    studio_file_add(by=office, studio_id=studio.pk, kind="establishment", uploaded_file=png_upload())
    studio = studio_establish(by=office, studio_id=studio.pk, plaque_date=PLAQUE)
    assert (studio.status, studio.plaque_date) == ("established", PLAQUE)
    assert [name for name, _kw in heard] == ["established"]
    payload = heard[0][1]
    assert (payload["studio"], payload["honouree"], payload["plaque_date"], payload["by"]) == (
        studio,
        h,
        PLAQUE,
        office,
    )
    assert payload["institution_kind"] == "vocational_college_industry_college"
    assert selectors.condition_met(h, condition)
    assert selectors.condition_met(h, condition, on=PLAQUE - dt.timedelta(days=1)) is False
    studio_establish(by=office, studio_id=studio.pk, plaque_date=PLAQUE)
    assert len(heard) == 1, "a double click establishes once"


def test_an_enterprise_studio_does_not_meet_the_baling_condition(baling, rubric, office, host_a):
    studio = set_up_studio(baling, office, host_a, kind="enterprise")
    condition = {
        "kind": "studio_established",
        "params": {"institution_kinds": selectors.counting_institution_kinds(baling)},
    }
    assert selectors.counting_institution_kinds(baling) == [
        "vocational_college_industry_college",
        "university_internship_base",
    ]
    assert not selectors.condition_met(studio.honouree, condition)
    assert selectors.condition_met(studio.honouree, {"kind": "studio_established", "params": {}})


@pytest.mark.parametrize(
    ("plaque", "field", "words"),
    [
        (timezone.localdate() + dt.timedelta(days=1), "plaque_date", "今天之后"),
        (dt.date(2023, 11, 30), "plaque_date", "命名日期"),
    ],
    ids=["future", "before-naming"],
)
def test_a_bad_plaque_date_is_refused(baling, rubric, office, host_a, plaque, field, words):
    studio = create(baling, office, host_a)
    studio_file_add(by=office, studio_id=studio.pk, kind="establishment", uploaded_file=png_upload())
    with pytest.raises(ValidationFailed) as e:
        studio_establish(by=office, studio_id=studio.pk, plaque_date=plaque)
    assert e.value.field == field and words in e.value.zh
    assert Studio.objects.get().status == "planned"


def test_bad_studio_details_are_refused_together(baling, rubric, office, host_a):
    with pytest.raises(ValidationFailed) as e:
        create(baling, office, host_a, name="", institution_kind="school")
    assert {x.field for x in e.value.errors} == {"name", "institution_kind"}
    assert not Studio.objects.exists()


def test_the_host_needs_the_host_role_and_cannot_verify_their_own_hours(
    baling, rubric, office, host_a, auditor
):
    with pytest.raises(ValidationFailed) as e:
        create(baling, office, auditor)
    assert e.value.field == "host"
    with pytest.raises(ValidationFailed) as e:
        studio_create(
            by=office,
            honouree_id=honouree(baling, office).pk,
            host_id=host_a.pk,
            name="x",
            institution_name="y",
            institution_kind="other",
            contact_id=host_a.pk,
        )
    assert e.value.field == "contact"


def test_only_the_office_sets_up_and_one_open_studio_per_honouree(baling, rubric, office, host_a, host_b):
    h = honouree(baling, office)
    with pytest.raises(NotPermitted):
        create(baling, host_a, host_a, honouree=h)
    create(baling, office, host_a, honouree=h)
    with pytest.raises(Conflict) as e:
        create(baling, office, host_b, honouree=h)
    assert e.value.field == "honouree"


def test_an_established_studio_keeps_its_institution(studio_a, host_a, office):
    with pytest.raises(Conflict) as e:
        studio_update(by=office, studio_id=studio_a.pk, institution_kind="enterprise")
    assert e.value.field == "institution_kind"
    studio_update(by=host_a, studio_id=studio_a.pk, name="周建华钳工工作室", address="学院路 1 号")
    with pytest.raises(NotPermitted):
        studio_update(by=host_a, studio_id=studio_a.pk, contact_id=None)


def test_closing_tells_funding_and_is_final(studio_a, office, heard):
    studio_close(by=office, studio_id=studio_a.pk, closed_on=dt.date(2025, 6, 1), reason="领办人调离岳阳")
    assert heard[-1][0] == "closed" and heard[-1][1]["reason"] == "领办人调离岳阳"
    with pytest.raises(TransitionNotAllowed):
        studio_close(by=office, studio_id=studio_a.pk, closed_on=dt.date(2025, 6, 1), reason="again")


def test_evidence_that_is_not_an_image_or_pdf_is_refused_with_no_file_left(studio_a, host_a, media):
    before = sorted(media.rglob("*.*"))
    for data, name in [
        (b"PK\x03\x04 a zip", "evidence.pdf"),
        (b"%PDF-1.7 cut short", "scan.pdf"),
        (b"", "empty.png"),
    ]:
        with pytest.raises(ValidationFailed) as e:
            studio_file_add(
                by=host_a,
                studio_id=studio_a.pk,
                kind="establishment",
                uploaded_file=SimpleUploadedFile(name, data, content_type="application/pdf"),
            )
        assert e.value.field == "file"
    assert StudioFile.objects.filter(kind="establishment").count() == 1
    assert sorted(media.rglob("*.*")) == before


# --- apprentices -----------------------------------------------------------------------------------------------


def test_an_apprentice_is_added_with_their_identity_checked(studio_a, host_a):
    app = add_apprentice(studio_a, host_a, "李明", level="junior")
    assert (app.current_level, app.person.name) == ("junior", "李明")
    assert app.files.get().kind == "agreement"


def test_bad_apprentice_input_is_refused_naming_each_field(studio_a, host_a):
    p = person("李明")
    p["id_number"] = p["id_number"][:-1] + ("0" if p["id_number"][-1] != "0" else "1")
    with pytest.raises(ValidationFailed) as e:
        apprentice_add(
            by=host_a,
            studio_id=studio_a.pk,
            person=p,
            skill_level="master",
            agreement_start=dt.date(2025, 3, 1),
            agreement_end=dt.date(2025, 2, 1),
        )
    assert {x.field for x in e.value.errors} == {"id_number", "skill_level", "agreement_end"}
    assert not Apprentice.objects.exists() and not Person.objects.filter(name="李明").exists()


def test_a_name_that_disagrees_with_the_registered_identity_number_is_refused_without_revealing_it(
    studio_a, studio_b, host_a, host_b
):
    app = add_apprentice(studio_a, host_a, "李明")
    p = {"name": "李四", "id_number": app.person.id_number}
    with pytest.raises(ValidationFailed) as e:
        apprentice_add(
            by=host_b, studio_id=studio_b.pk, person=p, skill_level="junior", agreement_start=PLAQUE
        )
    assert e.value.field == "id_number" and "李明" not in e.value.zh


def test_an_apprentice_is_once_per_studio_and_the_host_is_never_one(studio_a, host_a):
    app = add_apprentice(studio_a, host_a, "李明")
    same = {"name": "李明", "id_number": app.person.id_number}
    with pytest.raises(ValidationFailed) as e:
        apprentice_add(
            by=host_a, studio_id=studio_a.pk, person=same, skill_level="junior", agreement_start=PLAQUE
        )
    assert e.value.field == "id_number" and "已是" in e.value.zh
    me = studio_a.honouree.person
    with pytest.raises(ValidationFailed) as e:
        apprentice_add(
            by=host_a,
            studio_id=studio_a.pk,
            person={"name": me.name, "id_number": me.id_number},
            skill_level="junior",
            agreement_start=PLAQUE,
        )
    assert e.value.field == "id_number"


def test_an_agreement_cannot_be_cut_short_of_a_session_attended(studio_a, host_a, apprentices_a):
    from .conftest import log

    log(studio_a, host_a, dt.date(2025, 5, 6), apprentices_a)
    with pytest.raises(ValidationFailed) as e:
        apprentice_update(by=host_a, apprentice_id=apprentices_a[0].pk, agreement_end=dt.date(2025, 5, 5))
    assert e.value.field == "agreement_end"
    apprentice_update(by=host_a, apprentice_id=apprentices_a[0].pk, agreement_end=dt.date(2025, 5, 6))


def test_skill_upgrades_climb_the_ladder_with_a_certificate(studio_a, host_a, apprentices_a):
    app = apprentices_a[0]  # 中级工
    up = skill_upgrade_record(
        by=host_a,
        apprentice_id=app.pk,
        to_level="senior",
        achieved_on=dt.date(2025, 6, 20),
        certificate_no="S4306002025001",
        certificate_file=pdf_upload("证书.pdf"),
    )
    app.refresh_from_db()
    assert (up.from_level, up.to_level, app.current_level) == ("intermediate", "senior", "senior")
    assert up.files.get().kind == "certificate"


@pytest.mark.parametrize(
    ("to_level", "achieved_on", "certificate", "field"),
    [
        ("intermediate", dt.date(2025, 6, 1), "C1", "to_level"),  # not higher than now
        ("junior", dt.date(2025, 6, 1), "C1", "to_level"),  # down the ladder
        ("grandmaster", dt.date(2025, 6, 1), "C1", "to_level"),
        ("senior", timezone.localdate() + dt.timedelta(days=1), "C1", "achieved_on"),
        ("senior", PLAQUE - dt.timedelta(days=1), "C1", "achieved_on"),  # before the agreement
        ("senior", dt.date(2025, 6, 1), " ", "certificate_no"),
    ],
)
def test_a_bad_skill_upgrade_is_refused(
    studio_a, host_a, apprentices_a, to_level, achieved_on, certificate, field
):
    with pytest.raises(ValidationFailed) as e:
        skill_upgrade_record(
            by=host_a,
            apprentice_id=apprentices_a[0].pk,
            to_level=to_level,
            achieved_on=achieved_on,
            certificate_no=certificate,
        )
    assert e.value.field == field
    assert not SkillUpgrade.objects.exists()
    assert Apprentice.objects.get(pk=apprentices_a[0].pk).current_level == "intermediate"


def test_a_certificate_that_is_not_a_pdf_or_image_leaves_no_upgrade(studio_a, host_a, apprentices_a):
    with pytest.raises(ValidationFailed) as e:
        skill_upgrade_record(
            by=host_a,
            apprentice_id=apprentices_a[0].pk,
            to_level="senior",
            achieved_on=dt.date(2025, 6, 1),
            certificate_no="C1",
            certificate_file=SimpleUploadedFile("c.pdf", b"<html>not a pdf</html>"),
        )
    assert e.value.field == "file"
    assert not SkillUpgrade.objects.exists()


# --- pauses ---------------------------------------------------------------------------------------------------


def test_pauses_are_the_offices_and_do_not_overlap(studio_a, office, host_a):
    with pytest.raises(NotPermitted):
        pause_record(
            by=host_a,
            studio_id=studio_a.pk,
            starts_on=dt.date(2025, 3, 1),
            ends_on=dt.date(2025, 5, 31),
            reason="住院",
        )
    pause_record(
        by=office,
        studio_id=studio_a.pk,
        starts_on=dt.date(2025, 3, 1),
        ends_on=dt.date(2025, 5, 31),
        reason="住院治疗",
    )
    with pytest.raises(ValidationFailed) as e:
        pause_record(
            by=office,
            studio_id=studio_a.pk,
            starts_on=dt.date(2025, 5, 31),
            ends_on=dt.date(2025, 6, 30),
            reason="外派",
        )
    assert e.value.field == "starts_on"
    with pytest.raises(ValidationFailed) as e:
        pause_record(
            by=office,
            studio_id=studio_a.pk,
            starts_on=dt.date(2025, 8, 2),
            ends_on=dt.date(2025, 8, 1),
            reason="",
        )
    assert {x.field for x in e.value.errors} == {"ends_on", "reason"}
    assert StudioPause.objects.count() == 1


def test_a_pause_lowers_this_years_targets_on_the_hosts_progress(studio_a, office):
    before = {
        b.code: b.target
        for b in selectors.progress_for([studio_a], today=dt.date(2025, 7, 1))[studio_a.pk].bars
    }
    # 2025-01-06 … 2026-01-05 is 365 days; a pause of 91 days leaves 274 / 365 = 75.07%.
    pause_record(
        by=office,
        studio_id=studio_a.pk,
        starts_on=dt.date(2025, 3, 1),
        ends_on=dt.date(2025, 5, 30),
        reason="住院",
    )
    p = selectors.progress_for([Studio.objects.get(pk=studio_a.pk)], today=dt.date(2025, 7, 1))[studio_a.pk]
    after = {b.code: b.target for b in p.bars}
    assert p.paused_days == 91
    assert before == {"agreements": 5, "roster": 10, "high_skill": 3, "sessions": 24, "hours": 96}
    assert after == {"agreements": 4, "roster": 8, "high_skill": 2, "sessions": 18, "hours": Decimal("72.1")}


def test_roles_without_studio_rights_cannot_write(studio_a, auditor, make_user):
    expert = make_user("ezra", Role.EXPERT)
    with pytest.raises(NotPermitted):
        studio_assessor_add(by=auditor, studio_id=studio_a.pk, user_id=expert.pk)
