"""The bank payment file (代发明细) as the bank reads it, and the result-file layout we hand out."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from funding.bankfile import PAYMENT_COLUMNS
from funding.models import DisbursementBatch
from funding.services import batches

from .conftest import give_account, give_budget, name_directly
from .steps import return_template

pytestmark = pytest.mark.django_db

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


def sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def test_the_bank_file_has_one_row_per_line_with_amounts_as_numbers_words_and_whole_id_numbers(
    seeds, office, maker, checker
):
    batch = sent_to_bank(seeds["baling"], office, maker, checker)
    with batch.bank_file.open("rb") as f:
        ws = sheet(f.read())
    assert [ws.cell(2, c).value for c in range(1, len(PAYMENT_COLUMNS) + 1)] == [
        t for t, _ in PAYMENT_COLUMNS
    ]
    lines = list(batch.lines.order_by("id").select_related("instalment__plan__honouree__person"))
    for row, line in enumerate(lines, start=3):
        person = line.instalment.plan.honouree.person
        assert ws.cell(row, 1).value == row - 2
        assert ws.cell(row, 2).value == line.reference
        assert ws.cell(row, 3).value == person.name
        id_cell = ws.cell(row, 4)
        assert (id_cell.value, id_cell.data_type) == (
            person.id_number,
            "s",
        )  # whole, and text: no lost digits
        assert ws.cell(row, 6).value == line.account_no
        for col, expected in ((7, 10000), (8, 2000), (9, 8000)):
            cell = ws.cell(row, col)
            assert isinstance(cell.value, int | float) and Decimal(str(cell.value)) == expected
            assert cell.number_format == "#,##0.00"
        assert ws.cell(row, 10).value == "人民币捌仟元整"
        assert ws.cell(row, 11).value == line.purpose
    foot = len(lines) + 3
    assert ws.cell(foot, 1).value == "合计 2 笔"
    assert [Decimal(str(ws.cell(foot, c).value)) for c in (7, 8, 9)] == [20000, 4000, 16000]
    assert ws.cell(foot, 10).value == "人民币壹万陆仟元整"
    assert ws.max_row == foot


def test_text_beginning_with_an_equals_sign_stays_text_in_the_bank_file(seeds, office, maker, checker):
    bank = '=HYPERLINK("http://evil.example","点击")'
    batch = sent_to_bank(seeds["baling"], office, maker, checker, people=[ZHOU], bank=bank)
    with batch.bank_file.open("rb") as f:
        content = f.read()
    cell = sheet(content).cell(3, 5)
    assert (cell.value, cell.data_type) == (bank, "s")
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert not re.search(r"<f[ >]", xml)  # no formula anywhere in the sheet
    assert re.search(r'<c r="E3"[^>]*t="inlineStr"', xml)  # the bank's name is written as a string


def test_the_result_template_lists_the_pending_lines_under_the_headers_the_import_reads(
    seeds, office, maker, checker
):
    batch = sent_to_bank(seeds["baling"], office, maker, checker)
    ws = sheet(return_template(batch))
    assert [ws.cell(2, c).value for c in range(1, 9)] == [
        "明细编号",
        "收款人",
        "账号",
        "实发金额",
        "处理结果",
        "银行流水号",
        "处理日期",
        "失败原因",
    ]
    lines = list(batch.lines.order_by("id"))
    assert [ws.cell(r, 1).value for r in (3, 4)] == [line.reference for line in lines]
    assert [ws.cell(r, 3).value for r in (3, 4)] == [ZHOU[1], LI[1]]
    assert [Decimal(str(ws.cell(r, 4).value)) for r in (3, 4)] == [Decimal("8000.00")] * 2
    assert ws.cell(3, 5).value is None and ws.max_row == 4
