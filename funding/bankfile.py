"""The bank's two files: the payment order we send (代发明细, Excel) and the result it sends back (回单).

The payment file lists each line with its reference (明细编号), which the bank echoes in its result file;
results are matched to lines by that reference and the net amount. Text is never written as a formula.

Reading the result file (``batch_import_results``), decided:

- .xlsx (formula cells refused: a value is read as typed, never as a formula's cached result) or .csv in
  UTF-8 (with or without BOM) or GBK/GB18030, which is what Chinese banks' systems write.
- Columns are found by their Chinese header, with a few synonyms (``COLUMNS``); the header need not be the
  first row (banks put a title and the account above it). Blank rows and a 合计/总计 row are skipped.
- All or nothing: every problem is listed by row and column, and nothing changes. A reference that is not
  a line of the batch, a reference given twice, an amount that is not the line's net, a result that is
  neither success nor return, a bad or future date: each refused.
- A row without a reference is matched by account number and net amount when exactly one pending line
  fits; otherwise it is kept as a ``BankReturnRow`` for a person to assign (``services.return_row_assign``).
- Replaying a file changes nothing: a line already paid under the same bank reference, or already
  returned, is counted as ``already_recorded``; a row already kept for a person is not kept twice.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from backend.errors import Conflict, DomainError, ValidationFailed, nothing_saved
from backend.input import cell_text
from backend.money import amount_in_words, to_money
from backend.roles import Role, require_role
from backend.xlsx import load_xlsx, looks_like_excel, put_text, read_bytes

from .models import BankReturnRow, BatchLine, DisbursementBatch
from .services import bank_results, core

PAYMENT_COLUMNS = [
    ("序号", 6),
    ("明细编号", 18),
    ("收款人", 10),
    ("身份证号", 21),
    ("开户银行", 24),
    ("账号", 24),
    ("应发金额", 12),
    ("代扣个税", 12),
    ("实发金额", 12),
    ("实发金额大写", 30),
    ("用途", 30),
]
MONEY_FORMAT = "#,##0.00"
ZERO = Decimal("0.00")

PAID, RETURNED, ALREADY = "paid", "returned", "already_recorded"
L = BatchLine.Status


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
    lines = list(batch.lines.filter(status=L.PENDING).order_by("id"))
    totals = [ZERO, ZERO, ZERO]
    for n, line in enumerate(lines, start=1):
        r = n + 2
        ws.cell(row=r, column=1, value=n)
        for col, value in (
            (2, line.reference),
            (3, line.payee_name),
            (4, line.payee_id_number),
            (5, line.bank_name),
            (6, line.account_no),
            (10, amount_in_words(line.net)),
            (11, line.purpose),
        ):
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


# --- The bank's result file --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    field: str
    en: str
    headers: tuple[str, ...]  # the first is what we write; all are accepted, compared after _header_key
    required: bool = False


COLUMNS = [
    Column(
        "reference",
        "line reference",
        ("明细编号", "业务参考号", "参考号", "客户流水号", "reference"),
        required=True,
    ),
    Column("payee", "payee", ("收款人", "户名", "收款人户名", "收款人姓名", "payee")),
    Column("account", "account number", ("账号", "收款账号", "收款人账号", "account")),
    Column("amount", "net amount", ("实发金额", "金额", "交易金额", "付款金额", "amount"), required=True),
    Column("result", "result", ("处理结果", "结果", "交易结果", "交易状态", "result"), required=True),
    Column(
        "bank_ref", "bank reference", ("银行流水号", "流水号", "交易流水号", "bank_ref", "bank reference")
    ),
    Column("date", "date", ("处理日期", "日期", "交易日期", "date"), required=True),
    Column("reason", "reason", ("失败原因", "备注", "原因", "reason")),
]
_BY_FIELD = {c.field: c for c in COLUMNS}
RESULT_WORDS = {
    PAID: {"成功", "交易成功", "支付成功", "处理成功", "已支付", "已入账", "paid", "success", "succeeded"},
    RETURNED: {
        "失败",
        "交易失败",
        "支付失败",
        "处理失败",
        "退票",
        "已退票",
        "退回",
        "退汇",
        "returned",
        "failed",
        "fail",
        "failure",
    },
}
RESULT_LABELS = {PAID: "成功", RETURNED: "退票"}
FOOT_WORDS = ("合计", "总计", "小计")
HEADER_SEARCH_ROWS = 30
MAX_DATA_ROWS = 5000
MAX_CSV_BYTES = 5 * 1024 * 1024
NO_REASON = "银行未注明退票原因"


class _Formula:
    """Stands in for a formula cell's value: it is reported, never read."""

    def __init__(self, coordinate: str):
        self.coordinate = coordinate


