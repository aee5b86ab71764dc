"""Institute staff give councils their e-mail domains in the service (one at a time or from a CSV
file of GSS codes and domains), with an audit trail; a domain belongs to one organisation."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from institute import services
from institute.errors import DomainError
from institute.models import AuditEvent, EmailDomain
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("institute:email_domains_import")


def _domains_url(organisation):
    return reverse("institute:organisation_domains", args=[organisation.slug])


def _domains_of(organisation) -> list[str]:
    return list(organisation.email_domains.values_list("domain", flat=True))


@pytest.fixture
def staff_client(client, institute_staff):
    client.force_login(institute_staff)
    return client


def test_staff_add_a_domain_from_the_councils_page_and_see_who_did(
    staff_client, leeds, institute_staff
):
    page = staff_client.get(leeds.get_absolute_url()).content.decode()
    assert _domains_url(leeds) in page  # "Manage" e-mail domains

    response = staff_client.post(_domains_url(leeds), {"domain": " @Leeds.GOV.uk "})

    assert response.status_code == 302
    assert _domains_of(leeds) == ["leeds.gov.uk"]
    page = staff_client.get(_domains_url(leeds)).content.decode()
    assert "leeds.gov.uk was added to Leeds" in page
    assert "Added leeds.gov.uk" in page and institute_staff.email in page
    event = AuditEvent.objects.get(verb="email_domain.added")
    assert (event.actor, event.target_id, event.data["domain"]) == (
        institute_staff,
        str(leeds.pk),
        "leeds.gov.uk",
    )


def test_a_domain_of_another_council_is_refused_with_its_name(staff_client, leeds, bristol):
    services.email_domain_add(actor=None, organisation=leeds, domain="leeds.gov.uk")

    response = staff_client.post(_domains_url(bristol), {"domain": "LEEDS.gov.uk"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "leeds.gov.uk already belongs to Leeds. Remove it there first." in html
    assert "govuk-error-summary" in html
    assert _domains_of(bristol) == []


def test_the_database_refuses_a_second_organisation_for_a_domain(leeds, bristol):
    EmailDomain.objects.create(organisation=leeds, domain="leeds.gov.uk")
    with pytest.raises(IntegrityError), transaction.atomic():
        EmailDomain.objects.create(organisation=bristol, domain="leeds.gov.uk")
    with pytest.raises(IntegrityError), transaction.atomic():
        EmailDomain.objects.create(organisation=bristol, domain="Bristol.gov.uk")  # not lower


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter an e-mail domain, like leeds.gov.uk"),
        ("officer@leeds.gov.uk", "Enter the domain only"),
        ("leeds", "Enter an e-mail domain like leeds.gov.uk"),
        ("leeds gov.uk", "Enter an e-mail domain like leeds.gov.uk"),
        ("https://leeds.gov.uk/", "Enter an e-mail domain like leeds.gov.uk"),
        ("a" * 250 + ".gov.uk", "Enter a domain of 253 characters or fewer"),
    ],
)
def test_a_mistyped_domain_gets_a_clear_message_and_changes_nothing(
    staff_client, leeds, typed, message
):
    response = staff_client.post(_domains_url(leeds), {"domain": typed})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not EmailDomain.objects.exists() and not AuditEvent.objects.exists()


def test_removing_asks_first_then_removes_and_records_it(staff_client, leeds, institute_staff):
    domain = services.email_domain_add(actor=None, organisation=leeds, domain="leeds.gov.uk")
    url = reverse("institute:organisation_domain_remove", args=[leeds.slug, domain.pk])

    confirm = staff_client.get(url)
    assert "Remove leeds.gov.uk?" in confirm.content.decode()
    assert _domains_of(leeds) == ["leeds.gov.uk"]

    assert staff_client.post(url).status_code == 302
    assert _domains_of(leeds) == []
    page = staff_client.get(_domains_url(leeds)).content.decode()
    assert "Removed leeds.gov.uk" in page and "Added leeds.gov.uk" in page
    assert staff_client.post(url).status_code == 404  # gone


def test_a_domain_is_removed_only_through_its_own_organisation(staff_client, leeds, bristol):
    domain = services.email_domain_add(actor=None, organisation=leeds, domain="leeds.gov.uk")
    url = reverse("institute:organisation_domain_remove", args=[bristol.slug, domain.pk])
    assert staff_client.post(url).status_code == 404
    assert _domains_of(leeds) == ["leeds.gov.uk"]


@pytest.mark.parametrize("role", ["officer", "centre_staff", "sector_viewer", "no_membership_user"])
def test_only_institute_staff_manage_domains(client, request, leeds, role):
    domain = services.email_domain_add(actor=None, organisation=leeds, domain="leeds.gov.uk")
    client.force_login(request.getfixturevalue(role))
    remove = reverse("institute:organisation_domain_remove", args=[leeds.slug, domain.pk])
    upload = SimpleUploadedFile("d.csv", b"E06000023,bristol.gov.uk\n")

    assert client.get(_domains_url(leeds)).status_code == 403
    assert client.post(_domains_url(leeds), {"domain": "x.gov.uk"}).status_code == 403
    assert client.post(remove).status_code == 403
    assert client.post(IMPORT, {"file": upload}).status_code == 403
    assert client.post(IMPORT, {"text": "E06000023,b.gov.uk", "confirm": "1"}).status_code == 403
    assert _domains_of(leeds) == ["leeds.gov.uk"] and EmailDomain.objects.count() == 1
    assert _domains_url(leeds) not in client.get(leeds.get_absolute_url()).content.decode()
    with pytest.raises(DomainError):
        services.email_domain_add(
            actor=request.getfixturevalue(role), organisation=leeds, domain="y.gov.uk"
        )


def test_visitors_are_asked_to_sign_in(client, leeds):
    response = client.get(_domains_url(leeds))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


CSV = b"""gss_code,domain
E08000035,leeds.gov.uk
E08000035,leedscc.gov.uk
E06000023, Bristol.gov.uk
"""


def test_import_shows_what_it_would_add_then_adds_it_all_on_confirmation(
    staff_client, leeds, bristol, institute_staff
):
    services.email_domain_add(actor=None, organisation=leeds, domain="leeds.gov.uk")

    check = staff_client.post(IMPORT, {"file": SimpleUploadedFile("domains.csv", CSV)})

    html = check.content.decode()
    assert "Check the domains to import" in html
    assert "Importing it adds 2 domains. The councils already have the other 1." in html
    assert "No change" in html and "To add" in html and "bristol.gov.uk" in html
    assert _domains_of(bristol) == []  # nothing yet
    text = check.context["text"]

    done = staff_client.post(IMPORT, {"text": text, "confirm": "1"}, follow=True)

    assert "2 e-mail domains added." in done.content.decode()
    assert _domains_of(leeds) == ["leeds.gov.uk", "leedscc.gov.uk"]
    assert _domains_of(bristol) == ["bristol.gov.uk"]
    sources = AuditEvent.objects.filter(actor=institute_staff, verb="email_domain.added")
    assert sorted(e.data["domain"] for e in sources if e.data["source"] == "csv") == [
        "bristol.gov.uk",
        "leedscc.gov.uk",
    ]


BROKEN = """E08000035,leeds.gov.uk
E0800003,short.gov.uk
E99999999,nowhere.gov.uk
E06000023,not a domain
E06000023,taken.gov.uk

