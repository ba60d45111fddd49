"""The insights store (daily rows and range-level reach), refresh state per ad account, and
scheduled reports.

Daily rows are keyed by (agency, ad account, level, object, date, breakdown, breakdown value) and
written by bulk upserts, so a refresh re-run, a lookback re-read or a worker killed mid-way never
duplicates a row. Reach is not additive: it is read from Graph for each range shown and kept in
`InsightReach`, never summed from daily rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from agency.tenancy import TenantOwnedModel


class Level(models.TextChoices):
    ACCOUNT = "account", "Ad account"
    CAMPAIGN = "campaign", "Campaign"
    ADSET = "adset", "Ad set"
    AD = "ad", "Ad"


class Breakdown(models.TextChoices):
    NONE = "", "None"
    AGE_GENDER = "age,gender", "Age and gender"
    COUNTRY = "country", "Country"
    PLACEMENT = "publisher_platform,platform_position", "Platform and placement"
    DEVICE = "device_platform", "Device"


class InsightRow(TenantOwnedModel):
    """One object's numbers for one day of the ad account's time zone, optionally for one
    breakdown cell (`breakdown_value` joins the cell's keys with "|", e.g. "25-34|female")."""

    ad_account = models.ForeignKey("campaigns.AdAccount", on_delete=models.CASCADE,
                                   related_name="+")
    level = models.CharField(max_length=10, choices=Level.choices)
    object_id = models.CharField(max_length=32)
    date = models.DateField()
    breakdown = models.CharField(max_length=64, choices=Breakdown.choices, blank=True, default="")
    breakdown_value = models.CharField(max_length=200, blank=True, default="")

    campaign_id = models.CharField(max_length=32, blank=True, default="")
    campaign_name = models.CharField(max_length=400, blank=True, default="")
    adset_id = models.CharField(max_length=32, blank=True, default="")
    adset_name = models.CharField(max_length=400, blank=True, default="")
    ad_id = models.CharField(max_length=32, blank=True, default="")
    ad_name = models.CharField(max_length=400, blank=True, default="")

    currency = models.CharField(max_length=3)
    spend_minor = models.BigIntegerField(default=0)
    impressions = models.BigIntegerField(default=0)
    reach = models.BigIntegerField(default=0)  # the day's reach: never summed across days
    frequency = models.FloatField(null=True, blank=True)
    clicks = models.BigIntegerField(default=0)
    link_clicks = models.BigIntegerField(default=0)
    ctr = models.FloatField(null=True, blank=True)
    cpc = models.FloatField(null=True, blank=True)
    cpm = models.FloatField(null=True, blank=True)
    actions = models.JSONField(default=dict, blank=True)  # action_type -> count
    action_values_minor = models.JSONField(default=dict, blank=True)  # action_type -> minor units
    conversions = models.BigIntegerField(default=0)  # purchases
    conversion_value_minor = models.BigIntegerField(default=0)
    purchase_roas = models.FloatField(null=True, blank=True)
    video_plays = models.BigIntegerField(default=0)
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "ad_account", "level", "object_id", "date", "breakdown",
                        "breakdown_value"],
                name="insight_row_unique_cell",
            )
        ]
        indexes = [
            # dashboards: one account (or a client's accounts) at one level over a date range
            models.Index(fields=["agency", "ad_account", "level", "breakdown", "date"],
                         name="insight_account_level_date"),
            # campaign / ad set pages: one object's days
            models.Index(fields=["agency", "level", "campaign_id", "breakdown", "date"],
                         name="insight_campaign_date"),
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.object_id} {self.date} {self.breakdown}={self.breakdown_value}"


class InsightReach(TenantOwnedModel):
    """Reach and frequency of one object over one date range, as Graph deduplicates them.

    Rows for the ranges the dashboards show are read on demand and refreshed with the data.
    """

    ad_account = models.ForeignKey("campaigns.AdAccount", on_delete=models.CASCADE,
                                   related_name="+")
    level = models.CharField(max_length=10, choices=Level.choices)
    object_id = models.CharField(max_length=32)
    since = models.DateField()
    until = models.DateField()
    breakdown = models.CharField(max_length=64, choices=Breakdown.choices, blank=True, default="")
    breakdown_value = models.CharField(max_length=200, blank=True, default="")
    reach = models.BigIntegerField(null=True, blank=True)  # None: Graph left it out
    frequency = models.FloatField(null=True, blank=True)
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "ad_account", "level", "object_id", "since", "until",
                        "breakdown", "breakdown_value"],
                name="insight_reach_unique_range",
            )
        ]

    def __str__(self) -> str:
        return f"reach {self.level} {self.object_id} {self.since}..{self.until}"


class RefreshStatus(models.TextChoices):
    IDLE = "idle", "Up to date"
    RUNNING = "running", "Refreshing"
    FAILED = "failed", "Failed"


class InsightsRefresh(TenantOwnedModel):
    """Where an ad account's insights stand: the backfill cursor, the last refresh, and
    whether a refresh is running or failed."""

    ad_account = models.OneToOneField("campaigns.AdAccount", on_delete=models.CASCADE,
                                      related_name="insights_refresh")
    lookback_days = models.PositiveSmallIntegerField(default=28)
    status = models.CharField(max_length=10, choices=RefreshStatus.choices,
                              default=RefreshStatus.IDLE)
    backfill_done = models.BooleanField(default=False)
    # The earliest day the backfill has stored (it walks back from the newest day).
    backfill_cursor = models.DateField(null=True, blank=True)
    last_refreshed_at = models.DateTimeField(null=True, blank=True)
    last_refreshed_until = models.DateField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")
    job_id = models.BigIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"insights refresh of {self.ad_account_id}: {self.status}"


class ReportFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly (last 7 days, Mondays)"
    MONTHLY = "monthly", "Monthly (last month, on the 1st)"


class ScheduledReport(TenantOwnedModel):
    """A client's report emailed to chosen recipients every week or month."""

    client = models.ForeignKey("agency.Client", on_delete=models.CASCADE,
                               related_name="scheduled_reports")
    frequency = models.CharField(max_length=10, choices=ReportFrequency.choices,
                                 default=ReportFrequency.WEEKLY)
    recipients = models.JSONField(default=list)  # email addresses
    enabled = models.BooleanField(default=True)
    # The last period sent ("2026-W22", "2026-05"): a period is sent once, whoever runs it.
    last_period_sent = models.CharField(max_length=16, blank=True, default="")
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["client_id", "frequency"]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} report of client {self.client_id}"


class AdThumbnail(TenantOwnedModel):
    """The creative thumbnail of an ad, read with each refresh, for the ads tables."""

    ad_account = models.ForeignKey("campaigns.AdAccount", on_delete=models.CASCADE,
                                   related_name="+")
    ad_id = models.CharField(max_length=32)
    creative_id = models.CharField(max_length=32, blank=True, default="")
    thumbnail_url = models.URLField(max_length=1000, blank=True, default="")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "ad_account", "ad_id"],
                                    name="ad_thumbnail_unique_ad"),
        ]

    def __str__(self) -> str:
        return f"thumbnail of ad {self.ad_id}"


class ReportBranding(TenantOwnedModel):
    """The agency's mark on its clients' reports (the portal and the emails): a logo image,
    re-encoded as PNG on upload, served from our origin only."""

    logo_png = models.BinaryField(null=True, blank=True)
    logo_width = models.PositiveIntegerField(default=0)
    logo_height = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency"],
                                               name="report_branding_one_per_agency")]

    def __str__(self) -> str:
        return f"report branding of agency {self.agency_id}"
