"""What we send to Graph for each object: built from the model, stored as `last_sent` when sent,
so that what is published is exactly what the user saw and checked."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from agency.errors import ServiceError
from campaigns.models import Ad, AdCreative, AdSet, Campaign


class MediaNotReadyError(ServiceError):
    """A creative uses a media-library asset that is not (yet) on the ad account."""

    code = "media_not_ready"
    http_status = 409


def _time(value, tz_name: str) -> str:
    try:
        zone = ZoneInfo(tz_name or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return value.astimezone(zone).isoformat()


def campaign_payload(campaign: Campaign) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": campaign.name,
        "objective": campaign.objective,
        "status": campaign.status if campaign.status in ("ACTIVE", "PAUSED") else "PAUSED",
        "special_ad_categories": list(campaign.special_ad_categories or []),
        "buying_type": campaign.buying_type or "AUCTION",
    }
    if campaign.special_ad_category_country:
        data["special_ad_category_country"] = list(campaign.special_ad_category_country)
    if campaign.daily_budget_minor:
        data["daily_budget"] = campaign.daily_budget_minor
    if campaign.lifetime_budget_minor:
        data["lifetime_budget"] = campaign.lifetime_budget_minor
    if campaign.bid_strategy and campaign.uses_campaign_budget:
        data["bid_strategy"] = campaign.bid_strategy
    if campaign.spend_cap_minor:
        data["spend_cap"] = campaign.spend_cap_minor
    return data


def adset_payload(adset: AdSet, *, campaign_graph_id: str | None) -> dict[str, Any]:
    tz = adset.ad_account.timezone_name
    data: dict[str, Any] = {
        "name": adset.name,
        "status": adset.status if adset.status in ("ACTIVE", "PAUSED") else "PAUSED",
        "optimization_goal": adset.optimization_goal,
        "billing_event": adset.billing_event or "IMPRESSIONS",
        "targeting": adset.targeting or {},
    }
    if campaign_graph_id:
        data["campaign_id"] = campaign_graph_id
    if adset.bid_strategy and not adset.campaign.bid_strategy:
        data["bid_strategy"] = adset.bid_strategy
    if adset.bid_amount_minor:
        data["bid_amount"] = adset.bid_amount_minor
    if adset.daily_budget_minor:
        data["daily_budget"] = adset.daily_budget_minor
    if adset.lifetime_budget_minor:
        data["lifetime_budget"] = adset.lifetime_budget_minor
    if adset.start_time:
        data["start_time"] = _time(adset.start_time, tz)
    if adset.end_time:
        data["end_time"] = _time(adset.end_time, tz)
    if adset.promoted_object:
        data["promoted_object"] = adset.promoted_object
    if adset.destination_type:
        data["destination_type"] = adset.destination_type
    if adset.dsa_beneficiary:
        data["dsa_beneficiary"] = adset.dsa_beneficiary
    if adset.dsa_payor:
        data["dsa_payor"] = adset.dsa_payor
    return data


def _media_lookup(asset_id: Any, creative: AdCreative) -> Any:
    try:
        from campaigns.media.models import MediaAsset
        from campaigns.media.selectors import account_media_ready
    except ImportError as exc:  # the media library is not installed in this build
        raise MediaNotReadyError("The media library is not available.", field="spec") from exc
    asset = MediaAsset.objects.filter(pk=asset_id).first()
    if asset is None:
        raise MediaNotReadyError("That media no longer exists.", field="spec")
    ready = account_media_ready(asset=asset, ad_account=creative.ad_account)
    if not ready:
        raise MediaNotReadyError(
            f"“{asset.name}” is not on the ad account yet.", field="spec",
            extra={"media_asset_id": asset.pk},
        )
    return ready


def _image(item: dict[str, Any], creative: AdCreative) -> dict[str, Any]:
    if item.get("image_hash"):
        return {"image_hash": item["image_hash"]}
    if item.get("media_asset_id"):
        return {"image_hash": _media_lookup(item["media_asset_id"], creative).image_hash}
    return {}


def _card_media(card: dict[str, Any], creative: AdCreative) -> dict[str, Any]:
    """A carousel card's image, or its video with the video's thumbnail as `picture`
    (creatives-and-media.md §2.3: `video_id` on any card, then `image_hash` or `picture`)."""
    if card.get("image_hash") or not card.get("media_asset_id"):
        return _image(card, creative)
    media = _media_lookup(card["media_asset_id"], creative)
    if media.video_id:
        return {"video_id": media.video_id, "picture": media.thumbnail_url}
    return {"image_hash": media.image_hash}


def _video(spec: dict[str, Any], creative: AdCreative) -> dict[str, Any]:
    if spec.get("video_id"):
        out = {"video_id": spec["video_id"]}
    else:
        media = _media_lookup(spec.get("media_asset_id"), creative)
        out = {"video_id": media.video_id}
        if getattr(media, "thumbnail_url", "") and not spec.get("image_hash"):
            out["image_url"] = media.thumbnail_url
    if spec.get("image_hash"):
        out["image_hash"] = spec["image_hash"]
    elif spec.get("thumbnail_url"):
        out["image_url"] = spec["thumbnail_url"]
    return out


def creative_media_ids(creative: AdCreative) -> list[int]:
    """The media-library assets a creative uses (to push them to the account first)."""
    spec = creative.spec or {}
    ids = [spec.get("media_asset_id")] + [c.get("media_asset_id") for c in spec.get("cards") or []
                                          if isinstance(c, dict)]
    return [int(i) for i in ids if i]


def _cta(spec: dict[str, Any], link: str | None) -> dict[str, Any]:
    cta: dict[str, Any] = {"type": spec.get("call_to_action") or "LEARN_MORE"}
    if link:
        cta["value"] = {"link": link}
    return cta


def object_story_spec(creative: AdCreative) -> dict[str, Any]:
    spec = creative.spec or {}
    story: dict[str, Any] = {"page_id": creative.page_id}
    if creative.instagram_user_id:
        story["instagram_user_id"] = creative.instagram_user_id
    link = spec.get("link")
    if creative.format == "video":
        video = {
            **_video(spec, creative),
            "message": spec.get("message") or "",
            "title": spec.get("headline") or "",
            "call_to_action": _cta(spec, link),
        }
        if spec.get("description"):
            video["link_description"] = spec["description"]
        story["video_data"] = {k: v for k, v in video.items() if v != ""}
        return story
    link_data: dict[str, Any] = {"link": link, "message": spec.get("message") or ""}
    if creative.format == "carousel":
        link_data["child_attachments"] = [
            {
                "link": card.get("link") or link,
                **_card_media(card, creative),
                **({"name": card["headline"]} if card.get("headline") else {}),
                **({"description": card["description"]} if card.get("description") else {}),
            }
            for card in spec.get("cards") or []
        ]
    else:
        link_data.update(_image(spec, creative))
        if spec.get("headline"):
            link_data["name"] = spec["headline"]
        if spec.get("description"):
            link_data["description"] = spec["description"]
    link_data["call_to_action"] = _cta(spec, link)
    story["link_data"] = {k: v for k, v in link_data.items() if v != ""}
    return story


def creative_payload(creative: AdCreative) -> dict[str, Any]:
    spec = creative.spec or {}
    data: dict[str, Any] = {
        "name": creative.name,
        "contextual_multi_ads": {"enroll_status": creative.contextual_multi_ads or "OPT_OUT"},
    }
    if creative.format == "page_post":
        data["object_story_id"] = spec.get("object_story_id")
    elif creative.format == "instagram_post":
        data["source_instagram_media_id"] = spec.get("source_instagram_media_id")
        data["instagram_user_id"] = creative.instagram_user_id
        if creative.page_id:
            data["object_id"] = creative.page_id
    else:
        data["object_story_spec"] = object_story_spec(creative)
    if spec.get("url_tags"):
        data["url_tags"] = spec["url_tags"]
    return data


def ad_payload(ad: Ad, *, adset_graph_id: str | None, creative_graph_id: str | None
               ) -> dict[str, Any]:
    """Ads are created PAUSED; the publish switches them on at the end."""
    data: dict[str, Any] = {"name": ad.name, "status": "PAUSED"}
    if adset_graph_id:
        data["adset_id"] = adset_graph_id
    if creative_graph_id:
        data["creative"] = {"creative_id": creative_graph_id}
    elif ad.creative is not None:
        data["creative"] = creative_payload(ad.creative)
    if ad.tracking_specs:
        data["tracking_specs"] = ad.tracking_specs
    return data
