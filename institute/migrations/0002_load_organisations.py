"""Load England's 317 principal councils, 20 strategic authorities, the national bodies and the
institute, plus the Surrey reorganisation of 1 April 2027 (see institute/data/README.md).

Idempotent: rows are matched by GSS code (or by slug where there is no code) and updated.
"""

import csv
import datetime
from pathlib import Path

from django.db import migrations
from django.utils.text import slugify

DATA = Path(__file__).resolve().parent.parent / "data"

REGIONS = {
    "North East": "E12000001",
    "North West": "E12000002",
    "Yorkshire and The Humber": "E12000003",
    "East Midlands": "E12000004",
    "West Midlands": "E12000005",
    "East of England": "E12000006",
    "London": "E12000007",
    "South East": "E12000008",
    "South West": "E12000009",
}

NATIONAL_BODIES = [
    (
        "Local Government Association",
        "local-government-association",
        "national_body",
        "https://www.local.gov.uk",
    ),
    (
        "Ministry of Housing, Communities and Local Government",
        "mhclg",
        "national_body",
        "https://www.gov.uk/government/organisations/ministry-of-housing-communities-local-government",
    ),
    (
        "Government Digital Service (Digital Centre of Government)",
        "digital-centre",
        "national_body",
        "https://www.gov.uk/government/organisations/government-digital-service",
    ),
    ("Local Digital Institute", "local-digital-institute", "institute", ""),
]

# Councils created on a known date since the 2023 reorganisation (ONS code lists).
VALID_FROM = {
    "E06000063": datetime.date(2023, 4, 1),  # Cumberland
    "E06000064": datetime.date(2023, 4, 1),  # Westmorland and Furness
    "E06000065": datetime.date(2023, 4, 1),  # North Yorkshire (unitary)
    "E06000066": datetime.date(2023, 4, 1),  # Somerset (unitary)
    "E08000038": datetime.date(2025, 4, 1),  # Barnsley, recoded after the boundary order
    "E08000039": datetime.date(2025, 4, 1),  # Sheffield, recoded after the boundary order
}

SURREY_COUNTY = "E10000030"
SURREY_CHANGE = datetime.date(2027, 4, 1)
EAST_SURREY = ["E07000207", "E07000208", "E07000210", "E07000211", "E07000215"]
WEST_SURREY = ["E07000209", "E07000212", "E07000213", "E07000214", "E07000216", "E07000217"]


def _unique_slug(Organisation, name, gss_code):
    slug = slugify(name)[:180]
    taken = Organisation.objects.filter(slug=slug).exclude(gss_code=gss_code).exists()
    return f"{slug}-{gss_code.lower()}" if taken and gss_code else slug


def load(apps, schema_editor):
    Organisation = apps.get_model("institute", "Organisation")

    authorities = {}
    with open(DATA / "strategic_authorities.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            region = REGIONS[row["region_name"].split(";")[0].strip()]
            slug = slugify(row["name"])
            org, _ = Organisation.objects.update_or_create(
                slug=slug,
                defaults={
                    "name": row["name"],
                    "kind": "strategic_authority",
                    "gss_code": row["gss_code"],
                    "region": region,
                    "description": f"Established {row['established']}; covers "
                    f"{row['region_name'].replace(';', ' and')}.",
                },
            )
            authorities[row["name"]] = org

    with open(DATA / "councils.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    councils = {}
    for row in rows:
        code = row["gss_code"]
        existing = Organisation.objects.filter(gss_code=code).first()
        fields = {
            "name": row["name"],
            "kind": "council",
            "council_type": row["council_type"],
            "region": row["region_code"],
            "strategic_authority": authorities.get(row["strategic_authority"])
            if row["strategic_authority"]
            else None,
            "valid_from": VALID_FROM.get(code),
        }
        if existing:
            for key, value in fields.items():
                setattr(existing, key, value)
            existing.save()
            councils[code] = existing
        else:
            councils[code] = Organisation.objects.create(
                gss_code=code, slug=_unique_slug(Organisation, row["name"], code), **fields
            )
    for row in rows:
        if row["parent_county_gss"]:
            council = councils[row["gss_code"]]
            council.parent_county = councils[row["parent_county_gss"]]
            council.save(update_fields=["parent_county"])

    for name, slug, kind, website in NATIONAL_BODIES:
        Organisation.objects.update_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "website": website}
        )

    # Surrey: two new unitary councils replace the county and its 11 districts.
    successors = {}
    for name, codes in (("East Surrey", EAST_SURREY), ("West Surrey", WEST_SURREY)):
        successors[name], _ = Organisation.objects.update_or_create(
            slug=slugify(name) + "-council",
            defaults={
                "name": f"{name} Council",
                "kind": "council",
                "council_type": "unitary",
                "region": "E12000008",
                "valid_from": SURREY_CHANGE,
                "description": "Unitary council taking over from Surrey County Council and the "
                "district councils in its area on 1 April 2027.",
            },
        )
        Organisation.objects.filter(gss_code__in=codes).update(
            valid_to=SURREY_CHANGE - datetime.timedelta(days=1), successor=successors[name]
        )
    # The county's area is split between the two, so it has no single successor.
    Organisation.objects.filter(gss_code=SURREY_COUNTY).update(
        valid_to=SURREY_CHANGE - datetime.timedelta(days=1)
    )


class Migration(migrations.Migration):
    dependencies = [("institute", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