E06000052,leeds.gov.uk
E06000052,cornwall.gov.uk,extra
"""


def test_an_import_with_wrong_lines_names_each_line_and_adds_nothing(staff_client, leeds):
    services.email_domain_add(actor=None, organisation=leeds, domain="taken.gov.uk")
    upload = SimpleUploadedFile("domains.csv", BROKEN.encode())

    response = staff_client.post(IMPORT, {"file": upload})

    html = response.content.decode()
    assert "The file has 6 problems" in html
    for expected in [
        "Line 2: &#x27;E0800003&#x27; is not a GSS code (like E08000035)",
        "Line 3: no current council has the GSS code E99999999",
        "Line 4: &#x27;not a domain&#x27;: enter an e-mail domain like leeds.gov.uk",
        "Line 5: taken.gov.uk already belongs to Leeds",
        "Line 7: leeds.gov.uk is also on line 1, for Leeds",
        "Line 8: expected 2 values, a GSS code and a domain, but found 3",
    ]:
        assert expected in html, expected
    assert _domains_of(leeds) == ["taken.gov.uk"]
    assert EmailDomain.objects.count() == 1


def test_a_confirmation_is_checked_again_so_an_altered_one_adds_nothing(staff_client, leeds):
    response = staff_client.post(IMPORT, {"text": BROKEN, "confirm": "1"})
    assert "Nothing was imported: the file has" in response.content.decode()
    assert not EmailDomain.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfeE\x000\x00", "The file must be a CSV file saved as UTF-8 text"),
        (b"", "The selected file is empty"),
        (b"gss_code,domain\n", "The file has no lines of GSS code and domain"),
        (b"E08000035,leeds.gov.uk\x00\n", "The file is not a CSV text file"),
    ],
)
def test_an_unreadable_file_gets_a_clear_message(staff_client, content, message):
    response = staff_client.post(IMPORT, {"file": SimpleUploadedFile("d.csv", content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not EmailDomain.objects.exists()


def test_the_domains_page_costs_the_same_whatever_the_history(
    staff_client, leeds, institute_staff, django_assert_num_queries
):
    def page_queries():
        # The user with their membership, the organisation, its domains, and the history's
        # count and page (with who made each change).
        with django_assert_num_queries(5) as captured:
            response = staff_client.get(_domains_url(leeds))
        assert response.status_code == 200
        return len(captured.captured_queries)

    services.email_domain_add(actor=institute_staff, organisation=leeds, domain="a.gov.uk")
    few = page_queries()
    for n in range(40):
        domain = services.email_domain_add(
            actor=institute_staff, organisation=leeds, domain=f"d{n}.gov.uk"
        )
        services.email_domain_remove(actor=institute_staff, email_domain=domain)
    assert page_queries() == few


def test_a_verified_address_at_a_domain_of_a_former_council_joins_nothing():
    former = OrganisationFactory(
        kind="council", council_type="district", valid_to=date(2020, 3, 31)
    )
    services.email_domain_add(actor=None, organisation=former, domain="former.gov.uk")
    user = UserFactory(email="someone@former.gov.uk")
    assert services.membership_join_by_email_domain(user=user) is None
