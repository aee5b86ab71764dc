from django.apps import AppConfig


class InstituteConfig(AppConfig):
    name = "institute"
    verbose_name = "Institute: organisations and people"

    def ready(self):
        # dashboard_signals schedules a debounced dashboard refresh after writes in the
        # capability apps.
        from institute import (  # noqa: F401  (connect receivers)
            dashboard_signals,
            fragments,
            security,
            signals,
        )

        fragments.connect()
