import pytest

from tests.components.factories import ComponentFactory
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def author(db):
    return UserFactory(email="component.author@example.test")


@pytest.fixture
def component(author):
    return ComponentFactory(name="Bin collection day API", submitted_by=author)


def component_fields(**overrides):
    from institute.models import ServiceArea

    return {
        "name": "Accessible form builder",
        "summary": "Build accessible online forms without code.",
        "description": "Forms that **pass** WCAG 2.2 AA.\n\n<script>alert(1)</script>",
        "kind": "open_source",
        "maturity": "beta",
        "theme": "infrastructure",
        "service_areas": [ServiceArea.objects.get(slug="customer-services")],
        "licence": "mit",
        "source_url": "https://example.org/forms",
        "documentation_url": "",
        "maintainer": None,
        "maintainer_name": "Forms community",
        "cost_model": "free",
        "hosting": "self_hosted",
        **overrides,
    }
