"""Open data: the sector's shared data as CSV and JSON files, under the Open Government Licence.

`open_data_publish()` writes every dataset (nightly, from
institute.sector.tasks.open_data_publish) into the storage of generated files that every web
and worker process shares (institute.storage: a shared folder or an S3-compatible bucket). Each
file replaces the old one whole, so a download never sees half a file. The rows come from each
app's selectors, so a dataset says what the pages say (e.g. standards adoption is
standards.selectors.adoption_for, never a second definition).
"""

import io
import json
import tempfile
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.core.files import File
from django.db.models import OuterRef, Prefetch
from django.utils import timezone

from backlog import selectors as backlog_selectors
from centres import selectors as centres_selectors
from components import selectors as components_selectors
from institute.csv_export import CsvWriter
from institute.models import Organisation, Succession
from institute.storage import generated_storage
from institute.urlcache import detail_url
from standards import selectors as standards_selectors

LICENCE = {
    "name": "Open Government Licence v3.0",
    "url": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
MANIFEST = "manifest.json"
CHUNK = 2000


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    description: str
    fields: tuple[tuple[str, str], ...]
    rows: Callable[[], Iterable[dict]]

    @property
    def field_names(self) -> list[str]:
        return [name for name, _ in self.fields]


def _time(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else ""


def _date(value: date | None) -> str:
    return value.isoformat() if value else ""


# --- Rows ---------------------------------------------------------------------------------------


def _problems():
    qs = backlog_selectors.problem_list(
        backlog_selectors.BacklogFilters(), include_merged=True
    ).prefetch_related(None)
    # Each problem's service areas in the same row (as the list's prefetch orders them).
    areas = ArraySubquery(
        qs.model.service_areas.through.objects.filter(problem_id=OuterRef("pk"))
        .order_by("servicearea__name")
        .values("servicearea__slug")
    )
    fields = [
        "pk", "title", "summary", "theme", "status", "areas", "council_count", "vote_count",
        "merged_into_id", "created_at",
    ]  # fmt: skip
    rows = qs.annotate(areas=areas).order_by("id").values_list(*fields)
    for pk, title, summary, theme, status, slugs, councils, votes, merged, created in rows.iterator(
        chunk_size=CHUNK
    ):
        yield {
            "id": pk,
            "title": title,
            "summary": summary,
            "theme": theme,
            "status": status,
            "service_areas": slugs,
            "council_count": councils,
            "vote_count": votes,
            "merged_into": merged,
            "created_at": _time(created),
            "url": detail_url("backlog:problem_detail", "pk", pk),
        }


def _components():
    qs = components_selectors.component_list(components_selectors.ComponentFilters())
    fields = [
        "public_id", "name", "summary", "kind", "maturity", "licence", "licence_open",
        "cost_model", "hosting", "maintainer_id", "maintainer__name", "maintainer_name",
        "source_url", "documentation_url", "using_count", "adopting_count", "published_at",
    ]  # fmt: skip
    for c in qs.prefetch_related(None).order_by("id").values(*fields).iterator(chunk_size=CHUNK):
        yield {
            "id": str(c["public_id"]),
            "name": c["name"],
            "summary": c["summary"],
            "kind": c["kind"],
            "maturity": c["maturity"],
            "licence": c["licence"],
            "licence_open": c["licence_open"],
            "cost_model": c["cost_model"],
            "hosting": c["hosting"],
            # Component.maintainer_display
            "maintainer": c["maintainer__name"] if c["maintainer_id"] else c["maintainer_name"],
            "source_url": c["source_url"],
            "documentation_url": c["documentation_url"],
            "councils_using": c["using_count"],
            "councils_adopting": c["adopting_count"],
            "published_at": _time(c["published_at"]),
            "url": detail_url("components:component_detail", "public_id", c["public_id"]),
        }


def _adoptions():
    # Published components only; no contacts and no evidence: those are for signed-in people.
    rows = components_selectors.adoption_list_for_export().values_list(
        "id_text", "component__name", "organisation__slug", "organisation__name",
        "organisation__gss_code", "stage", "since_text", "confirmed_at", "stale",
    )  # fmt: skip
    for public_id, name, slug, org, gss, stage, since, confirmed, stale in rows.iterator(
        chunk_size=CHUNK
    ):
        yield {
            "component_id": public_id,
            "component_name": name,
            "organisation": slug,
            "organisation_name": org,
            "gss_code": gss,
            "stage": stage,
            "since": since,
            "confirmed_at": _time(confirmed),
            "stale": stale,
        }


def _standards():
    standards = list(standards_selectors.standard_list())
    adoption = standards_selectors.adoption_for(standards)
    for standard in standards:
        rate = adoption[standard.pk]
        yield {
            "slug": standard.slug,
            "title": standard.title,
            "category": standard.category,
            "owner": standard.owner.name,
            "current_version": standard.current_version.number,
            "council_types": list(standard.council_types),
            "councils_in_scope": rate.in_scope,
            "councils_adopting": rate.adopted,
            "adoption_percent": rate.percent,
            "url": standard.get_absolute_url(),
        }


def _learning():
    qs = centres_selectors.published_learning().select_related("centre").order_by("id")
    for learning in qs.iterator(chunk_size=CHUNK):
        yield {
            "id": str(learning.public_id),
            "title": learning.title,
            "summary": learning.summary,
            "kind": learning.kind,
            "centre": learning.centre.slug,
            "evidence_strength": learning.evidence_strength,
            "cost_band": learning.cost_band,
            "themes": list(learning.themes),
            "impact_summary": learning.impact_summary,
            "published_at": _time(learning.published_at),
            "url": learning.get_absolute_url(),
        }


def _organisations():
    qs = (
        Organisation.objects.select_related("parent_county", "strategic_authority")
        .prefetch_related(
            Prefetch(
                "successions_out",
                queryset=Succession.objects.select_related("successor").only(
                    "predecessor_id", "date", "successor__slug"
                ),
            )
        )
        .order_by("name", "id")
    )
    for org in qs.iterator(chunk_size=CHUNK):
        successions = list(org.successions_out.all())
        yield {
            "slug": org.slug,
            "name": org.name,
            "kind": org.kind,
            "council_type": org.council_type,
            "gss_code": org.gss_code,
            "region": org.region,
            "parent_county": org.parent_county.slug if org.parent_county else "",
            "strategic_authority": (
                org.strategic_authority.slug if org.strategic_authority else ""
            ),
            "valid_from": _date(org.valid_from),
            "valid_to": _date(org.valid_to),
            "successors": [s.successor.slug for s in successions],
            "succession_dates": [_date(s.date) for s in successions],
        }


DATASETS = {
    d.name: d
    for d in [
        Dataset(
            "problems",
            "Backlog problems with council counts",
            "Every problem in the shared backlog and how many councils have it.",
            (
                ("id", "The problem's number (problems are public)."),
                ("title", "Title."),
                ("summary", "One-sentence summary."),
                ("theme", "One of the six blueprint themes."),
                (
                    "status",
                    "new, triaged, in_discovery, in_progress, solved, not_taken_forward, merged.",
                ),
                ("service_areas", "Service area slugs (separated by ; in CSV)."),
                ("council_count", "Councils that said they have this problem."),
                ("vote_count", "Officers who said so."),
                ("merged_into", "For a merged problem, the problem it was merged into."),
                ("created_at", "When it was submitted (UTC, ISO 8601)."),
                ("url", "Its page, relative to the site."),
            ),
            _problems,
        ),
        Dataset(
            "components",
            "Components with adoption counts",
            "Published components of the common components library.",
            (
                ("id", "The component's id (a UUID, as in its page's URL and the API)."),
                ("name", "Name."),
                ("summary", "One-sentence summary."),
                ("kind", "software, api, data_schema, pattern…"),
                ("maturity", "concept, alpha, beta, live, retiring, retired."),
                ("licence", "Licence (SPDX identifier where there is one)."),
                ("licence_open", "true for an open-source licence."),
                ("cost_model", "How it is paid for."),
                ("hosting", "How it is hosted."),
                ("maintainer", "Who maintains it."),
                ("source_url", "Source code."),
                ("documentation_url", "Documentation."),
                ("councils_using", "Councils with it in use (not stale)."),
                ("councils_adopting", "Councils exploring, piloting or using it (not stale)."),
                ("published_at", "When it was published (UTC, ISO 8601)."),
                ("url", "Its page, relative to the site."),
            ),
            _components,
        ),
        Dataset(
            "component-adoptions",
            "Component adoptions by council",
            "Which council uses which published component, at what stage. No contacts or evidence.",
            (
                ("component_id", "The component's id (a UUID, as in the components dataset)."),
                ("component_name", "The component's name."),
                ("organisation", "The council's slug."),
                ("organisation_name", "The council's name."),
                ("gss_code", "The council's ONS GSS code."),
                ("stage", "exploring, piloting, in_use, retired."),
                ("since", "Since when (date)."),
                ("confirmed_at", "Last confirmed by the council (UTC, ISO 8601)."),
                ("stale", "true when not confirmed for 12 months."),
            ),
            _adoptions,
        ),
        Dataset(
            "standards",
            "Standards and their adoption rates",
            "Published standards; adopted = a current, green assessment of the current (or "
            "just superseded) version; rate = adopting councils / councils in scope.",
            (
                ("slug", "The standard's identifier."),
                ("title", "Title."),
                ("category", "Category."),
                ("owner", "The organisation that owns it."),
                ("current_version", "Number of the current published version."),
                ("council_types", "Council types in scope; empty for all (; in CSV)."),
                ("councils_in_scope", "Current councils in scope."),
                ("councils_adopting", "Of those, councils that adopted it."),
                ("adoption_percent", "councils_adopting / councils_in_scope, rounded %."),
                ("url", "Its page, relative to the site."),
            ),
            _standards,
        ),
        Dataset(
            "learning",
            "Published learning",
            "Case studies, evaluations, guides and playbooks published by the centres.",
            (
                ("id", "The item's identifier (a UUID, as in the API and its page address)."),
                ("title", "Title."),
                ("summary", "Summary."),
                ("kind", "case_study, evaluation, what_works, playbook, data_sharing."),
                ("centre", "The centre's slug."),
                ("evidence_strength", "0 (none) to 5 (strong), as defined on the site."),
                ("cost_band", "Cost band."),
                ("themes", "Blueprint themes (; in CSV)."),
                ("impact_summary", "The impact, in brief."),
                ("published_at", "When it was published (UTC, ISO 8601)."),
                ("url", "Its page, relative to the site."),
            ),
            _learning,
        ),
        Dataset(
            "organisations",
            "Organisations with ONS codes",
            "English principal councils, strategic authorities and national bodies.",
            (
                ("slug", "Identifier used everywhere in the API."),
                ("name", "Name."),
                ("kind", "council, strategic_authority, centre_host, national_body, institute."),
                ("council_type", "For councils: the council type."),
                ("gss_code", "ONS GSS code."),
                ("region", "ONS region GSS code."),
                ("parent_county", "For districts: the county council's slug."),
                ("strategic_authority", "The strategic authority's slug."),
                ("valid_from", "First day it existed (empty: before records)."),
                ("valid_to", "Last day it existed (empty: still exists)."),
                ("successors", "The organisations that replaced it (slugs; a split has several)."),
                (
                    "succession_dates",
                    "The first day each successor took over, in the order of successors.",
                ),
            ),
            _organisations,
        ),
    ]
}


# --- Files --------------------------------------------------------------------------------------


FOLDER = "opendata"
SPOOL_BYTES = 1024 * 1024  # larger files are spooled to a temporary file, not memory


def name_of(name: str, fmt: str) -> str:
    """A dataset file's name in the storage of generated files."""
    return f"{FOLDER}/{name}.{fmt}"


@contextmanager
def _spooled():
    """A text handle on a temporary file (in memory up to SPOOL_BYTES), and its raw file."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        yield text, raw
        text.flush()
        text.detach()


def _store(name: str, raw) -> None:
    """Hand a written temporary file to the storage whole."""
    raw.seek(0)
    generated_storage().save(name, File(raw, name=name))


def _save(name: str, write: Callable) -> None:
    """Write a file through `write(text_handle)`, then hand it to the storage whole."""
    with _spooled() as (text, raw):
        write(text)
        text.flush()
        _store(name, raw)


def _csv_value(value):
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def dataset_publish(dataset: Dataset, *, generated_at: datetime) -> int:
    """Write one dataset as CSV and JSON in one pass over its rows, never holding them all;
    returns its number of rows."""
    names = dataset.field_names
    # The JSON document as json.dump wrote it whole, with the rows streamed into its last list.
    head = json.dumps(
        {
            "dataset": dataset.name,
            "title": dataset.title,
            "licence": LICENCE,
            "generated_at": _time(generated_at),
            "fields": [{"name": n, "description": d} for n, d in dataset.fields],
            "rows": [],
        },
        ensure_ascii=False,
    )
    assert head.endswith("[]}")
    encode = json.JSONEncoder(ensure_ascii=False).encode
    count = 0
    with _spooled() as (csv_text, csv_raw), _spooled() as (json_text, json_raw):
        writer = CsvWriter(csv_text)
        writer.writerow(names)
        json_text.write(head[:-2])
        for row in dataset.rows():
            writer.writerow([_csv_value(row[name]) for name in names])
            json_text.write(", " + encode(row) if count else encode(row))
            count += 1
        json_text.write("]}")
        csv_text.flush()
        json_text.flush()
        _store(name_of(dataset.name, "csv"), csv_raw)
        _store(name_of(dataset.name, "json"), json_raw)
    return count


def open_data_publish() -> dict:
    """Write every dataset, then the manifest saying when ("data as of") and how many rows."""
    generated_at = timezone.now()
    counts = {
        name: dataset_publish(dataset, generated_at=generated_at)
        for name, dataset in DATASETS.items()
    }
    manifest = {"generated_at": _time(generated_at), "rows": counts}
    _save(f"{FOLDER}/{MANIFEST}", lambda handle: json.dump(manifest, handle))
    return manifest


def manifest() -> dict | None:
    """When the files were generated and their rows; None before the first run."""
    try:
        with generated_storage().open(f"{FOLDER}/{MANIFEST}", "rb") as handle:
            return json.loads(handle.read())
    except (OSError, ValueError):  # not there yet (FileNotFoundError), or unreadable
        return None
