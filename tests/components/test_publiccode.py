"""publiccode.yml import and export: realistic documents, malformed ones, and a round trip."""

from pathlib import Path

import pytest

from components import services
from components.models import Component
from components.publiccode import PubliccodeError, publiccode_dump, publiccode_parse
from institute.models import Organisation
from tests.components.conftest import component_fields

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


def _read(name: str) -> str:
    return (FIXTURES / name).read_text()


def test_realistic_document_becomes_a_submission(officer):
    component = services.component_import_publiccode(
        actor=officer, text=_read("bin-day-api.publiccode.yml")
    )
    assert component.status == "in_review"
    assert component.name == "Bin collection day API"
    assert component.source_url == "https://github.com/local-digital-commons/bin-day-api"
    assert component.maturity == "live" and component.kind == "api"
    assert component.licence == "MIT" and component.licence_open
    assert component.documentation_url == "https://bin-day-api.example.org/docs"
    assert component.maintainer_name == "Bristol City Council digital team"
    assert list(component.service_areas.values_list("slug", flat=True)) == ["waste-and-recycling"]
    assert component.events.get().data == {"source": "publiccode.yml"}


def test_minimal_document_without_extension_uses_the_standard_fields(officer):
    fields = publiccode_parse(_read("foi-tool-minimal.publiccode.yml"))
    assert fields["maturity"] == "beta"
    assert fields["kind"] == "software"
    assert fields["licence"] == "AGPL-3.0-or-later"
    assert fields["summary"].startswith("Log, track")


def test_every_missing_or_wrong_field_is_reported_and_nothing_is_created(officer):
    with pytest.raises(PubliccodeError) as error:
        services.component_import_publiccode(
            actor=officer, text=_read("missing-fields.publiccode.yml")
        )
    messages = "\n".join(error.value.errors)
    for expected in [
        "name: is missing",
        "url: must be a web address",
        "developmentStatus: must be one of",
        "softwareType: must be one of",
        "description: needs an English section",
        "legal.license: must be an SPDX identifier",
        "maintenance.type: must be one of",
        "ukLocalGov.kind: must be one of",
        "ukLocalGov.serviceAreas: not known: underwater-basket-weaving",
    ]:
        assert expected in messages
    assert not Component.objects.exists()


@pytest.mark.parametrize(
    "name, message",
    [
        ("billion-laughs.publiccode.yml", "Anchors and aliases"),
        ("not-a-mapping.publiccode.yml", "must be a YAML mapping"),
        ("broken-yaml.publiccode.yml", "not valid YAML"),
    ],
)
def test_hostile_and_malformed_documents_are_refused_gracefully(officer, name, message):
    with pytest.raises(PubliccodeError) as error:
        services.component_import_publiccode(actor=officer, text=_read(name))
    assert message in error.value.errors[0]
    assert not Component.objects.exists()


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Paste the contents"),
        ("just a string", "must be a YAML mapping"),
        ("a: 1\n---\nb: 2\n", "exactly one YAML document"),
        ("[" * 5000 + "]" * 5000, "nested too deeply"),
        ("name: " + "x" * 110_000, "100 KB or smaller"),
        (b"\xff\xfe\x00bad", "UTF-8"),
        ("!!python/object/apply:os.system ['echo hacked']", "not valid YAML"),
    ],
)
def test_edge_cases_give_clear_messages(officer, text, message):
    with pytest.raises(PubliccodeError) as error:
        services.component_import_publiccode(actor=officer, text=text)
    assert message in error.value.errors[0]
    assert not Component.objects.exists()


def test_anonymous_cannot_import(anonymous):
    from institute.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.component_import_publiccode(
            actor=anonymous, text=_read("bin-day-api.publiccode.yml")
        )


ROUND_TRIP_FIELDS = [
    "name", "summary", "description", "kind", "maturity", "theme", "licence", "licence_open",
    "source_url", "documentation_url", "maintainer_id", "maintainer_name", "cost_model",
    "hosting",
]  # fmt: skip


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {
            "kind": "data_standard",
            "maturity": "concept",
            "cost_model": "shared",
            "hosting": "hosted",
            "licence": "OGL-UK-3.0",
            "theme": "",
            "documentation_url": "https://example.org/docs",
        },
        {"maintainer_name": "", "kind": "pattern", "maturity": "retiring", "cost_model": "paid"},
    ],
)
def test_export_then_import_gives_the_same_fields(officer, institute_staff, overrides):
    if "maintainer_name" in overrides:
        overrides["maintainer"] = Organisation.objects.get(slug="camden")
    original = services.component_submit(actor=officer, **component_fields(**overrides))
    services.component_publish(actor=institute_staff, component=original)
    original.refresh_from_db()
    text = publiccode_dump(original)
    copy = services.component_import_publiccode(actor=officer, text=text)
    for name in ROUND_TRIP_FIELDS:
        assert getattr(copy, name) == getattr(original, name), name
    assert set(copy.service_areas.all()) == set(original.service_areas.all())
