from django.apps import AppConfig


class ComponentsConfig(AppConfig):
    name = "components"

    def ready(self):
        # Models and selectors exist only once the app registry is ready: imported here.
        from components import selectors
        from components.models import (
            Adoption,
            Component,
            ComponentChange,
            ComponentEvent,
            ComponentProblem,
            HarvestSource,
        )
        from institute import fragments, registry

        fragments.watch(Component, lambda c: [f"component:{c.public_id}"])
        for model in (Adoption, ComponentProblem, ComponentEvent, ComponentChange):
            fragments.watch(model, selectors.cache_versions_of_row)
        fragments.watch_m2m(Component, selectors.cache_versions_of_components)
        # The component page says when its publiccode.yml was last checked.
        fragments.watch(
            HarvestSource, lambda s: selectors.cache_versions_of_components([s.component_id])
        )
        # A problem page shows components, and the catalogue depends on many rows.
        fragments.watch_app(self.label)

        registry.section(
            "organisation",
            order=20,
            template="components/_organisation_section.html",
            build=selectors.organisation_section,
            depends=(self.label, "names"),
        )
        registry.section(
            "problem",
            order=10,
            template="components/_problem_section.html",
            build=selectors.problem_section,
            depends=(self.label,),
        )
        registry.demo_seeder("components.demo", order=30)
        registry.section(
            "home:officer",
            order=20,
            template="components/_home_section.html",
            build=selectors.officer_home_section,
        )
        registry.work_waiting(
            "components",
            order=30,
            label="Components in review",
            url="components:review_queue",
            count=selectors.components_waiting,
        )
        registry.work_waiting(
            "component-changes",
            order=31,
            label="Changes to published components",
            url="components:review_queue",
            count=selectors.component_changes_waiting,
        )
        registry.search_kind(
            "component",
            label="Component",
            plural="Components",
            order=20,
            rows=selectors.component_search_rows,
            drafts=selectors.component_search_drafts,
            url=selectors.component_search_url,
            depends=(self.label,),
        )
        registry.figures_depend_on(Adoption)
