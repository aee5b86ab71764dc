"""URLs of detail pages without a full reverse() each time.

A list of 300 councils called reverse() 300 times, about a third of the page's cost. The URL
of each named route is reversed once with a marker in place of its one argument, and the
marker is then replaced. Only for routes with a single slug, integer or UUID argument.
"""

import uuid
from functools import cache
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.urls import reverse

_INT_MARKER = "987654321987"
_SLUG_MARKER = "zz-url-marker-zz"
# Matches Django's uuid converter, which the slug marker does not.
_UUID_MARKER = "98765432-1987-4987-8987-987654321987"


@cache
def _template(viewname: str, kwarg: str, marker: str) -> str:
    return reverse(viewname, kwargs={kwarg: marker})


def detail_url(viewname: str, kwarg: str, value) -> str:
    if isinstance(value, int):
        marker = _INT_MARKER
    elif isinstance(value, uuid.UUID):
        marker = _UUID_MARKER
    else:
        marker = _SLUG_MARKER
    return _template(viewname, kwarg, marker).replace(marker, str(value), 1)


def absolute_url(path: str) -> str:
    """A link for use outside the site (e-mail, exports, publiccode.yml): every absolute address
    the service writes starts with settings.SITE_URL, and only there."""
    if path.startswith(("http://", "https://")):
        return path
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def on_site_url(url: str) -> str:
    """The same address on SITE_URL: for links a library built from the request's host (which
    behind a proxy, or on another port, is not the address people use)."""
    parts = urlsplit(url)
    if parts.netloc and parts.scheme not in ("http", "https"):
        return url  # mailto: and the like
    path = urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    return absolute_url(path)
