from django.apps import AppConfig


class InstituteConfig(AppConfig):
    name = "institute"
    verbose_name = "Institute: organisations and people"

    def ready(self):
        from institute import fragments, security, signals  # noqa: F401  (connect receivers)

        fragments.connect()
