"""The publiccode.yml standard as one declarative table: a JSON Schema checked with `jsonschema`.

Written for this project from the standard's reference text ("The Standard (core)",
https://yml.publiccode.tools/schema.core.html, and its list of categories,
https://yml.publiccode.tools/categories-list.html; the standard is published by the
publiccodeyml organisation under the EUPL-1.2). The standard publishes no JSON Schema of its
own, so this table is ours: when the standard changes, change it here, and the examples in
tests/components/fixtures/publiccode/ say whether it still accepts what it should.

Versions: every published 0.x is accepted ("0.2", "0.3", "0.4", their ".N" patch forms, and
"0", which means the latest 0.x). Where the versions differ the table takes the later rule and
stays lenient about what later versions dropped: `genericName` (required before 0.4, deprecated
since) is accepted but not required; `categories` and `releaseDate` are optional (a
`softwareVersion` needs a `releaseDate`); `features` is optional.

Only the keys the standard defines are checked. Other keys (country sections such as `it`,
this project's `ukLocalGov`, future keys) are allowed and kept in the original file.
"""

VERSIONS = ("0", "0.2", "0.2.0", "0.2.1", "0.2.2", "0.3", "0.3.0", "0.4", "0.4.0")
EXPORT_VERSION = "0.4"

CATEGORIES = (
    "accounting", "agile-project-management", "applicant-tracking", "application-development",
    "appointment-scheduling", "backup", "billing-and-invoicing", "blog", "budgeting",
    "business-intelligence", "business-process-management", "cad", "call-center-management",
    "cloud-management", "collaboration", "communications", "compliance-management",
    "contact-management", "content-management", "crm", "customer-service-and-support",
    "data-analytics", "data-collection", "data-visualization", "digital-asset-management",
    "digital-citizenship", "document-management", "donor-management", "e-commerce",
    "e-signature", "email-management", "email-marketing", "employee-management",
    "enterprise-project-management", "enterprise-social-networking", "erp", "event-management",
    "facility-management", "feedback-and-reviews-management", "financial-reporting",
    "fleet-management", "fundraising", "gamification", "geographic-information-systems",
    "grant-management", "graphic-design", "help-desk", "hr", "ide", "identity-management",
    "instant-messaging", "inventory-management", "it-asset-management", "it-development",
    "it-management", "it-security", "it-service-management", "knowledge-management",
    "learning-management-system", "marketing", "mind-mapping", "mobile-marketing",
    "mobile-payment", "network-management", "office", "online-booking", "online-community",
    "payment-gateway", "payroll", "predictive-analysis", "procurement", "productivity-suite",
    "project-collaboration", "project-management", "property-management",
    "real-estate-management", "remote-support", "resource-management", "sales-management",
    "seo", "service-desk", "social-media-management", "survey", "talent-management",
    "task-management", "taxes-management", "test-management", "time-management",
    "time-tracking", "translation", "video-conferencing", "video-editing",
    "visitor-management", "voip", "warehouse-management", "web-collaboration",
    "web-conferencing", "website-builder", "whistleblowing", "workflow-management",
)  # fmt: skip
DEVELOPMENT_STATUSES = ("concept", "development", "beta", "stable", "obsolete")
SOFTWARE_TYPES = (
    "standalone/mobile", "standalone/iot", "standalone/desktop", "standalone/web",
    "standalone/backend", "standalone/other", "addon", "library", "configurationFiles",
)  # fmt: skip
MAINTENANCE_TYPES = ("internal", "contract", "community", "none")
SHORT_DESCRIPTION_MAX = 150
LONG_DESCRIPTION_MIN = 150
LONG_DESCRIPTION_MAX = 10000
# BCP 47: a primary language subtag, then optional subtags.
LANGUAGE = r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$"
URL = r"^(https?|git)://[^\s/$.?#][^\s]*$"
WEB_URL = r"^https?://[^\s/$.?#][^\s]*$"
DATE = r"^\d{4}-\d{2}-\d{2}$"

