"""The bank's two files: the payment order we send (代发明细, Excel) and the result it sends back.

The payment file lists each line with its reference (明细编号), which the bank echoes in its result file;
results are matched to lines by that reference and the net amount. Text is never written as a formula.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from backend.money import amount_in_words
from honourees.summary_xlsx import put_text

from .models import BatchLine, DisbursementBatch

PAYMENT_COLUMNS = [
    ("序号", 6), ("明细编号", 18), ("收款人", 10), ("身份证号", 21), ("开户银行", 24), ("账号", 24),
    ("应发金额", 12), ("代扣个税", 12), ("实发金额", 12), ("实发金额大写", 30), ("用途", 30),
]
MONEY_FORMAT = "#,##0.00"


def bank_payment_xlsx(batch: DisbursementBatch) -> bytes:
    """The approved batch's payment order: one row per line waiting for the bank, totals at the foot."""
    wb = Workbook()
    ws = wb.active
    ws.title = "代发明细"
    put_text(ws.cell(row=1, column=1), f"{batch.source.payer} 代发明细 批次 {batch.number}：{batch.purpose}")
    ws.cell(row=1, column=1).font = Font(bold=True, size=12)
    for col, (title, width) in enumerate(PAYMENT_COLUMNS, start=1):
        cell = ws.cell(row=2, column=col, value=title)
        cell.font, cell.alignment = Font(bold=True), Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    lines = list(batch.lines.filter(status=BatchLine.Status.PENDING).order_by("id"))
    totals = [0, 0, 0]
    for n, line in enumerate(lines, start=1):
        r = n + 2
        ws.cell(row=r, column=1, value=n)
        for col, value in ((2, line.reference), (3, line.payee_name), (4, line.payee_id_number), (5, line.bank_name),
                           (6, line.account_no), (10, amount_in_words(line.net)), (11, line.purpose)):
            put_text(ws.cell(row=r, column=col), value)
        for i, value in enumerate((line.gross, line.tax, line.net)):
            cell = ws.cell(row=r, column=7 + i, value=value)
            cell.number_format = MONEY_FORMAT
            totals[i] += value
    foot = len(lines) + 3
    put_text(ws.cell(row=foot, column=1), f"合计 {len(lines)} 笔")
    for i, value in enumerate(totals):
        cell = ws.cell(row=foot, column=7 + i, value=value)
        cell.number_format, cell.font = MONEY_FORMAT, Font(bold=True)
    put_text(ws.cell(row=foot, column=10), amount_in_words(totals[2]))
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
