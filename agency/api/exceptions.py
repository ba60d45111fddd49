"""The one DRF exception handler: every error is `{"message", "code", "extra"}`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from agency.errors import ServiceError


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        extra = dict(exc.extra)
        if exc.field:
            extra["field"] = exc.field
        return Response({"message": exc.message, "code": exc.code, "extra": extra},
                        status=exc.http_status)
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
