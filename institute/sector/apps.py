from django.apps import AppConfig


class SectorConfig(AppConfig):
    """The read side of the whole sector: dashboards, council figures and profiles, the public
    summary, the 2030 blueprint's targets and recommendations, comparison groups and open data.
    It reads every app through that app's selectors; nothing imports it."""

    name = "institute.sector"
    label = "sector"
    verbose_name = "Sector: dashboards and open data"

    def ready(self):
        # Tasks import the models, which exist only once the app registry is ready.
        from institute import registry
        from institute.sector import tasks

        registry.figures_changed.connect(
            tasks.refresh_soon_receiver, weak=False, dispatch_uid="sector-refresh-soon"
        )
        # After every other app's demo: the blueprint links to their rows.
        registry.demo_seeder("institute.sector.demo", order=90)
