"""Template helpers that give Django form widgets GOV.UK classes and ARIA wiring."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

_WIDGET_CLASSES = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "selectmultiple": "govuk-select",
    "clearablefile": "govuk-file-upload",
    "file": "govuk-file-upload",
}


@register.simple_tag
def govuk_widget(field, extra_classes=""):
    """Render a bound field's widget with GOV.UK classes, error state and aria-describedby."""
    # GOV.UK: no placeholders; they vanish as people type and fail contrast.
    field.field.widget.attrs.pop("placeholder", None)
    base = _WIDGET_CLASSES.get(field.widget_type, "govuk-input")
    classes = [base]
    if field.errors:
        classes.append(f"{base}--error")
    existing = field.field.widget.attrs.get("class")
    if existing:
        classes.append(existing)
    if extra_classes:
        classes.append(extra_classes)
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs = {"class": " ".join(classes)}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def error_anchor(form, name):
    """The id an error summary link should point at for a field: an input a person can type in
    or choose, never the group around it."""
    field = form[name]
    # The first radio or checkbox, or the first box of a date (the day).
    if field.widget_type in {"radioselect", "checkboxselectmultiple", "govukdate"}:
        return f"{field.auto_id}_0"
    return field.auto_id


@register.filter
def first_field_anchor(form):
    """Where an error about the whole form (like a wrong password) links: its first field a
    person can change, so the link moves focus to where they can put it right."""
    for field in form.visible_fields():
        return error_anchor(form, field.name)
    return "main-content"


@register.simple_tag
def govuk_select(field):
    """A select rendered in one pass: Django's widget renders a template per option, which
    dominates the cost of pages with filter forms."""
    current = field.value()
    selected = {str(v) for v in current} if isinstance(current, list | tuple) else {str(current)}
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) in selected else "", label)  # noqa: S308
            for value, label in field.field.choices
        ),
    )
    classes = "govuk-select govuk-select--error" if field.errors else "govuk-select"
    described = " ".join(
        part
        for part, present in (
            (f"{field.auto_id}-hint", field.help_text),
            (f"{field.auto_id}-error", field.errors),
        )
        if present
    )
    return format_html(
        '<select class="{}" id="{}" name="{}"{}>{}</select>',
        classes,
        field.auto_id,
        field.html_name,
        format_html(' aria-describedby="{}"', described) if described else "",
        options,
    )
