from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from honourees.models import (
    BenefitDelivery,
    BenefitEntitlement,
    BenefitType,
    Debarment,
    Honouree,
    HonoureeStatusChange,
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
    list_display = ["person", "name", "programme", "level", "year", "granted_by", "revoked"]
    list_filter = ["level", "programme", "revoked"]
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
    """Honourees change only through the registry's services (pages, API): status, revocation, benefits."""

    list_display = ["certificate_no", "person", "round", "tier", "named_on", "status"]
    list_filter = ["round", "tier", "status"]
    search_fields = ["person__name", "certificate_no"]
    list_select_related = ["person", "round__scheme"]


@admin.register(BenefitType)
class BenefitTypeAdmin(SimpleHistoryAdmin):
    """Benefit types are data the office keeps: a labour-model treatment's items (包头市劳动模范待遇) and the
    amounts and schedules of the rounds' benefits. Entitlements copy them at naming."""

    list_display = [
        "code",
        "name",
        "kind",
        "funder",
        "amount",
        "recurrence",
        "months",
        "treatment",
        "is_active",
    ]
    list_filter = ["kind", "funder", "treatment", "is_active"]
    search_fields = ["code", "name", "name_en", "treatment"]


@admin.register(BenefitEntitlement)
class BenefitEntitlementAdmin(ReadOnlyAdmin):
    list_display = [
        "honouree",
        "name",
        "kind",
        "funder",
        "amount",
        "starts_on",
        "ends_on",
        "status",
        "referral_status",
    ]
    list_filter = ["kind", "status", "funder", "referral_status"]
    search_fields = ["honouree__person__name", "honouree__certificate_no", "code", "name"]
    list_select_related = ["honouree__person", "honouree__round__scheme"]


@admin.register(BenefitDelivery)
class BenefitDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["entitlement", "occurrence_on", "delivered_on", "amount", "evidence", "recovery"]
    list_filter = ["recovery"]
    search_fields = ["entitlement__honouree__person__name", "evidence"]
    list_select_related = ["entitlement__honouree__person"]


@admin.register(HonoureeStatusChange)
class HonoureeStatusChangeAdmin(ReadOnlyAdmin):
    """The log of status changes, written only by the registry's services."""

    list_display = ["honouree", "from_status", "to_status", "on", "grounds", "recorded_by", "recorded_at"]
    list_filter = ["to_status", "grounds"]
    search_fields = ["honouree__person__name", "honouree__certificate_no", "reason"]
    list_select_related = ["honouree__person", "honouree__round__scheme", "recorded_by"]
