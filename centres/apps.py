from django.apps import AppConfig


class CentresConfig(AppConfig):
    name = "centres"

    def ready(self):
        # Models and selectors exist only once the app registry is ready: imported here.
        from centres import selectors
        from centres.models import Learning, Project
        from institute import fragments, registry

        # A problem page shows centres' work, and centres' pages depend on many of its rows.
        fragments.watch_app(self.label)

        registry.section(
            "organisation",
            order=40,
            template="centres/_organisation_section.html",
            build=selectors.organisation_section,
            depends=(self.label, "names"),
        )
        registry.section(
            "problem",
            order=30,
            template="centres/_problem_section.html",
            build=selectors.problem_section,
            depends=(self.label,),
        )
        registry.demo_seeder("centres.demo", order=50)
        registry.section(
            "home:centre_staff",
            order=10,
            template="centres/_home_section.html",
            build=selectors.centre_staff_home_section,
        )
        registry.work_waiting(
            "learning",
            order=40,
            label="Learning in review",
            url="centres:review_queue",
            count=selectors.learning_waiting,
        )
        registry.work_waiting(
            "learning-changes",
            order=41,
            label="Changes to published learning",
            url="centres:review_queue",
            count=selectors.learning_changes_waiting,
        )
        registry.search_kind(
            "learning",
            label="Learning",
            plural="Learning",
            order=40,
            rows=selectors.learning_search_rows,
            drafts=selectors.learning_search_drafts,
            url=selectors.learning_search_url,
            depends=(self.label,),
        )
        registry.search_kind(
            "centre",
            label="Centre",
            plural="Centres",
            order=50,
            rows=selectors.centre_search_rows,
            url=selectors.centre_search_url,
            depends=(self.label,),
        )
        registry.figures_depend_on(Project, Learning)
