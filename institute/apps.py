from django.apps import AppConfig


class InstituteConfig(AppConfig):
    name = "institute"
    verbose_name = "Institute: organisations and people"

    def ready(self):
        from institute import signals  # noqa: F401  (connects allauth signals)
