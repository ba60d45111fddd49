"""Reads of the campaigns app."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone

from agency.access import visible_client_ids
from agency.graph.factory import usage_for_account
from agency.graph.throttle import AccountUsage
from agency.models import Membership
from campaigns.models import Ad, AdAccount, AdCreative, AdSet, Campaign, ObjectVersion
from campaigns.validation import (
    AccountFacts,
    ad_errors,
    adset_errors,
    campaign_errors,
    creative_errors,
)


def ad_account_list(*, agency, membership: Membership) -> QuerySet[AdAccount]:
    accounts = AdAccount.objects.filter(agency=agency).select_related("client", "connection")
    allowed = visible_client_ids(membership=membership)
    if allowed is not None:
        accounts = accounts.filter(client_id__in=allowed)
    return accounts.order_by("client__name", "name")


def ad_account_call_budget(*, ad_account: AdAccount) -> AccountUsage:
    """How much of its Graph call budget the ad account has used, as Meta last reported it."""
    return usage_for_account(ad_account.act_id)


# --- campaigns ------------------------------------------------------------------------------


def campaign_list(*, agency, ad_account: AdAccount | None = None) -> QuerySet[Campaign]:
    campaigns = Campaign.objects.filter(agency=agency).select_related("ad_account")
    if ad_account is not None:
        campaigns = campaigns.filter(ad_account=ad_account)
    return campaigns


def campaign_children(*, campaign: Campaign) -> tuple[list[AdSet], list[AdCreative], list[Ad]]:
    adsets = list(campaign.adsets.select_related("ad_account", "campaign").order_by("pk"))
    ads = list(
        Ad.objects.filter(adset__campaign=campaign)
        .select_related("creative", "adset", "ad_account").order_by("adset_id", "pk")
    )
    creatives = {c.pk: c for c in campaign.creatives.select_related("ad_account").order_by("pk")}
    for ad in ads:
        if ad.creative is not None:
            creatives.setdefault(ad.creative.pk, ad.creative)
    return adsets, list(creatives.values()), ads


def object_key(obj) -> str:
    from campaigns.services.versions import object_kind

    kind = object_kind(obj)
    return "campaign" if kind == "campaign" else f"{kind}:{obj.pk}"


def campaign_tree_errors(*, campaign: Campaign, now: datetime | None = None
                         ) -> dict[str, dict[str, str]]:
    """Every rule on the campaign and everything below it: `{"campaign": {...},
    "adset:<pk>": {...}, "creative:<pk>": {...}, "ad:<pk>": {...}}`, only objects with errors."""
    now = now or timezone.now()
    facts = AccountFacts.of(campaign.ad_account)
    parent = {f: getattr(campaign, f) for f in (
        "objective", "daily_budget_minor", "lifetime_budget_minor", "bid_strategy",
        "special_ad_categories")}
    out: dict[str, dict[str, str]] = {}
    errors = campaign_errors(data=_fields(campaign), account=facts)
    if errors:
        out["campaign"] = errors
    adsets, creatives, ads = campaign_children(campaign=campaign)
    live_adsets = [a for a in adsets if a.status != "DELETED"]
    if not live_adsets:
        out.setdefault("campaign", {})["__all__"] = "Add at least one ad set."
    for adset in live_adsets:
        errors = adset_errors(data=_fields(adset), campaign=parent, account=facts, now=now,
                              creating=not adset.graph_id)
        if not any(ad.adset_id == adset.pk and ad.status != "DELETED" for ad in ads):
            errors["__all__"] = "Add at least one ad."
        if errors:
            out[object_key(adset)] = errors
    used = {ad.creative_id for ad in ads}
    for creative in creatives:
        if creative.pk not in used or creative.graph_id:
            continue
        errors = creative_errors(data=_fields(creative))
        if errors:
            out[object_key(creative)] = errors
    for ad in ads:
        if ad.status == "DELETED":
            continue
        errors = ad_errors(data={**_fields(ad), "creative_id": ad.creative_id})
        if errors:
            out[object_key(ad)] = errors
    return out


def _fields(obj) -> dict:
    return {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def object_versions(*, obj) -> QuerySet[ObjectVersion]:
    from campaigns.services.versions import object_kind

    return ObjectVersion.objects.filter(object_kind=object_kind(obj), object_id=obj.pk)
