"""付款凭证: one A4 page per payment, with the amount in words, the payee, the source and the approvals.

Rendered like the nomination form (honourees.pdf): a Django template (autoescaped) turned into PDF by
WeasyPrint with the Noto CJK fonts, every value made into display text here. WeasyPrint may fetch nothing:
the voucher has no images, so even ``data:`` URLs are not needed, but the fetcher stays closed all the same.
The identity number is whole only for roles that may see it, and each whole showing is recorded.
"""

from __future__ import annotations

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from backend.errors import Conflict
from backend.money import amount_in_words
from backend.personal_data import id_number_for
from honourees.pdf import cn_date

from .models import BatchLine, DisbursementBatch, Payment
from .services.plans import TAX_CATEGORIES

TEMPLATE = "funding/voucher_pdf.html"
PAYMENT_RELATIONS = (
    "line__batch__source",
    "line__batch__maker",
    "line__batch__checker",
    "recorded_by",
    "instalment__plan__round__scheme",
    "instalment__plan__honouree",
)


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


def _who(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _when(moment) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{cn_date(local)} {local:%H:%M}"


def _rate(rate: Decimal) -> str:
    percent = (rate * 100).normalize()
    return f"{percent:f}%"


def voucher_context(payment: Payment, *, user) -> dict:
    """What one voucher shows, as display strings (the identity number as ``user`` may see it)."""
    line, batch = payment.line, payment.line.batch
    plan = payment.instalment.plan
    category = TAX_CATEGORIES.get(payment.tax_category, (payment.tax_category, ""))[0]
    return {
        "voucher_no": payment.voucher_no,
        "paid_on": cn_date(payment.paid_on),
        "payer": batch.source.payer,
        "source": batch.source.name,
        "scheme": f"{plan.round.year}年“{plan.round.scheme.name}”",
        "certificate_no": plan.honouree.certificate_no,
        "payee": line.payee_name,
        "id_number": id_number_for(user, line, field="payee_id_number", purpose="付款凭证 / payment voucher"),
        "bank_name": line.bank_name,
        "account_no": line.account_no,
        "purpose": line.purpose,
        "gross": _money(payment.gross),
        "tax": _money(payment.tax),
        "tax_withheld": payment.tax > 0,
        "tax_rate": _rate(payment.tax_rate),
        "tax_category": category,
        "withholding_agent": payment.withholding_agent,
        "net": _money(payment.net),
        "net_in_words": amount_in_words(payment.net),
        "gross_in_words": amount_in_words(payment.gross),
        "batch_no": batch.number,
        "reference": line.reference,
        "maker": _who(batch.maker),
        "made_at": _when(batch.submitted_at or batch.created_at),
        "checker": _who(batch.checker),
        "checked_at": _when(batch.decided_at),
        "recorder": _who(payment.recorded_by),
        "recorded_at": _when(payment.recorded_at),
        "bank_ref": payment.bank_ref,
    }


def _render(vouchers: list[dict]) -> bytes:
    with translation.override("zh-hans"):
        html = render_to_string(TEMPLATE, {"vouchers": vouchers})
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


def payment_voucher_pdf(payment: Payment, *, user) -> bytes:
    """The payment's 付款凭证 as A4 PDF bytes; the caller has already scoped ``payment`` to ``user``."""
    payment = Payment.objects.select_related(*PAYMENT_RELATIONS).get(pk=payment.pk)
    return _render([voucher_context(payment, user=user)])


def batch_vouchers_pdf(batch: DisbursementBatch, *, user) -> bytes:
    """Every paid line's voucher of the batch in one PDF, one page each, in line order."""
    payments = list(
        Payment.objects.select_related(*PAYMENT_RELATIONS)
        .filter(line__batch=batch, line__status=BatchLine.Status.PAID)
        .order_by("line_id")
    )
    if not payments:
        raise Conflict(f"批次 {batch.number} 没有已支付的明细。", f"Batch {batch.number} has no paid lines.")
    return _render([voucher_context(p, user=user) for p in payments])