def _header_key(value) -> str:
    """A header compared without spaces, case, a unit in brackets or a required-mark: 实发金额（元）= 实发金额."""
    text = "" if value is None or isinstance(value, _Formula) else str(value)
    text = re.sub(r"[（(][^）)]*[）)]", "", text)
    return re.sub(r"[\s\u3000*＊:：]", "", text).lower()


def _file_error(zh: str, en: str) -> ValidationFailed:
    return nothing_saved([ValidationFailed(zh, en, field="file")])


def _decode(data: bytes) -> str:
    """CSV text: UTF-8 (BOM or not), UTF-16 with a BOM (Excel's "Unicode text"), else GBK's superset GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _file_error(
        "无法识别文件的字符编码，请另存为 UTF-8 或 GBK 编码的 CSV 文件。",
        "The file's character encoding is not recognised; save it as CSV in UTF-8 or GBK.",
    )


def _read_rows(file_name: str, content: bytes) -> list[tuple[int, list]]:
    """(row number, cell values) of the file's first sheet holding a header; formula cells as ``_Formula``."""
    name = (file_name or "").lower()
    if looks_like_excel(content) or name.endswith((".xlsx", ".xlsm", ".xls")):
        first = None
        for ws in load_xlsx(content).worksheets:
            rows = [
                (cells[0].row, [_Formula(c.coordinate) if c.data_type == "f" else c.value for c in cells])
                for cells in ws.iter_rows()
                if cells
            ]
            if _find_header(rows) is not None:
                return rows
            first = rows if first is None else first
        return first or []
    if len(content) > MAX_CSV_BYTES:
        raise _file_error("文件超过 5 MB。", "The file is larger than 5 MB.")
    text = _decode(content)
    if "\x00" in text:
        raise _file_error("文件不是文本格式的 CSV。", "The file is not a text CSV file.")
    head = "\n".join(text.splitlines()[:HEADER_SEARCH_ROWS])  # a title line above the header has few commas
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    try:
        return [(n, row) for n, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1)]
    except csv.Error:
        raise _file_error(
            "CSV 文件格式有误，无法读取。", "The CSV file is malformed and cannot be read."
        ) from None


def _find_header(rows: list[tuple[int, list]]) -> tuple[int, dict[str, tuple[int, str]]] | None:
    """The header's index in ``rows`` and each known column's (position, header as written), or None."""
    for index, (_, values) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        keys = [_header_key(v) for v in values]
        found: dict[str, tuple[int, str]] = {}
        for column in COLUMNS:
            for synonym in column.headers:  # the earlier synonym wins: 实发金额 over 金额
                if _header_key(synonym) in keys:
                    pos = keys.index(_header_key(synonym))
                    if pos not in {p for p, _ in found.values()}:
                        found[column.field] = (pos, cell_text(values[pos]))
                        break
        if all(c.field in found for c in COLUMNS if c.required):
            return index, found
    return None


def _amount(value) -> Decimal:
    """A money cell as typed: a number, or text such as 8,000.00 or ￥8000.00 (thousands commas are common)."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        value = repr(value)  # the shortest text that is this float: 8000.01, never 8000.0099999…
    if isinstance(value, str):
        value = re.sub(r"[\s,，¥￥元]", "", value)
    return to_money(value)


# 2024-01-05, 2024/1/5, 2024.01.05, 2024年1月5日, with an optional time after it (10:31 or 10:31:22).
_DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if re.fullmatch(r"\d{8}", text):
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    m = _DATE_TEXT.fullmatch(text)
    if m is None:
        raise ValueError
    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


@dataclass
class ResultRow:
    """One row of the bank's file as read; ``data`` is what a kept row and ``apply_result`` work from."""

    row: int
    reference: str = ""
    payee: str = ""
    account: str = ""
    amount: Decimal | None = None
    result: str = ""
    bank_ref: str = ""
    date: dt.date | None = None
    reason: str = ""
    errors: list[ValidationFailed] = field(default_factory=list)

    @property
    def data(self) -> dict:
        return {
            "reference": self.reference,
            "amount": f"{self.amount}" if self.amount is not None else "",
            "result": self.result,
            "bank_ref": self.bank_ref,
            "date": self.date.isoformat() if self.date else "",
            "reason": self.reason,
            "account": self.account,
            "payee": self.payee,
        }


