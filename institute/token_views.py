"""Pages for personal API tokens: create and revoke on the account page; staff see them all."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from institute import tokens
from institute.access import can_curate, require
from institute.errors import DomainError
from institute.forms import ApiTokenForm, add_domain_error
from institute.pagination import paginate
from institute.views import account


@never_cache
@login_required
@require_POST
def token_create(request):
    """Create a token and show its secret, once (never cached, never shown again). A name that
    is missing or refused shows the account page again with the error on the form."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return account(request, token_form=form)
    try:
        token, secret = tokens.api_token_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            read_only=form.cleaned_data["read_only"],
        )
    except DomainError as error:
        add_domain_error(form, error)
        return account(request, token_form=form)
    return render(
        request,
        "institute/token_created.html",
        {"page_title": "Your new API token", "token": token, "secret": secret},
    )


@login_required
@require_POST
def token_revoke(request, public_id):
    token = tokens.api_token_get_for_user(request.user, public_id)
    tokens.api_token_revoke(actor=request.user, token=token)
    messages.success(request, f"The token “{token.name}” has been revoked.")
    if token.user_id != request.user.pk:
        return redirect("institute:token_list")
    return redirect("institute:account")


@login_required
@require_GET
def token_list_for_staff(request):
    require(can_curate(request.user), "The list of everyone’s API tokens is for institute staff.")
    return render(
        request,
        "institute/token_list.html",
        {"page_title": "API tokens", **paginate(request, tokens.api_token_list_for_staff())},
    )
