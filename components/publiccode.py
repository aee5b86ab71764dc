"""publiccode.yml (https://yml.publiccode.tools, every version 0.2 to the latest 0.x, and "0")
in and out of the library.

Import reads a document with yaml.safe_load only, after refusing anything that could make
parsing or later traversal expensive: more than 100 KB, anchors and aliases (the "billion laughs"
attack), and deep nesting. It is checked against the standard's table
(components.publiccode_schema, with `jsonschema`); every problem is reported together, each
naming its key path. The catalogue keeps the whole original file, and beside the component's
own fields what it can hold of the rest (`HELD_KEYS`: every description language, categories,
maintenance, release, landing page, dependencies, and `usedBy`, a claim of the repository's).

Export writes what the catalogue holds, omits optional keys it lacks, and is refused with the
reasons where the standard needs something the catalogue does not have (a repository, the
platforms, the maintenance): it never invents values. What it writes passes the same check.

Fields the standard has no place for (kind, cost model, hosting, theme, service areas and the
exact maturity) go in an extension section, `ukLocalGov`, so an export imports back the same.
"""

import datetime
import re

import yaml
from jsonschema import Draft202012Validator

from components.licences import licence_is_valid, licence_normalise
from components.models import Component, CostModel, Hosting, Kind, Maturity
from components.publiccode_schema import (
    DATE,
    EXPORT_VERSION,
    LANGUAGE,
    LONG_DESCRIPTION_MAX,
    LONG_DESCRIPTION_MIN,
    SCHEMA,
    SHORT_DESCRIPTION_MAX,
    WEB_URL,
)
from institute.errors import DomainError
from institute.models import Organisation, ServiceArea, Theme

MAX_BYTES = 100 * 1024
MAX_DEPTH = 20
EXTENSION = "ukLocalGov"
# The keys of the standard the catalogue holds (Component.publiccode["document"]).
HELD_KEYS = (
    "name", "url", "landingURL", "softwareVersion", "releaseDate", "platforms", "categories",
    "usedBy", "developmentStatus", "softwareType", "description", "legal", "maintenance",
    "localisation", "dependsOn",
)  # fmt: skip
LANGUAGE_NAMES = {
    "en": "English", "cy": "Welsh", "gd": "Scottish Gaelic", "ga": "Irish", "it": "Italian",
    "de": "German", "fr": "French", "nl": "Dutch", "es": "Spanish", "pt": "Portuguese",
    "sv": "Swedish", "da": "Danish", "fi": "Finnish", "no": "Norwegian", "pl": "Polish",
}  # fmt: skip
VALIDATOR = Draft202012Validator(SCHEMA)
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


# --- Checking against the standard ----------------------------------------------------------------


