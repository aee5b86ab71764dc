"""What the apps built on the core add to it, said from their own `AppConfig.ready()`.

The core (`institute/` outside `institute/sector/`) never imports or names a capability app.
An app that adds a section to a page it does not own, has demo data to load, or writes rows
that the sector's figures count, registers it here when Django starts; the page, the command
or the sector app then finds it here. Registration order does not matter: sections carry their
own place on the page.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal
from django.utils.module_loading import import_string

# --- Sections of pages that other apps own ----------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One app's part of a page: `build(obj, user)` gives the template's context (None: nothing
    to show). `depends` names the cached-part versions (institute.fragments) it is built from,
    so a page that caches its sections knows when to render them again."""

    page: str
    order: int
    template: str
    build: Callable
    depends: tuple[str, ...] = ()


_sections: dict[str, list[Section]] = {}


def section(page: str, *, order: int, template: str, build: Callable, depends=()) -> None:
    """Add a section to a page: "organisation" (an organisation's page and council profile) or
    "problem" (a problem's page)."""
    entries = _sections.setdefault(page, [])
    entries[:] = [s for s in entries if s.template != template]  # ready() may run twice
    entries.append(Section(page, order, template, build, tuple(depends)))
    entries.sort(key=lambda s: s.order)


def sections(page: str) -> list[Section]:
    return list(_sections.get(page, ()))


def sections_render(page: str, obj, user) -> list[dict]:
    """Each registered section's context for this object and viewer, in page order, with its
    template; sections with nothing to show are left out."""
    rendered = []
    for entry in sections(page):
        context = entry.build(obj, user)
        if context:
            rendered.append({"template": entry.template, **context})
    return rendered


# --- Demo data ---------------------------------------------------------------------------------

_demo_seeders: dict[str, int] = {}


def demo_seeder(path: str, *, order: int) -> None:
    """A module with `seed() -> dict` that `manage.py seed_demo` runs, lowest order first (the
    core's people come first). The module is imported only when the command runs."""
    _demo_seeders[path] = order


def demo_seed_functions() -> list[tuple[str, Callable]]:
    return [
        (path, import_string(f"{path}.seed"))
        for path, _ in sorted(_demo_seeders.items(), key=lambda item: item[1])
    ]


# --- The sector's figures -----------------------------------------------------------------------

# Sent (after the transaction commits) when rows that the sector's per-council figures count
# were written. The sector app listens; the apps that write the rows do not know it does.
figures_changed = Signal()


def figures_changed_on_commit() -> None:
    """Announce, once the current transaction commits, that the sector's figures changed: for
    writes the model signals do not see (bulk updates, SQL)."""
    transaction.on_commit(lambda: figures_changed.send(sender=None))


def _written(sender, **kwargs):
    figures_changed_on_commit()


def figures_depend_on(*models) -> None:
    """Every save or delete of these models changes the sector's figures."""
    for model in models:
        label = model._meta.label
        post_save.connect(_written, sender=model, weak=False, dispatch_uid=f"figures-{label}")
        post_delete.connect(_written, sender=model, weak=False, dispatch_uid=f"figures-d-{label}")


# --- One search across the service ----------------------------------------------------------------


@dataclass(frozen=True)
class SearchKind:
    """One kind of thing the service search finds. `rows(terms=)` gives a queryset ranked by
    `institute.search.ranked` of what everyone may see that matches; `drafts(user=, terms=)`,
    if given, the same of the drafts `user` may work on (None when there are none they may,
    decided without a query); `url(key)` the address of one result from its key; `depends`,
    the cached-part versions (institute.fragments) whose bump changes what `rows` finds."""

    kind: str
    label: str
    plural: str
    order: int
    rows: Callable
    url: Callable
    depends: tuple[str, ...] = ()
    drafts: Callable | None = None


_search_kinds: dict[str, SearchKind] = {}


def search_kind(
    kind: str, *, label: str, plural: str, order: int, rows, url, depends=(), drafts=None
) -> None:
    """Add a kind of result to the service search (`/search/`)."""
    _search_kinds[kind] = SearchKind(kind, label, plural, order, rows, url, tuple(depends), drafts)


def search_kinds() -> list[SearchKind]:
    return sorted(_search_kinds.values(), key=lambda entry: entry.order)


# --- Role homes: what each person has to do ---------------------------------------------------


@dataclass(frozen=True)
class Home:
    """What a role home's sections are built from (registered with `section("home:<role>")`):
    the person's organisation, and when they last opened their home (None: never), for "changed
    since your last visit"."""

    organisation: object
    since: object = None


@dataclass(frozen=True)
class WorkWaiting:
    """One line of institute staff's "work waiting" list: `count()` gives (how many, when the
    oldest arrived or None), in one query; `url` is the URL name of the queue that holds them,
    and `query` the filter that queue needs to show only them ("status=failed")."""

    key: str
    order: int
    label: str
    url: str
    count: Callable
    query: str = ""


_work_waiting: dict[str, WorkWaiting] = {}


def work_waiting(
    key: str, *, order: int, label: str, url: str, count: Callable, query: str = ""
) -> None:
    """Add a line to institute staff's work-waiting list on their home page."""
    _work_waiting[key] = WorkWaiting(key, order, label, url, count, query)


def work_waiting_entries() -> list[WorkWaiting]:
    return sorted(_work_waiting.values(), key=lambda entry: entry.order)
