"""The components pages: browse, component page, submit, review, adoption, exports, sections."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from components import selectors, services
from components.models import STALE_AFTER, Adoption, Component
from institute.models import Organisation, ServiceArea
from tests.components.conftest import component_fields
from tests.components.factories import AdoptionFactory, ComponentFactory
from tests.factories import ProblemFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST = reverse("components:component_list")
SUBMIT = reverse("components:component_submit")
ALL_ROLES = [
    "anonymous",
    "no_membership_user",
    "officer",
    "other_officer",
    "centre_staff",
    "institute_staff",
    "sector_viewer",
]


def _client(client, request, role):
    user = request.getfixturevalue(role)
    if user.is_authenticated:
        client.force_login(user)
    return client


def _form(**overrides):
    data = {k: v for k, v in component_fields().items() if k not in {"service_areas", "maintainer"}}
    data.update({"service_areas": ["customer-services"], "maintainer": ""})
    data.update(overrides)
    return data


# --- Browse ----------------------------------------------------------------------------------


def test_catalogue_lists_published_components_only_sorted_by_councils_using(client, author):
    ComponentFactory(name="Few users", using_count=1, adopting_count=1, submitted_by=author)
    ComponentFactory(name="Many users", using_count=9, adopting_count=9, submitted_by=author)
    ComponentFactory(name="Hidden draft", status="in_review", submitted_by=author)
    names = [c.name for c in client.get(LIST).context["page_obj"]]
    assert names == ["Many users", "Few users"]
    by_name = client.get(LIST, {"sort": "name"}).context["page_obj"]
    assert [c.name for c in by_name] == ["Few users", "Many users"]


def test_catalogue_filters_and_search(client, author):
    from institute.models import ServiceArea

    waste = ServiceArea.objects.get(slug="waste-and-recycling")
    ComponentFactory(
        name="Bin collection day API", kind="api", service_areas=[waste], submitted_by=author
    )
    ComponentFactory(
        name="Booking pattern",
        kind="pattern",
        licence="LicenseRef-proprietary",
        licence_open=False,
        cost_model="paid",
        hosting="hosted",
        theme="data",
        maturity="beta",
        submitted_by=author,
    )

    def names(**query):
        return [c.name for c in client.get(LIST, query).context["page_obj"]]

    assert names(kind="api") == ["Bin collection day API"]
    assert names(service_area="waste-and-recycling") == ["Bin collection day API"]
    assert names(open_licence="no") == ["Booking pattern"]
    assert names(licence="MIT") == ["Bin collection day API"]
    assert names(cost_model="paid", hosting="hosted", theme="data", maturity="beta") == [
        "Booking pattern"
    ]
    assert names(q="bins") == ["Bin collection day API"]


def test_catalogue_ignores_bad_filters(client, component):
    response = client.get(
        LIST, {"kind": "<script>", "sort": "drop table", "page": "-1", "open_licence": "maybe"}
    )
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 1
    assert "Select a valid choice" not in response.content.decode()


def test_htmx_filter_returns_only_results(client, component):
    response = client.get(LIST, {"kind": "api"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"') and "<html" not in html
    assert component.name in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("count", [1, 50])
def test_catalogue_query_count_is_fixed(client, officer, author, django_assert_num_queries, count):
    areas = [ServiceArea.objects.get(slug=s) for s in ("housing", "customer-services")]
    for n in range(count):
        ComponentFactory(name=f"Component {n}", submitted_by=author, service_areas=areas)
    client.force_login(officer)
    # user (with membership), service area and licence choices, count, page (the rows' service
    # areas are the ids beside each row; the session comes from the cache: cached_db).
    with django_assert_num_queries(5):
        response = client.get(LIST)
    assert len(response.context["page_obj"]) == min(count, 25)
    # Every row names its areas, in the order of their names.
    assert response.content.decode().count("Customer services · Housing") == min(count, 25)


def test_the_catalogue_follows_a_change_of_a_components_service_areas(client, author):
    """The ids beside each row are kept by the database, however the areas are written: the
    filter, the rows' names, the API and the CSV all follow an edit."""
    housing, waste, customer = (
        ServiceArea.objects.get(slug=s)
        for s in ("housing", "waste-and-recycling", "customer-services")
    )
    moving = ComponentFactory(name="Moves area", service_areas=[housing], submitted_by=author)
    ComponentFactory(name="Stays in housing", service_areas=[housing], submitted_by=author)

    def names(area):
        return [c.name for c in client.get(LIST, {"service_area": area}).context["page_obj"]]

    assert names("waste-and-recycling") == []
    moving.service_areas.set([waste, customer])
    assert Component.objects.get(pk=moving.pk).service_area_ids == sorted([waste.pk, customer.pk])
    assert names("waste-and-recycling") == ["Moves area"]
    assert names("housing") == ["Stays in housing"]
    page = client.get(LIST, {"q": "Moves"}).content.decode()
    assert "Customer services · Waste and recycling" in page
    api = client.get("/api/v1/components/", {"service_area": "customer-services"}).json()
    assert [row["service_areas"] for row in api["results"]] == [
        ["customer-services", "waste-and-recycling"]
    ]
    export = client.get(reverse("components:component_export"), {"q": "Moves"})
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0]["service_areas"] == "Customer services; Waste and recycling"

    moving.service_areas.clear()
    assert Component.objects.get(pk=moving.pk).service_area_ids == []
    assert names("waste-and-recycling") == []
    # An area unknown to the selector (the form refuses it first) matches nothing, not all.
    unknown = selectors.component_list(selectors.ComponentFilters(service_area="no-such-area"))
    assert list(unknown) == []


