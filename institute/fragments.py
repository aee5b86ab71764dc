"""Rendered parts of pages, kept in the cache until a write changes what they show.

A detail page's costly parts that are the same for every viewer (a problem's councils and
timeline, a component's adopters) are rendered once and then served from the cache, so a view
of a popular page costs little more than the page around them. Each part names the *versions*
it is built from ("problem:42", "names"); a write that changes what a part shows bumps those
versions when its transaction commits, and a part rendered under an older version is never
served again (it is stored with the versions it was built from and checked against them).

Writes are caught here, in one place: model signals for every row that a cached part shows
(each app registers its models with `watch` below, from its AppConfig.ready()) and, for bulk
updates that send no signals, `bump()` in the service. Loading
data behind the ORM's back (a restore, the scale seeders) should call `invalidate_all()`.

Rules for a part: nothing that depends on the viewer goes in it, unless the viewer's variant
(for example "anonymous") is part of its key; and a part that depends on the clock says when
it stops being true (`valid_until`). If the cache is down, parts are rendered every time.
"""

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from institute.models import Membership, Organisation, ServiceArea, Succession, User

logger = logging.getLogger(__name__)

PART_KEY = "part:{}"
VERSION_KEY = "part-version:{}"
PART_SECONDS = 24 * 3600  # a bound on any part's life, whatever else happens
VERSION_SECONDS = 7 * 24 * 3600  # a forgotten version is recreated, and its parts re-rendered
EVERYTHING = "all"  # every part depends on it: invalidate_all()
# An organisation's own rows (its members, successions), by its address (its page's key).
ORGANISATION_VERSION = "organisation:{}"


def _token() -> str:
    return secrets.token_hex(8)


def bump(*names: str) -> None:
    """Change these versions, so the parts built from them are rendered afresh on their next
    view: once the current transaction commits (or at once, outside a transaction).

    Other transactions see the writes when they commit, so that is when the versions change
    for them: a view reads the versions before the rows, so whatever it caches under the old
    versions is retired by the bump after the commit, and it cannot read the new versions and
    the old rows. All of a transaction's bumps go to the cache in one call. The transaction's
    own later reads see its writes at once, so a page read in it first applies the bumps so
    far (`_flush_pending`)."""
    names = {name for name in names if name}
    if not names:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _apply(names)
        return
    pending = _pending(connection)
    if pending is None:
        # Django replaces its list of on-commit callbacks when a transaction ends or a
        # savepoint rolls back: the list tells whether this callback is still to run.
        committed, unflushed = set(), set()
        pending = (connection.run_on_commit, committed, unflushed)
        connection._parts_pending = pending

        def on_commit():
            _apply(committed)
            unflushed.clear()

        transaction.on_commit(on_commit)
    pending[1].update(names)
    pending[2].update(names)


def _pending(connection):
    """This transaction's pending bumps, or None; bumps left over from a rolled-back savepoint
    are applied (a reader in this transaction may still see their writes)."""
    pending = getattr(connection, "_parts_pending", None)
    if pending is None:
        return None
    if pending[0] is connection.run_on_commit and connection.in_atomic_block:
        return pending
    if pending[2]:
        _apply(set(pending[2]))
        pending[2].clear()
    connection._parts_pending = None
    return None


def _flush_pending() -> None:
    """Before this thread reads cached parts: apply its transaction's bumps so far."""
    connection = transaction.get_connection()
    pending = _pending(connection)
    if pending is not None and pending[2]:
        _apply(set(pending[2]))
        pending[2].clear()


def _apply(names) -> None:
    try:
        cache.set_many({VERSION_KEY.format(n): _token() for n in names}, VERSION_SECONDS)
    except Exception:  # the write stands; PART_SECONDS bounds what the cache can keep
        logger.warning("could not bump cached page parts %s", sorted(names), exc_info=True)


def invalidate_all() -> None:
    """Every cached part is rendered afresh (after loading data that sent no signals)."""
    bump(EVERYTHING)


@dataclass
class Part:
    """One cached part of a page: its key and the versions it is built from."""

    key: str
    depends: tuple[str, ...]
    # When what the part shows changes with the clock alone (an adoption goes stale after 12
    # months): called after rendering, it returns when the part stops being true, or None.
    valid_until: Callable[[], datetime | None] | None = None


