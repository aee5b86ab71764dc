"""Centres at the hosts of the role fixtures: Greater Manchester (centre_staff works there) and
West Midlands (other_centre_staff), each with a lead."""

import pytest

from centres.models import CentreStaff
from tests.centres.factories import CentreFactory, centre_person

GM = "greater-manchester-combined-authority"
WM = "west-midlands-combined-authority"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def gm_centre(db):
    from institute.models import Organisation

    return CentreFactory(
        name="Greater Manchester Centre",
        slug="greater-manchester",
        host=Organisation.objects.get(slug=GM),
        regions=["E12000002"],
        focus_themes=["data", "infrastructure"],
    )


@pytest.fixture
def wm_centre(db):
    from institute.models import Organisation

    return CentreFactory(
        name="West Midlands Centre",
        slug="west-midlands",
        host=Organisation.objects.get(slug=WM),
        regions=["E12000005"],
        focus_themes=["procurement"],
    )


@pytest.fixture
def centre_lead(gm_centre):
    """The lead of the Greater Manchester centre: publishes its learning."""
    return centre_person(GM, "lead@gmca.example.test", centre=gm_centre, lead=True)


@pytest.fixture
def other_centre_lead(wm_centre):
    return centre_person(WM, "lead@wmca.example.test", centre=wm_centre, lead=True)


@pytest.fixture
def gm_staff_row(gm_centre, centre_staff):
    return CentreStaff.objects.create(centre=gm_centre, user=centre_staff)


@pytest.fixture
def unpublished_component(db):
    """A component still in review: it cannot be linked to projects or learning."""
    from tests.components.factories import ComponentFactory

    return ComponentFactory(
        name="Half-built booking tool",
        slug="half-built-booking-tool",
        status="in_review",
        published_at=None,
    )
