"""The builder's one rule set: pure functions returning field-keyed errors, shared by the forms,
the API serializers and the publish service. Keys are model field names; nested values use dots
(`targeting.age_min`, `spec.cards.2.link`)."""

from campaigns.validation.checks import (
    AccountFacts,
    Errors,
    ad_errors,
    adset_errors,
    asset_listings_needed,
    campaign_errors,
    creative_errors,
    listed_asset_errors,
    reaches_eu,
)

__all__ = [
    "AccountFacts",
    "Errors",
    "ad_errors",
    "adset_errors",
    "asset_listings_needed",
    "campaign_errors",
    "creative_errors",
    "listed_asset_errors",
    "reaches_eu",
]
