"""Thin views of the components library: parse input, call access/service/selector, render."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject as lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from backlog import selectors as backlog_selectors
from components import access, selectors, services
from components.forms import (
    AdoptionForm,
    ComponentForm,
    FilterForm,
    ImportForm,
    ProblemLinkForm,
    RetireForm,
    ReviewForm,
    SolveForm,
    SourceForm,
)
from components.models import RE_REVIEW_FIELDS, Adoption, Component
from components.publiccode import ExportRefused, PubliccodeError, publiccode_dump
from institute import access as core_access
from institute import evidence
from institute import selectors as core_selectors
from institute.csv_export import absolute_detail_urls, choice_labels, csv_response
from institute.errors import DomainError, NotAllowed
from institute.forms import add_domain_error
from institute.models import Organisation
from institute.pagination import paginate
from institute.views import change_decision_page


def _filter_form(request):
    return FilterForm(
        request.GET or None,
        service_area_choices=core_selectors.service_area_choices(),
        licence_choices=selectors.licence_choices(),
    )


@require_GET
@vary_on_headers("HX-Request")
def component_list(request):
    form = _filter_form(request)
    filters = form.filters()
    context = {
        "page_title": "Common components",
        "form": form,
        "filters_active": filters.active(),
        "can_submit": access.can_submit_component(request.user),
        "can_review": access.can_review(request.user),
        **paginate(request, selectors.component_list(filters, rows=True)),
    }
    components = context["page_obj"].object_list = list(context["page_obj"].object_list)
    context["service_areas"] = core_selectors.service_area_names(components)
    template = "components/component_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@require_GET
def component_export(request):
    """The published catalogue as CSV, with the page's filters, streamed."""
    filters = _filter_form(request).filters()
    components = selectors.component_list(filters).iterator(chunk_size=2000)
    url = absolute_detail_urls("components:component_detail", "public_id", uuid.UUID)

    vocabulary = core_selectors.service_area_vocabulary()

    def names(component):
        return core_selectors.service_area_names([component], vocabulary).get(component.pk, [])

    def rows():
        yield [
            "id", "name", "summary", "kind", "maturity", "theme", "service_areas", "licence",
            "open_licence", "cost_model", "hosting", "maintainer", "source_url",
            "documentation_url", "councils_using", "councils_adopting", "published_at", "url",
        ]  # fmt: skip
        for c in components:
            yield [
                c.public_id,
                c.name,
                c.summary,
                c.get_kind_display(),
                c.get_maturity_display(),
                c.theme,
                "; ".join(names(c)),
                c.licence,
                "yes" if c.licence_open else "no",
                c.get_cost_model_display(),
                c.get_hosting_display(),
                c.maintainer_display,
                c.source_url,
                c.documentation_url,
                c.using_count,
                c.adopting_count,
                c.published_at.isoformat() if c.published_at else "",
                url(c.public_id),
            ]

    return csv_response(rows(), "common-components")


@require_GET
def adoption_export(request):
    """Every council's adoption of every published component, as CSV, streamed in chunks."""
    # ~300,000 rows: values, not model instances, through a server-side cursor.
    adoptions = (
        selectors.adoption_list_for_export()
        .values_list(
            "id_text",
            "component__name",
            "organisation__name",
            "organisation__gss_code",
            "organisation__region",
            "organisation__council_type",
            "stage",
            "since_text",
            "confirmed_on",
            "stale",
            "evidence_url",
        )
        .iterator(chunk_size=5000)
    )
    regions = choice_labels(Organisation, "region")
    council_types = choice_labels(Organisation, "council_type")
    stages = choice_labels(Adoption, "stage")

    def rows():
        yield [
            "component_id", "component", "council", "gss_code", "region", "council_type",
            "stage", "since", "last_confirmed", "stale", "evidence_url",
        ]  # fmt: skip
        for row in adoptions:
            row = list(row)
            row[4] = regions.get(row[4], row[4])
            row[5] = council_types.get(row[5], row[5])
            row[6] = stages.get(row[6], row[6])
            row[9] = "yes" if row[9] else "no"
            yield row

    return csv_response(rows(), "component-adoption")


