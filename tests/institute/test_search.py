"""The service search: one ranked list across kinds, typo tolerance, only what the user may
see, bad input answered without a 500, and a fixed number of queries."""

import pytest
from django.urls import reverse

from backlog import services as backlog_services
from centres.models import LearningStatus
from institute import search
from institute.models import Organisation
from tests.centres.factories import CentreFactory, LearningFactory
from tests.components.factories import ComponentFactory
from tests.factories import ProblemFactory
from tests.standards.factories import published_standard, submitted_assessment

pytestmark = pytest.mark.django_db
PAGE = reverse("institute:search")
API = reverse("institute-api:search")


def _titles(response) -> list[str]:
    return [row.title for row in response.context["page_obj"].object_list]


def test_results_of_every_kind_come_in_one_list_best_first(client, institute_staff):
    ProblemFactory(title="Missed bin collections are reported by phone")
    ComponentFactory(name="Bin collection booking API", summary="Book a collection online.")
    LearningFactory(title="What we learnt from moving bin collection booking online")
    ProblemFactory(
        title="Residents phone about everything",
        summary="Council tax, parking and bin collection questions all arrive by phone.",
    )
    response = client.get(PAGE, {"q": "bin collection"})
    assert response.status_code == 200
    results = response.context["page_obj"].object_list
    kinds = {row.kind for row in results}
    assert {"problem", "component", "learning"} <= kinds
    # A match in a title outranks a match in a summary, whatever the kind.
    titles = [row.title for row in results]
    assert titles[-1] == "Residents phone about everything"
    assert "Component" in response.content.decode()


def test_a_typing_mistake_still_finds_the_problem(client):
    ProblemFactory(title="Missed bin collections are reported by phone")
    ProblemFactory(title="Housing repairs are booked by e-mail")
    response = client.get(PAGE, {"q": "bin colection"})
    assert _titles(response) == ["Missed bin collections are reported by phone"]


def test_filters_show_only_the_kinds_ticked_with_counts_of_every_kind(client):
    ProblemFactory(title="Bin collection problems")
    ComponentFactory(name="Bin collection booking API")
    response = client.get(PAGE, {"q": "bin collection", "kind": ["component"]})
    assert _titles(response) == ["Bin collection booking API"]
    text = response.content.decode()
    assert "Problems (1)" in text and "Components (1)" in text


def test_organisations_and_centres_and_standards_are_found(client, institute_staff):
    published_standard(institute_staff, title="Accessible online forms")
    CentreFactory(name="Northern Centre for Adult Social Care")
    response = client.get(PAGE, {"q": "leeds"})
    assert "Leeds" in _titles(response)
    response = client.get(PAGE, {"q": "accessible forms"})
    assert _titles(response)[0] == "Accessible online forms"
    response = client.get(PAGE, {"q": "adult social care"})
    assert "Northern Centre for Adult Social Care" in _titles(response)


def test_drafts_merged_problems_and_unpublished_components_never_appear(
    client, officer, institute_staff
):
    LearningFactory(title="Waste routes draft", status=LearningStatus.DRAFT, published_at=None)
    LearningFactory(title="Waste routes review", status=LearningStatus.IN_REVIEW, published_at=None)
    ComponentFactory(name="Waste routes planner", status="in_review", published_at=None)
    target = ProblemFactory(title="Waste routes are planned on paper")
    merged = ProblemFactory(title="Waste routes planned by hand")
    backlog_services.problem_merge(
        actor=institute_staff, source=merged, target=target, note="Same."
    )
    for user in (None, officer, institute_staff):
        if user:
            client.force_login(user)
        assert _titles(client.get(PAGE, {"q": "waste routes"})) == [
            "Waste routes are planned on paper"
        ]


