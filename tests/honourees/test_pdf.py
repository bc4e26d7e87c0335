"""The 推荐申报表 PDF: A4, laid out like 巴陵's 附件1, Chinese text in an embedded CJK font, ID masked by role."""

import datetime as dt
import io
import struct
import subprocess
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from pypdf import PdfReader

from backend.idnumbers import mask_id_number
from backend.models import PersonalDataAccess
from honourees.attachments import attachment_add
from honourees.models import Attachment
from honourees.pdf import cn_date, nomination_pdf
from honourees.selectors.intake import nominations_for

from .conftest import person_data, unit_of

A4 = (595.28, 841.89)
EMPLOYER = "岳阳<script>alert(1)</script>机械&电子有限公司"
DEEDS = "扎根一线二十余年，攻克<script>难题&提高效率30%。"
# cover, 填表说明, identity and résumé, awards and patents, the three narratives, deeds and opinions
BALING_PAGES = 6


def text_of(pdf: bytes, page: int | None = None) -> str:
    """The text by pypdf, in drawing order (a wrapped cell stays together), all whitespace removed.

    ``page`` counts from 1.
    """
    pages = PdfReader(io.BytesIO(pdf)).pages
    chosen = pages if page is None else [pages[page - 1]]
    return "".join("".join(p.extract_text().split()) for p in chosen)


