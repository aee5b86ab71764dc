"""The e-mails allauth sends (confirm an address, reset a password, account notices) are
written in the service's words, GOV.UK style: no "Hello from …!", no Title Case subjects."""

import re
from datetime import datetime
from pathlib import Path

import allauth
import pytest
from django.contrib.sites.models import Site
from django.template.loader import render_to_string

ALLAUTH_EMAILS = Path(allauth.__file__).parent / "templates" / "account" / "email"
OURS = Path(__file__).resolve().parents[2] / "templates" / "account" / "email"
BOILERPLATE = ["Hello from", "Thank you for using", "You're receiving", "Please ", "mail"]
CONTEXT = {
    "email": "ada@leeds.gov.uk",
    "code": "ABC123",
    "activate_url": "https://institute.test/account/confirm-email/key/",
    "password_reset_url": "https://institute.test/account/password/reset/key/1-x/",
    "signup_url": "https://institute.test/account/signup/",
    "site_url": "https://institute.test",
    "from_email": "old@leeds.gov.uk",
    "to_email": "new@leeds.gov.uk",
    "deleted_email": "old@leeds.gov.uk",
    "ip": "192.0.2.1",
    "user_agent": "Firefox",
    "timestamp": datetime(2026, 12, 3, 15, 32),
}
NAMES = sorted(path.name for path in ALLAUTH_EMAILS.glob("*.txt"))


def test_every_account_email_allauth_ships_has_the_services_own_wording():
    assert NAMES, "allauth's e-mail templates moved"
    assert [name for name in NAMES if not (OURS / name).exists()] == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in NAMES if not n.startswith("base_")])
def test_account_email_is_plain_english_in_sentence_case(name):
    text = render_to_string(
        f"account/email/{name}", {**CONTEXT, "current_site": Site.objects.get_current()}
    ).strip()
    for phrase in BOILERPLATE:
        assert phrase not in text.replace("email", "").replace("e-mail", ""), (name, phrase)
    if name.endswith("_subject.txt"):
        # Sentence case: no capital after the first word.
        assert not re.search(r" [A-Z]", text), text
    else:
        assert text.endswith("https://institute.test"), name  # the footer names the site
    if "base_notification" in (OURS / name).read_text():
        assert "on 3 December 2026, 3:32pm" in text
