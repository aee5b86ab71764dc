"""Django admin for institute staff. Review, retirement and adoption change through the pages,
which keep the history and counters right; the admin shows those read-only."""

from django.contrib import admin

from components.models import Adoption, AdoptionChange, AdoptionReminder, Component, ComponentEvent


class ComponentEventInline(admin.TabularInline):
    model = ComponentEvent
    extra = 0
    can_delete = False
    readonly_fields = ["verb", "actor", "note", "data", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "kind", "maturity", "using_count", "adopting_count"]
    list_filter = ["status", "kind", "maturity", "cost_model", "hosting", "licence_open"]
    search_fields = ["name", "summary"]
    raw_id_fields = ["submitted_by", "submitted_for", "maintainer"]
    readonly_fields = [
        "status",
        "using_count",
        "adopting_count",
        "description_html",
        "created_at",
        "updated_at",
        "published_at",
    ]
    inlines = [ComponentEventInline]


class AdoptionChangeInline(admin.TabularInline):
    model = AdoptionChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_stage", "to_stage", "actor", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Adoption)
class AdoptionAdmin(admin.ModelAdmin):
    list_display = ["component", "organisation", "stage", "since", "confirmed_at"]
    list_filter = ["stage"]
    search_fields = ["component__name", "organisation__name"]
    raw_id_fields = ["component", "organisation", "contact"]
    readonly_fields = ["stage", "confirmed_at", "created_at", "updated_at"]
    inlines = [AdoptionChangeInline]


@admin.register(AdoptionReminder)
class AdoptionReminderAdmin(admin.ModelAdmin):
    list_display = ["adoption", "stale_on", "recipients", "created_at"]
    raw_id_fields = ["adoption"]