def _plain(value, key=None):
    """The document as JSON types: YAML's unquoted dates become "2024-05-31", an unquoted
    version number (0.4) or software version (2) becomes text, as the standard means them."""
    if isinstance(value, dict):
        return {str(k): _plain(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()[:10]
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if numeric and key in {
        "publiccodeYmlVersion",
        "softwareVersion",
        "version",
        "versionMin",
        "versionMax",
    }:
        return str(value)
    return value


def _path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the file"


def _messages(error) -> list[tuple[str, str]]:
    """[(key path, what is wrong)] of one jsonschema error, in plain English."""
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        return [(_path([*path, name]), "is missing") for name in missing]
    return [_message(error, path)]


def _message(error, path) -> tuple[str, str]:
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "pattern" and expected == LANGUAGE and path == ["description"]:
        # A key of description (propertyNames): the error is about the key itself.
        return _path([*path, value]), "is not a language code, like en or it"
    if kind == "dependentRequired":
        needs = next(k for k, names in expected.items() if k in value)
        return _path([*path, expected[needs][0]]), f"is missing (it is needed with {needs})"
    if kind == "type":
        names = {
            "string": "text",
            "array": "a list",
            "object": "a mapping of keys",
            "boolean": "true or false",
        }
        return _path(path), f"must be {names.get(expected, expected)}"
    if kind == "enum":
        if path and path[0] == "categories":
            return _path(path), (
                f"“{value}” is not in the standard's list of categories "
                "(https://yml.publiccode.tools/categories-list.html)"
            )
        return _path(path), "must be one of " + ", ".join(f"“{v}”" for v in expected)
    if kind == "const":
        return _path(path), f"must be “{expected}”"
    if kind == "pattern":
        if expected == DATE:
            return _path(path), "must be a date written like 2024-05-31"
        if expected == LANGUAGE:
            return _path(path), "must be a language code, like en or it"
        if expected == WEB_URL:
            return _path(path), "must be a web address starting with https:// or http://"
        return _path(path), "must be an address starting with https://, http:// or git://"
    if kind == "minLength":
        if expected == 1:
            return _path(path), "is empty"
        return _path(path), f"must be at least {expected} characters (it has {len(value)})"
    if kind == "maxLength":
        return _path(path), f"must be {expected} characters or fewer (it has {len(value)})"
    if kind == "minItems":
        return _path(path), "must list at least one"
    if kind == "minProperties":
        return _path(path), "needs at least one language, like description.en"
    if kind == "anyOf":
        return _path(path), "must be text or a list of text"
    return _path(path), error.message


def publiccode_errors(document: dict) -> list[str]:
    """What is wrong with a (plain) document by the standard: one "key.path: problem" each,
    in the order of the file's keys."""
    found = {}
    for error in VALIDATOR.iter_errors(document):
        for path, problem in _messages(error):
            found.setdefault(path, f"{path}: {problem}")
    return list(found.values())


def primary_language(description: dict) -> str | None:
    """The description shown: English when there is one, otherwise the first in the file."""
    codes = list(description) if isinstance(description, dict) else []
    return next((c for c in codes if re.match(r"^en(-|$)", c, re.I)), codes[0] if codes else None)


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get((code or "").split("-")[0].lower(), code)


def comparable(document: dict) -> dict:
    """The part of a document the catalogue holds, as plain data with whitespace evened out:
    two documents that mean the same to the catalogue compare equal."""

    def even(value):
        if isinstance(value, dict):
            return {k: even(v) for k, v in value.items() if v not in (None, "", [], {})}
        if isinstance(value, list):
            return [even(v) for v in value]
        if isinstance(value, str):
            return " ".join(value.split())
        return value

    plain = _plain(document)
    held = {key: plain[key] for key in HELD_KEYS if key in plain}
    if isinstance(held.get("platforms"), str):
        held["platforms"] = [held["platforms"]]
    for section in (held.get("description") or {}).values():
        if isinstance(section, dict):
            section.pop("genericName", None)  # deprecated since 0.4: not exported
    return even(held)


# --- Import ---------------------------------------------------------------------------------------


def _text(value) -> str:
    return " ".join(str(value).split()) if isinstance(value, str) else ""


def _extension(extension: dict, errors: list[str], software_type: str, status: str, maint: str):
    fields = {}

    def choice(key, choices):
        value = extension.get(key) or ""
        if value and (not isinstance(value, str) or value not in choices.values):
            errors.append(f"{EXTENSION}.{key}: must be one of " + ", ".join(choices.values))
            return ""
        return value

    kind = choice("kind", Kind)
    fields["kind"] = kind or TYPE_TO_KIND.get(software_type, Kind.SOFTWARE)
    maturity = choice("maturity", Maturity)
    if maturity == Maturity.RETIRED:
        maturity = Maturity.RETIRING  # retiring needs a reason, given by staff on the page
    fields["maturity"] = maturity or STATUS_TO_MATURITY.get(status, Maturity.CONCEPT)
    cost = choice("costModel", CostModel)
    fields["cost_model"] = cost or (CostModel.PAID if maint == "contract" else CostModel.FREE)
    fields["hosting"] = choice("hosting", Hosting) or Hosting.SELF_HOSTED
    fields["theme"] = choice("theme", Theme)
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
    maintainer = extension.get("maintainer")
    if maintainer is not None and not isinstance(maintainer, str):
        errors.append(f"{EXTENSION}.maintainer: must be text")
        maintainer = ""
    fields["_maintainer"] = _text(maintainer)
    return fields


def publiccode_parse(text) -> dict:
    """Component fields (as component_submit takes them) from publiccode.yml text, with
    `publiccode` (what the catalogue holds beyond them) and `publiccode_original` (the file)."""
    original = text.decode("utf-8", "replace") if isinstance(text, bytes) else (text or "")
    data = _plain(_load(text))
    errors = publiccode_errors(data)
    description = data.get("description") if isinstance(data.get("description"), dict) else {}
    language = primary_language(description)
    section = description.get(language) if language else None
    section = section if isinstance(section, dict) else {}
    legal = data.get("legal") if isinstance(data.get("legal"), dict) else {}
    maintenance = data.get("maintenance") if isinstance(data.get("maintenance"), dict) else {}

    licence = licence_normalise(_text(legal.get("license")))
    if licence and not licence_is_valid(licence):
        errors.append("legal.license: must be an SPDX identifier, like MIT or EUPL-1.2")
    extension = data.get(EXTENSION)
    if extension is not None and not isinstance(extension, dict):
        errors.append(f"{EXTENSION}: must be a mapping of keys")
    status, software_type = data.get("developmentStatus"), data.get("softwareType")
    fields = _extension(
        extension if isinstance(extension, dict) else {},
        errors,
        software_type if isinstance(software_type, str) else "",
        status if isinstance(status, str) else "",
        maintenance.get("type") if isinstance(maintenance.get("type"), str) else "",
    )
    owner = _text(legal.get("repoOwner")) or _text(legal.get("mainCopyrightOwner"))
    maintainer_name = fields.pop("_maintainer") or owner
    for path, value, limit in (
        ("name", data.get("name"), 150),
        (f"description.{language}.localisedName", section.get("localisedName"), 150),
        ("legal.repoOwner", maintainer_name, 200),
        ("url", data.get("url"), 500),
    ):
        if isinstance(value, str) and len(value.strip()) > limit:
            errors.append(f"{path}: must be {limit} characters or fewer for the catalogue")
    if errors:
        raise PubliccodeError(errors)

    maintainer = None
    if maintainer_name:
        maintainer = Organisation.objects.filter(name__iexact=maintainer_name).first()
    url = data["url"].strip()
    documentation = section.get("documentation") or ""
    fields.update(
        name=_text(section.get("localisedName")) or _text(data["name"]),
        summary=_text(section.get("shortDescription")),
        description=section.get("longDescription", "").strip(),
        source_url=url if re.match(WEB_URL, url) else "",
        documentation_url=documentation if re.match(WEB_URL, documentation) else "",
        licence=licence,
        maintainer=maintainer,
        maintainer_name="" if maintainer else maintainer_name,
    )
    document = {key: data[key] for key in HELD_KEYS if key in data}
    if isinstance(document["platforms"], str):
        document["platforms"] = [document["platforms"]]
    fields["publiccode"] = {
        "version": data["publiccodeYmlVersion"],
        "language": language,
        "document": document,
    }
    fields["publiccode_original"] = original.lstrip("\ufeff")
    return fields


# --- Export ---------------------------------------------------------------------------------------


class ExportRefused(DomainError):
    """The standard needs something the catalogue does not hold: each reason names its key."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__(
            "This component cannot be written as a valid publiccode.yml: " + "; ".join(reasons),
            field="publiccode",
            status=409,
            code="conflict",
        )


def publiccode_document(component: Component) -> dict:
    """The component as a publiccode.yml document (a dict); ExportRefused if the standard
    needs something the catalogue does not hold. What it returns passes publiccode_errors."""
    held = dict((component.publiccode or {}).get("document") or {})
    language = (component.publiccode or {}).get("language") or "en"
    reasons = []
    url = component.source_url or held.get("url") or ""
    if not url:
        reasons.append("url: the component has no source code repository")
    for key, why in (
        ("platforms", "the platforms it runs on are not recorded"),
        ("maintenance", "who maintains it (and how to contact them) is not recorded"),
    ):
        if not held.get(key):
            reasons.append(f"{key}: {why}")
    if not component.licence:
        reasons.append("legal.license: the component has no licence recorded")
    prefix = f"description.{language}"
    if len(component.summary) > SHORT_DESCRIPTION_MAX:
        reasons.append(
            f"{prefix}.shortDescription: the summary is longer than {SHORT_DESCRIPTION_MAX} "
            "characters"
        )
    if not LONG_DESCRIPTION_MIN <= len(component.description) <= LONG_DESCRIPTION_MAX:
        reasons.append(
            f"{prefix}.longDescription: the description must be {LONG_DESCRIPTION_MIN} to "
            f"{LONG_DESCRIPTION_MAX} characters long"
        )
    if reasons:
        raise ExportRefused(reasons)

    descriptions = {k: dict(v) for k, v in (held.get("description") or {}).items()}
    section = descriptions.setdefault(language, {})
    section.pop("genericName", None)  # deprecated since 0.4
    for other in descriptions.values():
        other.pop("genericName", None)
    section["shortDescription"] = component.summary
    section["longDescription"] = component.description
    if component.documentation_url:
        section["documentation"] = component.documentation_url
    else:
        section.pop("documentation", None)
    name = held.get("name") or component.name
    if section.get("localisedName") or name != component.name:
        section["localisedName"] = component.name
    status = held.get("developmentStatus")
    if STATUS_TO_MATURITY.get(status) != component.maturity:
        status = MATURITY_TO_STATUS[component.maturity]
    software_type = held.get("softwareType") or KIND_TO_TYPE[component.kind]
    legal = {**(held.get("legal") or {}), "license": component.licence}
    maintainer = component.maintainer_display
    if maintainer and maintainer not in (legal.get("repoOwner"), legal.get("mainCopyrightOwner")):
        legal["repoOwner"] = maintainer
    localisation = held.get("localisation") or {
        "localisationReady": False,
        "availableLanguages": list(descriptions),
    }
    document = {"publiccodeYmlVersion": EXPORT_VERSION, "name": name, "url": url}
    for key in ("landingURL", "softwareVersion", "releaseDate"):
        if held.get(key):
            document[key] = held[key]
    document["platforms"] = held["platforms"]
    for key in ("categories", "usedBy"):
        if held.get(key):
            document[key] = held[key]
    document.update(
        developmentStatus=status,
        softwareType=software_type,
        description=descriptions,
        legal=legal,
        maintenance=held["maintenance"],
        localisation=localisation,
    )
    if held.get("dependsOn"):
        document["dependsOn"] = held["dependsOn"]
    extension = {
        "kind": component.kind,
        "maturity": component.maturity,
        "costModel": component.cost_model,
        "hosting": component.hosting,
        "theme": component.theme or None,
        "serviceAreas": [a.slug for a in component.service_areas.order_by("slug")] or None,
        "maintainer": maintainer or None,
    }
    document[EXTENSION] = {k: v for k, v in extension.items() if v is not None}
    errors = publiccode_errors(document)
    if errors:
        raise ExportRefused(errors)
    return document


def publiccode_dump(component: Component) -> str:
    """The component as publiccode.yml text; ExportRefused says why when it cannot be."""
    document = publiccode_document(component)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def publiccode_refusal(component: Component) -> list[str]:
    """Why the component cannot be exported (empty if it can): for its page."""
    try:
        publiccode_document(component)
    except ExportRefused as refused:
        return refused.reasons
    return []
