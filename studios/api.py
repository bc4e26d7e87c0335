"""REST API of the studios side: reads through selectors, every write through a service.

Errors come back through backend.api.exception_handler (400/403/404/409 with zh and en messages, the
field, and the row for an import). Anything outside the caller's studios is a 404.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from backend.api import validated
from backend.errors import NotFound
from studios import imports, selectors
from studios import serializers as s
from studios.models import SessionAttendance
from studios.services import apprentices, assessments, evidence, sessions, studios


class StudioViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Studios the caller may see; the office registers and establishes them; progress of the current year."""

    serializer_class = s.StudioOut
    filterset_fields = ["status", "institution_kind", "honouree", "honouree__round"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.studios_for(self.request.user).order_by("id")

    def _out(self, pk, code=status.HTTP_200_OK):
        return Response(s.StudioOut(self.get_queryset().get(pk=pk)).data, status=code)

    @extend_schema(
        request=s.StudioIn, responses={201: s.StudioOut}, summary="Register a studio (talent office)"
    )
    def create(self, request):
        d = validated(s.StudioIn, request.data)
        studio = studios.studio_create(
            by=request.user,
            honouree_id=d["honouree"],
            host_id=d["host"],
            name=d["name"],
            institution_name=d["institution_name"],
            institution_kind=d["institution_kind"],
            address=d["address"],
            contact_id=d["contact"],
        )
        return self._out(studio.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.StudioUpdateIn, responses=s.StudioOut, summary="Change the studio's details")
    def partial_update(self, request, pk=None):
        studio = self.get_object()
        d = dict(validated(s.StudioUpdateIn, request.data))
        if "contact" in d:
            d["contact_id"] = d.pop("contact")
        studios.studio_update(by=request.user, studio_id=studio.pk, **d)
        return self._out(studio.pk)

    @extend_schema(
        responses=s.ProgressOut, summary="This year's progress against the rubric (bars and deadline)"
    )
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        studio = self.get_object()
        p = selectors.progress_for([studio]).get(studio.pk)
        if p is None:
            raise NotFound(
                "工作室尚未挂牌，还没有年度进度。",
                "The studio is not established yet: it has no year's progress.",
                field="studio",
            )
        return Response(s.ProgressOut(p).data)

    @extend_schema(
        request=s.EstablishIn, responses=s.StudioOut, summary="Confirm the plaque (挂牌); tells funding"
    )
    @action(detail=True, methods=["post"])
    def establish(self, request, pk=None):
        d = validated(s.EstablishIn, request.data)
        studios.studio_establish(
            by=request.user, studio_id=self.get_object().pk, plaque_date=d["plaque_date"]
        )
        return self._out(pk)

    @extend_schema(request=s.CloseIn, responses=s.StudioOut, summary="Close the studio (摘牌); tells funding")
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        d = validated(s.CloseIn, request.data)
        studios.studio_close(by=request.user, studio_id=self.get_object().pk, **d)
        return self._out(pk)

    @extend_schema(
        request={"multipart/form-data": s.StudioFileIn},
        responses=dict,
        summary="Upload evidence (PDF, JPEG, PNG)",
    )
    @action(detail=True, methods=["post"])
    def files(self, request, pk=None):
        d = validated(s.StudioFileIn, request.data)
        f = evidence.studio_file_add(
            by=request.user,
            studio_id=self.get_object().pk,
            kind=d["kind"],
            uploaded_file=d["file"],
            apprentice_id=d["apprentice"],
            upgrade_id=d["upgrade"],
        )
        return Response({"id": f.pk, "kind": f.kind, "name": f.original_name}, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.UserIn, responses=dict, summary="Link an assessor (talent office)")
    @action(detail=True, methods=["post"])
    def assessors(self, request, pk=None):
        d = validated(s.UserIn, request.data)
        link = studios.studio_assessor_add(by=request.user, studio_id=self.get_object().pk, user_id=d["user"])
        return Response({"id": link.pk, "user": link.user_id}, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.PauseIn, responses=s.PauseOut, summary="Record a pause (lowers the year's targets)"
    )
    @action(detail=True, methods=["post"])
    def pauses(self, request, pk=None):
        d = validated(s.PauseIn, request.data)
        p = studios.pause_record(by=request.user, studio_id=self.get_object().pk, **d)
        return Response(s.PauseOut(p).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": s.PhotoIn},
        responses=dict,
        summary="Import sessions from the Excel sheet (all rows or none)",
    )
    @action(detail=True, methods=["post"], url_path="import")
    def import_(self, request, pk=None):
        d = validated(s.PhotoIn, request.data)
        made = imports.sessions_import(by=request.user, studio_id=self.get_object().pk, file=d["file"])
        return Response({"sessions": [x.pk for x in made]}, status=status.HTTP_201_CREATED)


class ApprenticeViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ApprenticeOut
    filterset_fields = ["studio"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.apprentices_for(self.request.user).order_by("id")

    def _out(self, pk, code=status.HTTP_200_OK):
        return Response(
            s.ApprenticeOut(self.get_queryset().get(pk=pk), context={"request": self.request}).data,
            status=code,
        )

    @extend_schema(request=s.ApprenticeIn, responses={201: s.ApprenticeOut})
    def create(self, request):
        d = validated(s.ApprenticeIn, request.data)
        app = apprentices.apprentice_add(
            by=request.user, studio_id=d.pop("studio"), person=dict(d.pop("person")), **d
        )
        return self._out(app.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.ApprenticeUpdateIn, responses=s.ApprenticeOut)
    def partial_update(self, request, pk=None):
        app = self.get_object()
        apprentices.apprentice_update(
            by=request.user, apprentice_id=app.pk, **validated(s.ApprenticeUpdateIn, request.data)
        )
        return self._out(app.pk)

    @extend_schema(request=s.UpgradeIn, responses={201: s.UpgradeOut}, summary="Record a skill upgrade")
    @action(detail=True, methods=["post"])
    def upgrades(self, request, pk=None):
        d = validated(s.UpgradeIn, request.data)
        up = apprentices.skill_upgrade_record(by=request.user, apprentice_id=self.get_object().pk, **d)
        return Response(s.UpgradeOut(up).data, status=status.HTTP_201_CREATED)


class SessionViewSet(viewsets.ModelViewSet):
    """Mentoring sessions: log, edit within the window, delete; verify or return (contact, office)."""

    serializer_class = s.SessionOut
    filterset_fields = {"studio": ["exact"], "status": ["exact"], "date": ["gte", "lte", "exact"]}
    http_method_names = ["get", "post", "put", "delete", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return (
            selectors.with_overlaps(selectors.sessions_for(self.request.user))
            .prefetch_related(
                Prefetch(
                    "attendance", queryset=SessionAttendance.objects.select_related("apprentice__person")
                ),
                "photos",
            )
            .order_by("-date", "-starts_at", "-id")
        )

    def _out(self, pk, code=status.HTTP_200_OK):
        return Response(s.SessionOut(self.get_queryset().get(pk=pk)).data, status=code)

    @extend_schema(request=s.SessionCreateIn, responses={201: s.SessionOut})
    def create(self, request):
        d = dict(validated(s.SessionCreateIn, request.data))
        session = sessions.session_log(
            by=request.user, studio_id=d.pop("studio"), attendee_ids=d.pop("attendees"), **d
        )
        return self._out(session.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.SessionIn, responses=s.SessionOut, summary="Correct a session within its edit window"
    )
    def update(self, request, pk=None):
        session = self.get_object()
        d = dict(validated(s.SessionIn, request.data))
        sessions.session_edit(by=request.user, session_id=session.pk, attendee_ids=d.pop("attendees"), **d)
        return self._out(session.pk)

    def destroy(self, request, pk=None):
        sessions.session_delete(by=request.user, session_id=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=s.VerifyIn, responses=s.SessionOut(many=True), summary="Accept sessions' hours (all or none)"
    )
    @action(detail=False, methods=["post"])
    def verify(self, request):
        d = validated(s.VerifyIn, request.data)
        done = sessions.sessions_verify(by=request.user, session_ids=d["sessions"])
        qs = self.get_queryset().filter(pk__in=[x.pk for x in done])
        return Response(s.SessionOut(qs, many=True).data)

    @extend_schema(
        request=s.StudioReasonIn,
        responses=s.SessionOut,
        summary="Return a session to the host with the reason",
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        d = validated(s.StudioReasonIn, request.data)
        sessions.session_return(by=request.user, session_id=self.get_object().pk, reason=d["reason"])
        return self._out(pk)

    @extend_schema(request={"multipart/form-data": s.PhotoIn}, responses=s.SessionOut, summary="Add a photo")
    @action(detail=True, methods=["post"])
    def photos(self, request, pk=None):
        d = validated(s.PhotoIn, request.data)
        sessions.session_photo_add(by=request.user, session_id=self.get_object().pk, uploaded_file=d["file"])
        return self._out(pk)


class AssessmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.AssessmentOut
    filterset_fields = ["studio", "period", "status"]

    def get_queryset(self):
        return selectors.assessments_for(self.request.user).order_by("id")

    def _out(self, pk, code=status.HTTP_200_OK):
        return Response(s.AssessmentOut(self.get_queryset().get(pk=pk)).data, status=code)

    @extend_schema(
        request=s.AssessmentOpenIn, responses={201: s.AssessmentOut}, summary="Open a period's assessment"
    )
    def create(self, request):
        d = validated(s.AssessmentOpenIn, request.data)
        a = assessments.assessment_open(by=request.user, studio_id=d["studio"], period=d["period"])
        return self._out(a.pk, status.HTTP_201_CREATED)

    @extend_schema(request=s.ScoresIn, responses=dict, summary="An assessor's points for the assessor items")
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        d = validated(s.ScoresIn, request.data)
        sheet = assessments.assessment_score(by=request.user, assessment_id=self.get_object().pk, **d)
        return Response({"attempt": sheet.attempt, "scores": sheet.scores})

    @extend_schema(request=s.RecordIn, responses=s.AssessmentOut, summary="Record the result (tells funding)")
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        d = validated(s.RecordIn, request.data)
        assessments.assessment_record(by=request.user, assessment_id=self.get_object().pk, on=d["on"])
        return self._out(pk)

    @extend_schema(request=s.RectifyIn, responses=s.AssessmentOut, summary="Give a rectification period")
    @action(detail=True, methods=["post"])
    def rectify(self, request, pk=None):
        d = validated(s.RectifyIn, request.data)
        assessments.assessment_open_rectification(by=request.user, assessment_id=self.get_object().pk, **d)
        return self._out(pk)

    @extend_schema(
        request=s.StudioReasonIn, responses=s.AssessmentOut, summary="Make the fail final (tells funding)"
    )
    @action(detail=True, methods=["post"])
    def finalise(self, request, pk=None):
        d = validated(s.StudioReasonIn, request.data)
        assessments.assessment_make_final(
            by=request.user, assessment_id=self.get_object().pk, reason=d["reason"]
        )
        return self._out(pk)


def register(router) -> None:
    """Add the studios viewsets to the /api/v1/ router."""
    router.register("studios", StudioViewSet, basename="studio")
    router.register("apprentices", ApprenticeViewSet, basename="apprentice")
    router.register("sessions", SessionViewSet, basename="session")
    router.register("assessments", AssessmentViewSet, basename="assessment")
