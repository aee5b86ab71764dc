"""Pages of the core domain: home, organisations, account, membership requests, health."""

import logging

import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils.functional import SimpleLazyObject as lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from institute import access, outbox, registry, security, selectors, services
from institute.celery import app as celery_app
from institute.errors import DomainError, NotAllowed
from institute.forms import (
    ActingOrganisationForm,
    ApiTokenForm,
    ChangeDecisionForm,
    DecisionForm,
    DirectoryFilterForm,
    EmailDomainForm,
    EmailDomainImportForm,
    MembershipAddForm,
    MembershipRequestForm,
    ProfileForm,
    add_domain_error,
)
from institute.models import (
    ChangeStatus,
    CouncilType,
    MembershipRequest,
    OrganisationKind,
    Region,
)
from institute.pagination import paginate
from institute.security import has_second_factor
from institute.tokens import api_token_list_for_user
from institute.wording import count_of

logger = logging.getLogger(__name__)


def change_decision_page(
    request, change, *, target, may_decide, publish, reject, kept: str, template: str, context
):
    """The page where a reviewer publishes or rejects a change to published content (the apps'
    own views fetch the change, checking who may see it). may_decide(user) says whether the
    user may review it at all; publish and reject are the app's services; kept names what
    readers keep seeing after a rejection ("published details")."""
    can_decide = (
        change.status == ChangeStatus.PENDING
        and change.proposed_by_id != request.user.pk
        and may_decide(request.user)
    )
    form = ChangeDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "publish":
                publish(actor=request.user, change=change)
                message = f"The change is published: {change.summary}."
            else:
                reject(actor=request.user, change=change, reason=form.cleaned_data["reason"])
                message = f"The change is rejected. Readers keep seeing the {kept}."
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, f"{message} {change.proposed_by or 'Its author'} has been told."
            )
            return redirect(target)
    return render(
        request,
        template,
        {
            **context,
            "change": change,
            "form": form,
            "can_decide": can_decide,
            "kept": kept,
            "back_url": target.get_absolute_url(),
        },
    )


def home(request):
    """The public landing page for visitors; for a member of an organisation, their role's home:
    what they have to do, gathered from every part of the service."""
    membership = access.membership_of(request.user)
    if membership is None:
        return render(request, "institute/home.html", {"page_title": None})
    since = services.user_home_seen(actor=request.user)
    home = registry.Home(organisation=membership.organisation, since=since)
    role = membership.role
    context = {
        "page_title": "Your home",
        "membership": membership,
        "role": role,
        "since": since,
        "sections": selectors.home_sections(role, home, request.user),
    }
    if access.is_institute_staff(request.user):
        context["work_waiting"] = selectors.work_waiting(request.user)
    return render(request, "institute/home_role.html", context)


@require_GET
@vary_on_headers("HX-Request")
def organisation_list(request):
    form = DirectoryFilterForm(
        request.GET or None,
        region_choices=Region.choices,
        council_type_choices=CouncilType.choices,
        sa_choices=selectors.strategic_authority_choices(),
        kind_choices=OrganisationKind.choices,
    )
    filters = form.filters() if request.GET else {}
    organisations = selectors.organisation_list_for_directory(**filters)
    context = {
        "page_title": "Organisations",
        "form": form,
        "filters": filters,
        **paginate(request, organisations),
    }
    template = "institute/organisation_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@require_GET
