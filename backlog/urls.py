from django.urls import path

from backlog import views

app_name = "backlog"

urlpatterns = [
    path("", views.problem_list, name="problem_list"),
]
