"""Django admin for institute staff. Status, votes and merges change through the triage pages,
which keep counters and the timeline right; the admin shows them read-only."""

from django.contrib import admin

from backlog.models import Comment, CommentReport, Problem, StatusChange
from institute.models import ServiceArea


@admin.register(ServiceArea)
class ServiceAreaAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "note", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "theme", "council_count", "vote_count", "created_at"]
    list_filter = ["status", "theme"]
    search_fields = ["title", "summary"]
    raw_id_fields = ["submitted_by", "submitted_for", "merged_into"]
    readonly_fields = [
        "status",
        "merged_into",
        "vote_count",
        "council_count",
        "trending_count",
        "description_html",
        "created_at",
        "updated_at",
        "last_activity_at",
    ]
    inlines = [StatusChangeInline]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["problem", "author", "created_at", "hidden_at"]
    raw_id_fields = ["problem", "author", "author_organisation", "hidden_by"]
    readonly_fields = ["body_html"]


@admin.register(CommentReport)
class CommentReportAdmin(admin.ModelAdmin):
    list_display = ["comment", "reporter", "created_at", "resolved_at"]
    raw_id_fields = ["comment", "reporter"]
