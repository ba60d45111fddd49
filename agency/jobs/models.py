"""A Job: one long operation of an agency (a publish, an upload, a refresh), with its progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from agency.tenancy import TenantOwnedModel

MAX_ERRORS_KEPT = 20


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


FINAL_STATES = frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED})
ACTIVE_STATES = frozenset({JobState.QUEUED, JobState.RUNNING, JobState.PAUSED})

# Which state may follow which; final states have no way out.
TRANSITIONS: dict[str, frozenset[str]] = {
    JobState.QUEUED: frozenset({JobState.RUNNING, JobState.PAUSED, JobState.FAILED,
                                JobState.CANCELLED}),
    JobState.RUNNING: frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.PAUSED,
                                 JobState.CANCELLED, JobState.QUEUED}),
    JobState.PAUSED: frozenset({JobState.QUEUED, JobState.FAILED, JobState.CANCELLED}),
    JobState.SUCCEEDED: frozenset(),
    JobState.FAILED: frozenset(),
    JobState.CANCELLED: frozenset(),
}


class Job(TenantOwnedModel):
    """Long work tracked: who started it, on what, how far it got, and what went wrong.

    `checkpoint` is the handler's own JSON (what is done, so a restart skips it); `errors` keeps
    the last MAX_ERRORS_KEPT errors, each `{"at": iso time, "message": text}`.
    """

    kind = models.CharField(max_length=64)
    queue = models.CharField(max_length=32)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    succeeded = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    pause_reason = models.TextField(blank=True)
    connection = models.ForeignKey("accounts.MetaConnection", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    params = models.JSONField(default=dict, blank=True)
    checkpoint = models.JSONField(default=dict, blank=True)
    celery_task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveIntegerField(default=0)  # runs started (redeliveries included)
    transient_retries = models.PositiveIntegerField(default=0)  # retries after Graph hiccups
    # A worker running the job holds it until `lease_until` (renewed by a heartbeat while the
    # handler runs), so a redelivered message does not run it twice at once.
    lease_token = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "-created_at"], name="job_agency_recent"),
            models.Index(fields=["agency", "state", "-created_at"], name="job_agency_state"),
            models.Index(fields=["agency", "kind", "-created_at"], name="job_agency_kind"),
            models.Index(fields=["connection", "state"], name="job_connection_state"),
            models.Index(fields=["target_type", "target_id"], name="job_target"),
        ]

    def __str__(self) -> str:
        return f"{self.label} #{self.pk} ({self.state})"

    @property
    def label(self) -> str:
        from agency.jobs.registry import kind_label

        return kind_label(self.kind)

    @property
    def is_final(self) -> bool:
        return self.state in FINAL_STATES

    @property
    def percent(self) -> int | None:
        if self.state == JobState.SUCCEEDED:
            return 100
        if not self.total:
            return None
        return min(100, int(self.done * 100 / self.total))

    @property
    def last_error(self) -> str:
        return self.errors[-1]["message"] if self.errors else ""
