"""What a client approves: the payloads of a draft campaign (their fingerprint) and the key
settings shown to the client, in the ad account's currency and time zone."""

from __future__ import annotations

import hashlib
import json
from typing import Any
from zoneinfo import ZoneInfo

from campaigns import selectors
from campaigns.models import Campaign, ConfiguredStatus
from campaigns.services import payloads
from reporting.money import format_money

GENDERS = {1: "Men", 2: "Women"}
PLATFORM_LABELS = {"facebook": "Facebook", "instagram": "Instagram",
                   "audience_network": "Audience Network", "messenger": "Messenger",
                   "threads": "Threads"}


def _creative_input(creative) -> dict[str, Any]:
    """A creative as sent (its Graph payload), or its builder input when it uses media-library
    assets: those resolve to image hashes only once pushed to the account, which is no edit."""
    if payloads.creative_media_ids(creative):
        return {"name": creative.name, "format": creative.format, "page_id": creative.page_id,
                "instagram_user_id": creative.instagram_user_id, "spec": creative.spec,
                "contextual_multi_ads": creative.contextual_multi_ads}
    return payloads.creative_payload(creative)


def campaign_payloads(campaign: Campaign) -> list[dict[str, Any]]:
    """Every object the publish would send, without Graph ids (they appear during a publish and
    change nothing the client saw), keyed by our ids."""
    adsets, creatives, ads = selectors.campaign_children(campaign=campaign)
    live_ads = [a for a in ads if a.status != ConfiguredStatus.DELETED]
    used = {a.creative_id for a in live_ads}
    out: list[dict[str, Any]] = [{"object": "campaign", "payload": {
        **payloads.campaign_payload(campaign), "leave_paused": campaign.leave_paused}}]
    for adset in adsets:
        if adset.status == ConfiguredStatus.DELETED:
            continue
        out.append({"object": f"adset:{adset.pk}",
                    "payload": payloads.adset_payload(adset, campaign_graph_id=None)})
    for creative in creatives:
        if creative.pk in used:
            out.append({"object": f"creative:{creative.pk}", "payload": _creative_input(creative)})
    for ad in live_ads:
        out.append({"object": f"ad:{ad.pk}", "payload": {
            "name": ad.name, "adset": ad.adset_id, "creative": ad.creative_id,
            "desired_status": ad.desired_status, "tracking_specs": ad.tracking_specs}})
    return out


def fingerprint_of(items: list[dict[str, Any]]) -> str:
    canonical = json.dumps(items, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def campaign_fingerprint(campaign: Campaign) -> str:
    return fingerprint_of(campaign_payloads(campaign))


def _local(value, tz_name: str) -> str:
    if value is None:
        return ""
    try:
        zone = ZoneInfo(tz_name or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return value.astimezone(zone).strftime("%a %d %b %Y, %H:%M")


def _budget(obj, currency: str) -> str:
    if obj.daily_budget_minor:
        return f"{format_money(obj.daily_budget_minor, currency)} per day"
    if obj.lifetime_budget_minor:
        return f"{format_money(obj.lifetime_budget_minor, currency)} in total"
    return ""


def _names(items) -> list[str]:
    out = []
    for item in items or []:
        if isinstance(item, dict):
            out.append(str(item.get("name") or item.get("key") or item.get("id") or "")[:200])
        else:
            out.append(str(item)[:200])
    return [n for n in out if n]


def audience_summary(targeting: dict[str, Any]) -> dict[str, Any]:
    geo = targeting.get("geo_locations") or {}
    genders = [GENDERS.get(g, str(g)) for g in targeting.get("genders") or []]
    interests = _names(targeting.get("interests"))
    for spec in targeting.get("flexible_spec") or []:
        if isinstance(spec, dict):
            interests += _names(spec.get("interests"))
    return {
        "countries": [str(c) for c in geo.get("countries") or []],
        "places": _names(geo.get("regions")) + _names(geo.get("cities")),
        "ages": f"{targeting.get('age_min') or 18} to {targeting.get('age_max') or 65}"
                + ("+" if (targeting.get("age_max") or 65) >= 65 else ""),
        "genders": ", ".join(genders) if genders else "All",
        "interests": interests,
    }


def placements_summary(targeting: dict[str, Any]) -> str:
    platforms = targeting.get("publisher_platforms") or []
    if not platforms:
        return "Automatic (Advantage+ placements)"
    parts = []
    for platform in platforms:
        positions = targeting.get(f"{platform}_positions") or []
        label = PLATFORM_LABELS.get(platform, str(platform))
        if positions:
            label += ": " + ", ".join(str(p).replace("_", " ") for p in positions)
        parts.append(label)
    return "; ".join(parts)


def campaign_summary(campaign: Campaign) -> dict[str, Any]:
    """The key settings, as the client reads them."""
    account = campaign.ad_account
    currency, tz = account.currency, account.timezone_name
    adsets, creatives, ads = selectors.campaign_children(campaign=campaign)
    live_ads = [a for a in ads if a.status != ConfiguredStatus.DELETED]
    used = {a.creative_id for a in live_ads}
    return {
        "name": campaign.name,
        "objective": campaign.get_objective_display(),
        "currency": currency,
        "timezone": tz,
        "budget": _budget(campaign, currency),
        "spend_cap": format_money(campaign.spend_cap_minor, currency)
        if campaign.spend_cap_minor else "",
        "adsets": [{
            "name": adset.name,
            "budget": _budget(adset, currency),
            "start": _local(adset.start_time, tz) or "As soon as it is published",
            "end": _local(adset.end_time, tz) or "No end date",
            "audience": audience_summary(adset.targeting or {}),
            "placements": placements_summary(adset.targeting or {}),
        } for adset in adsets if adset.status != ConfiguredStatus.DELETED],
        "creatives": [{
            "id": creative.pk,
            "name": creative.name,
            "format": creative.get_format_display(),
            "headline": str((creative.spec or {}).get("headline") or ""),
            "message": str((creative.spec or {}).get("message") or ""),
            "link": str((creative.spec or {}).get("link") or ""),
        } for creative in creatives if creative.pk in used],
        "ads": len(live_ads),
    }
