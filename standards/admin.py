"""Django admin for institute staff. Versions are published, and assessments submitted and
reviewed, through the pages (which keep adoption and the audit trail right); here they are
read-only."""

from django.contrib import admin

from standards.models import (
    Assessment,
    Audit,
    AuditRound,
    ConsultationComment,
    Criterion,
    ReminderSend,
    Standard,
    StandardVersion,
)


@admin.register(Standard)
class StandardAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "owner", "current_version"]
    list_filter = ["category"]
    search_fields = ["title", "summary"]
    raw_id_fields = ["owner", "created_by"]
    readonly_fields = ["current_version", "previous_version", "grace_until"]


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["position", "code", "title", "mandatory"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StandardVersion)
class StandardVersionAdmin(admin.ModelAdmin):
    list_display = ["standard", "number", "status", "published_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "published_at", "superseded_at", "retired_at", "based_on"]
    raw_id_fields = ["standard", "created_by"]
    inlines = [CriterionInline]


@admin.register(ConsultationComment)
class ConsultationCommentAdmin(admin.ModelAdmin):
    list_display = ["version", "criterion", "author", "created_at", "addressed_at"]
    raw_id_fields = ["version", "criterion", "author", "author_organisation", "addressed_by"]


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["organisation", "standard", "version", "status", "result", "valid_until"]
    list_filter = ["status", "result"]
    search_fields = ["organisation__name", "standard__title"]
    raw_id_fields = ["organisation", "standard", "version", "carried_from"]
    readonly_fields = [
        "status",
        "result",
        "submitted_at",
        "submitted_by",
        "valid_until",
        "reviewed_at",
        "reviewed_by",
        "review_note",
        "started_by",
    ]


@admin.register(AuditRound)
class AuditRoundAdmin(admin.ModelAdmin):
    list_display = ["quarter", "sample_rate", "population", "drawn_at"]


@admin.register(Audit)
class AuditAdmin(admin.ModelAdmin):
    list_display = ["assessment", "round", "completed_at", "agreed", "compared"]
    raw_id_fields = ["assessment", "round", "completed_by"]


@admin.register(ReminderSend)
class ReminderSendAdmin(admin.ModelAdmin):
    list_display = ["kind", "assessment", "version", "recipient", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["assessment", "version", "recipient"]
