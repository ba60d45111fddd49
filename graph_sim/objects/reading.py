"""Reading ad objects: their Graph JSON through `fields=`, and the fields other modules add.

Edge listings are in edges.py and the account tree walk in tree.py (re-exported here, where
the insights module imports it from)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from graph_sim.core.fields import FieldSpec, render_fields
from graph_sim.objects import enums
from graph_sim.objects import params as p
from graph_sim.objects.model import (
    AD,
    ADSET,
    CAMPAIGN,
    CREATIVE,
    GRAPH_TYPE_NAMES,
    AdObject,
    get_object,
    objects_state,
)
from graph_sim.objects.status import creative_issues, creative_status, effective_status

if TYPE_CHECKING:
    from graph_sim.state import World

# Extra fields other modules add to our nodes, e.g. `insights` so that
# `GET /<campaign>?fields=insights{impressions}` embeds the insights edge:
# FIELD_PROVIDERS[node_type][field] = fn(world, obj, spec, context) -> JSON value.
FieldProvider = Callable[[Any, AdObject, FieldSpec, Mapping[str, Any]], Any]
FIELD_PROVIDERS: dict[str, dict[str, FieldProvider]] = {
    CAMPAIGN: {},
    ADSET: {},
    AD: {},
    CREATIVE: {},
}

# Only `id` unless asked (ad-reference.txt marks only `id` as default; core-flows.md §5.3).
DEFAULT_FIELDS = ("id",)

_CONTENT_OBJECT_TYPES = {
    "link_data": "SHARE",
    "video_data": "VIDEO",
    "photo_data": "PHOTO",
    "text_data": "STATUS",
    "template_data": "SHARE",
}


def _money(value: Any) -> str | None:
    # Graph reads budgets back as numeric strings in the minor unit (reference.md §1).
    return None if value is None else str(value)


def _time(value: float | None, tz_name: str | None = None) -> str | None:
    # Graph shows datetimes in the ad account's time zone ("2026-05-31T17:00:00-0700").
    return p.iso(value, tz_name)


def _tz(world: World, obj: AdObject) -> str | None:
    account = world.ad_account(obj.account_id)
    return account.timezone_name if account else None


def _ref(world: World, kind: str, obj_id: str | None, context: Mapping[str, Any]):
    """A link field (`campaign`, `adset`, `creative`): `{"id"}` unless subfields are asked,
    then the linked node rendered with them (`creative{name,object_story_spec}`)."""
    if obj_id is None:
        return None

    def value(spec: FieldSpec) -> Any:
        if not spec.children:
            return {"id": obj_id}
        target = get_object(world, obj_id, kind)
        if target is None:
            return {"id": obj_id}
        return object_json(world, target, context)

    return value


def object_json(world: World, obj: AdObject, context: Mapping[str, Any]) -> dict[str, Any]:
    """Every readable field of an object (None where unset, so it is known but omitted)."""
    now = context["now"]
    builders = {CAMPAIGN: _campaign, ADSET: _adset, AD: _ad, CREATIVE: _creative}
    out = builders[obj.node_type](world, obj, now, context)
    for name, provider in FIELD_PROVIDERS.get(obj.node_type, {}).items():
        out[name] = lambda spec, fn=provider: fn(world, obj, spec, context)
    return out


def _common(obj: AdObject, now: float, tz: str | None) -> dict[str, Any]:
    return {
        "id": obj.id,
        "account_id": obj.account_id,
        "name": obj.name,
        "created_time": _time(obj.created_time, tz),
        "updated_time": _time(obj.updated_time, tz),
        "adlabels": obj.data.get("adlabels"),
        # post-processing.txt: issues_info is set when post-processing failed.
        "issues_info": obj.issues_info if obj.issues_info and now >= obj.processing_until else None,
    }


def _campaign(world: World, obj: AdObject, now: float, context: Mapping[str, Any]):
    tz = _tz(world, obj)
    d = obj.data
    budget = d.get("daily_budget") or d.get("lifetime_budget")
    categories = d.get("special_ad_categories") or []
    return {
        **_common(obj, now, tz),
        "objective": d.get("objective"),
        "status": obj.status,
        "configured_status": obj.status,
        "effective_status": effective_status(world, obj, now),
        "buying_type": d.get("buying_type", "AUCTION"),
        # A campaign budget without a bid strategy bids automatically (DECISIONS.md "Defaults":
        # marketing-api-guide.txt L4904 "LOWEST_COST_WITHOUT_CAP (recommended)"); without a
        # campaign budget the strategy belongs to the ad sets and is absent here.
        "bid_strategy": d.get("bid_strategy") or ("LOWEST_COST_WITHOUT_CAP" if budget else None),
        "daily_budget": _money(d.get("daily_budget")),
        "lifetime_budget": _money(d.get("lifetime_budget")),
        "budget_remaining": _money(budget or 0),
        "spend_cap": _money(d.get("spend_cap")),
        "special_ad_categories": categories,
        "special_ad_category": categories[0] if categories else "NONE",
        "special_ad_category_country": d.get("special_ad_category_country"),
        "start_time": _time(d.get("start_time") or obj.created_time, tz),
        "stop_time": _time(d.get("stop_time"), tz),
        "promoted_object": d.get("promoted_object"),
        "budget_schedule_specs": d.get("budget_schedule_specs"),
        "campaign_optimization_type": d.get("campaign_optimization_type"),
        "is_skadnetwork_attribution": d.get("is_skadnetwork_attribution"),
        "is_adset_budget_sharing_enabled": d.get("is_adset_budget_sharing_enabled"),
        "iterative_split_test_configs": d.get("iterative_split_test_configs"),
        "smart_promotion_type": d.get("smart_promotion_type"),
        "source_campaign_id": d.get("source_campaign_id", "0"),
        "source_campaign": _ref(world, CAMPAIGN, d.get("source_campaign_id"), context),
        "topline_id": d.get("topline_id"),
        "can_use_spend_cap": True,
        "pacing_type": ["standard"],
    }


def _adset(world: World, obj: AdObject, now: float, context: Mapping[str, Any]):
    tz = _tz(world, obj)
    d = obj.data
    campaign = get_object(world, obj.campaign_id, CAMPAIGN)
    campaign_data = campaign.data if campaign else {}
    strategy = d.get("bid_strategy") or campaign_data.get("bid_strategy")
    if strategy is None:
        # reference.md §3.2: BID_CAP "is set if you provide bid_amount only"; otherwise
        # automatic bidding (reference.md §9 item 7).
        strategy = "LOWEST_COST_WITH_BID_CAP" if d.get("bid_amount") else "LOWEST_COST_WITHOUT_CAP"
    budget = d.get("daily_budget") or d.get("lifetime_budget")
    out = {
        **_common(obj, now, tz),
        "campaign_id": obj.campaign_id,
        "campaign": _ref(world, CAMPAIGN, obj.campaign_id, context),
        "status": obj.status,
        "configured_status": obj.status,
        "effective_status": effective_status(world, obj, now),
        "daily_budget": _money(d.get("daily_budget")),
        "lifetime_budget": _money(d.get("lifetime_budget")),
        "budget_remaining": _money(budget or 0),
        "bid_amount": d.get("bid_amount"),
        "bid_strategy": strategy,
        "billing_event": d.get("billing_event"),
        "optimization_goal": d.get("optimization_goal"),
        "optimization_sub_event": d.get("optimization_sub_event"),
        "destination_type": d.get("destination_type"),
        "targeting": d.get("targeting"),
        "promoted_object": d.get("promoted_object"),
        "start_time": _time(d.get("start_time") or obj.created_time, tz),
        "end_time": _time(d.get("end_time"), tz),
        "is_dynamic_creative": d.get("is_dynamic_creative", False),
        "pacing_type": d.get("pacing_type") or ["standard"],
        "source_adset_id": d.get("source_adset_id", "0"),
        "source_adset": _ref(world, ADSET, d.get("source_adset_id"), context),
    }
    for key in (
        "frequency_control_specs",
        "attribution_spec",
        "adset_schedule",
        "daily_spend_cap",
        "lifetime_spend_cap",
        "daily_min_spend_target",
        "lifetime_min_spend_target",
        "dsa_beneficiary",
        "dsa_payor",
        "tune_for_category",
        "multi_optimization_goal_weight",
        "automatic_manual_state",
        "budget_schedule_specs",
        "creative_sequence",
        "existing_customer_budget_percentage",
        "rf_prediction_id",
    ):
        value = d.get(key)
        out[key] = _money(value) if key.endswith(("_cap", "_target")) else value
    return out


def _ad_issues(world: World, ad: AdObject, now: float) -> list[dict[str, Any]] | None:
    own = ad.issues_info if ad.issues_info and now >= ad.processing_until else None
    return (own or []) + (creative_issues(world, ad, now) or []) or None


def _ad(world: World, obj: AdObject, now: float, context: Mapping[str, Any]):
    tz = _tz(world, obj)
    d = obj.data
    adset = get_object(world, obj.adset_id, ADSET)
    campaign = get_object(world, obj.campaign_id, CAMPAIGN)
    status = effective_status(world, obj, now)
    base = context.get("base_url", "")
    return {
        **_common(obj, now, tz),
        "issues_info": _ad_issues(world, obj, now),
        "adset_id": obj.adset_id,
        "adset": _ref(world, ADSET, obj.adset_id, context),
        "campaign_id": obj.campaign_id,
        "campaign": _ref(world, CAMPAIGN, obj.campaign_id, context),
        "creative": _ref(world, CREATIVE, obj.creative_id, context),
        "status": obj.status,
        "configured_status": obj.status,
        "effective_status": status,
        "bid_amount": adset.data.get("bid_amount") if adset else None,
        "targeting": adset.data.get("targeting") if adset else None,
        "special_ad_categories": (campaign.data.get("special_ad_categories") if campaign else None),
        "tracking_specs": d.get("tracking_specs"),
        "conversion_domain": d.get("conversion_domain"),
        "ad_schedule_start_time": _time(d.get("ad_schedule_start_time"), tz),
        "ad_schedule_end_time": _time(d.get("ad_schedule_end_time"), tz),
        "audience_id": d.get("audience_id"),
        "creative_asset_groups_spec": d.get("creative_asset_groups_spec"),
        "display_sequence": d.get("display_sequence"),
        "engagement_audience": d.get("engagement_audience"),
        "priority": d.get("priority"),
        "source_ad_id": d.get("source_ad_id", "0"),
        "source_ad": _ref(world, AD, d.get("source_ad_id"), context),
        "ad_review_feedback": obj.review_feedback if status == "DISAPPROVED" else None,
        "failed_delivery_checks": [],
        "recommendations": None,
        "preview_shareable_link": f"{base}/_preview/ad/{obj.id}" if base else None,
        "last_updated_by_app_id": context.get("app_id"),
    }


def creative_content(data: Mapping[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """(content key, content object) of a creative's object_story_spec, e.g. link_data."""
    spec = data.get("object_story_spec") or {}
    for key in enums.OBJECT_STORY_CONTENT_KEYS:
        if isinstance(spec.get(key), dict):
            return key, spec[key]
    return None, {}


