"""Harvesting publiccode.yml from repositories: a real git repository served by `git daemon`,
and a real HTTP server, both started by the tests on 127.0.0.1 (on the allow-list)."""

import contextlib
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from rest_framework.test import APIClient

from components import harvest, services, tasks
from components.models import Component, FetchResult, HarvestSource, SourceStatus
from institute.errors import DomainError, NotAllowed
from institute.models import Organisation

pytestmark = pytest.mark.django_db
EXAMPLES = Path(__file__).parent / "fixtures" / "publiccode"
FILE = (EXAMPLES / "valid" / "full-with-extension.yml").read_text()
INVALID = (EXAMPLES / "invalid" / "internal-without-contacts.yml").read_text()


@pytest.fixture(autouse=True)
def _local_servers_allowed(settings):
    settings.HARVEST_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.HARVEST_TIMEOUT = 10


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Repository:
    """A git repository made by the test, served by git daemon at `url`."""

    def __init__(self, path: Path, url: str):
        self.path, self.url = path, url
        self._git("init", "--quiet", "--initial-branch=main")

    def _git(self, *args):
        subprocess.run(
            ["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
            cwd=self.path,
            check=True,
            capture_output=True,
        )

    def commit(self, text: str, name: str = "publiccode.yml"):
        (self.path / name).write_text(text)
        self._git("add", "--all")
        self._git("commit", "--quiet", "-m", "Update publiccode.yml")


@pytest.fixture
def repository(tmp_path):
    base = tmp_path / "served"
    (base / "bin-day-api").mkdir(parents=True)
    port = _free_port()
    daemon = subprocess.Popen(
        ["git", "daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1"]
        + [f"--port={port}", f"--base-path={base}", str(base)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):  # until it listens
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    yield Repository(base / "bin-day-api", f"git://127.0.0.1:{port}/bin-day-api")
    daemon.terminate()
    daemon.wait(timeout=10)


class Server:
    """A local HTTP server: `routes` maps a path to (status, headers, body or a callable that
    writes the body); `requests` lists the paths asked for."""

    def __init__(self):
        self.routes, self.requests = {}, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                status, headers, body = server.routes.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if isinstance(body, bytes):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    body(self.wfile) if callable(body) else self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def server():
    server = Server()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def _check(source):
    return services.harvest_source_check(source_id=source.pk)


# --- From a git repository -----------------------------------------------------------------


def test_first_harvest_creates_a_component_in_review_and_a_change_is_proposed(
    repository, officer, institute_staff, client
):
    repository.commit(FILE)
    source = services.source_register(actor=officer, url=repository.url)
    assert source.kind == "repository"

    fetch = _check(source)
    source.refresh_from_db()
    assert fetch.result == FetchResult.CREATED
    component = source.component
    assert component.status == "in_review" and component.submitted_by == officer
    assert component.name == "Bin collection day API"
    assert component.publiccode_original == FILE
    assert component.events.get().data == {"source": "harvest"}

    assert _check(source).result == FetchResult.UNCHANGED  # same file: nothing to do

    services.component_publish(actor=institute_staff, component=component)
    changed = FILE.replace(
        'Answers "when is my bin collected?" for any address.',
        "Tells residents which day each bin is collected.",
    ).replace("  - it-development\n", "  - it-development\n  - data-collection\n")
    repository.commit(changed)
    fetch = _check(source)
    assert fetch.result == FetchResult.PROPOSED
    assert fetch.message == "Change proposed: fields summary"
    assert set(fetch.changed) == {"summary", "publiccode"}
    component.refresh_from_db()
    assert component.summary.startswith("Answers")  # nothing changes until staff decide

    client.force_login(institute_staff)
    page = client.get(reverse("components:source_proposals")).content.decode()
    assert "Tells residents which day each bin is collected." in page
    response = client.post(
        reverse("components:source_decide", args=[fetch.pk]), {"action": "apply"}
    )
    assert response.status_code == 302
    component.refresh_from_db()
    assert component.summary == "Tells residents which day each bin is collected."
    assert "data-collection" in component.publiccode["document"]["categories"]
    assert component.publiccode_original == changed
    fetch.refresh_from_db()
    assert (fetch.decision, fetch.decided_by) == ("applied", institute_staff)
    # Deciding twice is refused, clearly.
    with pytest.raises(DomainError, match="applied already"):
        services.source_proposal_dismiss(actor=institute_staff, fetch_id=fetch.pk)


def test_a_dismissed_change_is_not_proposed_again_until_the_file_changes(
    repository, officer, institute_staff
):
    repository.commit(FILE)
    source = services.source_register(actor=officer, url=repository.url)
    _check(source)
    repository.commit(FILE.replace("2.1.0", "2.2.0"))
    fetch = _check(source)
    assert fetch.message == "Change proposed: fields the publiccode.yml details"
    with pytest.raises(NotAllowed):
        services.source_proposal_apply(actor=officer, fetch_id=fetch.pk)
    services.source_proposal_dismiss(actor=institute_staff, fetch_id=fetch.pk)
    assert _check(source).result == FetchResult.UNCHANGED
    component = Component.objects.get()
    assert component.publiccode["document"]["softwareVersion"] == "2.1.0"


def test_an_invalid_file_records_the_error_changes_nothing_and_fails_after_three(
    repository, officer, institute_staff, client
):
    repository.commit(FILE)
    source = services.source_register(actor=officer, url=repository.url)
    _check(source)
    component = Component.objects.get()
    services.component_publish(actor=institute_staff, component=component)
    repository.commit(INVALID)

    for attempt in range(1, 4):
        fetch = _check(source)
        source.refresh_from_db()
        assert fetch.result == FetchResult.INVALID
        assert source.failures == attempt
    assert source.status == SourceStatus.FAILING
    assert "maintenance.contacts: is missing" in fetch.errors
    assert source.last_error.startswith("The publiccode.yml is not valid: releaseDate")
    component.refresh_from_db()
    assert component.name == "Bin collection day API" and component.summary.startswith("Answers")

    client.force_login(officer)  # its owner sees the last error
    page = client.get(source.get_absolute_url()).content.decode()
    assert "Failing: the last 3 checks did not work" in page
    assert "The publiccode.yml is not valid: releaseDate: must be a date" in page
    listing = client.get(reverse("components:component_list") + "?origin=failing")
    assert component.name in listing.content.decode()

    repository.commit(FILE)  # fixed: working again
    assert _check(source).result == FetchResult.UNCHANGED
    source.refresh_from_db()
    assert (source.status, source.failures, source.last_error) == ("working", 0, "")


def test_a_repository_without_the_file_is_an_error_for_its_owner(repository, officer):
    repository.commit("# nothing here\n", name="README.md")
    source = services.source_register(actor=officer, url=repository.url)
    fetch = _check(source)
    assert fetch.result == FetchResult.FAILED
    assert fetch.message == "The repository has no publiccode.yml at its top level"
    assert not Component.objects.exists()


def test_the_component_page_says_where_it_comes_from_and_when_it_was_checked(
    repository, officer, institute_staff, client
):
    repository.commit(FILE)
    source = services.source_register(actor=officer, url=repository.url)
    _check(source)
    component = Component.objects.get()
    services.component_publish(actor=institute_staff, component=component)
    html = client.get(component.get_absolute_url()).content.decode()  # a visitor
    source.refresh_from_db()
    checked = source.succeeded_at.strftime("%-d %B %Y")
    assert f'From publiccode.yml in <a class="govuk-link" href="{repository.url}"' in html
    assert f"checked {checked}" in html

    hand = services.component_submit(
        actor=officer,
        **{
            "name": "Hand-made thing",
            "summary": "Typed in",
            "description": "By hand",
            "kind": "software",
            "maturity": "beta",
            "cost_model": "free",
            "hosting": "hosted",
        },
    )
    services.component_publish(actor=institute_staff, component=hand)
    harvested = client.get("/components/?origin=harvested").content.decode()
    by_hand = client.get("/components/?origin=hand").content.decode()
    assert component.name in harvested and hand.name not in harvested
    assert hand.name in by_hand and component.name not in by_hand


# --- Over HTTP: raw files, slow and huge answers, private addresses ----------------------------


def test_a_raw_file_over_http_creates_a_component(server, officer):
    server.routes["/council/publiccode.yml"] = (200, {}, FILE.encode())
    source = services.source_register(actor=officer, url=f"{server.url}/council/publiccode.yml")
    assert source.kind == "file"
    assert _check(source).result == FetchResult.CREATED


def test_a_slow_answer_is_cut_off(server, officer, settings):
    settings.HARVEST_TIMEOUT = 1

    def trickle(out):
        for _ in range(100):
            out.write(b"#")
            out.flush()
            time.sleep(0.1)

    server.routes["/slow.yml"] = (200, {}, trickle)
    source = services.source_register(actor=officer, url=f"{server.url}/slow.yml")
    fetch = _check(source)
    assert (fetch.result, fetch.message) == ("failed", "The server took longer than 1 seconds")


def test_a_huge_answer_is_cut_off_at_100_kb(server, officer):
    def endless(out):
        for _ in range(400):  # 400 KB, with no Content-Length to believe
            out.write(b"#" * 1024)

    server.routes["/huge.yml"] = (200, {}, endless)
    server.routes["/declared.yml"] = (200, {}, b"#" * 150_000)
    for path in ("/huge.yml", "/declared.yml"):
        source = services.source_register(actor=officer, url=f"{server.url}{path}")
        assert _check(source).message == "The file is larger than 100 KB"


def test_a_private_address_not_on_the_allow_list_is_refused(server, officer, settings):
    settings.HARVEST_ALLOWED_HOSTS = []
    server.routes["/publiccode.yml"] = (200, {}, FILE.encode())
    source = services.source_register(actor=officer, url=f"{server.url}/publiccode.yml")
    fetch = _check(source)
    assert fetch.result == "failed"
    assert "127.0.0.1 is a private or local address" in fetch.message
    assert server.requests == []  # never connected


def test_a_redirect_to_a_private_address_is_refused(server, officer):
    target = "http://10.20.30.40/publiccode.yml"
    server.routes["/moved.yml"] = (302, {"Location": target}, b"")
    source = services.source_register(actor=officer, url=f"{server.url}/moved.yml")
    fetch = _check(source)
    assert fetch.result == "failed"
    assert fetch.message.startswith("10.20.30.40 is a private or local address")


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "ssh://git@example.org/repo.git", "ext::sh -c touch% /tmp/x", "x"],
)
def test_only_http_https_and_git_addresses_are_registered(officer, url):
    with pytest.raises(DomainError, match="starting with https://, http:// or git://"):
        services.source_register(actor=officer, url=url)
    assert not HarvestSource.objects.exists()


