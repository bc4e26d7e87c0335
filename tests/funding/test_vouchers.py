"""付款凭证: the payment in words, payee, source and approvals; identity numbers only whole for finance."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.utils import timezone

from backend.errors import Conflict
from backend.models import PersonalDataAccess
from funding.models import Payment
from funding.services import bank_results
from funding.vouchers import batch_vouchers_pdf, payment_voucher_pdf

from .steps import LI, ZHOU, sent_to_bank

pytestmark = pytest.mark.django_db
WANG = ("王志强", "6228480012345678901")


def pdf_text(content: bytes) -> str:
    """The PDF's text with all white space removed (CJK text comes out of pdftotext with spaces between)."""
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    return re.sub(r"\s+", "", out.stdout.decode("utf-8"))


def pdf_pages(content: bytes) -> int:
    out = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"^Pages:\s+(\d+)$", out, re.M).group(1))


def paid(batch, maker, *, returned: set[int] = frozenset()) -> list[Payment]:
    """Each line of the exported batch paid by the bank, except those whose position is in ``returned``."""
    for n, line in enumerate(batch.lines.order_by("id")):
        if n in returned:
            bank_results.line_mark_returned(
                by=maker, line_id=line.pk, reason="账户已冻结", on=timezone.localdate()
            )
        else:
            bank_results.line_mark_paid(
                by=maker, line_id=line.pk, bank_ref=f"ICBC2024{n:04d}", paid_on=timezone.localdate()
            )
    return list(Payment.objects.filter(line__batch=batch).order_by("line_id"))


def test_the_voucher_shows_the_net_in_words_the_payee_the_source_and_who_approved(
    seeds, office, make_user, checker
):
    from backend.roles import Role

    maker = make_user("lin", Role.FINANCE_MAKER, last_name="林芳")
    batch = sent_to_bank(seeds["baling"], office, maker, checker, people=[ZHOU])
    payment = paid(batch, maker)[0]
    person = payment.instalment.plan.honouree.person

    text = pdf_text(payment_voucher_pdf(payment, user=maker))

    for expected in (
        "付款凭证",
        payment.voucher_no,
        "周建华",
        person.id_number,
        "中国工商银行岳阳分行",
        ZHOU[1],
        "10,000.00",
        "2,000.00",
        "8,000.00",
        "人民币捌仟元整",
        "偶然所得20%",
        "市人才发展专项资金",
        batch.source.payer,
        batch.number,
        "ICBC20240000",
        "林芳",
        "cathy",
    ):
        assert expected in text, expected
    assert PersonalDataAccess.objects.filter(user=maker, field="payee_id_number").count() == 1


def test_an_auditor_sees_the_identity_number_masked(seeds, office, maker, checker, auditor):
    batch = sent_to_bank(seeds["baling"], office, maker, checker, people=[ZHOU])
    payment = paid(batch, maker)[0]
    whole = payment.line.payee_id_number

    text = pdf_text(payment_voucher_pdf(payment, user=auditor))

    assert whole not in text
    assert f"{whole[:6]}********{whole[-4:]}" in text
    assert "人民币捌仟元整" in text
    assert not PersonalDataAccess.objects.filter(user=auditor).exists()


def test_the_batch_pdf_has_one_page_per_paid_line(
    seeds, office, maker, checker, django_assert_max_num_queries
):
    batch = sent_to_bank(seeds["baling"], office, maker, checker, people=[ZHOU, LI, WANG])
    payments = paid(batch, maker, returned={1})  # 李秀英's payment came back: no voucher for her
    maker = type(maker).objects.get(pk=maker.pk)  # roles not cached yet

    # One query for the payments with everything they show, one for the roles, one log row per whole id.
    with django_assert_max_num_queries(2 + len(payments)):
        content = batch_vouchers_pdf(batch, user=maker)

    assert pdf_pages(content) == len(payments) == 2
    text = pdf_text(content)
    assert "周建华" in text and "王志强" in text and "李秀英" not in text
    assert text.count("人民币捌仟元整") == 2


def test_a_batch_without_a_paid_line_has_no_vouchers(seeds, office, maker, checker):
    batch = sent_to_bank(seeds["baling"], office, maker, checker, people=[ZHOU])
    with pytest.raises(Conflict):
        batch_vouchers_pdf(batch, user=maker)
