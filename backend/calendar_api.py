"""API for the working-day calendar: overrides (read by all, written by the talent office) and notice periods."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response

from backend import services, workdays
from backend.errors import ValidationFailed
from backend.models import CalendarOverride


class CalendarOverrideOut(serializers.ModelSerializer):
    class Meta:
        model = CalendarOverride
        fields = ["date", "is_working_day", "name", "source"]


class CalendarOverrideIn(serializers.Serializer):
    date = serializers.DateField()
    is_working_day = serializers.BooleanField()
    name = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    source = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


class CalendarOverrideViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Official holidays and 调休 working days entered by the talent office; they win over the package."""

    queryset = CalendarOverride.objects.all()
    serializer_class = CalendarOverrideOut
    lookup_field = "date"
    filterset_fields = ["is_working_day"]

    @extend_schema(request=CalendarOverrideIn, responses={201: CalendarOverrideOut})
    def create(self, request):
        data = CalendarOverrideIn(data=request.data)
        data.is_valid(raise_exception=True)
        override = services.calendar_override_set(by=request.user, **data.validated_data)
        return Response(CalendarOverrideOut(override).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, date=None):
        services.calendar_override_delete(by=request.user, date=_parse_date(date, "date"))
        return Response(status=status.HTTP_204_NO_CONTENT)


class NoticePeriodOut(serializers.Serializer):
    start = serializers.DateField()
    working_days = serializers.IntegerField()
    end = serializers.DateField()
    calendar = serializers.CharField()


def _parse_date(raw, field):
    field_in = serializers.DateField()
    try:
        return field_in.to_internal_value(raw)
    except serializers.ValidationError:
        raise ValidationFailed(
            f"{field} 应为日期 YYYY-MM-DD，收到“{raw}”。",
            f"{field} must be a date YYYY-MM-DD; got '{raw}'.",
            field=field,
        ) from None


@extend_schema(
    parameters=[
        OpenApiParameter("start", str, description="Publication date, YYYY-MM-DD", required=True),
        OpenApiParameter("days", int, description="Length in working days", required=True),
    ],
    responses=NoticePeriodOut,
    summary="End of a public notice of N working days (official calendar plus overrides)",
)
@api_view(["GET"])
def notice_period(request):
    start = _parse_date(request.query_params.get("start", ""), "start")
    raw_days = request.query_params.get("days", "")
    if not raw_days.isdigit() or not 1 <= int(raw_days) <= 366:
        raise ValidationFailed(
            f"days 应为 1 到 366 的整数，收到“{raw_days}”。",
            f"days must be a whole number from 1 to 366; got '{raw_days}'.",
            field="days",
        )
    period = workdays.notice_period(start, int(raw_days))
    return Response(NoticePeriodOut(period).data)
