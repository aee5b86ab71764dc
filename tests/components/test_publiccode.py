"""publiccode.yml import and export: realistic documents, malformed ones, and a round trip."""

from pathlib import Path

import pytest
import yaml
from django.urls import reverse

from components import services
from components.models import Component
from components.publiccode import (
    ExportRefused,
    PubliccodeError,
    comparable,
    publiccode_document,
    publiccode_dump,
    publiccode_errors,
    publiccode_parse,
)
from tests.components.conftest import component_fields

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = FIXTURES / "publiccode"
VALID = sorted(p.name for p in (EXAMPLES / "valid").glob("*.yml"))


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
        "platforms: is missing",
        "url: must be an address starting with https://, http:// or git://",
        "developmentStatus: must be one of",
        "softwareType: must be one of",
        "description.it.longDescription: is missing",
        "legal.license: must be an SPDX identifier",
        "maintenance.type: must be one of",
        "localisation: is missing",
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


# --- Interoperating with the standard: the examples written for this project ------------------


def _example(name: str, group: str = "valid") -> str:
    return (EXAMPLES / group / name).read_text()


def test_there_are_at_least_ten_examples_valid_and_malformed():
    invalid = list((EXAMPLES / "invalid").glob("*.yml"))
    assert len(VALID) + len(invalid) >= 10 and len(VALID) >= 6 and len(invalid) >= 3


@pytest.mark.parametrize("name", VALID)
def test_every_valid_example_round_trips_to_an_equivalent_document(officer, name):
    text = _example(name)
    component = services.component_import_publiccode(actor=officer, text=text)
    component.refresh_from_db()
    assert component.publiccode_original == text  # the whole file is kept

    exported = publiccode_document(component)
    assert publiccode_errors(exported) == []
    assert comparable(exported) == comparable(yaml.safe_load(text))

    # And what it exports imports back to the same component.
    copy = services.component_import_publiccode(actor=officer, text=publiccode_dump(component))
    for field in ("name", "summary", "description", "kind", "maturity", "licence", "source_url"):
        assert getattr(copy, field) == getattr(component, field), field
    assert comparable(copy.publiccode["document"]) == comparable(component.publiccode["document"])


def test_version_0_the_standards_recommended_minimal_file_is_accepted(officer):
    fields = publiccode_parse(_example("minimal-version-0.yml"))
    assert fields["name"] == "Medusa" and fields["maturity"] == "alpha"
    assert fields["publiccode"]["version"] == "0"


def test_an_italian_only_file_is_imported_in_italian_and_says_so(client, officer):
    component = services.component_import_publiccode(
        actor=officer, text=_example("italian-only.yml")
    )
    assert component.name == "Segnalazioni dei cittadini"  # the localised name
    assert component.summary.startswith("Raccolta e gestione")
    assert component.publiccode["language"] == "it"
    assert component.documentation_url == "https://docs.comune.esempio.it/segnalazioni"
    client.force_login(officer)
    html = client.get(component.get_absolute_url()).content.decode()
    assert "The description is in Italian (it): its publiccode.yml has no English" in html


def test_everything_the_catalogue_can_hold_is_imported_and_shown(client, officer):
    component = services.component_import_publiccode(
        actor=officer, text=_example("multi-language.yml")
    )
    component.refresh_from_db()
    document = component.publiccode["document"]
    assert set(document["description"]) == {"cy", "en", "de"}
    assert component.publiccode["language"] == "en"  # English shown when present
    assert component.summary.startswith("Join the library online")
    assert document["categories"] == ["online-booking", "digital-citizenship"]
    assert document["maintenance"]["contacts"][0]["email"] == "digital@cyngor-example.gov.wales"
    assert (document["releaseDate"], document["softwareVersion"]) == ("2025-03-14", "1.4")

    era = services.component_import_publiccode(actor=officer, text=_example("version-0.2-era.yml"))
    held = era.publiccode["document"]
    assert held["releaseDate"] == "2019-06-30" and held["softwareVersion"] == "3.0.2"
    assert held["landingURL"] == "https://revenues.example.gov.uk/ebilling"
    assert held["dependsOn"]["open"] == [{"name": "PostgreSQL", "versionMin": "11"}]
    assert held["maintenance"]["contractors"][0]["name"] == "Revenues Software Ltd"
    assert era.cost_model == "paid"

    client.force_login(officer)
    html = client.get(component.get_absolute_url()).content.decode()
    assert "Described in" in html and "Welsh, German, English" in html
    assert "Version 1.4, released 2025-03-14" in html
    assert "online-booking, digital-citizenship" in html


