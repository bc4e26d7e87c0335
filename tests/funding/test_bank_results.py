"""The bank's result file: read from Excel or CSV, recorded line by line, all or nothing, and replayable."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from backend.errors import Conflict, NotPermitted, ValidationFailed
from funding.models import BankReturnRow, BatchLine, DisbursementBatch, Instalment, LedgerEntry, Payment
from funding.services import bank_results, batches

from .conftest import give_account
from .steps import LI, ZHOU, return_template, sent_to_bank

pytestmark = pytest.mark.django_db
S = Instalment.Status
HEADER = ["明细编号", "收款人", "账号", "实发金额", "处理结果", "银行流水号", "处理日期", "失败原因"]
WANG = ("王志强", "6228480012345678901")


def today() -> dt.date:
    return timezone.localdate()


def result_rows(batch: DisbursementBatch, *results) -> list[list]:
    """One row per line in line order: (处理结果, 银行流水号, 失败原因) for each, amount the line's net."""
    lines = list(batch.lines.order_by("id"))
    return [
        [line.reference, line.payee_name, line.account_no, line.net, result, bank_ref, today(), reason]
        for line, (result, bank_ref, reason) in zip(lines, results, strict=True)
    ]


def xlsx(rows: list[list], *, header=HEADER, title: str | None = "代发结果查询") -> bytes:
    """A result workbook as a bank sends it: a title line, then the header, then the rows."""
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], *, encoding: str, header=HEADER, preamble: str = "") -> bytes:
    def text(value) -> str:
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    out = io.StringIO()
    csv.writer(out).writerows([[text(v) for v in row] for row in [header, *rows]])  # "8,000.00" quoted
    return (preamble + out.getvalue()).encode(encoding)


def state() -> tuple:
    """Everything an import could change."""
    return (
        list(
            BatchLine.objects.order_by("id").values_list(
                "id", "status", "bank_ref", "settled_on", "return_reason"
            )
        ),
        list(Instalment.objects.order_by("id").values_list("id", "status", "status_reason")),
        list(DisbursementBatch.objects.order_by("id").values_list("id", "status")),
        Payment.objects.count(),
        LedgerEntry.objects.count(),
        BankReturnRow.objects.count(),
    )


def import_(batch, maker, content: bytes, name: str = "回单.xlsx") -> dict:
    return bank_results.batch_import_results(by=maker, batch_id=batch.pk, file_name=name, content=content)


def refused(
    batch, maker, content: bytes, name: str = "回单.xlsx", *, messages: list | None = None
) -> list[tuple]:
    """The import refused: the (row, field) of each error, after checking that nothing changed."""
    before = state()
    with pytest.raises(ValidationFailed) as e:
        import_(batch, maker, content, name)
    assert state() == before
    assert "均未保存" in e.value.zh and "nothing was saved" in e.value.en
    if messages is not None:
        messages.extend(e.value.errors)
    return [(err.row, err.field) for err in e.value.errors]


# --- reading and recording ---------------------------------------------------------------------------------


def test_the_filled_in_template_records_both_payments_and_closes_the_batch(seeds, office, maker, checker):
    batch = sent_to_bank(seeds["baling"], office, maker, checker)
    ws = load_workbook(io.BytesIO(return_template(batch))).active
    for row, bank_ref in ((3, "ICBC0001"), (4, "ICBC0002")):
        ws.cell(row, 5).value, ws.cell(row, 6).value, ws.cell(row, 7).value = "成功", bank_ref, today()
    out = io.BytesIO()
    ws.parent.save(out)

    counts = import_(batch, maker, out.getvalue())

    assert (counts["paid"], counts["returned"], counts["already_recorded"], counts["unmatched"]) == (
        2,
        0,
        0,
        0,
    )
    assert counts["batch_status"] == "closed"
    batch.refresh_from_db()
    assert batch.status == DisbursementBatch.Status.CLOSED and batch.closed_at is not None
    payments = list(
        Payment.objects.order_by("line_id").values_list("bank_ref", "paid_on", "net", "instalment__status")
    )
    assert payments == [
        ("ICBC0001", today(), Decimal("8000.00"), S.PAID),
        ("ICBC0002", today(), Decimal("8000.00"), S.PAID),
    ]


