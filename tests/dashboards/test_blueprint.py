"""The recommendations tracker: everyone reads it, institute staff update it; the matrix of
theme and body counts by hand; links name their lines when wrong; pages make a fixed number of
queries however many recommendations there are."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from institute import fragments
from institute.errors import DomainError, NotAllowed
from institute.models import AuditEvent
from institute.sector import selectors, services, targets
from institute.sector.models import Recommendation, RecommendationUpdate
from tests.centres.factories import CentreFactory, LearningFactory, ProjectFactory, draft
from tests.components.factories import ComponentFactory
from tests.factories import ProblemFactory, date_input
from tests.standards.factories import published_standard

pytestmark = pytest.mark.django_db


def _recommendation(staff, number, theme="data", bodies=("institute",), **kwargs):
    return services.recommendation_create(
        actor=staff,
        number=number,
        theme=theme,
        bodies=list(bodies),
        title=kwargs.get("title", f"Recommendation number {number}"),
        summary="Do the thing, together.",
        origin="The report's three recommendations for this theme",
    )


@pytest.fixture
def tracker(institute_staff):
    one = _recommendation(institute_staff, 1, "data", ["councils", "institute"])
    two = _recommendation(institute_staff, 2, "data", ["institute"])
    three = _recommendation(institute_staff, 3, "standards", ["lga", "mhclg"])
    services.recommendation_update_add(
        actor=institute_staff,
        recommendation=two,
        status="in_progress",
        on=timezone.localdate() - timedelta(days=10),
        note="Started with three councils.",
    )
    return {"one": one, "two": two, "three": three}


def test_the_matrix_counts_each_recommendation_under_each_body_it_names(tracker):
    matrix = selectors._matrix()
    assert matrix["total"] == 3
    assert matrix["by_status"] == {"not_started": 2, "in_progress": 1, "done": 0, "dropped": 0}
    assert matrix["cells"][("data", "institute")] == {
        "not_started": 1, "in_progress": 1, "done": 0, "dropped": 0
    }  # fmt: skip
    assert matrix["cells"][("data", "councils")]["not_started"] == 1
    assert matrix["cells"][("standards", "lga")]["not_started"] == 1
    assert ("standards", "institute") not in matrix["cells"]
    table = selectors.matrix_table(matrix)
    data_row = next(r for r in table.rows if r[0] == "Data exchange and maturity")
    assert data_row == ["Data exchange and maturity", 1, 0, 2, 0, 0, 0]


def test_the_newest_update_by_date_sets_the_status_and_the_trail_keeps_each(
    institute_staff, tracker
):
    one = tracker["one"]
    today = timezone.localdate()
    services.recommendation_update_add(
        actor=institute_staff,
        recommendation=one,
        status="done",
        on=today,
        note="Published.",
        evidence_url="https://www.example.gov.uk/done",
    )
    # An older update recorded later does not turn the clock back.
    services.recommendation_update_add(
        actor=institute_staff,
        recommendation=one,
        status="in_progress",
        on=today - timedelta(days=30),
        note="Work began.",
    )
    one.refresh_from_db()
    assert (one.status, one.status_since) == ("done", today)
    assert [u.status for u in one.updates.all()] == ["done", "in_progress"]
    assert (
        AuditEvent.objects.filter(verb="recommendation_updated", target_id=str(one.pk)).count() == 2
    )


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"status": "finished"}, "status"),
        ({"on": date(2099, 1, 1)}, "on"),
        ({"note": "  "}, "note"),
        ({"status": "done", "evidence_url": ""}, "evidence_url"),
    ],
)
def test_a_bad_update_is_refused_and_changes_nothing(institute_staff, tracker, kwargs, field):
    data = {"status": "in_progress", "on": timezone.localdate(), "note": "Something happened."}
    data.update(kwargs)
    with pytest.raises(DomainError) as error:
        services.recommendation_update_add(
            actor=institute_staff, recommendation=tracker["one"], **data
        )
    assert error.value.field == field
    tracker["one"].refresh_from_db()
    assert tracker["one"].status == "not_started"
    assert not RecommendationUpdate.objects.filter(recommendation=tracker["one"]).exists()


def test_only_institute_staff_change_the_tracker(officer, centre_staff, sector_viewer, tracker):
    for person in (officer, centre_staff, sector_viewer):
        with pytest.raises(NotAllowed):
            services.recommendation_update_add(
                actor=person,
                recommendation=tracker["one"],
                status="in_progress",
                on=timezone.localdate(),
                note="Done by me.",
            )
        with pytest.raises(NotAllowed):
            services.recommendation_links_set(actor=person, recommendation=tracker["one"])


PUBLIC_PAGES = [
    ("sector:blueprint", {}),
    ("sector:blueprint_theme", {"theme": "data"}),
    ("sector:recommendation_detail", {"number": 1}),
    ("sector:targets_csv", {}),
    ("sector:matrix_csv", {}),
    ("sector:recommendations_csv", {}),
]


@pytest.mark.parametrize("role", ["anonymous", "officer", "sector_viewer", "institute_staff"])
def test_everyone_reads_the_blueprint_and_the_tracker(client, request, tracker, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for name, kwargs in PUBLIC_PAGES:
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 200, name
    html = client.get(reverse("sector:recommendation_detail", args=[1])).content.decode()
    assert ("Update its status" in html) is (role == "institute_staff")


@pytest.mark.parametrize(
    "role,status", [("anonymous", 302), ("officer", 403), ("sector_viewer", 403)]
)
def test_no_one_but_staff_opens_or_posts_the_update_and_links_pages(
    client, request, tracker, role, status
):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for name in ("sector:recommendation_update", "sector:recommendation_links"):
        url = reverse(name, args=[1])
        assert client.get(url).status_code == status
        post = client.post(
            url, {"status": "done", **date_input("on", "2026-01-01"), "note": "x", "addresses": ""}
        )
        assert post.status_code == status
    tracker["one"].refresh_from_db()
    assert tracker["one"].status == "not_started"


def test_staff_update_a_recommendation_through_its_page(client, institute_staff, tracker):
    client.force_login(institute_staff)
    url = reverse("sector:recommendation_update", args=[1])
    empty = client.post(url, {"note": ""})
    assert empty.status_code == 200
    assert "Choose where it stands" in empty.content.decode()
    done_without_evidence = client.post(
        url, {"status": "done", **date_input("on", timezone.localdate()), "note": "Finished."}
    )
    assert "Give the address of the evidence" in done_without_evidence.content.decode()
    response = client.post(
        url,
        {
            "status": "in_progress",
            **date_input("on", timezone.localdate()),
            "note": "Three councils started.",
            "evidence_url": "https://www.example.gov.uk/start",
        },
    )
    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    assert "Three councils started." in html and "https://www.example.gov.uk/start" in html


def test_links_are_pages_on_the_site_and_each_wrong_line_is_named(client, institute_staff, tracker):
    problem = ProblemFactory(title="Forms everywhere")
    component = ComponentFactory(name="Form builder")
    standard = published_standard(institute_staff)
    centre = CentreFactory()
    project = ProjectFactory(centre=centre, title="Forms together")
    learning = LearningFactory(centre=centre, title="What works in forms")
    unpublished = draft(centre=centre, title="Not yet out")
    client.force_login(institute_staff)
    url = reverse("sector:recommendation_links", args=[1])
    lines = [
        f"https://institute.example{problem.get_absolute_url()}",
        component.get_absolute_url(),
        "https://www.gov.uk/",
        standard.get_absolute_url(),
        reverse("backlog:problem_detail", args=[987654]),
        project.get_absolute_url(),
        learning.get_absolute_url(),
        unpublished.get_absolute_url(),
    ]
    bad = client.post(url, {"addresses": "\n".join(lines)})
    assert bad.status_code == 200
    errors = bad.context["form"].errors["addresses"]
    assert errors == [
        "Line 3: “https://www.gov.uk/” is not the address of a problem, component, standard, "
        "centre project or piece of learning",
        f"Line 5: nothing published is found at “{lines[4]}”",
        f"Line 8: nothing published is found at “{lines[7]}”",
    ]
    assert not tracker["one"].problems.exists()
    good = [line for i, line in enumerate(lines, 1) if i not in (3, 5, 8)]
    assert client.post(url, {"addresses": "\n".join(good)}).status_code == 302
    links = selectors.recommendation_links(tracker["one"])
    assert [item["text"] for kind in selectors.LINK_KINDS for item in links[kind]] == [
        "Forms everywhere",
        "Form builder",
        standard.title,
        "Forms together",
        "What works in forms",
    ]
    # The form shows the links as they are; saving it empty removes them.
    assert client.get(url).context["form"].initial["addresses"].count("\n") == 4
    client.post(url, {"addresses": ""})
    assert not any(selectors.recommendation_links(tracker["one"]).values())


def test_a_theme_page_filters_by_body_and_ignores_a_bad_one(client, tracker):
    url = reverse("sector:blueprint_theme", args=["data"])
    assert [r.number for r in client.get(url).context["page_obj"]] == [1, 2]
    assert [r.number for r in client.get(url, {"body": "councils"}).context["page_obj"]] == [1]
    assert [r.number for r in client.get(url, {"body": "<b>"}).context["page_obj"]] == [1, 2]
    assert client.get(reverse("sector:blueprint_theme", args=["nope"])).status_code == 404


def _queries(client, url) -> int:
    fragments.invalidate_all()  # cold: every cached part is built again, as on a first view
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url",
    [
        reverse("sector:blueprint"),
        reverse("sector:blueprint_theme", args=["data"]),
        reverse("sector:recommendation_detail", args=[1]),
        reverse("sector:dashboard_summary"),
    ],
)
def test_blueprint_pages_make_the_same_queries_however_much_there_is(
    client, institute_staff, tracker, url
):
    targets.series_sync()
    services.recommendation_links_set(
        actor=institute_staff,
        recommendation=tracker["one"],
        problems=[ProblemFactory()],
        components=[ComponentFactory()],
    )
    before = _queries(client, url)
    # Many more recommendations, updates, links and recorded values.
    for number in range(10, 40):
        recommendation = _recommendation(institute_staff, number, "data", ["lga", "councils"])
        services.recommendation_update_add(
            actor=institute_staff,
            recommendation=recommendation,
            status="in_progress",
            on=timezone.localdate(),
            note="Going.",
        )
    services.recommendation_links_set(
        actor=institute_staff,
        recommendation=tracker["one"],
        problems=[ProblemFactory() for _ in range(5)],
        components=[ComponentFactory() for _ in range(5)],
    )
    assert _queries(client, url) == before


def test_the_recommendations_csv_has_every_recommendation(client, tracker):
    text = client.get(reverse("sector:recommendations_csv")).content.decode()
    lines = text.splitlines()
    assert lines[0].startswith("Number,Theme,Recommendation,Who should act,Status,Since")
    assert lines[2].startswith(
        "2,Data exchange and maturity,Recommendation number 2,The coordinating institute,"
        "In progress,"
    )
    assert len(lines) == 1 + Recommendation.objects.count()


def test_the_blueprint_is_rendered_once_and_shows_each_change_of_the_tracker(
    client, institute_staff, tracker, django_assert_num_queries
):
    url = reverse("sector:blueprint")
    first = client.get(url).content.decode()
    assert "2 recommendations on data exchange and maturity" in first
    # The same page again is the kept body, with no query and nothing rendered from the figures.
    with django_assert_num_queries(0):
        again = client.get(url).content.decode()

    def main(html):  # the page around it carries a fresh CSRF token and script nonce
        return html[html.index("<main") : html.index("</main>")]

    assert main(again) == main(first)
    # A staff change to the tracker is on the next view.
    _recommendation(institute_staff, 4, "data", ["lga"])
    assert "3 recommendations on data exchange and maturity" in client.get(url).content.decode()
    # So is a change of the targets' figures.
    targets.series_sync()
    fragments.bump(targets.VERSION)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    assert queries.captured_queries  # the figures were read again


def test_the_refresh_warms_the_blueprint(client, tracker, django_assert_num_queries):
    from institute.sector import tasks

    fragments.bump(targets.VERSION)  # as a refresh does when the figures move
    tasks.caches_warm()
    # The first visitor after it reads the kept body: no query.
    with django_assert_num_queries(0):
        html = client.get(reverse("sector:blueprint")).content.decode()
    assert "2 recommendations on data exchange and maturity" in html