def poppler_text(pdf: bytes) -> str:
    """The text as poppler's pdftotext reads it (a second, independent extractor), whitespace removed."""
    out = subprocess.run(
        ["/usr/bin/pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout
    return "".join(out.decode("utf-8").split())


def font_names(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


def png(width=2, height=3) -> bytes:
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\xc0\x20\x20" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def baling(rounds, clerk_of, nominate):
    """A 巴陵 draft whose free text holds markup and ampersands, and its unit's clerk."""
    round_ = rounds["baling"]
    unit = unit_of(round_, "county_union")
    clerk = clerk_of(unit)
    nomination = nominate(
        round_,
        unit,
        clerk,
        person=person_data("欧阳<b>明&", birth=dt.date(1980, 5, 17)),
        employer=EMPLOYER,
        ethnicity="汉族",
        political_status="中共党员",
        native_place="湖南岳阳",
        phone="13800000000",
        email="ouyang@example.com",
        resume=[
            {"from": "1996-09", "to": "1999-07", "what": "岳阳技工学校学习"},
            {"from": "2000-07", "to": "", "what": "岳阳机械厂数控车工、班组长"},
        ],
        patents=[
            {
                "term": "2018-01-01至2038-01-01",
                "name": "一种夹具",
                "authority": "国家知识产权局",
                "owner": "岳阳机械厂",
            }
        ],
        innovation_work="主持技术革新10项。",
        mentoring_work="带徒12名。",
        brief_deeds=DEEDS,
        employer_opinion="同意推荐。",
        declaration_signed_on="2023-09-20",
    )
    return nomination, clerk


def test_the_form_is_a4_with_cover_instructions_and_table_pages(baling, auditor):
    nomination, _ = baling
    pdf = nomination_pdf(nomination, user=auditor)

    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == BALING_PAGES
    for page in pages:
        assert float(page.mediabox.width) == pytest.approx(A4[0], abs=1)
        assert float(page.mediabox.height) == pytest.approx(A4[1], abs=1)
    cover, notes, identity = text_of(pdf, 1), text_of(pdf, 2), text_of(pdf, 3)
    assert "2023年“巴陵工匠”推荐申报表" in cover
    assert "欧阳<b>明&" in cover and EMPLOYER in cover and "数控车工" in cover and "装备制造" in cover
    assert "中共岳阳市委人才工作领导小组办公室" in cover and "2023年9月" in cover
    assert "填表说明" in notes and "如2010年1月1日" in notes
    assert "贴照片" in identity and "个人简历" in identity
    assert "奖项及荣誉名称" in text_of(pdf, 4) and "专利保护期" in text_of(pdf, 4)
    assert "开展技术传、帮、带工作情况" in text_of(pdf, 5)
    last = text_of(pdf, 6)
    assert "声明" in last and "同级组织部门意见" in last and last.count("（盖章）") == 3


def test_markup_in_the_text_is_printed_as_text_not_interpreted(baling, auditor):
    nomination, _ = baling
    text = text_of(nomination_pdf(nomination, user=auditor))

    # Autoescaping keeps every character: a <script> tag that reached the HTML would vanish from the text,
    # and an unescaped & could swallow what follows it.
    assert "推荐申报表" in text
    assert EMPLOYER in text
    assert "".join(DEEDS.split()) in text
    assert "&amp;" not in text and "&lt;" not in text


def test_another_pdf_reader_finds_the_same_chinese_text(baling, auditor):
    nomination, _ = baling
    text = poppler_text(nomination_pdf(nomination, user=auditor))

    assert "2023年“巴陵工匠”推荐申报表" in text
    assert "欧阳<b>明&" in text
    assert "".join(DEEDS.split()) in text
    assert mask_id_number(nomination.person.id_number) in text


def test_fields_are_filled_with_dates_written_as_the_instructions_ask(baling, auditor):
    nomination, _ = baling
    text = text_of(nomination_pdf(nomination, user=auditor))

    assert "1980年5月17日" in text  # 出生日期
    assert "2000年7月1日" in text  # 参加工作时间
    assert "22年" in text  # 本行业工作年限
    assert "高级技师(一级)" in text  # the skill level's label, not its code
    assert "1996年9月—1999年7月" in text and "2000年7月—至今" in text
    assert "2019年5月岳阳市技术能手岳阳市人社局市级1" in text  # one award row: 时间/名称/授予单位/等级/排名
    assert "2018年1月1日至2038年1月1日" in text and "国家知识产权局" in text
    assert "主持技术革新10项。" in text and "带徒12名。" in text
    assert "2023年9月20日" in text  # the declaration's date
    assert "ouyang@example.com" in text and "13800000000" in text


def test_the_identity_number_is_masked_for_the_auditor_and_whole_for_the_office(baling, auditor, office):
    nomination, _ = baling
    whole = nomination.person.id_number

    as_auditor = text_of(nomination_pdf(nomination, user=auditor))
    assert mask_id_number(whole) in as_auditor
    assert whole not in as_auditor
    assert not PersonalDataAccess.objects.exists()

    as_office = text_of(nomination_pdf(nomination, user=office))
    assert whole in as_office
    shown = PersonalDataAccess.objects.get()
    assert (shown.user, shown.subject_id, shown.field) == (office, str(nomination.person.pk), "id_number")


def test_the_clerk_sees_their_own_nominee_masked_too(baling):
    nomination, clerk = baling
    text = text_of(nomination_pdf(nomination, user=clerk))
    assert mask_id_number(nomination.person.id_number) in text
    assert nomination.person.id_number not in text


def test_the_pdf_embeds_a_cjk_font_so_chinese_does_not_print_as_boxes(baling, auditor):
    nomination, _ = baling
    names = font_names(nomination_pdf(nomination, user=auditor))
    assert names
    assert all("Noto" in name and "CJK" in name for name in names), names


def test_the_photo_attachment_is_printed_in_the_photo_cell(baling, auditor, tmp_path):
    nomination, clerk = baling
    with override_settings(MEDIA_ROOT=tmp_path):
        attachment_add(
            by=clerk,
            nomination_id=nomination.pk,
            kind=Attachment.Kind.PHOTO,
            uploaded_file=SimpleUploadedFile("photo.png", png(), content_type="image/png"),
        )
        pdf = nomination_pdf(nomination, user=auditor)

    identity_page = PdfReader(io.BytesIO(pdf)).pages[2]
    assert len(identity_page.images) == 1
    assert "贴照片" not in text_of(pdf, 3)


def test_a_photo_file_missing_from_storage_leaves_the_box_to_glue_one_on(baling, auditor, tmp_path):
    nomination, clerk = baling
    with override_settings(MEDIA_ROOT=tmp_path):
        photo = attachment_add(
            by=clerk,
            nomination_id=nomination.pk,
            kind=Attachment.Kind.PHOTO,
            uploaded_file=SimpleUploadedFile("photo.png", png()),
        )
        photo.file.storage.delete(photo.file.name)
        pdf = nomination_pdf(nomination, user=auditor)
    assert "贴照片" in text_of(pdf, 3)
    assert not PdfReader(io.BytesIO(pdf)).pages[2].images


def test_jinzhong_prints_the_other_departments_opinions_each_with_seal_and_date(
    rounds, clerk_of, nominate, auditor
):
    round_ = rounds["jinzhong"]
    unit = unit_of(round_, "county_hr_bureau")
    nomination = nominate(
        round_,
        unit,
        clerk_of(unit),
        employer="晋中液压件厂",
        department_opinions=[
            {"department": "市委政法委", "opinion": "未发现违法犯罪记录。"},
            {"department": "市卫健委", "opinion": "无计划生育违规情况。"},
        ],
    )
    pdf = nomination_pdf(nomination, user=auditor)
    text = text_of(pdf)

    assert "2019年“晋中工匠”推荐申报表" in text
    assert "市委政法委意见未发现违法犯罪记录。" in text
    assert "市卫健委意见无计划生育违规情况。" in text
    assert text.count("（盖章）") == 5  # employer, recommender, organisation department and the two


def test_a_baling_form_has_no_other_departments_rows(baling, auditor):
    nomination, _ = baling
    assert "政法委" not in text_of(nomination_pdf(nomination, user=auditor))


def test_rendering_the_form_takes_a_fixed_handful_of_queries(baling, auditor, django_assert_max_num_queries):
    nomination, _ = baling
    scoped = nominations_for(auditor).get(pk=nomination.pk)
    with django_assert_max_num_queries(2):  # the photo attachment and the viewer's roles
        nomination_pdf(scoped, user=auditor)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (dt.date(2010, 1, 1), "2010年1月1日"),
        ("2019-05", "2019年5月"),
        ("2019/05/08", "2019年5月8日"),
        ("2019", "2019年"),
        ("2019年5月", "2019年5月"),
        ("2018.01.01-2038.01.01", "2018年1月1日-2038年1月1日"),
        ("", ""),
        (None, ""),
    ],
)
def test_dates_are_written_with_arabic_numerals_and_year_month_day(value, written):
    assert cn_date(value) == written
