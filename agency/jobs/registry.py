"""The registry of job kinds: a kind names its handler, its queue and its label.

    @job_kind("media.push", queue="uploads", label="Send media to Meta")
    def media_push(job: Job) -> None: ...

Kinds live in an app's `jobs.py` (or `tasks.py`): both are imported when Django starts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agency.jobs.errors import UnknownJobKindError
from agency.roles import Capability

if TYPE_CHECKING:
    from agency.jobs.models import Job

# Queues by kind of work, so that a large insights backfill never delays a publish.
QUEUE_PUBLISH = "publish"
QUEUE_UPLOADS = "uploads"
QUEUE_INSIGHTS = "insights"
QUEUE_MAINTENANCE = "maintenance"
QUEUE_DEFAULT = "default"
JOB_QUEUES = (QUEUE_PUBLISH, QUEUE_UPLOADS, QUEUE_INSIGHTS, QUEUE_MAINTENANCE)
ALL_QUEUES = (QUEUE_DEFAULT, *JOB_QUEUES)


@dataclass(frozen=True)
class JobKind:
    name: str
    queue: str
    label: str
    handler: Callable[[Job], None]
    # Who may start and cancel it (the Jobs page shows Cancel to these roles).
    capability: Capability = Capability.BUILD_CAMPAIGNS
    # Attempts after a GraphTransientError before the job fails.
    max_retries: int = 5
    # The kind's own section on the job page: a template included there, and the context it
    # needs (`detail(job=..., membership=...) -> dict`, a read).
    detail_template: str = ""
    detail: Callable[..., dict] | None = None


_KINDS: dict[str, JobKind] = {}


def job_kind(
    name: str, *, queue: str, label: str | None = None,
    capability: Capability = Capability.BUILD_CAMPAIGNS, max_retries: int = 5,
    detail_template: str = "", detail: Callable[..., dict] | None = None,
) -> Callable[[Callable[[Job], None]], Callable[[Job], None]]:
    """Register `handler` as the kind `name` (re-registering the same name replaces it)."""
    if queue not in JOB_QUEUES:
        raise ValueError(f"Unknown queue {queue!r}; choose one of {', '.join(JOB_QUEUES)}")
    if not name or len(name) > 64:
        raise ValueError("A job kind needs a name of 1-64 characters")

    def register(handler: Callable[[Job], None]) -> Callable[[Job], None]:
        _KINDS[name] = JobKind(name=name, queue=queue, label=label or name, handler=handler,
                               capability=capability, max_retries=max_retries,
                               detail_template=detail_template, detail=detail)
        return handler

    return register


def kind_get(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise UnknownJobKindError(f"There is no kind of job called “{name[:64]}”.") from None


def kind_is_registered(name: str) -> bool:
    return name in _KINDS


def kinds_registered() -> list[JobKind]:
    return sorted(_KINDS.values(), key=lambda k: k.name)


def kind_label(name: str) -> str:
    kind = _KINDS.get(name)
    return kind.label if kind else name