def test_catalogue_csv_is_filter_aware(client, author):
    ComponentFactory(
        name="An API", kind="api", using_count=3, adopting_count=4, submitted_by=author
    )
    ComponentFactory(name="A pattern", kind="pattern", submitted_by=author)
    response = client.get(reverse("components:component_export"), {"kind": "api"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["id", "name", "summary"]
    assert [r[1] for r in rows[1:]] == ["An API"]
    assert rows[1][14:16] == ["3", "4"]


def test_adoption_csv_lists_published_components_with_staleness(client, component, leeds, author):
    AdoptionFactory(component=component, organisation=leeds)
    hidden = ComponentFactory(status="in_review", submitted_by=author)
    AdoptionFactory(
        component=hidden,
        organisation=leeds,
        confirmed_at=timezone.now() - STALE_AFTER,
    )
    response = client.get(reverse("components:adoption_export"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2
    assert rows[1][1:3] == [component.name, "Leeds"] and rows[1][9] == "no"


# --- Component page ------------------------------------------------------------------------


def test_component_page_shows_adoption_summary_and_councils_like_mine(
    client, component, other_officer, author
):
    leeds = Organisation.objects.get(slug="leeds")  # metropolitan borough, Yorkshire
    bradford = Organisation.objects.get(slug="bradford")
    camden = Organisation.objects.get(slug="camden")
    AdoptionFactory(component=component, organisation=leeds, show_as_contact=True, contact=author)
    AdoptionFactory(component=component, organisation=bradford, stage="piloting")
    AdoptionFactory(
        component=component,
        organisation=camden,
        confirmed_at=timezone.now() - STALE_AFTER - timedelta(days=1),
    )
    client.force_login(UserFactory())  # no membership: no "like mine", no contacts
    html = client.get(component.get_absolute_url()).content.decode()
    assert "2 councils adopting it: 1 piloting, 1 in use" in html
    assert "Not confirmed for 12 months" in html  # Camden's stale row
    assert "Yorkshire and The Humber" in html
    assert author.email not in html

    from institute.models import Role
    from tests.factories import MembershipFactory

    wakefield = MembershipFactory(
        organisation=Organisation.objects.get(slug="wakefield"), role=Role.OFFICER
    ).user
    client.force_login(wakefield)
    response = client.get(component.get_absolute_url())
    like_mine = [row.organisation.slug for row in response.context["summary"].like_mine]
    assert like_mine == ["bradford", "leeds"]
    assert author.email in response.content.decode()  # contacts for officers


@pytest.mark.parametrize("role", ALL_ROLES)
def test_contacts_are_for_officers_centre_and_institute_staff_only(
    client, request, component, leeds, author, role
):
    AdoptionFactory(component=component, organisation=leeds, show_as_contact=True, contact=author)
    html = _client(client, request, role).get(component.get_absolute_url()).content.decode()
    visible = role in {"officer", "other_officer", "centre_staff", "institute_staff"}
    assert (author.email in html) is visible


@pytest.mark.parametrize("count", [1, 50])
def test_component_page_query_count_is_fixed(
    client, officer, component, django_assert_num_queries, count
):
    councils = Organisation.objects.councils().exclude(slug="leeds").order_by("pk")[:count]
    for council in councils:
        AdoptionFactory(component=component, organisation=council)
    for _ in range(min(count, 5)):
        component.links.create(problem=ProblemFactory(submitted_by=component.submitted_by))
    client.force_login(officer)
    # user (with membership), component, problem links, adoptions, service areas, standards it
    # meets (one query however many), its harvest source, its latest reviewed change ("Updated
    # on … (maturity beta → live)", issue 19), the documents of its adoptions (shown to those
    # who may see them); the session comes from the cache (SESSION_ENGINE cached_db).
    with django_assert_num_queries(9):
        response = client.get(component.get_absolute_url())
    assert len(response.context["summary"].rows) == count


@pytest.mark.parametrize("role", ALL_ROLES)
def test_unpublished_component_is_404_except_for_submitter_and_staff(
    client, request, officer, role
):
    component = services.component_submit(actor=officer, **component_fields())
    response = _client(client, request, role).get(component.get_absolute_url())
    assert response.status_code == (200 if role in {"officer", "institute_staff"} else 404)


def test_retired_component_stays_readable_with_its_reason(client, component, institute_staff):
    services.component_retire(actor=institute_staff, component=component, reason="Superseded.")
    html = client.get(component.get_absolute_url()).content.decode()
    assert "This component is retired: Superseded." in html


def test_markdown_description_is_sanitised_on_the_page(client, officer, institute_staff):
    component = services.component_submit(
        actor=officer, **component_fields(description="Hi <img src=x onerror=alert(1)>")
    )
    services.component_publish(actor=institute_staff, component=component)
    html = client.get(component.get_absolute_url()).content.decode()
    assert "onerror" not in html


# --- Submit and review ---------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "centre_staff"])
def test_any_signed_in_user_submits_and_sees_a_confirmation(client, request, role):
    _client(client, request, role)
    response = client.post(SUBMIT, _form())
    component = Component.objects.get()
    assert response["Location"] == reverse(
        "components:component_submitted", args=[component.public_id]
    )
    assert "Component submitted" in client.get(response["Location"]).content.decode()
    assert component.status == "in_review"


def test_a_sector_viewer_is_read_only_and_is_offered_no_way_to_submit(client, sector_viewer):
    client.force_login(sector_viewer)
    assert "Submit a component" not in client.get(LIST).content.decode()
    for url in (SUBMIT, reverse("components:component_import")):
        refused = client.get(url)
        assert refused.status_code == 403, url
        assert "read-only access" in refused.content.decode()
    assert client.post(SUBMIT, _form()).status_code == 403
    assert not Component.objects.exists()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.post(SUBMIT, _form())
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert not Component.objects.exists()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"name": ""}, "Enter a name"),
        ({"kind": "gadget"}, "Choose a kind"),
        ({"licence": "MIT OR ("}, "SPDX identifier"),
        ({"source_url": "javascript:alert(1)"}, "starting with https://"),
        ({"service_areas": ["nowhere"]}, "Choose service areas from the list"),
        ({"maintainer": "99999999"}, "Choose the maintainer from the list"),
    ],
)
def test_bad_submission_shows_error_summary_and_creates_nothing(
    client, officer, overrides, message
):
    client.force_login(officer)
    response = client.post(SUBMIT, _form(**overrides))
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and message in html
    assert not Component.objects.exists()


