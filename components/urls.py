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
    path("<int:pk>/", views.component_detail, name="component_detail"),
    path("<int:pk>/submitted/", views.component_submitted, name="component_submitted"),
    path("<int:pk>/publiccode.yml", views.component_publiccode, name="component_publiccode"),
    path("<int:pk>/edit/", views.component_edit, name="component_edit"),
    path("<int:pk>/review/", views.component_review, name="component_review"),
    path("<int:pk>/retire/", views.component_retire, name="component_retire"),
    path("<int:pk>/problems/", views.component_problems, name="component_problems"),
    path("<int:pk>/solve/", views.component_solve, name="component_solve"),
    path("<int:pk>/adoption/", views.adoption_record, name="adoption_record"),
    path("adoptions/<int:pk>/confirm/", views.adoption_confirm, name="adoption_confirm"),
]
