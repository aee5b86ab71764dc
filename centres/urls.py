from django.urls import path  # noqa: F401

app_name = "centres"

# Pages of this app arrive with its issue.
urlpatterns: list = []