def test_review_queue_and_decisions_are_staff_only(client, officer, other_officer, institute_staff):
    component = services.component_submit(actor=officer, **component_fields())
    url = reverse("components:component_review", args=[component.public_id])
    client.force_login(officer)
    assert client.get(reverse("components:review_queue")).status_code == 403
    assert client.post(url, {"decision": "publish"}).status_code == 403
    client.force_login(other_officer)
    assert client.post(url, {"decision": "publish"}).status_code == 404
    component.refresh_from_db()
    assert component.status == "in_review"

    client.force_login(institute_staff)
    assert component.name in client.get(reverse("components:review_queue")).content.decode()
    response = client.post(url, {"decision": "changes", "note": ""})
    assert "Say what needs to change" in response.content.decode()
    client.post(url, {"decision": "changes", "note": "Add a documentation link."})
    component.refresh_from_db()
    assert component.status == "changes_requested"
    client.force_login(officer)
    assert "Add a documentation link." in client.get(component.get_absolute_url()).content.decode()


def test_staff_edit_maturity_and_links_later(client, component, institute_staff, officer):
    url = reverse("components:component_edit", args=[component.public_id])
    client.force_login(officer)
    assert client.get(url).status_code == 403
    client.force_login(institute_staff)
    data = {**_form(), "name": component.name, "maturity": "retiring"}
    data["documentation_url"] = "https://example.org/docs"
    response = client.post(url, data, follow=True)
    assert "waits for review by another member of institute staff" in response.content.decode()
    # Published: the change to its maturity and links waits for a second member of staff.
    component.refresh_from_db()
    assert (component.maturity, component.documentation_url) == ("live", "")
    change = component.changes.get()
    assert change.proposed == {
        "maturity": "retiring",
        "source_url": "https://example.org/forms",
        "documentation_url": "https://example.org/docs",
    }


