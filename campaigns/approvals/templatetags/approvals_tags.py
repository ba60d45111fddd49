"""A client viewer's reminder of the requests waiting for its decision (its reports home)."""

from __future__ import annotations

from django import template

from agency.roles import Role
from campaigns.approvals.models import ApprovalState
from campaigns.approvals.selectors import approval_list

register = template.Library()


@register.inclusion_tag("approvals/_waiting.html", takes_context=True)
def approvals_waiting(context):
    membership = context.get("membership")
    if membership is None or membership.role != Role.CLIENT_VIEWER:
        return {"count": 0}
    count = approval_list(agency=membership.agency, membership=membership,
                          states=[ApprovalState.PENDING]).count()
    return {"count": count}
