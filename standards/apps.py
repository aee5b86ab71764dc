from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "standards"

    def ready(self):
        # Models and selectors exist only once the app registry is ready: imported here.
        from institute import fragments, registry
        from standards import selectors
        from standards.models import Assessment, Standard

        fragments.watch(Standard, lambda s: ["standard-titles"])
        # Standards' pages depend on many of the app's rows.
        fragments.watch_app(self.label)

        registry.section(
            "organisation",
            order=30,
            template="standards/_organisation_section.html",
            build=selectors.organisation_section,
        )
        registry.demo_seeder("standards.demo", order=40)
        registry.section(
            "home:officer",
            order=10,
            template="standards/_home_section.html",
            build=selectors.officer_home_section,
        )
        registry.work_waiting(
            "assessments",
            order=50,
            label="Assessments to review",
            url="standards:review_queue",
            count=selectors.assessments_waiting,
        )
        registry.work_waiting(
            "audits",
            order=60,
            label="This quarter’s audit sample",
            url="standards:audit_queue",
            count=selectors.audits_waiting,
        )
        registry.search_kind(
            "standard",
            label="Standard",
            plural="Standards",
            order=30,
            rows=selectors.standard_search_rows,
            url=selectors.standard_search_url,
            depends=(self.label,),
        )
        registry.figures_depend_on(Assessment)
