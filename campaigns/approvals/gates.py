"""The publish gate: a campaign that requires its client's approval is published (single, bulk
or API) only when an approval of exactly what it is now exists."""

from __future__ import annotations

from agency.errors import ServiceError
from campaigns.approvals.models import ApprovalState
from campaigns.approvals.selectors import campaign_approval
from campaigns.services.gates import publish_gate_register


class ApprovalRequiredError(ServiceError):
    code = "approval_required"
    http_status = 409


@publish_gate_register("approvals")
def approval_gate(campaign) -> None:
    approval = campaign_approval(campaign=campaign)
    if not approval.required or approval.approved:
        return
    latest = approval.latest
    name = f"“{campaign.name}”"
    if latest is None:
        reason = f"{name} needs the client's approval: send it for approval first."
    elif approval.stale:
        reason = (f"{name} was edited after it was sent for approval: send the new version "
                  "for approval.")
    elif latest.state == ApprovalState.PENDING:
        reason = f"{name} is waiting for the client's approval."
    elif latest.state == ApprovalState.CHANGES_REQUESTED:
        reason = f"The client asked for changes to {name}: {latest.comment}"
    else:
        reason = f"{name} needs the client's approval: send it for approval again."
    raise ApprovalRequiredError(reason, extra={
        "campaign_id": campaign.pk,
        "approval_id": latest.pk if latest else None,
        "approval_state": latest.state if latest else None,
    })
