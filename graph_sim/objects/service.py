"""Creating, updating, deleting and copying campaigns, ad sets, creatives and ads.

Each function takes the world, the ad account, the request parameters (as sent: strings, JSON
inside strings) and the simulator time, enforces Graph's rules and returns the JSON body.
The HTTP layer (graph_sim/endpoints/objects.py) only maps requests onto these functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from graph_sim.errors import GraphError, invalid_parameter
from graph_sim.objects import enums
from graph_sim.objects import params as p
from graph_sim.objects import validation as v
from graph_sim.objects.model import (
    AD,
    ADSET,
    CAMPAIGN,
    CREATIVE,
    HUMAN_NAMES,
    AdObject,
    PostProcessingFault,
    get_object,
    objects_of,
    objects_state,
    timings,
)
from graph_sim.objects.status import ISSUE_LEVELS, check_update_allowed

if TYPE_CHECKING:
    from graph_sim.state import AdAccount, World

ImageExists = Callable[[str], bool] | None

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


def _decode(name: str, how: Any, raw: Any, image_exists: ImageExists = None) -> Any:
    if how == "str":
        return p.string({name: raw}, name)
    if how == "int":
        return p.integer(raw, name)
    if how == "bool":
        return p.boolean(raw, name)
    if how == "time":
        return p.timestamp(raw, name)
    if how == "json":
        return p.decode_json(raw, name)
    if how == "object":
        return v.json_object(raw, name)
    if how == "url":
        return v.url(p.scalar(raw), [name])
    if how == "targeting":
        return v.targeting(raw)
    if how == "object_story_spec":
        return v.object_story_spec(raw, image_exists=image_exists)
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


def _decode_all(
    params: Mapping[str, Any], table: dict[str, Any], image_exists: ImageExists = None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, how in table.items():
        raw = params.get(name)
        if isinstance(raw, str) and raw.strip() in ("", '""'):
            # An empty value unsets an optional field (ad-reference.txt "Updating").
            out[name] = None
        elif raw is not None:
            out[name] = _decode(name, how, raw, image_exists)
    return out


def _execution_options(params: Mapping[str, Any], allowed: frozenset[str]) -> list[str]:
    return v.execution_options(params.get("execution_options"), allowed)


def _missing(name: str, *, code: int = 100) -> GraphError:
    """Missing required parameter: code 100 in general; the ads and preview references list
    194 "Missing at least one required parameter" (reference.md §9 item 15)."""
    return GraphError(
        f"The parameter {name} is required",
        code=code,
        user_title="Missing Parameter",
        user_msg=f"{name} is required.",
        is_transient=False,
        error_data={"blame_field_specs": [[name]]},
    )


def _not_found(kind: str, obj_id: Any, field: str) -> GraphError:
    return v.blamed(
        f"The {HUMAN_NAMES[kind]} {obj_id} does not exist or does not belong to this ad account",
        field,
        title=f"{HUMAN_NAMES[kind].title()} Not Found",
    )


def _min_daily_budget(world: World, account: AdAccount) -> int:
    config = objects_state(world).config
    return config.min_daily_budget.get(account.currency, account.min_daily_budget)


def _account_key(account: AdAccount) -> str:
    return account.account_id


def _begin_processing(world: World, obj: AdObject, now: float) -> None:
    """Start (or restart) post-processing; a queued fault makes it end WITH_ISSUES."""
    state = objects_state(world)
    obj.processing_until = now + timings(world)[0]
    fault = state.take_fault(obj.node_type) or _planned_fault(world, obj)
    obj.issues_info = (
        [
            {
                "level": fault.level or ISSUE_LEVELS[obj.node_type],
                "error_code": fault.error_code,
                "error_summary": fault.error_summary,
                "error_message": fault.error_message,
            }
        ]
        if fault
        else None
    )


def _planned_fault(world: World, obj: AdObject) -> PostProcessingFault | None:
    """The core's fault plans may fail post-processing too, like media's video processing:
    `sim.faults.add("error", kind="post_processing_ad", times=2, code=1815869, message=...)`
    (kind `post_processing_<campaign|adset|ad|adcreative>`; `path="/<id>"` narrows it to one
    object on its next edit)."""
    faults = getattr(getattr(world, "sim", None), "faults", None)
    for plan in list(getattr(faults, "plans", []) or []):
        if plan.kind != f"post_processing_{obj.node_type}":
            continue
        if plan.path not in ("*", f"/{obj.id}"):
            continue
        if plan.times is not None and plan.fired >= plan.times:
            continue
        plan.matched += 1
        if plan.every is not None and plan.matched % plan.every != 0:
            continue
        plan.fired += 1
        fault = PostProcessingFault()
        if plan.code:
            fault.error_code = plan.code
            fault.error_summary = "Post-processing failed"
        if plan.message:
            fault.error_message = plan.message
        return fault
    return None


def _begin_review(world: World, ad: AdObject) -> None:
    ad.review_until = ad.processing_until + timings(world)[1]
    pending = objects_state(world).pending_rejections
    ad.review_feedback = pending.pop(0) if pending else None


def _new_object(world: World, kind: str, account: AdAccount, name: str, status: str, now: float):
    state = objects_state(world)
    state.sequence += 1
    return AdObject(
        node_type=kind,
        id=world.new_id(15),
        account_id=_account_key(account),
        name=name,
        status=status,
        created_time=now,
        updated_time=now,
        seq=state.sequence,
    )


def _live(objs: list[AdObject]) -> list[AdObject]:
    return [o for o in objs if o.status not in ("ARCHIVED", "DELETED")]


def _check_live_limit(count: int, limit: int, what: str, where: str) -> None:
    # The seeds give the limits (core-flows.md §2.4) but no error code: 100, as proposed in
    # reference.md §10.
    if count >= limit:
        raise GraphError(
            f"Too many {what}: {where} can have at most {limit}",
            code=100,
            user_title="Limit Reached",
            user_msg=f"{where.capitalize()} already has the maximum of {limit} {what}.",
            is_transient=False,
        )


# --- campaigns -----------------------------------------------------------------------------


def campaign_create(
    world: World, *, account: AdAccount, params: Mapping[str, Any], now: float
) -> dict[str, Any]:
    """POST /act_<id>/campaigns (core-flows.md §2.1, reference.md §3.1)."""
    options = _execution_options(params, enums.CAMPAIGN_EXECUTION_OPTIONS)
    fields = campaign_fields(world, account=account, params=params, creating=True)
    _check_campaign(world, account, fields, now)
    campaigns = objects_of(world, CAMPAIGN, _account_key(account))
    config = objects_state(world).config
    _check_live_limit(
        len(_live(campaigns)), config.max_campaigns_per_account, "campaigns", "an ad account"
    )
    if "validate_only" in options:
        return {"success": True}
    return {"id": _store_campaign(world, account, fields, now).id}


def campaign_fields(
    world: World, *, account: AdAccount, params: Mapping[str, Any], creating: bool
) -> dict[str, Any]:
    fields = _decode_all(params, CAMPAIGN_PARAMS)
    if creating:
        if not fields.get("name"):
            raise _missing("name")
        if "objective" not in fields:
            raise _missing("objective")
        if "special_ad_categories" not in fields:
            # reference.md §3.1: special_ad_categories is Required; [] is valid.
            raise _missing("special_ad_categories")
        fields["status"] = v.create_status(params["status"]) if "status" in params else "ACTIVE"
        fields.setdefault("buying_type", "AUCTION")
    elif "status" in params:
        fields["status"] = p.enum(params["status"], enums.CONFIGURED_STATUSES, "status")
    countries = fields.get("special_ad_category_country")
    if countries is not None and (
        not isinstance(countries, list)
        or not all(isinstance(c, str) and len(c) == 2 for c in countries)
    ):
        raise v.blamed(
            "special_ad_category_country must be a list of 2-letter country codes",
            "special_ad_category_country",
        )
    if fields.get("spend_cap") == NO_SPEND_CAP:
        fields["spend_cap"] = None
    return fields


def _check_campaign(
    world: World,
    account: AdAccount,
    fields: dict[str, Any],
    now: float,
    current: AdObject | None = None,
) -> None:
    merged = {**(current.data if current else {}), **fields}
    daily, lifetime = merged.get("daily_budget"), merged.get("lifetime_budget")
    if daily and lifetime:
        raise v.blamed(
            "A campaign can have a daily_budget or a lifetime_budget, not both",
            "lifetime_budget",
            title="Choose One Budget",
        )
    if "daily_budget" in fields and fields["daily_budget"] is not None:
        minimum = _min_daily_budget(world, account)
        if fields["daily_budget"] < minimum:
            raise v.blamed(
                "Budget is too low.",
                "daily_budget",
                subcode=1885272,
                title="Budget Too Low",
                user_msg=f"The daily budget must be at least {v.money(minimum, account.currency)}.",
            )
    if merged.get("bid_strategy") and not (daily or lifetime) and "bid_strategy" in fields:
        # core-flows.md §2.1: "Set it at campaign level only with campaign budget optimization
        # (a campaign budget); otherwise set it at ad set level."
        raise v.blamed(
            "bid_strategy can only be set on a campaign that has a campaign budget "
            "(daily_budget or lifetime_budget); set it on the ad sets instead",
            "bid_strategy",
            title="Bid Strategy Needs a Campaign Budget",
        )
    spend_cap = fields.get("spend_cap")
    if spend_cap is not None and spend_cap < 100 * 100 and account.currency == "USD":
        # reference.md §3.1: "minimum value of $100 USD"
        raise v.blamed(
            "spend_cap must be at least $100.00",
            "spend_cap",
            title="Spending Limit Too Low",
        )
    if (
        (daily or lifetime)
        and current is not None
        and ("daily_budget" in fields or "lifetime_budget" in fields)
    ):
        for adset in objects_of(world, ADSET, current.account_id):
            if (
                adset.campaign_id == current.id
                and adset.status != "DELETED"
                and (adset.data.get("daily_budget") or adset.data.get("lifetime_budget"))
            ):
                raise _budget_conflict("daily_budget" if daily else "lifetime_budget")
    start, stop = merged.get("start_time"), merged.get("stop_time")
    if start and stop and stop <= start:
        raise v.blamed("stop_time must be after start_time", "stop_time", title="Invalid Dates")


def _budget_conflict(field: str) -> GraphError:
    # core-flows.md §2.1: "You can either set budget at the campaign level or at the adset
    # level, not both." (1885621, reference.md §8.2; subcode under code 100, §9 item 19)
    return v.blamed(
        "You can only set an ad set budget or a campaign budget.",
        field,
        subcode=1885621,
        title="Budget Conflict",
        user_msg="You can only set an ad set budget or a campaign budget.",
    )


def _store_campaign(world: World, account: AdAccount, fields: dict[str, Any], now: float):
    fields = dict(fields)
    obj = _new_object(world, CAMPAIGN, account, fields.pop("name"), fields.pop("status"), now)
    obj.data = fields
    _begin_processing(world, obj, now)
    world.put(obj, CAMPAIGN)
    return obj


# --- ad sets -------------------------------------------------------------------------------

# When optimization_goal is omitted: the goal Ads Manager picks for each ODAX objective.
_DEFAULT_GOALS = {
    "OUTCOME_AWARENESS": "REACH",
    "OUTCOME_TRAFFIC": "LINK_CLICKS",
    "OUTCOME_ENGAGEMENT": "POST_ENGAGEMENT",
    "OUTCOME_LEADS": "LEAD_GENERATION",
    "OUTCOME_SALES": "OFFSITE_CONVERSIONS",
    "OUTCOME_APP_PROMOTION": "APP_INSTALLS",
}


def adset_create(
    world: World, *, account: AdAccount, params: Mapping[str, Any], now: float
) -> dict[str, Any]:
    """POST /act_<id>/adsets (core-flows.md §2.2, reference.md §3.2)."""
    options = _execution_options(params, enums.CAMPAIGN_EXECUTION_OPTIONS)
    fields = _decode_all(params, ADSET_PARAMS)
    if not fields.get("name"):
        raise _missing("name")
    if len(fields["name"]) > 400:
        raise v.blamed("Ad set name must be at most 400 characters", "name")
    fields["status"] = v.create_status(params["status"]) if "status" in params else "ACTIVE"
    campaign_spec = None
    if fields.get("campaign_id"):
        campaign = _own(world, account, CAMPAIGN, fields["campaign_id"], "campaign_id")
        _check_parent_live(campaign)
    elif "campaign_spec" in params:
        # reference.md §3.2: campaign_spec = {name, objective, buying_type} creates it inline.
        campaign_spec = v.json_object(params["campaign_spec"], "campaign_spec")
        spec_params = {"special_ad_categories": "[]", **campaign_spec}
        campaign_fields_ = campaign_fields(
            world, account=account, params=spec_params, creating=True
        )
        campaign = None
    else:
        raise _missing("campaign_id")
    if "targeting" not in fields:
        raise _missing("targeting")
    campaign_data = campaign.data if campaign else campaign_fields_
    _check_adset(world, account, fields, campaign_data, now, creating=True)
    config = objects_state(world).config
    _check_live_limit(
        len(_live(objects_of(world, ADSET, _account_key(account)))),
        config.max_adsets_per_account,
        "ad sets",
        "an ad account",
    )
    if "validate_only" in options:
        return {"success": True}
    if campaign is None:
        campaign = _store_campaign(world, account, campaign_fields_, now)
    fields = dict(fields)
    fields.pop("campaign_id", None)
    obj = _new_object(world, ADSET, account, fields.pop("name"), fields.pop("status"), now)
    obj.campaign_id = campaign.id
    fields.setdefault("is_dynamic_creative", False)
    fields.setdefault("billing_event", "IMPRESSIONS")
    fields.setdefault(
        "optimization_goal", _DEFAULT_GOALS.get(campaign.data.get("objective"), "LINK_CLICKS")
    )
    fields.setdefault("start_time", now)
    obj.data = fields
    _begin_processing(world, obj, now)
    world.put(obj, ADSET)
    return {"id": obj.id}


def _own(world: World, account: AdAccount, kind: str, obj_id: Any, field: str) -> AdObject:
    obj = get_object(world, p.scalar(obj_id), kind)
    if obj is None or obj.account_id != _account_key(account):
        raise _not_found(kind, p.scalar(obj_id), field)
    return obj


def _check_parent_live(parent: AdObject) -> None:
    if parent.status in ("ARCHIVED", "DELETED"):
        human = HUMAN_NAMES[parent.node_type]
        raise v.blamed(
            f"The {human} {parent.id} is {parent.status.lower()}; objects can't be added to it",
            f"{parent.node_type}_id" if parent.node_type != CAMPAIGN else "campaign_id",
            title=f"{human.title()} Is {parent.status.title()}",
        )


def _check_adset(
    world: World,
    account: AdAccount,
    fields: dict[str, Any],
    campaign: dict[str, Any],
    now: float,
    *,
    creating: bool,
    current: AdObject | None = None,
) -> None:
    """Ad set budget, schedule and bidding rules (core-flows.md §8 item 10, reference.md §10
    items 22-28). `fields` are the decoded parameters of this call; on update they are checked
    together with the stored values."""
    merged = {**(current.data if current else {}), **fields}
    daily, lifetime = merged.get("daily_budget"), merged.get("lifetime_budget")
    campaign_budget = campaign.get("daily_budget") or campaign.get("lifetime_budget")
    touched_budget = "daily_budget" in fields or "lifetime_budget" in fields
    if campaign_budget and (daily or lifetime) and (creating or touched_budget):
        raise _budget_conflict("daily_budget" if daily else "lifetime_budget")
    if daily and lifetime:
        raise v.blamed(
            "An ad set can have a daily_budget or a lifetime_budget, not both",
            "lifetime_budget",
            title="Choose One Budget",
        )
    if not campaign_budget and not daily and not lifetime:
        raise v.blamed(
            "Either daily_budget or lifetime_budget must be greater than 0",
            "daily_budget",
            title="Budget Required",
            user_msg="Set a daily or lifetime budget on the ad set or its campaign.",
        )
    start = merged.get("start_time") or (current.created_time if current else now)
    end = merged.get("end_time")
    if "end_time" in fields and end is not None and end <= now:
        raise v.blamed(
            "The end date must be in the future",
            "end_time",
            subcode=1487033,
            title="End Date In The Past",
        )
    if lifetime and not end:
        raise v.blamed(
            "end_time is required when lifetime_budget is specified",
            "end_time",
            title="End Time Required",
            user_msg="An ad set with a lifetime budget needs an end date.",
        )
    if end and end <= start:
        raise v.blamed("end_time must be after start_time", "end_time", title="Invalid Dates")
    if daily and end and end - start <= DAY:
        raise v.blamed(
            "An ad set with a daily budget must run for more than 24 hours "
            "(end_time - start_time > 24h)",
            "end_time",
            title="Schedule Too Short",
            user_msg="With a daily budget the ad set must be scheduled for more than 24 hours.",
        )
    minimum = _min_daily_budget(world, account)
    if daily and (creating or "daily_budget" in fields):
        v.check_daily_budget_minimum(daily, minimum, account.currency, "daily_budget")
    if lifetime and end and (creating or touched_budget):
        days = max(1, math.ceil((end - start) / DAY))
        if lifetime < minimum * days:
            raise GraphError(
                "The budget for your Ad-Set is too low.  It must be at least "
                f"{v.money(minimum * days, account.currency)} for its schedule.",
                code=1487901,
                type="Exception",
                is_transient=False,
                user_title="Your Budget Is Too Low",
                user_msg=f"Your budget must be at least {v.money(minimum, account.currency)} "
                "per day of the schedule.",
                error_data={"blame_field_specs": [["lifetime_budget"]]},
            )
    strategy = merged.get("bid_strategy") or campaign.get("bid_strategy")
    bid = merged.get("bid_amount")
    if strategy in enums.CAP_BID_STRATEGIES and bid is None:
        raise v.blamed(
            f"bid_amount is required when bid_strategy is {strategy}",
            "bid_amount",
            title="Bid Amount Required",
            user_msg="Enter a bid amount for this bid strategy.",
        )
    if bid is not None:
        billing = merged.get("billing_event", "IMPRESSIONS")
        low = 2 if billing in ("IMPRESSIONS", "REACH") else 1
        if bid < low:
            raise v.blamed(
                f"bid_amount must be at least {low} for billing_event {billing}",
                "bid_amount",
                title="Bid Too Low",
            )
    goal = merged.get("optimization_goal")
    if merged.get("billing_event") == "APP_INSTALLS" and goal == "APP_INSTALLS":
        raise v.blamed(
            "The billing event cannot be App Install if the Optimization goal is App Install.",
            "billing_event",
            title="Invalid Billing Event",
        )
    promoted = merged.get("promoted_object") or {}
    if goal == "LEAD_GENERATION" and not promoted.get("page_id"):
        raise v.blamed(
            "optimization_goal LEAD_GENERATION requires promoted_object with page_id",
            ["promoted_object", "page_id"],
            title="Page Required",
        )
    if "frequency_control_specs" in fields and goal not in ("REACH", "THRUPLAY"):
        raise v.blamed(
            "frequency_control_specs can only be set when optimization_goal is REACH or THRUPLAY",
            "frequency_control_specs",
        )
    for key, needs in (
        ("daily_spend_cap", "daily_budget"),
        ("daily_min_spend_target", "daily_budget"),
        ("lifetime_spend_cap", "lifetime_budget"),
        ("lifetime_min_spend_target", "lifetime_budget"),
    ):
        if fields.get(key) is not None and fields[key] != NO_SPEND_CAP and not campaign.get(needs):
            raise v.blamed(f"{key} requires a campaign {needs}", key)


# --- creatives -----------------------------------------------------------------------------


def creative_create(
    world: World,
    *,
    account: AdAccount,
    params: Mapping[str, Any],
    now: float,
    image_exists: ImageExists = None,
) -> dict[str, Any]:
    """POST /act_<id>/adcreatives (core-flows.md §2.3, creatives-and-media.md §2)."""
    options = _execution_options(params, enums.CREATIVE_EXECUTION_OPTIONS)
    fields = creative_fields(params, image_exists=image_exists)
    story_id = fields.get("object_story_id")
    if story_id:
        # reference.md §3.4: an object_story_id already in use returns the existing creative.
        for existing in objects_of(world, CREATIVE, _account_key(account)):
            if existing.data.get("object_story_id") == story_id and existing.status != "DELETED":
                return {"success": True} if "validate_only" in options else {"id": existing.id}
    if "validate_only" in options:
        return {"success": True}
    return {"id": _store_creative(world, account, fields, now).id}


def creative_fields(
    params: Mapping[str, Any], *, image_exists: ImageExists = None
) -> dict[str, Any]:
    fields = _decode_all(params, CREATIVE_PARAMS, image_exists)
    content_keys = (
        "object_story_spec",
        "object_story_id",
        "asset_feed_spec",
        "object_id",
        "image_hash",
        "image_url",
        "template_url",
        "instagram_permalink_url",
    )
    if not any(k in fields for k in content_keys):
        raise _missing("object_story_spec")
    if (
        fields.get("image_hash")
        and image_exists is not None
        and not image_exists(fields["image_hash"])
    ):
        raise v.blamed(
            f"Image with hash {fields['image_hash']} could not be found in this ad account",
            "image_hash",
            title="Image Not Found",
        )
    if "call_to_action" in fields:
        v.call_to_action(fields["call_to_action"], ["call_to_action"])
    return fields


def _store_creative(world: World, account: AdAccount, fields: dict[str, Any], now: float):
    fields = dict(fields)
    name = fields.pop("name", None) or f"Creative {p.iso(now)[:10]}"
    obj = _new_object(world, CREATIVE, account, name, "ACTIVE", now)
    spec = fields.get("object_story_spec")
    if spec and "object_story_id" not in fields:
        # Graph turns an object_story_spec into an unpublished Page post.
        fields["effective_object_story_id"] = f"{spec['page_id']}_{world.new_id(15)}"
    elif fields.get("object_story_id"):
        fields["effective_object_story_id"] = fields["object_story_id"]
    fields.setdefault("contextual_multi_ads", {"enroll_status": "OPT_IN"})
    obj.data = fields
    _begin_processing(world, obj, now)
    world.put(obj, CREATIVE)
    return obj


# --- ads -----------------------------------------------------------------------------------


def ad_create(
    world: World,
    *,
    account: AdAccount,
    params: Mapping[str, Any],
    now: float,
    image_exists: ImageExists = None,
) -> dict[str, Any]:
    """POST /act_<id>/ads (core-flows.md §2.4, ad-reference.txt)."""
    options = _execution_options(params, enums.AD_EXECUTION_OPTIONS)
    if "bid_amount" in params:
        raise v.blamed(
            "bid_amount is deprecated on ads: set bid_amount on the ad set",
            "bid_amount",
            title="Bid Amount Not Allowed",
        )
    fields = _decode_all(params, AD_PARAMS)
    if not fields.get("name"):
        raise _missing("name", code=194)
    if "creative" not in params:
        raise _missing("creative", code=194)
    fields["status"] = v.create_status(params["status"]) if "status" in params else "ACTIVE"
    _check_conversion_domain(fields)
    adset_spec = None
    if fields.get("adset_id"):
        adset = _own(world, account, ADSET, fields["adset_id"], "adset_id")
        _check_parent_live(adset)
        campaign = get_object(world, adset.campaign_id, CAMPAIGN)
        if campaign is not None:
            _check_parent_live(campaign)
    elif "adset_spec" in params:
        adset_spec = v.json_object(params["adset_spec"], "adset_spec")
        adset = None
    else:
        raise _missing("adset_id", code=194)
    creative, inline = _resolve_creative(world, account, params["creative"], image_exists)
    config = objects_state(world).config
    account_ads = objects_of(world, AD, _account_key(account))
    if adset is not None:
        in_adset = [a for a in account_ads if a.adset_id == adset.id and a.status != "DELETED"]
        _check_live_limit(len(in_adset), config.max_ads_per_adset, "ads", "an ad set")
    _check_live_limit(
        len([a for a in account_ads if a.status != "DELETED"]),
        config.max_ads_per_account,
        "ads",
        "an ad account",
    )
    if adset_spec is not None:
        # Validate the inline ad set as a create would, then create it for real below.
        adset_create(
            world,
            account=account,
            params={**adset_spec, "execution_options": '["validate_only"]'},
            now=now,
        )
    if "validate_only" in options:
        return {"success": True}
    if adset is None:
        adset = get_object(
            world, adset_create(world, account=account, params=adset_spec, now=now)["id"], ADSET
        )
    if creative is None:
        creative = _store_creative(world, account, inline, now)
    fields = dict(fields)
    fields.pop("adset_id", None)
    obj = _new_object(world, AD, account, fields.pop("name"), fields.pop("status"), now)
    obj.adset_id = adset.id
    obj.campaign_id = adset.campaign_id
    obj.creative_id = creative.id
    obj.data = fields
    _begin_processing(world, obj, now)
    _begin_review(world, obj)
    world.put(obj, AD)
    return {"id": obj.id}


def _check_conversion_domain(fields: dict[str, Any]) -> None:
    domain = fields.get("conversion_domain")
    if domain is not None and ("/" in domain or ":" in domain or "." not in domain):
        # ad-reference.txt: "only the first and second level domains, and not the full URL"
        raise v.blamed(
            "conversion_domain must be a domain such as example.com, not a URL",
            "conversion_domain",
            title="Invalid Conversion Domain",
        )


def _resolve_creative(
    world: World, account: AdAccount, raw: Any, image_exists: ImageExists
) -> tuple[AdObject | None, dict[str, Any] | None]:
    """`creative={"creative_id": <id>}` → the stored creative; an inline spec
    (`{"creative": {...}}` per the reference, or the spec itself per the guides) → its
    validated fields, stored only if the whole call succeeds."""
    spec = v.json_object(raw, "creative")
    if "creative_id" in spec:
        creative = get_object(world, p.scalar(spec["creative_id"]), CREATIVE)
        if creative is None or creative.account_id != _account_key(account):
            raise _not_found(CREATIVE, spec["creative_id"], "creative")
        if creative.status == "DELETED":
            raise v.blamed(
                f"The ad creative {creative.id} has been deleted",
                "creative",
                title="Creative Deleted",
            )
        return creative, None
    inner = spec.get("creative") if isinstance(spec.get("creative"), dict) else spec
    if not inner:
        raise _missing("creative", code=194)
    return None, creative_fields(inner, image_exists=image_exists)


# --- updates -------------------------------------------------------------------------------

# Fields whose change sends the ads below back to review (core-flows.md §2.5); budget, bid
# and schedule changes do not.
_ADSET_REVIEW_FIELDS = {"targeting", "optimization_goal", "billing_event"}


def object_update(
    world: World,
    *,
    obj: AdObject,
    account: AdAccount,
    params: Mapping[str, Any],
    now: float,
    image_exists: ImageExists = None,
) -> dict[str, Any]:
    """POST /<id>: partial update → {"success": true} (reference.md §7.2 for the rules)."""
    params = dict(params)
    if "adgroup_status" in params and "status" not in params:
        params["status"] = params.pop("adgroup_status")  # legacy name in ad-reference.txt
    if obj.node_type == CREATIVE:
        return _creative_update(world, obj, params, now)
    allowed = (
        enums.AD_EXECUTION_OPTIONS if obj.node_type == AD else enums.CAMPAIGN_EXECUTION_OPTIONS
    )
    options = _execution_options(params, allowed)
    table = {CAMPAIGN: CAMPAIGN_PARAMS, ADSET: ADSET_PARAMS, AD: AD_PARAMS}[obj.node_type]
    changes = _decode_all(params, table)
    if "status" in params:
        changes["status"] = p.enum(params["status"], enums.CONFIGURED_STATUSES, "status")
    if obj.node_type == AD and "creative" in params:
        changes["creative"] = params["creative"]
    if obj.node_type == AD and "bid_amount" in params:
        raise v.blamed(
            "bid_amount is deprecated on ads: set bid_amount on the ad set", "bid_amount"
        )
    check_update_allowed(obj, changes)
    if "name" in changes and not changes["name"]:
        raise v.blamed("name can't be empty", "name")
    for fixed in ("adset_id", "campaign_id"):
        if fixed in changes and changes[fixed] != getattr(obj, fixed):
            raise v.blamed(f"{fixed} can not be updated", fixed, title="Field Can't Be Changed")
        changes.pop(fixed, None)
    new_creative = None
    if obj.node_type == CAMPAIGN:
        _check_campaign(world, account, changes, now, current=obj)
    elif obj.node_type == ADSET:
        campaign = get_object(world, obj.campaign_id, CAMPAIGN)
        _check_adset(
            world,
            account,
            changes,
            campaign.data if campaign else {},
            now,
            creating=False,
            current=obj,
        )
    elif obj.node_type == AD:
        _check_conversion_domain(changes)
        if "creative" in changes:
            new_creative, inline = _resolve_creative(
                world, account, changes.pop("creative"), image_exists
            )
            if new_creative is None:
                new_creative = inline  # stored below, after every check passed
    _check_status_change(world, obj, changes.get("status"))
    if "validate_only" in options:
        return {"success": True}
    _apply(world, obj, changes, now, account=account, new_creative=new_creative)
    return {"success": True}


def _check_status_change(world: World, obj: AdObject, new_status: str | None) -> None:
    if new_status == "ARCHIVED" and obj.status != "ARCHIVED":
        config = objects_state(world).config
        archived = [
            o for o in objects_of(world, obj.node_type, obj.account_id) if o.status == "ARCHIVED"
        ]
        if len(archived) >= config.max_archived_per_account:
            # reference.md §7.2: 1487990 "too many archived adgroups"
            raise v.blamed(
                "This Ad Account has already too many archived adgroups. Please delete some "
                "archived objects before archiving more.",
                "status",
                subcode=1487990,
                title="Too Many Archived Objects",
            )


def _apply(
    world: World,
    obj: AdObject,
    changes: dict[str, Any],
    now: float,
    *,
    account: AdAccount,
    new_creative: AdObject | dict[str, Any] | None = None,
) -> None:
    new_status = changes.pop("status", None)
    if "name" in changes:
        obj.name = changes.pop("name")
    if new_status and new_status != obj.status:
        obj.status = new_status
        obj.status_changed_time = now
    if obj.status in ("ARCHIVED", "DELETED"):
        changes = {}
    if isinstance(new_creative, dict):
        new_creative = _store_creative(world, account, new_creative, now)
    content_changed = bool(changes) or new_creative is not None
    for key, value in changes.items():
        if value is None or value == "":
            obj.data.pop(key, None)  # "remove values ... by updating the value to empty"
        else:
            obj.data[key] = value
    obj.updated_time = now
    if content_changed:
        # Edits go through post-processing again (post-processing.txt); name and status
        # changes alone don't.
        _begin_processing(world, obj, now)
        if obj.node_type == AD and new_creative is not None:
            obj.creative_id = new_creative.id
            _begin_review(world, obj)
        elif obj.node_type == AD:
            obj.review_until = max(obj.review_until, obj.processing_until)
        if obj.node_type == ADSET and _ADSET_REVIEW_FIELDS & set(changes):
            for ad in objects_of(world, AD, obj.account_id):
                if ad.adset_id == obj.id and ad.status not in ("ARCHIVED", "DELETED"):
                    ad.review_until = now + timings(world)[1]


def _creative_update(
    world: World, obj: AdObject, params: Mapping[str, Any], now: float
) -> dict[str, Any]:
    """Creatives "cannot be edited after they have been created except for name and run
    status" (core-flows.md §2.3)."""
    options = _execution_options(params, enums.CREATIVE_EXECUTION_OPTIONS)
    ignored = {
        "execution_options",
        "access_token",
        "appsecret_proof",
        "fields",
        "method",
        "format",
        "suppress_http_code",
        "pretty",
    }
    other = sorted(k for k in params if k not in ignored and k not in ("name", "status"))
    if other:
        raise v.blamed(
            "Ad Creatives cannot be edited after they have been created except for name and "
            f"run status (tried to change: {', '.join(other)})",
            other[0],
            title="Creative Can't Be Edited",
            user_msg="To change a creative's content, create a new creative and give it to the ad.",
        )
    name = p.string(params, "name")
    status = None
    if "status" in params:
        status = p.enum(params["status"], ("ACTIVE", "DELETED"), "status")
    if obj.status == "DELETED" and status == "ACTIVE":
        raise v.blamed("A deleted creative can't be restored", "status")
    if "validate_only" in options:
        return {"success": True}
    if name:
        obj.name = name
    if status:
        obj.status = status
    obj.updated_time = now
    return {"success": True}


