"""REST API of the registry: honourees (roster, status changes, Excel), benefit entitlements and
deliveries, prior honours, benefit types. Reads go through selectors, every write through a service.
"""

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from backend.api import validated
from backend.errors import ValidationFailed
from backend.roles import scope_by_role
from honourees import serializers as s
from honourees.api.intake import XLSX
from honourees.models import BenefitDelivery, BenefitType
from honourees.selectors import intake as intake_selectors
from honourees.selectors import registry as rs
from honourees.services import benefits, naming, prior_honours
from honourees.services import status as honour_status

_ROSTER_PARAMETERS = [
    OpenApiParameter("scheme", str, description="scheme code, e.g. baotou"),
    OpenApiParameter("year", int),
    OpenApiParameter("trade", str, description="part of the trade"),
    OpenApiParameter("region", str, description="part of the region (the honouree's, or its unit's)"),
    OpenApiParameter("unit", int, description="recommending unit id"),
    OpenApiParameter("q", str, description="part of the name, the certificate number or the title"),
]


def _xlsx(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class HonoureeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The honouree registry: the roster searched, one honouree with everything known, direct registration
    of historic honourees, status changes (suspension, revocation, reinstatement…), the roster as Excel,
    the historic import and the benefit calendar."""

    filterset_fields = ["round", "tier", "status"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if self.action == "retrieve":
            return rs.honouree_page(self.request.user).order_by("id")
        return rs.roster(self.request.user, rs.RosterFilter.from_params(self.request.query_params))

    def get_serializer_class(self):
        return s.HonoureeDetailOut if self.action in ("retrieve", "create") else s.HonoureeRosterOut

    def _detail(self, honouree_id, code=status.HTTP_200_OK):
        h = rs.honouree_page(self.request.user).get(pk=honouree_id)
        return Response(s.HonoureeDetailOut(h, context={"request": self.request}).data, status=code)

    @extend_schema(summary="Search the registry", parameters=_ROSTER_PARAMETERS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Register an honouree directly (a historic one)",
        request=s.RegisterIn,
        responses={201: s.HonoureeDetailOut},
    )
    def create(self, request):
        data = validated(s.RegisterIn, request.data)
        h = naming.honouree_register(
            by=request.user,
            round_id=data["round"],
            person=dict(data["person"]),
            named_on=data["named_on"],
            tier=data["tier"],
            certificate_no=data["certificate_no"],
            naming_document=data["naming_document"],
            title=data["title"],
            employer=data["employer"],
            trade=data["trade"],
            unit_id=data["unit"],
            region=data["region"],
            note=data["note"],
        )
        return self._detail(h.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Suspend, resume, record a move away or a death",
        request=s.HonourStatusIn,
        responses=s.HonoureeDetailOut,
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        data = validated(s.HonourStatusIn, request.data)
        honour_status.honouree_set_status(by=request.user, honouree_id=self.get_object().pk, **data)
        return self._detail(pk)

    @extend_schema(
        summary="Revoke the honour (entitlements cancelled, money marked for recovery, debarment)",
        request=s.RevokeIn,
        responses=s.HonoureeDetailOut,
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        data = validated(s.RevokeIn, request.data)
        honour_status.honouree_revoke(by=request.user, honouree_id=self.get_object().pk, **data)
        return self._detail(pk)

    @extend_schema(summary="Reinstate a revoked honour", request=s.ReinstateIn, responses=s.HonoureeDetailOut)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        data = validated(s.ReinstateIn, request.data)
        honour_status.honouree_reinstate(by=request.user, honouree_id=self.get_object().pk, **data)
        return self._detail(pk)

    @extend_schema(
        summary="The roster as xlsx (same search as the list)",
        parameters=_ROSTER_PARAMETERS,
        responses={(200, XLSX): bytes},
    )
    @action(detail=False, methods=["get"])
    def roster(self, request):
        from honourees.registry_xlsx import export_roster

        body = export_roster(by=request.user, honourees=self.filter_queryset(self.get_queryset()))
        return _xlsx(body, "roster.xlsx")

    @extend_schema(
        summary="Import historic honourees of a scheme (all rows or none)",
        request={"multipart/form-data": s.HistoricImportIn},
        responses=s.HonoureeRosterOut(many=True),
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_(self, request):
        from honourees.registry_xlsx import historic_import

        data = validated(s.HistoricImportIn, request.data)
        made = historic_import(by=request.user, scheme_code=data["scheme"], file=data["file"])
        return Response(s.HonoureeRosterOut(made, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="An empty historic-honouree sheet for a scheme",
        parameters=[OpenApiParameter("scheme", str, required=True)],
        responses={(200, XLSX): bytes},
    )
    @action(detail=False, methods=["get"], url_path="import-template")
    def import_template(self, request):
        from honourees.registry_xlsx import write_historic_template

        scheme = (
            intake_selectors.schemes_for(request.user)
            .filter(code=request.query_params.get("scheme", ""))
            .first()
        )
        if scheme is None:
            raise ValidationFailed(
                "请指定项目代码（scheme）。", "Name the scheme (scheme=code).", field="scheme"
            )
        return _xlsx(write_historic_template(scheme), f"historic-{scheme.code}.xlsx")

    @extend_schema(
        summary="Benefit calendar: what is due to whom in a month",
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM (default: this month)"),
            OpenApiParameter("scheme", str),
            OpenApiParameter("funder", str),
        ],
        responses=s.DueItemOut(many=True),
    )
    @action(detail=False, methods=["get"])
    def calendar(self, request):
        month = rs.month_of(request.query_params.get("month"), today=timezone.localdate())
        cal = rs.benefit_calendar(
            request.user,
            month,
            scheme=request.query_params.get("scheme", ""),
            funder=request.query_params.get("funder", ""),
        )
        return Response(s.DueItemOut(cal.items, many=True).data)


class BenefitEntitlementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Benefit entitlements with their deliveries; record a delivery, a referral's outcome, a new period, an end."""

    serializer_class = s.EntitlementWithDeliveriesOut
    filterset_fields = ["honouree", "kind", "status", "funder", "referral_status"]

    def get_queryset(self):
        return (
            rs.entitlements_for(self.request.user)
            .prefetch_related(
                Prefetch("deliveries", queryset=BenefitDelivery.objects.select_related("recorded_by"))
            )
            .order_by("id")
        )

    def _out(self, pk, code=status.HTTP_200_OK):
        return Response(s.EntitlementWithDeliveriesOut(self.get_queryset().get(pk=pk)).data, status=code)

    @extend_schema(summary="Record a delivery", request=s.DeliveryIn, responses={201: s.DeliveryOut})
    @action(detail=True, methods=["post"])
    def deliveries(self, request, pk=None):
        data = validated(s.DeliveryIn, request.data)
        d = benefits.delivery_record(by=request.user, entitlement_id=self.get_object().pk, **data)
        return Response(s.DeliveryOut(d).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record a referral's outcome (submitted, awarded, declined)",
        request=s.ReferralIn,
        responses=s.EntitlementWithDeliveriesOut,
    )
    @action(detail=True, methods=["post"])
    def referral(self, request, pk=None):
        data = validated(s.ReferralIn, request.data)
        benefits.referral_record(by=request.user, entitlement_id=self.get_object().pk, **data)
        return self._out(pk)

    @extend_schema(
        summary="Change the period (e.g. an allowance from retirement)",
        request=s.PeriodIn,
        responses=s.EntitlementWithDeliveriesOut,
    )
    @action(detail=True, methods=["post"])
    def period(self, request, pk=None):
        data = validated(s.PeriodIn, request.data)
        benefits.entitlement_set_period(by=request.user, entitlement_id=self.get_object().pk, **data)
        return self._out(pk)

    @extend_schema(summary="End the entitlement", request=s.EndIn, responses=s.EntitlementWithDeliveriesOut)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        data = validated(s.EndIn, request.data)
        benefits.entitlement_end(by=request.user, entitlement_id=self.get_object().pk, **data)
        return self._out(pk)


class BenefitDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Benefit deliveries; settle one marked for recovery (recovered or waived)."""

    serializer_class = s.DeliveryOut
    filterset_fields = ["entitlement", "recovery"]

    def get_queryset(self):
        return rs.deliveries_for(self.request.user).order_by("id")

    @extend_schema(summary="Record the recovery (or waive it)", request=s.RecoveryIn, responses=s.DeliveryOut)
    @action(detail=True, methods=["post"])
    def recovery(self, request, pk=None):
        data = validated(s.RecoveryIn, request.data)
        d = benefits.delivery_settle_recovery(by=request.user, delivery_id=self.get_object().pk, **data)
        return Response(s.DeliveryOut(self.get_queryset().get(pk=d.pk)).data)


class PriorHonourViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A person's prior honours (the intake's eligibility checks read them); record one, revoke one."""

    serializer_class = s.PriorHonourOut
    filterset_fields = ["person", "level", "revoked", "programme"]

    def get_queryset(self):
        return rs.prior_honours_for(self.request.user).order_by("id")

    @extend_schema(
        summary="Record a prior honour", request=s.PriorHonourIn, responses={201: s.PriorHonourOut}
    )
    def create(self, request):
        data = validated(s.PriorHonourIn, request.data)
        h = prior_honours.prior_honour_add(by=request.user, person_id=data.pop("person"), **data)
        return Response(s.PriorHonourOut(h).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Mark it revoked", request=s.PriorHonourRevokeIn, responses=s.PriorHonourOut)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        data = validated(s.PriorHonourRevokeIn, request.data)
        h = prior_honours.prior_honour_revoke(by=request.user, prior_honour_id=self.get_object().pk, **data)
        return Response(s.PriorHonourOut(h).data)


class BenefitTypeViewSet(viewsets.ReadOnlyModelViewSet):
    """Benefit types as data (edited in the admin): the items of a labour-model treatment and the like."""

    serializer_class = s.BenefitTypeOut
    filterset_fields = ["kind", "treatment", "is_active"]

    def get_queryset(self):
        return scope_by_role(BenefitType.objects.order_by("id"), self.request.user, rs.REGISTRY_READERS)
