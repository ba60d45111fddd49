"""The request-wide safety net of the pages: hostile input refused up front, Meta's failures shown
as a friendly page. The API has the same mapping in `agency.api.exceptions` (one table:
`agency.failures`).
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render

from agency.failures import failure_for
from agency.ids import MAX_ID

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NUL_MESSAGE = "NUL characters (\\x00) are not allowed in requests."


def _has_nul(querydict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values)
               for key, values in querydict.lists())


class FailSafeMiddleware:
    """Refuses NUL bytes (PostgreSQL cannot store them in text) in the path, the query string and
    form fields; answers 404 for an id in the URL beyond bigint; maps Graph failures, unusable
    connections and unreadable tokens reaching a view to 503/429/409/424 with a friendly page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _has_nul(request.GET):
            return self._bad_request(request, NUL_MESSAGE)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and value > MAX_ID:
                if request.path.startswith(API_PREFIX):
                    return JsonResponse({"message": "Not found.", "code": "not_found",
                                         "extra": {}}, status=404)
                raise Http404("No such object.")
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method == "POST" and content_type.startswith(_FORM_TYPES) and _has_nul(
            request.POST
        ):
            return self._bad_request(request, NUL_MESSAGE)
        return None

    def process_exception(self, request, exception):
        failure = failure_for(exception)
        if failure is None:
            return None  # a bug: Django's 500 handling (logged, no details to the user)
        log.warning("%s %s: %s (%s)", request.method, request.path, failure.code,
                    type(exception).__name__)
        if request.path.startswith(API_PREFIX):
            response = JsonResponse(
                {"message": failure.message, "code": failure.code, "extra": failure.extra},
                status=failure.status,
            )
        else:
            response = render(request, "errors/failure.html",
                              {"failure": failure, "retry_url": request.get_full_path()
                               if request.method == "GET" else ""},
                              status=failure.status)
        for name, value in failure.headers().items():
            response[name] = value
        return response

    @staticmethod
    def _bad_request(request, message: str):
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"message": message, "code": "invalid_characters", "extra": {}},
                                status=400)
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