def test_link_problems_page(client, officer, institute_staff):
    component = services.component_submit(actor=officer, **component_fields())
    problem = ProblemFactory()
    url = reverse("components:component_problems", args=[component.public_id])
    client.force_login(officer)
    assert client.post(url, {"action": "link", "problem": "999999"}).status_code == 200
    assert not component.links.exists()
    client.post(url, {"action": "link", "problem": str(problem.pk)})
    assert component.links.filter(problem=problem).exists()
    client.post(url, {"action": "unlink", "problem": "abc"})
    assert component.links.count() == 1
    client.post(url, {"action": "unlink", "problem": str(problem.pk)})
    assert not component.links.exists()


def test_staff_mark_problem_solved_from_the_component(client, component, institute_staff):
    problem = ProblemFactory()
    client.force_login(institute_staff)
    url = reverse("components:component_solve", args=[component.public_id])
    response = client.post(url, {"problem": str(problem.pk), "note": "Live in 12 councils."})
    assert response["Location"] == problem.get_absolute_url()
    problem.refresh_from_db()
    assert problem.status == "solved"
    html = client.get(problem.get_absolute_url()).content.decode()
    assert "Solved by these components" in html and component.name in html


def test_problem_page_shows_only_published_components_to_the_public(client, officer):
    problem = ProblemFactory()
    draft = services.component_submit(actor=officer, **component_fields(name="Draft thing"))
    services.component_link_problem(actor=officer, component=draft, problem=problem)
    assert "Draft thing" not in client.get(problem.get_absolute_url()).content.decode()
    client.force_login(officer)
    assert "Draft thing" in client.get(problem.get_absolute_url()).content.decode()


# --- Adoption pages ------------------------------------------------------------------------


def _adoption_form(**overrides):
    return {
        "stage": "in_use",
        "since_0": "1",
        "since_1": "3",
        "since_2": "2025",
        "evidence_url": "https://leeds.example/forms",
        "evidence_note": "",
        "show_as_contact": "on",
        **overrides,
    }


def test_officer_records_adoption_and_it_shows_on_the_organisation_page(
    client, officer, component, leeds
):
    client.force_login(officer)
    url = reverse("components:adoption_record", args=[component.public_id])
    response = client.post(url, _adoption_form())
    assert response.status_code == 302
    adoption = Adoption.objects.get()
    assert adoption.organisation == leeds and adoption.show_as_contact
    assert str(adoption.since) == "2025-03-01"
    html = client.get(leeds.get_absolute_url()).content.decode()
    assert component.name in html and "In use" in html


