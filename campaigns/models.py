"""Ad accounts brought into an agency, and their campaigns, ad sets, creatives and ads."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from agency.tenancy import TenantOwnedModel


class AdAccount(TenantOwnedModel):
    """A Meta ad account the agency runs for one of its clients. It belongs to one agency only."""

    account_id = models.CharField(max_length=32, unique=True)  # numeric, without "act_"
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3)
    timezone_name = models.CharField(max_length=64)
    account_status = models.IntegerField(null=True, blank=True)
    business_id = models.CharField(max_length=64, blank=True)
    business_name = models.CharField(max_length=200, blank=True)
    client = models.ForeignKey("agency.Client", on_delete=models.PROTECT,
                               related_name="ad_accounts")
    connection = models.ForeignKey("accounts.MetaConnection", on_delete=models.PROTECT,
                                   related_name="ad_accounts")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)
    # The account's minimum daily budget in minor units, as Graph reports it (min_daily_budget).
    min_daily_budget_minor = models.BigIntegerField(null=True, blank=True)
    default_dsa_beneficiary = models.CharField(max_length=200, blank=True)
    default_dsa_payor = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} (act_{self.account_id})"

    @property
    def act_id(self) -> str:
        return f"act_{self.account_id}"


# --- campaigns, ad sets, creatives, ads ----------------------------------------------------


class Objective(models.TextChoices):
    """The outcome-based objectives (core-flows.md §2.1): the only ones the builder offers."""

    TRAFFIC = "OUTCOME_TRAFFIC", "Traffic"
    SALES = "OUTCOME_SALES", "Sales"
    LEADS = "OUTCOME_LEADS", "Leads"
    AWARENESS = "OUTCOME_AWARENESS", "Awareness"
    ENGAGEMENT = "OUTCOME_ENGAGEMENT", "Engagement"
    APP_PROMOTION = "OUTCOME_APP_PROMOTION", "App promotion"


class ConfiguredStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    PAUSED = "PAUSED", "Paused"
    ARCHIVED = "ARCHIVED", "Archived"
    DELETED = "DELETED", "Deleted"


class PublishState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHING = "publishing", "Publishing"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Publish failed"


class CreativeFormat(models.TextChoices):
    IMAGE = "image", "Single image"
    VIDEO = "video", "Single video"
    CAROUSEL = "carousel", "Carousel"
    PAGE_POST = "page_post", "Existing Page post"
    INSTAGRAM_POST = "instagram_post", "Existing Instagram media"


class GraphObject(TenantOwnedModel):
    """What campaigns, ad sets, creatives and ads share: a draft has no `graph_id`; a published
    one keeps it, with `last_sent` (the exact payload last sent to Graph) and what Graph says."""

    ad_account = models.ForeignKey(AdAccount, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=400)
    graph_id = models.CharField(max_length=32, blank=True, db_index=True)
    # The idempotency key of the create, stored BEFORE the call (agency.writes).
    publish_key = models.CharField(max_length=80, blank=True)
    last_sent = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=ConfiguredStatus.choices,
                              default=ConfiguredStatus.PAUSED)
    effective_status = models.CharField(max_length=32, blank=True)
    issues_info = models.JSONField(default=list, blank=True)
    # The last Graph error that blamed this object: {"field", "title", "message", "code"}.
    graph_error = models.JSONField(null=True, blank=True)
    deleted_on_graph = models.BooleanField(default=False)
    changed_on_graph = models.BooleanField(default=False)
    graph_updated_time = models.CharField(max_length=40, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def is_draft(self) -> bool:
        return not self.graph_id


class Campaign(GraphObject):
    objective = models.CharField(max_length=32, choices=Objective.choices,
                                 default=Objective.TRAFFIC)
    special_ad_categories = models.JSONField(default=list, blank=True)
    special_ad_category_country = models.JSONField(default=list, blank=True)
    buying_type = models.CharField(max_length=16, default="AUCTION")
    # Advantage campaign budget (CBO) when one of these is set; else the ad sets carry budgets.
    daily_budget_minor = models.BigIntegerField(null=True, blank=True)
    lifetime_budget_minor = models.BigIntegerField(null=True, blank=True)
    bid_strategy = models.CharField(max_length=40, blank=True)
    spend_cap_minor = models.BigIntegerField(null=True, blank=True)
    publish_state = models.CharField(max_length=16, choices=PublishState.choices,
                                     default=PublishState.DRAFT)
    # Leave the ads paused after a successful publish instead of switching them on.
    leave_paused = models.BooleanField(default=False)
    spend_minor = models.BigIntegerField(null=True, blank=True)  # spend to date, from Graph
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ad_account", "graph_id"],
                                    condition=~models.Q(graph_id=""),
                                    name="campaign_graph_id_once_per_account"),
        ]

    @property
    def uses_campaign_budget(self) -> bool:
        return bool(self.daily_budget_minor or self.lifetime_budget_minor)


class AdSet(GraphObject):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="adsets")
    optimization_goal = models.CharField(max_length=48, blank=True)
    billing_event = models.CharField(max_length=32, default="IMPRESSIONS")
    bid_strategy = models.CharField(max_length=40, blank=True)
    bid_amount_minor = models.BigIntegerField(null=True, blank=True)
    daily_budget_minor = models.BigIntegerField(null=True, blank=True)
    lifetime_budget_minor = models.BigIntegerField(null=True, blank=True)
    start_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)
    targeting = models.JSONField(default=dict, blank=True)
    promoted_object = models.JSONField(default=dict, blank=True)
    destination_type = models.CharField(max_length=48, blank=True)
    dsa_beneficiary = models.CharField(max_length=200, blank=True)
    dsa_payor = models.CharField(max_length=200, blank=True)
    spend_minor = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ad_account", "graph_id"],
                                    condition=~models.Q(graph_id=""),
                                    name="adset_graph_id_once_per_account"),
        ]


class AdCreative(GraphObject):
    """A creative. `spec` is the builder's input (texts, media, cards, CTA); the object spec sent
    to Graph is derived from it at publish time and kept in `last_sent`."""

    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="creatives")
    format = models.CharField(max_length=16, choices=CreativeFormat.choices,
                              default=CreativeFormat.IMAGE)
    page_id = models.CharField(max_length=32, blank=True)
    instagram_user_id = models.CharField(max_length=32, blank=True)
    spec = models.JSONField(default=dict, blank=True)
    # The mandatory opt-in/opt-out declaration, always sent explicitly.
    contextual_multi_ads = models.CharField(max_length=8, default="OPT_OUT")

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ad_account", "graph_id"],
                                    condition=~models.Q(graph_id=""),
                                    name="creative_graph_id_once_per_account"),
        ]


class Ad(GraphObject):
    adset = models.ForeignKey(AdSet, on_delete=models.CASCADE, related_name="ads")
    creative = models.ForeignKey(AdCreative, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="ads")
    tracking_specs = models.JSONField(default=list, blank=True)
    # The status the user wants once published (ads are created PAUSED and switched on last).
    desired_status = models.CharField(max_length=16, choices=ConfiguredStatus.choices,
                                      default=ConfiguredStatus.ACTIVE)
    review_feedback = models.JSONField(default=dict, blank=True)
    spend_minor = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ad_account", "graph_id"],
                                    condition=~models.Q(graph_id=""),
                                    name="ad_graph_id_once_per_account"),
        ]


class VersionSource(models.TextChoices):
    PAGE = "page", "Page"
    API = "api", "API"
    SYNC = "sync", "Sync from Meta"
    PUBLISH = "publish", "Publish"


class ObjectVersion(TenantOwnedModel):
    """One change of a campaign, ad set, creative or ad: who, when, from where, and what."""

    object_kind = models.CharField(max_length=16)  # campaign, adset, creative, ad
    object_id = models.BigIntegerField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=16, choices=VersionSource.choices)
    diff = models.JSONField(default=dict)  # {field: [before, after]}
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["object_kind", "object_id"])]
