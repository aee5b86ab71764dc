"""Comparison groups: sector viewers and institute staff see the sets held; institute staff
upload them as CSV (nothing is loaded unless every line is right) and remove them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from institute.errors import DomainError
from institute.forms import add_domain_error
from institute.pagination import paginate
from institute.sector import access, comparison, selectors, services
from institute.sector.forms import ComparisonUploadForm


@login_required
@require_GET
def comparison_group_list(request):
    access.require_council_detail(request.user)
    return render(
        request,
        "sector/comparison_group_list.html",
        {
            "page_title": "Comparison groups",
            "group_sets": list(selectors.comparison_group_sets()),
            "can_edit": access.can_edit_blueprint(request.user),
        },
    )


@login_required
@require_GET
def comparison_group_detail(request, pk):
    group_set = access.comparison_group_set_get_for_user(request.user, pk)
    return render(
        request,
        "sector/comparison_group_detail.html",
        {
            "page_title": group_set.name,
            "group_set": group_set,
            "can_edit": access.can_edit_blueprint(request.user),
            **paginate(request, selectors.comparison_group_rows(group_set), per_page=50),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def comparison_group_upload(request):
    access.require_editor(request.user)
    form = ComparisonUploadForm(request.POST or None, request.FILES or None)
    file_errors, more = [], 0
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group_set = services.comparison_groups_upload(
                actor=request.user,
                name=data["name"],
                as_of=data["as_of"],
                source=data["source"],
                source_url=data["source_url"],
                licence=data["licence"],
                data=data["file"].read(comparison.MAX_BYTES + 1),
            )
        except comparison.ComparisonFileError as error:
            file_errors, more = error.shown, error.more
            form.add_error("file", error.message)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, f"{group_set.name}: groups for {group_set.councils} councils loaded."
            )
            return redirect(group_set)
    return render(
        request,
        "sector/comparison_group_upload.html",
        {
            "page_title": "Upload comparison groups",
            "form": form,
            "file_errors": file_errors,
            "more_errors": more,
        },
        status=400 if file_errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def comparison_group_remove(request, pk):
    group_set = access.comparison_group_set_get_for_user(request.user, pk, write=True)
    if request.method == "POST":
        services.comparison_group_set_remove(actor=request.user, group_set=group_set)
        messages.success(request, f"{group_set.name} was removed.")
        return redirect("sector:comparison_group_list")
    return render(
        request,
        "sector/comparison_group_remove.html",
        {"page_title": f"Remove {group_set.name}", "group_set": group_set},
    )