@pytest.mark.parametrize(
    "role", ["anonymous", "no_membership_user", "centre_staff", "institute_staff", "sector_viewer"]
)
def test_only_council_officers_reach_the_adoption_page(client, request, component, role):
    _client(client, request, role)
    url = reverse("components:adoption_record", args=[component.public_id])
    response = client.post(url, _adoption_form())
    assert response.status_code == (302 if role == "anonymous" else 403)
    if role == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    assert not Adoption.objects.exists()


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"stage": ""}, "Choose a stage"),
        ({"since_0": "31", "since_1": "2", "since_2": "2025"}, "Enter a real date"),
        ({"since_0": "", "since_1": "", "since_2": ""}, "Enter the date"),
        ({"since_2": str(timezone.localdate().year + 1)}, "today or in the past"),
        ({"evidence_url": "", "evidence_note": ""}, "Give a link to evidence"),
    ],
)
def test_bad_adoption_shows_errors_and_changes_nothing(
    client, officer, component, overrides, message
):
    client.force_login(officer)
    response = client.post(
        reverse("components:adoption_record", args=[component.public_id]),
        _adoption_form(**overrides),
    )
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html and message in html
    assert not Adoption.objects.exists()


def test_reconfirm_is_one_button_for_the_councils_officers_only(
    client, officer, other_officer, component, leeds
):
    old = timezone.now() - timedelta(days=400)
    adoption = AdoptionFactory(component=component, organisation=leeds, confirmed_at=old)
    url = reverse("components:adoption_confirm", args=[adoption.pk])
    client.force_login(other_officer)
    assert client.post(url).status_code == 403
    adoption.refresh_from_db()
    assert adoption.confirmed_at == old
    client.force_login(officer)
    assert client.post(url).status_code == 302
    adoption.refresh_from_db()
    assert not adoption.is_stale()
    component.refresh_from_db()
    assert component.using_count == 1


def test_organisation_page_marks_stale_adoptions(client, component, leeds):
    AdoptionFactory(
        component=component, organisation=leeds, confirmed_at=timezone.now() - timedelta(400)
    )
    html = client.get(leeds.get_absolute_url()).content.decode()
    assert component.name in html and "Not confirmed for 12 months" in html


# --- publiccode.yml pages ------------------------------------------------------------------


def test_publiccode_download_only_for_published_components(client, officer, institute_staff):
    from pathlib import Path

    text = (Path(__file__).parent / "fixtures" / "bin-day-api.publiccode.yml").read_text()
    component = services.component_import_publiccode(actor=officer, text=text)
    services.component_publish(actor=institute_staff, component=component)
    response = client.get(reverse("components:component_publiccode", args=[component.public_id]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert b"publiccodeYmlVersion" in response.content
    draft = services.component_submit(actor=officer, **component_fields())
    client.force_login(officer)
    assert (
        client.get(reverse("components:component_publiccode", args=[draft.public_id])).status_code
        == 404
    )


def test_import_page_reports_every_problem_and_creates_nothing(client, officer, settings):
    from pathlib import Path

    client.force_login(officer)
    text = (Path(__file__).parent / "fixtures" / "missing-fields.publiccode.yml").read_text()
    response = client.post(reverse("components:component_import"), {"text": text})
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert "name: is missing" in html and "legal.license" in html
    assert not Component.objects.exists()


def test_import_by_upload_creates_a_submission(client, officer):
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(officer)
    data = (Path(__file__).parent / "fixtures" / "bin-day-api.publiccode.yml").read_bytes()
    upload = SimpleUploadedFile("publiccode.yml", data, content_type="application/yaml")
    response = client.post(reverse("components:component_import"), {"file": upload})
    component = Component.objects.get()
    assert response["Location"] == reverse(
        "components:component_submitted", args=[component.public_id]
    )
    assert component.status == "in_review" and component.kind == "api"


def test_import_rejects_files_over_100_kb(client, officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(officer)
    upload = SimpleUploadedFile("big.yml", b"name: x\n" + b"#" * 110_000)
    response = client.post(reverse("components:component_import"), {"file": upload})
    assert "100 KB or smaller" in response.content.decode()
    assert not Component.objects.exists()
