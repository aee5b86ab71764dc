"""What templates/base.html needs for the session timeout warning and for a form kept when a
session ended (institute.security)."""

from django import template
from django.conf import settings

from institute import security

register = template.Library()


@register.simple_tag(takes_context=True)
def session_seconds_left(context) -> int:
    return security.session_seconds_left(context["request"])


@register.simple_tag
def session_idle_seconds() -> int:
    return settings.SESSION_IDLE_SECONDS


@register.simple_tag(takes_context=True)
def kept_form(context):
    """The fields a person submitted after their session ended, for this page (once)."""
    return security.kept_form_for(context["request"])
