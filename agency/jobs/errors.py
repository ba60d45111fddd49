"""Errors of the job system."""

from __future__ import annotations

from agency.errors import ConflictError, ServiceError


class JobCancelledError(Exception):
    """Raised by `job_advance` (and `job_check`) when the user cancelled the job: the handler
    stops; the runner treats it as a clean end."""


class JobStateError(ConflictError):
    """A transition that the job's current state does not allow (a final job never changes)."""

    code = "job_state"


class UnknownJobKindError(ServiceError):
    code = "job_kind_unknown"
