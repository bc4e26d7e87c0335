"""REST API of the funding side: reads through selectors, every write through a service.

Errors come back through backend.api.exception_handler (400/403/404/409 with zh and en messages and the
field). Anything the caller may not see is a 404.
"""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from backend.api import validated
from backend.errors import NotFound, NotPermitted, ValidationFailed

from . import conditions, selectors
from . import serializers as s
from .services import bank_results, batches, budgets, plans


def _number(params, key):
    value = (params.get(key) or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValidationFailed(f"参数 {key} 应为数字。", f"The parameter {key} must be a number.", field=key)
    return int(value)


class SourceViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.SourceOut
    filterset_fields = ["scheme", "code", "is_active"]

    def get_queryset(self):
        return selectors.sources_for(self.request.user).order_by("id")


class BudgetViewSet(viewsets.ViewSet):
    """Budget figures per source and year (budget, committed, scheduled, approved, paid, remaining)."""

    @extend_schema(
        responses=s.BudgetFiguresOut(many=True),
        parameters=[OpenApiParameter("source", int), OpenApiParameter("year", int)],
        summary="Budget figures per source and year",
    )
    def list(self, request):
        rows = selectors.budget_table(
            request.user,
            source_id=_number(request.query_params, "source"),
            year=_number(request.query_params, "year"),
        )
        return Response(s.BudgetFiguresOut(rows, many=True).data)

    @extend_schema(request=s.BudgetIn, responses=s.BudgetFiguresOut, summary="Set a year's budget (checker)")
    @action(detail=False, methods=["post"], url_path="set")
    def set_budget(self, request):
        d = validated(s.BudgetIn, request.data)
        budget = budgets.budget_set(
            by=request.user, source_id=d["source"], year=d["year"], amount=d["amount"], note=d["note"]
        )
        row = selectors.budget_table(request.user, source_id=budget.source_id, year=budget.year)[0]
        return Response(s.BudgetFiguresOut(row).data)


class InstalmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Instalments the caller may see; one instalment with its conditions (met or not, and why) and history."""

    serializer_class = s.InstalmentOut
    filter_backends = []  # the filters below are read by hand: due_before is not a model field

    def get_queryset(self):
        qs = selectors.instalments_for(self.request.user)
        if self.action != "list":
            return qs
        p = self.request.query_params
        if p.get("status"):
            qs = qs.filter(status__in=p["status"].split(","))
        if (source := _number(p, "source")) is not None:
            qs = qs.filter(source_id=source)
        if (round_id := _number(p, "round")) is not None:
            qs = qs.filter(plan__round_id=round_id)
        if p.get("due_before"):
            try:
                qs = qs.filter(earliest_on__lt=dt.date.fromisoformat(p["due_before"]))
            except ValueError:
                raise ValidationFailed(
                    f"日期“{p['due_before']}”格式不正确。",
                    f"'{p['due_before']}' is not a date.",
                    field="due_before",
                ) from None
        return qs.order_by("earliest_on", "id")

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, description="One status or several, comma separated"),
            OpenApiParameter("source", int),
            OpenApiParameter("round", int),
            OpenApiParameter(
                "due_before", OpenApiTypes.DATE, description="Earliest payment date before this day"
            ),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _detail(self, inst):
        context = {
            "conditions": conditions.condition_states(inst, inst.plan.honouree, timezone.localdate()),
            "history": selectors.instalment_history(inst),
        }
        return Response(s.InstalmentDetailOut(inst, context=context).data)

    @extend_schema(responses=s.InstalmentDetailOut)
    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    @extend_schema(
        request=s.ConfirmIn,
        responses=s.InstalmentDetailOut,
        summary="Confirm a manual condition with a reason (talent office)",
    )
    @action(detail=True, methods=["post"], url_path="confirm-condition")
    def confirm_condition(self, request, pk=None):
        d = validated(s.ConfirmIn, request.data)
        inst = self.get_object()
        plans.instalment_confirm_condition(
            by=request.user, instalment_id=inst.pk, index=d["index"], reason=d["reason"]
        )
        return self._detail(self.get_queryset().get(pk=inst.pk))


class BatchViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Disbursement batches: the maker makes and submits, a checker who is not the maker approves or rejects,
    the bank file is made once, and the bank's result is read from its file or recorded line by line."""

    serializer_class = s.BatchOut
    filterset_fields = ["status", "source"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.batches_for(self.request.user).order_by("-created_at", "-id")

    def _out(self, pk, code=status.HTTP_200_OK):
        batch = get_object_or_404(self.get_queryset(), pk=pk)
        lines = selectors.batch_lines(batch)
        context = {"lines": lines, "totals": selectors.batch_totals(lines), "user": self.request.user}
        return Response(s.BatchDetailOut(batch, context=context).data, status=code)

    @extend_schema(responses=s.BatchDetailOut)
    def retrieve(self, request, pk=None):
        return self._out(self.get_object().pk)

    @extend_schema(
        request=s.BatchCreateIn,
        responses={201: s.BatchDetailOut},
        summary="Put due instalments of one source into a new draft batch (maker)",
    )
    def create(self, request):
        d = validated(s.BatchCreateIn, request.data)
        batch = batches.batch_create(
            by=request.user, source_id=d["source"], purpose=d["purpose"], instalment_ids=d["instalments"]
        )
        return self._out(batch.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.InstalmentsIn, responses=s.BatchDetailOut, summary="Add due instalments to a draft"
    )
    @action(detail=True, methods=["post"])
    def add(self, request, pk=None):
        d = validated(s.InstalmentsIn, request.data)
        batches.batch_add(by=request.user, batch_id=self.get_object().pk, instalment_ids=d["instalments"])
        return self._out(pk)

    @extend_schema(request=s.LineIdIn, responses=s.BatchDetailOut, summary="Take a line out of a draft")
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        d = validated(s.LineIdIn, request.data)
        batches.batch_remove(by=request.user, batch_id=self.get_object().pk, line_id=d["line"])
        return self._out(pk)

    @extend_schema(request=None, responses=s.BatchDetailOut, summary="Submit for approval (the maker)")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        batches.batch_submit(by=request.user, batch_id=self.get_object().pk)
        return self._out(pk)

    @extend_schema(
        request=None, responses=s.BatchDetailOut, summary="Approve (a checker who is not the maker)"
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        batches.batch_approve(by=request.user, batch_id=self.get_object().pk)
        return self._out(pk)

    @extend_schema(
        request=s.FundingReasonIn, responses=s.BatchDetailOut, summary="Reject with a reason (checker)"
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        d = validated(s.FundingReasonIn, request.data)
        batches.batch_reject(by=request.user, batch_id=self.get_object().pk, reason=d["reason"])
        return self._out(pk)

    @extend_schema(request=s.FundingReasonIn, responses=s.BatchDetailOut, summary="Cancel a draft (maker)")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        d = validated(s.FundingReasonIn, request.data)
        batches.batch_cancel(by=request.user, batch_id=self.get_object().pk, reason=d["reason"])
        return self._out(pk)

    def _bank_file(self, batch):
        return FileResponse(batch.bank_file.open("rb"), as_attachment=True, filename=f"{batch.number}.xlsx")

    @extend_schema(
        request=None,
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        summary="Make the bank payment file (once) and return it (finance roles)",
    )
    @action(detail=True, methods=["post"])
    def export(self, request, pk=None):
        batch = batches.batch_export(by=request.user, batch_id=self.get_object().pk)
        return self._bank_file(batch)

    @extend_schema(
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        summary="Download the bank payment file made before (finance roles)",
    )
    @action(detail=True, methods=["get"], url_path="bank-file")
    def bank_file(self, request, pk=None):
        batch = self.get_object()
        if not selectors.may_handle_bank_files(request.user):
            raise NotPermitted("银行文件只提供给财务人员。", "The bank file is for the finance roles only.")
        if not batch.bank_file:
            raise NotFound("本批次尚未生成银行文件。", "This batch has no bank file yet.")
        return self._bank_file(batch)

    @extend_schema(
        request={"multipart/form-data": s.ResultFileIn},
        responses=s.ImportResultOut,
        summary="Read the bank's result file (Excel or CSV); unmatched rows wait for a person",
    )
    @action(detail=True, methods=["post"], url_path="import-results")
    def import_results(self, request, pk=None):
        d = validated(s.ResultFileIn, request.data)
        batch = self.get_object()
        upload = d["file"]
        counts = bank_results.batch_import_results(
            by=request.user, batch_id=batch.pk, file_name=upload.name, content=upload.read()
        )
        return Response(s.ImportResultOut(counts).data)


class LineViewSet(viewsets.ReadOnlyModelViewSet):
    """Batch lines; the bank's answer for one line recorded by hand."""

    serializer_class = s.LineOut
    filterset_fields = ["batch", "status", "instalment"]

    def get_queryset(self):
        return selectors.lines_for(self.request.user).order_by("id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "user": self.request.user}

    def _out(self, pk):
        return Response(s.LineOut(self.get_queryset().get(pk=pk), context=self.get_serializer_context()).data)

    @extend_schema(request=s.PaidIn, responses=s.LineOut, summary="The bank paid this line (maker)")
    @action(detail=True, methods=["post"])
    def paid(self, request, pk=None):
        d = validated(s.PaidIn, request.data)
        line = bank_results.line_mark_paid(
            by=request.user, line_id=self.get_object().pk, bank_ref=d["bank_ref"], paid_on=d["paid_on"]
        )
        return self._out(line.pk)

    @extend_schema(
        request=s.ReturnedIn, responses=s.LineOut, summary="The bank returned this line, 退票 (maker)"
    )
    @action(detail=True, methods=["post"])
    def returned(self, request, pk=None):
        d = validated(s.ReturnedIn, request.data)
        line = bank_results.line_mark_returned(
            by=request.user, line_id=self.get_object().pk, reason=d["reason"], on=d["on"]
        )
        return self._out(line.pk)


class ReturnRowViewSet(viewsets.ReadOnlyModelViewSet):
    """Rows of bank result files that matched no line clearly: a person assigns or dismisses them."""

    serializer_class = s.ReturnRowOut
    filterset_fields = ["batch", "status"]

    def get_queryset(self):
        return selectors.return_rows_for(self.request.user).order_by("id")

    @extend_schema(
        request=s.BankRowAssignIn, responses=s.ReturnRowOut, summary="Assign the row to a line, or dismiss it"
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        d = validated(s.BankRowAssignIn, request.data)
        row = bank_results.return_row_assign(
            by=request.user, row_id=self.get_object().pk, line_id=d["line"], dismiss_note=d["note"]
        )
        return Response(s.ReturnRowOut(row).data)


class PaymentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = s.PaymentOut
    filterset_fields = ["instalment", "paid_on"]

    def get_queryset(self):
        return selectors.payments_for(self.request.user).order_by("-paid_on", "-id")


class LedgerEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """The append-only ledger: read only, here as everywhere."""

    serializer_class = s.LedgerEntryOut
    filterset_fields = ["kind", "source", "budget_year", "honouree", "instalment"]

    def get_queryset(self):
        return selectors.ledger_for(self.request.user).order_by("id")


def register(router) -> None:
    """Add the funding viewsets to the /api/v1/ router."""
    router.register("funding/sources", SourceViewSet, basename="funding-source")
    router.register("funding/budgets", BudgetViewSet, basename="funding-budget")
    router.register("funding/instalments", InstalmentViewSet, basename="funding-instalment")
    router.register("funding/batches", BatchViewSet, basename="funding-batch")
    router.register("funding/lines", LineViewSet, basename="funding-line")
    router.register("funding/bank-rows", ReturnRowViewSet, basename="funding-bank-row")
    router.register("funding/payments", PaymentViewSet, basename="funding-payment")
    router.register("funding/ledger", LedgerEntryViewSet, basename="funding-ledger-entry")
