"""Admin for looking things up and for a source's names; money moves only through funding.services.

Everything but the funding sources is read-only here: a batch, a line, a payment or a ledger entry changed
in the admin would bypass the row locks, the history and the ledger the services keep.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AwardPlan,
    BankReturnRow,
    BatchLine,
    Budget,
    DisbursementBatch,
    FundingSource,
    Instalment,
    LedgerEntry,
    PayeeAccount,
    Payment,
)


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, SimpleHistoryAdmin):
    """Read-only, with the row's history."""


class PlainReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    """Read-only, for rows that are never changed (payments, the ledger) or have no history."""


@admin.register(FundingSource)
class FundingSourceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "scheme", "code", "payer", "is_active"]
    list_filter = ["scheme", "is_active"]
    readonly_fields = ["scheme", "code"]

    def has_add_permission(self, request):
        return False  # sources are made from a round's package (funding.services.budgets.source_for)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Budget)
class BudgetAdmin(ReadOnlyAdmin):
    list_display = ["source", "year", "amount", "note"]
    list_filter = ["year", "source"]


@admin.register(PayeeAccount)
class PayeeAccountAdmin(ReadOnlyAdmin):
    list_display = ["person", "account_name", "bank_name", "updated_at"]
    search_fields = ["person__name", "account_name"]


@admin.register(AwardPlan)
class AwardPlanAdmin(ReadOnlyAdmin):
    list_display = ["honouree", "round", "source", "total", "tax_withheld", "status"]
    list_filter = ["status", "round", "source"]
    search_fields = ["honouree__person__name", "honouree__certificate_no"]
    list_select_related = ["honouree__person", "round__scheme", "source__scheme"]


@admin.register(Instalment)
class InstalmentAdmin(ReadOnlyAdmin):
    list_display = ["plan", "seq", "label", "amount", "earliest_on", "budget_year", "status", "recovery"]
    list_filter = ["status", "recovery", "budget_year"]
    search_fields = ["plan__honouree__person__name", "plan__honouree__certificate_no"]
    list_select_related = ["plan__honouree__person"]


class BatchLineInline(admin.TabularInline):
    model = BatchLine
    fields = ["reference", "payee_name", "gross", "tax", "net", "status", "bank_ref", "settled_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DisbursementBatch)
class DisbursementBatchAdmin(ReadOnlyAdmin):
    list_display = ["number", "source", "purpose", "status", "maker", "checker", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["number", "purpose"]
    list_select_related = ["source__scheme", "maker", "checker"]
    inlines = [BatchLineInline]


@admin.register(Payment)
class PaymentAdmin(PlainReadOnlyAdmin):
    list_display = ["voucher_no", "instalment", "gross", "tax", "net", "paid_on", "bank_ref"]
    search_fields = ["voucher_no", "bank_ref", "instalment__plan__honouree__person__name"]
    list_select_related = ["instalment__plan__honouree__person"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(PlainReadOnlyAdmin):
    list_display = ["id", "kind", "amount", "source", "budget_year", "honouree", "at"]
    list_filter = ["kind", "budget_year", "source"]
    list_select_related = ["source__scheme", "honouree__person"]


@admin.register(BankReturnRow)
class BankReturnRowAdmin(PlainReadOnlyAdmin):
    list_display = ["batch", "row", "file_name", "status", "line"]
    list_filter = ["status"]
