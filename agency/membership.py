"""Which of the user's agencies a request acts in (the session's choice, or the X-Agency header)."""

from __future__ import annotations

from django.http import HttpRequest

from agency.models import Membership
from agency.selectors import memberships_for_user

SESSION_KEY = "adwright_agency_id"
HEADER = "X-Agency"  # an agency slug, for API clients that belong to several agencies


def resolve_membership(request: HttpRequest) -> Membership | None:
    cached = getattr(request, "_adwright_membership", False)
    if cached is not False:
        return cached
    memberships = list(memberships_for_user(user=request.user))
    chosen: Membership | None = None
    wanted_slug = request.headers.get(HEADER)
    if wanted_slug:
        chosen = next((m for m in memberships if m.agency.slug == wanted_slug), None)
    else:
        wanted_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        chosen = next((m for m in memberships if m.agency_id == wanted_id), None)
        if chosen is None and memberships:
            chosen = memberships[0]
    request._adwright_membership = chosen
    request._adwright_memberships = memberships
    return chosen


def switch_agency(request: HttpRequest, agency_id: int) -> Membership | None:
    """Make `agency_id` the session's agency if the user belongs to it."""
    memberships = list(memberships_for_user(user=request.user))
    chosen = next((m for m in memberships if m.agency_id == agency_id), None)
    if chosen is not None:
        request.session[SESSION_KEY] = chosen.agency_id
        request._adwright_membership = chosen
    return chosen
