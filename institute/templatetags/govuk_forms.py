"""Template helpers that give Django form widgets GOV.UK classes and ARIA wiring."""

from django import template

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
    """The id an error summary link should point at for a field (first radio for radios)."""
    field = form[name]
    if field.widget_type in {"radioselect", "checkboxselectmultiple"}:
        return f"{field.auto_id}_0"
    return field.auto_id
