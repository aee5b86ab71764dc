from django.urls import path

from components import views

app_name = "components"

urlpatterns = [
    path("", views.component_list, name="component_list"),
    path("export.csv", views.component_export, name="component_export"),
    path("adoptions.csv", views.adoption_export, name="adoption_export"),
    path("new/", views.component_submit, name="component_submit"),
    path("import/", views.component_import, name="component_import"),
    path("mine/", views.my_submissions, name="my_submissions"),
    path("review/", views.review_queue, name="review_queue"),
    path("sources/", views.source_list, name="source_list"),
    path("sources/new/", views.source_register, name="source_register"),
    path("sources/changes/", views.source_proposals, name="source_proposals"),
    path("sources/changes/<int:pk>/", views.source_proposal_decide, name="source_decide"),
    path("sources/<int:pk>/", views.source_detail, name="source_detail"),
    path("<uuid:public_id>/", views.component_detail, name="component_detail"),
    path("<uuid:public_id>/submitted/", views.component_submitted, name="component_submitted"),
    path(
        "<uuid:public_id>/publiccode.yml",
        views.component_publiccode,
        name="component_publiccode",
    ),
    path("<uuid:public_id>/edit/", views.component_edit, name="component_edit"),
    path("<uuid:public_id>/review/", views.component_review, name="component_review"),
    path("<uuid:public_id>/changes/<int:pk>/", views.component_change, name="component_change"),
    path("<uuid:public_id>/retire/", views.component_retire, name="component_retire"),
    path("<uuid:public_id>/problems/", views.component_problems, name="component_problems"),
    path("<uuid:public_id>/solve/", views.component_solve, name="component_solve"),
    path("<uuid:public_id>/adoption/", views.adoption_record, name="adoption_record"),
    # Links made before components had UUIDs: published ones redirect, any other is a 404.
    path("<int:pk>/", views.component_legacy_redirect, name="component_legacy_redirect"),
    path("adoptions/<int:pk>/confirm/", views.adoption_confirm, name="adoption_confirm"),
    path("councils/<slug:slug>/", views.council_adoptions, name="council_adoptions"),
    path(
        "adoptions/<int:pk>/files/<uuid:file_id>/",
        views.adoption_file_download,
        name="adoption_file_download",
    ),
    path(
        "adoptions/<int:pk>/files/<uuid:file_id>/remove/",
        views.adoption_file_remove,
        name="adoption_file_remove",
    ),
]