_text = {"type": "string", "minLength": 1}
_texts = {"type": "array", "items": _text}
_url = {"type": "string", "pattern": URL}
_web_url = {"type": "string", "pattern": WEB_URL}
_date = {"type": "string", "pattern": DATE}
_contact = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": _text,
        "email": {"type": "string", "pattern": r"^[^@\s]+@[^@\s]+$"},
        "phone": {"type": "string"},
        "affiliation": {"type": "string"},
    },
}
_contractor = {
    "type": "object",
    "required": ["name", "until"],
    "properties": {"name": _text, "until": _date, "email": {"type": "string"}, "website": _url},
}
_dependency = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": _text,
        "versionMin": {"type": "string"},
        "versionMax": {"type": "string"},
        "version": {"type": "string"},
        "optional": {"type": "boolean"},
    },
}
_dependencies = {"type": "array", "items": _dependency}
_description = {
    "type": "object",
    "required": ["shortDescription", "longDescription"],
    "properties": {
        "localisedName": _text,
        "genericName": {"type": "string", "maxLength": 35},
        "shortDescription": {"type": "string", "minLength": 1, "maxLength": SHORT_DESCRIPTION_MAX},
        "longDescription": {
            "type": "string",
            "minLength": LONG_DESCRIPTION_MIN,
            "maxLength": LONG_DESCRIPTION_MAX,
        },
        "documentation": _url,
        "apiDocumentation": _url,
        "features": _texts,
        "screenshots": _texts,
        "videos": {"type": "array", "items": _url},
        "awards": _texts,
    },
}

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": [
        "publiccodeYmlVersion",
        "name",
        "url",
        "platforms",
        "developmentStatus",
        "softwareType",
        "description",
        "legal",
        "maintenance",
        "localisation",
    ],
    "dependentRequired": {"softwareVersion": ["releaseDate"]},
    "properties": {
        "publiccodeYmlVersion": {"type": "string", "enum": list(VERSIONS)},
        "name": _text,
        "applicationSuite": {"type": "string"},
        "url": _url,
        "landingURL": _web_url,
        "isBasedOn": {"anyOf": [_url, {"type": "array", "items": _url}]},
        "softwareVersion": {"type": "string"},
        "releaseDate": _date,
        "logo": {"type": "string"},
        "monochromeLogo": {"type": "string"},
        "platforms": {"anyOf": [_text, {"type": "array", "minItems": 1, "items": _text}]},
        "categories": {"type": "array", "items": {"type": "string", "enum": list(CATEGORIES)}},
        "usedBy": _texts,
        "roadmap": _url,
        "developmentStatus": {"type": "string", "enum": list(DEVELOPMENT_STATUSES)},
        "softwareType": {"type": "string", "enum": list(SOFTWARE_TYPES)},
        "intendedAudience": {
            "type": "object",
            "properties": {"countries": _texts, "unsupportedCountries": _texts, "scope": _texts},
        },
        "description": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": LANGUAGE},
            "additionalProperties": _description,
        },
        "legal": {
            "type": "object",
            "required": ["license"],
            "properties": {
                "license": _text,
                "mainCopyrightOwner": {"type": "string"},
                "repoOwner": {"type": "string"},
                "authorsFile": {"type": "string"},
            },
        },
        "maintenance": {
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": {"type": "string", "enum": list(MAINTENANCE_TYPES)},
                "contacts": {"type": "array", "items": _contact},
                "contractors": {"type": "array", "items": _contractor},
            },
            "allOf": [
                {
                    "if": {"properties": {"type": {"enum": ["internal", "community"]}}},
                    "then": {
                        "required": ["contacts"],
                        "properties": {"contacts": {"minItems": 1}},
                    },
                },
                {
                    "if": {"properties": {"type": {"const": "contract"}}},
                    "then": {
                        "required": ["contractors"],
                        "properties": {"contractors": {"minItems": 1}},
                    },
                },
            ],
        },
        "localisation": {
            "type": "object",
            "required": ["localisationReady", "availableLanguages"],
            "properties": {
                "localisationReady": {"type": "boolean"},
                "availableLanguages": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "string", "pattern": LANGUAGE},
                },
            },
        },
        "dependsOn": {
            "type": "object",
            "properties": {
                "open": _dependencies,
                "proprietary": _dependencies,
                "hardware": _dependencies,
            },
        },
    },
}
