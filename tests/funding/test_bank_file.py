"""The bank payment file (代发明细) as the bank reads it, and the result-file layout we hand out."""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from funding.bankfile import PAYMENT_COLUMNS

from .steps import LI, ZHOU, return_template, sent_to_bank

pytestmark = pytest.mark.django_db


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