def test_a_gbk_csv_with_synonym_headers_below_a_title_is_read(seeds, office, maker, checker):
    batch = sent_to_bank(seeds["baling"], office, maker, checker)
    lines = list(batch.lines.order_by("id"))
    header = ["参考号", "户名", "收款账号", "金额（元）", "结果", "流水号", "日期", "备注"]
    rows = [
        [
            lines[0].reference,
            "周建华",
            ZHOU[1],
            "8,000.00",
            "成功",
            "CCB-1",
            today().strftime("%Y/%m/%d"),
            "",
        ],
        [
            lines[1].reference,
            "李秀英",
            LI[1],
            "8000",
            "退票",
            "",
            today().strftime("%Y年%m月%d日"),
            "户名不符",
        ],
    ]
    content = csv_bytes(
        rows,
        encoding="gbk",
        header=header,
        preamble="中国建设银行代发工资结果,,,\r\n付款账户：岳阳市人才办,,,\r\n",
    )
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")  # really GBK, not UTF-8 by accident

    counts = import_(batch, maker, content, "result.csv")

    assert (counts["paid"], counts["returned"]) == (1, 1)
    first, second = (BatchLine.objects.get(pk=line.pk) for line in lines)
    assert (first.status, first.bank_ref, first.settled_on) == ("paid", "CCB-1", today())
    assert (second.status, second.return_reason) == ("returned", "户名不符")


def test_a_utf8_csv_with_a_bom_and_english_results_is_read(seeds, office, maker, checker):
    batch = sent_to_bank(seeds["baling"], office, maker, checker)
    rows = result_rows(batch, ("paid", "BOC-1", ""), ("returned", "", "account closed"))
    content = b"\xef\xbb\xbf" + csv_bytes(rows, encoding="utf-8")

    counts = import_(batch, maker, content, "result.csv")

    assert (counts["paid"], counts["returned"]) == (1, 1)
    assert list(BatchLine.objects.order_by("id").values_list("status", flat=True)) == ["paid", "returned"]


def test_a_returned_row_puts_the_instalment_back_to_due_and_it_is_paid_in_a_new_batch(
    seeds, office, maker, checker
):
    batch = sent_to_bank(seeds["baling"], office, maker, checker)
    import_(batch, maker, xlsx(result_rows(batch, ("成功", "ICBC0001", ""), ("退票", "", "账户已销户"))))

    returned = BatchLine.objects.get(batch=batch, status="returned")
    inst = returned.instalment
    inst.refresh_from_db()
    assert inst.status == S.DUE and "账户已销户" in inst.status_reason
    assert returned.return_reason == "账户已销户" and returned.settled_on == today()
    batch.refresh_from_db()
    assert batch.status == "closed"  # every line settled: one paid, one returned

    give_account(inst.plan.honouree, maker, account_no="6217002940000099999")
    again = batches.batch_create(
        by=maker, source_id=inst.plan.source_id, purpose="退票重发", instalment_ids=[inst.pk]
    )
    batches.batch_submit(by=maker, batch_id=again.pk)
    batches.batch_approve(by=checker, batch_id=again.pk)
    batches.batch_export(by=maker, batch_id=again.pk)
    new_line = again.lines.get()
    assert new_line.account_no == "6217002940000099999"

    counts = import_(again, maker, xlsx(result_rows(again, ("成功", "ICBC0777", ""))))

    assert counts["paid"] == 1
    inst.refresh_from_db()
    assert inst.status == S.PAID and inst.payments.get().bank_ref == "ICBC0777"


def test_a_row_without_reference_is_matched_by_account_and_amount(seeds, office, maker, checker):
    batch = sent_to_bank(seeds["baling"], office, maker, checker)
    rows = result_rows(batch, ("成功", "ICBC0001", ""), ("成功", "ICBC0002", ""))
    rows[1][0] = ""  # the bank dropped the reference of 李秀英's row

    counts = import_(batch, maker, xlsx(rows))

    assert (counts["paid"], counts["unmatched"]) == (2, 0)
    li = BatchLine.objects.get(batch=batch, account_no=LI[1])
    assert (li.status, li.bank_ref) == ("paid", "ICBC0002")


