"""Every form of the service, found from the accessibility inventory (which covers every URL
pattern), and a picture of the database to tell whether submitting one changed anything a
person entered (tests/security/db_state.py, by contrast, notices any write at all: a saved
time, an audit line)."""

from django.apps import apps
from django.db import models
from django.urls import Resolver404, resolve

from tests.accessibility import seed
from tests.accessibility.inventory import ANONYMOUS, ENTRIES
from tests.forms.htmlforms import forms_of

PROJECT_APPS = {"institute", "sector", "backlog", "components", "standards", "centres"}


def post_forms(client, users):
    """(role, page address, form) for every POST form with a field a person can change, on
    every page of the inventory over the seeded rows, opened as each signed-in role that sees
    it. Each page is fetched just before its forms are yielded, so it shows the current data."""
    rows = seed.build(**users)
    pages = sorted(
        {
            (entry.role, entry.url(rows))
            for entry in ENTRIES
            if not entry.empty and entry.status == 200 and entry.role != ANONYMOUS
        }
    )
    for role, url in pages:
        client.force_login(users[role])
        page = client.get(url)
        if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
            continue
        for form in forms_of(page.content.decode()):
            if form.method == "post" and form.visible:
                yield role, url, form


def url_name(path: str) -> str:
    try:
        return resolve(path.split("?")[0]).view_name
    except Resolver404:
        return path


def _kept(field) -> bool:
    """Whether a column holds what a person entered. Not: the time of a save or confirmation
    (dates people enter are DateFields), HTML rendered from the text beside it, columns the
    database computes, and counters kept from other rows."""
    return not (
        isinstance(field, models.DateTimeField | models.GeneratedField)
        or field.name.endswith(("_html", "_count"))
    )


def _text(value):
    # A browser sends a textarea's line breaks as CRLF; the text a person reads is the same.
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


def snapshot() -> dict:
    """Every row of the project's own tables, as far as a person entered it. Log tables (the
    audit trail and the history events, models named ...Event) record that a save happened."""
    rows = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in PROJECT_APPS or meta.proxy or not meta.managed:
            continue
        if model.__name__.endswith("Event"):
            continue
        fields = [f.attname for f in meta.concrete_fields if _kept(f)]
        rows[meta.label] = {
            row[0]: tuple(_text(v) for v in row)
            for row in model._base_manager.order_by("pk").values_list("pk", *fields)
        }
    return rows


def diff(before: dict, after: dict) -> list[str]:
    changes = []
    for label, old in before.items():
        new = after[label]
        for pk in sorted(set(old) | set(new), key=str):
            if old.get(pk) != new.get(pk):
                what = "added" if pk not in old else "removed" if pk not in new else "changed"
                changes.append(f"{label} {pk} {what}: {old.get(pk)} -> {new.get(pk)}")
    return changes