def test_assessments_and_hidden_comments_never_appear(
    client, officer, other_officer, institute_staff
):
    standard = published_standard(institute_staff, title="Reporting missed collections")
    submitted_assessment(other_officer, standard)
    problem = ProblemFactory(title="Potholes are reported twice")
    comment = backlog_services.comment_add(
        actor=officer, problem=problem, body="Quagmire of duplicate reports, zebrafish."
    )
    backlog_services.comment_hide(actor=institute_staff, comment=comment, reason="Off topic.")
    client.force_login(officer)
    response = client.get(PAGE, {"q": "zebrafish quagmire"})
    assert _titles(response) == []
    results = search.search(user=officer, terms="Bristol reporting missed collections")
    assert {row.kind for row in results.rows} <= {"standard", "organisation"}
    assert not any("assessment" in row.url for row in results.rows)


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "x" * 1000,
        "!!! ??? & | ! :*",
        "'\"); DROP TABLE backlog_problem; --",
        "<>()",
        "½ ² ٣ colection ß (",
    ],
)
def test_bad_input_gets_an_answer_not_an_error(client, q):
    ProblemFactory(title="Missed bin collections are reported by phone")
    response = client.get(PAGE, {"q": q})
    assert response.status_code == 200
    if len(q) > search.MAX_LENGTH:
        assert "Search for 200 characters or fewer" in response.content.decode()
    api = client.get(API, {"q": q})
    assert api.status_code in (200, 400)
    assert api.json()


def test_a_nul_byte_is_refused_at_the_edge_with_a_clear_message(client):
    """PostgreSQL cannot hold NUL: the request is refused before search sees it
    (institute.input_guard), on the page and through the API."""
    page = client.get(PAGE, {"q": "bin\x00collection"})
    assert page.status_code == 400
    api = client.get(API, {"q": "bin\x00collection"})
    assert api.status_code == 400 and api.json()["errors"]["q"]


def test_an_unknown_kind_is_ignored_on_the_page_and_refused_by_the_api(client):
    ProblemFactory(title="Bin collection problems")
    response = client.get(PAGE, {"q": "bin", "kind": "nonsense"})
    assert response.status_code == 200
    api = client.get(API, {"q": "bin", "kind": "nonsense"})
    assert api.status_code == 400
    assert "kind" in api.json()["errors"]


def test_the_api_gives_ranked_results_with_absolute_links(client, settings):
    ProblemFactory(title="Missed bin collections are reported by phone")
    ComponentFactory(name="Bin collection booking API")
    body = client.get(API, {"q": "bin colection"}).json()
    assert body["count"] == 2
    assert {row["kind"] for row in body["results"]} == {"problem", "component"}
    assert all(row["url"].startswith(settings.SITE_URL + "/") for row in body["results"])
    assert body["results"][0]["score"] >= body["results"][1]["score"]


def test_the_header_has_the_search_box(client):
    response = client.get(reverse("institute:home"))
    assert f'action="{PAGE}"' in response.content.decode()


@pytest.mark.parametrize("count", [1, 30])
def test_a_search_takes_the_same_queries_however_many_results(
    client, officer, count, django_assert_num_queries
):
    for n in range(count):
        ProblemFactory(title=f"Bin collection problem {n}")
        ComponentFactory(name=f"Bin collection component {n}")
        LearningFactory(title=f"Bin collection learning {n}")
    Organisation.objects.filter(slug="leeds").update(description="Bin collection pioneers.")
    client.force_login(officer)
    client.get(PAGE)  # the session and membership are loaded on every page
    # The user with their membership (the session comes from the cache); the closest words of
    # any typing mistake; what everyone may see; the drafts the officer may work on.
    with django_assert_num_queries(4):
        response = client.get(PAGE, {"q": "bin collection"})
    assert len(response.context["page_obj"].object_list) == min(3 * count + 1, search.PAGE_SIZE)


def test_a_repeated_search_is_answered_again_once_what_it_finds_changes(client, institute_staff):
    assert _titles(client.get(PAGE, {"q": "waste routes"})) == []
    ProblemFactory(title="Waste routes are planned on paper")
    learning = LearningFactory(
        title="Waste routes planned together", status=LearningStatus.DRAFT, published_at=None
    )
    assert _titles(client.get(PAGE, {"q": "waste routes"})) == ["Waste routes are planned on paper"]
    learning.status = LearningStatus.PUBLISHED
    learning.published_at = learning.created_at
    learning.save(update_fields=["status", "published_at"])
    assert sorted(_titles(client.get(PAGE, {"q": "waste routes"}))) == [
        "Waste routes are planned on paper",
        "Waste routes planned together",
    ]