def object_delete(world: World, *, obj: AdObject, now: float) -> dict[str, Any]:
    """DELETE /<id> → {"success": true}; the object stays readable by id (reference.md §7.4).
    Deleting an already deleted object succeeds again, so a retried DELETE is harmless."""
    if obj.status != "DELETED":
        obj.status = "DELETED"
        obj.status_changed_time = now
        obj.updated_time = now
    return {"success": True}


# --- copies --------------------------------------------------------------------------------


def _copy_name(name: str, rename: dict[str, Any], *, top_level: bool) -> str:
    """ad-reference.txt /copies: rename_strategy (default ONLY_TOP_LEVEL_RENAME), prefix, and
    a suffix that defaults to the localized " - Copy"."""
    strategy = rename.get("rename_strategy", "ONLY_TOP_LEVEL_RENAME")
    if strategy == "NO_RENAME" or (strategy == "ONLY_TOP_LEVEL_RENAME" and not top_level):
        return name
    prefix = rename.get("rename_prefix") or ""
    suffix = rename.get("rename_suffix")
    return f"{prefix}{name}{' - Copy' if suffix is None else suffix}"


def _copy_options(params: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    rename = (
        v.json_object(params["rename_options"], "rename_options")
        if params.get("rename_options")
        else {}
    )
    if "rename_strategy" in rename:
        p.enum(rename["rename_strategy"], enums.RENAME_STRATEGIES, "rename_options.rename_strategy")
    status_option = (
        p.enum(params["status_option"], enums.COPY_STATUS_OPTIONS, "status_option")
        if params.get("status_option")
        else "PAUSED"
    )
    return rename, status_option


def _copy_status(source: AdObject, status_option: str) -> str:
    if status_option == "INHERITED_FROM_SOURCE":
        return source.status if source.status in ("ACTIVE", "PAUSED") else "PAUSED"
    return status_option


def _clone(world: World, source: AdObject, account: AdAccount, name: str, status: str, now: float):
    obj = _new_object(world, source.node_type, account, name, status, now)
    obj.data = {k: v_ for k, v_ in source.data.items()}
    obj.campaign_id, obj.adset_id, obj.creative_id = (
        source.campaign_id,
        source.adset_id,
        source.creative_id,
    )
    _begin_processing(world, obj, now)
    if obj.node_type == AD:
        _begin_review(world, obj)
    world.put(obj, obj.node_type)
    return obj


def _check_copyable(source: AdObject) -> None:
    if source.status == "DELETED":
        raise v.blamed(
            f"A deleted {HUMAN_NAMES[source.node_type]} can't be copied",
            "id",
            title="Deleted Object",
        )


def ad_copy(
    world: World,
    *,
    ad: AdObject,
    account: AdAccount,
    params: Mapping[str, Any],
    now: float,
    image_exists: ImageExists = None,
) -> dict[str, Any]:
    """POST /<ad_id>/copies → {"copied_ad_id"} (ad-reference.txt)."""
    _check_copyable(ad)
    rename, status_option = _copy_options(params)
    adset = get_object(world, ad.adset_id, ADSET)
    if params.get("adset_id"):
        adset = _own(world, account, ADSET, params["adset_id"], "adset_id")
    if adset is None:
        raise _not_found(ADSET, ad.adset_id, "adset_id")
    _check_parent_live(adset)
    config = objects_state(world).config
    in_adset = [
        a
        for a in objects_of(world, AD, ad.account_id)
        if a.adset_id == adset.id and a.status != "DELETED"
    ]
    _check_live_limit(len(in_adset), config.max_ads_per_adset, "ads", "an ad set")
    new_creative = None
    if params.get("creative_parameters"):
        # "Overwrites happen at the top level": the source creative's inputs plus these.
        overrides = v.json_object(params["creative_parameters"], "creative_parameters")
        source_creative = get_object(world, ad.creative_id, CREATIVE)
        base = {"name": source_creative.name, **source_creative.data} if source_creative else {}
        base.pop("effective_object_story_id", None)
        if "object_story_spec" in overrides:
            base.pop("object_story_id", None)
        new_creative = creative_fields({**base, **overrides}, image_exists=image_exists)
    copy = _clone(
        world,
        ad,
        account,
        _copy_name(ad.name, rename, top_level=True),
        _copy_status(ad, status_option),
        now,
    )
    copy.adset_id, copy.campaign_id = adset.id, adset.campaign_id
    copy.data["source_ad_id"] = ad.id
    if new_creative is not None:
        copy.creative_id = _store_creative(world, account, new_creative, now).id
    return {"copied_ad_id": copy.id}


def adset_copy(
    world: World, *, adset: AdObject, account: AdAccount, params: Mapping[str, Any], now: float
) -> dict[str, Any]:
    """POST /<adset_id>/copies [EXT: not in the seeds; shaped like the campaign copy the
    guide shows]: `campaign_id` (target), `deep_copy`, `rename_options`, `status_option`."""
    _check_copyable(adset)
    rename, status_option = _copy_options(params)
    campaign = get_object(world, adset.campaign_id, CAMPAIGN)
    if params.get("campaign_id"):
        campaign = _own(world, account, CAMPAIGN, params["campaign_id"], "campaign_id")
    _check_parent_live(campaign)
    deep = p.boolean(params["deep_copy"], "deep_copy") if "deep_copy" in params else False
    ids: list[dict[str, str]] = []
    copy = _copy_adset(
        world, adset, campaign, account, rename, status_option, now, deep, ids, top_level=True
    )
    return {"copied_adset_id": copy.id, "ad_object_ids": ids}


def _copy_adset(
    world, adset, campaign, account, rename, status_option, now, deep, ids, *, top_level
):
    copy = _clone(
        world,
        adset,
        account,
        _copy_name(adset.name, rename, top_level=top_level),
        _copy_status(adset, status_option),
        now,
    )
    copy.campaign_id = campaign.id
    copy.data["source_adset_id"] = adset.id
    ids.append({"ad_object_type": "ad_set", "source_id": adset.id, "copied_id": copy.id})
    if deep:
        for ad in _live(objects_of(world, AD, adset.account_id)):
            if ad.adset_id == adset.id:
                ad_copy_ = _clone(
                    world,
                    ad,
                    account,
                    _copy_name(ad.name, rename, top_level=False),
                    _copy_status(ad, status_option),
                    now,
                )
                ad_copy_.adset_id, ad_copy_.campaign_id = copy.id, campaign.id
                ad_copy_.data["source_ad_id"] = ad.id
                ids.append({"ad_object_type": "ad", "source_id": ad.id, "copied_id": ad_copy_.id})
    return copy


def campaign_copy(
    world: World,
    *,
    campaign: AdObject,
    account: AdAccount,
    params: Mapping[str, Any],
    now: float,
) -> dict[str, Any]:
    """POST /<campaign_id>/copies → {"copied_campaign_id", "ad_object_ids": [...]}, the shape
    of the guide's example (marketing-api-guide.txt L4978-4993). `deep_copy` [EXT] also
    copies the live ad sets and ads."""
    _check_copyable(campaign)
    rename, status_option = _copy_options(params)
    deep = p.boolean(params["deep_copy"], "deep_copy") if "deep_copy" in params else False
    migrate = "migrate_to_advantage_plus" in params and p.boolean(
        params["migrate_to_advantage_plus"], "migrate_to_advantage_plus"
    )
    if migrate:
        ads = [
            a
            for a in objects_of(world, AD, campaign.account_id)
            if a.campaign_id == campaign.id and a.status != "DELETED"
        ]
        if len(ads) > 150 or campaign.data.get("existing_customer_budget_percentage"):
            raise invalid_parameter(
                "This campaign can't be migrated to the Advantage+ structure through the API; "
                "open it in Ads Manager"
            )
    copy = _clone(
        world,
        campaign,
        account,
        _copy_name(campaign.name, rename, top_level=True),
        _copy_status(campaign, status_option),
        now,
    )
    copy.data["source_campaign_id"] = campaign.id
    if migrate:
        copy.data["smart_promotion_type"] = "GUIDED_CREATION"
    ids = [{"ad_object_type": "campaign", "source_id": campaign.id, "copied_id": copy.id}]
    if deep:
        for adset in _live(objects_of(world, ADSET, campaign.account_id)):
            if adset.campaign_id == campaign.id:
                _copy_adset(
                    world,
                    adset,
                    copy,
                    account,
                    rename,
                    status_option,
                    now,
                    True,
                    ids,
                    top_level=False,
                )
    return {"copied_campaign_id": copy.id, "ad_object_ids": ids}
