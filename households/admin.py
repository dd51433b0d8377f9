"""Back office. Registry rows are read-mostly here: edits go through the household pages,
whose services keep history and the stored summaries."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from households.models import (
    AccessRecord,
    Agency,
    BreakGlassGrant,
    ChangeRecord,
    Enrolment,
    ExportRecord,
    Household,
    Member,
    MoveRequest,
    Program,
    Region,
    UserProfile,
)
from households.selectors import (
    households_of,
    moved_households,
    shown_rows,
    visible_enrolments,
    visible_households,
    with_registered_household,
)


class PersonalDataAdmin(admin.ModelAdmin):
    """A back-office page of personal data reads like any other page (issue 19, point 4):
    the rows of a list page, and the record an object page shows, are logged through
    households.selectors.shown_rows (via "admin"), on each row's household. `log_lists` off:
    a list that names no one (the access log's own, which would log itself)."""

    log_lists = True
    households = staticmethod(households_of)  # the families a row shows

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if self.log_lists:
            changelist.result_list = shown_rows(
                request.user, changelist.result_list, via="admin", households=self.households
            )
        return changelist

    def get_object(self, request, object_id, from_field=None):
        row = super().get_object(request, object_id, from_field)
        if row is not None:
            shown_rows(request.user, [row], via="admin", households=self.households)
        return row


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "bps_code"]
    list_filter = ["level"]
    search_fields = ["code", "name", "bps_code"]
    readonly_fields = ["name_key"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "code", "receives_referrals", "head"]
    search_fields = ["name", "short_name", "code"]
    raw_id_fields = ["head"]


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "is_active"]


class UserProfileInline(admin.StackedInline):
    """Agency and kelurahan on the user's own page: role (group) and scope set in one place."""

    model = UserProfile
    can_delete = False
    filter_horizontal = ["kelurahan"]
    verbose_name_plural = _("area of work")


class SlrtUserAdmin(UserAdmin):
    inlines = [UserProfileInline]
    list_display = ["username", "first_name", "last_name", "is_active", "role"]
    list_filter = ["groups", "is_active", "profile__agency"]

    @admin.display(description=_("role"))
    def role(self, user: User) -> str:
        return ", ".join(group.name for group in user.groups.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")


admin.site.unregister(User)
admin.site.register(User, SlrtUserAdmin)


class MemberInline(admin.TabularInline):
    model = Member
    fields = ["nik", "name", "sex", "birth_date", "relationship"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Household)
class HouseholdAdmin(PersonalDataAdmin):
    list_display = ["kk_number", "head_name", "kelurahan", "rw", "rt", "member_count"]
    list_filter = ["verification_status", "source"]
    search_fields = ["kk_number", "head_name"]
    list_select_related = ["kelurahan"]
    inlines = [MemberInline]
    show_full_result_count = False

    def get_queryset(self, request):
        # The same scoped selector as the pages (the administrator's scope is the city).
        return super().get_queryset(request) & visible_households(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # edits go through households.services (history, version guard)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(PersonalDataAdmin):
    list_display = ["program", "household", "member", "status", "start_date", "end_date"]
    list_filter = ["program", "status"]
    raw_id_fields = ["household", "member"]

    def get_queryset(self, request):
        return super().get_queryset(request) & visible_enrolments(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # enrolments change on the household page (households.services)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AuditAdmin(PersonalDataAdmin):
    """An audit trail: looked at and searched, never written, from the back office. No add,
    change or delete for anyone, superusers included (the change form is read-only and a
    POST to it is refused); bulk delete is gone from the actions."""

    show_full_result_count = False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        return {}


@admin.register(ChangeRecord)
class ChangeRecordAdmin(AuditAdmin):
    """Who changed which household, member or enrolment, and when. Search: the actor's
    username, the household's id or KK number."""

    list_display = ["created_at", "actor", "household_id", "entity", "object_label", "action"]
    list_filter = ["entity", "action", "actor"]
    search_fields = ["actor__username", "=household__id", "=household__kk_number"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"


@admin.register(AccessRecord)
class AccessRecordAdmin(AuditAdmin):
    """Who read which household outside their own kelurahan, when, through what and on what
    basis (agency referral, city-wide role, emergency access). Search: username, household id
    or KK number."""

    list_display = ["created_at", "user", "household_id", "basis", "via", "grant"]
    log_lists = False  # household ids only; reading the log must not grow it row by row
    list_filter = ["basis", "via", "user"]
    search_fields = ["user__username", "=household__id", "=household__kk_number"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"


@admin.register(ExportRecord)
class ExportRecordAdmin(AuditAdmin):
    """Every export: who, which, with which filters, how many records, when."""

    list_display = ["created_at", "user", "export", "file_format", "row_count", "filters"]
    list_filter = ["export", "file_format", "user"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"


@admin.register(BreakGlassGrant)
class BreakGlassGrantAdmin(AuditAdmin):
    """Emergency accesses and their review (the review itself is on the Verifikator's page,
    through households.break_glass)."""

    list_display = ["created_at", "user", "household_id", "expires_at", "decision", "reviewed_by"]
    list_filter = ["decision", "user"]
    search_fields = ["user__username", "=household__id", "=kk_number"]
    list_select_related = ["user", "reviewed_by"]
    date_hierarchy = "created_at"


@admin.register(MoveRequest)
class MoveRequestAdmin(AuditAdmin):
    """Moves across kelurahan and their decision (decided on the Verifikator's page, through
    households.moves, which runs the move)."""

    list_display = ["requested_at", "kind", "household_id", "requested_by", "status", "decided_by"]
    list_filter = ["kind", "status"]
    search_fields = ["requested_by__username", "=household__id", "=nik"]
    list_select_related = ["requested_by", "decided_by"]
    date_hierarchy = "requested_at"
    households = staticmethod(moved_households)  # a person's NIK names their family now

    def get_queryset(self, request):
        return with_registered_household(super().get_queryset(request))
