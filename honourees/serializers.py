"""API shapes: output serializers (…Out) and input serializers (…In) are separate, as the house style says."""

from rest_framework import serializers

from backend.personal_data import id_number_for
from honourees.models import ExpertAssignment, Honouree, Nomination, RecommendingUnit, Round, Scheme


class SchemeOut(serializers.ModelSerializer):
    class Meta:
        model = Scheme
        fields = ["id", "code", "name", "city", "organiser"]


class RoundOut(serializers.ModelSerializer):
    scheme = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Round
        fields = [
            "id",
            "scheme",
            "year",
            "title",
            "document_no",
            "published_on",
            "target_count",
            "notice_working_days",
            "status",
            "rules",
            "notice_starts_on",
            "notice_ends_on",
            "notice_calendar",
            "naming_document",
        ]


class UnitOut(serializers.ModelSerializer):
    scheme = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = RecommendingUnit
        fields = ["id", "scheme", "name", "unit_type", "region", "credit_code", "is_pilot"]


class PersonOut(serializers.Serializer):
    name = serializers.CharField()
    gender = serializers.CharField()
    birth_date = serializers.DateField()
    id_number = serializers.SerializerMethodField(help_text="Masked unless your role may see it whole.")

    def get_id_number(self, person) -> str:
        return id_number_for(self.context["request"].user, person, purpose="api")


NOMINATION_FIELDS = [
    "ethnicity", "political_status", "native_place", "education_fulltime", "school_fulltime", "education_inservice",
    "school_inservice", "trade", "skill_level", "industry", "category", "phone", "email", "employer", "position",
    "work_started_on", "years_in_trade", "in_city_since", "expertise", "invention_patent_count", "innovation_count",
    "resume", "awards", "patents", "innovation_work", "process_improvement", "mentoring_work", "brief_deeds",
    "full_deeds", "declaration_signed_on", "employer_opinion", "recommender_opinion", "peer_org_opinion",
    "department_opinions", "claimed_routes",
]


class NominationOut(serializers.ModelSerializer):
    person = PersonOut(read_only=True)
    round = serializers.PrimaryKeyRelatedField(read_only=True)
    unit = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Nomination
        fields = ["id", "round", "unit", "channel", "status", "tier", "person", *NOMINATION_FIELDS,
                  "eligibility", "review_note", "vote_count", "submitted_at"]


class NominationReviewOut(NominationOut):
    """What the office and the auditor see in addition: scores, judgements and the committee's note."""

    class Meta(NominationOut.Meta):
        fields = [*NominationOut.Meta.fields, "score", "defense_score", "judgements", "inspection_notes",
                  "committee_note"]


class PersonIn(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=18)
    gender = serializers.CharField(required=False, allow_blank=True)
    birth_date = serializers.CharField(required=False, allow_blank=True)


class NominationIn(serializers.Serializer):
    round = serializers.IntegerField()
    unit = serializers.IntegerField(required=False, allow_null=True)
    channel = serializers.CharField(required=False, default="unit")
    person = PersonIn()
    fields = serializers.DictField(help_text="The 申报表 fields by name (see NominationOut).")


class NominationUpdateIn(serializers.Serializer):
    unit = serializers.IntegerField(required=False, allow_null=True)
    channel = serializers.CharField(required=False)
    person = PersonIn()
    fields = serializers.DictField()


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class DisqualifyIn(ReasonIn):
    false_claims = serializers.BooleanField(default=False)


class QualifyIn(serializers.Serializer):
    judgements = serializers.DictField(help_text='{"<check index>": {"ok": true, "note": ""}}')
    note = serializers.CharField(allow_blank=True, required=False, default="")


class ScoreIn(serializers.Serializer):
    score = serializers.CharField(help_text="0–100, at most two decimals, as a string")
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class DefenseIn(serializers.Serializer):
    score = serializers.CharField()


class InspectionIn(serializers.Serializer):
    notes = serializers.CharField()
    passed = serializers.BooleanField(default=True)


class ObjectionIn(serializers.Serializer):
    received_on = serializers.DateField()
    summary = serializers.CharField()


class ObjectionDecideIn(serializers.Serializer):
    upheld = serializers.BooleanField()
    finding = serializers.CharField()
    false_claims = serializers.BooleanField(default=False)


class StatusIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=[Round.Status.OPEN, Round.Status.REVIEWING])


class AssignIn(serializers.Serializer):
    nominations = serializers.ListField(child=serializers.IntegerField())
    experts = serializers.ListField(child=serializers.IntegerField())


class ShortlistIn(serializers.Serializer):
    nominations = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True)


class VotesIn(serializers.Serializer):
    votes = serializers.DictField(child=serializers.IntegerField(min_value=0), help_text='{"<nomination id>": votes}')


class ProposeIn(serializers.Serializer):
    tiers = serializers.DictField(child=serializers.CharField(), help_text='{"<nomination id>": "named"}')
    note = serializers.CharField(allow_blank=True, required=False, default="")


class NoticeIn(serializers.Serializer):
    starts_on = serializers.DateField()


class NameIn(serializers.Serializer):
    named_on = serializers.DateField()
    naming_document = serializers.CharField(allow_blank=True, required=False, default="")


class AssignmentOut(serializers.ModelSerializer):
    nomination_name = serializers.CharField(source="nomination.person.name", read_only=True)

    class Meta:
        model = ExpertAssignment
        fields = ["id", "nomination", "nomination_name", "expert", "score", "comment", "scored_at"]


class HonoureeOut(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = Honouree
        fields = ["id", "name", "round", "nomination", "tier", "certificate_no", "named_on", "naming_document", "status"]