def test_used_by_is_shown_as_a_claim_and_never_counted_as_adoption(client, officer):
    component = services.component_import_publiccode(
        actor=officer, text=_example("full-with-extension.yml")
    )
    component.refresh_from_db()
    assert component.adopting_count == 0 and component.using_count == 0
    assert not component.adoptions.exists()
    client.force_login(officer)
    html = client.get(component.get_absolute_url()).content.decode()
    assert "Used by (claimed by the repository)" in html
    assert "Bristol City Council, Example District Council" in html
    assert "0 councils adopting it" in html or "No council" in html


@pytest.mark.parametrize(
    "name, expected",
    [
        (
            "internal-without-contacts.yml",
            [
                "releaseDate: must be a date written like 2024-05-31",
                "categories[0]: “housing” is not in the standard's list of categories",
                "maintenance.contacts: is missing",
            ],
        ),
        (
            "wrong-types.yml",
            [
                "publiccodeYmlVersion: must be one of “0”, “0.2”",
                "url: must be an address starting with https://, http:// or git://",
                "platforms: must be text or a list of text",
                "description: must be a mapping of keys",
                "legal: must be a mapping of keys",
                "maintenance.contacts: must be a list",
                "localisation.localisationReady: must be true or false",
            ],
        ),
        (
            "descriptions-too-short-and-long.yml",
            [
                "description.english: is not a language code, like en or it",
                "description.en.shortDescription: must be 150 characters or fewer (it has 178)",
                "description.en.longDescription: must be at least 150 characters (it has 10)",
                "maintenance.contacts[0].name: is missing",
            ],
        ),
        (
            "missing-everything.yml",
            [
                "url: is missing",
                "platforms: is missing",
                "description: is missing",
                "legal: is missing",
                "maintenance: is missing",
                "localisation: is missing",
                "releaseDate: is missing (it is needed with softwareVersion)",
            ],
        ),
    ],
)
def test_malformed_examples_name_each_problems_key_path(officer, name, expected):
    with pytest.raises(PubliccodeError) as error:
        services.component_import_publiccode(actor=officer, text=_example(name, "invalid"))
    for message in expected:
        assert any(found.startswith(message) for found in error.value.errors), message
    assert not Component.objects.exists()


def test_export_is_refused_with_reasons_rather_than_inventing_values(officer, institute_staff):
    fields = component_fields(source_url="", licence="")
    component = services.component_submit(actor=officer, **fields)
    with pytest.raises(ExportRefused) as refused:
        publiccode_document(component)
    reasons = "\n".join(refused.value.reasons)
    assert "url: the component has no source code repository" in reasons
    assert "platforms: the platforms it runs on are not recorded" in reasons
    assert "maintenance: who maintains it" in reasons
    assert "legal.license: the component has no licence recorded" in reasons
    assert "description.en.longDescription: the description must be 150" in reasons


def test_the_page_says_why_it_cannot_be_exported_and_the_download_is_refused(
    client, officer, institute_staff
):
    component = services.component_submit(actor=officer, **component_fields(source_url=""))
    services.component_publish(actor=institute_staff, component=component)
    html = client.get(component.get_absolute_url()).content.decode()
    assert "A valid publiccode.yml cannot be written for it yet" in html
    assert "url: the component has no source code repository" in html
    assert "Download publiccode.yml" not in html
    response = client.get(reverse("components:component_publiccode", args=[component.public_id]))
    assert response.status_code == 409
    assert "example.com" not in response.content.decode()
    assert "url: the component has no source code repository" in response.content.decode()


def test_export_writes_no_placeholder_values(officer, institute_staff, client):
    component = services.component_import_publiccode(
        actor=officer, text=_example("version-0.3-library.yml")
    )
    services.component_publish(actor=institute_staff, component=component)
    response = client.get(reverse("components:component_publiccode", args=[component.public_id]))
    document = yaml.safe_load(response.content)
    assert response.status_code == 200
    assert "categories" in document and "other" not in document["categories"]
    assert "features" not in document["description"]["en"]  # none in the file: none invented
    assert document["maintenance"] == {"type": "none"}
    assert document["url"] == "git://git.example.org/geo/uprn-tools.git"
    assert "releaseDate" not in document  # not known: omitted, it is optional
    assert publiccode_errors(document) == []
