"""The 推荐申报表 of one nomination as an A4 PDF, laid out like 巴陵工匠 2023's 附件1.

The form is a Django template (autoescaped) rendered by WeasyPrint with a CJK font. Every value is turned
into display text here, so the template only places strings; dates are written the way the form's 填表说明
asks (2010年1月1日). WeasyPrint may fetch nothing but the ``data:`` URL of the photo: no file, no network.
"""

from __future__ import annotations

import base64
import datetime as dt
import re

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from backend.personal_data import id_number_for
from backend.uploads import IMAGE_TYPES, sniff
from honourees.models import Attachment, Nomination
from honourees.rules import HonourLevel

TEMPLATE = "honourees/nomination_form_pdf.html"
# At least as many rows as 附件1 prints, so a short list still looks like the paper form.
RESUME_ROWS, AWARD_ROWS, PATENT_ROWS = 11, 9, 11

# 2019-05-01, 2019/5/1, 2019.05 or 2019-05 inside free text (a résumé's "2000-07", a patent's term).
_DATE_IN_TEXT = re.compile(r"(?<!\d)(\d{4})[-./](\d{1,2})(?:[-./](\d{1,2}))?(?!\d)")


def cn_date(value) -> str:
    """A date written as 附件1's 填表说明 asks: 2010年1月1日 (2019年5月 for a month); other text as it is."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"

    def write(m: re.Match) -> str:
        year, month, day = m.group(1), int(m.group(2)), m.group(3)
        if not 1 <= month <= 12:
            return m.group(0)
        return f"{year}年{month}月{int(day)}日" if day else f"{year}年{month}月"

    text = str(value).strip()
    if re.fullmatch(r"\d{4}", text):
        return f"{text}年"
    return _DATE_IN_TEXT.sub(write, text)


def _period(start, end) -> str:
    start, end = cn_date(start), cn_date(end)
    if start and end:
        return f"{start}—{end}"
    if start:
        return f"{start}—至今"
    return end


def _padded(rows: list[list[str]], minimum: int, width: int) -> list[list[str]]:
    return rows + [[""] * width for _ in range(minimum - len(rows))]


def _photo_data_url(nomination: Nomination) -> str:
    """The newest photo attachment as a data: URL, or "" (the form then shows the 贴照片 box)."""
    photo = (
        nomination.attachments.filter(kind=Attachment.Kind.PHOTO, content_type__in=IMAGE_TYPES)
        .order_by("-uploaded_at", "-id")
        .first()
    )
    if photo is None:
        return ""
    try:
        with photo.file.storage.open(photo.file.name, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return ""  # the form can still be printed, with a photo glued on as 附件1 allows
    content_type = sniff(data)
    if content_type not in IMAGE_TYPES:
        return ""
    return f"data:{content_type};base64,{base64.b64encode(data).decode('ascii')}"


def _organiser_lines(organiser: str) -> list[str]:
    return [part.strip() for part in re.split(r"[、,，;；\n]", organiser or "") if part.strip()]


def form_context(nomination: Nomination, *, user) -> dict:
    """Everything the template shows, as display strings (the identity number as ``user`` may see it)."""
    round_ = nomination.round
    scheme = round_.scheme
    person = nomination.person
    levels = dict(HonourLevel.choices)
    published = round_.published_on
    return {
        "title": f"{round_.year}年“{scheme.name}”推荐申报表",
        "scheme_name": scheme.name,
        "organiser_lines": _organiser_lines(scheme.organiser),
        "issued": f"{published.year}年{published.month}月" if published else f"{round_.year}年",
        "photo": _photo_data_url(nomination),
        "name": person.name,
        "gender": person.get_gender_display(),
        "birth_date": cn_date(person.birth_date),
        "id_number": id_number_for(user, person, purpose="推荐申报表 PDF / nomination form PDF"),
        "ethnicity": nomination.ethnicity,
        "political_status": nomination.political_status,
        "native_place": nomination.native_place,
        "education_fulltime": nomination.education_fulltime,
        "school_fulltime": nomination.school_fulltime,
        "education_inservice": nomination.education_inservice,
        "school_inservice": nomination.school_inservice,
        "trade": nomination.trade,
        "skill_level": nomination.get_skill_level_display() if nomination.skill_level else "",
        "industry": nomination.industry,
        "phone": nomination.phone,
        "work_started_on": cn_date(nomination.work_started_on),
        "years_in_trade": f"{nomination.years_in_trade}年" if nomination.years_in_trade is not None else "",
        "employer": nomination.employer,
        "position": nomination.position,
        "email": nomination.email,
        "resume": _padded(
            [[_period(r.get("from"), r.get("to")), r.get("what", "")] for r in nomination.resume or []],
            RESUME_ROWS,
            2,
        ),
        "awards": _padded(
            [
                [
                    cn_date(a.get("date")),
                    a.get("name", ""),
                    a.get("grantor", ""),
                    str(levels.get(a.get("level"), a.get("level", ""))),
                    a.get("rank", ""),
                ]
                for a in nomination.awards or []
            ],
            AWARD_ROWS,
            5,
        ),
        "patents": _padded(
            [
                [cn_date(p.get("term")), p.get("name", ""), p.get("authority", ""), p.get("owner", "")]
                for p in nomination.patents or []
            ],
            PATENT_ROWS,
            4,
        ),
        "innovation_work": nomination.innovation_work,
        "process_improvement": nomination.process_improvement,
        "mentoring_work": nomination.mentoring_work,
        "brief_deeds": nomination.brief_deeds,
        "declaration_signed_on": cn_date(nomination.declaration_signed_on),
        "employer_opinion": nomination.employer_opinion,
        "recommender_opinion": nomination.recommender_opinion,
        "peer_org_opinion": nomination.peer_org_opinion,
        # 晋中 §三: the 政法, 卫健 and other departments' opinions, each with its own seal and date.
        "department_opinions": [
            {"department": d.get("department", ""), "opinion": d.get("opinion", "")}
            for d in nomination.department_opinions or []
            if d.get("department") or d.get("opinion")
        ],
    }


def nomination_pdf(nomination: Nomination, *, user) -> bytes:
    """The nomination's 推荐申报表 as A4 PDF bytes: cover, 填表说明, then the form's table.

    The caller has already scoped ``nomination`` to ``user`` (honourees.selectors.intake.nominations_for); the
    user decides only whether the identity number is whole (and its showing recorded) or masked.
    """
    with translation.override("zh-hans"):
        html = render_to_string(TEMPLATE, form_context(nomination, user=user))
    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()
