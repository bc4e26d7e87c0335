"""The 荣誉证书 of every honouree of a round, one A4 landscape page each, in one PDF for printing.

Rendered the way every report is (WeasyPrint, Noto CJK, only ``data:`` URLs), without the report cover:
a certificate is a page of its own. Revoked honours get no certificate; the others print whatever their
current status, since a certificate records the naming.
"""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from honourees.models import Honouree, Round
from reports.kinds import PDF, Output

DIGITS = "〇一二三四五六七八九"


def _small_number(n: int) -> str:
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


def certificate_date(d: dt.date) -> str:
    """2023-10-30 → 二〇二三年十月三十日, as certificates and official documents date themselves."""
    return (
        "".join(DIGITS[int(c)] for c in str(d.year)) + f"年{_small_number(d.month)}月{_small_number(d.day)}日"
    )


def build(params: dict, progress, *, by) -> Output:
    round_ = Round.objects.select_related("scheme").get(scheme_id=params["scheme"], year=params["year"])
    progress(10, "读取命名名单")
    honourees = list(
        Honouree.objects.filter(round=round_)
        .exclude(status=Honouree.Status.REVOKED)
        .select_related("person")
        .order_by("certificate_no")
    )
    tiers = {
        "named": round_.scheme.name,
        "nominated": f"{round_.scheme.name}提名奖",
        "finalist": f"{round_.scheme.name}入围奖",
    }
    items = [
        {
            "h": h,
            "title": h.title or tiers.get(h.tier, round_.scheme.name),
            "date": certificate_date(h.named_on),
        }
        for h in honourees
    ]
    progress(40, f"排版 {len(items)} 张证书")
    with translation.override("zh-hans"):
        html = render_to_string(
            "reports/certificates_pdf.html",
            {
                "round": round_,
                "items": items,
                "issuer_lines": [p for p in round_.scheme.organiser.split("、") if p],
            },
        )
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()
    progress(95, "保存文件")
    return Output(pdf, f"{round_.scheme.name}{round_.year}荣誉证书.pdf", PDF)
