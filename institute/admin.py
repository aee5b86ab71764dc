"""Django admin for institute staff: organisations, people, memberships, the audit trail."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from institute.models import (
    AuditEvent,
    EvidenceFile,
    Membership,
    MembershipRequest,
    Organisation,
    Succession,
    User,
)


class SuccessionInline(admin.TabularInline):
    """The organisations that took over from this one, each from its date."""

    model = Succession
    fk_name = "predecessor"
    raw_id_fields = ["successor"]
    extra = 0
    verbose_name = "successor"


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "council_type", "gss_code", "region", "valid_to"]
    list_filter = ["kind", "council_type", "region"]
    search_fields = ["name", "gss_code", "slug"]
    raw_id_fields = ["parent_county", "strategic_authority"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SuccessionInline]


class MembershipInline(admin.StackedInline):
    model = Membership
    fk_name = "user"
    raw_id_fields = ["organisation", "approved_by"]
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "last_login"]
    search_fields = ["email", "full_name"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "password"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})
    ]


@admin.register(MembershipRequest)
class MembershipRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "status", "created_at"]
    list_filter = ["status", "role"]
    raw_id_fields = ["user", "organisation", "decided_by"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "verb", "target_type", "target_id"]
    list_filter = ["verb", "target_type"]
    search_fields = ["target_id", "note"]
    raw_id_fields = ["actor"]

    def has_change_permission(self, request, obj=None):
        return False  # the trail is append-only

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EvidenceFile)
class EvidenceFileAdmin(admin.ModelAdmin):
    """Staff see every file and its virus check, quarantined ones included (never served)."""

    list_display = ["name", "organisation", "scan_status", "scan_signature", "uploaded_at"]
    list_filter = ["scan_status"]
    search_fields = ["name", "sha256", "organisation__name"]
    raw_id_fields = ["organisation", "uploaded_by"]
    readonly_fields = [
        "public_id",
        "name",
        "content_type",
        "size",
        "sha256",
        "file",
        "scan_status",
        "scan_signature",
        "scanned_at",
        "uploaded_at",
    ]
