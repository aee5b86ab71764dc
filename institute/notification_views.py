"""The notification centre, e-mail preferences, the unsubscribe link from e-mails, the sent-mail
log for staff and GOV.UK Notify's delivery receipts."""

import hmac
import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from institute import access, digests, outbox
from institute.errors import DomainError, NotAllowed
from institute.forms import add_domain_error
from institute.models import Cadence, OutboxEmail
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
            "can_see_outbox": access.is_institute_staff(request.user),
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


# The signed token is the credential: a mail program's one-click POST (RFC 8058) carries no
# CSRF token and no session, and the worst a forged POST can do is turn e-mails off.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def digest_unsubscribe(request, token):
    """From a link in an e-mail, without signing in: confirm, then turn that cadence off. A mail
    program's one-click POST (`List-Unsubscribe=One-Click`) turns it off straight away."""
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
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("Unsubscribed", content_type="text/plain")
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


# --- The sent-mail log ---------------------------------------------------------------------------


class OutboxFilterForm(forms.Form):
    person = forms.CharField(label="E-mail address", required=False, max_length=254)
    kind = forms.ChoiceField(label="Kind", required=False)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *OutboxEmail.Status.choices]
    )

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Any kind"), *[(k, k) for k in kinds]]


@login_required
@require_GET
def email_outbox(request):
    """Institute staff: every e-mail the platform sent or is about to send, filtered."""
    if not access.is_institute_staff(request.user):
        raise NotAllowed()
    form = OutboxFilterForm(request.GET or None, kinds=outbox.outbox_kinds())
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = outbox.outbox_list(
        person=filters.get("person", ""),
        kind=filters.get("kind", ""),
        status=filters.get("status", ""),
    )
    return render(
        request,
        "institute/email_outbox.html",
        {"page_title": "E-mails sent", "form": form, **paginate(request, rows)},
    )


@login_required
@require_POST
def email_outbox_retry(request, pk):
    if not access.is_institute_staff(request.user):
        raise NotAllowed()
    try:
        row = outbox.retry(actor=request.user, pk=pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"The e-mail to {row.to} will be sent again within a minute.")
    return _back(request, default="institute:email_outbox")


@csrf_exempt  # GOV.UK Notify's servers POST here with a bearer token, not a session
@require_POST
def notify_callback(request):
    """GOV.UK Notify's delivery receipt: {"id": ..., "status": "delivered", ...}."""
    token = settings.NOTIFY_CALLBACK_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        return HttpResponse("Not authorised", status=401, content_type="text/plain")
    try:
        receipt = json.loads(request.body)
        provider_id, status = str(receipt["id"]), str(receipt["status"])
    except (ValueError, KeyError, TypeError):
        return HttpResponse(
            "Expected JSON with id and status", status=400, content_type="text/plain"
        )
    found = outbox.callback_record(provider_id=provider_id, status=status)
    return HttpResponse("Recorded" if found else "Unknown id", content_type="text/plain")
