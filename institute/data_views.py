"""The open data page and its downloads (files written by institute.opendata)."""

from datetime import datetime

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from institute import opendata


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
        "institute/data_index.html",
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
    path = opendata.path_of(name, fmt)
    if not path.exists():
        # In development the nightly job may never have run; in production a missing file
        # means it has not run yet, which the page says.
        if not settings.DEBUG:
            raise Http404
        opendata.open_data_publish()
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"{name}.{fmt}",
        content_type=opendata.FORMATS[fmt],
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response
