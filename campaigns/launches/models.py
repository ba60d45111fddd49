"""Templates an agency's staff share (audiences, placement sets, creative sets, whole campaigns)
and the batches of drafts that variants and CSV imports generate."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from agency.tenancy import TenantOwnedModel


class TemplateKind(models.TextChoices):
    AUDIENCE = "audience", "Saved audience"
    PLACEMENTS = "placements", "Placement set"
    CREATIVES = "creatives", "Creative set"
    CAMPAIGN = "campaign", "Campaign template"


class LaunchTemplate(TenantOwnedModel):
    """A reusable part of a campaign. `payload` holds what the builder stores:
    audience `{"targeting": {...}}` (no placement keys), placements `{"targeting": {...}}` (only
    placement keys; `{}` means automatic), creatives `{"creatives": [spec, ...]}`, campaign
    `{"campaign": {...}, "creatives": [...], "adsets": [{..., "ads": [...]}]}`."""

    kind = models.CharField(max_length=16, choices=TemplateKind.choices)
    name = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind", "name"],
                                    name="launch_template_name_unique_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class BatchSource(models.TextChoices):
    VARIANTS = "variants", "Variants"
    CSV = "csv", "CSV import"


class LaunchBatch(TenantOwnedModel):
    """Draft campaigns generated together (from variants or a CSV), published together."""

    ad_account = models.ForeignKey("campaigns.AdAccount", on_delete=models.CASCADE,
                                   related_name="+")
    source = models.CharField(max_length=16, choices=BatchSource.choices)
    name = models.CharField(max_length=400)
    campaigns = models.ManyToManyField("campaigns.Campaign", related_name="+", blank=True)
    counts = models.JSONField(default=dict)  # {"campaigns": n, "adsets": n, "ads": n}
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name
