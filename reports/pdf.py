"""Reports as A4 PDF: a Django template rendered by WeasyPrint with the Noto CJK fonts, a cover (scheme,
year, date) and page numbers "第 N 页 共 M 页" from CSS page counters.

Report templates extend ``reports/pdf_base.html`` and fill ``{% block body %}``. As in honourees.pdf,
WeasyPrint may fetch nothing but ``data:`` URLs: no file, no network. Charts are inline SVG drawn by the
template from numbers computed here (``bar_chart``), so they stay vector graphics in the PDF.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from honourees.pdf import cn_date

# WeasyPrint logs every layout step at INFO: in a worker that is noise around every report.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Cover:
    title: str
    scheme: str
    year: str
    subtitle: str = ""
    issuer: str = ""
    on: dt.date | None = None

    @property
    def date(self) -> str:
        return cn_date(self.on or timezone.localdate())


def render_pdf(template: str, context: dict, *, cover: Cover) -> bytes:
    """The template rendered (in Chinese) to A4 PDF bytes, the cover first."""
    with translation.override("zh-hans"):
        html = render_to_string(template, {**context, "cover": cover})
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str
    x: float
    y: float
    width: float
    height: float

    @property
    def label_x(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    base: float  # y of the axis
    left: float
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # (y, label) of the gridlines


def bar_chart(points: list[tuple[str, float, str]], *, width: int = 640, height: int = 220) -> Chart:
    """Geometry of a vertical bar chart for (label, value, value shown) points, in SVG user units."""
    left, right, top, bottom = 36.0, 8.0, 18.0, 28.0
    top_value = max([v for _l, v, _s in points] + [0])
    step = _nice_step(top_value)
    scale_max = step * max(1, -(-top_value // step)) if top_value else step
    plot_h = height - top - bottom
    slot = (width - left - right) / max(1, len(points))
    bars = []
    for i, (label, value, shown) in enumerate(points):
        h = plot_h * (value / scale_max) if scale_max else 0
        bars.append(
            Bar(
                label,
                value,
                shown,
                x=left + i * slot + slot * 0.15,
                y=top + plot_h - h,
                width=slot * 0.7,
                height=h,
            )
        )
    ticks = []
    n = int(scale_max // step) if step else 0
    for k in range(n + 1):
        value = k * step
        ticks.append((top + plot_h - plot_h * value / scale_max, f"{value:g}"))
    return Chart(width=width, height=height, base=top + plot_h, left=left, bars=bars, ticks=ticks)


def _nice_step(top: float) -> float:
    """1, 2 or 5 times a power of ten, giving about four gridlines."""
    if top <= 0:
        return 1
    raw = top / 4
    power = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 1
    for m in (1, 2, 5, 10):
        if raw <= m * power:
            return max(1, m * power)
    return 10 * power
