"""The OpenAPI schema and its Swagger UI: behind login, OPTIONS answered, no inline script.

(Kept apart from agency/api/schema.py: drf-spectacular's views import the schema class at import.)
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated


class _MembersOnlyOptions:
    """OPTIONS answers with the allowed methods only: the pages render templates, and DRF's
    metadata response cannot go through their HTML renderer (it was a 500)."""

    def options(self, request, *args, **kwargs):
        response = HttpResponse(status=204)
        response["Allow"] = ", ".join(m.upper() for m in ("get", "head", "options"))
        return response


class ApiSchemaView(SpectacularAPIView):
    """The schema document, for signed-in users only (it maps the whole API)."""

    permission_classes = [IsAuthenticated]


class ApiDocsView(_MembersOnlyOptions, SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served as a file (`?script`), not inline: the
    Content-Security-Policy allows no inline script."""

    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "head", "options"]


def api_docs_view(**initkwargs):
    """The docs page: a signed-out visitor is sent to sign in, then back."""
    return login_required(ApiDocsView.as_view(**initkwargs))
