"""Open data: every dataset as CSV and JSON with its documented fields, the licence and the
date; adoption rates from the standards selector; nothing private; atomic files."""

import csv
import io
import json
import tracemalloc

import pytest

from backlog.models import Problem
from components.models import Adoption
from institute.models import Organisation
from institute.sector import opendata
from institute.sector.tasks import open_data_publish
from tests.centres.factories import LearningFactory, draft
from tests.components.factories import AdoptionFactory, ComponentFactory
from tests.factories import ProblemFactory
from tests.standards.factories import published_standard, submitted_assessment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "generated": {**settings.STORAGES["generated"], "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path / "opendata"


@pytest.fixture
def published(institute_staff, officer):
    ProblemFactory(title="Housing repairs")
    component = ComponentFactory(name="Booking API")
    AdoptionFactory(
        component=component,
        organisation=Organisation.objects.get(slug="leeds"),
        evidence_note="SECRET-EVIDENCE-NOTE",
        show_as_contact=True,
    )
    standard = published_standard(institute_staff)
    submitted_assessment(officer, standard)
    LearningFactory(title="Published learning")
    draft(title="DRAFT-LEARNING")
    return open_data_publish()


def _download(client, name, fmt):
    response = client.get(f"/data/{name}.{fmt}")
    assert response.status_code == 200
    assert response["Content-Type"] == opendata.FORMATS[fmt]
    assert response["Content-Disposition"] == f'attachment; filename="{name}.{fmt}"'
    return b"".join(response.streaming_content).decode()


@pytest.mark.parametrize("name", list(opendata.DATASETS))
def test_each_dataset_parses_as_csv_and_json_with_the_documented_fields(client, published, name):
    dataset = opendata.DATASETS[name]

    rows = list(csv.DictReader(io.StringIO(_download(client, name, "csv"))))
    document = json.loads(_download(client, name, "json"))

    assert rows, name
    assert list(rows[0]) == dataset.field_names
    assert document["licence"]["name"] == "Open Government Licence v3.0"
    assert document["generated_at"] == published["generated_at"]
    assert [f["name"] for f in document["fields"]] == dataset.field_names
    assert len(document["rows"]) == len(rows) == published["rows"][name]
    assert all(list(row) == dataset.field_names for row in document["rows"])


def test_the_data_page_lists_every_dataset_with_licence_and_date(client, published):
    response = client.get("/data/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "Open Government Licence v3.0" in html and "Data as of" in html
    for name, dataset in opendata.DATASETS.items():
        assert f"/data/{name}.csv" in html and f"/data/{name}.json" in html
        assert all(field in html for field in dataset.field_names)


def test_nothing_private_is_published(client, published):
    everything = "".join(
        _download(client, name, fmt) for name in opendata.DATASETS for fmt in opendata.FORMATS
    )
    assert "SECRET-EVIDENCE-NOTE" not in everything
    assert "DRAFT-LEARNING" not in everything
    assert "@" not in everything  # no e-mail addresses
    assert "evidence" not in opendata.DATASETS["component-adoptions"].field_names


def test_standards_adoption_is_the_selectors(client, published):
    from standards import selectors
    from standards.models import Standard

    rates = selectors.adoption_for(Standard.objects.all())
    row = json.loads(_download(client, "standards", "json"))["rows"][0]
    rate = rates[Standard.objects.get(slug=row["slug"]).pk]
    assert (row["councils_adopting"], row["councils_in_scope"], row["adoption_percent"]) == (
        rate.adopted,
        rate.in_scope,
        rate.percent,
    )
    assert row["councils_adopting"] == 1


def test_organisations_carry_their_ons_codes(client, published):
    rows = list(csv.DictReader(io.StringIO(_download(client, "organisations", "csv"))))
    leeds = next(row for row in rows if row["slug"] == "leeds")
    assert leeds["gss_code"] == "E08000035"


@pytest.mark.parametrize("url", ["/data/nothing.csv", "/data/problems.xml", "/data/problems.csv"])
def test_unknown_or_not_yet_generated_files_are_404_in_production(client, url):
    assert client.get(url).status_code == 404


def test_missing_files_are_generated_on_demand_in_development(client, settings, data_dir):
    settings.DEBUG = True
    response = client.get("/data/organisations.json")
    assert response.status_code == 200
    assert (data_dir / "manifest.json").exists()


def test_writing_is_atomic_and_leaves_no_temporary_files(published, data_dir):
    names = sorted(p.name for p in data_dir.iterdir())
    assert names == sorted(
        [f"{n}.{f}" for n in opendata.DATASETS for f in opendata.FORMATS] + ["manifest.json"]
    )


def test_the_nightly_job_is_scheduled(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "institute.sector.tasks.open_data_publish" in tasks


def _publish_peak() -> int:
    """Python's peak allocated memory while the whole open data is published."""
    tracemalloc.start()
    try:
        open_data_publish()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _more_data(officer, *, problems: int, components: int):
    Problem.objects.bulk_create(ProblemFactory.build_batch(problems, submitted_by=officer))
    councils = list(Organisation.objects.filter(kind="council"))
    for _ in range(components):
        component = ComponentFactory()
        Adoption.objects.bulk_create(
            Adoption(component=component, organisation=council, stage="in_use",
                     since=component.created_at.date(), evidence_note="In use.")
            for council in councils
        )  # fmt: skip


def test_publish_memory_stays_flat_as_the_data_grows(monkeypatch, officer):
    """The rows go from the database cursor to the files: memory does not grow with them (it
    grew with every dataset, held whole in a list). The cursor's chunk and the in-memory part
    of the temporary files are scaled down with the data, so a few thousand rows are enough."""
    monkeypatch.setattr(opendata, "CHUNK", 100)
    monkeypatch.setattr(opendata, "SPOOL_BYTES", 32 * 1024)
    _more_data(officer, problems=500, components=2)
    _publish_peak()  # first use: compiled queries, URL patterns and the like
    small = _publish_peak()

    _more_data(officer, problems=2500, components=8)  # 5 times the problems and adoptions
    large = _publish_peak()

    manifest = opendata.manifest()
    assert manifest["rows"]["problems"] == 3000
    assert (
        manifest["rows"]["component-adoptions"]
        == 10 * Organisation.objects.filter(kind="council").count()
    )
    assert large < small * 1.2 + 256 * 1024, (small, large)
