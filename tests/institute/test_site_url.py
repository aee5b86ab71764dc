"""One base URL: every e-mail the platform sends and every file it exports links to SITE_URL and to
no other host of ours, whatever host a request came in on; nothing says example.com."""

import re
from datetime import timedelta

import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.test import Client
from django.utils import timezone

from components import services as component_services
from components.models import STALE_AFTER, Adoption
from institute import digests, outbox
from institute.models import Cadence, Membership, NotificationPreference, Organisation, Role
from institute.sector import opendata
from institute.services import notify, site_update_from_settings
from standards import services as standards_services
from standards.models import Assessment
from tests.components.factories import AdoptionFactory, ComponentFactory
from tests.factories import ProblemFactory, UserFactory
from tests.standards.factories import published_standard, submitted_assessment

pytestmark = pytest.mark.django_db

SITE_URL = "https://platform.institute.test:8443"
SITE_HOST = "platform.institute.test:8443"
# The host a request arrives on behind a proxy, or `make run` on another port: never in a link.
REQUEST_HOST = "internal-web:8001"
# Links to other services that the content names on purpose (open data's licence).
OTHER_SERVICES = {"www.nationalarchives.gov.uk"}
PASSWORD = "a-long-and-unusual-passphrase-42"


@pytest.fixture
def site(settings, tmp_path):
    settings.SITE_URL = SITE_URL
    settings.ALLOWED_HOSTS = ["internal-web"]
    settings.STORAGES = {
        **settings.STORAGES,
        "generated": {**settings.STORAGES["generated"], "OPTIONS": {"location": tmp_path}},
    }
    site_update_from_settings()


def _client() -> Client:
    return Client(HTTP_HOST=REQUEST_HOST)


def _hosts(text: str) -> set[str]:
    return set(re.findall(r"https?://([^/\s\"'<>)]+)", text))


def _texts(message) -> list[str]:
    parts = [message.subject, message.body]
    parts += [content for content, _ in getattr(message, "alternatives", [])]
    parts += [str(value) for value in message.extra_headers.values()]
    return parts


def _everything_emailed() -> dict[str, str]:
    """Every kind of e-mail, caused the way people cause them: {what: its text}."""
    sent = {}

    def collect(name):
        assert mail.outbox, f"{name}: nothing was sent"
        sent[name] = "\n".join(text for m in mail.outbox for text in _texts(m))
        mail.outbox.clear()

    client = _client()
    data = {"full_name": "Ada Lovelace", "password1": PASSWORD, "password2": PASSWORD}
    client.post("/account/signup/", {**data, "email": "ada@leeds.example.test"})
    collect("sign-up: confirm your address")
    UserFactory(email="grace@leeds.example.test")  # with a verified address
    client.post("/account/signup/", {**data, "email": "grace@leeds.example.test"})
    collect("sign-up with an address that has an account")
    client.post("/account/password/reset/", {"email": "ada@leeds.example.test"})
    collect("password reset")
    client.post("/account/password/reset/", {"email": "nobody@leeds.example.test"})
    collect("password reset for an unknown address")

    officer = UserFactory(email="officer@leeds.example.test")
    leeds = Organisation.objects.get(slug="leeds")
    Membership.objects.create(user=officer, organisation=leeds, role=Role.OFFICER)
    problem = ProblemFactory()
    NotificationPreference.objects.create(
        user=officer, kind="problem_status", cadence=Cadence.IMMEDIATELY
    )
    notify(
        recipient_ids=[officer.pk],
        kind="problem_status",
        key="k1",
        title="Now triaged",
        url=problem.get_absolute_url(),
    )
    outbox.send_due()
    collect("a notification, at once")
    notify(
        recipient_ids=[officer.pk],
        kind="problem_comment",
        key="k2",
        title="A comment",
        url=problem.get_absolute_url(),
    )
    (chunk,) = digests.digest_chunks(cadence=Cadence.DAILY)
    digests.digests_queue_chunk(user_ids=chunk, cadence=Cadence.DAILY)
    outbox.send_due()
    collect("the daily digest")

    staff = UserFactory(email="staff@institute.example.test")
    Membership.objects.create(
        user=staff,
        organisation=Organisation.objects.get(kind="institute"),
        role=Role.INSTITUTE_STAFF,
    )
    standard = published_standard(staff)
    assessment = submitted_assessment(officer, standard)
    Assessment.objects.filter(pk=assessment.pk).update(
        valid_until=timezone.localdate() + timedelta(days=10)
    )
    standards_services.reminders_send()
    outbox.send_due()
    collect("a standards reminder")

    adoption = AdoptionFactory(
        component=ComponentFactory(source_url="", documentation_url=""),
        organisation=leeds,
    )
    Adoption.objects.filter(pk=adoption.pk).update(
        confirmed_at=timezone.now() - STALE_AFTER + timedelta(days=10)
    )
    component_services.adoption_remind(adoption_id=adoption.pk)
    outbox.send_due()
    collect("an adoption reminder")
    return sent


def test_every_email_links_only_to_site_url_and_names_the_service(site):
    sent = _everything_emailed()

    for name, text in sent.items():
        assert _hosts(text) <= {SITE_HOST}, name
        assert "example.com" not in text, name
        assert REQUEST_HOST not in text and ":8000" not in text, name
    assert "create an account on Local Digital Institute" in sent["sign-up: confirm your address"]
    for name in ["sign-up: confirm your address", "password reset", "a notification, at once"]:
        assert _hosts(sent[name]) == {SITE_HOST}, f"{name} has no link to the site"


def _download(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode()


def test_every_export_links_only_to_site_url(site, institute_staff):
    component = ComponentFactory(source_url="", documentation_url="")
    AdoptionFactory(component=component, organisation=institute_staff.membership.organisation)
    ProblemFactory()
    opendata.open_data_publish()
    client = _client()
    client.force_login(institute_staff)

    exports = {
        url: _download(client, url)
        for url in [
            "/problems/export.csv",
            "/components/export.csv",
            "/components/adoptions.csv",
            *(f"/data/{name}.{fmt}" for name in opendata.DATASETS for fmt in opendata.FORMATS),
        ]
    }

    for url, text in exports.items():
        assert _hosts(text) <= {SITE_HOST} | OTHER_SERVICES, url
        assert "example.com" not in text and REQUEST_HOST not in text, url
    page = f"{SITE_URL}/components/{component.public_id}/"
    assert page in exports["/components/export.csv"]
    # With no source repository a publiccode.yml is refused (its `url` must be the repository),
    # never written with a made-up or page address.
    refused = client.get(f"/components/{component.public_id}/publiccode.yml")
    assert refused.status_code == 409
    assert "url: the component has no source code repository" in refused.content.decode()
    assert _hosts(refused.content.decode()) <= {SITE_HOST} | OTHER_SERVICES
    assert f"{SITE_URL}/problems/" in exports["/problems/export.csv"]


def test_the_sites_row_follows_site_url_and_the_service_name(site):
    site = Site.objects.get_current()
    assert (site.domain, site.name) == (SITE_HOST, "Local Digital Institute")
