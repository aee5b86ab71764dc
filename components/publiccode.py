"""publiccode.yml (https://yml.publiccode.tools, version 0.4) in and out of the library.

Import reads a document with yaml.safe_load only, after refusing anything that could make
parsing or later traversal expensive: more than 100 KB, anchors and aliases (the "billion laughs"
attack), and deep nesting. Every missing or wrong field is reported together, with its path.

Fields the standard has no place for (kind, cost model, hosting, theme, service areas and the
exact maturity) go in an extension section, `ukLocalGov`, so an export imports back the same.
"""

import re

import yaml
from django.utils import timezone

from components.licences import licence_is_valid, licence_normalise
from components.models import Component, CostModel, Hosting, Kind, Maturity
from institute.errors import DomainError
from institute.models import Organisation, ServiceArea, Theme
from institute.urlcache import absolute_url

MAX_BYTES = 100 * 1024
MAX_DEPTH = 20
VERSIONS = {"0.2", "0.2.0", "0.3", "0.3.0", "0.4", "0.4.0"}
EXTENSION = "ukLocalGov"
SOFTWARE_TYPES = {
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
}
MAINTENANCE_TYPES = {"internal", "contract", "community", "none"}
# developmentStatus <-> maturity. ukLocalGov.maturity keeps the exact value on a round trip.
STATUS_TO_MATURITY = {
    "concept": Maturity.CONCEPT,
    "development": Maturity.ALPHA,
    "beta": Maturity.BETA,
    "stable": Maturity.LIVE,
    "obsolete": Maturity.RETIRING,
}
MATURITY_TO_STATUS = {
    Maturity.CONCEPT: "concept",
    Maturity.ALPHA: "development",
    Maturity.BETA: "beta",
    Maturity.LIVE: "stable",
    Maturity.RETIRING: "obsolete",
    Maturity.RETIRED: "obsolete",
}
TYPE_TO_KIND = {"library": Kind.OPEN_SOURCE, "configurationFiles": Kind.DATA_STANDARD}
KIND_TO_TYPE = {
    Kind.SOFTWARE: "standalone/web",
    Kind.OPEN_SOURCE: "library",
    Kind.API: "standalone/backend",
    Kind.DATA_STANDARD: "configurationFiles",
    Kind.PATTERN: "standalone/other",
}
OPENING_TOKENS = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
ENGLISH = ("en-GB", "en", "eng", "en-gb")


