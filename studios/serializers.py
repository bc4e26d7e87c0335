"""API shapes of the studios side: output (…Out) and input (…In) serializers are separate."""

from rest_framework import serializers

from backend.personal_data import id_number_for
from studios.models import Apprentice, Assessment, MentoringSession, SkillUpgrade, Studio, StudioPause


class StudioOut(serializers.ModelSerializer):
    honouree_name = serializers.CharField(source="honouree.person.name", read_only=True)
    round = serializers.IntegerField(source="honouree.round_id", read_only=True)
    host = serializers.CharField(source="host.username", read_only=True)
    contact = serializers.CharField(source="contact.username", read_only=True, default=None)

    class Meta:
        model = Studio
        fields = [
            "id",
            "name",
            "honouree",
            "honouree_name",
            "round",
            "host",
            "contact",
            "institution_name",
            "institution_kind",
            "address",
            "plaque_date",
            "status",
            "closed_on",
            "closed_reason",
        ]


class StudioIn(serializers.Serializer):
    honouree = serializers.IntegerField()
    host = serializers.IntegerField()
    name = serializers.CharField(allow_blank=True)
    institution_name = serializers.CharField(allow_blank=True)
    institution_kind = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True, required=False, default="")
    contact = serializers.IntegerField(required=False, allow_null=True, default=None)


class StudioUpdateIn(serializers.Serializer):
    name = serializers.CharField(allow_blank=True, required=False)
    institution_name = serializers.CharField(allow_blank=True, required=False)
    institution_kind = serializers.CharField(allow_blank=True, required=False)
    address = serializers.CharField(allow_blank=True, required=False)
    contact = serializers.IntegerField(required=False, allow_null=True)


class EstablishIn(serializers.Serializer):
    plaque_date = serializers.DateField()


class CloseIn(serializers.Serializer):
    closed_on = serializers.DateField()
    reason = serializers.CharField(allow_blank=True)


class UserIn(serializers.Serializer):
    user = serializers.IntegerField()


class PauseIn(serializers.Serializer):
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    reason = serializers.CharField(allow_blank=True)


class PauseOut(serializers.ModelSerializer):
    class Meta:
        model = StudioPause
        fields = ["id", "studio", "starts_on", "ends_on", "reason"]


class StudioFileIn(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.CharField(required=False, default="establishment")
    apprentice = serializers.IntegerField(required=False, allow_null=True, default=None)
    upgrade = serializers.IntegerField(required=False, allow_null=True, default=None)


class BarOut(serializers.Serializer):
    code = serializers.CharField()
    zh = serializers.CharField()
    en = serializers.CharField()
    measure = serializers.CharField()
    verified = serializers.DecimalField(max_digits=8, decimal_places=2)
    logged = serializers.DecimalField(max_digits=8, decimal_places=2)
    target = serializers.DecimalField(max_digits=8, decimal_places=2)
    missing = serializers.DecimalField(max_digits=8, decimal_places=2)
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    max = serializers.DecimalField(max_digits=6, decimal_places=2)


class ProgressOut(serializers.Serializer):
    period = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="The deadline: the period's last day.")
    paused_days = serializers.IntegerField()
    bars = BarOut(many=True)


