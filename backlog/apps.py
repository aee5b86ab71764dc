from django.apps import AppConfig


def _problem_versions(problem) -> list[str]:
    names = [f"problem:{problem.pk}", "problem-titles"]
    if problem.merged_into_id:
        names.append(f"problem:{problem.merged_into_id}")
    return names


class BacklogConfig(AppConfig):
    name = "backlog"

    def ready(self):
        # Models and selectors exist only once the app registry is ready: imported here.
        from backlog import selectors
        from backlog.models import (
            Comment,
            CouncilDemand,
            Merge,
            Problem,
            ProblemRevision,
            StatusChange,
            Vote,
            WithdrawnProblem,
        )
        from institute import fragments, registry

        # Cached page parts: what each write changes ("demand": every problem's counts, for
        # pages that show those of many problems).
        fragments.watch(Problem, _problem_versions)
        fragments.watch(
            Vote, lambda v: [f"problem:{v.problem_id}", f"problem:{v.cast_on_id}", "demand"]
        )
        fragments.watch(CouncilDemand, lambda d: [f"problem:{d.problem_id}", "demand"])
        fragments.watch(StatusChange, lambda c: [f"problem:{c.problem_id}"])
        fragments.watch(Merge, lambda m: [f"problem:{m.source_id}", f"problem:{m.target_id}"])
        fragments.watch(Comment, lambda c: [f"problem:{c.problem_id}"])
        fragments.watch(ProblemRevision, lambda r: [f"problem:{r.problem_id}"])
        fragments.watch(WithdrawnProblem, lambda w: [f"problem:{w.number}", "problem-titles"])
        # Service areas decide which problems a filtered list holds ("problem-titles").
        fragments.watch_m2m(
            Problem, lambda ids, row: [*(f"problem:{pk}" for pk in ids), "problem-titles"]
        )

        registry.section(
            "organisation",
            order=10,
            template="backlog/_organisation_section.html",
            build=selectors.organisation_section,
            # Titles and statuses, demand, and the order (most recently active first).
            depends=("problem-titles", "demand", selectors.ACTIVITY_VERSION),
        )
        registry.demo_seeder("backlog.demo", order=20)
        for role, order in (("officer", 30), ("centre_staff", 30)):
            registry.section(
                f"home:{role}",
                order=order,
                template="backlog/_home_section.html",
                build=selectors.officer_home_section,
            )
        registry.work_waiting(
            "problems",
            order=10,
            label="New problems to triage",
            url="backlog:triage",
            count=selectors.problems_waiting,
        )
        registry.work_waiting(
            "duplicates",
            order=20,
            label="Likely duplicate problems",
            url="backlog:triage",
            count=selectors.duplicates_waiting,
        )
        registry.work_waiting(
            "reported_comments",
            order=70,
            label="Reported comments",
            url="backlog:comment_reports",
            count=selectors.reported_comments_waiting,
        )
        registry.search_kind(
            "problem",
            label="Problem",
            plural="Problems",
            order=10,
            rows=selectors.problem_search_rows,
            url=selectors.problem_search_url,
            depends=("problem-titles", "demand"),
        )
        registry.figures_depend_on(Problem, Vote, CouncilDemand)
