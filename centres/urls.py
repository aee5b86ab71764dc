from django.urls import path

from centres import views

app_name = "centres"

urlpatterns = [
    path("", views.centre_list, name="centre_list"),
    path("new/", views.centre_create, name="centre_create"),
    path("evidence/", views.evidence_scale, name="evidence_scale"),
    path("review/", views.review_queue, name="review_queue"),
    path("learning/", views.learning_list, name="learning_list"),
    path("learning/<uuid:public_id>/", views.learning_detail, name="learning_detail"),
    path("learning/<uuid:public_id>/edit/", views.learning_edit, name="learning_edit"),
    path("learning/<uuid:public_id>/submit/", views.learning_submit, name="learning_submit"),
    path("learning/<uuid:public_id>/publish/", views.learning_publish, name="learning_publish"),
    path(
        "learning/<uuid:public_id>/published/", views.learning_published, name="learning_published"
    ),
    path("learning/<uuid:public_id>/return/", views.learning_return, name="learning_return"),
    path(
        "learning/<uuid:public_id>/versions/<int:number>/",
        views.learning_revision,
        name="learning_revision",
    ),
    path(
        "learning/<uuid:public_id>/changes/<int:pk>/",
        views.learning_change,
        name="learning_change",
    ),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("<slug:slug>/", views.centre_detail, name="centre_detail"),
    path("<slug:slug>/edit/", views.centre_edit, name="centre_edit"),
    path("<slug:slug>/staff/", views.centre_staff, name="centre_staff"),
    path(
        "<slug:slug>/staff/<int:pk>/remove/",
        views.centre_staff_remove,
        name="centre_staff_remove",
    ),
    path("<slug:slug>/projects/new/", views.project_create, name="project_create"),
    path("<slug:slug>/learning/new/", views.learning_create, name="learning_create"),
]
