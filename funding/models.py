"""Money: sources and budgets, award plans and their instalments, disbursement batches and the ledger.

Every rule about money is held twice: by the service that changes a row (funding.services, under a row
lock) and by a database constraint here, so a bug in the code cannot pay an instalment twice, pay a
negative amount, or split a payment into tax and net that do not add up.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from backend.history import domain_history
from honourees.models import BenefitEntitlement, Honouree, Person, Round, Scheme

MONEY = {"max_digits": 14, "decimal_places": 2}


class FundingSource(models.Model):
    """Where award money comes from: a city's talent fund, its union funds, the city government's budget.

    A round's award package names its source by ``code`` (``rules.award.source``); the pair (scheme, code)
    is the source, since each city has its own.
    """

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="funding_sources")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    payer = models.CharField(
        _("paying unit (withholding agent)"),
        max_length=200,
        help_text=_("扣缴义务人: the unit that pays and withholds tax"),
    )
    is_active = models.BooleanField(_("in use"), default=True)

    history = domain_history()

    class Meta:
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        ordering = ["scheme_id", "code"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="funding_source_unique_code")]

    def __str__(self):
        return f"{self.scheme.name} · {self.name}"


class Budget(models.Model):
    """A source's money for one year. Commitments and payments of that year may not exceed it."""

    source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="budgets")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("budget (yuan)"), **MONEY)
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = domain_history()

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["source_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["source", "year"], name="budget_one_per_source_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.source} {self.year}"


class PayeeAccount(models.Model):
    """The bank account an honouree is paid into (个人银行账户 or 社保卡). Batch lines copy it when made."""

    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="payee_account")
    account_name = models.CharField(_("account holder"), max_length=50)
    bank_name = models.CharField(_("bank"), max_length=100)
    account_no = models.CharField(_("account number"), max_length=40)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = domain_history()

    class Meta:
        verbose_name = _("payee bank account")
        verbose_name_plural = _("payee bank accounts")

    def __str__(self):
        return f"{self.account_name} {self.bank_name}"