def _creative(world: World, obj: AdObject, now: float, context: Mapping[str, Any]):
    tz = _tz(world, obj)
    d = obj.data
    kind, content = creative_content(d)
    cta = content.get("call_to_action") or d.get("call_to_action") or {}
    image_hash = content.get("image_hash") or d.get("image_hash")
    image_url = content.get("picture") or content.get("image_url") or d.get("image_url")
    resolve = context.get("image_url_for")
    if image_url is None and image_hash and resolve is not None:
        image_url = resolve(obj.account_id, image_hash)
    spec = d.get("object_story_spec") or {}
    state = objects_state(world)
    common = _common(obj, now, tz)
    common.pop("created_time")
    common.pop("updated_time")
    return {
        **common,
        "status": creative_status(obj, now, state.config.creative_in_process_status),
        "object_story_spec": d.get("object_story_spec"),
        "object_story_id": d.get("object_story_id"),
        "effective_object_story_id": d.get("effective_object_story_id"),
        "object_id": d.get("object_id") or spec.get("page_id"),
        "object_type": d.get("object_type") or _CONTENT_OBJECT_TYPES.get(kind or "", "SHARE"),
        "actor_id": d.get("actor_id") or spec.get("page_id"),
        "title": d.get("title") or content.get("name") or content.get("title"),
        "body": d.get("body") or content.get("message"),
        "image_hash": image_hash,
        "image_url": image_url,
        "thumbnail_url": image_url,
        "video_id": content.get("video_id"),
        "link_url": d.get("link_url") or content.get("link"),
        "object_url": d.get("object_url") or content.get("link"),
        "call_to_action_type": cta.get("type") if isinstance(cta, dict) else None,
        "call_to_action": d.get("call_to_action"),
        "url_tags": d.get("url_tags"),
        "degrees_of_freedom_spec": d.get("degrees_of_freedom_spec"),
        "contextual_multi_ads": d.get("contextual_multi_ads"),
        "asset_feed_spec": d.get("asset_feed_spec"),
        "instagram_user_id": d.get("instagram_user_id") or spec.get("instagram_user_id"),
        "instagram_permalink_url": d.get("instagram_permalink_url"),
        "threads_user_id": d.get("threads_user_id") or spec.get("threads_user_id"),
        "source_instagram_media_id": d.get("source_instagram_media_id"),
        "authorization_category": d.get("authorization_category"),
        "product_set_id": d.get("product_set_id"),
        "template_url": d.get("template_url"),
        "template_url_spec": d.get("template_url_spec"),
        "image_crops": d.get("image_crops"),
        "platform_customizations": d.get("platform_customizations"),
        "portrait_customizations": d.get("portrait_customizations"),
        "interactive_components_spec": d.get("interactive_components_spec"),
        "page_welcome_message": d.get("page_welcome_message"),
        "applink_treatment": d.get("applink_treatment"),
        "branded_content": d.get("branded_content"),
        "use_page_actor_override": d.get("use_page_actor_override"),
        "omnichannel_link_spec": d.get("omnichannel_link_spec"),
        "creative_sourcing_spec": d.get("creative_sourcing_spec"),
    }


def render(
    world: World,
    obj: AdObject,
    fields: Any,
    context: Mapping[str, Any],
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The object through `fields=` (only `id` by default); unknown fields → code 100.
    `extra` adds computed fields (the node's GET edges, for field expansion); the object's own
    fields and FIELD_PROVIDERS win over them."""
    full = {**(extra or {}), **object_json(world, obj, context)}
    return render_fields(
        full,
        fields,
        DEFAULT_FIELDS,
        known_fields=full.keys(),
        node_type=GRAPH_TYPE_NAMES[obj.node_type],
    )


# Re-exported: the insights module imports it from here.
from graph_sim.objects.tree import account_tree as account_tree  # noqa: E402