def _row_error(row: int, header: str, field_: str, zh: str, en: str) -> ValidationFailed:
    column = _BY_FIELD.get(field_)
    en_name = f"{header} ({column.en})" if column else header
    return ValidationFailed(
        f"第 {row} 行“{header}”：{zh}", f"Row {row}, {en_name}: {en}", field=field_, row=row
    )


def _parse_row(row: int, values: list, columns: dict[str, tuple[int, str]], today: dt.date) -> ResultRow:
    r = ResultRow(row=row)

    def cell(field_: str):
        pos = columns.get(field_, (None, ""))[0]
        return values[pos] if pos is not None and pos < len(values) else None

    def fail(field_: str, zh: str, en: str) -> None:
        r.errors.append(
            _row_error(row, columns.get(field_, (0, _BY_FIELD[field_].headers[0]))[1], field_, zh, en)
        )

    r.reference, r.payee = cell_text(cell("reference")), cell_text(cell("payee"))[:50]
    r.account = re.sub(r"\s", "", cell_text(cell("account")))
    r.bank_ref, r.reason = cell_text(cell("bank_ref"))[:60], cell_text(cell("reason"))[:300]
    raw = cell("amount")
    if cell_text(raw) == "":
        fail("amount", "金额为空。", "The amount is blank.")
    else:
        try:
            r.amount = _amount(raw)
        except (ValueError, ValidationFailed):
            fail("amount", f"“{cell_text(raw)}”不是金额。", f"'{cell_text(raw)}' is not an amount.")
        else:
            if r.amount <= 0:
                fail(
                    "amount",
                    f"金额 {r.amount} 应大于零。",
                    f"The amount {r.amount} must be greater than zero.",
                )
    word = cell_text(cell("result")).lower()
    r.result = next((outcome for outcome, words in RESULT_WORDS.items() if word in words), "")
    if not r.result:
        fail(
            "result",
            f"处理结果“{cell_text(cell('result'))}”无法识别，应为“成功”“失败”或“退票”。",
            f"The result '{cell_text(cell('result'))}' is not recognised; it must be success (成功), "
            "failure (失败) or return (退票).",
        )
    raw = cell("date")
    if cell_text(raw) == "":
        fail("date", "日期为空。", "The date is blank.")
    else:
        try:
            r.date = _date(raw)
        except (ValueError, TypeError):
            fail(
                "date",
                f"“{cell_text(raw)}”不是日期（应如 2024-01-05）。",
                f"'{cell_text(raw)}' is not a date (e.g. 2024-01-05).",
            )
        else:
            if r.date > today:
                fail("date", f"日期 {r.date} 在未来。", f"The date {r.date} is in the future.")
                r.date = None
    if r.result == PAID and not r.bank_ref:
        fail("bank_ref", "成功的记录须有银行流水号。", "A paid row needs the bank reference.")
    if r.result == RETURNED and not r.reason:
        r.reason = NO_REASON
    return r


def _formula_errors(
    rows: list[tuple[int, list]], columns: dict[str, tuple[int, str]]
) -> list[ValidationFailed]:
    """Every formula cell in the sheet, named by row and column: values are read as typed or not at all."""
    field_at = {pos: (field_, header) for field_, (pos, header) in columns.items()}
    errors = []
    for row, values in rows:
        for pos, value in enumerate(values):
            if not isinstance(value, _Formula):
                continue
            zh = f"单元格 {value.coordinate} 是公式，请改为直接填写数值或文字。"
            en = f"Cell {value.coordinate} holds a formula; enter the value itself."
            if pos in field_at:
                errors.append(_row_error(row, field_at[pos][1], field_at[pos][0], zh, en))
            else:
                letter = get_column_letter(pos + 1)
                errors.append(
                    ValidationFailed(
                        f"第 {row} 行 {letter} 列：{zh}",
                        f"Row {row}, column {letter}: {en}",
                        field="formula",
                        row=row,
                    )
                )
    return errors


