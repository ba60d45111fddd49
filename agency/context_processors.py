"""Navigation context: the current agency, the role, and the other agencies one can switch to."""

from __future__ import annotations

from agency.membership import resolve_membership
from agency.roles import Capability


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = resolve_membership(request)
    return {
        "nav_membership": membership,
        "nav_memberships": getattr(request, "_adwright_memberships", []),
        "nav_can": {c.value: bool(membership and membership.can(c)) for c in Capability},
    }
