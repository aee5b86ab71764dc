"""The OpenAPI schema and its documentation page (drf-spectacular, assets from the sidecar)."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema of /api/v1/ (YAML, or JSON with ?format=json)."""

    throttle_classes = []


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the project's own static files; its start-up script is a separate
    request, so the page needs no inline script and the CSP holds."""

    template_name = "institute/api_docs.html"
    throttle_classes = []