class Parts:
    """The cached parts of one page, fetched together (one round trip to the cache) the first
    time a template asks for one of them with `{% cachedpart parts "name" %}`."""

    def __init__(self, **parts: Part):
        self.parts = parts
        self._cached = None  # name -> html, for parts whose versions match
        self._versions = {}

    def _load(self):
        _flush_pending()
        depends = sorted({d for part in self.parts.values() for d in (*part.depends, EVERYTHING)})
        keys = [PART_KEY.format(p.key) for p in self.parts.values()]
        keys += [VERSION_KEY.format(d) for d in depends]
        self._cached = {}
        try:
            found = cache.get_many(keys)
            for name in depends:
                key = VERSION_KEY.format(name)
                version = found.get(key)
                if version is None:  # never bumped, or forgotten: start one
                    version = _token()
                    if not cache.add(key, version, VERSION_SECONDS):
                        version = cache.get(key) or version
                self._versions[name] = version
        except Exception:
            logger.warning("cached page parts unavailable", exc_info=True)
            self._versions = None
            return
        for name, part in self.parts.items():
            entry = found.get(PART_KEY.format(part.key))
            if entry is not None and entry[0] == self._stamp(part):
                self._cached[name] = entry[1]

    def _stamp(self, part: Part) -> tuple:
        return tuple(self._versions[d] for d in (*part.depends, EVERYTHING))

    def get(self, name: str) -> str | None:
        """The part's html if cached under its current versions; None for a part this page
        does not cache for this viewer."""
        if name not in self.parts:
            return None
        if self._cached is None:
            self._load()
        return self._cached.get(name)

    def get_or_put(self, name: str, make):
        """The cached part, or `make()` cached as it (when this page caches it for this
        viewer)."""
        value = self.get(name)
        if value is None:
            value = make()
            self.put(name, value)
        return value

    def put(self, name: str, html: str) -> None:
        if name not in self.parts or self._versions is None:  # not shared, or no cache
            return
        part = self.parts[name]
        seconds = PART_SECONDS
        if part.valid_until is not None:
            until = part.valid_until()
            if until is not None:
                seconds = min(seconds, int((until - timezone.now()).total_seconds()))
        if seconds <= 0:
            return
        try:
            cache.set(PART_KEY.format(part.key), (self._stamp(part), html), seconds)
        except Exception:
            logger.warning("could not cache page part %s", part.key, exc_info=True)


def cached(key: str, depends: tuple[str, ...], compute: Callable):
    """A value (a list of choices, some figures) cached like a part of a page: computed afresh
    after a bump of any version it depends on. `compute` must not return None."""
    parts = Parts(value=Part(key, depends))
    value = parts.get("value")
    if value is None:
        value = compute()
        parts.put("value", value)
    return value


# --- What writes change ----------------------------------------------------------------------
# Each app says, from its AppConfig.ready(), which versions a saved or deleted row of its models
# changes (`watch`), which of its apps' pages depend on all of its rows (`watch_app`) and what
# a change of a many-to-many field of its models changes (`watch_m2m`). Rows changed by bulk
# updates (no signals) are bumped by their service instead.

_watched_apps: set[str] = set()
_m2m_owners: dict[str, Callable] = {}


def watch(model, versions_of: Callable) -> None:
    """A save or delete of a row of `model` bumps `versions_of(row)`."""
    receiver = _on_write(versions_of)
    label = model._meta.label
    post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"parts-{label}")
    post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"parts-d-{label}")


def watch_app(app_label: str) -> None:
    """Every write in the app bumps the version named after it: its pages depend on many of its
    rows, and other apps' pages show its work."""
    _watched_apps.add(app_label)
    receiver = _on_write(lambda row: [app_label])
    for model in apps.get_app_config(app_label).get_models():
        uid = f"parts-app-{model._meta.label}"
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}-d")


def watch_m2m(model, versions_of_ids: Callable) -> None:
    """A change of one of `model`'s many-to-many fields bumps `versions_of_ids(ids, row)`: the
    ids of the rows of `model` that changed, and the row itself when it is the one known."""
    _m2m_owners[model._meta.label] = versions_of_ids


def _on_write(versions_of):
    def receiver(sender, instance, **kwargs):
        bump(*versions_of(instance))

    return receiver


def _on_user_write(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # signing in changes nothing a page shows
    bump("names")


def _on_m2m(sender, instance, action, reverse, model, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if action == "post_clear" and reverse:
        invalidate_all()  # a reverse clear does not say which rows it changed
        return
    owner = model if reverse else type(instance)  # the model with the field
    ids = set(pk_set or ()) if reverse else {instance.pk}
    names = [sender._meta.app_label] if sender._meta.app_label in _watched_apps else []
    versions_of_ids = _m2m_owners.get(owner._meta.label)
    if versions_of_ids is not None:
        names += versions_of_ids(ids, None if reverse else instance)
    bump(*names)


def connect() -> None:
    """Connect the core's own receivers (from InstituteConfig.ready): names of people,
    organisations and service areas appear on many pages."""
    watch(Organisation, lambda row: ["names"])
    # An organisation's page shows how many people belong to it and whom it succeeds.
    watch(Membership, lambda row: [ORGANISATION_VERSION.format(row.organisation.slug)])
    watch(
        Succession,
        lambda row: [
            ORGANISATION_VERSION.format(row.predecessor.slug),
            ORGANISATION_VERSION.format(row.successor.slug),
        ],
    )
    watch(ServiceArea, lambda row: ["names"])
    post_save.connect(_on_user_write, sender=User, dispatch_uid="parts-user")
    post_delete.connect(_on_user_write, sender=User, dispatch_uid="parts-d-user")
    m2m_changed.connect(_on_m2m, dispatch_uid="parts-m2m")
