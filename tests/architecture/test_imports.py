"""The shape of the code (docs/adr/0007-sector-app-and-dependency-rule.md): no module imports
itself back through others, imports made inside functions say why, and no app is loaded by
name. `make lint` (import-linter) checks which layer may import which."""

import re

from tests.architecture.imports import BASE_DIR, cycles, imports, modules


def test_no_two_modules_import_each_other_at_file_level():
    found = cycles([i for i in imports() if i.top_level])
    assert found == [], f"import cycles: {found}"


def test_every_import_inside_a_function_says_why():
    unexplained = sorted(
        f"{i.module}:{i.line} imports {i.target}"
        for i in imports()
        if not i.top_level and not i.commented
    )
    assert unexplained == []


def test_no_module_loads_another_by_its_name():
    """Sections, demo data and figures are registered by their apps (institute.registry); a
    module that imported an app by a string would hide a dependency from import-linter."""
    allowed = {"institute.registry"}  # imports what the apps registered, by the path they gave
    pattern = re.compile(r"\bimport_module\(|\bimport_string\(|__import__\(")
    found = [
        name
        for name, path in modules().items()
        if name not in allowed and pattern.search(path.read_text())
    ]
    assert found == []


def test_the_checks_see_the_whole_project():
    found = modules()
    assert {"institute.sector.panels", "backlog.services", "centres.selectors"} <= set(found)
    assert all(path.is_relative_to(BASE_DIR) for path in found.values())
