from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from backend.models import CalendarOverride, PersonalDataAccess


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(SimpleHistoryAdmin):
    list_display = ["date", "is_working_day", "name", "source"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
    search_fields = ["name", "source"]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    """Read-only: the log is evidence and is never edited."""

    list_display = ["at", "user", "subject_type", "subject_id", "field", "purpose"]
    list_filter = ["subject_type", "field"]
    search_fields = ["user__username", "subject_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
