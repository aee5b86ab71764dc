"""The 2030 blueprint's pages: the six targets with their trends, each target's figures, and the
recommendations tracker (a page a theme, the matrix of theme and body, each recommendation with
its updates and links). Everyone reads them; institute staff record and update. Thin: rules in
services and access, figures in targets and selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject as lazy
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from institute import fragments
from institute.errors import DomainError
from institute.forms import add_domain_error
from institute.models import Theme
from institute.pagination import paginate
from institute.sector import access, selectors, services, targets, trends
from institute.sector.forms import (
    MetricValueForm,
    RecommendationLinksForm,
    RecommendationUpdateForm,
)
from institute.sector.models import Body, MetricValue, RecommendationStatus
from institute.sector.services import BLUEPRINT_VERSION


def _csv(table) -> HttpResponse:
    response = HttpResponse(table.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.slug}.csv"'
    return response


@require_GET
def blueprint(request):
    """The 2030 blueprint on one page: each theme's vision, its targets now and their trend,
    and its recommendations; then who should be doing what. The body is the same for every
    viewer and its charts cost far more to render than its figures to read (19 ms a request at
    scale): it is kept, rendered, until the figures or the tracker change, or the day does."""
    # Rendered by the template engine, with its escaping, from the template's partial.
    return render(
        request,
        "sector/blueprint.html",
        {"page_title": BLUEPRINT_TITLE, "body": mark_safe(blueprint_body())},  # noqa: S308
    )


BLUEPRINT_TITLE = "The 2030 blueprint"


def blueprint_body() -> str:
    """The blueprint page's body, as its partial renders it, kept until the figures, the
    tracker or the day change; the refresh task warms it (views.pages_warm)."""
    today = timezone.localdate().isoformat()
    return fragments.cached(
        f"sector:blueprint:body:{today}",
        (targets.VERSION, BLUEPRINT_VERSION),
        lambda: render_to_string("sector/blueprint.html#body", _blueprint_context()),
    )


def _blueprint_context() -> dict:
    views = targets.targets_overview()
    matrix = selectors.recommendation_matrix()
    themes = targets.targets_by_theme(views)
    for theme in themes:
        counts = matrix["by_theme"][theme["theme"]]
        theme["recommendations"] = [
            (label.lower(), counts[value]) for value, label in RecommendationStatus.choices
        ]
        theme["recommendation_total"] = sum(counts.values())
    return {
        "page_title": BLUEPRINT_TITLE,
        "themes": themes,
        "targets_table": targets.targets_table(views),
        "matrix": selectors.matrix_cells(matrix),
        "matrix_table": selectors.matrix_table(matrix),
        "bodies": Body.choices,
        "rule": trends.RULE,
    }


@require_GET
def targets_csv(request):
    return _csv(targets.targets_table(targets.targets_overview()))


@require_GET
def matrix_csv(request):
    return _csv(selectors.matrix_table(selectors.recommendation_matrix()))


def _series_view(slug: str):
    view = next((v for v in targets.targets_overview() if v.slug == slug), None)
    if view is None:
        raise Http404
    return view


@require_GET
def series_detail(request, slug):
    series = access.series_get_for_user(request.user, slug)
    view = _series_view(series.slug)
    can_edit = access.can_edit_blueprint(request.user)
    return render(
        request,
        "sector/series_detail.html",
        {
            "page_title": view.title,
            "series": view,
            "can_record": can_edit and not view.is_computed,
            "rule": trends.RULE,
            "examples": lazy(targets.data_sharing_examples)
            if slug == "data-sharing-examples"
            else None,
        },
    )


@require_GET
def series_csv(request, slug):
    series = access.series_get_for_user(request.user, slug)
    return _csv(_series_view(series.slug).table)


@login_required
@require_http_methods(["GET", "POST"])
def series_record(request, slug):
    series = access.series_get_for_user(request.user, slug, write=True)
    form = MetricValueForm(request.POST or None, series=series)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.metric_value_record(
                actor=request.user,
                series=series,
                on=data["on"],
                value=data["value"],
                source_url=data["source_url"],
                note=data["note"],
                is_baseline=data.get("is_baseline", False),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"The value for {data['on']:%-d %B %Y} is recorded.")
            return redirect("sector:series_detail", slug=series.slug)
    return render(
        request,
        "sector/series_record.html",
        {"page_title": f"Record a value: {series.title}", "series": series, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def series_value_remove(request, slug, pk):
    """A confirmation page, then the removal."""
    series = access.series_get_for_user(request.user, slug, write=True)
    value = MetricValue.objects.filter(series=series, pk=pk).first()
    if value is None:
        raise Http404
    if request.method == "POST":
        services.metric_value_remove(actor=request.user, value=value)
        messages.success(request, f"The value for {value.date:%-d %B %Y} was removed.")
        return redirect("sector:series_detail", slug=series.slug)
    return render(
        request,
        "sector/series_value_remove.html",
        {
            "page_title": "Remove a value",
            "series": series,
            "value": value,
            "value_text": targets.value_text(value.value, series.unit),
        },
    )


@require_GET
def blueprint_theme(request, theme):
    theme = access.theme_get(theme)
    body = request.GET.get("body", "")
    if body not in Body.values:
        body = ""
    views = [v for v in targets.targets_overview() if v.theme == theme.value]
    context = {
        "page_title": theme.label,
        "theme": theme,
        "vision": targets.VISIONS[theme],
        "series": views,
        "body": body,
        "body_label": dict(Body.choices).get(body, ""),
        "bodies": Body.choices,
        "link_labels": selectors.LINK_LABELS,
        "themes": Theme.choices,
        **paginate(request, selectors.recommendation_list(theme=theme.value, body=body)),
    }
    for recommendation in context["page_obj"].object_list:
        recommendation.served_by = selectors.served_by_text(recommendation)
    return render(request, "sector/blueprint_theme.html", context)


@require_GET
def recommendations_csv(request):
    table = selectors.recommendations_table(selectors.recommendation_list())
    return _csv(table)


@require_GET
def recommendation_detail(request, number):
    recommendation = access.recommendation_get_for_user(request.user, number)
    return render(
        request,
        "sector/recommendation_detail.html",
        {
            "page_title": f"Recommendation {recommendation.number}: {recommendation.title}",
            "recommendation": recommendation,
            "updates": list(recommendation.updates.select_related("recorded_by")),
            "link_groups": selectors.link_groups(selectors.recommendation_links(recommendation)),
            "can_edit": access.can_edit_blueprint(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_update(request, number):
    recommendation = access.recommendation_get_for_user(request.user, number, write=True)
    form = RecommendationUpdateForm(request.POST or None, initial={"status": recommendation.status})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.recommendation_update_add(
                actor=request.user,
                recommendation=recommendation,
                status=data["status"],
                on=data["on"],
                note=data["note"],
                evidence_url=data["evidence_url"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Recommendation {recommendation.number} is updated.")
            return redirect(recommendation)
    return render(
        request,
        "sector/recommendation_update.html",
        {
            "page_title": f"Update recommendation {recommendation.number}",
            "recommendation": recommendation,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_links(request, number):
    recommendation = access.recommendation_get_for_user(request.user, number, write=True)
    current = selectors.link_addresses(selectors.recommendation_links(recommendation))
    form = RecommendationLinksForm(request.POST or None, initial={"addresses": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.recommendation_links_set(
                actor=request.user, recommendation=recommendation, **form.links
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, f"The work serving recommendation {recommendation.number} is saved."
            )
            return redirect(recommendation)
    return render(
        request,
        "sector/recommendation_links.html",
        {
            "page_title": f"What serves recommendation {recommendation.number}",
            "recommendation": recommendation,
            "form": form,
        },
    )
