"""The parameters each ad object accepts and how each one is decoded (params.py, validation.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graph_sim.objects import enums
from graph_sim.objects import params as p
from graph_sim.objects import validation as v

if TYPE_CHECKING:
    pass


@dataclass(frozen=True)
class AssetChecks:
    """What a creative in this account may use, as the HTTP layer knows it: `image_exists(hash)`
    asks the account's image library, `page_allowed(page_id)` whether the caller may advertise
    for the Page, `video_exists(video_id)` whether the video belongs to the account. A missing
    check accepts anything."""

    image_exists: Callable[[str], bool] | None = None
    page_allowed: Callable[[str], bool] | None = None
    video_exists: Callable[[str], bool] | None = None
    # Boosting: `post_exists(<page>_<post>)`, `ig_media(media_id)` → the media dict or None,
    # `ig_account_exists(ig_user_id)` (endpoints/page_content.py models them).
    post_exists: Callable[[str], bool] | None = None
    ig_media: Callable[[str], Any] | None = None
    ig_account_exists: Callable[[str], bool] | None = None
    # Lead ads: `lead_form(form_id)` → the form dict (with `page_id`, `status`) or None.
    lead_form: Callable[[str], Any] | None = None


# The value Graph documents for "remove the spend cap" (reference.md §3.1).
NO_SPEND_CAP = 922337203685478
DAY = 86400.0

# --- parameter tables: name → how to decode it ---------------------------------------------
# "str", "int", "bool", "time", "json", "object", ("enum", values), ("enum_list", values).
_COMMON = {"name": "str", "adlabels": "json"}
CAMPAIGN_PARAMS: dict[str, Any] = {
    **_COMMON,
    "objective": ("enum", enums.OBJECTIVES),
    "special_ad_categories": ("enum_list", enums.SPECIAL_AD_CATEGORIES),
    "special_ad_category_country": "json",
    "buying_type": ("enum", enums.BUYING_TYPES),
    "bid_strategy": ("enum", enums.BID_STRATEGIES),
    "daily_budget": "int",
    "lifetime_budget": "int",
    "spend_cap": "int",
    "start_time": "time",
    "stop_time": "time",
    "promoted_object": "object",
    "budget_schedule_specs": "json",
    "campaign_optimization_type": ("enum", frozenset({"NONE", "ICO_ONLY"})),
    "is_skadnetwork_attribution": "bool",
    "is_using_l3_schedule": "bool",
    "is_adset_budget_sharing_enabled": "bool",
    "iterative_split_test_configs": "json",
    "source_campaign_id": "str",
    "topline_id": "str",
}
ADSET_PARAMS: dict[str, Any] = {
    **_COMMON,
    "campaign_id": "str",
    "targeting": "targeting",
    "daily_budget": "int",
    "lifetime_budget": "int",
    "start_time": "time",
    "end_time": "time",
    "bid_amount": "int",
    "bid_strategy": ("enum", enums.BID_STRATEGIES),
    "billing_event": ("enum", enums.BILLING_EVENTS),
    "optimization_goal": ("enum", enums.OPTIMIZATION_GOALS),
    "optimization_sub_event": "str",
    "promoted_object": "object",
    "destination_type": ("enum", enums.DESTINATION_TYPES),
    "daily_min_spend_target": "int",
    "lifetime_min_spend_target": "int",
    "daily_spend_cap": "int",
    "lifetime_spend_cap": "int",
    "frequency_control_specs": "json",
    "is_dynamic_creative": "bool",
    "attribution_spec": "json",
    "adset_schedule": "json",
    "pacing_type": "json",
    "budget_schedule_specs": "json",
    "dsa_beneficiary": "str",
    "dsa_payor": "str",
    "tune_for_category": ("enum", enums.SPECIAL_AD_CATEGORIES),
    "multi_optimization_goal_weight": (
        "enum",
        frozenset({"UNDEFINED", "BALANCED", "PREFER_INSTALL", "PREFER_EVENT"}),
    ),
    "automatic_manual_state": ("enum", frozenset({"UNSET", "AUTOMATIC", "MANUAL"})),
    "creative_sequence": "json",
    "existing_customer_budget_percentage": "int",
    "source_adset_id": "str",
    "rf_prediction_id": "str",
}
AD_PARAMS: dict[str, Any] = {
    **_COMMON,
    "adset_id": "str",
    "conversion_domain": "str",
    "tracking_specs": "json",
    "ad_schedule_start_time": "time",
    "ad_schedule_end_time": "time",
    "audience_id": "str",
    "creative_asset_groups_spec": "json",
    "display_sequence": "int",
    "engagement_audience": "bool",
    "include_demolink_hashes": "bool",
    "priority": "int",
    "source_ad_id": "str",
    "authorization_category": ("enum", enums.AUTHORIZATION_CATEGORIES),
}
CREATIVE_PARAMS: dict[str, Any] = {
    **_COMMON,
    "object_story_spec": "object_story_spec",
    "object_story_id": "object_story_id",
    "object_id": "str",
    "object_type": (
        "enum",
        frozenset(
            {
                "PAGE",
                "DOMAIN",
                "EVENT",
                "STORE_ITEM",
                "OFFER",
                "SHARE",
                "PHOTO",
                "STATUS",
                "VIDEO",
                "APPLICATION",
            }
        ),
    ),
    "object_url": "url",
    "link_url": "url",
    "image_hash": "str",
    "image_url": "url",
    "image_crops": "json",
    "body": "str",
    "title": "str",
    "call_to_action": "object",
    "url_tags": "str",
    "actor_id": "str",
    "instagram_user_id": "str",
    "instagram_permalink_url": "url",
    "threads_user_id": "str",
    "source_instagram_media_id": "str",
    "authorization_category": ("enum", enums.AUTHORIZATION_CATEGORIES),
    "asset_feed_spec": "object",
    "degrees_of_freedom_spec": "degrees_of_freedom_spec",
    "contextual_multi_ads": "contextual_multi_ads",
    "product_set_id": "str",
    "template_url": "url",
    "template_url_spec": "json",
    "platform_customizations": "json",
    "portrait_customizations": "json",
    "interactive_components_spec": "json",
    "page_welcome_message": "str",
    "applink_treatment": (
        "enum",
        frozenset(
            {
                "automatic",
                "deeplink_with_web_fallback",
                "deeplink_with-appstore_fallback",
                "web_only",
            }
        ),
    ),
    "branded_content": "json",
    "branded_content_sponsor_page_id": "str",
    "use_page_actor_override": "bool",
    "omnichannel_link_spec": "json",
    "creative_sourcing_spec": "json",
}


def decode(
    name: str, how: Any, raw: Any, assets: AssetChecks | None = None, tz_name: str | None = None
) -> Any:
    if how == "str":
        return p.string({name: raw}, name)
    if how == "int":
        return p.integer(raw, name)
    if how == "bool":
        return p.boolean(raw, name)
    if how == "time":
        return p.timestamp(raw, name, tz_name)
    if how == "json":
        return p.decode_json(raw, name)
    if how == "object":
        return v.json_object(raw, name)
    if how == "url":
        return v.url(p.scalar(raw), [name])
    if how == "targeting":
        return v.targeting(raw)
    if how == "object_story_spec":
        return v.object_story_spec(raw, assets=assets)
    if how == "object_story_id":
        return v.object_story_id(raw)
    if how == "degrees_of_freedom_spec":
        return v.degrees_of_freedom_spec(raw)
    if how == "contextual_multi_ads":
        return v.enroll_spec(raw, name)
    kind, allowed = how
    if kind == "enum":
        return p.enum(raw, allowed, name)
    return p.enum_list(raw, allowed, name)


def decode_all(
    params: Mapping[str, Any],
    table: dict[str, Any],
    assets: AssetChecks | None = None,
    tz_name: str | None = None,
) -> dict[str, Any]:
    """The parameters of `table` present in `params`, decoded; datetimes without an offset
    are read in `tz_name` (the ad account's time zone)."""
    out: dict[str, Any] = {}
    for name, how in table.items():
        raw = params.get(name)
        if isinstance(raw, str) and raw.strip() in ("", '""'):
            # An empty value unsets an optional field (ad-reference.txt "Updating").
            out[name] = None
        elif raw is not None:
            out[name] = decode(name, how, raw, assets, tz_name)
    return out