def organisation_detail(request, slug):
    # Read only if a part of the page is not in the cache (a visitor's page is cached whole).
    organisation = lazy(lambda: access.organisation_get_for_user(request.user, slug))
    sections = lazy(lambda: selectors.organisation_sections(organisation, request.user))
    parts = selectors.organisation_page_parts(slug, request.user, sections)
    row = parts.get_or_put("row", lambda: {"name": organisation.name})
    can_manage_domains = access.can_manage_email_domains(request.user)
    return render(
        request,
        "institute/organisation_detail.html",
        {
            "page_title": row["name"],
            "organisation": organisation,
            "parts": parts,
            "sections": sections,
            "can_manage_domains": can_manage_domains,
            "can_manage_people": access.can_manage_memberships(request.user),
            "email_domains": (
                lazy(lambda: list(organisation.email_domains.all())) if can_manage_domains else None
            ),
            "related": lazy(lambda: selectors.organisation_related(organisation)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_domains(request, slug):
    """An organisation's e-mail domains: add one, link to remove each, and who changed them."""
    access.require(access.can_manage_email_domains(request.user))
    organisation = access.organisation_get_for_user(request.user, slug)
    form = EmailDomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.email_domain_add(
                actor=request.user, organisation=organisation, domain=form.cleaned_data["domain"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"{added.domain} was added to {organisation.name}.")
            return redirect("institute:organisation_domains", slug=organisation.slug)
    return render(
        request,
        "institute/organisation_domains.html",
        {
            "page_title": f"E-mail domains of {organisation.name}",
            "organisation": organisation,
            "email_domains": list(organisation.email_domains.select_related("added_by")),
            "form": form,
            **paginate(request, selectors.email_domain_history(organisation)),
            "verbs": selectors.EMAIL_DOMAIN_VERBS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_domain_remove(request, slug, pk):
    """Confirm, then take a domain off an organisation."""
    organisation = access.organisation_get_for_user(request.user, slug)
    email_domain = access.email_domain_get_for_user(request.user, organisation, pk)
    if request.method == "POST":
        services.email_domain_remove(actor=request.user, email_domain=email_domain)
        messages.success(request, f"{email_domain.domain} was removed from {organisation.name}.")
        return redirect("institute:organisation_domains", slug=organisation.slug)
    return render(
        request,
        "institute/organisation_domain_remove.html",
        {
            "page_title": f"Remove {email_domain.domain}",
            "organisation": organisation,
            "email_domain": email_domain,
        },
    )


HISTORY_SHOWN = 20


@login_required
@require_http_methods(["GET", "POST"])
def organisation_people(request, slug):
    """An organisation's people (institute staff): add someone who has an account, link to
    take each off, and who changed them."""
    access.require(
        access.can_manage_memberships(request.user), "Only institute staff manage memberships."
    )
    organisation = access.organisation_get_for_user(request.user, slug)
    form = MembershipAddForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            added = services.membership_add(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                f"{added.user.email} now belongs to {organisation.name} as a "
                f"{added.get_role_display().lower()}. They have been told.",
            )
            return redirect("institute:organisation_people", slug=organisation.slug)
    return render(
        request,
        "institute/organisation_people.html",
        {
            "page_title": f"People at {organisation.name}",
            "organisation": organisation,
            "form": form,
            **paginate(request, selectors.organisation_members(organisation)),
            "history": list(selectors.membership_history(organisation)[:HISTORY_SHOWN]),
            "verbs": selectors.MEMBERSHIP_VERBS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_person_remove(request, slug, pk):
    """Confirm, then take someone off an organisation that is not their primary one."""
    organisation = access.organisation_get_for_user(request.user, slug)
    membership = access.membership_get_for_user(request.user, organisation, pk)
    error = None
    if request.method == "POST":
        try:
            services.membership_remove(actor=request.user, membership=membership)
        except DomainError as refused:
            error = refused.message
        else:
            messages.success(
                request,
                f"{membership.user.email} no longer belongs to {organisation.name}. "
                "They have been told.",
            )
            return redirect("institute:organisation_people", slug=organisation.slug)
    return render(
        request,
        "institute/organisation_person_remove.html",
        {
            "page_title": f"Remove {membership.user.email} from {organisation.name}",
            "organisation": organisation,
            "membership": membership,
            "error": error,
        },
        status=409 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def email_domains_import(request):
    """Councils' domains from a CSV file of (GSS code, domain): check it, show what it would
    add, and add it all on confirmation; a file with any wrong line adds nothing."""
    access.require(access.can_manage_email_domains(request.user))
    form = EmailDomainImportForm(request.POST or None, request.FILES or None)
    plan = None
    text = None
    if request.method == "POST" and form.is_valid():
        text = form.document()
    if text is not None:
        if request.POST.get("confirm") == "1":
            try:
                added = services.email_domains_import(actor=request.user, text=text)
            except DomainError as error:
                add_domain_error(form, error)
                plan = selectors.email_domains_import_plan(text)
            else:
                count = len(added)
                messages.success(request, f"{count_of(count, 'e-mail domain')} added.")
                return redirect("institute:email_domains_import")
        else:
            plan = selectors.email_domains_import_plan(text)
            if plan.errors:
                count = len(plan.errors)
                form.add_error(
                    "file",
                    f"The file has {count_of(count, 'problem')}: fix "
                    f"{'them' if count != 1 else 'it'} and choose the file again",
                )
    checked = plan is not None and not plan.errors and not form.errors
    return render(
        request,
        "institute/email_domains_import.html",
        {
            "page_title": "Check the domains to import" if checked else "Import e-mail domains",
            "form": form,
            "plan": plan,
            "checked": checked,
            "to_add": plan.to_add if checked else [],
            "already": len(plan.rows) - len(plan.to_add) if checked else 0,
            "text": text if checked else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def account(request, token_form=None):
    """The account page. `token_form`: the API token form as submitted to token_create, shown
    here with its errors when the token was not created."""
    user = request.user
    membership = access.membership_of(user)
    pending = user.membership_requests.filter(status=MembershipRequest.Status.PENDING).first()
    decided = (
        user.membership_requests.exclude(status=MembershipRequest.Status.PENDING)
        .order_by("-decided_at")
        .first()
    )
    profile_form = ProfileForm(initial={"full_name": user.full_name})
    memberships = access.memberships_of(user) if access.has_several_memberships(user) else []
    acting_form = None
    if len(memberships) > 1:
        acting_form = ActingOrganisationForm(
            memberships=memberships, initial={"organisation": membership.organisation.slug}
        )
    request_form = None
    if pending is None:
        request_form = MembershipRequestForm()
    if request.method == "POST" and token_form is None:
        action = request.POST.get("action")
        if action == "profile":
            profile_form = ProfileForm(request.POST)
            if profile_form.is_valid():
                try:
                    services.user_update_profile(
                        actor=user, full_name=profile_form.cleaned_data["full_name"]
                    )
                except DomainError as error:
                    add_domain_error(profile_form, error)
                else:
                    messages.success(request, "Your name has been updated.")
                    return redirect("institute:account")
        elif action in {"act_as", "primary"} and acting_form is not None:
            acting_form = ActingOrganisationForm(request.POST, memberships=memberships)
            if acting_form.is_valid():
                slug = acting_form.cleaned_data["organisation"]
                if action == "act_as":
                    chosen = access.membership_acting_set(user, slug)
                    request.session[access.ACTING_SESSION_KEY] = slug
                    messages.success(request, f"You are now acting as {chosen.organisation.name}.")
                else:
                    chosen = services.membership_primary_set(actor=user, organisation_slug=slug)
                    messages.success(
                        request, f"{chosen.organisation.name} is now your primary organisation."
                    )
                return redirect("institute:account")
        elif action == "request" and request_form is not None:
            request_form = MembershipRequestForm(request.POST)
            if request_form.is_valid():
                try:
                    created = services.membership_request_create(
                        actor=user,
                        organisation=request_form.cleaned_data["organisation"],
                        role=request_form.cleaned_data["role"],
                        reason=request_form.cleaned_data["reason"],
                    )
                except DomainError as error:
                    add_domain_error(request_form, error)
                else:
                    return redirect("institute:membership_request_sent", pk=created.pk)
    return render(
        request,
        "institute/account.html",
        {
            "page_title": "Your account",
            "membership": membership,
            "pending": pending,
            "decided": decided,
            "profile_form": profile_form,
            "request_form": request_form,
            "memberships": memberships,
            "acting_form": acting_form,
            "token_form": token_form or ApiTokenForm(),
            "api_tokens": api_token_list_for_user(user),
            "second_factor": has_second_factor(user),
            "sent_emails": outbox.sent_to(user),
            "can_see_outbox": access.is_institute_staff(user),
        },
    )


@login_required
@require_GET
def membership_request_sent(request, pk):
    membership_request = access.membership_request_get_for_user(request.user, pk)
    return render(
        request,
        "institute/membership_request_sent.html",
        {"page_title": "Request sent", "membership_request": membership_request},
    )


@login_required
@require_GET
def membership_request_list(request):
    if not access.can_decide_membership_requests(request.user):
        raise NotAllowed()
    return render(
        request,
        "institute/membership_request_list.html",
        {
            "page_title": "Requests to join",
            **paginate(request, selectors.membership_requests_pending()),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def membership_request_decide(request, pk):
    membership_request = access.membership_request_get_for_user(request.user, pk, write=True)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data["note"]
        try:
            if form.cleaned_data["decision"] == "approve":
                services.membership_request_approve(
                    actor=request.user, request=membership_request, note=note
                )
                messages.success(
                    request,
                    f"{membership_request.user} is now a "
                    f"{membership_request.get_role_display().lower()} at "
                    f"{membership_request.organisation}.",
                )
            else:
                services.membership_request_reject(
                    actor=request.user, request=membership_request, note=note
                )
                messages.success(
                    request, f"The request from {membership_request.user} was turned down."
                )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("institute:membership_request_list")
    return render(
        request,
        "institute/membership_request_decide.html",
        {
            "page_title": "Decide a request to join",
            "membership_request": membership_request,
            "form": form,
        },
    )


@never_cache
@require_GET
def healthz(request):
    """Database, Redis and a Celery worker: 200 when all answer, else 503 saying which did not."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # any failure means unhealthy; say which part
        logger.warning("healthz: database check failed: %s", exc)
        checks["database"] = "unavailable"
    checks["redis"] = _check_redis()
    checks["celery"] = _check_celery() if checks["redis"] == "ok" else "unavailable"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )


def _check_redis() -> str:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
        return "ok"
    except redis.RedisError as exc:
        logger.warning("healthz: redis check failed: %s", exc)
        return "unavailable"


def _check_celery() -> str:
    try:
        replies = celery_app.control.ping(timeout=1.0, limit=1)
    except Exception as exc:  # broker errors come in many types
        logger.warning("healthz: celery check failed: %s", exc)
        return "unavailable"
    return "ok" if replies else "no worker answered"


def error_404(request, exception=None):
    return render(request, "404.html", {"page_title": "Page not found"}, status=404)


def error_403(request, exception=None):
    return render(request, "403.html", {"page_title": "You cannot do that"}, status=403)


def error_500(request):
    # Rendered without a request context: the database or a context processor may be the problem.
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"service_name": settings.SERVICE_NAME}))


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", {"page_title": "Your session has expired"}, status=403)


@never_cache
@login_required
@require_POST
def session_keep_alive(request):
    """The timeout warning's "Stay signed in": the idle time starts again. Answers how many
    seconds the session now has (the absolute lifetime still applies)."""
    security.session_touch(request)
    return JsonResponse({"seconds_left": security.session_seconds_left(request)})
