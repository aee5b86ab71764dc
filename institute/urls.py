from django.contrib import admin
from django.urls import include, path

from institute import views

institute_patterns = [
    path("", views.home, name="home"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("account/", views.account, name="account"),
    path(
        "account/requests/<int:pk>/sent/",
        views.membership_request_sent,
        name="membership_request_sent",
    ),
    path("requests/", views.membership_request_list, name="membership_request_list"),
    path("requests/<int:pk>/", views.membership_request_decide, name="membership_request_decide"),
]

urlpatterns = [
    path("", include((institute_patterns, "institute"))),
    path("problems/", include("backlog.urls")),
    path("components/", include("components.urls")),
    path("standards/", include("standards.urls")),
    path("centres/", include("centres.urls")),
    path("api/v1/", include("institute.api_urls")),
    path("healthz", views.healthz, name="healthz"),
    path("account/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "institute.views.error_403"
handler404 = "institute.views.error_404"
handler500 = "institute.views.error_500"
