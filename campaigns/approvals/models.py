"""Client approval: a request sent to a client for one or more draft campaigns, what the client
saw (a fingerprint of the payloads per campaign), and who decided what; the approval policy per
client (default) and per draft (override)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from agency.tenancy import TenantOwnedModel


class ApprovalState(models.TextChoices):
    PENDING = "pending", "Waiting for the client"
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    CANCELLED = "cancelled", "Cancelled"
    SUPERSEDED = "superseded", "Superseded (edited after sending)"


OPEN_STATES = (ApprovalState.PENDING, ApprovalState.APPROVED)


class DecisionSource(models.TextChoices):
    PORTAL = "portal", "Client portal"
    API = "api", "API"
    OFFLINE = "offline", "Recorded offline by an owner"


class ApprovalRequest(TenantOwnedModel):
    """One ask to a client: approve these campaigns as they are now."""

    client = models.ForeignKey("agency.Client", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=20, choices=ApprovalState.choices,
                             default=ApprovalState.PENDING, db_index=True)
    message = models.TextField(blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_source = models.CharField(max_length=16, choices=DecisionSource.choices,
                                       blank=True)
    comment = models.TextField(blank=True)
    # Why it stopped counting (cancelled by staff, superseded by an edit or a new request).
    closed_reason = models.CharField(max_length=200, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The decision's notice on the staff home page, until someone dismisses it.
    notice_dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"Approval request {self.pk} ({self.state})"

    @property
    def is_pending(self) -> bool:
        return self.state == ApprovalState.PENDING


class ApprovalItem(TenantOwnedModel):
    """One campaign of a request: the fingerprint of what was sent, and what the client sees."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.CASCADE, related_name="items")
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE,
                                 related_name="+")
    fingerprint = models.CharField(max_length=64)
    # {"payloads": [...], "summary": {...}}: the payloads the fingerprint is taken of, and the
    # key settings the client is shown.
    snapshot = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "campaign"],
                                    name="approval_item_once_per_request"),
        ]

    def __str__(self) -> str:
        return f"Campaign {self.campaign_id} in request {self.request_id}"


class ClientApprovalPolicy(TenantOwnedModel):
    """Whether the client's campaigns need its approval by default."""

    client = models.OneToOneField("agency.Client", on_delete=models.CASCADE, related_name="+")
    required = models.BooleanField(default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "client approval policies"

    def __str__(self) -> str:
        return f"Client {self.client_id}: approval {'required' if self.required else 'optional'}"


class CampaignApprovalPolicy(TenantOwnedModel):
    """A draft's override of its client's default."""

    campaign = models.OneToOneField("campaigns.Campaign", on_delete=models.CASCADE,
                                    related_name="+")
    required = models.BooleanField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "campaign approval policies"

    def __str__(self) -> str:
        return f"Campaign {self.campaign_id}: approval {'required' if self.required else 'waived'}"
