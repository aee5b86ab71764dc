"""Which councils a sector page describes, and the SQL that selects their per-council rows.

Every page of the sector reads `CouncilStats` (one row per current council, refreshed from
every app by `refresh.aggregates_refresh`), never the vote, demand or adoption tables.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import connection

from institute.models import CouncilType, Organisation, OrganisationKind, Region
from institute.sector.models import ComparisonGroupMember, CouncilStats

ACTIVE_DAYS = 90  # a council is engaged when one of its people signed in this recently

STATS = CouncilStats._meta.db_table
ORGANISATIONS = Organisation._meta.db_table
MEMBERS = ComparisonGroupMember._meta.db_table
# The cached-part version (institute.fragments) that every refresh of the per-council rows bumps:
# what is kept from them is read afresh after it.
FIGURES_VERSION = "sector-figures"
# The per-council rows (`cs`) with their councils (`o`).
SELECTION = f"{STATS} cs JOIN {ORGANISATIONS} o ON o.id = cs.organisation_id"


@dataclass(frozen=True)
class Filters:
    """Which councils a dashboard describes: all of them when every field is empty."""

    region: str = ""
    council_type: str = ""
    strategic_authority: str = ""  # the strategic authority's slug
    # A council and the councils it is compared with in a set of comparison groups (the set's
    # id): both or neither.
    group: str = ""
    council: str = ""

    @classmethod
    def from_query(cls, query, sa_slugs, group_ids=(), council_slugs=()) -> "Filters":
        """Valid values only: a hand-edited URL with a bad value is ignored, never an error."""

        def pick(name, allowed):
            value = (query.get(name) or "").strip()
            return value if value in allowed else ""

        group, council = pick("group", set(group_ids)), pick("council", set(council_slugs))
        if not (group and council):
            group = council = ""
        return cls(
            region=pick("region", set(Region.values)),
            council_type=pick("council_type", set(CouncilType.values)),
            strategic_authority=pick("strategic_authority", set(sa_slugs)),
            group=group,
            council=council,
        )

    @property
    def active(self) -> bool:
        return any(self.__dict__.values())

    def query(self) -> str:
        return urlencode(
            [(k, v) for k, v in self.__dict__.items() if v]  # field order: stable URLs
        )

    @property
    def key(self) -> str:
        """The snapshot key: trends are kept for all councils and each single filter."""
        return self.query()

    @property
    def has_trend(self) -> bool:
        return sum(bool(v) for v in self.__dict__.values()) <= 1

    def describe(self, sa_names: dict, group_names=None, council_names=None) -> str:
        parts = []
        if self.group:
            council = (council_names or {}).get(self.council, self.council)
            group = (group_names or {}).get(self.group, "")
            parts.append(f"{council} and its comparison group ({group})")
        if self.region:
            parts.append(Region(self.region).label)
        if self.council_type:
            parts.append(CouncilType(self.council_type).label.lower() + "s")
        if self.strategic_authority:
            parts.append(sa_names.get(self.strategic_authority, self.strategic_authority))
        return ", ".join(parts) if parts else "all councils in England"


def strategic_authorities() -> dict[str, tuple[int, str]]:
    """slug -> (id, name) of current strategic authorities: one query."""
    return {
        slug: (pk, name)
        for pk, slug, name in Organisation.objects.current()
        .filter(kind=OrganisationKind.STRATEGIC_AUTHORITY)
        .order_by("name")
        .values_list("pk", "slug", "name")
    }


def where(filters: Filters, sas: dict) -> tuple[str, list]:
    """SQL on `o` (the organisations of SELECTION) choosing the filtered councils."""
    clauses, params = ["TRUE"], []
    if filters.region:
        clauses.append("o.region = %s")
        params.append(filters.region)
    if filters.council_type:
        clauses.append("o.council_type = %s")
        params.append(filters.council_type)
    if filters.strategic_authority:
        clauses.append("o.strategic_authority_id = %s")
        params.append(sas[filters.strategic_authority][0])
    if filters.group:
        # The council itself, and its comparators in the chosen set.
        clauses.append(
            f"(o.slug = %s OR o.id IN (SELECT m.comparator_id FROM {MEMBERS} m "  # noqa: S608
            f"JOIN {ORGANISATIONS} c ON c.id = m.council_id "
            "WHERE m.group_set_id = %s AND c.slug = %s))"
        )
        params += [filters.council, int(filters.group), filters.council]
    return " AND ".join(clauses), params


def rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchall()
