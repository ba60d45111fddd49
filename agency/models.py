"""Tenancy: the agency (tenant), its clients (advertisers), memberships, invitations, audit rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from agency.roles import STAFF_ROLES, Capability, Role, role_has
from agency.tenancy import TenantOwnedModel


class Agency(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Client(TenantOwnedModel):
    """An advertiser the agency runs ads for."""

    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="client_name_unique_in_agency")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(TenantOwnedModel):
    """A user's place in an agency. Client viewers see only the clients in `clients`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    clients = models.ManyToManyField(Client, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "user"], name="membership_unique_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.agency} as {self.role}"

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    def can(self, capability: Capability) -> bool:
        return role_has(self.role, capability)


class Invitation(TenantOwnedModel):
    """An emailed, single-use, expiring link that makes its holder a member."""

    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    clients = models.ManyToManyField(Client, blank=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.agency_id}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class AuditEvent(TenantOwnedModel):
    """One state change, written by the service that made it."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    verb = models.CharField(max_length=80)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.verb} {self.target_type}:{self.target_id}"


class GraphWriteState(models.TextChoices):
    PLANNED = "planned", "planned"  # recorded, not sent (or known not applied: safe to send)
    SENT = "sent", "sent"  # a worker is sending it now (until `lease_until`)
    DONE = "done", "done"  # on Graph: `graph_id` is the object
    UNKNOWN = "unknown", "unknown"  # may be on Graph: reconcile (look it up) before sending
    FAILED = "failed", "failed"  # Graph refused it (not applied): a later call may send again


class GraphWrite(TenantOwnedModel):
    """One intended Graph write and what became of it: the exactly-once ledger that
    `agency.writes.graph_create_once` keeps. Recorded (and committed) before the POST, so any
    later attempt, in any process, knows whether to return the id, reconcile, or send."""

    key = models.CharField(max_length=200)
    kind = models.CharField(max_length=40)
    edge = models.CharField(max_length=300)
    payload = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        max_length=10, choices=GraphWriteState.choices, default=GraphWriteState.PLANNED
    )
    graph_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveIntegerField(default=0)  # POSTs sent
    lookups = models.PositiveIntegerField(default=0)  # reconciling lookups made
    # Optimistic concurrency: every state change is `UPDATE ... WHERE version = <seen>`.
    version = models.PositiveIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "key"], name="graph_write_key_unique")
        ]
        indexes = [models.Index(fields=["agency", "state"], name="graph_write_state_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.state})"
