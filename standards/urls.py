from django.urls import path  # noqa: F401

app_name = "standards"

# Pages of this app arrive with its issue.
urlpatterns: list = []
