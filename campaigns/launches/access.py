"""Loading one template or batch for a member: another agency's and a missing one are the same
404; client viewers see none of them."""

from __future__ import annotations

from django.http import Http404

from agency.models import Membership
from agency.roles import Capability
from campaigns.launches.models import LaunchBatch, LaunchTemplate


def _load(model, membership: Membership, pk: int, what: str):
    if not membership.can(Capability.VIEW_AGENCY):
        raise Http404(f"No such {what}.")
    found = model.objects.filter(pk=pk).first()
    if found is None or found.agency_id != membership.agency_id:
        raise Http404(f"No such {what}.")
    return found


def access_template_by_id(*, membership: Membership, template_id: int) -> LaunchTemplate:
    return _load(LaunchTemplate, membership, template_id, "template")


def access_batch_by_id(*, membership: Membership, batch_id: int) -> LaunchBatch:
    return _load(LaunchBatch, membership, batch_id, "batch")