def test_an_ambiguous_row_is_kept_for_a_person_who_assigns_it(seeds, office, maker, checker):
    shared = "6222029999999999999"  # say a couple's joint account: two lines with one account and one net
    batch = sent_to_bank(
        seeds["baling"], office, maker, checker, people=[("周建华", shared), ("李秀英", shared), WANG]
    )
    zhou, li, wang = batch.lines.order_by("id")
    rows = result_rows(batch, ("成功", "B1", ""), ("成功", "B2", ""), ("成功", "B3", ""))
    rows[0][0] = ""  # no reference, and both 周建华's and 李秀英's lines fit its account and amount
    del rows[1]  # 李秀英's result comes another day

    counts = import_(batch, maker, xlsx(rows))

    assert (counts["paid"], counts["unmatched"]) == (1, 1)
    row = BankReturnRow.objects.get()
    assert counts["unmatched_row_ids"] == [row.pk]
    assert row.status == "unmatched" and row.row == 3 and row.file_name == "回单.xlsx"
    assert row.data == {
        "reference": "",
        "amount": "8000.00",
        "result": "paid",
        "bank_ref": "B1",
        "date": today().isoformat(),
        "reason": "",
        "account": shared,
        "payee": "周建华",
    }
    assert [line.status for line in batch.lines.order_by("id")] == ["pending", "pending", "paid"]

    with pytest.raises(Conflict):  # 王志强's line is already paid under B3
        bank_results.return_row_assign(by=maker, row_id=row.pk, line_id=wang.pk)
    bank_results.return_row_assign(by=maker, row_id=row.pk, line_id=zhou.pk)

    zhou.refresh_from_db()
    row.refresh_from_db()
    assert (zhou.status, zhou.bank_ref, row.status, row.line_id) == ("paid", "B1", "assigned", zhou.pk)
    batch.refresh_from_db()
    assert batch.status == "exported"  # 李秀英's line still waits
    bank_results.line_mark_paid(by=maker, line_id=li.pk, bank_ref="B2", paid_on=today())
    batch.refresh_from_db()
    assert batch.status == "closed"


def test_replaying_the_same_file_changes_nothing_and_says_so(seeds, office, maker, checker):
    shared = "6222029999999999999"
    batch = sent_to_bank(
        seeds["baling"],
        office,
        maker,
        checker,
        people=[("周建华", shared), ("李秀英", shared), WANG, ("赵丽", "6228480000000000004")],
    )
    zhou = batch.lines.order_by("id")[0]
    rows = result_rows(
        batch, ("成功", "B1", ""), ("成功", "B2", ""), ("退票", "", "账号错误"), ("成功", "B4", "")
    )
    rows[0][0] = ""  # ambiguous: kept for a person
    del rows[1]
    content = xlsx(rows)
    first = import_(batch, maker, content)
    assert (first["paid"], first["returned"], first["unmatched"]) == (1, 1, 1)
    before = state()

    again = import_(batch, maker, content)

    assert state() == before
    assert (again["paid"], again["returned"], again["already_recorded"]) == (0, 0, 2)
    assert (again["unmatched"], again["unmatched_row_ids"]) == (1, first["unmatched_row_ids"])

    # Once a person has assigned the kept row, reading the file again counts it as recorded too.
    bank_results.return_row_assign(by=maker, row_id=first["unmatched_row_ids"][0], line_id=zhou.pk)
    before = state()
    third = import_(batch, maker, content)
    assert state() == before
    assert (third["already_recorded"], third["unmatched"]) == (3, 0)


def test_replaying_a_row_matched_by_account_does_not_pay_another_line(seeds, office, maker, checker):
    batch = sent_to_bank(seeds["baling"], office, maker, checker)
    rows = result_rows(batch, ("成功", "B1", ""), ("成功", "B2", ""))
    rows[1][0] = ""
    content = xlsx(rows)
    import_(batch, maker, content)
    before = state()

    counts = import_(batch, maker, content)

    assert state() == before and counts["already_recorded"] == 2 and counts["unmatched"] == 0


# --- refused files -----------------------------------------------------------------------------------------


def test_a_reference_not_in_the_batch_is_refused_and_nothing_changes(seeds, office, maker, checker):
    batch = sent_to_bank(seeds["baling"], office, maker, checker)
    rows = result_rows(batch, ("成功", "B1", ""), ("成功", "B2", ""))
    rows[1][0] = "PB202399999-001"
    assert refused(batch, maker, xlsx(rows)) == [(4, "reference")]  # row 1 title, row 2 header


