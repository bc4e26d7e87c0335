"""Admin for configuration (rubrics) and for looking things up; changes of state go through the services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from studios.models import (
    Apprentice,
    Assessment,
    MentoringSession,
    SkillUpgrade,
    Studio,
    StudioAssessor,
    StudioPause,
    StudioRubric,
)


@admin.register(StudioRubric)
class StudioRubricAdmin(SimpleHistoryAdmin):
    """The office edits a round's rubric here (items as JSON in studios.rubric's form, checked on save)."""

    list_display = ["round", "pass_line", "excellent_line", "excellent_cap", "rectification_months"]

    def has_change_permission(self, request, obj=None):
        # As studios.services.assessments.rubric_save: once a result of the round is recorded, its rubric is fixed.
        if (
            obj is not None
            and Assessment.objects.filter(studio__honouree__round_id=obj.round_id)
            .exclude(status=Assessment.Status.OPEN)
            .exists()
        ):
            return False
        return super().has_change_permission(request, obj)


@admin.register(Studio)
class StudioAdmin(SimpleHistoryAdmin):
    list_display = ["name", "honouree", "institution_name", "institution_kind", "plaque_date", "status"]
    list_filter = ["status", "institution_kind"]
    search_fields = ["name", "institution_name", "honouree__person__name"]
    # Establishing and closing tell funding: they go through the services (pages, API), never the admin.
    readonly_fields = [
        "honouree",
        "status",
        "plaque_date",
        "established_by",
        "established_at",
        "closed_on",
        "closed_reason",
    ]


@admin.register(StudioAssessor)
class StudioAssessorAdmin(SimpleHistoryAdmin):
    list_display = ["studio", "user"]


@admin.register(Apprentice)
class ApprenticeAdmin(SimpleHistoryAdmin):
    list_display = [
        "person",
        "studio",
        "skill_level_at_start",
        "current_level",
        "agreement_start",
        "agreement_end",
    ]
    search_fields = ["person__name", "studio__name"]
    readonly_fields = ["studio", "person", "current_level"]


@admin.register(SkillUpgrade)
class SkillUpgradeAdmin(SimpleHistoryAdmin):
    list_display = ["apprentice", "from_level", "to_level", "achieved_on", "certificate_no"]
    readonly_fields = ["apprentice", "from_level", "to_level", "recorded_by"]


@admin.register(MentoringSession)
class MentoringSessionAdmin(SimpleHistoryAdmin):
    list_display = ["date", "studio", "topic", "hours", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["topic", "studio__name"]

    def has_change_permission(self, request, obj=None):
        return False  # sessions change only through the services: edit window, verification, history


@admin.register(StudioPause)
class StudioPauseAdmin(SimpleHistoryAdmin):
    list_display = ["studio", "starts_on", "ends_on", "reason"]


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["studio", "period", "status", "total", "grade", "recorded_on"]
    list_filter = ["status", "grade", "period"]

    def has_change_permission(self, request, obj=None):
        return False  # results tell funding: they go through the services
