"""The money exports: the disbursement schedule (every instalment by month and source, with a month ×
source summary) and budget execution (each source and year: budget, committed, in batches, paid, left).

The schedule reads funding's instalments directly, the budget execution through
``funding.selectors.budget_execution`` (a fixed number of queries however many budgets); both are finance
documents for the finance roles, the office and audit, and carry no identity numbers.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from funding.models import Instalment
from funding.selectors import budget_execution
from reports.kinds import XLSX, Output
from reports.xlsx import Col, Sheet, save, workbook

ZERO = Decimal("0.00")

SCHEDULE_COLUMNS = [
    Col("月份", 9),
    Col("资金来源", 20),
    Col("项目", 12),
    Col("批次年度", 9, "int"),
    Col("姓名", 10),
    Col("证书编号", 18),
    Col("款项", 14),
    Col("最早支付日", 14, "date"),
    Col("预算年度", 9, "int"),
    Col("金额", 12, "money"),
    Col("状态", 12),
    Col("说明", 40),
    Col("支付批次", 14),
    Col("支付日期", 14, "date"),
    Col("代扣个税", 12, "money"),
    Col("实发金额", 12, "money"),
    Col("银行流水号", 20),
]


def _instalments(params):
    qs = Instalment.objects.select_related("source", "plan__round__scheme", "plan__honouree__person")
    if "scheme" in params:
        qs = qs.filter(plan__round__scheme_id=params["scheme"])
    if "year" in params:
        qs = qs.filter(budget_year=params["year"])
    return qs.prefetch_related("payments__line__batch").order_by("earliest_on", "source_id", "id")


def build_disbursements(params: dict, progress, *, by) -> Output:
    progress(5, "读取资助计划")
    rows = list(_instalments(params))
    wb = workbook()
    detail = Sheet(wb, "支付计划", "奖励资金支付计划（按月份、资金来源）", SCHEDULE_COLUMNS)
    summary: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for n, inst in enumerate(rows, start=1):
        plan = inst.plan
        payment = next(iter(inst.payments.all()), None)
        month = (payment.paid_on if payment else inst.earliest_on).strftime("%Y-%m")
        detail.append(
            [
                month,
                inst.source.name,
                plan.round.scheme.name,
                plan.round.year,
                plan.honouree.person.name,
                plan.honouree.certificate_no,
                inst.label,
                inst.earliest_on,
                inst.budget_year,
                inst.amount,
                inst.get_status_display(),
                inst.status_reason.split(" / ")[0],
                payment.line.batch.number if payment else "",
                payment.paid_on if payment else None,
                payment.tax if payment else None,
                payment.net if payment else None,
                payment.bank_ref if payment else "",
            ]
        )
        bucket = summary[(month, inst.source.name)]
        bucket[
            "paid" if payment else ("open" if inst.status not in ("cancelled", "forfeited") else "ended")
        ] += inst.amount
        if n % 200 == 0:
            progress(5 + 80 * n // max(1, len(rows)), f"写入 {n}/{len(rows)}")
    pivot = Sheet(
        wb,
        "按月汇总",
        "按月份、资金来源汇总",
        [
            Col("月份", 9),
            Col("资金来源", 20),
            Col("已支付", 14, "money"),
            Col("待支付及未到期", 16, "money"),
            Col("已取消或丧失", 14, "money"),
        ],
    )
    for (month, source), b in sorted(summary.items()):
        pivot.append([month, source, b["paid"], b["open"], b["ended"]])
    progress(95, "保存文件")
    return Output(save(wb), "奖励资金支付计划.xlsx", XLSX)


def build_budget(params: dict, progress, *, by) -> Output:
    progress(5, "读取预算")
    budgets = budget_execution(scheme_id=params.get("scheme"), year=params.get("year"))
    wb = workbook()
    sheet = Sheet(
        wb,
        "预算执行",
        "奖励资金预算执行情况",
        [
            Col("项目", 12),
            Col("资金来源", 22),
            Col("付款单位", 30),
            Col("年度", 8, "int"),
            Col("预算", 14, "money"),
            Col("已承诺", 14, "money"),
            Col("编制及待审批", 14, "money"),
            Col("已审批待付", 14, "money"),
            Col("已支付", 14, "money"),
            Col("剩余可承诺", 14, "money"),
            Col("执行率", 9),
        ],
    )
    for n, b in enumerate(budgets, start=1):
        rate = f"{(b.paid / b.budget * 100):.1f}%" if b.budget else "—"
        sheet.append(
            [
                b.source.scheme.name,
                b.source.name,
                b.source.payer,
                b.year,
                b.budget,
                b.committed,
                b.scheduled,
                b.approved,
                b.paid,
                b.remaining,
                rate,
            ]
        )
        progress(5 + 85 * n // max(1, len(budgets)), f"{n}/{len(budgets)}")
    progress(95, "保存文件")
    return Output(save(wb), "预算执行情况.xlsx", XLSX)
