from django.urls import path

from institute.sector import blueprint_views, comparison_views, views

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
    path(
        "dashboard/comparison-groups/",
        comparison_views.comparison_group_list,
        name="comparison_group_list",
    ),
    path(
        "dashboard/comparison-groups/upload/",
        comparison_views.comparison_group_upload,
        name="comparison_group_upload",
    ),
    path(
        "dashboard/comparison-groups/<int:pk>/",
        comparison_views.comparison_group_detail,
        name="comparison_group_detail",
    ),
    path(
        "dashboard/comparison-groups/<int:pk>/remove/",
        comparison_views.comparison_group_remove,
        name="comparison_group_remove",
    ),
    path("blueprint/", blueprint_views.blueprint, name="blueprint"),
    path("blueprint/targets.csv", blueprint_views.targets_csv, name="targets_csv"),
    path("blueprint/matrix.csv", blueprint_views.matrix_csv, name="matrix_csv"),
    path(
        "blueprint/recommendations.csv",
        blueprint_views.recommendations_csv,
        name="recommendations_csv",
    ),
    path("blueprint/themes/<slug:theme>/", blueprint_views.blueprint_theme, name="blueprint_theme"),
    path("blueprint/targets/<slug:slug>/", blueprint_views.series_detail, name="series_detail"),
    path("blueprint/targets/<slug:slug>/values.csv", blueprint_views.series_csv, name="series_csv"),
    path(
        "blueprint/targets/<slug:slug>/record/",
        blueprint_views.series_record,
        name="series_record",
    ),
    path(
        "blueprint/targets/<slug:slug>/values/<int:pk>/remove/",
        blueprint_views.series_value_remove,
        name="series_value_remove",
    ),
    path(
        "blueprint/recommendations/<int:number>/",
        blueprint_views.recommendation_detail,
        name="recommendation_detail",
    ),
    path(
        "blueprint/recommendations/<int:number>/update/",
        blueprint_views.recommendation_update,
        name="recommendation_update",
    ),
    path(
        "blueprint/recommendations/<int:number>/links/",
        blueprint_views.recommendation_links,
        name="recommendation_links",
    ),
    path("data/", views.data_index, name="data_index"),
    path("data/<slug:name>.<str:fmt>", views.data_download, name="data_download"),
]
