"""API shapes of the funding side: output (…Out) and input (…In) serializers are separate.

Nothing here follows a relation per row that the viewsets' querysets do not load alongside.
"""

from rest_framework import serializers

from backend.idnumbers import mask_id_number

from .models import (
    BankReturnRow,
    BatchLine,
    DisbursementBatch,
    FundingSource,
    Instalment,
    LedgerEntry,
    Payment,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class SourceOut(serializers.ModelSerializer):
    scheme = serializers.CharField(source="scheme.code", read_only=True)

    class Meta:
        model = FundingSource
        fields = ["id", "scheme", "code", "name", "name_en", "payer", "is_active"]


class BudgetFiguresOut(serializers.Serializer):
    source = serializers.IntegerField(source="source.pk")
    source_name = serializers.CharField(source="source.name")
    year = serializers.IntegerField()
    budget = serializers.DecimalField(**MONEY, allow_null=True)
    committed = serializers.DecimalField(**MONEY)
    scheduled = serializers.DecimalField(**MONEY)
    approved = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)
    remaining = serializers.DecimalField(**MONEY, allow_null=True)
    note = serializers.CharField()


class BudgetIn(serializers.Serializer):
    source = serializers.IntegerField()
    year = serializers.IntegerField()
    amount = serializers.CharField(help_text="Yuan, at most two decimals, e.g. 200000.00")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class InstalmentOut(serializers.ModelSerializer):
    honouree = serializers.IntegerField(source="plan.honouree_id", read_only=True)
    honouree_name = serializers.CharField(source="plan.honouree.person.name", read_only=True)
    round = serializers.IntegerField(source="plan.round_id", read_only=True)
    source = serializers.IntegerField(source="source_id", read_only=True)

    class Meta:
        model = Instalment
        fields = [
            "id",
            "plan",
            "seq",
            "label",
            "honouree",
            "honouree_name",
            "round",
            "source",
            "amount",
            "earliest_on",
            "budget_year",
            "status",
            "status_reason",
            "status_changed_at",
            "recovery",
        ]


class ConditionOut(serializers.Serializer):
    index = serializers.IntegerField()
    kind = serializers.CharField()
    met = serializers.BooleanField()
    zh = serializers.CharField()
    en = serializers.CharField()


class HistoryOut(serializers.Serializer):
    at = serializers.DateTimeField(source="history_date")
    by = serializers.SerializerMethodField()
    status = serializers.CharField()
    status_reason = serializers.CharField()
    change = serializers.CharField(source="history_change_reason", allow_null=True)

    def get_by(self, row) -> str | None:
        return row.history_user.get_username() if row.history_user_id else None


class InstalmentDetailOut(InstalmentOut):
    conditions = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    calendar_note = serializers.CharField(read_only=True)
    confirmations = serializers.JSONField(read_only=True)

    class Meta(InstalmentOut.Meta):
        fields = [*InstalmentOut.Meta.fields, "calendar_note", "conditions", "confirmations", "history"]

    def get_conditions(self, inst) -> list[dict]:
        return ConditionOut(self.context.get("conditions", ()), many=True).data

    def get_history(self, inst) -> list[dict]:
        return HistoryOut(self.context.get("history", ()), many=True).data


class ConfirmIn(serializers.Serializer):
    index = serializers.IntegerField(
        help_text="The condition's index (0-based) in the instalment's conditions"
    )
    reason = serializers.CharField(allow_blank=True)


class LineOut(serializers.ModelSerializer):
    payee_id_number = serializers.SerializerMethodField()

    class Meta:
        model = BatchLine
        fields = [
            "id",
            "batch",
            "instalment",
            "reference",
            "payee_name",
            "payee_id_number",
            "bank_name",
            "account_no",
            "purpose",
            "gross",
            "tax",
            "net",
            "status",
            "bank_ref",
            "settled_on",
            "return_reason",
        ]

    def get_payee_id_number(self, line) -> str:
        # Masked for everyone here: the whole number goes to the bank in the bank file, not into API lists.
        return mask_id_number(line.payee_id_number)


class BatchOut(serializers.ModelSerializer):
    maker = serializers.CharField(source="maker.username", read_only=True)
    checker = serializers.CharField(source="checker.username", read_only=True, default=None)
    has_bank_file = serializers.SerializerMethodField()

    class Meta:
        model = DisbursementBatch
        fields = [
            "id",
            "number",
            "source",
            "purpose",
            "status",
            "maker",
            "created_at",
            "submitted_at",
            "checker",
            "decided_at",
            "decision_reason",
            "exported_at",
            "closed_at",
            "has_bank_file",
        ]

    def get_has_bank_file(self, batch) -> bool:
        return bool(batch.bank_file)


class BatchDetailOut(BatchOut):
    lines = serializers.SerializerMethodField()
    totals = serializers.SerializerMethodField()

    class Meta(BatchOut.Meta):
        fields = [*BatchOut.Meta.fields, "lines", "totals"]

    def get_lines(self, batch) -> list[dict]:
        return LineOut(self.context["lines"], many=True, context=self.context).data

    def get_totals(self, batch) -> dict:
        t = self.context["totals"]
        return {k: str(v) if k in ("gross", "tax", "net") else v for k, v in t.items()}


class BatchCreateIn(serializers.Serializer):
    source = serializers.IntegerField()
    purpose = serializers.CharField(required=False, allow_blank=True, default="")
    instalments = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


class InstalmentsIn(serializers.Serializer):
    instalments = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


class LineIdIn(serializers.Serializer):
    line = serializers.IntegerField()


class FundingReasonIn(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class ResultFileIn(serializers.Serializer):
    file = serializers.FileField()


class ImportResultOut(serializers.Serializer):
    batch = serializers.CharField()
    batch_status = serializers.CharField()
    paid = serializers.IntegerField()
    returned = serializers.IntegerField()
    already_recorded = serializers.IntegerField()
    unmatched = serializers.IntegerField()
    unmatched_row_ids = serializers.ListField(child=serializers.IntegerField())


class PaidIn(serializers.Serializer):
    bank_ref = serializers.CharField(allow_blank=True)
    paid_on = serializers.DateField()


class ReturnedIn(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    on = serializers.DateField()


class ReturnRowOut(serializers.ModelSerializer):
    class Meta:
        model = BankReturnRow
        fields = ["id", "batch", "row", "file_name", "data", "status", "line", "note"]


class BankRowAssignIn(serializers.Serializer):
    line = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The line this row is the result of; leave out to dismiss the row",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PaymentOut(serializers.ModelSerializer):
    honouree_name = serializers.CharField(source="instalment.plan.honouree.person.name", read_only=True)
    batch = serializers.IntegerField(source="line.batch_id", read_only=True)

    class Meta:
        model = Payment
        fields = [
            "id",
            "instalment",
            "line",
            "batch",
            "honouree_name",
            "voucher_no",
            "gross",
            "tax",
            "net",
            "tax_rate",
            "tax_category",
            "withholding_agent",
            "paid_on",
            "bank_ref",
            "recorded_at",
        ]


class LedgerEntryOut(serializers.ModelSerializer):
    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "kind",
            "amount",
            "source",
            "budget_year",
            "honouree",
            "instalment",
            "line",
            "payment",
            "reverses",
            "memo",
            "at",
        ]
