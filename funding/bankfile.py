"""The bank's two files: the payment order we send (代发明细, Excel) and the result it sends back (回单).

A file format, nothing more: it writes from plain values the caller builds (``PaymentLine``) and reads the
result file into rows (``ResultRow``); it reads and writes no database rows. Recording the result on a
batch's lines is ``funding.services.bank_results``.

The payment file lists each line with its reference (明细编号), which the bank echoes in its result file.
Text is never written as a formula.

Reading the result file (``read_results``), decided:

- .xlsx (formula cells refused: a value is read as typed, never as a formula's cached result) or .csv in
  UTF-8 (with or without BOM) or GBK/GB18030, which is what Chinese banks' systems write.
- Columns are found by their Chinese header, with a few synonyms (``COLUMNS``); the header need not be the
  first row (banks put a title and the account above it). Blank rows and a 合计/总计 row are skipped.
- Every problem of the file itself is listed by row and column (``ResultFile.errors``): an amount that is not
  an amount or not above zero, a result that is neither success nor return, a bad or future date, a paid
  row without the bank's reference, a formula. A file with no header, or too big, is refused outright.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from backend.errors import ValidationFailed, nothing_saved
from backend.input import cell_text
from backend.money import amount_in_words, to_money
from backend.xlsx import load_xlsx, looks_like_excel, put_text, read_bytes

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


@dataclass(frozen=True)
class PaymentLine:
    """One line of a payment order as the bank reads it."""

    reference: str
    payee_name: str
    payee_id_number: str
    bank_name: str
    account_no: str
    gross: Decimal
    tax: Decimal
    net: Decimal
    purpose: str


def bank_payment_xlsx(*, payer: str, number: str, purpose: str, lines: Sequence[PaymentLine]) -> bytes:
    """The batch's payment order: one row per line given (those waiting for the bank), totals at the foot."""
    wb = Workbook()
    ws = wb.active
    ws.title = "代发明细"
    put_text(ws.cell(row=1, column=1), f"{payer} 代发明细 批次 {number}：{purpose}")
    ws.cell(row=1, column=1).font = Font(bold=True, size=12)
    for col, (title, width) in enumerate(PAYMENT_COLUMNS, start=1):
        cell = ws.cell(row=2, column=col, value=title)
        cell.font, cell.alignment = Font(bold=True), Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(col)].width = width
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
    """One row of the bank's file as read; ``data`` is the row as plain JSON values, what a kept row holds."""

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


def row_error(row: int, header: str, field_: str, zh: str, en: str) -> ValidationFailed:
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
            row_error(row, columns.get(field_, (0, _BY_FIELD[field_].headers[0]))[1], field_, zh, en)
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
                errors.append(row_error(row, field_at[pos][1], field_at[pos][0], zh, en))
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


@dataclass
class ResultFile:
    """The bank's result file as read: the columns found (field → position, header as written), the data
    rows, and every problem of the file itself (formula cells first, then each row's, in row order)."""

    columns: dict[str, tuple[int, str]]
    rows: list[ResultRow]
    errors: list[ValidationFailed]

    def header(self, field_: str) -> str:
        """The column's header as the file writes it, or as we write it when the file has no such column."""
        return self.columns.get(field_, (0, _BY_FIELD[field_].headers[0]))[1]


def read_results(file_name: str, content, *, today: dt.date) -> ResultFile:
    """The bank's result file (bytes or an uploaded file) read into rows; a file without a header or with
    too many rows is refused (``ValidationFailed`` on ``file``), each row's problems are kept with it."""
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
    data_rows = [(n, values) for n, values in rows[index + 1 :] if _is_data_row(values)]
    if len(data_rows) > MAX_DATA_ROWS:
        raise _file_error(f"文件超过 {MAX_DATA_ROWS} 行。", f"The file has more than {MAX_DATA_ROWS} rows.")
    parsed = [_parse_row(n, values, columns, today) for n, values in data_rows]
    errors = _formula_errors(rows, columns) + [e for r in parsed for e in r.errors]
    return ResultFile(columns=columns, rows=parsed, errors=errors)


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


def bank_return_template_xlsx(*, payer: str, number: str, lines: Sequence[PaymentLine]) -> bytes:
    """A result file in the layout ``read_results`` reads, with the given lines' references and nets filled in.

    A finance officer whose bank sends no file of its own fills in 处理结果 (成功 / 退票), 银行流水号,
    处理日期 and, for a return, 失败原因, and imports it.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "银行回单"
    put_text(ws.cell(row=1, column=1), f"{payer} 代发结果 批次 {number}")
    ws.cell(row=1, column=1).font = Font(bold=True, size=12)
    for col, (title, width) in enumerate(RETURN_TEMPLATE_COLUMNS, start=1):
        cell = ws.cell(row=2, column=col, value=title)
        cell.font, cell.alignment = Font(bold=True), Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(col)].width = width
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