def test_the_fetcher_refuses_other_schemes_itself():
    with pytest.raises(harvest.FetchError, match="Only addresses starting with"):
        harvest.git_get("file:///etc")
    with pytest.raises(harvest.FetchError, match="Only addresses starting with"):
        harvest.http_get("git://127.0.0.1/x")


# --- Organisations' lists, the schedule, the pages and the API ---------------------------------


def test_staff_register_an_organisations_list_and_each_repository_becomes_a_source(
    server, officer, institute_staff
):
    listing = "\n".join(
        [
            "# Example Council's repositories",
            f"{server.url}/a/publiccode.yml",
            f"- {server.url}/b/publiccode.yml",
            "https://github.com/example-council/bins",
            "not an address",
            "",
        ]
    )
    server.routes["/repositories.txt"] = (200, {}, listing.encode())
    leeds = Organisation.objects.get(slug="leeds")
    with pytest.raises(NotAllowed):
        services.source_register(actor=officer, url=f"{server.url}/list.txt", listing=True)
    source = services.source_register(
        actor=institute_staff,
        url=f"{server.url}/repositories.txt",
        listing=True,
        organisation=leeds,
    )
    fetch = _check(source)
    assert fetch.result == FetchResult.LISTED
    assert fetch.message == (
        "3 repositories listed, 3 new; 1 lines are not addresses (first: not an address)"
    )
    children = HarvestSource.objects.filter(listing=source).order_by("url")
    assert [c.kind for c in children] == ["file", "file", "repository"]
    assert {c.organisation for c in children} == {leeds}
    assert _check(source).message.startswith("3 repositories listed, 0 new")


