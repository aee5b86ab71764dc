"""Every API endpoint, under /api/v1/. Each app adds its own routes in its api.py."""

from django.urls import include, path

from institute import search_views

core_patterns = [path("search/", search_views.SearchApi.as_view(), name="search")]

urlpatterns = [
    path("", include((core_patterns, "institute-api"))),
    path("", include("backlog.api")),
    path("", include("components.api")),
    path("", include("standards.api")),
    path("", include("centres.api")),
]
