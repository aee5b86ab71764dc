"""Thin views: parse input, call access/service/selector, render the page or its partial."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from backlog import access, selectors, services
from backlog.forms import (
    BacklogFilterForm,
    CommentForm,
    MergeForm,
    ModerationForm,
    ProblemEditForm,
    ProblemForm,
    ReasonForm,
    StatusForm,
)
from backlog.models import DuplicateCandidate, Problem, Status
from institute import access as core_access
from institute import selectors as core_selectors
from institute.csv_export import (
    IsoTimestamp,
    absolute_detail_urls,
    choice_labels,
    csv_response,
)
from institute.errors import DomainError, NotAllowed
from institute.forms import add_domain_error
from institute.pagination import paginate
from institute.wording import count_of


def _filter_form(request):
    return BacklogFilterForm(
        request.GET or None, service_area_choices=core_selectors.service_area_choices()
    )


@require_GET
@vary_on_headers("HX-Request")
def problem_list(request):
    form = _filter_form(request)
    filters = form.filters()
    context = {
        "page_title": "Common problems",
        "form": form,
        "filters_active": any(
            getattr(filters, name)
            for name in ("q", "theme", "status", "service_area", "region", "council_type")
        ),
        **paginate(
            request,
            selectors.problem_list_page(filters, count_cap=selectors.SEARCH_COUNT_CAP, rows=True),
        ),
    }
    problems = context["page_obj"].object_list = list(context["page_obj"].object_list)
    context["service_areas"] = core_selectors.service_area_names(problems)
    context["vote_states"] = selectors.problem_vote_states(request.user, problems)
    context["can_submit"] = access.can_submit_problem(request.user)
    context["can_vote"] = access.can_vote(request.user)
    template = "backlog/problem_list.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@require_GET
def problem_export(request):
    """The public backlog as CSV, with the same filters as the page, streamed in chunks."""
    filters = _filter_form(request).filters()
    # Values, not model instances, read through a server-side cursor: ~100,000 rows.
    problems = (
        selectors.problem_list(filters)
        .prefetch_related(None)
        .annotate(created_text=IsoTimestamp("created_at"))
        .values_list(
            "pk",
            "title",
            "summary",
            "theme",
            "status",
            "council_count",
            "vote_count",
            "submitted_for__name",
            "created_text",
        )
        .iterator(chunk_size=5000)
    )
    themes = choice_labels(Problem, "theme")
    statuses = choice_labels(Problem, "status")
    url = absolute_detail_urls("backlog:problem_detail", "pk", int)

    def rows():
        yield [
            "id",
            "title",
            "summary",
            "theme",
            "status",
            "councils_affected",
            "officers",
            "submitted_by_organisation",
            "created_at",
            "url",
        ]
        for pk, title, summary, theme, status, councils, officers, org, created in problems:
            yield [
                pk,
                title,
                summary,
                themes.get(theme, theme),
                statuses.get(status, status),
                councils,
                officers,
                org,
                created,
                url(pk),
            ]

    return csv_response(rows(), "common-problems")


@login_required
@require_http_methods(["GET", "POST"])
def problem_submit(request):
    if not access.can_submit_problem(request.user):
        raise NotAllowed(
            "Only council officers, centre staff and institute staff can submit problems."
        )
    form = ProblemForm(request.POST or None)
    similar = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Without JavaScript, the first submit is the "check for similar problems" step.
        if request.POST.get("checked") != "1" or request.POST.get("action") == "check":
            similar = selectors.problem_similar(title=data["title"], summary=data["summary"])
        if not similar and request.POST.get("action") != "check":
            try:
                problem = services.problem_submit(actor=request.user, **data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                return redirect("backlog:problem_submitted", pk=problem.pk)
    return render(
        request,
        "backlog/problem_form.html",
        {
            "page_title": "Submit a problem",
            "form": form,
            "similar": similar,
            "checked": bool(similar) or request.POST.get("checked") == "1",
            "can_vote": access.can_vote(request.user),
            "vote_states": selectors.problem_vote_states(request.user, similar),
        },
    )


@login_required
@require_GET
def problem_submitted(request, pk):
    problem = access.problem_get_for_user(request.user, pk)
    if problem.submitted_by_id != request.user.pk:
        raise Http404
    return render(
        request,
        "backlog/problem_submitted.html",
        {"page_title": "Problem submitted", "problem": problem},
    )


@require_GET
@vary_on_headers("HX-Request")
def problem_similar(request):
    """Suggestions while a title is typed (htmx), or a plain page of them without JavaScript."""
    title = request.GET.get("title", "")[:150]
    summary = request.GET.get("summary", "")[:300]
    similar = selectors.problem_similar(title=title, summary=summary)
    context = {
        "page_title": "Similar problems",
        "similar": similar,
        "title": title,
        "can_vote": access.can_vote(request.user),
        "vote_states": selectors.problem_vote_states(request.user, similar),
    }
    template = "backlog/problem_similar.html"
    if request.htmx:
        template += "#suggestions"
    return render(request, template, context)


def _withdrawn_page(request, tombstone):
    """What is left at a withdrawn problem's address. 410 Gone, not 404: the address was right
    and stays answered, and crawlers and API clients learn the problem was taken away on
    purpose; the page says so plainly and leads back to the backlog."""
    return render(
        request,
        "backlog/problem_withdrawn.html",
        {"page_title": f"Problem {tombstone.number} was withdrawn", "tombstone": tombstone},
        status=410,
    )


@require_GET
def problem_detail(request, pk):
    councils = selectors.problem_page_councils(pk)
    parts = selectors.problem_page_parts(pk, request.user, councils=councils)
    # Fetched only if a part of the page is not in the cache (404 then if there is none).
    problem = SimpleLazyObject(lambda: access.problem_get_for_user(request.user, pk))
    # Cached for visitors who are not signed in.
    try:
        row = parts.get_or_put(
            "row", lambda: {"title": problem.title, "merged_into_id": problem.merged_into_id}
        )
    except access.ProblemWithdrawn as gone:
        return _withdrawn_page(request, gone.tombstone)
    staff = access.can_triage(request.user)
    if row["merged_into_id"] and not staff:
        url = reverse("backlog:problem_detail", kwargs={"pk": row["merged_into_id"]})
        return HttpResponseRedirect(f"{url}?merged_from={pk}")
    merged_from = None
    source = request.GET.get("merged_from", "")
    if source.isascii() and source.isdigit() and int(source) < 2**31:
        merged_from = Problem.objects.filter(pk=int(source), merged_into_id=pk).first()
    can_comment = access.can_comment(request.user)
    context = {
        "page_title": row["title"],
        "problem": problem,
        "merged_notice": merged_from,
        "comment_form": CommentForm() if can_comment else None,
        "can_vote": access.can_vote(request.user),
        "can_comment": can_comment,
        "staff": staff,
        "can_edit": access.can_edit_problem(request.user, problem),
        "can_withdraw": access.can_withdraw_problem(request.user, problem)
        and problem.status == Status.NEW,
        "parts": parts,
        **selectors.problem_page(problem, request.user, councils=councils),
    }
    return render(request, "backlog/problem_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def problem_edit(request, pk):
    """The submitter's edit while the problem is new; institute staff's, with a reason, at any
    status. Saved as a revision the problem page lists under "Changes"."""
    problem = access.problem_get_for_user(request.user, pk)
    if not access.can_edit_problem(request.user, problem):
        raise NotAllowed(
            "Only the person who raised a problem can change it, while it is new, and "
            "institute staff."
        )
    needs_reason = access.edit_needs_reason(request.user)
    initial = {
        "title": problem.title,
        "summary": problem.summary,
        "description": problem.description,
        "theme": problem.theme,
        "service_areas": list(problem.service_areas.all()),
    }
    form = ProblemEditForm(request.POST or None, initial=initial, needs_reason=needs_reason)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            revision = services.problem_edit(
                actor=request.user,
                problem=problem,
                title=data["title"],
                summary=data["summary"],
                description=data["description"],
                theme=data["theme"],
                service_areas=data["service_areas"],
                reason=data.get("reason", ""),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if revision is None:
                messages.success(request, "You did not change anything, so nothing was saved.")
                return redirect(problem)
            messages.success(request, "Your changes are saved. They are listed under Changes.")
            return redirect(f"{problem.get_absolute_url()}#changes")
    return render(
        request,
        "backlog/problem_edit.html",
        {
            "page_title": "Edit the problem",
            "problem": problem,
            "form": form,
            "needs_reason": needs_reason,
            "back_url": problem.get_absolute_url(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def problem_withdraw(request, pk):
    """The person who raised a problem takes it back (new, and no other council has it)."""
    try:
        problem = access.problem_get_for_user(request.user, pk)
    except access.ProblemWithdrawn as gone:
        return _withdrawn_page(request, gone.tombstone)
    if not access.can_withdraw_problem(request.user, problem):
        raise NotAllowed(
            "Only the person who raised a problem can withdraw it. Institute staff close "
            "problems as not taken forward instead."
        )
    # A form with no fields: its errors give the page its error summary and "Error: " title.
    form = forms.Form(request.POST if request.method == "POST" else None)
    refusal = services.problem_withdraw_refusal(problem)
    if request.method == "POST" and form.is_valid():
        try:
            if refusal is not None:
                raise refusal
            tombstone = services.problem_withdraw(actor=request.user, problem=problem)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"You have withdrawn problem {tombstone.number}.")
            return redirect("backlog:my_council")
    return render(
        request,
        "backlog/problem_withdraw.html",
        {
            "page_title": "Withdraw the problem",
            "problem": problem,
            "form": form,
            "refusal": refusal,
            "back_url": problem.get_absolute_url(),
        },
    )


@require_GET
def problem_changes(request, pk):
    """Every revision of a problem, newest first, page by page."""
    try:
        problem = access.problem_get_for_user(request.user, pk)
    except access.ProblemWithdrawn as gone:
        return _withdrawn_page(request, gone.tombstone)
    return render(
        request,
        "backlog/problem_changes.html",
        {
            "page_title": f"Changes to problem {problem.pk}",
            "problem": problem,
            **paginate(request, selectors.problem_revisions(problem)),
        },
    )


def _problem_for_action(request, pk):
    return access.problem_get_for_user(request.user, pk)


@login_required
@require_POST
def problem_vote(request, pk):
    # Problems are public, so there is nothing to check before the service locks the row; it
    # fills in what the fragment shows (title, status, counters, where the voter's council now
    # stands and, on the problem page, the councils affected), with no second read.
    problem = Problem(pk=pk)
    withdraw = request.POST.get("action") == "withdraw"
    compact = request.POST.get("compact") == "1"
    # Only the problem page (not a list's compact button) shows the councils affected.
    councils = bool(request.htmx) and not compact
    error = None
    try:
        if withdraw:
            services.problem_vote_withdraw(actor=request.user, problem=problem, councils=councils)
        else:
            services.problem_vote(actor=request.user, problem=problem, councils=councils)
    except NotAllowed:
        raise  # the 403 page, and the security log
    except Problem.DoesNotExist:
        raise Http404("No problem has this id.") from None
    except DomainError as exc:
        error = exc.message
    if request.htmx:
        # After a vote or withdrawal that went through, the service says where the person and
        # their council stand; otherwise ask (a colleague's vote may still count the council).
        if hasattr(problem, "voter_state"):
            state = problem.voter_state
        else:
            state = selectors.problem_vote_states(request.user, [problem]).get(problem.pk)
        # A fragment, not a page: no context processors (navigation, notifications), just the
        # CSRF token its form needs. Every other place on the page that shows the problem's
        # demand is updated with it, out of band; on the problem page, the councils too.
        html = render_to_string(
            "backlog/_vote.html",
            {
                "problem": problem,
                "state": state,
                "vote_error": error,
                "compact": compact,
                "demand_oob": True,
                "csrf_token": get_token(request),
            },
        )
        if councils and not error:
            breakdown = getattr(problem, "councils_affected", None)
            if breakdown is None:  # nothing was written
                breakdown = selectors.problem_councils(problem)
            html += render_to_string(
                "backlog/problem_detail.html#breakdown",
                {"problem": problem, "councils": breakdown, "oob": True},
            )
        return HttpResponse(html, status=409 if error else 200)
    if error:
        messages.error(request, error)
    elif withdraw:
        messages.success(request, "Your vote has been withdrawn.")
    else:
        messages.success(request, "Recorded: your council has this problem too.")
    return redirect(problem)


@login_required
@require_POST
def problem_follow(request, pk):
    problem = _problem_for_action(request, pk)
    if request.POST.get("action") == "unfollow":
        services.problem_unfollow(actor=request.user, problem=problem)
        messages.success(request, "You no longer follow this problem.")
    else:
        services.problem_follow(actor=request.user, problem=problem)
        messages.success(request, "You now follow this problem. We will tell you when it changes.")
    return redirect(problem)


@login_required
@require_POST
def comment_create(request, pk):
    problem = _problem_for_action(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.comment_add(
                actor=request.user, problem=problem, body=form.cleaned_data["body"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if request.htmx:
                context = {
                    "problem": problem,
                    "comment_form": CommentForm(),
                    "can_comment": True,
                    "staff": access.can_triage(request.user),
                    **selectors.problem_page(problem, request.user),
                }
                return render(request, "backlog/problem_detail.html#discussion", context)
            messages.success(request, "Your comment has been added.")
            return redirect(f"{problem.get_absolute_url()}#comment-{comment.pk}")
    context = {
        "page_title": problem.title,
        "problem": problem,
        "comment_form": form,
        "can_vote": access.can_vote(request.user),
        "can_comment": True,
        "staff": access.can_triage(request.user),
        **selectors.problem_page(problem, request.user),
    }
    template = "backlog/problem_detail.html"
    if request.htmx:
        template += "#discussion"
    return render(request, template, context, status=400 if request.htmx else 200)


@login_required
@require_http_methods(["GET", "POST"])
def comment_edit(request, pk):
    comment = access.comment_get_for_user(request.user, pk)
    if comment.author_id != request.user.pk:
        raise NotAllowed("You can only edit your own comments.")
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    form.fields["body"].label = "Edit your comment"
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(
                actor=request.user, comment=comment, body=form.cleaned_data["body"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Your comment has been updated.")
            return redirect(f"{comment.problem.get_absolute_url()}#comment-{comment.pk}")
    return render(
        request,
        "backlog/comment_edit.html",
        {"page_title": "Edit your comment", "comment": comment, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_report(request, pk):
    comment = access.comment_get_for_user(request.user, pk)
    form = ReasonForm(request.POST or None)
    form.fields["reason"].label = "Why should a moderator look at this comment?"
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_report(
                actor=request.user, comment=comment, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, "Thank you. A moderator will look at the comment.")
            return redirect(f"{comment.problem.get_absolute_url()}#comment-{comment.pk}")
    return render(
        request,
        "backlog/comment_report.html",
        {"page_title": "Report a comment", "comment": comment, "form": form},
    )


MODERATED = {
    "hide": "The comment is hidden.",
    "dismiss": "The comment stays visible and its reports are closed.",
    "restore": "The comment is visible again.",
}


@login_required
@require_http_methods(["GET", "POST"])
def comment_moderate(request, pk):
    """Hide a comment, or keep it and close its reports, with a reason; or restore a hidden one.
    From the reported comments queue, back to the queue."""
    comment = access.comment_get_for_user(request.user, pk)
    if not access.can_triage(request.user):
        raise NotAllowed()
    from_queue = request.GET.get("from") == "queue" or request.POST.get("from") == "queue"
    form = ModerationForm(
        request.POST if request.method == "POST" else None, hidden=comment.is_hidden
    )
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        reason = form.cleaned_data["reason"]
        try:
            if decision == "restore":
                services.comment_restore(actor=request.user, comment=comment, reason=reason)
            elif decision == "dismiss":
                services.comment_reports_dismiss(actor=request.user, comment=comment, reason=reason)
            else:
                services.comment_hide(actor=request.user, comment=comment, reason=reason)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, MODERATED[decision])
            if from_queue:
                return redirect("backlog:comment_reports")
            return redirect(f"{comment.problem.get_absolute_url()}#comment-{comment.pk}")
    return render(
        request,
        "backlog/comment_moderate.html",
        {
            "page_title": "Restore a comment" if comment.is_hidden else "Moderate a comment",
            "comment": comment,
            "form": form,
            "from_queue": from_queue,
            "reports": list(comment.reports.select_related("reporter").order_by("created_at")),
            "trail": selectors.comment_moderation_trail(comment),
        },
    )


@login_required
@require_GET
def comment_reports(request):
    """Reported comments waiting for a moderator, oldest report first."""
    if not access.can_triage(request.user):
        raise NotAllowed("Only institute staff moderate comments.")
    return render(
        request,
        "backlog/comment_reports.html",
        {"page_title": "Reported comments", **paginate(request, selectors.reported_comments())},
    )


@login_required
@require_GET
def triage(request):
    if not access.can_triage(request.user):
        raise NotAllowed()
    return render(
        request,
        "backlog/triage.html",
        {
            "page_title": "Triage",
            **paginate(request, selectors.triage_queue()),
            "pairs": list(selectors.duplicate_pairs()[:20]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def problem_status(request, pk):
    problem = access.problem_get_for_user(request.user, pk, write=True)
    form = StatusForm(request.POST or None, initial={"status": problem.status})
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.problem_change_status(
                actor=request.user,
                problem=problem,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Status changed to {problem.get_status_display().lower()}.")
            return redirect(problem)
    return render(
        request,
        "backlog/problem_status.html",
        {"page_title": "Change status", "problem": problem, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def problem_merge(request, pk):
    problem = access.problem_get_for_user(request.user, pk, write=True)
    initial = {"target": request.GET.get("target")} if request.GET.get("target") else None
    form = MergeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        target = Problem.objects.filter(pk=form.cleaned_data["target"]).first()
        if target is None:
            form.add_error("target", "There is no problem with that number")
        else:
            try:
                merge = services.problem_merge(
                    actor=request.user,
                    source=problem,
                    target=target,
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    f"Merged into this problem. {count_of(merge.votes_moved, 'vote')} moved.",
                )
                return redirect(target)
    return render(
        request,
        "backlog/problem_merge.html",
        {"page_title": "Merge a problem", "problem": problem, "form": form},
    )


@login_required
@require_POST
def problem_unmerge(request, pk):
    problem = access.problem_get_for_user(request.user, pk, write=True)
    try:
        services.problem_unmerge(actor=request.user, source=problem)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Unmerged. The problem has its own votes again.")
    return redirect(problem)


@login_required
@require_POST
def duplicate_dismiss(request, pk):
    if not access.can_triage(request.user):
        raise NotAllowed()
    candidate = get_object_or_404(DuplicateCandidate, pk=pk)
    services.duplicate_dismiss(actor=request.user, candidate=candidate)
    messages.success(request, "Marked as different problems.")
    return redirect("backlog:triage")


@login_required
@require_GET
def my_council(request):
    membership = core_access.membership_of(request.user)
    if membership is None:
        raise NotAllowed("Join an organisation to see its problems.")
    organisation = membership.organisation
    return render(
        request,
        "backlog/my_council.html",
        {
            "page_title": f"{organisation.name}: problems",
            "organisation": organisation,
            **paginate(request, selectors.problems_for_organisation(organisation)),
        },
    )