def _is_data_row(values: list) -> bool:
    """Not blank, not a 合计 row, and free of formulas (reported on their own)."""
    if any(isinstance(v, _Formula) for v in values):
        return False
    texts = [cell_text(v) for v in values]
    first = next((t for t in texts if t), "")
    return bool(first) and not first.startswith(FOOT_WORDS)


def _state_check(
    r: ResultRow, line: BatchLine, columns: dict[str, tuple[int, str]]
) -> tuple[str, ValidationFailed | None]:
    """Whether the row is new news for the line ('apply'), a replay (ALREADY), or contradicts it (an error)."""
    ref = line.reference

    def header(field_: str) -> str:
        return columns.get(field_, (0, _BY_FIELD[field_].headers[0]))[1]

    if line.status == L.PENDING:
        return "apply", None
    if line.status == L.PAID and r.result == PAID:
        if line.bank_ref == r.bank_ref:
            return ALREADY, None
        return "", _row_error(
            r.row,
            header("bank_ref"),
            "bank_ref",
            f"明细 {ref} 已按银行流水号 {line.bank_ref} 支付，与本行的 {r.bank_ref} 不同。",
            f"Line {ref} is already paid under bank reference {line.bank_ref}, not {r.bank_ref}.",
        )
    if line.status == L.RETURNED and r.result == RETURNED:
        return ALREADY, None
    if line.status == L.WITHDRAWN:
        return "", _row_error(
            r.row,
            header("reference"),
            "reference",
            f"明细 {ref} 已移出批次，未送银行。",
            f"Line {ref} was taken out of the batch and never sent to the bank.",
        )
    return "", _row_error(
        r.row,
        header("result"),
        "result",
        f"明细 {ref} 已登记为“{line.get_status_display()}”，与本行的“{RESULT_LABELS[r.result]}”矛盾。",
        f"Line {ref} is already recorded as {line.status}; this row says {r.result}.",
    )


def _same_settlement(r: ResultRow, line: BatchLine) -> bool:
    """The row is the record already made for the line (a replay of a row that had no reference)."""
    if r.result == PAID:
        return line.status == L.PAID and line.bank_ref == r.bank_ref
    return line.status == L.RETURNED and line.settled_on == r.date and line.return_reason == r.reason


def _data_key(data: dict) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False)