def _render_form(
    request, form, *, title, back_url, button, template="components/form.html", **extra
):
    return render(
        request,
        template,
        {"page_title": title, "form": form, "back_url": back_url, "button": button, **extra},
    )


@login_required
@require_http_methods(["GET", "POST"])
def component_submit(request):
    access.require_can_submit_component(request.user)
    form = ComponentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            component = services.component_submit(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("components:component_submitted", public_id=component.public_id)
    return _render_form(
        request,
        form,
        title="Submit a component",
        back_url="/components/",
        button="Submit for review",
        about="components/_submit_about.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def component_import(request):
    access.require_can_submit_component(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        document = form.document()
        if document is not None:
            try:
                component = services.component_import_publiccode(actor=request.user, text=document)
            except PubliccodeError as error:
                errors = error.errors
                form.add_error("text" if not request.FILES else "file", error.message)
            else:
                return redirect("components:component_submitted", public_id=component.public_id)
    return render(
        request,
        "components/component_import.html",
        {"page_title": "Import from publiccode.yml", "form": form, "yaml_errors": errors},
        status=400 if errors else 200,
    )


@login_required
@require_GET
def component_submitted(request, public_id):
    component = access.component_get_for_user(request.user, public_id)
    if component.submitted_by_id != request.user.pk:
        raise Http404
    return render(
        request,
        "components/component_submitted.html",
        {"page_title": "Component submitted", "component": component},
    )


@login_required
@require_GET
def my_submissions(request):
    return render(
        request,
        "components/my_submissions.html",
        {
            "page_title": "Your component submissions",
            "can_submit": access.can_submit_component(request.user),
            **paginate(request, selectors.components_submitted_by(request.user)),
        },
    )


@login_required
@require_GET
def review_queue(request):
    if not access.can_review(request.user):
        raise NotAllowed("Only institute staff review components.")
    return render(
        request,
        "components/review_queue.html",
        {
            "page_title": "Components to review",
            **paginate(request, selectors.review_queue()),
            "changes": list(selectors.component_changes_for_review()),
        },
    )


@require_GET
def component_detail(request, public_id):
    user = request.user

    # Made only if the page renders it: cached parts of the page need none.
    component = lazy(lambda: access.component_get_for_user(user, public_id))
    page = selectors.component_page(component, user)
    parts = selectors.component_page_parts(public_id, user, page["summary"])
    # Cached for visitors who are not signed in; 404 here if the user may not see it.
    row = parts.get_or_put("row", lambda: {"name": component.name})
    context = {
        "page_title": row["name"],
        "component": component,
        "parts": parts,
        "can_edit": lazy(lambda: access.can_edit_component(user, component)),
        "can_review": lazy(lambda: access.can_review(user)),
        "can_record": lazy(lambda: access.can_record_adoption(user)),
        "can_see_contacts": lazy(lambda: access.can_see_contacts(user)),
        "membership": lazy(lambda: core_access.membership_of(user)),
        "pending_change": lazy(lambda: selectors.component_pending_change(component)),
        "adoption_files": lazy(lambda: selectors.component_adoption_files(component, user)),
        **page,
    }
    return render(request, "components/component_detail.html", context)


@require_GET
def component_legacy_redirect(request, pk):
    """A link from before components had UUIDs (old e-mails, bookmarks). It redirects only for
    someone who may see the component anyway; anyone else gets the 404 of no component, so
    numbers still reveal nothing."""
    component = None
    if pk < 2**63:  # a larger number would overflow the database's bigint
        component = Component.objects.filter(pk=pk).first()
    if component is None or not access.can_view_component(request.user, component):
        raise Http404
    return redirect(component, permanent=component.is_published)


@require_GET
def component_publiccode(request, public_id):
    component = access.component_get_for_user(request.user, public_id)
    if not component.is_published:
        raise Http404
    try:
        text = publiccode_dump(component)
    except ExportRefused as refused:
        return HttpResponse(
            "This component cannot be written as a valid publiccode.yml:\n"
            + "\n".join(f"- {reason}" for reason in refused.reasons)
            + "\n",
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(text, content_type="application/yaml")
    response["Content-Disposition"] = f'attachment; filename="{component.slug}.publiccode.yml"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def component_edit(request, public_id):
    component = access.component_get_for_user(request.user, public_id, write=True)
    form = ComponentForm(request.POST or None, initial=ComponentForm.initial_for(component))
    if component.maturity == "retired":
        form.fields.pop("maturity")
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.component_update(
                actor=request.user, component=component, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if updated.proposed_change is not None:
                messages.success(
                    request,
                    f"Your change ({updated.proposed_change.summary}) waits for review by "
                    "another member of institute staff. Readers see the published details "
                    "until then; any other changes are published.",
                )
            else:
                messages.success(request, "The component has been updated.")
            return redirect(component)
    published = component.is_published
    return _render_form(
        request,
        form,
        title=f"Edit {component.name}",
        back_url=component.get_absolute_url(),
        button="Save changes",
        component=component,
        about="components/_edit_about.html" if published else None,
        re_review_labels=_labels(RE_REVIEW_FIELDS.values()),
        pending_change=selectors.component_pending_change(component) if published else None,
    )


def _labels(labels) -> str:
    """ "its maturity, licence, source code link or documentation link" """
    *rest, last = list(labels)
    return f"its {', '.join(rest)} or {last}" if rest else f"its {last}"


@login_required
@require_http_methods(["GET", "POST"])
def component_change(request, public_id, pk):
    change = access.component_change_get_for_user(request.user, public_id, pk)
    component = change.component
    return change_decision_page(
        request,
        change,
        target=component,
        # Only institute staff can see a change at all (access.component_change_get_for_user).
        may_decide=lambda user: True,
        publish=services.component_change_publish,
        reject=services.component_change_reject,
        kept="published details",
        template="components/component_change.html",
        context={"page_title": f"Change to {component.name}", "component": component},
    )


@login_required
@require_http_methods(["GET", "POST"])
def component_review(request, public_id):
    component = access.component_get_for_user(request.user, public_id)
    if not access.can_review(request.user):
        raise NotAllowed("Only institute staff review components.")
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
        action = {
            "publish": services.component_publish,
            "changes": services.component_request_changes,
            "reject": services.component_reject,
        }[decision]
        try:
            action(actor=request.user, component=component, note=note)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            component.refresh_from_db(fields=["status"])
            messages.success(
                request, f"Decision recorded: {component.get_status_display().lower()}."
            )
            return redirect("components:review_queue")
    return _render_form(
        request,
        form,
        title=f"Review {component.name}",
        back_url=component.get_absolute_url(),
        button="Record decision",
        component=component,
        about="components/_review_about.html",
    )


@login_required
@require_http_methods(["GET", "POST"])
def component_retire(request, public_id):
    component = access.component_get_for_user(request.user, public_id)
    if not access.can_review(request.user):
        raise NotAllowed("Only institute staff retire components.")
    form = RetireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.component_retire(
                actor=request.user, component=component, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "The component is retired. It stays readable.")
            return redirect(component)
    return _render_form(
        request,
        form,
        title=f"Retire {component.name}",
        back_url=component.get_absolute_url(),
        button="Retire component",
        button_class=" govuk-button--warning",
        component=component,
    )


def _problem_or_error(form, field="problem"):
    problem = backlog_selectors.problems_by_number([form.cleaned_data[field]]).get(
        form.cleaned_data[field]
    )
    if problem is None:
        form.add_error(field, "There is no problem with that number")
    return problem


@login_required
@require_http_methods(["GET", "POST"])
def component_problems(request, public_id):
    component = access.component_get_for_user(request.user, public_id)
    if not access.can_link_problems(request.user, component):
        raise NotAllowed(
            "Only institute staff, or the submitter before publication, link problems."
        )
    form = ProblemLinkForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == "unlink":
            raw = request.POST.get("problem", "")
            problem = None
            if raw.isascii() and raw.isdigit() and len(raw) < 12:
                problem = backlog_selectors.problems_by_number([int(raw)]).get(int(raw))
            if problem is not None:
                services.component_unlink_problem(
                    actor=request.user, component=component, problem=problem
                )
                messages.success(request, f"“{problem.title}” is no longer linked.")
            return redirect("components:component_problems", public_id=component.public_id)
        if form.is_valid() and (problem := _problem_or_error(form)) is not None:
            try:
                services.component_link_problem(
                    actor=request.user, component=component, problem=problem
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, f"Linked to “{problem.title}”.")
                return redirect("components:component_problems", public_id=component.public_id)
    return render(
        request,
        "components/component_problems.html",
        {
            "page_title": f"Problems {component.name} addresses",
            "component": component,
            "form": form,
            "links": selectors.component_page(component, request.user)["problem_links"],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def component_solve(request, public_id):
    component = access.component_get_for_user(request.user, public_id)
    if not access.can_review(request.user):
        raise NotAllowed("Only institute staff mark problems solved.")
    form = SolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        problem = _problem_or_error(form)
        if problem is not None:
            try:
                services.problem_solve_with_components(
                    actor=request.user,
                    problem=problem,
                    components=[component],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, f"“{problem.title}” is marked solved.")
                return redirect(problem)
    return _render_form(
        request,
        form,
        title="Mark a problem solved by this component",
        back_url=component.get_absolute_url(),
        button="Mark solved",
        component=component,
    )


@login_required
@require_http_methods(["GET", "POST"])
def adoption_record(request, public_id):
    component = access.component_get_for_user(request.user, public_id)
    membership = core_access.membership_of(request.user)
    if membership is None or not access.can_record_adoption(request.user):
        raise NotAllowed("Only council officers can record their council's adoption.")
    organisation = membership.organisation
    existing = component.adoptions.filter(organisation=organisation).first()
    initial = None
    if existing:
        initial = {
            "stage": existing.stage,
            "since": existing.since,
            "evidence_url": existing.evidence_url,
            "evidence_note": existing.evidence_note,
            "show_as_contact": existing.show_as_contact,
        }
    form = AdoptionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("file", None)
        try:
            services.adoption_record(
                actor=request.user,
                component=component,
                organisation=organisation,
                upload=upload,
                **data,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            done = f"Recorded: {organisation.name} and {component.name}."
            if upload is not None:
                done += " The file can be downloaded once it has been checked for viruses."
            messages.success(request, done)
            return redirect(component)
    return _render_form(
        request,
        form,
        title=f"Record {organisation.name}'s use of {component.name}",
        back_url=component.get_absolute_url(),
        button="Save adoption",
        component=component,
        about="components/_adoption_about.html",
        existing=existing,
        history=selectors.adoption_history(existing) if existing else [],
        files=list(existing.evidence_files.order_by("uploaded_at", "id")) if existing else [],
        multipart=True,
    )


@login_required
@require_GET
def adoption_file_download(request, pk, file_id):
    """A file of evidence on an adoption, to the council, staff and sector viewers, once it has
    been checked for viruses."""
    _, file = access.adoption_file_get_for_user(request.user, pk, file_id)
    return evidence.evidence_file_response(file)


@login_required
@require_POST
def adoption_file_remove(request, pk, file_id):
    adoption, file = access.adoption_file_get_for_user(request.user, pk, file_id, write=True)
    services.adoption_file_remove(actor=request.user, adoption=adoption, file=file)
    messages.success(request, f"Removed the file {file.name}.")
    return redirect("components:adoption_record", public_id=adoption.component.public_id)


@login_required
@require_POST
def adoption_confirm(request, pk):
    adoption = access.adoption_get_for_user(request.user, pk, write=True)
    services.adoption_confirm(actor=request.user, adoption=adoption)
    messages.success(
        request, f"Confirmed: {adoption.organisation.name} still uses {adoption.component.name}."
    )
    next_url = request.POST.get("next", "")
    if next_url == "organisation":
        return redirect(adoption.organisation)
    if next_url == "council":
        return redirect("components:council_adoptions", slug=adoption.organisation.slug)
    return redirect(adoption.component)


@require_GET
def council_adoptions(request, slug):
    """Every published component a council has recorded, a page at a time (its organisation
    page shows the most recent few)."""
    organisation = core_access.organisation_get_for_user(request.user, slug)
    if not organisation.is_council:
        raise Http404
    page = paginate(request, selectors.council_adoptions(organisation))
    adoptions = selectors.adoptions_mark_stale(page["page_obj"].object_list)
    for adoption in adoptions:
        adoption.organisation = organisation
    page["page_obj"].object_list = adoptions
    return render(
        request,
        "components/council_adoptions.html",
        {
            "page_title": f"Common components {organisation.name} has recorded",
            "organisation": organisation,
            "counts": selectors.council_adoption_counts(organisation),
            "adoptions": adoptions,
            "show_files": selectors.adoption_files_attach(request.user, adoptions),
            "can_record": core_access.can_act_for_council(request.user, organisation),
            **page,
        },
    )


# --- Harvest sources -------------------------------------------------------------------------


@login_required
@require_GET
def source_list(request):
    return render(
        request,
        "components/source_list.html",
        {
            "page_title": "Repositories harvested for publiccode.yml",
            "can_review": access.can_review(request.user),
            **paginate(request, selectors.sources_for_user(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def source_register(request):
    core_access.require(
        access.can_register_source(request.user),
        core_access.contribute_refusal(request.user, "register a repository"),
    )
    staff = access.can_register_listing(request.user)
    component = None
    raw = request.GET.get("component", "")
    if raw:
        try:
            component = access.component_get_for_user(request.user, uuid.UUID(raw), write=True)
        except ValueError:
            raise Http404 from None
    form = SourceForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        try:
            source = services.source_register(
                actor=request.user,
                url=form.cleaned_data["url"],
                listing=form.cleaned_data.get("listing", False),
                organisation=form.cleaned_data.get("organisation"),
                component=component,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, "The address is registered. It is checked now, and every day after."
            )
            return redirect(source)
    return _render_form(
        request,
        form,
        title="Harvest a component from its repository",
        back_url=component.get_absolute_url() if component else reverse("components:source_list"),
        button="Register",
        component=component,
        about="components/_source_about.html",
    )


@login_required
@require_GET
def source_detail(request, pk):
    source = access.source_get_for_user(request.user, pk)
    return render(
        request,
        "components/source_detail.html",
        {
            "page_title": f"Harvest source {source.url}",
            "source": source,
            "fetches": selectors.source_fetches(source),
            "can_review": access.can_review(request.user),
        },
    )


@login_required
@require_GET
def source_proposals(request):
    if not access.can_review(request.user):
        raise NotAllowed("Only institute staff decide on harvested changes.")
    return render(
        request,
        "components/source_proposals.html",
        {
            "page_title": "Changes proposed from publiccode.yml",
            **paginate(request, selectors.proposals_pending()),
        },
    )


@login_required
@require_POST
def source_proposal_decide(request, pk):
    action = {
        "apply": services.source_proposal_apply,
        "dismiss": services.source_proposal_dismiss,
    }.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, "Choose to apply or dismiss the change.")
        return redirect("components:source_proposals")
    try:
        action(actor=request.user, fetch_id=pk)
    except NotAllowed:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    else:
        done = "applied to the component" if request.POST["action"] == "apply" else "dismissed"
        messages.success(request, f"The change is {done}.")
    return redirect("components:source_proposals")
