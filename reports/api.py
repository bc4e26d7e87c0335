"""REST API of the reports side: ask for a report, watch its job, download the file; notifications.

Reads through reports.selectors (a job is the asker's, or any for the talent office), writes through
reports.services; errors come back through backend.api.exception_handler.
"""

from django.http import FileResponse, Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.errors import ValidationFailed
from reports import selectors, services
from reports.kinds import PARAM_NAMES
from reports.models import Notification, ReportJob
from reports.views import job_state


class ReportJobIn(serializers.Serializer):
    kind = serializers.CharField(max_length=40)
    scheme = serializers.CharField(required=False, allow_blank=True, help_text="scheme id or code")
    year = serializers.IntegerField(required=False, min_value=1949, max_value=2200)
    studio = serializers.IntegerField(required=False, min_value=1)


class ReportJobOut(serializers.ModelSerializer):
    kind_label = serializers.CharField(read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportJob
        fields = [
            "id",
            "kind",
            "kind_label",
            "params",
            "requested_by",
            "status",
            "progress",
            "stage",
            "error",
            "output_name",
            "content_type",
            "size",
            "created_at",
            "started_at",
            "finished_at",
            "download_url",
        ]

    def get_download_url(self, job) -> str:
        return job_state(job)["download_url"]


class ReportJobViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Report jobs: your own (the talent office: everyone's). POST asks for a report; poll the job."""

    serializer_class = ReportJobOut
    filterset_fields = ["kind", "status"]

    def get_queryset(self):
        return selectors.jobs_for(self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=ReportJobIn, responses={201: ReportJobOut}, summary="Ask for a report")
    def create(self, request):
        ser = ReportJobIn(data=request.data)
        if not ser.is_valid():
            field, msgs = next(iter(ser.errors.items()))
            raise ValidationFailed(
                f"{field}：{'；'.join(map(str, msgs))}", f"{field}: {' '.join(map(str, msgs))}", field=field
            )
        d = ser.validated_data
        job = services.report_job_request(
            by=request.user, kind=d["kind"], params={k: d[k] for k in PARAM_NAMES if k in d}
        )
        return Response(ReportJobOut(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={(200, "application/octet-stream"): bytes}, summary="Download the finished report"
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        job = self.get_object()
        if job.status != ReportJob.Status.DONE or not job.output:
            raise Http404
        return FileResponse(
            job.output.open("rb"), as_attachment=True, filename=job.output_name, content_type=job.content_type
        )


class NotificationOut(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at"]


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """Your notifications, newest first; POST .../read/ marks one read."""

    serializer_class = NotificationOut

    def get_queryset(self):
        return selectors.notifications_for(self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=None, responses=NotificationOut, summary="Mark a notification read")
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        n = self.get_object()
        services.notification_mark_read(by=request.user, notification_id=n.pk)
        n.refresh_from_db()
        return Response(NotificationOut(n).data)


def register(router) -> None:
    router.register("report-jobs", ReportJobViewSet, basename="report-job")
    router.register("notifications", NotificationViewSet, basename="notification")
