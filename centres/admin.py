"""Django admin for institute staff. Learning moves through its workflow on the pages (which
record who and when, keep revisions and tell followers); the admin shows that read-only."""

from django.contrib import admin

from centres.models import Centre, CentreStaff, Learning, LearningRevision, Project


class CentreStaffInline(admin.TabularInline):
    model = CentreStaff
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ["name", "host", "focus"]
    search_fields = ["name", "focus"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["host"]
    readonly_fields = ["description_html", "created_at"]
    inlines = [CentreStaffInline]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "centre", "status", "phase", "start_date", "end_date"]
    list_filter = ["status", "centre"]
    search_fields = ["title", "summary"]
    raw_id_fields = ["partner_councils", "problems", "created_by"]
    readonly_fields = ["created_at", "updated_at", "activated_at"]


class LearningRevisionInline(admin.TabularInline):
    model = LearningRevision
    extra = 0
    can_delete = False
    fields = ["number", "title", "replaced_at", "replaced_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Learning)
class LearningAdmin(admin.ModelAdmin):
    list_display = ["title", "centre", "kind", "evidence_strength", "status", "published_at"]
    list_filter = ["status", "kind", "evidence_strength", "centre"]
    search_fields = ["title", "summary"]
    raw_id_fields = ["project", "councils", "problems", "created_by"]
    readonly_fields = [
        "status",
        "body_html",
        "created_at",
        "updated_at",
        "submitted_by",
        "submitted_at",
        "published_by",
        "published_at",
    ]
    inlines = [LearningRevisionInline]
