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


def campaign_tree_errors(*, campaign: Campaign, now: datetime | None = None,
                         assets: str = "cached") -> dict[str, dict[str, str]]:
    """Every rule on the campaign and everything below it: `{"campaign": {...},
    "adset:<pk>": {...}, "creative:<pk>": {...}, "ad:<pk>": {...}}`, only objects with errors.

    `assets`: check the unpublished objects' asset ids against what Graph listed ("fetch"),
    against the cached listings only ("cached"), or not ("off")."""
    from campaigns.assets import asset_errors
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
        if assets != "off" and not adset.graph_id:
            errors = asset_errors(obj=adset, kind="adset", fetch=assets == "fetch") | errors
        if errors:
            out[object_key(adset)] = errors
    used = {ad.creative_id for ad in ads}
    for creative in creatives:
        if creative.pk not in used or creative.graph_id:
            continue
        errors = creative_errors(data=_fields(creative))
        if assets != "off":
            errors = asset_errors(obj=creative, kind="creative", fetch=assets == "fetch") | errors
        if errors:
            out[object_key(creative)] = errors
    for ad in ads:
        if ad.status == "DELETED":
            continue
        errors = ad_errors(data={**_fields(ad), "creative_id": ad.creative_id})
        if assets != "off" and not ad.graph_id:
            errors = asset_errors(obj=ad, kind="ad", fetch=assets == "fetch") | errors
        if errors:
            out[object_key(ad)] = errors
    return out


def _fields(obj) -> dict:
    return {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def object_versions(*, obj) -> QuerySet[ObjectVersion]:
    from campaigns.services.versions import object_kind

    return ObjectVersion.objects.filter(object_kind=object_kind(obj), object_id=obj.pk)


# --- targeting search, account assets (Graph reads) ------------------------------------------

SEARCH_TYPES = {"location": "adgeolocation", "interest": "adinterest"}


def targeting_search(*, ad_account: AdAccount, kind: str, query: str) -> list[dict]:
    """Graph's targeting search: places (countries, regions, cities) or interests."""
    from accounts.services.graph import graph_for_connection

    search_type = SEARCH_TYPES.get(kind)
    query = (query or "").strip()[:100]
    if search_type is None or len(query) < 2:
        return []
    params = {"type": search_type, "q": query, "limit": 15}
    if search_type == "adgeolocation":
        params["location_types"] = ["country", "region", "city"]
    with graph_for_connection(connection=ad_account.connection,
                              purpose="targeting_search") as client:
        body = client.get("search", params=params, account_id=ad_account.account_id)
    out = []
    for item in (body or {}).get("data") or []:
        if not isinstance(item, dict):
            continue
        out.append({
            "id": str(item.get("key") or item.get("id") or "")[:40],
            "name": str(item.get("name") or "")[:200],
            "type": str(item.get("type") or search_type)[:20],
            "country": str(item.get("country_code") or "")[:2],
            "size": item.get("audience_size_upper_bound") or item.get("audience_size"),
        })
    return [i for i in out if i["id"]]


def audience_estimate(*, adset: AdSet) -> dict | None:
    """Graph's reach estimate for the ad set's targeting (None when Graph has none)."""
    from accounts.services.graph import graph_for_connection
    from agency.graph import GraphError

    try:
        with graph_for_connection(connection=adset.ad_account.connection,
                                  purpose="reach_estimate") as client:
            body = client.get(f"{adset.ad_account.act_id}/reachestimate",
                              params={"targeting_spec": adset.targeting or {},
                                      "optimization_goal": adset.optimization_goal or "REACH"},
                              account_id=adset.ad_account.account_id)
    except GraphError:
        return None
    data = (body or {}).get("data") if isinstance(body, dict) else None
    if isinstance(data, list):
        data = data[0] if data else None
    if not isinstance(data, dict):
        return None
    low = data.get("users_lower_bound") or data.get("estimate_mau_lower_bound")
    high = data.get("users_upper_bound") or data.get("estimate_mau_upper_bound")
    return {"low": low, "high": high} if low or high else None


def publish_job(*, campaign: Campaign):
    from agency.jobs.models import Job

    return (Job.objects.filter(kind="campaigns.publish", target_id=str(campaign.pk),
                               target_type=Campaign._meta.label_lower)
            .order_by("-pk").first())


def account_tree(*, ad_account: AdAccount) -> list[dict]:
    """Campaign > ad sets > ads of one ad account, for the live view (three queries)."""
    campaigns = list(Campaign.objects.filter(ad_account=ad_account).order_by("-created_at"))
    adsets = list(AdSet.objects.filter(ad_account=ad_account).order_by("pk"))
    ads = list(Ad.objects.filter(ad_account=ad_account).order_by("pk"))
    by_adset: dict[int, list[Ad]] = {}
    for ad in ads:
        by_adset.setdefault(ad.adset_id, []).append(ad)
    by_campaign: dict[int, list[dict]] = {}
    for adset in adsets:
        by_campaign.setdefault(adset.campaign_id, []).append(
            {"adset": adset, "ads": by_adset.get(adset.pk, [])})
    return [{"campaign": c, "adsets": by_campaign.get(c.pk, [])} for c in campaigns]