def test_the_daily_job_is_scheduled_and_checks_a_source(server, officer):
    schedule = django_settings.CELERY_BEAT_SCHEDULE["components-harvest-publiccode"]
    assert schedule["task"] == "components.tasks.harvest_sources_check"
    assert tasks.harvest_sources_check.name == schedule["task"]
    server.routes["/publiccode.yml"] = (200, {}, FILE.encode())
    source = services.source_register(actor=officer, url=f"{server.url}/publiccode.yml")
    assert services.harvest_sources_due() == [source.pk]
    assert tasks.harvest_source_check(source.pk) == "created"


def test_sources_are_seen_by_their_owner_and_staff_only(server, officer, other_officer, client):
    source = services.source_register(actor=officer, url=f"{server.url}/publiccode.yml")
    client.force_login(other_officer)
    assert client.get(source.get_absolute_url()).status_code == 404
    assert source.url not in client.get(reverse("components:source_list")).content.decode()
    client.force_login(officer)
    assert source.url in client.get(reverse("components:source_list")).content.decode()
    assert client.get(reverse("components:source_proposals")).status_code == 403


def test_registering_from_the_page(client, officer, server):
    client.force_login(officer)
    page = client.get(reverse("components:source_register")).content.decode()
    assert "list of repositories" not in page  # staff only
    response = client.post(reverse("components:source_register"), {"url": "file:///etc/passwd"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    url = f"{server.url}/publiccode.yml"
    response = client.post(reverse("components:source_register"), {"url": url})
    source = HarvestSource.objects.get()
    assert response["Location"] == source.get_absolute_url()
    response = client.post(reverse("components:source_register"), {"url": url})
    assert "This address is registered already" in response.content.decode()


def test_the_api_lists_creates_and_shows_sources_with_their_history(server, officer):
    api = APIClient()
    api.force_authenticate(officer)
    server.routes["/publiccode.yml"] = (200, {}, FILE.encode())
    response = api.post("/api/v1/sources/", {"url": f"{server.url}/publiccode.yml"}, format="json")
    assert response.status_code == 201, response.content
    source_id = response.json()["id"]
    _check(HarvestSource.objects.get(pk=source_id))
    detail = api.get(f"/api/v1/sources/{source_id}/").json()
    assert detail["fetches"][0]["result"] == "created"
    assert detail["component"] == str(Component.objects.get().public_id)
    assert api.get("/api/v1/sources/").json()["results"][0]["id"] == source_id
    refused = api.post("/api/v1/sources/", {"url": "file:///etc/passwd"}, format="json")
    assert refused.status_code == 400
    listing = api.post("/api/v1/sources/", {"url": f"{server.url}/l", "listing": True})
    assert listing.status_code == 403
    assert APIClient().get(f"/api/v1/sources/{source_id}/").status_code in (401, 403, 404)
