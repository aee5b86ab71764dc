"""Markdown to safe HTML for every Markdown field: rendered by `markdown`, cleaned by `nh3`.

Cleaning happens after rendering, so nothing a writer types (raw HTML, event handlers,
javascript: links) survives, whatever Markdown does with it.
"""

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
# GOV.UK classes are added after cleaning, so writers cannot set classes of their own.
GOVUK_CLASSES = {
    "<p>": '<p class="govuk-body">',
    "<ul>": '<ul class="govuk-list govuk-list--bullet">',
    "<ol>": '<ol class="govuk-list govuk-list--number">',
    "<h2>": '<h2 class="govuk-heading-m">',
    "<h3>": '<h3 class="govuk-heading-s">',
    "<h4>": '<h4 class="govuk-heading-s">',
    "<a ": '<a class="govuk-link" ',
    "<table>": '<table class="govuk-table">',
}


def render_markdown(text: str) -> SafeString:
    """Render Markdown written by a person into HTML that is safe to show to anyone."""
    html = markdown_lib.markdown(
        text or "", extensions=["tables", "sane_lists"], output_format="html"
    )
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )
    for bare, styled in GOVUK_CLASSES.items():
        clean = clean.replace(bare, styled)
    return mark_safe(clean)  # noqa: S308  (cleaned by nh3 above)
