"""The notification centre, e-mail preferences and the unsubscribe link from digests."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from institute import digests
from institute.errors import DomainError
from institute.forms import add_domain_error
from institute.models import Cadence
from institute.pagination import paginate
from institute.services import unread_cache_key
from institute.wording import count_of


def _forget_count(user):
    cache.delete(unread_cache_key(user.pk))


@login_required
@require_GET
def notification_list(request):
    unread = digests.unread_count(request.user)
    cache.set(unread_cache_key(request.user.pk), unread, 60)
    return render(
        request,
        "institute/notification_list.html",
        {
            "page_title": "Notifications",
            "unread": unread,
            **paginate(request, digests.notification_list_for_user(request.user)),
        },
    )


@login_required
@require_GET
def notification_count(request):
    """The header's unread count, fetched by htmx when the page did not already know it."""
    unread = digests.unread_count(request.user)
    cache.set(unread_cache_key(request.user.pk), unread, 60)
    return render(request, "institute/_notification_count.html", {"notifications_unread": unread})


def _back(request, default="institute:notification_list"):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@login_required
@require_POST
def notification_read(request, pk):
    digests.notification_mark_read(actor=request.user, notification_id=pk)
    _forget_count(request.user)
    return _back(request)


@login_required
@require_POST
def notifications_read_all(request):
    count = digests.notifications_mark_all_read(actor=request.user)
    _forget_count(request.user)
    messages.success(request, f"{count_of(count, 'notification')} marked as read.")
    return _back(request)


class PreferencesForm(forms.Form):
    """One radio group per kind of news."""

    def __init__(self, *args, preferences, **kwargs):
        super().__init__(*args, **kwargs)
        for pref in preferences:
            self.fields[pref["kind"]] = forms.ChoiceField(
                label=pref["label"],
                help_text=f"{pref['topic']}. Default: {Cadence(pref['default']).label.lower()}.",
                choices=Cadence.choices,
                initial=pref["cadence"],
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose how often: {pref['label'].lower()}"},
            )


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    preferences = digests.preferences_for(request.user)
    form = PreferencesForm(request.POST or None, preferences=preferences)
    if request.method == "POST" and form.is_valid():
        try:
            digests.preferences_update(actor=request.user, cadences=form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Your e-mail preferences have been saved.")
            return redirect("institute:notification_preferences")
    return render(
        request,
        "institute/notification_preferences.html",
        {"page_title": "E-mail preferences", "form": form},
    )


@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request, token):
    """From a link in an e-mail, without signing in: confirm, then turn that cadence off."""
    found = digests.unsubscribe_read(token)
    if found is None:
        return render(
            request,
            "institute/digest_unsubscribe.html",
            {"page_title": "This link does not work", "invalid": True},
            status=400,
        )
    user, cadence = found
    done = False
    if request.method == "POST":
        digests.digest_unsubscribe(user=user, cadence=cadence)
        done = True
    return render(
        request,
        "institute/digest_unsubscribe.html",
        {
            "page_title": "You have unsubscribed" if done else "Unsubscribe",
            "done": done,
            "email": user.email,
            "cadence_label": Cadence(cadence).label.lower(),
        },
    )
