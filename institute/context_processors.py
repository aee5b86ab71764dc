import functools

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.urls import NoReverseMatch, get_script_prefix, reverse

from institute import access
from institute.services import unread_cache_key

# The links every page has (header, navigation, footer): {name in templates: URL name}.
SERVICE_URLS = {
    "home": "institute:home",
    "problems": "backlog:problem_list",
    "components": "components:component_list",
    "standards": "standards:standard_list",
    "centres": "centres:centre_list",
    "organisations": "institute:organisation_list",
    "requests": "institute:membership_request_list",
    "reported_comments": "backlog:comment_reports",
    "dashboard": "sector:dashboard",
    "notifications": "institute:notification_list",
    "notification_count": "institute:notification_count",
    "account": "institute:account",
    "search": "institute:search",
    "help": "institute:help",
    "contact": "institute:contact",
    "accessibility": "institute:accessibility",
    "privacy": "institute:privacy",
    "cookies": "institute:cookies",
    "how_it_works": "institute:how_it_works",
    "summary": "sector:dashboard_summary",
    "blueprint": "sector:blueprint",
    "open_data": "sector:data_index",
    "api_docs": "api_docs",
    "sign_in": "account_login",
    "sign_up": "account_signup",
    "sign_out": "account_logout",
    "keep_alive": "institute:session_keep_alive",
}


@functools.cache
def _service_urls(script_prefix: str) -> dict[str, str]:
    """Reversed once per process (and mount point), not on every page."""
    urls = {}
    for key, name in SERVICE_URLS.items():
        try:
            urls[key] = reverse(name)
        except NoReverseMatch:  # the area arrives with its own issue
            continue
    return urls


def _user(request):
    """The signed-in user, or anonymous when the page is rendered before authentication ran
    (the 400 page for a Host header not in ALLOWED_HOSTS, input refused at the edge)."""
    user = getattr(request, "user", None)
    return AnonymousUser() if user is None else user


def service(request):
    """Service name and the service navigation, with the current section marked; and
    `service_urls`, the links every page has."""
    path = request.path
    urls = _service_urls(get_script_prefix())
    names = [
        ("Problems", "problems"),
        ("Components", "components"),
        ("Standards", "standards"),
        ("Centres", "centres"),
        ("Organisations", "organisations"),
    ]
    user = _user(request)
    if access.can_decide_membership_requests(user):
        names.append(("Requests", "requests"))
    if access.can_curate(user):
        names.append(("Reported comments", "reported_comments"))
    if access.can_view_sector_detail(user):
        names.append(("Dashboard", "dashboard"))
    navigation = [
        {"text": text, "href": urls[key], "active": path.startswith(urls[key])}
        for text, key in names
        if key in urls
    ]
    return {
        "service_name": settings.SERVICE_NAME,
        "service_navigation": navigation,
        "service_urls": urls,
        # For the header's "Acting as" control: people with several memberships only (the
        # count comes with the signed-in user, institute.auth_backends: no query here).
        "acting_membership": (
            access.membership_of(user) if access.has_several_memberships(user) else None
        ),
    }


def notifications(request):
    """The header's unread count when the cache knows it (no database query on every page);
    otherwise None, and the header fetches it with htmx."""
    user = _user(request)
    if not user.is_authenticated:
        return {}
    return {"notifications_unread": cache.get(unread_cache_key(user.pk))}
