from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from honourees.models import (
    Debarment,
    Honouree,
    Nomination,
    Person,
    PriorHonour,
    RecommendingUnit,
    Round,
    Scheme,
    UnitClerk,
)


@admin.register(Scheme)
class SchemeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "city", "organiser"]
    search_fields = ["code", "name", "city"]


@admin.register(Round)
class RoundAdmin(SimpleHistoryAdmin):
    list_display = ["scheme", "year", "title", "target_count", "notice_working_days", "status"]
    list_filter = ["scheme", "status", "year"]
    search_fields = ["title", "document_no"]
    # The status and the notice move only through the services (pages, API), which check and lock.
    readonly_fields = ["status", "notice_starts_on", "notice_ends_on", "notice_calendar", "naming_document"]


@admin.register(RecommendingUnit)
class RecommendingUnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "scheme", "unit_type", "region", "credit_code", "is_pilot"]
    list_filter = ["scheme", "unit_type", "is_pilot"]
    search_fields = ["name", "credit_code"]


@admin.register(UnitClerk)
class UnitClerkAdmin(SimpleHistoryAdmin):
    list_display = ["user", "unit"]
    search_fields = ["user__username", "unit__name"]


@admin.register(PriorHonour)
class PriorHonourAdmin(SimpleHistoryAdmin):
    list_display = ["person", "name", "programme", "level", "year"]
    list_filter = ["level", "programme"]
    search_fields = ["person__name", "name"]
    autocomplete_fields = ["person"]


@admin.register(Debarment)
class DebarmentAdmin(SimpleHistoryAdmin):
    list_display = ["person", "scheme", "starts_on", "ends_on", "reason"]
    list_filter = ["scheme"]
    search_fields = ["person__name", "reason"]
    autocomplete_fields = ["person"]
    readonly_fields = ["source"]


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Rows that change only through the services: the admin shows them, never edits them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ["name", "gender", "birth_date"]
    search_fields = ["name", "id_number"]


@admin.register(Nomination)
class NominationAdmin(ReadOnlyAdmin):
    list_display = ["person", "round", "unit", "category", "status", "tier"]
    list_filter = ["round", "status", "category"]
    search_fields = ["person__name", "employer"]
    list_select_related = ["person", "round__scheme", "unit"]


@admin.register(Honouree)
class HonoureeAdmin(ReadOnlyAdmin):
    list_display = ["certificate_no", "person", "round", "tier", "named_on", "status"]
    list_filter = ["round", "tier", "status"]
    search_fields = ["person__name", "certificate_no"]
    list_select_related = ["person", "round__scheme"]
