from django.conf import settings
from django.urls import NoReverseMatch, reverse

from institute import access


def service(request):
    """Service name and the service navigation, with the current section marked."""
    path = request.path
    names = [
        ("Problems", "backlog:problem_list"),
        ("Components", "components:component_list"),
        ("Standards", "standards:standard_list"),
        ("Centres", "centres:centre_list"),
        ("Organisations", "institute:organisation_list"),
    ]
    if access.can_decide_membership_requests(request.user):
        names.append(("Requests", "institute:membership_request_list"))
    if access.can_view_sector_detail(request.user):
        names.append(("Dashboard", "institute:dashboard"))
    navigation = []
    for text, name in names:
        try:
            href = reverse(name)
        except NoReverseMatch:  # the area arrives with its own issue
            continue
        navigation.append({"text": text, "href": href, "active": path.startswith(href)})
    return {"service_name": settings.SERVICE_NAME, "service_navigation": navigation}


def notifications(request):
    """The header's unread count when the cache knows it (no database query on every page);
    otherwise None, and the header fetches it with htmx."""
    from django.core.cache import cache

    from institute.notification_views import unread_cache_key

    if not request.user.is_authenticated:
        return {}
    return {"notifications_unread": cache.get(unread_cache_key(request.user.pk))}
