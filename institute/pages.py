"""The pages every public service publishes: accessibility, privacy, cookies, help, contact and
how the institute works. Their words live in templates (institute/templates/institute/pages/),
edited by developers like any other change."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

# Every cookie the service sets, by name: the cookies page lists these, and a test fails when
# the service sets one that is not here. All are essential, so no consent banner is needed.
COOKIES = [
    {
        "name": settings.SESSION_COOKIE_NAME,
        "purpose": "Keeps you signed in as you move from page to page.",
        "expires": "When you sign out, after 30 minutes without using the service, or after 8 "
        "hours",
    },
    {
        "name": settings.CSRF_COOKIE_NAME,
        "purpose": "Stops other websites sending forms to the service in your name.",
        "expires": "After 1 year",
    },
    {
        "name": "messages",
        "purpose": "Shows you a message once, such as ‘Your comment has been added’, on the "
        "next page you see.",
        "expires": "When you close your browser, or as soon as the message has been shown",
    },
]

# URL name (in the "institute" namespace) -> (path, template, page title).
PAGES = {
    "accessibility": ("accessibility/", "accessibility.html", "Accessibility statement"),
    "privacy": ("privacy/", "privacy.html", "Privacy notice"),
    "cookies": ("cookies/", "cookies.html", "Cookies"),
    "help": ("help/", "help.html", "Help using the service"),
    "contact": ("contact/", "contact.html", "Contact the institute"),
    "how_it_works": ("how-the-institute-works/", "how_it_works.html", "How the institute works"),
}


@require_GET
def info_page(request, *, name):
    _, template, title = PAGES[name]
    return render(
        request,
        f"institute/pages/{template}",
        {
            "page_title": title,
            "contact_email": settings.CONTACT_EMAIL,
            "cookies": COOKIES,
        },
    )
