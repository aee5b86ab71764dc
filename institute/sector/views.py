"""The sector's pages: the dashboard, its public summary, CSV downloads, council profiles and
the open data page. Thin: figures come from the sector's modules, gates from access."""

import hashlib
from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject as lazy
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from institute import access
from institute import selectors as core_selectors
from institute.fragments import Part, Parts
from institute.models import CouncilType, Region
from institute.sector import access as sector_access
from institute.sector import blueprint_views, opendata, panels, profiles, selectors, targets, trends
from institute.sector.figures import Filters, strategic_authorities
from institute.storage import generated_storage
from standards import access as standards_access

# Panels in page order: (heading, id, table slugs).
PANELS = [
    ("Backlog", "backlog", ["backlog-themes", "backlog-top"]),
    ("Components", "components", ["components-stages", "components-top"]),
    ("Standards", "standards", ["standards", "standards-trend"]),
    ("Centres", "centres", ["centres"]),
    ("Engagement", "engagement", ["engagement-region", "engagement-type"]),
]


def _context(request, *, public: bool) -> dict:
    sas = strategic_authorities()
    groups = councils = {}
    if public:
        filters = Filters()
    else:
        groups = dict(selectors.comparison_group_choices())
        councils = dict(selectors.council_choices()) if groups else {}
        filters = Filters.from_query(request.GET, sas, groups, councils)
    data = panels.dashboard(filters, sas, public=public)
    shown = [
        (heading, anchor, [data["tables"][slug] for slug in slugs])
        for heading, anchor, slugs in PANELS
    ]
    context = {
        **data,
        "public": public,
        "filters": filters,
        "filters_query": filters.query(),
        "selection": filters.describe(
            {slug: name for slug, (_, name) in sas.items()}, groups, councils
        ),
        "panels": shown,
        "region_choices": Region.choices,
        "council_type_choices": CouncilType.choices,
        "sa_choices": [(slug, name) for slug, (_, name) in sas.items()],
        "group_choices": list(groups.items()),
        "council_choices": list(councils.items()),
        "trend_rule": trends.RULE,
        # Read only when the targets' part is not in the cache.
        "targets": lazy(targets.targets_overview),
        "targets_table": lazy(lambda: targets.targets_table(targets.targets_overview())),
    }
    context["parts"] = _panel_parts(context)
    return context


def _panel_parts(context) -> Parts:
    """The panels' markup is as fixed as their figures, which `panels.dashboard` keeps for
    each refresh of the summary rows: cached under the same identity (the refresh, the filters,
    the day), and which page (public or not) shows them with which selection. The targets'
    markup is kept until a series changes (targets.VERSION), for each page and day."""
    today = timezone.localdate().isoformat()
    parts = {
        "targets": Part(
            f"dashboard-targets:{connection.settings_dict['NAME']}:{context['public']}:{today}",
            (targets.VERSION,),
        )
    }
    refreshed = context["refreshed_at"]
    if refreshed is not None:
        state = [
            connection.settings_dict["NAME"],
            context["filters"].key,
            today,
            refreshed.isoformat(),
            context["public"],
            context["selection"],
            context["filters_query"],
        ]
        key = hashlib.sha256(repr(state).encode()).hexdigest()
        parts["panels"] = Part(f"dashboard-panels:{key}", ())
    return Parts(**parts)


@login_required
@require_GET
@vary_on_headers("HX-Request")
def dashboard(request):
    sector_access.require_council_detail(request.user)
    context = _context(request, public=False)
    context["page_title"] = "Sector dashboard"
    template = "sector/dashboard.html"
    if request.htmx:
        template += "#panels"
    return render(request, template, context)


@require_GET
def dashboard_summary(request):
    """National aggregates only: nothing about any one council."""
    context = _context(request, public=True)
    context["page_title"] = "Sector summary"
    return render(request, "sector/dashboard.html", context)