@transaction.atomic
def batch_import_results(*, by, batch_id: int, file_name: str, content: bytes) -> dict:
    """Record the bank's result file for the batch: every row or none; a replay of the same file changes nothing.

    Returns the counts ``paid``, ``returned``, ``already_recorded``, ``unmatched`` and the ids of the kept
    rows a person has to assign (``unmatched_row_ids``).
    """
    require_role(by, Role.FINANCE_MAKER)
    batch = core._batch_locked(batch_id)  # the batch first: the lock order of funding.services
    if batch.status not in (DisbursementBatch.Status.EXPORTED, DisbursementBatch.Status.CLOSED):
        raise Conflict(
            f"批次 {batch.number} 尚未送银行（当前“{batch.get_status_display()}”），不能导入银行回单。",
            f"Batch {batch.number} has not gone to the bank ({batch.status}); no result file can be imported.",
        )
    rows = _read_rows(file_name, read_bytes(content))
    header = _find_header(rows)
    if header is None:
        need = "、".join(c.headers[0] for c in COLUMNS if c.required)
        raise _file_error(
            f"在前 {HEADER_SEARCH_ROWS} 行中找不到表头：需要“{need}”列。",
            f"No header found in the first {HEADER_SEARCH_ROWS} rows: the columns 明细编号 (reference), "
            "实发金额 (amount) and 处理结果 (result) are needed.",
        )
    index, columns = header
    today = timezone.localdate()
    exported_on = timezone.localtime(batch.exported_at).date() if batch.exported_at else None
    data_rows = [(n, values) for n, values in rows[index + 1 :] if _is_data_row(values)]
    if len(data_rows) > MAX_DATA_ROWS:
        raise _file_error(f"文件超过 {MAX_DATA_ROWS} 行。", f"The file has more than {MAX_DATA_ROWS} rows.")
    parsed = [_parse_row(n, values, columns, today) for n, values in data_rows]
    errors = _formula_errors(rows, columns) + [e for r in parsed for e in r.errors]
    lines = list(batch.lines.order_by("id"))
    by_reference = {line.reference: line for line in lines}
    first_row_of: dict[str, int] = {}
    to_apply: list[tuple[ResultRow, BatchLine]] = []
    already, claimed = 0, set()
    blank: list[ResultRow] = []
    for r in parsed:
        if not r.reference:
            if not r.errors:
                blank.append(r)
            continue
        if r.reference in first_row_of:
            errors.append(
                _row_error(
                    r.row,
                    columns["reference"][1],
                    "reference",
                    f"明细编号 {r.reference} 与第 {first_row_of[r.reference]} 行重复。",
                    f"The reference {r.reference} repeats row {first_row_of[r.reference]}.",
                )
            )
            continue
        first_row_of[r.reference] = r.row
        line = by_reference.get(r.reference)
        if line is None:
            errors.append(
                _row_error(
                    r.row,
                    columns["reference"][1],
                    "reference",
                    f"明细编号 {r.reference} 不是批次 {batch.number} 的明细。",
                    f"{r.reference} is not a line of batch {batch.number}.",
                )
            )
            continue
        if r.amount is not None and r.amount != line.net:
            errors.append(
                _row_error(
                    r.row,
                    columns["amount"][1],
                    "amount",
                    f"金额 {r.amount} 与明细 {line.reference} 的实发金额 {line.net} 不符。",
                    f"The amount {r.amount} is not line {line.reference}'s net amount {line.net}.",
                )
            )
            continue
        if r.errors:
            continue
        verdict, error = _state_check(r, line, columns)
        if error:
            errors.append(error)
        elif verdict == ALREADY:
            already += 1
        else:
            claimed.add(line.pk)
            to_apply.append((r, line))
    kept: dict[str, list[int]] = {}  # rows an earlier import kept, by content: a replay keeps no second copy
    decided: Counter = Counter()
    for row in batch.return_rows.order_by("id"):
        if row.status == BankReturnRow.Status.UNMATCHED:
            kept.setdefault(_data_key(row.data), []).append(row.pk)
        else:
            decided[_data_key(row.data)] += 1
    unmatched_new: list[ResultRow] = []
    unmatched_kept: list[int] = []
    for r in blank:
        key = _data_key(r.data)
        if decided[key]:  # kept by an earlier import and decided by a person since
            decided[key] -= 1
            already += 1
            continue
        if kept.get(key):  # kept by an earlier import, still waiting for a person
            unmatched_kept.append(kept[key].pop(0))
            continue
        fits = [line for line in lines if line.account_no == r.account and line.net == r.amount]
        if r.account and any(_same_settlement(r, line) for line in fits):
            already += 1
            continue
        pending = [line for line in fits if line.status == L.PENDING and line.pk not in claimed]
        if r.account and len(pending) == 1:
            claimed.add(pending[0].pk)
            to_apply.append((r, pending[0]))
        else:
            unmatched_new.append(r)
    for r, _line in to_apply:
        if exported_on and r.date and r.date < exported_on:
            errors.append(
                _row_error(
                    r.row,
                    columns["date"][1],
                    "date",
                    f"日期 {r.date} 早于银行文件生成日期 {exported_on}。",
                    f"The date {r.date} is before the bank file was made ({exported_on}).",
                )
            )
    if errors:
        raise nothing_saved(errors)
    counts = {PAID: 0, RETURNED: 0}
    # Instalments are locked one by one in id order, as everywhere in funding.services.
    for r, line in sorted(to_apply, key=lambda item: item[1].instalment_id):
        try:
            outcome = apply_result(by=by, line=line, data=r.data)
        except DomainError as e:  # not expected after the checks above; still reported, and nothing kept
            errors.append(_row_error(r.row, columns["reference"][1], e.field or "reference", e.zh, e.en))
            continue
        if outcome == ALREADY:
            already += 1
        else:
            counts[outcome] += 1
    if errors:
        raise nothing_saved(errors)
    made = [
        BankReturnRow.objects.create(batch=batch, row=r.row, file_name=(file_name or "")[:255], data=r.data)
        for r in unmatched_new
    ]
    batch.refresh_from_db(fields=["status"])
    return {
        "batch": batch.number,
        "batch_status": batch.status,
        PAID: counts[PAID],
        RETURNED: counts[RETURNED],
        ALREADY: already,
        "unmatched": len(made) + len(unmatched_kept),
        "unmatched_row_ids": [row.pk for row in made] + unmatched_kept,
    }