class ApprenticePersonIn(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    id_number = serializers.CharField(allow_blank=True)
    gender = serializers.CharField(required=False, allow_blank=True)
    birth_date = serializers.CharField(required=False, allow_blank=True)


class ApprenticeOut(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True)
    id_number = serializers.SerializerMethodField(help_text="Masked unless your role may see it whole.")

    class Meta:
        model = Apprentice
        fields = [
            "id",
            "studio",
            "name",
            "id_number",
            "employer",
            "trade",
            "skill_level_at_start",
            "current_level",
            "agreement_start",
            "agreement_end",
            "agreement_signed_on",
        ]

    def get_id_number(self, app) -> str:
        return id_number_for(self.context["request"].user, app.person, purpose="api")


class ApprenticeIn(serializers.Serializer):
    studio = serializers.IntegerField()
    person = ApprenticePersonIn()
    skill_level = serializers.CharField(allow_blank=True)
    agreement_start = serializers.DateField(allow_null=True)
    agreement_end = serializers.DateField(required=False, allow_null=True, default=None)
    agreement_signed_on = serializers.DateField(required=False, allow_null=True, default=None)
    employer = serializers.CharField(allow_blank=True, required=False, default="")
    trade = serializers.CharField(allow_blank=True, required=False, default="")


class ApprenticeUpdateIn(serializers.Serializer):
    employer = serializers.CharField(allow_blank=True, required=False)
    trade = serializers.CharField(allow_blank=True, required=False)
    agreement_start = serializers.DateField(required=False)
    agreement_end = serializers.DateField(required=False, allow_null=True)
    agreement_signed_on = serializers.DateField(required=False, allow_null=True)


class UpgradeIn(serializers.Serializer):
    to_level = serializers.CharField(allow_blank=True)
    achieved_on = serializers.DateField(allow_null=True)
    certificate_no = serializers.CharField(allow_blank=True)


class UpgradeOut(serializers.ModelSerializer):
    class Meta:
        model = SkillUpgrade
        fields = ["id", "apprentice", "from_level", "to_level", "achieved_on", "certificate_no"]


class SessionOut(serializers.ModelSerializer):
    attendees = serializers.SerializerMethodField()
    overlaps = serializers.BooleanField(read_only=True, default=False)
    photos = serializers.SerializerMethodField()

    class Meta:
        model = MentoringSession
        fields = [
            "id",
            "studio",
            "date",
            "starts_at",
            "ends_at",
            "hours",
            "kind",
            "topic",
            "location",
            "notes",
            "attendees",
            "status",
            "return_reason",
            "editable_until",
            "logged_at",
            "verified_at",
            "overlaps",
            "photos",
        ]

    def get_attendees(self, session) -> list[dict]:
        return [{"id": a.apprentice_id, "name": a.apprentice.person.name} for a in session.attendance.all()]

    def get_photos(self, session) -> list[int]:
        return [p.pk for p in session.photos.all()]


class SessionIn(serializers.Serializer):
    date = serializers.DateField(allow_null=True)
    starts_at = serializers.TimeField(allow_null=True)
    ends_at = serializers.TimeField(allow_null=True)
    kind = serializers.CharField(required=False, default="teaching")
    topic = serializers.CharField(allow_blank=True)
    location = serializers.CharField(allow_blank=True, required=False, default="")
    notes = serializers.CharField(allow_blank=True, required=False, default="")
    attendees = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


class SessionCreateIn(SessionIn):
    studio = serializers.IntegerField()


class VerifyIn(serializers.Serializer):
    sessions = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


class StudioReasonIn(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class PhotoIn(serializers.Serializer):
    file = serializers.FileField()


class AssessmentOut(serializers.ModelSerializer):
    class Meta:
        model = Assessment
        fields = [
            "id",
            "studio",
            "period",
            "starts_on",
            "ends_on",
            "status",
            "attempt",
            "total",
            "grade",
            "grade_note",
            "items",
            "first_total",
            "recorded_on",
            "rectification_until",
            "rectification_note",
            "final_reason",
        ]


class AssessmentOpenIn(serializers.Serializer):
    studio = serializers.IntegerField()
    period = serializers.IntegerField(min_value=1)


class ScoresIn(serializers.Serializer):
    scores = serializers.DictField(help_text='{"<item code>": "12.50"} for every item the assessors score')
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class RecordIn(serializers.Serializer):
    on = serializers.DateField(required=False, allow_null=True, default=None)


class RectifyIn(serializers.Serializer):
    note = serializers.CharField(allow_blank=True)
    until = serializers.DateField(required=False, allow_null=True, default=None)
