"""The production settings without Docker (`make prodcheck`; also part of `make test`).

gunicorn with DEBUG off and an https SITE_URL, reached as a TLS-terminating proxy reaches it
(the public Host, X-Forwarded-Proto: https), sending mail to a real SMTP server (aiosmtpd). The
first staff member is created with the command, sets a password from its one-time link, signs in
and gives Leeds its e-mail domain in the service. A new officer signs up with an address at that
domain, reads the confirmation e-mail from the SMTP server, follows its link, signs in and is an
officer of Leeds."""

import re
import subprocess
import sys

import pytest

from institute.models import Membership, Role
from tests.factories import totp_code
from tests.mail_servers import SmtpServer
from tests.production.servers import ROOT, Browser, production_env, start_gunicorn, stop

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

HOST = "institute.test"
SITE_URL = f"https://{HOST}"
PASSWORD = "a-long-and-unusual-passphrase-42"


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server.inbox, server.port


@pytest.fixture
def platform(smtp, tmp_path):
    _, smtp_port = smtp
    env = production_env(
        SITE_URL=SITE_URL,
        ALLOWED_HOSTS=HOST,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        DEFAULT_FROM_EMAIL=f"no-reply@{HOST}",
        LOG_FORMAT="json",
    )
    env.pop("EMAIL_BACKEND", None)  # SMTP, as in production
    # A release: migrate (the Sites row follows SITE_URL), then start the web processes.
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    web, port = start_gunicorn(env, tmp_path / "web.log")
    try:
        yield env, port
    finally:
        stop(web)
        print((tmp_path / "web.log").read_text()[-4000:])


def _browser(port: int) -> Browser:
    return Browser(port, host=HOST, headers={"X-Forwarded-Proto": "https"}, origin=SITE_URL)


def _hosts(text: str) -> set[str]:
    return set(re.findall(r"https?://([^/\s\"'<>]+)", text))


def test_first_staff_gives_a_council_its_domain_and_a_new_officer_joins_it_by_email(platform, smtp):
    env, port = platform
    inbox, _ = smtp

    # Plain http, as a client that skipped the proxy's redirect would: sent to https.
    plain = Browser(port, host=HOST).get("/problems/")
    assert (plain.status, plain.location) == (301, f"{SITE_URL}/problems/")
    home = _browser(port).get("/")
    assert home.status == 200
    assert home.headers["strict-transport-security"].startswith("max-age=31536000")

    # The first member of staff: the command prints a one-time link on SITE_URL.
    created = subprocess.run(
        [sys.executable, "manage.py", "create_first_staff", "grace@institute.test"]
        + ["--name", "Grace Hopper"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    link = re.search(rf"{re.escape(SITE_URL)}(/account/password/reset/key/\S+)", created.stdout)
    assert link, created.stdout
    staff = _browser(port)
    form, form_path = staff.follow(staff.get(link.group(1)))
    assert form.status == 200 and "set-password" in form_path
    done = staff.submit(form_path, {"password1": PASSWORD, "password2": PASSWORD})
    assert done.status == 302
    signed_in = staff.sign_in("grace@institute.test", PASSWORD)
    assert "secure" in signed_in.headers["set-cookie"].lower()

    # Staff must set up two-factor authentication before anything else: the password again,
    # then the code from an authenticator app given the page's secret.
    held = staff.get("/organisations/leeds/email-domains/")
    assert held.status == 302 and held.location.endswith("/account/2fa/totp/activate/")
    assert staff.submit("/account/reauthenticate/", {"password": PASSWORD}).status == 302
    setup = staff.get("/account/2fa/totp/activate/")
    secret = re.search(r'id="authenticator-secret">([A-Z2-7]+)<', setup.body).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', setup.body).group(1)
    activated = staff.request(
        "POST",
        "/account/2fa/totp/activate/",
        {"code": totp_code(secret), "csrfmiddlewaretoken": token},
    )
    assert activated.status == 302, activated.body[-1500:]

    # Staff give Leeds its real domain through the service.
    added = staff.submit("/organisations/leeds/email-domains/", {"domain": "leeds.gov.uk"})
    assert added.status == 302, added.body[-1500:]

    # A new officer signs up; the confirmation comes through SMTP with a link on SITE_URL.
    officer = _browser(port)
    signup = officer.submit(
        "/account/signup/",
        {
            "full_name": "Ada Lovelace",
            "email": "ada.lovelace@leeds.gov.uk",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert signup.status == 302, signup.body[-1500:]
    message = inbox.wait_for("ada.lovelace@leeds.gov.uk")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert message["Subject"].startswith("[Local Digital Institute]")
    assert message["Subject"] == "[Local Digital Institute] Confirm your email address"
    assert "create an account on Local Digital Institute" in text
    assert _hosts(text) == {HOST} and "example.com" not in text
    confirm = re.search(rf"{re.escape(SITE_URL)}(/account/confirm-email/\S+)", text).group(1)

    page = officer.get(confirm)
    assert page.status == 200 and "ada.lovelace@leeds.gov.uk" in page.body
    assert officer.submit(confirm, {}).status == 302

    newcomer = _browser(port)
    newcomer.sign_in("ada.lovelace@leeds.gov.uk", PASSWORD)
    account = newcomer.get("/account/")
    assert account.status == 200 and "Leeds" in account.body
    membership = Membership.objects.select_related("organisation").get(
        user__email="ada.lovelace@leeds.gov.uk"
    )
    assert (membership.organisation.slug, membership.role) == ("leeds", Role.OFFICER)
