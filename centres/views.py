"""Thin views: parse input, call access/service/selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject as lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from centres import access, selectors, services
from centres.forms import (
    CentreForm,
    LearningForm,
    LibraryFilterForm,
    ProjectForm,
    ReturnForm,
    StaffAssignForm,
)
from centres.models import EVIDENCE_SCALE, RE_REVIEW_FIELDS, CentreStaff, CostBand
from institute import access as core_access
from institute import selectors as core_selectors
from institute.errors import DomainError, NotAllowed
from institute.forms import add_domain_error
from institute.models import User
from institute.pagination import paginate
from institute.views import change_decision_page

# --- Centres ---------------------------------------------------------------------------------


@require_GET
def centre_list(request):
    return render(
        request,
        "centres/centre_list.html",
        {
            "page_title": "Centres of Service Innovation",
            "centres": list(selectors.centre_list()),
            "data_sharing": selectors.data_sharing_progress(),
            "can_manage": access.can_manage_centres(request.user),
            "my_centre": access.centre_for_user(request.user),
        },
    )


@require_GET
def centre_detail(request, slug):
    centre = access.centre_get_for_user(request.user, slug)
    return render(
        request,
        "centres/centre_detail.html",
        {
            "page_title": centre.name,
            "centre": centre,
            **selectors.centre_page(centre, request.user),
        },
    )


def _centre_form_data(form) -> dict:
    data = form.cleaned_data
    return {key: data[key] for key in ("name", "host", "regions", "focus_themes", "focus")} | {
        "description": data.get("description", "")
    }


@login_required
@require_http_methods(["GET", "POST"])
def centre_create(request):
    if not access.can_manage_centres(request.user):
        raise NotAllowed("Only institute staff can set up centres.")
    form = CentreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            centre = services.centre_create(actor=request.user, **_centre_form_data(form))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"{centre.name} has been set up. Now assign its staff.")
            return redirect("centres:centre_staff", slug=centre.slug)
    return render(
        request,
        "centres/centre_form.html",
        {"page_title": "Set up a centre", "form": form, "back_url": reverse("centres:centre_list")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def centre_edit(request, slug):
    centre = access.centre_get_for_user(request.user, slug, write=True)
    initial = {
        "name": centre.name,
        "host": centre.host,
        "regions": centre.regions,
        "focus": centre.focus,
        "focus_themes": centre.focus_themes,
        "description": centre.description,
    }
    form = CentreForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.centre_update(actor=request.user, centre=centre, **_centre_form_data(form))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The centre’s details have been saved.")
            return redirect(centre)
    return render(
        request,
        "centres/centre_form.html",
        {"page_title": f"Edit {centre.name}", "form": form, "back_url": centre.get_absolute_url()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def centre_staff(request, slug):
    centre = access.centre_get_for_user(request.user, slug, write=True)
    form = StaffAssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = User.objects.filter(email__iexact=data["email"]).first()
        if user is None:
            form.add_error("email", "There is no account with that email address")
        else:
            try:
                services.centre_staff_assign(
                    actor=request.user,
                    centre=centre,
                    user=user,
                    job_title=data["job_title"],
                    lead=data["lead"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, f"{user} now works for {centre.name}.")
                return redirect("centres:centre_staff", slug=centre.slug)
    return render(
        request,
        "centres/centre_staff.html",
        {
            "page_title": f"Staff of {centre.name}",
            "centre": centre,
            "form": form,
            "staff": list(CentreStaff.objects.filter(centre=centre).select_related("user")),
            "back_url": centre.get_absolute_url(),
        },
    )


@login_required
@require_POST
def centre_staff_remove(request, slug, pk):
    centre = access.centre_get_for_user(request.user, slug, write=True)
    staff = CentreStaff.objects.select_related("user", "centre").filter(pk=pk, centre=centre)
    staff = staff.first()
    if staff is None:
        raise Http404
    services.centre_staff_remove(actor=request.user, staff=staff)
    messages.success(request, f"{staff.user} is no longer shown as working for {centre.name}.")
    return redirect("centres:centre_staff", slug=centre.slug)


# --- Projects --------------------------------------------------------------------------------


@require_GET
def project_detail(request, pk):
    project = access.project_get_for_user(request.user, pk)
    return render(
        request,
        "centres/project_detail.html",
        {
            "page_title": project.title,
            "project": project,
            "can_edit": access.can_work_on_centre(request.user, project.centre),
            **selectors.project_page(project),
        },
    )


def _project_data(form) -> dict:
    data = form.cleaned_data
    keys = (
        "title",
        "summary",
        "status",
        "phase",
        "problems",
        "partner_councils",
        "components_produced",
        "components_used",
    )
    return {key: data[key] for key in keys} | {
        "start_date": data.get("start_date"),
        "end_date": data.get("end_date"),
    }


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request, slug):
    centre = access.centre_get_for_user(request.user, slug)
    if not access.can_work_on_centre(request.user, centre):
        raise NotAllowed("Only the centre's own staff can add projects.")
    form = ProjectForm(
        request.POST or None, centre=centre, initial={"status": "proposed", "phase": "discovery"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                actor=request.user, centre=centre, **_project_data(form)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The project has been added.")
            return redirect(project)
    return render(
        request,
        "centres/project_form.html",
        {
            "page_title": "Add a project",
            "centre": centre,
            "form": form,
            "back_url": centre.get_absolute_url(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, pk):
    project = access.project_get_for_user(request.user, pk, write=True)
    partners = list(project.partner_councils.all())
    produced = list(project.components_produced.all())
    used = list(project.components_used.all())
    initial = {
        "title": project.title,
        "summary": project.summary,
        "status": project.status,
        "phase": project.phase,
        "problems": list(project.problems.order_by("pk")),
        "partner_councils": [o.slug for o in partners],
        "components_produced": [c.slug for c in produced],
        "components_used": [c.slug for c in used],
        "start_date": project.start_date,
        "end_date": project.end_date,
    }
    form = ProjectForm(
        request.POST or None,
        centre=project.centre,
        selected_councils=partners,
        selected_produced=produced,
        selected_used=used,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(actor=request.user, project=project, **_project_data(form))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The project has been saved.")
            return redirect(project)
    return render(
        request,
        "centres/project_form.html",
        {
            "page_title": f"Edit {project.title}",
            "centre": project.centre,
            "form": form,
            "back_url": project.get_absolute_url(),
        },
    )


# --- Learning --------------------------------------------------------------------------------


@require_GET
def evidence_scale(request):
    return render(
        request,
        "centres/evidence_scale.html",
        {
            "page_title": "How we rate evidence and cost",
            "scale": [(n, label, text) for n, (label, text) in EVIDENCE_SCALE.items()],
            "cost_bands": CostBand.choices,
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def learning_list(request):
    form = LibraryFilterForm(
        request.GET or None,
        service_area_choices=core_selectors.service_area_choices(),
        centre_choices=selectors.centre_choices(),
    )
    filters = form.filters()
    context = {
        "page_title": "Learning library",
        "form": form,
        "filters_active": filters.active(),
        **paginate(request, selectors.learning_library(filters, rows=True)),
    }
    template = "centres/learning_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@require_GET
def learning_detail(request, public_id):
    user = request.user

    # Made only if the page renders it: cached parts of the page need none.
    learning = lazy(lambda: access.learning_get_for_user(user, public_id))
    parts = selectors.learning_page_parts(public_id, user)
    # Cached for visitors who are not signed in; 404 here if the user may not see it.
    row = parts.get_or_put("row", lambda: {"title": learning.title})
    page = selectors.learning_page(learning)
    return render(
        request,
        "centres/learning_detail.html",
        {
            "page_title": row["title"],
            "learning": learning,
            "parts": parts,
            "scale_text": lazy(lambda: EVIDENCE_SCALE[learning.evidence_strength][1]),
            "can_edit": lazy(lambda: access.can_work_on_centre(user, learning.centre)),
            "can_publish": lazy(lambda: access.can_publish_for_centre(user, learning.centre)),
            "pending_change": lazy(lambda: selectors.learning_pending_change(learning)),
            **page,
            "claims_history": lazy(
                lambda: selectors.learning_claims_history(learning, page["revisions"])
            ),
            "rating_history": lazy(
                lambda: selectors.learning_rating_history(learning, page["revisions"])
            ),
        },
    )


_LEARNING_KEYS = (
    "kind",
    "title",
    "summary",
    "body",
    "evidence_strength",
    "cost_band",
    "impact_summary",
    "themes",
    "service_areas",
    "councils",
    "problems",
    "components",
    "standards",
)


def _labels(labels) -> str:
    """ "the evidence rating, cost band or impact" """
    *rest, last = list(labels)
    return f"the {', '.join(rest)} or {last}" if rest else f"the {last}"


def _learning_data(form, centre) -> dict:
    data = {key: form.cleaned_data[key] for key in _LEARNING_KEYS}
    project_id = form.cleaned_data.get("project")
    data["project"] = centre.projects.filter(pk=project_id).first() if project_id else None
    return data


@login_required
@require_http_methods(["GET", "POST"])
def learning_create(request, slug):
    centre = access.centre_get_for_user(request.user, slug)
    if not access.can_work_on_centre(request.user, centre):
        raise NotAllowed("Only the centre's own staff can add learning.")
    form = LearningForm(
        request.POST or None, centre=centre, project_choices=selectors.project_choices(centre)
    )
    if request.method == "POST" and form.is_valid():
        try:
            learning = services.learning_create(
                actor=request.user, centre=centre, **_learning_data(form, centre)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Your draft has been saved. Send it for review when ready.")
            return redirect(learning)
    return render(
        request,
        "centres/learning_form.html",
        {
            "page_title": "Add learning",
            "centre": centre,
            "form": form,
            "back_url": centre.get_absolute_url(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def learning_edit(request, public_id):
    learning = access.learning_get_for_user(request.user, public_id, write=True)
    centre = learning.centre
    councils = list(learning.councils.all())
    components = list(learning.components.all())
    initial = {
        "kind": learning.kind,
        "title": learning.title,
        "summary": learning.summary,
        "body": learning.body,
        "evidence_strength": learning.evidence_strength,
        "cost_band": learning.cost_band,
        "impact_summary": learning.impact_summary,
        "themes": learning.themes,
        "service_areas": [a.slug for a in learning.service_areas.all()],
        "councils": [o.slug for o in councils],
        "problems": list(learning.problems.order_by("pk")),
        "components": [c.slug for c in components],
        "standards": [s.slug for s in learning.standards.all()],
        "project": learning.project_id,
    }
    form = LearningForm(
        request.POST or None,
        centre=centre,
        project_choices=selectors.project_choices(centre),
        selected_councils=councils,
        selected_components=components,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.learning_update(
                actor=request.user, learning=learning, **_learning_data(form, centre)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if updated.proposed_change is not None:
                messages.success(
                    request,
                    f"Your change ({updated.proposed_change.summary}) waits for review by the "
                    "centre’s lead or institute staff. Readers see the published version until "
                    "then; any other changes are published.",
                )
            elif learning.is_published:
                messages.success(
                    request,
                    "Your changes have been published. The previous version is kept in its "
                    "history.",
                )
            else:
                messages.success(request, "Your changes have been saved.")
            return redirect(learning)
    return render(
        request,
        "centres/learning_form.html",
        {
            "page_title": f"Edit {learning.title}",
            "centre": centre,
            "learning": learning,
            "re_review_labels": _labels(RE_REVIEW_FIELDS.values()),
            "pending_change": selectors.learning_pending_change(learning)
            if learning.is_published
            else None,
            "form": form,
            "back_url": learning.get_absolute_url(),
        },
    )


@login_required
@require_POST
def learning_submit(request, public_id):
    learning = access.learning_get_for_user(request.user, public_id, write=True)
    try:
        services.learning_submit(actor=request.user, learning=learning)
    except NotAllowed:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Sent for review. The centre’s lead has been told.")
    return redirect(learning)


@login_required
@require_POST
def learning_publish(request, public_id):
    learning = access.learning_get_for_user(request.user, public_id)
    if not access.can_publish_for_centre(request.user, learning.centre):
        raise NotAllowed("Only the centre's lead or institute staff can publish learning.")
    try:
        services.learning_publish(actor=request.user, learning=learning)
    except NotAllowed:
        raise
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(learning)
    return redirect("centres:learning_published", public_id=learning.public_id)


@login_required
@require_GET
def learning_published(request, public_id):
    learning = access.learning_get_for_user(request.user, public_id)
    if not learning.is_published:
        return redirect(learning)
    return render(
        request,
        "centres/learning_published.html",
        {"page_title": "Learning published", "learning": learning},
    )


@login_required
@require_http_methods(["GET", "POST"])
def learning_return(request, public_id):
    learning = access.learning_get_for_user(request.user, public_id)
    if not access.can_publish_for_centre(request.user, learning.centre):
        raise NotAllowed("Only the centre's lead or institute staff can send learning back.")
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.learning_return(
                actor=request.user, learning=learning, note=form.cleaned_data["note"]
            )
        except NotAllowed:
            raise
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Sent back to draft with your note.")
            return redirect(learning)
    return render(
        request,
        "centres/learning_return.html",
        {
            "page_title": "Send back for changes",
            "learning": learning,
            "form": form,
            "back_url": learning.get_absolute_url(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def learning_change(request, public_id, pk):
    change = access.learning_change_get_for_user(request.user, public_id, pk)
    learning = change.learning
    return change_decision_page(
        request,
        change,
        target=learning,
        may_decide=lambda user: access.can_publish_for_centre(user, learning.centre),
        publish=services.learning_change_publish,
        reject=services.learning_change_reject,
        kept="published version",
        template="centres/learning_change.html",
        context={"page_title": f"Change to {learning.title}", "learning": learning},
    )


@require_GET
def learning_revision(request, public_id, number):
    revision = access.revision_get_for_user(request.user, public_id, number)
    return render(
        request,
        "centres/learning_revision.html",
        {
            "page_title": f"{revision.title} (version {revision.number})",
            "revision": revision,
            "learning": revision.learning,
        },
    )


@login_required
@require_GET
def review_queue(request):
    user = request.user
    centre = access.centre_for_user(user)
    lead = centre is not None and access.is_centre_lead(user, centre)
    if not (lead or core_access.is_institute_staff(user)):
        raise NotAllowed("Only centre leads and institute staff review learning.")
    return render(
        request,
        "centres/review_queue.html",
        {
            "page_title": "Learning to review",
            **paginate(request, selectors.learning_for_review(user)),
            "changes": list(selectors.learning_changes_for_review(user)),
        },
    )
