"""The one DRF exception handler: every error is `{"message", "code", "extra"}`.

Business-rule refusals (ServiceError), Meta's failures (down 503, throttled 429 with Retry-After,
refusing a token 409, refusing the request 424) and unreadable tokens map through
`agency.failures`, the table the pages use too.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from agency.failures import failure_for


def exception_handler(exc, context):
    failure = failure_for(exc)
    if failure is not None:
        return Response({"message": failure.message, "code": failure.code,
                         "extra": failure.extra}, status=failure.status,
                        headers=failure.headers())
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handling, never a stack trace to the user
    if isinstance(exc, exceptions.ValidationError):
        body = {"message": "Some fields are not valid.", "code": "invalid",
                "extra": {"fields": response.data}}
    else:
        detail = getattr(exc, "detail", "")
        body = {"message": str(detail), "code": getattr(detail, "code", None) or "error",
                "extra": {}}
    response.data = body
    if response.status_code == status.HTTP_401_UNAUTHORIZED:
        response.status_code = status.HTTP_403_FORBIDDEN if not response.has_header(
            "WWW-Authenticate") else 401
    return response
