from django.urls import path

from backlog import views

app_name = "backlog"

urlpatterns = [
    path("", views.problem_list, name="problem_list"),
    path("export.csv", views.problem_export, name="problem_export"),
    path("new/", views.problem_submit, name="problem_submit"),
    path("similar/", views.problem_similar, name="problem_similar"),
    path("triage/", views.triage, name="triage"),
    path("my-council/", views.my_council, name="my_council"),
    path("<int:pk>/", views.problem_detail, name="problem_detail"),
    path("<int:pk>/submitted/", views.problem_submitted, name="problem_submitted"),
    path("<int:pk>/vote/", views.problem_vote, name="problem_vote"),
    path("<int:pk>/follow/", views.problem_follow, name="problem_follow"),
    path("<int:pk>/comments/", views.comment_create, name="comment_create"),
    path("<int:pk>/edit/", views.problem_edit, name="problem_edit"),
    path("<int:pk>/withdraw/", views.problem_withdraw, name="problem_withdraw"),
    path("<int:pk>/changes/", views.problem_changes, name="problem_changes"),
    path("<int:pk>/status/", views.problem_status, name="problem_status"),
    path("<int:pk>/merge/", views.problem_merge, name="problem_merge"),
    path("<int:pk>/unmerge/", views.problem_unmerge, name="problem_unmerge"),
    path("comments/reported/", views.comment_reports, name="comment_reports"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/report/", views.comment_report, name="comment_report"),
    path("comments/<int:pk>/moderate/", views.comment_moderate, name="comment_moderate"),
    path("duplicates/<int:pk>/dismiss/", views.duplicate_dismiss, name="duplicate_dismiss"),
]