def test_a_reference_given_twice_is_refused(seeds, office, maker, checker):
    batch = sent_to_bank(seeds["baling"], office, maker, checker)
    rows = result_rows(batch, ("成功", "B1", ""), ("成功", "B2", ""))
    rows[1][0] = rows[0][0]
    assert refused(batch, maker, xlsx(rows)) == [(4, "reference")]


def test_an_amount_that_is_not_the_lines_net_is_refused(seeds, office, maker, checker):
    batch = sent_to_bank(seeds["baling"], office, maker, checker)
    rows = result_rows(batch, ("成功", "B1", ""), ("成功", "B2", ""))
    rows[1][3] = Decimal("10000.00")  # the gross, not the net
    assert refused(batch, maker, xlsx(rows)) == [(4, "amount")]


def test_a_formula_cell_is_refused(seeds, office, maker, checker):
    batch = sent_to_bank(seeds["baling"], office, maker, checker)
    rows = result_rows(batch, ("成功", "B1", ""), ("成功", "B2", ""))
    rows[1][3] = "=D3"
    assert refused(batch, maker, xlsx(rows)) == [(4, "amount")]


def test_a_date_in_the_future_is_refused(seeds, office, maker, checker):
    batch = sent_to_bank(seeds["baling"], office, maker, checker)
    rows = result_rows(batch, ("成功", "B1", ""), ("成功", "B2", ""))
    rows[1][6] = today() + dt.timedelta(days=1)
    assert refused(batch, maker, xlsx(rows)) == [(4, "date")]


def test_every_problem_of_a_file_is_listed_by_row_and_column(seeds, office, maker, checker):
    batch = sent_to_bank(seeds["baling"], office, maker, checker, people=[ZHOU, LI, WANG])
    rows = result_rows(batch, ("成功", "B1", ""), ("待定", "B2", ""), ("成功", "", ""))
    rows[0][6] = "2024-02-30"
    rows[2][3] = "八千元"
    rows.append(["PB202399999-001", "某人", "6222000000000000000", "8000.00", "成功", "B9", today(), ""])
    messages = []
    errors = refused(batch, maker, csv_bytes(rows, encoding="utf-8"), "result.csv", messages=messages)
    # No title row in this CSV: the header is row 1.
    assert errors == [(2, "date"), (3, "result"), (4, "amount"), (4, "bank_ref"), (5, "reference")]
    assert messages[0].zh == "第 2 行“处理日期”：“2024-02-30”不是日期（应如 2024-01-05）。"
    assert (
        messages[-1].en
        == f"Row 5, 明细编号 (line reference): PB202399999-001 is not a line of batch {batch.number}."
    )


def test_a_paid_line_reported_under_another_bank_reference_is_refused(seeds, office, maker, checker):
    batch = sent_to_bank(seeds["baling"], office, maker, checker)
    import_(batch, maker, xlsx(result_rows(batch, ("成功", "B1", ""), ("成功", "B2", ""))))
    assert refused(batch, maker, xlsx(result_rows(batch, ("成功", "B1", ""), ("成功", "B2-X", "")))) == [
        (4, "bank_ref")
    ]
    assert refused(batch, maker, xlsx(result_rows(batch, ("成功", "B1", ""), ("退票", "", "错")))) == [
        (4, "result")
    ]


def test_a_file_without_the_needed_columns_is_refused(seeds, office, maker, checker):
    batch = sent_to_bank(seeds["baling"], office, maker, checker)
    rows = [row[:4] for row in result_rows(batch, ("成功", "B1", ""), ("成功", "B2", ""))]
    assert refused(batch, maker, xlsx(rows, header=HEADER[:4])) == [(None, "file")]


def test_only_a_finance_maker_imports_and_only_once_the_batch_went_to_the_bank(seeds, office, maker, checker):
    batch = sent_to_bank(seeds["baling"], office, maker, checker, export=False)
    content = xlsx(result_rows(batch, ("成功", "B1", ""), ("成功", "B2", "")))
    with pytest.raises(NotPermitted):
        bank_results.batch_import_results(
            by=checker, batch_id=batch.pk, file_name="回单.xlsx", content=content
        )
    with pytest.raises(Conflict):
        import_(batch, maker, content)
