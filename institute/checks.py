"""System checks of the settings a deployment gets wrong: `manage.py check --deploy`."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Warning, register
from django.http.request import validate_host


@register(deploy=True)
def site_url_is_served(app_configs, **kwargs):
    """Links in e-mail go to SITE_URL: the service must answer to its host."""
    host = urlsplit(settings.SITE_URL).hostname or ""
    if validate_host(host, settings.ALLOWED_HOSTS):
        return []
    return [
        Warning(
            f"SITE_URL's host {host!r} is not in ALLOWED_HOSTS: links in e-mails would be "
            "refused with 400.",
            hint="Add it to ALLOWED_HOSTS, or set SITE_URL to the address people use.",
            id="institute.W001",
        )
    ]
