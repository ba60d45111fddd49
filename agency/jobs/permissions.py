"""Who may start and cancel a job: the roles holding its kind's capability."""

from __future__ import annotations

from agency.jobs.errors import UnknownJobKindError
from agency.jobs.registry import kind_get
from agency.roles import Capability


def job_can_cancel(*, job, membership) -> bool:
    try:
        capability = kind_get(job.kind).capability
    except UnknownJobKindError:
        capability = Capability.BUILD_CAMPAIGNS
    return membership.agency_id == job.agency_id and membership.can(capability)
