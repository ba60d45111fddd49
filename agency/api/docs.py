"""The API's HTML documentation page (Swagger UI over /api/schema/)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.views import SpectacularSwaggerView


class SchemaDocsView(SpectacularSwaggerView):
    """Swagger UI. OPTIONS answers plainly: DRF's metadata response would go through the page's
    HTML template renderer, which has no template for it (a 500)."""

    def options(self, request, *args, **kwargs):
        response = HttpResponse(status=200)
        response["Allow"] = ", ".join(self.allowed_methods)
        return response