def test_a_centres_staff_find_its_drafts_marked_draft_and_nobody_else_does(
    client, centre_staff, other_centre_staff, officer, institute_staff
):
    LearningFactory(title="Gritting routes draft", status=LearningStatus.DRAFT, published_at=None)
    LearningFactory(
        title="Gritting routes in review", status=LearningStatus.IN_REVIEW, published_at=None
    )
    LearningFactory(title="Gritting routes published")
    client.force_login(centre_staff)
    response = client.get(PAGE, {"q": "gritting routes"})
    drafts = {row.title: row.draft for row in response.context["page_obj"].object_list}
    assert drafts == {
        "Gritting routes draft": True,
        "Gritting routes in review": True,
        "Gritting routes published": False,
    }
    assert response.content.decode().count(">Draft</strong>") == 2
    for row in response.context["page_obj"].object_list:  # the links open for them
        assert client.get(row.url).status_code == 200
    api = client.get(API, {"q": "gritting routes"}).json()
    assert sorted(row["draft"] for row in api["results"]) == [False, True, True]
    for user in (None, other_centre_staff, officer, institute_staff):
        client.logout()
        if user:
            client.force_login(user)
        assert _titles(client.get(PAGE, {"q": "gritting routes"})) == ["Gritting routes published"]
        assert [row["title"] for row in client.get(API, {"q": "gritting"}).json()["results"]] == [
            "Gritting routes published"
        ]


def test_a_component_not_yet_published_is_found_only_by_who_submitted_it(
    client, officer, other_officer, institute_staff
):
    ComponentFactory(
        name="Gritting rota planner", status="in_review", published_at=None, submitted_by=officer
    )
    ComponentFactory(
        name="Gritting rota tracker",
        status="changes_requested",
        published_at=None,
        submitted_by=other_officer,
    )
    client.force_login(officer)
    response = client.get(PAGE, {"q": "gritting rota"})
    rows = response.context["page_obj"].object_list
    assert [(row.title, row.draft) for row in rows] == [("Gritting rota planner", True)]
    assert client.get(rows[0].url).status_code == 200
    assert "Components (1)" in response.content.decode()
    for user in (None, institute_staff):
        client.logout()
        if user:
            client.force_login(user)
        assert _titles(client.get(PAGE, {"q": "gritting rota"})) == []


def test_a_mistyped_word_of_a_new_title_is_corrected_at_once(client):
    """The words searched for typing mistakes are kept by the database as titles are written."""
    problem = ProblemFactory(title="Zebrafish licences are renewed on paper")
    assert _titles(client.get(PAGE, {"q": "zebrafsh licenses"})) == [problem.title]
    problem.title = "Axolotl licences are renewed on paper"
    problem.save(update_fields=["title"])
    assert _titles(client.get(PAGE, {"q": "axolotel"})) == [problem.title]
    ComponentFactory(name="Quokka counter")
    CentreFactory(name="Wombat centre")
    assert set(_titles(client.get(PAGE, {"q": "quoka"}))) == {"Quokka counter"}
    assert set(_titles(client.get(PAGE, {"q": "wombatt"}))) == {"Wombat centre"}


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("bin colection", "Missed bin collections are reported by phone"),
        ("pot hole", "Pothole reports arrive in different formats"),
        ("housing repiars", "Housing repair requests are booked by e-mail"),
        ("damp mold", "Damp and mould reports are not tracked"),
    ],
)
def test_typing_mistakes_find_what_was_meant_and_only_that(client, q, found):
    for title in (
        "Missed bin collections are reported by phone",
        "Pothole reports arrive in different formats",
        "Housing repair requests are booked by e-mail",
        "Damp and mould reports are not tracked",
        "Moles dig up the playing fields",
    ):
        ProblemFactory(title=title)
    assert _titles(client.get(PAGE, {"q": q})) == [found]


def test_words_spelt_right_that_match_nothing_find_nothing(client):
    ProblemFactory(title="Missed bin collections are reported by phone")
    assert _titles(client.get(PAGE, {"q": "bin housing"})) == []
