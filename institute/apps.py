from django.apps import AppConfig
from django.db.models.signals import post_migrate


class InstituteConfig(AppConfig):
    name = "institute"
    verbose_name = "Institute: organisations and people"

    def ready(self):
        # Modules that import models can load only once the app registry is ready.
        from institute import checks, fragments, registry, security, selectors, signals  # noqa: F401  (receivers)
        from institute.models import Membership

        fragments.connect()
        post_migrate.connect(signals.site_update_after_migrate, sender=self)
        registry.demo_seeder("institute.demo", order=10)
        registry.work_waiting(
            "membership_requests",
            order=80,
            label="Requests to join an organisation",
            url="institute:membership_request_list",
            count=selectors.membership_requests_waiting,
        )
        registry.work_waiting(
            "failed_emails",
            order=90,
            label="E-mails that could not be sent",
            url="institute:email_outbox",
            query="status=failed",
            count=selectors.failed_emails_waiting,
        )
        registry.search_kind(
            "organisation",
            label="Organisation",
            plural="Organisations",
            order=60,
            rows=selectors.organisation_search_rows,
            url=selectors.organisation_search_url,
            depends=("names",),
        )
        registry.figures_depend_on(Membership)  # members and active people per council