@transaction.atomic
def apply_result(*, by, line: BatchLine, data: dict) -> str:
    """One bank result recorded on one line; returns 'paid', 'returned' or 'already_recorded' (a replay).

    ``data`` is a row as ``batch_import_results`` reads and keeps it (JSON strings: amount, result, date,
    bank_ref, reason). The amount must be the line's net amount.
    """
    require_role(by, Role.FINANCE_MAKER)
    result = data.get("result")
    if result not in (PAID, RETURNED):
        raise ValidationFailed(
            f"处理结果“{result}”无法识别。", f"The result '{result}' is not recognised.", field="result"
        )
    try:
        amount = to_money(data.get("amount") or "", field="amount")
    except ValidationFailed:
        raise ValidationFailed(
            "银行记录没有有效的金额。", "The bank row has no valid amount.", field="amount"
        ) from None
    try:
        on = dt.date.fromisoformat(data.get("date") or "")
    except ValueError:
        raise ValidationFailed(
            "银行记录没有有效的日期。", "The bank row has no valid date.", field="date"
        ) from None
    _, locked = core._line_locked(line.pk)  # batch, then line: the lock order of funding.services
    if amount != locked.net:
        raise ValidationFailed(
            f"银行记录的金额 {amount} 与明细 {locked.reference} 的实发金额 {locked.net} 不符。",
            f"The bank row's amount {amount} is not line {locked.reference}'s net amount {locked.net}.",
            field="amount",
        )
    if result == PAID:
        if locked.status == L.PAID and locked.bank_ref == (data.get("bank_ref") or "").strip():
            return ALREADY
        bank_results.line_mark_paid(by=by, line_id=locked.pk, bank_ref=data.get("bank_ref") or "", paid_on=on)
        return PAID
    if locked.status == L.RETURNED:
        return ALREADY
    bank_results.line_mark_returned(by=by, line_id=locked.pk, reason=data.get("reason") or NO_REASON, on=on)
    return RETURNED


RETURN_TEMPLATE_COLUMNS = [
    ("明细编号", 20),
    ("收款人", 12),
    ("账号", 24),
    ("实发金额", 14),
    ("处理结果", 10),
    ("银行流水号", 24),
    ("处理日期", 14),
    ("失败原因", 30),
]


def bank_return_template_xlsx(batch: DisbursementBatch) -> bytes:
    """A result file in the layout the import reads, with the pending lines' references and nets filled in.

    A finance officer whose bank sends no file of its own fills in 处理结果 (成功 / 退票), 银行流水号,
    处理日期 and, for a return, 失败原因, and imports it.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "银行回单"
    put_text(ws.cell(row=1, column=1), f"{batch.source.payer} 代发结果 批次 {batch.number}")
    ws.cell(row=1, column=1).font = Font(bold=True, size=12)
    for col, (title, width) in enumerate(RETURN_TEMPLATE_COLUMNS, start=1):
        cell = ws.cell(row=2, column=col, value=title)
        cell.font, cell.alignment = Font(bold=True), Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    lines = list(batch.lines.filter(status=L.PENDING).order_by("id"))
    for r, line in enumerate(lines, start=3):
        put_text(ws.cell(row=r, column=1), line.reference)
        put_text(ws.cell(row=r, column=2), line.payee_name)
        put_text(ws.cell(row=r, column=3), line.account_no)
        ws.cell(row=r, column=4, value=line.net).number_format = MONEY_FORMAT
        ws.cell(row=r, column=7).number_format = "yyyy-mm-dd"
        for col in (6, 8):
            ws.cell(row=r, column=col).number_format = "@"  # typed references stay text, leading zeros kept
    if lines:
        choices = DataValidation(type="list", formula1='"成功,失败,退票"', allow_blank=True)
        ws.add_data_validation(choices)
        choices.add(f"E3:E{len(lines) + 2}")
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
