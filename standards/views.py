"""Thin views: parse input, call access/service/selector, render the page or its partial."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from institute import access as core_access
from institute import evidence
from institute.errors import DomainError, NotAllowed
from institute.forms import add_domain_error
from institute.pagination import paginate
from standards import access, selectors, services
from standards.forms import (
    AnswerForm,
    AuditRatingForm,
    CommentForm,
    ConsultationForm,
    CriterionForm,
    PublishForm,
    ReviewForm,
    StandardForm,
    VersionForm,
)
from standards.models import Answer, Category, Criterion, Rating, VersionStatus


def _require_author(user):
    if not access.can_author(user):
        raise NotAllowed("Only institute staff can do that.")


# --- Catalogue -------------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def standard_list(request):
    category = request.GET.get("category", "")
    if category not in Category.values:
        category = ""  # a bad value in a hand-edited URL shows everything
    staff = access.can_author(request.user)
    context = {
        "page_title": "Service standards",
        "categories": Category.choices,
        "category": category,
        "staff": staff,
        **paginate(request, selectors.standard_list(category=category, include_unpublished=staff)),
    }
    context["adoption"] = selectors.adoption_for(context["page_obj"].object_list)
    if request.user.is_authenticated and access.council_of(request.user) is not None:
        context["my_council"] = True
    template = "standards/standard_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@require_GET
def standard_detail(request, slug):
    user = request.user
    standard = SimpleLazyObject(lambda: access.standard_get_for_user(user, slug))
    parts = selectors.standard_page_parts(slug, user)
    # Cached for visitors who are not signed in; 404 here if there is no such standard.
    row = parts.get_or_put("row", lambda: {"title": standard.title})
    context = {
        "page_title": row["title"],
        "standard": standard,  # fetched only if a part of the page is not in the cache
        "parts": parts,
        "staff": access.can_author(user),
        "sector_detail": core_access.can_view_sector_detail(user),
        **selectors.standard_page(standard, user),
    }
    return render(request, "standards/standard_detail.html", context)


@login_required
@require_GET
def standard_councils(request, slug):
    standard = access.standard_get_for_user(request.user, slug)
    if not core_access.can_view_sector_detail(request.user):
        raise NotAllowed("Council-level ratings are for institute staff and sector viewers.")
    return render(
        request,
        "standards/standard_councils.html",
        {
            "page_title": f"{standard.title}: councils",
            "standard": standard,
            "adoption": selectors.adoption_for([standard])[standard.pk],
            **paginate(request, selectors.standard_councils(standard)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def standard_create(request):
    _require_author(request.user)
    form = StandardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            standard = services.standard_create(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Standard created. Add criteria to its first draft.")
            return redirect(standard.versions.get().get_absolute_url())
    return render(
        request,
        "standards/standard_form.html",
        {
            "page_title": "Create a standard",
            "form": form,
            "back_url": reverse("standards:standard_list"),
        },
    )


# --- Versions --------------------------------------------------------------------------------


@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def version_detail(request, slug, number, comment_form=None, status=200):
    version = access.version_get_for_user(request.user, slug, number)
    criteria = selectors.version_criteria(version)
    staff = access.can_author(request.user)
    open_for_comments = version.status == VersionStatus.CONSULTATION
    context = {
        "page_title": f"{version.standard.title}: {version.label.lower()}",
        "version": version,
        "standard": version.standard,
        "criteria": criteria,
        "staff": staff,
        "editable": staff and version.status in (VersionStatus.DRAFT, VersionStatus.CONSULTATION),
        "open_for_comments": open_for_comments,
        "can_comment": open_for_comments and access.can_comment_on_consultation(request.user),
        "comment_form": comment_form or CommentForm(criteria=criteria),
        "comment_groups": selectors.consultation_comments(version)
        if open_for_comments or staff
        else [],
    }
    template = "standards/version_detail.html"
    if request.htmx and comment_form is not None:
        template += "#consultation"
    return render(request, template, context, status=status)


@login_required
@require_POST
def version_new(request, slug):
    standard = access.standard_get_for_user(request.user, slug, write=True)
    try:
        version = services.version_draft_next(actor=request.user, standard=standard)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(standard)
    messages.success(request, f"{version.label} drafted from the current version.")
    return redirect(version.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def version_edit(request, slug, number):
    version = access.version_get_for_user(request.user, slug, number, write=True)
    form = VersionForm(
        request.POST or None,
        initial={
            "change_notes": version.change_notes,
            "review_period_months": version.review_period_months,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.version_update(actor=request.user, version=version, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Version details saved.")
            return redirect(version.get_absolute_url())
    return render(
        request,
        "standards/version_form.html",
        {
            "page_title": f"Edit {version.label.lower()}",
            "version": version,
            "form": form,
            "back_url": version.get_absolute_url(),
        },
    )


def _criterion_of(request, version, pk) -> Criterion:
    criterion = access.criterion_get_for_user(request.user, pk, write=True)
    if criterion.version_id != version.pk:
        raise Http404
    return criterion


@login_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request, slug, number, pk=None):
    version = access.version_get_for_user(request.user, slug, number, write=True)
    criterion = _criterion_of(request, version, pk) if pk else None
    initial = None
    if criterion is not None:
        initial = {
            "code": criterion.code,
            "title": criterion.title,
            "guidance": criterion.guidance,
            "mandatory": criterion.mandatory,
            "predecessors": list(criterion.predecessors.all()),
        }
    elif request.method == "GET":
        initial = {"mandatory": True}
    form = CriterionForm(request.POST or None, initial=initial, version=version)
    if request.method == "POST" and request.POST.get("action") == "delete" and criterion:
        try:
            services.criterion_delete(actor=request.user, criterion=criterion)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Criterion {criterion.code} removed.")
        return redirect(version.get_absolute_url())
    if request.method == "POST" and form.is_valid():
        data = {"predecessors": (), **form.cleaned_data}
        try:
            if criterion is None:
                criterion = services.criterion_add(actor=request.user, version=version, **data)
                messages.success(request, f"Criterion {criterion.code} added.")
            else:
                services.criterion_update(actor=request.user, criterion=criterion, **data)
                messages.success(request, f"Criterion {criterion.code} saved.")
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect(f"{version.get_absolute_url()}#criterion-{criterion.pk}")
    return render(
        request,
        "standards/criterion_form.html",
        {
            "page_title": "Edit a criterion" if criterion else "Add a criterion",
            "version": version,
            "criterion": criterion,
            "form": form,
            "back_url": version.get_absolute_url(),
        },
    )


@login_required
@require_POST
def criterion_move(request, slug, number, pk):
    version = access.version_get_for_user(request.user, slug, number, write=True)
    criterion = _criterion_of(request, version, pk)
    try:
        services.criterion_move(
            actor=request.user, criterion=criterion, up=request.POST.get("direction") == "up"
        )
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(f"{version.get_absolute_url()}#criterion-{criterion.pk}")


def _version_action(request, slug, number, *, form_class, template, title, run, done):
    version = access.version_get_for_user(request.user, slug, number, write=True)
    form = form_class(request.POST or None) if form_class else None
    error = None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            run(version, form.cleaned_data if form else {})
        except DomainError as exc:
            if form is not None:
                add_domain_error(form, exc)
            else:
                error = exc.message
        else:
            messages.success(request, done)
            return redirect(version.standard)
    return render(
        request,
        template,
        {
            "page_title": title,
            "version": version,
            "form": form,
            "error": error,
            "back_url": version.get_absolute_url(),
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_consult(request, slug, number):
    return _version_action(
        request,
        slug,
        number,
        form_class=ConsultationForm,
        template="standards/version_consult.html",
        title="Open a consultation",
        run=lambda version, data: services.version_open_consultation(
            actor=request.user, version=version, closes_on=data["closes_on"]
        ),
        done="The draft is open for comments.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_publish(request, slug, number):
    return _version_action(
        request,
        slug,
        number,
        form_class=PublishForm,
        template="standards/version_publish.html",
        title="Publish this version",
        run=lambda version, data: services.version_publish(
            actor=request.user, version=version, grace_days=data["grace_days"]
        ),
        done="Version published. Councils with a current assessment will be told.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_retire(request, slug, number):
    return _version_action(
        request,
        slug,
        number,
        form_class=None,
        template="standards/version_retire.html",
        title="Retire this version",
        run=lambda version, data: services.version_retire(actor=request.user, version=version),
        done="Version retired.",
    )


# --- Consultation ----------------------------------------------------------------------------


@login_required
@require_POST
@vary_on_headers("HX-Request")
def comment_create(request, slug, number):
    version = access.version_get_for_user(request.user, slug, number)
    criteria = list(version.criteria.order_by("position"))
    form = CommentForm(request.POST, criteria=criteria)
    if form.is_valid():
        criterion_pk = form.cleaned_data["criterion"]
        criterion = next((c for c in criteria if str(c.pk) == criterion_pk), None)
        try:
            services.consultation_comment_add(
                actor=request.user,
                version=version,
                body=form.cleaned_data["body"],
                criterion=criterion,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if request.htmx:
                request.method = "GET"
                return version_detail(
                    request, slug, number, comment_form=CommentForm(criteria=criteria)
                )
            messages.success(request, "Thank you. Your comment has been added.")
            return redirect(f"{version.get_absolute_url()}#consultation")
    request.method = "GET"
    return version_detail(request, slug, number, comment_form=form, status=400)


@login_required
@require_POST
def comment_address(request, pk):
    comment = access.comment_get_for_user(request.user, pk)
    services.consultation_comment_address(
        actor=request.user, comment=comment, addressed=request.POST.get("addressed") != "0"
    )
    return redirect(f"{comment.version.get_absolute_url()}#comment-{comment.pk}")


# --- Self-assessment -------------------------------------------------------------------------


@login_required
@require_POST
def assessment_start(request, slug):
    standard = access.standard_get_for_user(request.user, slug)
    if standard.current_version is None:
        raise Http404
    try:
        assessment, created = services.assessment_start(
            actor=request.user, version=standard.current_version
        )
    except DomainError as error:
        if isinstance(error, NotAllowed):
            raise
        messages.error(request, error.message)
        return redirect(standard)
    if created:
        messages.success(request, "Assessment started. Your answers are saved as you go.")
    return redirect(assessment)


@login_required
@require_GET
def assessment_detail(request, public_id):
    assessment = access.assessment_get_for_user(request.user, public_id)
    tasks = selectors.assessment_tasks(assessment)
    completed = sum(1 for t in tasks if t.status == "completed")
    return render(
        request,
        "standards/assessment_detail.html",
        {
            "page_title": f"{assessment.standard.title}: self-assessment",
            "assessment": assessment,
            "tasks": tasks,
            "completed": completed,
            # The audit whose result replaced the council's (only then is there one to read).
            "audit": selectors.audit_that_replaced_result(assessment),
            "can_edit": assessment.is_editable
            and core_access.can_act_for_council(request.user, assessment.organisation),
            "staff": access.can_author(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def answer_edit(request, public_id, criterion_pk):
    assessment = access.assessment_get_for_user(request.user, public_id, write=True)
    criteria = list(assessment.version.criteria.order_by("position", "id"))
    index = next((i for i, c in enumerate(criteria) if c.pk == criterion_pk), None)
    if index is None:
        raise Http404
    criterion = criteria[index]
    answer = Answer.objects.filter(assessment=assessment, criterion=criterion).first()
    initial = None
    if answer is not None:
        initial = {
            "rating": answer.rating,
            "reason": answer.reason,
            "evidence": answer.evidence,
            "evidence_url": answer.evidence_url,
            "evidence_date": answer.evidence_date,
        }
    form = AnswerForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        finish = request.POST.get("action") != "later"
        data = dict(form.cleaned_data)
        upload = data.pop("file", None)
        try:
            services.answer_save(
                actor=request.user,
                assessment=assessment,
                criterion=criterion,
                finish=finish,
                upload=upload,
                **data,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if upload is not None and finish:
                messages.success(
                    request,
                    f"Your answer to {criterion.code} and the file are saved. The file can be "
                    "downloaded once it has been checked for viruses.",
                )
            if finish and index + 1 < len(criteria):
                nxt = criteria[index + 1]
                return redirect(
                    "standards:answer_edit", public_id=assessment.public_id, criterion_pk=nxt.pk
                )
            if finish:
                return redirect("standards:assessment_check", public_id=assessment.public_id)
            messages.success(request, f"Your answer to {criterion.code} is saved.")
            return redirect(assessment)
    return render(
        request,
        "standards/answer_form.html",
        {
            "page_title": f"{criterion.code}: {criterion.title}",
            "assessment": assessment,
            "criterion": criterion,
            "answer": answer,
            "files": list(answer.evidence_files.order_by("uploaded_at", "id")) if answer else [],
            "form": form,
            "position": index + 1,
            "total": len(criteria),
            "not_applicable": Rating.NOT_APPLICABLE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_check(request, public_id):
    assessment = access.assessment_get_for_user(request.user, public_id, write=True)
    error = None
    if request.method == "POST":
        try:
            services.assessment_submit(actor=request.user, assessment=assessment)
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("standards:assessment_submitted", public_id=assessment.public_id)
    tasks = selectors.assessment_tasks(assessment)
    return render(
        request,
        "standards/assessment_check.html",
        {
            "page_title": "Check your answers before submitting",
            "assessment": assessment,
            "tasks": tasks,
            "missing": [t for t in tasks if t.status != "completed"],
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
def answer_file_download(request, public_id, file_id):
    """A file of evidence, to whoever may see the assessment, once checked for viruses."""
    _, file = access.answer_file_get_for_user(request.user, public_id, file_id)
    return evidence.evidence_file_response(file)


@login_required
@require_POST
def answer_file_remove(request, public_id, file_id):
    assessment, file = access.answer_file_get_for_user(request.user, public_id, file_id, write=True)
    services.answer_file_remove(actor=request.user, assessment=assessment, file=file)
    messages.success(request, f"Removed the file {file.name}.")
    criterion_pk = request.POST.get("criterion", "")
    if criterion_pk.isdigit():
        return redirect(
            "standards:answer_edit", public_id=assessment.public_id, criterion_pk=criterion_pk
        )
    return redirect("standards:assessment_check", public_id=assessment.public_id)


@login_required
@require_GET
def assessment_submitted(request, public_id):
    assessment = access.assessment_get_for_user(request.user, public_id)
    if assessment.submitted_at is None:
        return redirect(assessment)
    return render(
        request,
        "standards/assessment_submitted.html",
        {"page_title": "Assessment submitted", "assessment": assessment},
    )


@login_required
@require_GET
def my_council(request):
    council = access.council_of(request.user)
    if council is None:
        raise NotAllowed("Only council officers have council assessments.")
    standards = list(selectors.standard_list().select_related("current_version"))
    states = selectors.council_states(council, standards=standards)
    return render(
        request,
        "standards/my_council.html",
        {
            "page_title": f"{council.name}: standards",
            "organisation": council,
            "rows": [(s, states[s.pk]) for s in standards if s.pk in states],
        },
    )


# --- Review and audit ------------------------------------------------------------------------


@login_required
@require_GET
def review_queue(request):
    _require_author(request.user)
    return render(
        request,
        "standards/review_queue.html",
        {"page_title": "Assessments to review", **paginate(request, selectors.review_queue())},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_review(request, public_id):
    _require_author(request.user)
    assessment = access.assessment_get_for_user(request.user, public_id)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_review(
                actor=request.user, assessment=assessment, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Review recorded. The council has been told.")
            return redirect("standards:review_queue")
    return render(
        request,
        "standards/assessment_review.html",
        {
            "page_title": "Review an assessment",
            "assessment": assessment,
            "tasks": selectors.assessment_tasks(assessment),
            "form": form,
            "back_url": assessment.get_absolute_url(),
        },
    )


@login_required
@require_GET
def audit_queue(request):
    _require_author(request.user)
    return render(
        request,
        "standards/audit_queue.html",
        {"page_title": "Audit queue", **paginate(request, selectors.audit_queue())},
    )


@login_required
@require_http_methods(["GET", "POST"])
def audit_detail(request, pk):
    audit = access.audit_get_for_user(request.user, pk)
    rows = selectors.audit_rows(audit)
    errors = {}
    error = None
    if request.method == "POST":
        if request.POST.get("action") == "complete":
            try:
                services.audit_complete(
                    actor=request.user, audit=audit, note=request.POST.get("note", "")
                )
            except DomainError as exc:
                error = exc.message
            else:
                messages.success(request, "Audit complete.")
                return redirect("standards:audit_queue")
        else:
            for row in rows:
                criterion = row["criterion"]
                form = AuditRatingForm(request.POST, prefix=f"c{criterion.pk}")
                if not request.POST.get(f"c{criterion.pk}-rating"):
                    continue
                if not form.is_valid():
                    errors[criterion.pk] = "Choose an audited rating from the list"
                    continue
                services.audit_rating_record(
                    actor=request.user, audit=audit, criterion=criterion, **form.cleaned_data
                )
            if not errors:
                messages.success(request, "Audited ratings saved.")
                return redirect(audit)
            rows = selectors.audit_rows(audit)
    for row in rows:
        audited = row["audited"]
        row["form"] = AuditRatingForm(
            prefix=f"c{row['criterion'].pk}",
            initial={"rating": audited.rating, "note": audited.note} if audited else None,
        )
        row["error"] = errors.get(row["criterion"].pk)
    return render(
        request,
        "standards/audit_detail.html",
        {
            "page_title": "Audit an assessment",
            "audit": audit,
            "rows": rows,
            "error": error,
            "row_errors": bool(errors),
            "page_has_errors": bool(error or errors),
            # The summary's link for a missing rating: the first criterion not yet audited.
            "error_form": next((r["form"] for r in rows if not r["audited"]), rows[0]["form"])
            if rows
            else None,
        },
        status=400 if (error or errors) else 200,
    )
