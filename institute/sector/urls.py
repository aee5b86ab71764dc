from django.urls import path

from institute.sector import views

app_name = "sector"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/csv/<slug:table>/", views.dashboard_csv, name="dashboard_csv"),
    path("dashboard/summary/", views.dashboard_summary, name="dashboard_summary"),
    path(
        "dashboard/summary/csv/<slug:table>/",
        views.dashboard_summary_csv,
        name="dashboard_summary_csv",
    ),
    path("dashboard/councils/<slug:slug>/", views.council_profile, name="council_profile"),
    path("data/", views.data_index, name="data_index"),
    path("data/<slug:name>.<str:fmt>", views.data_download, name="data_download"),
]
