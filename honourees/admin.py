from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from honourees.models import RecommendingUnit, Round, Scheme, UnitClerk


@admin.register(Scheme)
class SchemeAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "city", "organiser"]
    search_fields = ["code", "name", "city"]


@admin.register(Round)
class RoundAdmin(SimpleHistoryAdmin):
    list_display = ["scheme", "year", "title", "target_count", "notice_working_days", "status"]
    list_filter = ["scheme", "status", "year"]
    search_fields = ["title", "document_no"]


@admin.register(RecommendingUnit)
class RecommendingUnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "scheme", "unit_type", "region", "credit_code", "is_pilot"]
    list_filter = ["scheme", "unit_type", "is_pilot"]
    search_fields = ["name", "credit_code"]


@admin.register(UnitClerk)
class UnitClerkAdmin(SimpleHistoryAdmin):
    list_display = ["user", "unit"]
    search_fields = ["user__username", "unit__name"]
