"""Steps the funding tests share: batches sent to the bank and paid, budget figures, and a studio that counts."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from funding import bankfile, selectors
from funding.models import Budget, DisbursementBatch, Instalment, PayeeAccount
from funding.services import bank_results, batches, budgets
from honourees.models import Honouree
from studios.demo import tiny_png
from studios.models import Assessment, InstitutionKind, Studio
from studios.services.assessments import assessment_open, assessment_record, assessment_score, rubric_save
from studios.services.evidence import studio_file_add
from studios.services.studios import studio_create, studio_establish

from .conftest import give_account, give_budget, name_directly

PLAQUE = dt.date(2025, 1, 6)  # a Monday; period 1 runs 2025-01-06 … 2026-01-05
AFTER_PERIOD_1 = dt.date(2026, 1, 12)


def batch_of(instalments: list[Instalment], maker, checker, *, budget="1000000.00") -> DisbursementBatch:
    """A submitted and approved batch of the instalments (bank accounts and budgets given where missing)."""
    source_id = instalments[0].source_id
    for inst in instalments:
        if not PayeeAccount.objects.filter(person_id=inst.plan.honouree.person_id).exists():
            give_account(inst.plan.honouree, maker)
        year = inst.budget_year
        if not Budget.objects.filter(source_id=source_id, year=year).exists():
            budgets.budget_set(by=checker, source_id=source_id, year=year, amount=budget)
    batch = batches.batch_create(
        by=maker, source_id=source_id, purpose="", instalment_ids=[i.pk for i in instalments]
    )
    batches.batch_submit(by=maker, batch_id=batch.pk)
    return batches.batch_approve(by=checker, batch_id=batch.pk)


ZHOU = ("周建华", "6222021234567890123")
LI = ("李秀英", "6217002940000012345")


def sent_to_bank(
    round_, office, maker, checker, people=(ZHOU, LI), *, bank="中国工商银行岳阳分行", export=True
) -> DisbursementBatch:
    """Each person named in the round and their first instalment in one approved batch, exported if asked."""
    give_budget(round_, checker, 2023)
    firsts = []
    for name, account in people:
        h = name_directly(round_, office, name=name)
        give_account(h, maker, account_no=account, bank=bank)
        firsts.append(h.award_plan.instalments.get(seq=1))
    batch = batches.batch_create(
        by=maker,
        source_id=firsts[0].plan.source_id,
        purpose="第一年资助",
        instalment_ids=[i.pk for i in firsts],
    )
    batches.batch_submit(by=maker, batch_id=batch.pk)
    batches.batch_approve(by=checker, batch_id=batch.pk)
    if export:
        batches.batch_export(by=maker, batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


def pay(instalments: list[Instalment], maker, checker, *, ref: str = "BANK") -> DisbursementBatch:
    """The instalments paid: batch made, approved, sent to the bank and confirmed line by line."""
    batch = batch_of(instalments, maker, checker)
    batches.batch_export(by=maker, batch_id=batch.pk)
    for n, line in enumerate(batch.lines.order_by("id"), start=1):
        bank_results.line_mark_paid(
            by=maker, line_id=line.pk, bank_ref=f"{ref}{n:03d}", paid_on=timezone.localdate()
        )
    batch.refresh_from_db()
    return batch


def return_template(batch: DisbursementBatch) -> bytes:
    """The batch's result-file template, as the page hands it out."""
    return bankfile.bank_return_template_xlsx(
        payer=batch.source.payer, number=batch.number, lines=selectors.pending_payment_lines(batch)
    )


def figures(source_id: int, year: int) -> dict:
    """One source's year of ``selectors.budget_figures``."""
    return selectors.budget_figures([(source_id, year)])[(source_id, year)]


def status_of(inst: Instalment) -> str:
    inst.refresh_from_db()
    return inst.status


def one_item_rubric(round_, office):
    """The round's rubric as one assessor item: 60 passes, so a test decides a result by the points it gives."""
    return rubric_save(
        by=office,
        round_id=round_.pk,
        pass_line="60",
        excellent_line="85",
        items=[{"code": "overall", "zh": "综合评价", "en": "Overall", "max": "100", "measure": "assessor"}],
    )


def establishment_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("挂牌.png", tiny_png(), content_type="image/png")


def studio_for(
    honouree: Honouree,
    office,
    host,
    *,
    plaque=PLAQUE,
    kind=InstitutionKind.VOCATIONAL_COLLEGE_INDUSTRY_COLLEGE,
) -> Studio:
    """The honouree's studio set up and established (挂牌) through the studios services, so their signals fire."""
    studio = studio_create(
        by=office,
        honouree_id=honouree.pk,
        host_id=host.pk,
        name=f"{honouree.person.name}工作室",
        institution_name="岳阳职业技术学院产业学院",
        institution_kind=kind,
    )
    studio_file_add(by=office, studio_id=studio.pk, kind="establishment", uploaded_file=establishment_file())
    return studio_establish(by=office, studio_id=studio.pk, plaque_date=plaque)


def assess(studio: Studio, office, points: str, *, on=AFTER_PERIOD_1, period: int = 1) -> Assessment:
    """Period ``period`` opened, scored ``points`` by the office and recorded on ``on``."""
    a = assessment_open(by=office, studio_id=studio.pk, period=period)
    assessment_score(by=office, assessment_id=a.pk, scores={"overall": points})
    return assessment_record(by=office, assessment_id=a.pk, on=on)


NAMES = ["周建华", "吴秀兰", "李卫东", "陈国强", "赵红梅", "孙立新", "钱学文", "郑海涛"]


def named(round_, office, maker, n=1, *, start=0, account=True):
    """``n`` honourees of the round named on 2023-10-30 (first instalment due, second blocked), with accounts."""
    out = []
    for i in range(start, start + n):
        h = name_directly(
            round_,
            office,
            name=NAMES[i % len(NAMES)] + ("" if i < len(NAMES) else str(i)),
            birth=dt.date(1970 + i % 20, 3, 1 + i % 27),
        )
        if account:
            give_account(h, maker, account_no=f"62220212345678{i:05d}")
        out.append(h)
    return out


def first(h) -> Instalment:
    return h.award_plan.instalments.get(seq=1)


def second(h) -> Instalment:
    return h.award_plan.instalments.get(seq=2)
