from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from institute import (
    api_docs,
    notification_views,
    pages,
    search_views,
    token_views,
    views,
)

institute_patterns = [
    path("", views.home, name="home"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path(
        "organisations/<slug:slug>/email-domains/",
        views.organisation_domains,
        name="organisation_domains",
    ),
    path(
        "organisations/<slug:slug>/email-domains/<int:pk>/remove/",
        views.organisation_domain_remove,
        name="organisation_domain_remove",
    ),
    path(
        "organisations/<slug:slug>/people/", views.organisation_people, name="organisation_people"
    ),
    path(
        "organisations/<slug:slug>/people/<int:pk>/remove/",
        views.organisation_person_remove,
        name="organisation_person_remove",
    ),
    path("email-domains/import/", views.email_domains_import, name="email_domains_import"),
    path("account/", views.account, name="account"),
    path(
        "account/requests/<int:pk>/sent/",
        views.membership_request_sent,
        name="membership_request_sent",
    ),
    path("requests/", views.membership_request_list, name="membership_request_list"),
    path("requests/<int:pk>/", views.membership_request_decide, name="membership_request_decide"),
    path("notifications/", notification_views.notification_list, name="notification_list"),
    path("notifications/count/", notification_views.notification_count, name="notification_count"),
    path(
        "notifications/<int:pk>/read/",
        notification_views.notification_read,
        name="notification_read",
    ),
    path(
        "notifications/read-all/",
        notification_views.notifications_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/preferences/",
        notification_views.notification_preferences,
        name="notification_preferences",
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        notification_views.digest_unsubscribe,
        name="digest_unsubscribe",
    ),
    path("notifications/outbox/", notification_views.email_outbox, name="email_outbox"),
    path(
        "notifications/outbox/<int:pk>/retry/",
        notification_views.email_outbox_retry,
        name="email_outbox_retry",
    ),
    path(
        "notifications/notify-callback/",
        notification_views.notify_callback,
        name="notify_callback",
    ),
    path("account/session/", views.session_keep_alive, name="session_keep_alive"),
    path("account/tokens/", token_views.token_create, name="token_create"),
    path("account/tokens/<uuid:public_id>/revoke/", token_views.token_revoke, name="token_revoke"),
    path("tokens/", token_views.token_list_for_staff, name="token_list"),
    path("search/", search_views.search_page, name="search"),
    *(
        path(route, pages.info_page, {"name": name}, name=name)
        for name, (route, _, _) in pages.PAGES.items()
    ),
]

urlpatterns = [
    path("", include((institute_patterns, "institute"))),
    path("", include("institute.sector.urls")),
    path("problems/", include("backlog.urls")),
    path("components/", include("components.urls")),
    path("standards/", include("standards.urls")),
    path("centres/", include("centres.urls")),
    path("api/v1/", include("institute.api_urls")),
    path("api/schema/", api_docs.SchemaView.as_view(), name="api_schema"),
    path("api/docs/", api_docs.DocsView.as_view(url_name="api_schema"), name="api_docs"),
    path("healthz", views.healthz, name="healthz"),
    path("account/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "institute.input_guard.handler400"  # JSON under /api/, the page elsewhere
handler403 = "institute.views.error_403"
handler404 = "institute.views.error_404"
handler500 = "institute.dbdown.server_error"  # 503 while the database is down

# `make bench` measures pages against a view that does nothing; off unless BENCHMARK_VIEWS is set.
if settings.BENCHMARK_VIEWS:
    from institute import bench_views

    urlpatterns.append(path("bench/bare", bench_views.bare, name="bench_bare"))
