"""Loading one approval request for a member: missing, another agency's and another client's
are the same 404. Staff see the agency's requests; a client viewer its own clients' only."""

from __future__ import annotations

from django.http import Http404

from agency.access import visible_client_ids
from agency.ids import parse_id
from agency.models import Membership
from agency.roles import Capability
from campaigns.approvals.models import ApprovalRequest


def access_approval_by_id(*, membership: Membership, approval_id: object) -> ApprovalRequest:
    pk = parse_id(approval_id)
    if pk is None or not membership.can(Capability.VIEW_REPORTS):
        raise Http404("No such approval request.")
    found = (ApprovalRequest.objects.select_related("client", "sent_by", "decided_by")
             .filter(pk=pk).first())
    if found is None or found.agency_id != membership.agency_id:
        raise Http404("No such approval request.")
    allowed = visible_client_ids(membership=membership)
    if allowed is not None and found.client_id not in allowed:
        raise Http404("No such approval request.")
    return found
