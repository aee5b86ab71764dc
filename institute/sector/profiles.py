"""A council beside councils like it: its per-council figures and the medians of councils of
its type, of its region and (when a set is chosen) of its statistical nearest neighbours, from
the rows the dashboards read.

Every current council's figures are read in one query and kept in the cache until the next
refresh of those rows (`FIGURES_VERSION`, which the refresh bumps and then warms): a profile
is then worked out in Python from 317 rows, with no query but the council itself (and its
comparison group, when one is chosen)."""

from statistics import median

from django.db import connection

from institute import fragments
from institute.models import Organisation
from institute.sector.figures import ACTIVE_DAYS, FIGURES_VERSION, MEMBERS, SELECTION, rows
from institute.sector.models import ComparisonGroupSet
from institute.sector.panels import Table

PROFILE_METRICS = [
    ("problems_submitted", "Problems raised", "cs.problems_submitted", False),
    ("problems_affected", "Problems it has", "cs.problems_affected", False),
    ("officer_votes", "Officers' votes", "cs.officer_votes", False),
    (
        "adopting",
        "Components explored, piloted or in use",
        "cs.adoptions_exploring + cs.adoptions_piloting + cs.adoptions_in_use",
        False,
    ),
    ("in_use", "Components in use", "cs.adoptions_in_use", False),
    ("standards_adopted", "Standards adopted", "cardinality(cs.standards_adopted_ids)", True),
    ("standards_in_progress", "Standards being assessed", "cs.standards_in_progress", True),
    ("projects", "Centre projects", "cardinality(cs.project_ids)", False),
    ("learning", "Published learning it took part in", "cardinality(cs.learning_ids)", False),
    ("active_users", f"People active in the last {ACTIVE_DAYS} days", "cs.active_users", False),
]


def profile_rows() -> list[tuple]:
    """(organisation id, council type, region, each PROFILE_METRICS figure) for every council
    with a row: one query, then from the cache until the rows are next refreshed."""
    exprs = ", ".join(expr for _, _, expr, _ in PROFILE_METRICS)

    def read():
        return [
            tuple(row)
            for row in rows(
                f"SELECT cs.organisation_id, o.council_type, o.region, {exprs} "  # noqa: S608
                f"FROM {SELECTION} ORDER BY cs.organisation_id"
            )
        ]

    key = f"profile-rows:{connection.settings_dict['NAME']}"
    return fragments.cached(key, (FIGURES_VERSION,), read)


def _group_members(group_set: ComparisonGroupSet | None, organisation: Organisation) -> set[int]:
    if group_set is None:
        return set()
    found = rows(
        f"SELECT m.comparator_id FROM {MEMBERS} m "  # noqa: S608
        "WHERE m.group_set_id = %s AND m.council_id = %s",
        [group_set.pk, organisation.pk],
    )
    return {comparator for (comparator,) in found}


def council_comparison(
    organisation: Organisation, *, show_standards: bool, group_set: ComparisonGroupSet | None = None
) -> dict:
    """The council's figures beside the median of councils of its type and of its region
    ("councils like mine") and, when a set of comparison groups is chosen, of the councils it
    is compared with in that set: from the cached summary rows (and one query for the group)."""
    group = _group_members(group_set, organisation)
    found = profile_rows()
    found = [(*row, row[0] in group) for row in found]
    mine = next((r for r in found if r[0] == organisation.pk), None)
    same_type = [r for r in found if r[1] == organisation.council_type]
    same_region = [r for r in found if r[2] == organisation.region]
    in_group = [r for r in found if r[-1]]
    table_rows = []
    for i, (_key, label, _expr, is_standards) in enumerate(PROFILE_METRICS, start=3):
        if is_standards and not show_standards:
            continue
        row = [
            label,
            mine[i] if mine else 0,
            _median([r[i] for r in same_type]),
            _median([r[i] for r in same_region]),
        ]
        if group_set is not None:
            row.append(_median([r[i] for r in in_group]))
        table_rows.append(row)
    type_label = organisation.get_council_type_display() or "council"
    region_label = organisation.get_region_display() or "region"
    headers = [
        "Measure",
        organisation.name,
        f"Median, {type_label.lower()}s ({len(same_type)})",
        f"Median, {region_label} ({len(same_region)})",
    ]
    summary = (
        f"{organisation.name} beside the median of {len(same_type)} "
        f"{type_label.lower()}s and of {len(same_region)} councils in {region_label}"
    )
    if group_set is not None:
        headers.append(f"Median, {group_set.name} ({len(in_group)})")
        summary += (
            f", and of the {len(in_group)} councils it is compared with in {group_set.name}"
            if in_group
            else f"; {group_set.name} gives it no comparison group"
        )
    table = Table(
        slug="profile",
        caption=f"{organisation.name} compared with councils like it",
        headers=headers,
        rows=table_rows,
        summary=summary + ".",
    )
    return {"table": table, "has_stats": mine is not None, "in_group": len(in_group)}


def _median(values) -> float | int:
    """To one decimal place, and a whole number as one ("2", not "2.0" beside a council's 2)."""
    value = round(median(values), 1) if values else 0
    return int(value) if value == int(value) else value