class AwardPlan(models.Model):
    """An honouree's award money as the round's package promised it at naming, with its tax treatment."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("执行中")
        CANCELLED = "cancelled", _("已撤销")
        COMPLETED = "completed", _("已完成")

    honouree = models.OneToOneField(Honouree, on_delete=models.PROTECT, related_name="award_plan")
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="award_plans")
    source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="plans")
    total = models.DecimalField(_("total (yuan)"), **MONEY)
    tax_withheld = models.BooleanField(_("tax withheld by the payer"), default=False)
    tax_rate = models.DecimalField(_("tax rate"), max_digits=5, decimal_places=4, default=0)
    tax_category = models.CharField(_("income category"), max_length=40, blank=True)
    withholding_agent = models.CharField(_("withholding agent"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = domain_history()

    class Meta:
        verbose_name = _("award plan")
        verbose_name_plural = _("award plans")
        constraints = [
            # 0 for an honouree whose only money is a benefit (an allowance paid through batches).
            models.CheckConstraint(condition=Q(total__gte=0), name="award_plan_total_not_negative"),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0) & Q(tax_rate__lte=1), name="award_plan_tax_rate_0_1"
            ),
        ]

    def __str__(self):
        return f"{self.honouree} · {self.total}"


class Instalment(models.Model):
    """One payment an award plan promises: an amount, the earliest day it may be paid, and its conditions.

    ``conditions`` is the round's data, copied at naming: ``[{kind, params}]`` with kinds
    ``studio_established``, ``assessment_passed`` (read from studios) and ``manual_confirmation`` (an
    office user confirms it with a reason; stored in ``confirmations`` by the condition's index).
    """

    class Status(models.TextChoices):
        PLANNED = "planned", _("未到期")
        BLOCKED = "blocked", _("条件未满足")
        DUE = "due", _("待支付")
        SCHEDULED = "scheduled", _("已编入批次")
        APPROVED = "approved", _("已审批")
        PAID = "paid", _("已支付")
        FAILED = "failed", _("退票")
        CANCELLED = "cancelled", _("已取消")
        FORFEITED = "forfeited", _("已丧失")

    S = Status
    NEXT = {
        S.PLANNED: {S.BLOCKED, S.DUE, S.CANCELLED, S.FORFEITED},
        S.BLOCKED: {S.PLANNED, S.DUE, S.CANCELLED, S.FORFEITED},
        S.DUE: {S.PLANNED, S.BLOCKED, S.SCHEDULED, S.CANCELLED, S.FORFEITED},
        S.SCHEDULED: {S.DUE, S.APPROVED, S.CANCELLED},  # out of the batch again, or approved with it
        S.APPROVED: {S.PAID, S.FAILED},  # the bank has the file: only its answer moves it on
        S.FAILED: {S.DUE},  # 退票: corrected and put into a new batch
        S.PAID: set(),  # a payment is never undone here; a recovery item is a separate fact
        S.CANCELLED: {S.PLANNED, S.BLOCKED, S.DUE},  # a reinstated honour brings it back
        S.FORFEITED: set(),
    }
    # States whose money is still promised (a commitment in the ledger); the others released it.
    COMMITTED = {S.PLANNED, S.BLOCKED, S.DUE, S.SCHEDULED, S.APPROVED, S.PAID, S.FAILED}
    # States the daily tick may move between by re-reading conditions and dates.
    OPEN = {S.PLANNED, S.BLOCKED, S.DUE}

    class Recovery(models.TextChoices):
        NONE = "", _("无")
        PENDING = "pending", _("待追回")
        RECOVERED = "recovered", _("已追回")
        WAIVED = "waived", _("已核销")

    class Kind(models.TextChoices):
        AWARD = "award", _("奖励")
        BENEFIT = "benefit", _("待遇")

    plan = models.ForeignKey(AwardPlan, on_delete=models.PROTECT, related_name="instalments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.AWARD)
    # Where the money comes from: the plan's source for the award, the benefit funder's for a benefit.
    source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="instalments")
    # A benefit's instalment answers one due day of one entitlement (and becomes its delivery when paid).
    entitlement = models.ForeignKey(
        BenefitEntitlement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_instalments",
    )
    occurrence_on = models.DateField(_("due day of the benefit"), null=True, blank=True)
    seq = models.PositiveSmallIntegerField(_("number"))
    label = models.CharField(_("label"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    months_after_naming = models.PositiveSmallIntegerField(_("months after naming"), default=0)
    earliest_on = models.DateField(_("earliest payment date"))
    calendar_note = models.CharField(_("calendar"), max_length=200, blank=True)
    budget_year = models.PositiveSmallIntegerField(_("budget year"))
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    confirmations = models.JSONField(_("manual confirmations"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    status_reason = models.CharField(_("why"), max_length=500, blank=True)
    status_changed_at = models.DateTimeField(_("status since"), null=True, blank=True)
    cancelled_by_revocation = models.BooleanField(default=False)
    recovery = models.CharField(
        _("recovery"), max_length=20, choices=Recovery.choices, default="", blank=True
    )
    recovery_note = models.CharField(_("recovery note"), max_length=500, blank=True)

    history = domain_history()

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        ordering = ["earliest_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "seq"], name="instalment_unique_seq"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_positive"),
            models.UniqueConstraint(
                fields=["entitlement", "occurrence_on"],
                condition=Q(entitlement__isnull=False),
                name="instalment_one_per_benefit_due_day",
            ),
            models.CheckConstraint(
                condition=Q(kind="award", entitlement__isnull=True)
                | Q(kind="benefit", entitlement__isnull=False, occurrence_on__isnull=False),
                name="instalment_benefit_names_its_due_day",
            ),
        ]
        indexes = [models.Index(fields=["status", "earliest_on"])]

    def __str__(self):
        return f"{self.plan.honouree} · {self.label or self.seq}"

    def can_become(self, status: str) -> bool:
        return status in self.NEXT[self.status]


class DisbursementBatch(models.Model):
    """Instalments of one source put together by a maker, approved by a checker, paid by the bank."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("编制中")
        SUBMITTED = "submitted", _("待审批")
        APPROVED = "approved", _("已审批")
        EXPORTED = "exported", _("已送银行")
        CLOSED = "closed", _("已办结")
        REJECTED = "rejected", _("已驳回")
        CANCELLED = "cancelled", _("已作废")

    S = Status
    NEXT = {
        S.DRAFT: {S.SUBMITTED, S.CANCELLED},
        S.SUBMITTED: {S.APPROVED, S.REJECTED},
        S.APPROVED: {S.EXPORTED},
        S.EXPORTED: {S.CLOSED},
        S.CLOSED: set(),
        S.REJECTED: set(),  # its instalments are due again; the maker builds a new batch
        S.CANCELLED: set(),
    }

    number = models.CharField(_("batch number"), max_length=30, unique=True)
    source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="batches")
    purpose = models.CharField(_("purpose"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    maker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)
    exported_at = models.DateTimeField(_("sent to the bank at"), null=True, blank=True)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    bank_file = models.FileField(_("bank payment file"), upload_to="funding/bank/%Y/", blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    history = domain_history()

    class Meta:
        verbose_name = _("disbursement batch")
        verbose_name_plural = _("disbursement batches")
        ordering = ["-created_at", "-id"]
        constraints = [
            # An approver never approves their own batch (DESIGN.md, roles).
            models.CheckConstraint(
                condition=Q(checker__isnull=True) | ~Q(checker=F("maker")), name="batch_checker_is_not_maker"
            ),
        ]

    def __str__(self):
        return self.number

    def can_become(self, status: str) -> bool:
        return status in self.NEXT[self.status]


class BatchLine(models.Model):
    """One payment order in a batch: the payee as it stood when the line was made, gross, tax and net."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待银行结果")
        PAID = "paid", _("已支付")
        RETURNED = "returned", _("退票")
        WITHDRAWN = "withdrawn", _("已移出")

    batch = models.ForeignKey(DisbursementBatch, on_delete=models.PROTECT, related_name="lines")
    instalment = models.ForeignKey(Instalment, on_delete=models.PROTECT, related_name="lines")
    reference = models.CharField(_("line reference"), max_length=40, unique=True)
    payee_name = models.CharField(_("payee"), max_length=50)
    payee_id_number = models.CharField(_("identity number"), max_length=18)
    bank_name = models.CharField(_("bank"), max_length=100)
    account_no = models.CharField(_("account number"), max_length=40)
    purpose = models.CharField(_("purpose"), max_length=200)
    gross = models.DecimalField(_("gross (yuan)"), **MONEY)
    tax = models.DecimalField(_("tax withheld (yuan)"), **MONEY)
    net = models.DecimalField(_("net (yuan)"), **MONEY)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    bank_ref = models.CharField(_("bank reference"), max_length=60, blank=True)
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    return_reason = models.CharField(_("reason for return"), max_length=300, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    settled_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    history = domain_history()

    class Meta:
        verbose_name = _("batch line")
        verbose_name_plural = _("batch lines")
        ordering = ["batch_id", "id"]
        constraints = [
            # An instalment is in at most one live line: it cannot be sent to the bank twice.
            models.UniqueConstraint(
                fields=["instalment"],
                condition=Q(status__in=["pending", "paid"]),
                name="batch_line_one_live_per_instalment",
            ),
            models.CheckConstraint(condition=Q(gross__gt=0), name="batch_line_gross_positive"),
            models.CheckConstraint(
                condition=Q(tax__gte=0) & Q(net__gt=0), name="batch_line_tax_net_positive"
            ),
            models.CheckConstraint(
                condition=Q(net=F("gross") - F("tax")), name="batch_line_net_is_gross_less_tax"
            ),
        ]

    def __str__(self):
        return self.reference


class Payment(models.Model):
    """Money that left: one per paid instalment, with the tax withheld and who withheld it."""

    instalment = models.ForeignKey(Instalment, on_delete=models.PROTECT, related_name="payments")
    line = models.OneToOneField(BatchLine, on_delete=models.PROTECT, related_name="payment")
    voucher_no = models.CharField(_("voucher number"), max_length=30, unique=True)
    gross = models.DecimalField(_("gross (yuan)"), **MONEY)
    tax = models.DecimalField(_("tax withheld (yuan)"), **MONEY)
    net = models.DecimalField(_("net (yuan)"), **MONEY)
    tax_rate = models.DecimalField(_("tax rate"), max_digits=5, decimal_places=4, default=0)
    tax_category = models.CharField(_("income category"), max_length=40, blank=True)
    withholding_agent = models.CharField(_("withholding agent"), max_length=200, blank=True)
    paid_on = models.DateField(_("paid on"))
    bank_ref = models.CharField(_("bank reference"), max_length=60)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-id"]
        constraints = [
            # The last line of defence against paying twice: one payment per instalment, whatever the code.
            models.UniqueConstraint(fields=["instalment"], name="payment_one_per_instalment"),
            models.CheckConstraint(condition=Q(gross__gt=0), name="payment_gross_positive"),
            models.CheckConstraint(
                condition=Q(net=F("gross") - F("tax")), name="payment_net_is_gross_less_tax"
            ),
        ]

    def __str__(self):
        return self.voucher_no


class LedgerQuerySet(models.QuerySet):
    """Refuses bulk changes: ``LedgerEntry.objects.filter(...).update()`` or ``.delete()`` would bypass ``save``."""

    def update(self, **kwargs):
        raise RuntimeError("Ledger entries are append-only: write a reversal instead of editing.")

    def delete(self):
        raise RuntimeError("Ledger entries are append-only and are never deleted.")


class LedgerEntry(models.Model):
    """The append-only record of every movement of money; rows are never edited or deleted.

    Finance and audit need to know not just where the money stands but how it got there: a correction is
    a new entry (``reversal`` pointing at the one it undoes), never a changed row. The reconciliation
    (funding.reconciliation) proves that these entries, the instalments and the budgets agree. The code
    refuses updates and deletes (``save``/``delete`` below, the queryset) and on PostgreSQL a trigger does too.

    Signs: ``commit`` +amount when an instalment is promised, ``release`` −amount when the promise ends
    unpaid (cancelled, forfeited); ``payment`` +gross when the bank confirms; ``tax_withheld`` +tax of that
    payment (part of its gross, for the withholding return); ``recovery`` +amount claimed back after a
    revocation, ``recovery_settled`` −amount when recovered or waived; ``reversal`` the negative of the
    entry it reverses. A bank return (退票) writes nothing: only a pending line can be returned, and a line's
    payment is written only when the bank confirms it, so there is no payment for a return to undo.
    """

    class Kind(models.TextChoices):
        COMMIT = "commit", _("承诺")
        RELEASE = "release", _("释放")
        PAYMENT = "payment", _("支付")
        TAX_WITHHELD = "tax_withheld", _("代扣个税")
        RECOVERY = "recovery", _("追回")
        RECOVERY_SETTLED = "recovery_settled", _("追回结清")
        REVERSAL = "reversal", _("冲销")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    source = models.ForeignKey(FundingSource, on_delete=models.PROTECT, related_name="+")
    budget_year = models.PositiveSmallIntegerField(_("budget year"))
    honouree = models.ForeignKey(Honouree, on_delete=models.PROTECT, related_name="+")
    instalment = models.ForeignKey(Instalment, on_delete=models.PROTECT, related_name="ledger")
    line = models.ForeignKey(BatchLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero")]

    def __str__(self):
        return f"{self.kind} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise RuntimeError("Ledger entries are append-only: write a reversal instead of editing.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("Ledger entries are append-only and are never deleted.")


class BankReturnRow(models.Model):
    """A row of a bank return file that named no line of its batch clearly: a person assigns it."""

    class Status(models.TextChoices):
        UNMATCHED = "unmatched", _("待匹配")
        ASSIGNED = "assigned", _("已匹配")
        DISMISSED = "dismissed", _("已忽略")

    batch = models.ForeignKey(DisbursementBatch, on_delete=models.PROTECT, related_name="return_rows")
    row = models.PositiveIntegerField(_("row in the file"))
    file_name = models.CharField(_("file"), max_length=255)
    data = models.JSONField(_("row as read"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.UNMATCHED)
    line = models.ForeignKey(BatchLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = domain_history()

    class Meta:
        verbose_name = _("unmatched bank row")
        verbose_name_plural = _("unmatched bank rows")
        ordering = ["batch_id", "id"]

    def __str__(self):
        return f"{self.file_name} #{self.row}"