class PubliccodeError(DomainError):
    """Everything wrong with a document, one message per problem."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(
            errors[0] if len(errors) == 1 else f"The publiccode.yml has {len(errors)} problems",
            field="publiccode",
        )


def _load(text) -> dict:
    if isinstance(text, bytes):
        if len(text) > MAX_BYTES:
            raise PubliccodeError(["The file must be 100 KB or smaller"])
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise PubliccodeError(["The file must be UTF-8 text"]) from None
    text = (text or "").lstrip("\ufeff")
    if not text.strip():
        raise PubliccodeError(["Paste the contents of a publiccode.yml file or choose one"])
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise PubliccodeError(["The file must be 100 KB or smaller"])
    try:
        depth = 0
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.AnchorToken | yaml.AliasToken):
                raise PubliccodeError(["Anchors and aliases (& and *) are not accepted"])
            if isinstance(token, OPENING_TOKENS):
                depth += 1
            elif isinstance(
                token, yaml.BlockEndToken | yaml.FlowMappingEndToken | yaml.FlowSequenceEndToken
            ):
                depth -= 1
            if depth > MAX_DEPTH:
                raise PubliccodeError(["The document is nested too deeply"])
        documents = list(yaml.safe_load_all(text))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" on line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "it is not valid YAML"
        raise PubliccodeError([f"The file is not valid YAML{where}: {problem}"]) from None
    except (RecursionError, ValueError, OverflowError):
        raise PubliccodeError(["The file is not valid YAML"]) from None
    if len(documents) != 1:
        raise PubliccodeError(["The file must hold exactly one YAML document"])
    data = documents[0]
    if not isinstance(data, dict):
        raise PubliccodeError(
            ["The file must be a YAML mapping of keys, like “name: Bin collection API”"]
        )
    return data


def _str(data, key, path, errors, *, required=True, max_length=None):
    value = data.get(key) if isinstance(data, dict) else None
    if value is None or value == "":
        if required:
            errors.append(f"{path}: is missing")
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        errors.append(f"{path}: must be text")
        return ""
    value = str(value).strip()
    if max_length and len(value) > max_length:
        errors.append(f"{path}: must be {max_length} characters or fewer")
    return value


def _url(value, path, errors):
    if value and not re.match(r"^https?://[^\s/$.?#].[^\s]*$", value):
        errors.append(f"{path}: must be a web address starting with https:// or http://")
        return ""
    return value


def publiccode_parse(text) -> dict:
    """Component fields (as component_submit takes them) from publiccode.yml text."""
    data = _load(text)
    errors: list[str] = []
    version = data.get("publiccodeYmlVersion")
    if version is None:
        errors.append("publiccodeYmlVersion: is missing")
    elif str(version) not in VERSIONS:
        errors.append("publiccodeYmlVersion: must be one of 0.2, 0.3 or 0.4")
    fields = {"name": _str(data, "name", "name", errors, max_length=150)}
    fields["source_url"] = _url(_str(data, "url", "url", errors, max_length=500), "url", errors)

    status = _str(data, "developmentStatus", "developmentStatus", errors)
    if status and status not in STATUS_TO_MATURITY:
        errors.append("developmentStatus: must be one of " + ", ".join(sorted(STATUS_TO_MATURITY)))
    software_type = _str(data, "softwareType", "softwareType", errors)
    if software_type and software_type not in SOFTWARE_TYPES:
        errors.append("softwareType: must be one of " + ", ".join(sorted(SOFTWARE_TYPES)))
    for key in ("platforms", "categories"):
        value = data.get(key)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            errors.append(f"{key}: must be a list of words")

    description = data.get("description")
    language = None
    if not isinstance(description, dict) or not description:
        errors.append("description: is missing (it needs an English section, description.en)")
        description = {}
    else:
        language = next((code for code in ENGLISH if code in description), None)
        if language is None:
            errors.append("description: needs an English section (description.en)")
    english = description.get(language) if language else {}
    if language and not isinstance(english, dict):
        errors.append(f"description.{language}: must be a mapping of keys")
        english = {}
    if language:
        prefix = f"description.{language}"
        fields["summary"] = _str(
            english, "shortDescription", f"{prefix}.shortDescription", errors, max_length=300
        )
        fields["description"] = _str(
            english, "longDescription", f"{prefix}.longDescription", errors, max_length=20000
        )
        fields["documentation_url"] = _url(
            _str(english, "documentation", f"{prefix}.documentation", errors, required=False),
            f"{prefix}.documentation",
            errors,
        )
        localised = _str(
            english,
            "localisedName",
            f"{prefix}.localisedName",
            errors,
            required=False,
            max_length=150,
        )
        if localised:
            fields["name"] = localised

    legal = data.get("legal")
    if not isinstance(legal, dict):
        errors.append("legal.license: is missing")
        legal = {}
    licence = licence_normalise(_str(legal, "license", "legal.license", errors))
    if licence and not licence_is_valid(licence):
        errors.append("legal.license: must be an SPDX identifier, like MIT or EUPL-1.2")
    fields["licence"] = licence
    owner = _str(legal, "repoOwner", "legal.repoOwner", errors, required=False, max_length=200)
    owner = owner or _str(
        legal,
        "mainCopyrightOwner",
        "legal.mainCopyrightOwner",
        errors,
        required=False,
        max_length=200,
    )

    maintenance = data.get("maintenance")
    if not isinstance(maintenance, dict):
        errors.append("maintenance.type: is missing")
        maintenance = {}
    maintenance_type = _str(maintenance, "type", "maintenance.type", errors)
    if maintenance_type and maintenance_type not in MAINTENANCE_TYPES:
        errors.append("maintenance.type: must be one of " + ", ".join(sorted(MAINTENANCE_TYPES)))

    extension = data.get(EXTENSION) or {}
    if not isinstance(extension, dict):
        errors.append(f"{EXTENSION}: must be a mapping of keys")
        extension = {}
    kind = _str(extension, "kind", f"{EXTENSION}.kind", errors, required=False)
    if kind and kind not in Kind.values:
        errors.append(f"{EXTENSION}.kind: must be one of " + ", ".join(Kind.values))
    fields["kind"] = kind or TYPE_TO_KIND.get(software_type, Kind.SOFTWARE)
    maturity = _str(extension, "maturity", f"{EXTENSION}.maturity", errors, required=False)
    if maturity and maturity not in Maturity.values:
        errors.append(f"{EXTENSION}.maturity: must be one of " + ", ".join(Maturity.values))
    if maturity == Maturity.RETIRED:
        maturity = Maturity.RETIRING  # retiring needs a reason, given by staff on the page
    fields["maturity"] = maturity or STATUS_TO_MATURITY.get(status, Maturity.CONCEPT)
    cost = _str(extension, "costModel", f"{EXTENSION}.costModel", errors, required=False)
    if cost and cost not in CostModel.values:
        errors.append(f"{EXTENSION}.costModel: must be one of " + ", ".join(CostModel.values))
    fields["cost_model"] = cost or (CostModel.FREE if maintenance_type != "contract" else "paid")
    hosting = _str(extension, "hosting", f"{EXTENSION}.hosting", errors, required=False)
    if hosting and hosting not in Hosting.values:
        errors.append(f"{EXTENSION}.hosting: must be one of " + ", ".join(Hosting.values))
    fields["hosting"] = hosting or Hosting.SELF_HOSTED
    theme = _str(extension, "theme", f"{EXTENSION}.theme", errors, required=False)
    if theme and theme not in Theme.values:
        errors.append(f"{EXTENSION}.theme: must be one of " + ", ".join(Theme.values))
    fields["theme"] = theme
    slugs = extension.get("serviceAreas") or []
    areas = []
    if not isinstance(slugs, list) or not all(isinstance(s, str) for s in slugs):
        errors.append(f"{EXTENSION}.serviceAreas: must be a list of service area names")
    elif slugs:
        known = {a.slug: a for a in ServiceArea.objects.filter(slug__in=slugs[:50])}
        unknown = [s for s in slugs if s not in known]
        if unknown:
            errors.append(f"{EXTENSION}.serviceAreas: not known: {', '.join(unknown[:10])}")
        areas = [known[s] for s in dict.fromkeys(slugs) if s in known]
    fields["service_areas"] = areas

    maintainer_name = (
        _str(
            extension,
            "maintainer",
            f"{EXTENSION}.maintainer",
            errors,
            required=False,
            max_length=200,
        )
        or owner
    )
    maintainer = None
    if maintainer_name:
        maintainer = Organisation.objects.filter(name__iexact=maintainer_name).first()
    fields["maintainer"] = maintainer
    fields["maintainer_name"] = "" if maintainer else maintainer_name
    if errors:
        raise PubliccodeError(errors)
    return fields


def publiccode_dump(component: Component) -> str:
    """A component as a publiccode.yml document."""
    maintainer = component.maintainer_display
    english = {
        "shortDescription": component.summary,
        "longDescription": component.description,
        "features": [component.get_kind_display()],
    }
    if component.documentation_url:
        english["documentation"] = component.documentation_url
    legal = {"license": component.licence or "LicenseRef-proprietary"}
    if maintainer:
        legal["repoOwner"] = maintainer
    released = component.published_at or component.created_at
    document = {
        "publiccodeYmlVersion": "0.4",
        "name": component.name,
        "url": component.source_url or _page_url(component),
        "releaseDate": timezone.localdate(released).isoformat(),
        "platforms": ["web"],
        "categories": ["it-development"] if component.kind == Kind.OPEN_SOURCE else ["other"],
        "developmentStatus": MATURITY_TO_STATUS[component.maturity],
        "softwareType": KIND_TO_TYPE[component.kind],
        "description": {"en-GB": english},
        "legal": legal,
        "maintenance": {
            "type": "contract" if component.cost_model == CostModel.PAID else "internal",
            "contacts": [],
        },
        "localisation": {"localisationReady": False, "availableLanguages": ["en-GB"]},
        EXTENSION: {
            "kind": component.kind,
            "maturity": component.maturity,
            "costModel": component.cost_model,
            "hosting": component.hosting,
            "theme": component.theme or None,
            "serviceAreas": [a.slug for a in component.service_areas.order_by("slug")],
            "maintainer": maintainer or None,
        },
    }
    document[EXTENSION] = {k: v for k, v in document[EXTENSION].items() if v is not None}
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def _page_url(component: Component) -> str:
    return absolute_url(component.get_absolute_url())
