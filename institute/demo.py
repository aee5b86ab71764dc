"""Demo people for each role at real councils. Used by `manage.py seed_demo`; idempotent."""

from allauth.account.models import EmailAddress
from django.db import transaction

from institute.models import Membership, Organisation, Role, User

# Development only: printed by `make run`. Never used outside a local database.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105

# (email, full name, organisation slug, role, email domain for the organisation)
DEMO_PEOPLE = [
    ("officer@leeds.council.test", "Amara Okafor", "leeds", Role.OFFICER, "leeds.council.test"),
    ("digital@leeds.council.test", "Tom Whitfield", "leeds", Role.OFFICER, "leeds.council.test"),
    (
        "officer@bristol.council.test",
        "Priya Raman",
        "bristol-city-of",
        Role.OFFICER,
        "bristol.council.test",
    ),
    (
        "officer@cornwall.council.test",
        "Jenna Trevithick",
        "cornwall",
        Role.OFFICER,
        "cornwall.council.test",
    ),
    (
        "officer@camden.council.test",
        "Samuel Adeyemi",
        "camden",
        Role.OFFICER,
        "camden.council.test",
    ),
    (
        "officer@norfolk.council.test",
        "Helen Mayhew",
        "norfolk",
        Role.OFFICER,
        "norfolk.council.test",
    ),
    (
        "centre@gmca.test",
        "Rachel Lowe",
        "greater-manchester-combined-authority",
        Role.CENTRE_STAFF,
        "gmca.test",
    ),
    (
        "centre@wmca.test",
        "Imran Hussain",
        "west-midlands-combined-authority",
        Role.CENTRE_STAFF,
        "wmca.test",
    ),
    (
        "staff@institute.test",
        "Grace Fenwick",
        "local-digital-institute",
        Role.INSTITUTE_STAFF,
        "institute.test",
    ),
    (
        "viewer@lga.test",
        "David Chen",
        "local-government-association",
        Role.SECTOR_VIEWER,
        "lga.test",
    ),
    ("viewer@mhclg.test", "Olivia Brooks", "mhclg", Role.SECTOR_VIEWER, "mhclg.test"),
]

SUPERUSER_EMAIL = "admin@institute.test"

# One per role, printed by `make run`.
SIGN_INS = [
    ("Council officer (Leeds)", "officer@leeds.council.test"),
    ("Centre staff (Greater Manchester)", "centre@gmca.test"),
    ("Centre lead (Greater Manchester)", "lead@gmca.test"),
    ("Institute staff", "staff@institute.test"),
    ("Sector viewer (LGA)", "viewer@lga.test"),
    ("Django admin", SUPERUSER_EMAIL),
]


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
    for email, full_name, slug, role, domain in DEMO_PEOPLE:
        organisation = organisations[slug]
        if domain not in organisation.email_domains:
            organisation.email_domains = [*organisation.email_domains, domain]
            organisation.save(update_fields=["email_domains"])
        user = _person(email, full_name)
        Membership.objects.update_or_create(
            user=user, defaults={"organisation": organisation, "role": role}
        )
        if role == Role.INSTITUTE_STAFF and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    _person(SUPERUSER_EMAIL, "Platform administrator", superuser=True)
    return {"people": len(DEMO_PEOPLE) + 1}