def pages_warm() -> None:
    """Render the public summary and the all-councils dashboard once, as their first visitors
    would, so that their cached parts (figures, panels' and targets' markup), the profiles'
    figures and the blueprint's body are ready before anyone asks: called by the refresh task
    after it refreshes them. The parts hold nothing about the viewer, so a bare request stands
    in for one."""
    request = HttpRequest()
    request.method = "GET"
    request.user = AnonymousUser()
    for public in (True, False):
        context = _context(request, public=public)
        context["page_title"] = "Sector summary" if public else "Sector dashboard"
        render_to_string("sector/dashboard.html", context, request=request)
    profiles.profile_rows()
    blueprint_views.blueprint_body()


def _csv(table, filters) -> HttpResponse:
    suffix = f"-{filters.query().replace('&', '-').replace('=', '-')}" if filters.active else ""
    response = HttpResponse(table.csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.slug}{suffix}.csv"'
    return response


@login_required
@require_GET
def dashboard_csv(request, table):
    sector_access.require_council_detail(request.user)
    context = _context(request, public=False)
    if table not in context["tables"]:
        raise Http404
    return _csv(context["tables"][table], context["filters"])


@require_GET
def dashboard_summary_csv(request, table):
    context = _context(request, public=True)
    if table not in context["tables"]:
        raise Http404
    return _csv(context["tables"][table], context["filters"])


@require_GET
def council_profile(request, slug):
    """A council beside councils like it (of its type, of its region and, for sector viewers
    and institute staff, its comparison group in a chosen set), from the per-council rows
    alone; what it raised, adopted and assessed, row by row, is on its organisation page."""
    organisation = access.organisation_get_for_user(request.user, slug)
    if not organisation.is_council:
        raise Http404
    group_sets, group_set = [], None
    if sector_access.can_view_council_detail(request.user):
        group_sets = list(selectors.comparison_group_sets())
        chosen = request.GET.get("group", "")
        group_set = next((g for g in group_sets if str(g.pk) == chosen), None)
    comparison = profiles.council_comparison(
        organisation,
        show_standards=standards_access.can_view_ratings(request.user, organisation),
        group_set=group_set,
    )
    if request.GET.get("format") == "csv":
        return _csv(comparison["table"], Filters())
    today = timezone.localdate()
    closed = organisation.valid_to is not None and organisation.valid_to < today
    return render(
        request,
        "sector/dashboard_profile.html",
        {
            "page_title": f"{organisation.name}: council profile",
            "organisation": organisation,
            "table": comparison["table"],
            "has_stats": comparison["has_stats"],
            "can_view_dashboard": access.can_view_sector_detail(request.user),
            "group_sets": group_sets,
            "group_set": group_set,
            "in_group": comparison["in_group"],
            # A council that has closed has no row: its figures are its heirs' now.
            "closed": closed,
            "heirs": (
                core_selectors.organisation_heirs([organisation.pk], today).get(organisation.pk, [])
                if closed
                else []
            ),
        },
    )


@require_GET
def data_index(request):
    manifest = opendata.manifest()
    if manifest is None and settings.DEBUG:
        manifest = opendata.open_data_publish()
    generated_at = None
    if manifest:
        generated_at = datetime.fromisoformat(manifest["generated_at"].replace("Z", "+00:00"))
    return render(
        request,
        "sector/data_index.html",
        {
            "page_title": "Open data",
            "datasets": opendata.DATASETS.values(),
            "generated_at": generated_at,
            "rows": (manifest or {}).get("rows", {}),
            "licence": opendata.LICENCE,
        },
    )


@require_GET
def data_download(request, name, fmt):
    dataset = opendata.DATASETS.get(name)
    if dataset is None or fmt not in opendata.FORMATS:
        raise Http404
    # Read through the storage the workers write to, so every web process serves the file.
    storage = generated_storage()
    path = opendata.name_of(name, fmt)
    if not storage.exists(path):
        # In development the nightly job may never have run; in production a missing file
        # means it has not run yet, which the page says.
        if not settings.DEBUG:
            raise Http404
        opendata.open_data_publish()
    response = FileResponse(
        storage.open(path, "rb"),
        as_attachment=True,
        filename=f"{name}.{fmt}",
        content_type=opendata.FORMATS[fmt],
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response
