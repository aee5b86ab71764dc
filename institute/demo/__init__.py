"""Demo people for each role at real councils (people.yaml). Used by `manage.py seed_demo`;
idempotent. Also what the other apps' demo loaders share: the password, and unwrap_markdown.
"""

from pathlib import Path
from typing import NamedTuple

import yaml
from allauth.account.models import EmailAddress
from django.db import transaction

from institute.models import Membership, Organisation, Role, User
from institute.services import email_domains_add

# Development only: printed by `make run`. Never used outside a local database.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105

# The demo content: people, and the sign-ins that `make run` prints.
CONTENT = yaml.safe_load(Path(__file__).with_name("people.yaml").read_text(encoding="utf-8"))


class DemoPerson(NamedTuple):
    email: str
    full_name: str
    organisation: str  # slug
    role: str  # a Role
    email_domain: str  # joins the organisation on sign-up


DEMO_PEOPLE = [DemoPerson(**person) for person in CONTENT["people"]]
SUPERUSER_EMAIL = CONTENT["superuser"]["email"]
# (role, e-mail): one per role, printed by `make run`.
SIGN_INS = list(CONTENT["sign_ins"].items())


def unwrap_markdown(text: str) -> str:
    """Markdown as the YAML files write it, with each paragraph's lines joined (a list keeps
    its lines): the text is stored as if typed into a form."""
    blocks = text.strip().split("\n\n")
    out = []
    for block in blocks:
        lines = [line.strip() for line in block.splitlines()]
        if any(line.startswith(("- ", "1. ")) for line in lines):
            out.append("\n".join(lines))
        else:
            out.append(" ".join(lines))
    return "\n\n".join(out)


def _person(email: str, full_name: str, *, superuser: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        if superuser:
            user = User.objects.create_superuser(email, DEMO_PASSWORD, full_name=full_name)
        else:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=full_name)
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


@transaction.atomic
def seed() -> dict:
    organisations = {
        o.slug: o
        for o in Organisation.objects.filter(slug__in={slug for _, _, slug, _, _ in DEMO_PEOPLE})
    }
    email_domains_add(
        actor=None,
        pairs=[(organisations[slug], domain) for _, _, slug, _, domain in DEMO_PEOPLE],
        source="demo",
    )
    for email, full_name, slug, role, _ in DEMO_PEOPLE:
        organisation = organisations[slug]
        user = _person(email, full_name)
        Membership.objects.update_or_create(
            user=user, defaults={"organisation": organisation, "role": role}
        )
        if role == Role.INSTITUTE_STAFF and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    _person(SUPERUSER_EMAIL, CONTENT["superuser"]["full_name"], superuser=True)
    return {"people": len(DEMO_PEOPLE) + 1}
