"""API shapes: output serializers (…Out) and input serializers (…In) are separate, as the house style says."""

from rest_framework import serializers

from backend.personal_data import id_number_for
from honourees.models import (
    BenefitDelivery,
    BenefitEntitlement,
    BenefitType,
    Debarment,
    ExpertAssignment,
    Honouree,
    HonoureeStatusChange,
    Nomination,
    PriorHonour,
    RecommendingUnit,
    Round,
    Scheme,
)


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
    "ethnicity",
    "political_status",
    "native_place",
    "education_fulltime",
    "school_fulltime",
    "education_inservice",
    "school_inservice",
    "trade",
    "skill_level",
    "industry",
    "category",
    "phone",
    "email",
    "employer",
    "position",
    "work_started_on",
    "years_in_trade",
    "in_city_since",
    "expertise",
    "invention_patent_count",
    "innovation_count",
    "resume",
    "awards",
    "patents",
    "innovation_work",
    "process_improvement",
    "mentoring_work",
    "brief_deeds",
    "full_deeds",
    "declaration_signed_on",
    "employer_opinion",
    "recommender_opinion",
    "peer_org_opinion",
    "department_opinions",
    "claimed_routes",
]


class NominationOut(serializers.ModelSerializer):
    person = PersonOut(read_only=True)
    round = serializers.PrimaryKeyRelatedField(read_only=True)
    unit = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Nomination
        fields = [
            "id",
            "round",
            "unit",
            "channel",
            "status",
            "tier",
            "person",
            *NOMINATION_FIELDS,
            "eligibility",
            "review_note",
            "vote_count",
            "submitted_at",
        ]


class NominationReviewOut(NominationOut):
    """What the office and the auditor see in addition: scores, judgements and the committee's note."""

    class Meta(NominationOut.Meta):
        fields = [
            *NominationOut.Meta.fields,
            "score",
            "defense_score",
            "judgements",
            "inspection_notes",
            "committee_note",
        ]


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
    votes = serializers.DictField(
        child=serializers.IntegerField(min_value=0), help_text='{"<nomination id>": votes}'
    )


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
    scheme = serializers.CharField(source="round.scheme.code", read_only=True)
    year = serializers.IntegerField(source="round.year", read_only=True)
    title = serializers.CharField(source="title_shown", read_only=True)

    class Meta:
        model = Honouree
        fields = [
            "id",
            "name",
            "scheme",
            "year",
            "round",
            "nomination",
            "tier",
            "title",
            "certificate_no",
            "named_on",
            "naming_document",
            "status",
            "status_changed_on",
            "status_reason",
        ]


# --- the registry --------------------------------------------------------------------------------------------


class HonoureeRosterOut(HonoureeOut):
    """A roster row: what a named honouree's nomination says, or what the office entered for a historic one."""

    employer = serializers.CharField(source="employer_shown", read_only=True)
    trade = serializers.CharField(source="trade_shown", read_only=True)
    unit = serializers.SerializerMethodField()
    region = serializers.CharField(source="region_shown", read_only=True)

    class Meta(HonoureeOut.Meta):
        fields = [*HonoureeOut.Meta.fields, "employer", "trade", "unit", "region"]

    def get_unit(self, h) -> str:
        unit = h.unit_shown()
        return unit.name if unit else ""


class PriorHonourOut(serializers.ModelSerializer):
    class Meta:
        model = PriorHonour
        fields = [
            "id",
            "person",
            "name",
            "programme",
            "level",
            "year",
            "conferred_on",
            "granted_by",
            "revoked",
            "revoked_on",
            "revoked_reason",
        ]


