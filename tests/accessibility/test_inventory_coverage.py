"""The accessibility inventory covers every URL pattern of the project (no browser, no database):
a new page fails here until it is added to the inventory or excluded with a reason."""

from django.urls import URLPattern, URLResolver, get_resolver

from tests.accessibility.inventory import (
    ENTRIES,
    EXCLUDED,
    EXCLUDED_NAMESPACES,
    ROLES,
    Choose,
    Press,
    Submit,
    Type,
)

# Routes that exist only under a setting the tests do not turn on.
CONDITIONAL = {"bench_bare": "BENCHMARK_VIEWS: `make bench`'s bare view, never in production"}


def _patterns(resolver=None, namespaces=()):
    """(qualified name or None, route, namespaces) for every pattern, recursively."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from _patterns(pattern, inner)
        elif isinstance(pattern, URLPattern):
            name = ":".join((*namespaces, pattern.name)) if pattern.name else None
            yield name, str(pattern.pattern), namespaces


def _in_excluded_namespace(namespaces) -> bool:
    return bool(namespaces) and namespaces[0] in EXCLUDED_NAMESPACES


def test_every_named_url_pattern_is_in_the_inventory_or_excluded_with_a_reason():
    inventory = {entry.name for entry in ENTRIES}
    covered = inventory | {name for entry in ENTRIES for name in entry.covers}
    missing = sorted(
        name
        for name, _, namespaces in _patterns()
        if name
        and not _in_excluded_namespace(namespaces)
        and name not in covered
        and name not in EXCLUDED
        and name not in CONDITIONAL
    )
    assert missing == [], (
        "URL patterns neither in tests/accessibility/inventory.py ENTRIES nor in EXCLUDED "
        f"(add a page entry for each role that sees it, or a specific reason): {missing}"
    )


def test_every_url_pattern_outside_the_admin_has_a_name():
    unnamed = [
        route
        for name, route, namespaces in _patterns()
        if name is None and not _in_excluded_namespace(namespaces)
    ]
    assert unnamed == [], f"Name these patterns so the inventory can refer to them: {unnamed}"


def test_the_inventory_and_exclusions_name_only_real_patterns_once():
    real = {name for name, _, _ in _patterns() if name}
    named = {entry.name for entry in ENTRIES} | {n for entry in ENTRIES for n in entry.covers}
    assert sorted(named - real) == [], "inventory entries for patterns that do not exist"
    assert sorted(set(EXCLUDED) - real) == [], "stale exclusions: the pattern is gone"
    assert sorted(named & set(EXCLUDED)) == [], "both in the inventory and excluded"
    assert all(reason.strip() for reason in [*EXCLUDED.values(), *CONDITIONAL.values()])
    namespaces = {ns[0] for _, _, ns in _patterns() if ns}
    assert set(EXCLUDED_NAMESPACES) <= namespaces


def test_every_inventory_entry_is_well_formed():
    labels = [entry.label for entry in ENTRIES]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    assert duplicates == [], f"give each visit of the same page a distinct state: {duplicates}"
    for entry in ENTRIES:
        assert entry.role in ROLES, entry.label
        assert entry.action is None or isinstance(entry.action, Submit | Type | Choose | Press)
        assert entry.covers == () or entry.action is not None, (
            f"{entry.label}: only an interaction can cover another pattern"
        )
    # Every role is checked, and every role has empty states and error states somewhere.
    assert {entry.role for entry in ENTRIES} == set(ROLES)
    assert any(entry.empty for entry in ENTRIES)
    assert any(isinstance(entry.action, Submit) for entry in ENTRIES)
    assert {entry.status for entry in ENTRIES} >= {200, 400, 403, 404}
