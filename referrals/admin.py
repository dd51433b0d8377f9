"""Back office: need categories are data to edit here; referrals and complaints are looked at
only (they change through the services, which keep one event per transition), through the
pages' selectors, and each look is logged (households.admin.PersonalDataAdmin)."""

from django.contrib import admin

from households.admin import AuditAdmin
from referrals.models import Complaint, NeedCategory, Referral, ReferralEvent
from referrals.selectors import visible_complaints, visible_referrals


@admin.register(NeedCategory)
class NeedCategoryAdmin(admin.ModelAdmin):
    list_display = [
        "name", "code", "default_agency", "deadline_days", "urgent_deadline_days", "is_active"
    ]  # fmt: skip
    list_filter = ["is_active", "default_agency"]
    search_fields = ["name", "code"]


class EventInline(admin.TabularInline):
    model = ReferralEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Referral)
class ReferralAdmin(AuditAdmin):
    list_display = ["pk", "category", "agency", "status", "due_date", "priority", "created_at"]
    list_filter = ["status", "agency", "category", "priority"]
    list_select_related = ["category", "agency"]
    raw_id_fields = ["household", "member", "complaint"]
    date_hierarchy = "created_at"
    inlines = [EventInline]

    def get_queryset(self, request):
        return super().get_queryset(request) & visible_referrals(request.user)


@admin.register(Complaint)
class ComplaintAdmin(AuditAdmin):
    list_display = ["pk", "complainant_name", "kelurahan", "resolved_at_desk", "created_at"]
    list_filter = ["resolved_at_desk"]
    list_select_related = ["kelurahan"]
    raw_id_fields = ["household"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request) & visible_complaints(request.user)
