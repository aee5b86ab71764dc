"""factory_boy factories for every app's models. Real rows in the real PostgreSQL test database."""

import time

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value

from institute.models import (
    Membership,
    MembershipRequest,
    Organisation,
    OrganisationKind,
    Role,
    User,
)

PASSWORD = "correct-horse-battery-staple"  # noqa: S105
# The authenticator app secret (base32) test staff get: institute staff must have a second
# factor, so fixtures give them one, and sign-in helpers type its current code.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105


def give_authenticator_app(user, secret: str = TOTP_SECRET):
    """Set up an authenticator app and recovery codes for `user`, as finishing allauth's
    set-up page does."""
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return user


def totp_code(secret: str = TOTP_SECRET, *, step: int = 0) -> str:
    """The code an authenticator app shows now (or `step` 30-second periods later)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))


def has_authenticator_app(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def date_input(name: str, value) -> dict:
    """What a person types into a GOV.UK date input (institute.forms.DateField) named `name`:
    its day, month and year boxes, from a date or an ISO date string (empty for None)."""
    if value is None or value == "":
        return {f"{name}_0": "", f"{name}_1": "", f"{name}_2": ""}
    if isinstance(value, str):
        year, month, day = value.split("-")
    else:
        year, month, day = value.year, value.month, value.day
    return {f"{name}_0": str(int(day)), f"{name}_1": str(int(month)), f"{name}_2": str(year)}


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Testshire Council {n}")
    slug = factory.Sequence(lambda n: f"testshire-council-{n}")
    kind = OrganisationKind.COUNCIL
    council_type = "unitary"
    region = "E12000008"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    # Realistic names, but never one HTML escapes (O'Donnell would appear as O&#x27;Donnell and
    # make a test that looks for the name on a page fail at random).
    full_name = factory.LazyFunction(
        lambda: factory.Faker._get_faker(locale="en_GB").name().replace("'", "")
    )
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.OFFICER


class MembershipRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipRequest

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.OFFICER
    reason = "I lead our digital team and want to add our problems to the backlog."


class ProblemFactory(factory.django.DjangoModelFactory):
    """A problem written straight to the table (services are tested separately); counters 0."""

    class Meta:
        model = "backlog.Problem"
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Common problem number {n}")
    summary = "Councils struggle with this in much the same way."
    description = "Several councils report the same difficulty."
    description_html = '<p class="govuk-body">Several councils report the same difficulty.</p>'
    theme = "data"
    submitted_by = factory.SubFactory(UserFactory)
    submitted_for = factory.LazyFunction(lambda: Organisation.objects.get(slug="leeds"))

    @factory.post_generation
    def service_areas(self, create, extracted, **kwargs):
        from institute.models import ServiceArea

        if create:
            self.service_areas.set(extracted or [ServiceArea.objects.get(slug="housing")])


def council_officer(slug: str, email: str | None = None):
    """A verified council officer at the council with this slug."""
    organisation = Organisation.objects.get(slug=slug)
    return MembershipFactory(
        user=UserFactory(email=email or f"officer-{slug}@example.test"),
        organisation=organisation,
        role=Role.OFFICER,
    ).user
