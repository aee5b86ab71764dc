"""Every API endpoint, under /api/v1/. Each app adds its own routes in its api.py."""

from django.urls import include, path

urlpatterns = [
    path("", include("backlog.api")),
    path("", include("components.api")),
    path("", include("standards.api")),
    path("", include("centres.api")),
]
