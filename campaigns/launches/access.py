"""Loading one template or batch for a member: another agency's and a missing one are the same
404; client viewers see none of them."""

from __future__ import annotations

from agency.models import Membership
from campaigns.access import access_staff_object
from campaigns.launches.models import LaunchBatch, LaunchTemplate


def access_template_by_id(*, membership: Membership, template_id: int) -> LaunchTemplate:
    return access_staff_object(LaunchTemplate, membership, template_id, "template")


def access_batch_by_id(*, membership: Membership, batch_id: int) -> LaunchBatch:
    return access_staff_object(LaunchBatch, membership, batch_id, "batch")
