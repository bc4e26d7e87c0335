from rest_framework import serializers

from honourees.models import RecommendingUnit, Round, Scheme


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
        ]


class UnitOut(serializers.ModelSerializer):
    scheme = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = RecommendingUnit
        fields = ["id", "scheme", "name", "unit_type", "region", "credit_code", "is_pilot"]
