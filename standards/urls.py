from django.urls import path

from standards import views

app_name = "standards"

urlpatterns = [
    path("", views.standard_list, name="standard_list"),
    path("new/", views.standard_create, name="standard_create"),
    path("my-council/", views.my_council, name="my_council"),
    path("reviews/", views.review_queue, name="review_queue"),
    path("audits/", views.audit_queue, name="audit_queue"),
    path("audits/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("assessments/<uuid:public_id>/", views.assessment_detail, name="assessment_detail"),
    path(
        "assessments/<uuid:public_id>/criteria/<int:criterion_pk>/",
        views.answer_edit,
        name="answer_edit",
    ),
    path("assessments/<uuid:public_id>/check/", views.assessment_check, name="assessment_check"),
    path(
        "assessments/<uuid:public_id>/files/<uuid:file_id>/",
        views.answer_file_download,
        name="answer_file_download",
    ),
    path(
        "assessments/<uuid:public_id>/files/<uuid:file_id>/remove/",
        views.answer_file_remove,
        name="answer_file_remove",
    ),
    path(
        "assessments/<uuid:public_id>/submitted/",
        views.assessment_submitted,
        name="assessment_submitted",
    ),
    path("assessments/<uuid:public_id>/review/", views.assessment_review, name="assessment_review"),
    path("comments/<int:pk>/addressed/", views.comment_address, name="comment_address"),
    path("<slug:slug>/", views.standard_detail, name="standard_detail"),
    path("<slug:slug>/councils/", views.standard_councils, name="standard_councils"),
    path("<slug:slug>/assess/", views.assessment_start, name="assessment_start"),
    path("<slug:slug>/versions/new/", views.version_new, name="version_new"),
    path("<slug:slug>/versions/<int:number>/", views.version_detail, name="version_detail"),
    path("<slug:slug>/versions/<int:number>/edit/", views.version_edit, name="version_edit"),
    path(
        "<slug:slug>/versions/<int:number>/criteria/new/",
        views.criterion_edit,
        name="criterion_create",
    ),
    path(
        "<slug:slug>/versions/<int:number>/criteria/<int:pk>/",
        views.criterion_edit,
        name="criterion_edit",
    ),
    path(
        "<slug:slug>/versions/<int:number>/criteria/<int:pk>/move/",
        views.criterion_move,
        name="criterion_move",
    ),
    path(
        "<slug:slug>/versions/<int:number>/consultation/",
        views.version_consult,
        name="version_consult",
    ),
    path(
        "<slug:slug>/versions/<int:number>/publish/", views.version_publish, name="version_publish"
    ),
    path("<slug:slug>/versions/<int:number>/retire/", views.version_retire, name="version_retire"),
    path(
        "<slug:slug>/versions/<int:number>/comments/", views.comment_create, name="comment_create"
    ),
]
