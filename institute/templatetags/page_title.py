"""The parts of a page's <title> that depend on its state (templates/base.html): "Error: " when
a form on the page has errors, and "(page 3 of 40)" on a page of a list (GOV.UK patterns)."""

from django import forms, template

register = template.Library()


@register.simple_tag(takes_context=True)
def title_error_prefix(context) -> str:
    # A page whose errors are not a bound form's (a table of ratings, say) says so itself.
    if context.get("page_has_errors"):
        return "Error: "
    for value in context.flatten().values():
        # type(), not isinstance(): isinstance would load lazy values such as request.user,
        # and reading the session makes a public page uncacheable.
        if issubclass(type(value), forms.BaseForm) and value.is_bound and value.errors:
            return "Error: "
    return ""


@register.simple_tag(takes_context=True)
def title_page_of(context) -> str:
    page_obj = context.get("page_obj")
    paginator = getattr(page_obj, "paginator", None)
    if paginator is None or paginator.num_pages <= 1:
        return ""
    more = "more than " if getattr(paginator, "capped", False) else ""
    return f" (page {page_obj.number} of {more}{paginator.num_pages})"