class DeliveryOut(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = BenefitDelivery
        fields = [
            "id",
            "entitlement",
            "occurrence_on",
            "delivered_on",
            "amount",
            "evidence",
            "recorded_by",
            "recorded_at",
            "recovery",
            "recovery_marked_on",
            "recovered_on",
            "recovery_note",
        ]


class EntitlementOut(serializers.ModelSerializer):
    class Meta:
        model = BenefitEntitlement
        fields = [
            "id",
            "honouree",
            "code",
            "source_code",
            "name",
            "name_en",
            "kind",
            "funder",
            "amount",
            "recurrence",
            "starts_on",
            "ends_on",
            "status",
            "status_changed_on",
            "status_reason",
            "referral_status",
            "referral_submitted_on",
            "referral_decided_on",
            "referral_note",
            "awarded_honour",
        ]


class EntitlementWithDeliveriesOut(EntitlementOut):
    deliveries = DeliveryOut(many=True, read_only=True)

    class Meta(EntitlementOut.Meta):
        fields = [*EntitlementOut.Meta.fields, "deliveries"]


class StatusChangeOut(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = HonoureeStatusChange
        fields = [
            "id",
            "from_status",
            "to_status",
            "on",
            "reason",
            "grounds",
            "recover_paid",
            "debarment",
            "recorded_by",
            "recorded_at",
        ]


class DebarmentOut(serializers.ModelSerializer):
    scheme = serializers.CharField(source="scheme.code", default="", read_only=True)

    class Meta:
        model = Debarment
        fields = ["id", "scheme", "reason", "starts_on", "ends_on"]


class AwardInstalmentOut(serializers.Serializer):
    label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    earliest = serializers.DateField()
    conditions = serializers.ListField(child=serializers.CharField())


class HonoureeDetailOut(HonoureeRosterOut):
    """Everything the registry knows about one honouree (the whole identity number only for roles that may
    see it, and then logged)."""

    person = PersonOut(read_only=True)
    prior_honours = PriorHonourOut(source="person.prior_honours", many=True, read_only=True)
    debarments = DebarmentOut(source="person.debarments", many=True, read_only=True)
    entitlements = EntitlementWithDeliveriesOut(many=True, read_only=True)
    status_changes = StatusChangeOut(many=True, read_only=True)
    award_plan = serializers.SerializerMethodField()

    class Meta(HonoureeRosterOut.Meta):
        fields = [
            *HonoureeRosterOut.Meta.fields,
            "person",
            "note",
            "prior_honours",
            "debarments",
            "entitlements",
            "status_changes",
            "award_plan",
        ]

    def get_award_plan(self, h) -> list[dict]:
        from honourees.selectors.registry import award_plan

        return AwardInstalmentOut(award_plan(h), many=True).data


class BenefitTypeOut(serializers.ModelSerializer):
    class Meta:
        model = BenefitType
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "kind",
            "funder",
            "amount",
            "recurrence",
            "months",
            "treatment",
            "source",
            "is_active",
        ]


class RegisterIn(serializers.Serializer):
    round = serializers.IntegerField()
    person = PersonIn()
    named_on = serializers.DateField()
    tier = serializers.CharField(required=False, default="named")
    certificate_no = serializers.CharField(required=False, allow_blank=True, default="")
    naming_document = serializers.CharField(required=False, allow_blank=True, default="")
    title = serializers.CharField(required=False, allow_blank=True, default="")
    employer = serializers.CharField(required=False, allow_blank=True, default="")
    trade = serializers.CharField(required=False, allow_blank=True, default="")
    unit = serializers.IntegerField(required=False, allow_null=True, default=None)
    region = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class HonourStatusIn(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[c for c in Honouree.Status.choices if c[0] != Honouree.Status.REVOKED]
    )
    on = serializers.DateField()
    reason = serializers.CharField()


class RevokeIn(serializers.Serializer):
    on = serializers.DateField()
    reason = serializers.CharField()
    grounds = serializers.ChoiceField(choices=HonoureeStatusChange.Grounds.choices)
    debar = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Leave out: debar for false claims, as the round's rules say.",
    )
    recover_paid = serializers.BooleanField(required=False, default=True)


class ReinstateIn(serializers.Serializer):
    on = serializers.DateField()
    reason = serializers.CharField()


class PriorHonourIn(serializers.Serializer):
    person = serializers.IntegerField()
    name = serializers.CharField()
    level = serializers.CharField()
    granted_by = serializers.CharField(required=False, allow_blank=True, default="")
    year = serializers.IntegerField(required=False, allow_null=True, default=None)
    conferred_on = serializers.DateField(required=False, allow_null=True, default=None)
    programme = serializers.CharField(required=False, allow_blank=True, default="")


class PriorHonourRevokeIn(serializers.Serializer):
    on = serializers.DateField()
    reason = serializers.CharField()


class DeliveryIn(serializers.Serializer):
    delivered_on = serializers.DateField()
    evidence = serializers.CharField()
    occurrence_on = serializers.DateField(required=False, allow_null=True, default=None)
    amount = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        help_text='Yuan as a string, e.g. "500.00"; left out: the entitlement\'s amount',
    )


class ReferralIn(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=BenefitEntitlement.Referral.choices)
    on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    honour_name = serializers.CharField(required=False, allow_blank=True, default="")
    honour_level = serializers.CharField(required=False, allow_blank=True, default="")
    honour_granted_by = serializers.CharField(required=False, allow_blank=True, default="")


class PeriodIn(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class EndIn(serializers.Serializer):
    on = serializers.DateField()
    reason = serializers.CharField()


class RecoveryIn(serializers.Serializer):
    on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    waived = serializers.BooleanField(required=False, default=False)


class HistoricImportIn(serializers.Serializer):
    file = serializers.FileField()
    scheme = serializers.CharField()


class DueItemOut(serializers.Serializer):
    day = serializers.DateField()
    entitlement = serializers.IntegerField(source="entitlement.pk")
    code = serializers.CharField(source="entitlement.code")
    benefit = serializers.CharField(source="entitlement.name")
    kind = serializers.CharField(source="entitlement.kind")
    funder = serializers.CharField(source="entitlement.funder")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    honouree = serializers.IntegerField(source="honouree.pk")
    name = serializers.CharField(source="honouree.person.name")
    certificate_no = serializers.CharField(source="honouree.certificate_no")
