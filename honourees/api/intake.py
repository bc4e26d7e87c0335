"""REST API of the intake: schemes, rounds and their actions, units, nominations, objections, expert
assignments. Reads go through selectors, every write through a service; errors come back through
backend.api.exception_handler (400/403/404/409 with zh and en messages).
"""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from backend.api import validated
from backend.errors import ValidationFailed
from backend.roles import Role, has_role
from honourees import serializers as s
from honourees.selectors import intake as intake_selectors
from honourees.services import intake, naming, review

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class FileIn(serializers.Serializer):
    file = serializers.FileField()
    unit = serializers.IntegerField(required=False)


class SchemeViewSet(viewsets.ReadOnlyModelViewSet):
    """Honour schemes (one per city title)."""

    serializer_class = s.SchemeOut
    filterset_fields = ["code", "city"]

    def get_queryset(self):
        return intake_selectors.schemes_for(self.request.user)


class RoundViewSet(viewsets.ReadOnlyModelViewSet):
    """Rounds with their rules as data, and the office's actions from intake to naming."""

    serializer_class = s.RoundOut
    filterset_fields = ["scheme__code", "year", "status"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return intake_selectors.rounds_for(self.request.user)

    def _done(self, round_id):
        return Response(s.RoundOut(self.get_queryset().get(pk=round_id)).data)

    @extend_schema(summary="Counts per stage, per unit (quota use) and per category", responses=dict)
    @action(detail=True, methods=["get"])
    def pipeline(self, request, pk=None):
        round_ = self.get_object()
        data = intake_selectors.pipeline(round_)
        data["units"] = [
            {
                "unit": u["unit"].pk,
                "name": u["unit"].name,
                "used": u["used"],
                "quota": u["quota"],
                "drafts": u["drafts"],
            }
            for u in data["units"]
        ]
        for row in data["by_status"] + data["by_category"]:
            row["label"] = str(row["label"])
        return Response(data)

    @extend_schema(
        summary="Open for nominations or close intake for review", request=s.StatusIn, responses=s.RoundOut
    )
    @action(detail=True, methods=["post"], url_path="status")
    def set_status(self, request, pk=None):
        data = validated(s.StatusIn, request.data)
        review.round_set_status(by=request.user, round_id=self.get_object().pk, status=data["status"])
        return self._done(pk)

    @extend_schema(
        summary="Assign experts to nominations", request=s.AssignIn, responses=s.AssignmentOut(many=True)
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        self.get_object()
        data = validated(s.AssignIn, request.data)
        made = review.experts_assign(
            by=request.user, nomination_ids=data["nominations"], expert_ids=data["experts"]
        )
        return Response(s.AssignmentOut(made, many=True).data)

    @extend_schema(
        summary="Make the shortlist (by ratio/count from the rules, or the given ids)", request=s.ShortlistIn
    )
    @action(detail=True, methods=["post"])
    def shortlist(self, request, pk=None):
        data = validated(s.ShortlistIn, request.data)
        kept = review.round_shortlist(
            by=request.user, round_id=self.get_object().pk, nomination_ids=data.get("nominations")
        )
        return Response({"shortlisted": [n.pk for n in kept]})

    @extend_schema(summary="Record online-vote counts (all candidates at once)", request=s.VotesIn)
    @action(detail=True, methods=["post"])
    def votes(self, request, pk=None):
        data = validated(s.VotesIn, request.data)
        try:
            votes = {int(k): v for k, v in data["votes"].items()}
        except ValueError:
            raise ValidationFailed(
                "投票数据的键应为推荐人选编号。", "Vote keys are nomination ids.", field="votes"
            ) from None
        kept = review.round_record_votes(by=request.user, round_id=self.get_object().pk, votes=votes)
        return Response({"voted": [n.pk for n in kept]})

    @extend_schema(
        summary="Import online-vote counts from the vote sheet (xlsx)",
        request={"multipart/form-data": FileIn},
    )
    @action(detail=True, methods=["post"], url_path="votes-import")
    def votes_import(self, request, pk=None):
        from honourees.imports import votes_import

        data = validated(FileIn, request.data)
        kept = votes_import(by=request.user, round_id=self.get_object().pk, file=data["file"])
        return Response({"voted": [n.pk for n in kept]})

    @extend_schema(summary="The committee's proposed list with tiers", request=s.ProposeIn)
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        data = validated(s.ProposeIn, request.data)
        try:
            tiers = {int(k): v for k, v in data["tiers"].items()}
        except ValueError:
            raise ValidationFailed(
                "键应为推荐人选编号。", "Keys are nomination ids.", field="tiers"
            ) from None
        proposed = naming.round_propose(
            by=request.user, round_id=self.get_object().pk, tiers=tiers, note=data["note"]
        )
        return Response({"proposed": [n.pk for n in proposed]})

    @extend_schema(
        summary="Start the public notice; its end is counted in working days",
        request=s.NoticeIn,
        responses=s.RoundOut,
    )
    @action(detail=True, methods=["post"])
    def notice(self, request, pk=None):
        data = validated(s.NoticeIn, request.data)
        naming.round_start_notice(by=request.user, round_id=self.get_object().pk, starts_on=data["starts_on"])
        return self._done(pk)

    @extend_schema(
        summary="Name the list (after the notice ends)", request=s.NameIn, responses=s.HonoureeOut(many=True)
    )
    @action(detail=True, methods=["post"], url_path="name")
    def name_list(self, request, pk=None):
        data = validated(s.NameIn, request.data)
        named = naming.round_name(
            by=request.user,
            round_id=self.get_object().pk,
            named_on=data["named_on"],
            naming_document=data["naming_document"],
        )
        return Response(s.HonoureeOut(named, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Import nominations from the 汇总表 (all rows or none)",
        request={"multipart/form-data": FileIn},
        responses=s.NominationOut(many=True),
    )
    @action(detail=True, methods=["post"], url_path="import")
    def import_(self, request, pk=None):
        from honourees.imports import nominations_import

        data = validated(FileIn, request.data)
        unit = intake_selectors.clerk_unit(request.user)
        made = nominations_import(
            by=request.user,
            round_id=self.get_object().pk,
            unit_id=unit.pk if unit else data.get("unit"),
            file=data["file"],
        )
        return Response(
            s.NominationOut(made, many=True, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="The 汇总表 of the round (or one unit) as xlsx",
        parameters=[OpenApiParameter("unit", int, required=False)],
        responses={(200, XLSX): bytes},
    )
    @action(detail=True, methods=["get"])
    def summary(self, request, pk=None):
        from honourees.models import Nomination, RecommendingUnit
        from honourees.summary.writing import export_summary

        round_ = self.get_object()
        unit = intake_selectors.clerk_unit(request.user)
        if unit is None and request.query_params.get("unit"):
            unit = RecommendingUnit.objects.filter(
                pk=request.query_params["unit"], scheme=round_.scheme
            ).first()
        qs = (
            intake_selectors.nominations_for(request.user)
            .filter(round=round_)
            .exclude(status=Nomination.Status.WITHDRAWN)
        )
        if unit:
            qs = qs.filter(unit=unit)
        body = export_summary(
            by=request.user, round_=round_, nominations=qs.order_by("unit__name", "id"), unit=unit
        )
        response = HttpResponse(body, content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="summary-{round_.scheme.code}-{round_.year}.xlsx"'
        )
        return response


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Recommending units."""

    serializer_class = s.UnitOut
    filterset_fields = ["scheme__code", "unit_type"]

    def get_queryset(self):
        return intake_selectors.units_for(self.request.user)


class NominationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Nominations as the caller may see them; create and edit drafts, then each review step."""

    filterset_fields = ["round", "unit", "status", "category", "channel"]

    def get_queryset(self):
        return intake_selectors.nominations_for(self.request.user).prefetch_related("person").order_by("id")

    def get_serializer_class(self):
        user = self.request.user
        if has_role(user, Role.TALENT_OFFICE) or has_role(user, Role.AUDITOR):
            return s.NominationReviewOut
        return s.NominationOut

    def _out(self, nomination_id, code=status.HTTP_200_OK):
        n = self.get_queryset().get(pk=nomination_id)
        return Response(self.get_serializer_class()(n, context={"request": self.request}).data, status=code)

    @extend_schema(
        summary="Create a draft nomination", request=s.NominationIn, responses={201: s.NominationOut}
    )
    def create(self, request):
        data = validated(s.NominationIn, request.data)
        n = intake.nomination_save(
            by=request.user,
            round_id=data["round"],
            unit_id=data.get("unit"),
            channel=data["channel"],
            person=data["person"],
            fields=data["fields"],
        )
        return self._out(n.pk, status.HTTP_201_CREATED)

    @extend_schema(summary="Replace a draft's data", request=s.NominationUpdateIn, responses=s.NominationOut)
    def update(self, request, pk=None):
        n = self.get_object()
        data = validated(s.NominationUpdateIn, request.data)
        intake.nomination_save(
            by=request.user,
            round_id=n.round_id,
            nomination_id=n.pk,
            unit_id=data.get("unit", n.unit_id),
            channel=data.get("channel", n.channel),
            person=data["person"],
            fields=data["fields"],
        )
        return self._out(n.pk)

    def _step(self, fn, serializer_class=None, **extra):
        n = self.get_object()
        data = validated(serializer_class, self.request.data) if serializer_class else {}
        fn(by=self.request.user, nomination_id=n.pk, **data, **extra)
        return self._out(n.pk)

    @extend_schema(summary="Submit a draft (eligibility and quota checked)", request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._step(intake.nomination_submit)

    @extend_schema(summary="Withdraw", request=s.ReasonIn)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._step(intake.nomination_withdraw, s.ReasonIn)

    @extend_schema(summary="Return to the unit for correction", request=s.ReasonIn)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        return self._step(intake.nomination_return, s.ReasonIn)

    @extend_schema(summary="Qualification review with a decision per judgement check", request=s.QualifyIn)
    @action(detail=True, methods=["post"])
    def qualify(self, request, pk=None):
        return self._step(review.nomination_qualify, s.QualifyIn)

    @extend_schema(
        summary="Disqualify (debarring for false claims where the rules say)", request=s.DisqualifyIn
    )
    @action(detail=True, methods=["post"])
    def disqualify(self, request, pk=None):
        return self._step(naming.nomination_disqualify, s.DisqualifyIn)

    @extend_schema(summary="Record the defense score", request=s.DefenseIn)
    @action(detail=True, methods=["post"])
    def defense(self, request, pk=None):
        return self._step(review.nomination_record_defense, s.DefenseIn)

    @extend_schema(summary="Record the field inspection", request=s.InspectionIn)
    @action(detail=True, methods=["post"])
    def inspection(self, request, pk=None):
        return self._step(review.nomination_record_inspection, s.InspectionIn)

    @extend_schema(summary="Record an objection received during the notice", request=s.ObjectionIn)
    @action(detail=True, methods=["post"])
    def objections(self, request, pk=None):
        return self._step(naming.objection_record, s.ObjectionIn)

    @extend_schema(summary="The 推荐申报表 as an A4 PDF", responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        from honourees.pdf import nomination_pdf

        n = self.get_object()
        response = HttpResponse(nomination_pdf(n, user=request.user), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="nomination-{n.pk}.pdf"'
        return response


class ObjectionViewSet(viewsets.GenericViewSet):
    serializer_class = s.ObjectionDecideIn

    def get_queryset(self):
        from honourees.models import Objection

        return Objection.objects.filter(nomination__in=intake_selectors.nominations_for(self.request.user))

    @extend_schema(summary="Record the finding on an objection", request=s.ObjectionDecideIn, responses=dict)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        data = validated(s.ObjectionDecideIn, request.data)
        o = naming.objection_decide(by=request.user, objection_id=self.get_object().pk, **data)
        return Response({"id": o.pk, "outcome": o.outcome})


class AssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """An expert's scoring tasks (the office and the auditor see all)."""

    serializer_class = s.AssignmentOut
    filterset_fields = ["nomination", "expert"]

    def get_queryset(self):
        return intake_selectors.assignments_for(self.request.user).order_by("id")

    @extend_schema(summary="Score one of your assignments", request=s.ScoreIn, responses=s.AssignmentOut)
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        data = validated(s.ScoreIn, request.data)
        a = review.expert_score(by=request.user, assignment_id=self.get_object().pk, **data)
        return Response(s.AssignmentOut(a).data)
