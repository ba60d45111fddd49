"""Creating campaigns and ad sets, and their budget, schedule and bidding rules (core-flows.md
§2.1-2.2, reference.md §3.1-3.2)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from graph_sim import references as refs
from graph_sim.errors import GraphError
from graph_sim.objects import enums
from graph_sim.objects import params as p
from graph_sim.objects import validation as v
from graph_sim.objects.common import (
    account_key,
    begin_processing,
    check_live_limit,
    execution_options_of,
    live_only,
    minimum_daily_budget,
    missing,
    new_object,
    not_found,
)
from graph_sim.objects.model import (
    ADSET,
    CAMPAIGN,
    HUMAN_NAMES,
    AdObject,
    get_object,
    objects_of,
    objects_state,
)
from graph_sim.objects.tables import ADSET_PARAMS, CAMPAIGN_PARAMS, DAY, NO_SPEND_CAP, decode_all

if TYPE_CHECKING:
    from graph_sim.state import AdAccount, World

# --- campaigns -----------------------------------------------------------------------------


def campaign_create(
    world: World, *, account: AdAccount, params: Mapping[str, Any], now: float
) -> dict[str, Any]:
    """POST /act_<id>/campaigns (core-flows.md §2.1, reference.md §3.1)."""
    options = execution_options_of(params, enums.CAMPAIGN_EXECUTION_OPTIONS)
    fields = campaign_fields(world, account=account, params=params, creating=True)
    check_campaign(world, account, fields, now)
    campaigns = objects_of(world, CAMPAIGN, account_key(account))
    config = objects_state(world).config
    check_live_limit(
        len(live_only(campaigns)), config.max_campaigns_per_account, "campaigns", "an ad account"
    )
    if "validate_only" in options:
        return {"success": True}
    return {"id": store_campaign(world, account, fields, now).id}


def campaign_fields(
    world: World, *, account: AdAccount, params: Mapping[str, Any], creating: bool
) -> dict[str, Any]:
    fields = decode_all(params, CAMPAIGN_PARAMS, tz_name=account.timezone_name)
    if creating:
        if not fields.get("name"):
            raise missing("name")
        if "objective" not in fields:
            raise missing("objective")
        if "special_ad_categories" not in fields:
            # reference.md §3.1: special_ad_categories is Required; [] is valid.
            raise missing("special_ad_categories")
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


def check_campaign(
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
        minimum = minimum_daily_budget(world, account)
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
                raise budget_conflict("daily_budget" if daily else "lifetime_budget")
    start, stop = merged.get("start_time"), merged.get("stop_time")
    if start and stop and stop <= start:
        raise v.blamed("stop_time must be after start_time", "stop_time", title="Invalid Dates")


def budget_conflict(field: str) -> GraphError:
    # core-flows.md §2.1: "You can either set budget at the campaign level or at the adset
    # level, not both." (1885621, reference.md §8.2; subcode under code 100, §9 item 19)
    return v.blamed(
        "You can only set an ad set budget or a campaign budget.",
        field,
        subcode=1885621,
        title="Budget Conflict",
        user_msg="You can only set an ad set budget or a campaign budget.",
    )


def store_campaign(world: World, account: AdAccount, fields: dict[str, Any], now: float):
    fields = dict(fields)
    obj = new_object(world, CAMPAIGN, account, fields.pop("name"), fields.pop("status"), now)
    obj.data = fields
    begin_processing(world, obj, now)
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
    world: World,
    *,
    account: AdAccount,
    params: Mapping[str, Any],
    now: float,
    assets: Any = None,
) -> dict[str, Any]:
    """POST /act_<id>/adsets (core-flows.md §2.2, reference.md §3.2)."""
    options = execution_options_of(params, enums.CAMPAIGN_EXECUTION_OPTIONS)
    fields = decode_all(params, ADSET_PARAMS, tz_name=account.timezone_name)
    if not fields.get("name"):
        raise missing("name")
    if len(fields["name"]) > 400:
        raise v.blamed("Ad set name must be at most 400 characters", "name")
    fields["status"] = v.create_status(params["status"]) if "status" in params else "ACTIVE"
    campaign_spec = None
    if fields.get("campaign_id"):
        campaign = own_object(world, account, CAMPAIGN, fields["campaign_id"], "campaign_id")
        check_parent_live(campaign)
    elif "campaign_spec" in params:
        # reference.md §3.2: campaign_spec = {name, objective, buying_type} creates it inline.
        campaign_spec = v.json_object(params["campaign_spec"], "campaign_spec")
        spec_params = {"special_ad_categories": "[]", **campaign_spec}
        campaign_fields_ = campaign_fields(
            world, account=account, params=spec_params, creating=True
        )
        campaign = None
    else:
        raise missing("campaign_id")
    if "targeting" not in fields:
        raise missing("targeting")
    campaign_data = campaign.data if campaign else campaign_fields_
    check_adset(
        world,
        account,
        fields,
        campaign_data,
        now,
        creating=True,
        page_allowed=getattr(assets, "page_allowed", None),
    )
    config = objects_state(world).config
    check_live_limit(
        len(live_only(objects_of(world, ADSET, account_key(account)))),
        config.max_adsets_per_account,
        "ad sets",
        "an ad account",
    )
    if "validate_only" in options:
        return {"success": True}
    if campaign is None:
        campaign = store_campaign(world, account, campaign_fields_, now)
    fields = dict(fields)
    fields.pop("campaign_id", None)
    obj = new_object(world, ADSET, account, fields.pop("name"), fields.pop("status"), now)
    obj.campaign_id = campaign.id
    fields.setdefault("is_dynamic_creative", False)
    fields.setdefault("billing_event", "IMPRESSIONS")
    fields.setdefault(
        "optimization_goal", _DEFAULT_GOALS.get(campaign.data.get("objective"), "LINK_CLICKS")
    )
    fields.setdefault("start_time", now)
    fill_dsa_defaults(account, fields)
    obj.data = fields
    begin_processing(world, obj, now)
    world.put(obj, ADSET)
    return {"id": obj.id}


def check_goal_and_billing(
    objective: str | None,
    goal: str | None,
    billing: str,
    fields: Mapping[str, Any],
    *,
    creating: bool,
) -> None:
    """The optimisation goals an outcome-based objective allows (marketing-api-guide.txt
    L10746 table; enums.GOALS_BY_OBJECTIVE) and the billing events a goal allows
    (enums.BILLING_BY_GOAL). Legacy objectives have no table and are not checked. On update
    only a changed goal or billing event is checked, so objects made before stay editable."""
    if not creating and "optimization_goal" not in fields and "billing_event" not in fields:
        return
    allowed = enums.GOALS_BY_OBJECTIVE.get(objective or "")
    if allowed is not None and goal is not None and goal not in allowed:
        raise v.blamed(
            f"The optimization goal {goal} is not available for campaigns with the "
            f"objective {objective}. Choose one of: {', '.join(sorted(allowed))}.",
            "optimization_goal",
            title="Invalid Optimization Goal",
            user_msg=f"{goal} can't be used with the {objective} objective.",
        )
    billings = enums.BILLING_BY_GOAL.get(goal or "", enums.DEFAULT_BILLING)
    if billing not in billings:
        raise v.blamed(
            f"The billing event {billing} is not available with the optimization goal {goal}. "
            f"Choose one of: {', '.join(sorted(billings))}.",
            "billing_event",
            title="Invalid Billing Event",
            user_msg=f"You can't be charged per {billing} when optimizing for {goal}.",
        )


def check_promoted_object_for_goal(goal: str | None, promoted: Mapping[str, Any]) -> None:
    """reference.md §3.2 "promoted_object by objective" / §10 item 26; L5233 for VALUE."""
    needs = enums.PROMOTED_OBJECT_NEEDS.get(goal or "")
    if not needs or any(all(promoted.get(k) for k in keys) for keys in needs):
        return
    first = needs[0]
    raise v.blamed(
        f"optimization_goal {goal} requires a promoted_object with "
        + " or ".join("+".join(keys) for keys in needs),
        ["promoted_object", first[0]],
        title="Promoted Object Required",
        user_msg=f"Choose what this ad set promotes ({', '.join(first)}).",
    )


DSA_REQUIRED = (
    "This ad belongs to an ad set that must be published with beneficiary and payer information."
)


def check_eu_rules(account: AdAccount, adset: Mapping[str, Any]) -> None:
    """ad-reference.txt "Targeting DSA Regulated Locations (European Union)": set the
    payor/beneficiary first (troubleshooting 3858152, marketing-api-guide.txt L13765) unless the
    account has `default_dsa_payor`/`default_dsa_beneficiary`; "Targeting Youth in European
    Union": ad sets targeting youth there are "prevented" (ages under 18)."""
    targeting = adset.get("targeting") or {}
    age_min = targeting.get("age_min")
    if isinstance(age_min, int) and age_min < 18:
        raise v.blamed(
            "Ads can't be shown to people under 18 in the European Union, the EEA and "
            "Switzerland. Raise age_min to 18 or remove these locations.",
            ["targeting", "age_min"],
            title="Youth Targeting Not Allowed",
        )
    beneficiary = adset.get("dsa_beneficiary") or account.default_dsa_beneficiary
    payor = adset.get("dsa_payor") or account.default_dsa_payor
    if not beneficiary or not payor:
        raise v.blamed(
            DSA_REQUIRED,
            "dsa_beneficiary" if not beneficiary else "dsa_payor",
            subcode=3858152,
            title="Beneficiary And Payer Required",
            user_msg="This ad set reaches the European Union: enter who benefits from the ads "
            "(dsa_beneficiary) and who pays for them (dsa_payor).",
        )


def fill_dsa_defaults(account: AdAccount, data: dict[str, Any]) -> None:
    """ad-reference.txt: with account defaults set, an EU ad set "will be filled with saved
    default values" (we fill them on create and copy)."""
    if not refs.reaches_eu(data.get("targeting") or {}):
        return
    if not data.get("dsa_beneficiary") and account.default_dsa_beneficiary:
        data["dsa_beneficiary"] = account.default_dsa_beneficiary
    if not data.get("dsa_payor") and account.default_dsa_payor:
        data["dsa_payor"] = account.default_dsa_payor


def check_adset_dsa_for_ad(account: AdAccount, adset: AdObject) -> None:
    """ "To create or copy an ad which is in an ad set targeted in the European Union's DSA
    regulated locations, please set the payor/beneficiary information first" (ad-reference.txt)
    → 100/3858152 blaming `adset_id`, unless the account defaults fill them in."""
    data = adset.data
    targeting = data.get("targeting") or {}
    beneficiary = data.get("dsa_beneficiary") or account.default_dsa_beneficiary
    payor = data.get("dsa_payor") or account.default_dsa_payor
    if refs.reaches_eu(targeting) and not (beneficiary and payor):
        raise v.blamed(
            DSA_REQUIRED,
            "adset_id",
            subcode=3858152,
            title="Beneficiary And Payer Required",
            user_msg="Set dsa_beneficiary and dsa_payor on the ad set (it reaches the EU) "
            "before adding ads to it.",
        )


def own_object(world: World, account: AdAccount, kind: str, obj_id: Any, field: str) -> AdObject:
    obj = get_object(world, p.scalar(obj_id), kind)
    if obj is None or obj.account_id != account_key(account):
        raise not_found(kind, p.scalar(obj_id), field)
    return obj


def check_parent_live(parent: AdObject) -> None:
    if parent.status in ("ARCHIVED", "DELETED"):
        human = HUMAN_NAMES[parent.node_type]
        raise v.blamed(
            f"The {human} {parent.id} is {parent.status.lower()}; objects can't be added to it",
            f"{parent.node_type}_id" if parent.node_type != CAMPAIGN else "campaign_id",
            title=f"{human.title()} Is {parent.status.title()}",
        )


def check_adset(
    world: World,
    account: AdAccount,
    fields: dict[str, Any],
    campaign: dict[str, Any],
    now: float,
    *,
    creating: bool,
    current: AdObject | None = None,
    page_allowed: Callable[[str], bool] | None = None,
) -> None:
    """Ad set budget, schedule and bidding rules (core-flows.md §8 item 10, reference.md §10
    items 22-28). `fields` are the decoded parameters of this call; on update they are checked
    together with the stored values."""
    merged = {**(current.data if current else {}), **fields}
    daily, lifetime = merged.get("daily_budget"), merged.get("lifetime_budget")
    campaign_budget = campaign.get("daily_budget") or campaign.get("lifetime_budget")
    touched_budget = "daily_budget" in fields or "lifetime_budget" in fields
    if campaign_budget and (daily or lifetime) and (creating or touched_budget):
        raise budget_conflict("daily_budget" if daily else "lifetime_budget")
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
    minimum = minimum_daily_budget(world, account)
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
    objective = campaign.get("objective")
    goal = merged.get("optimization_goal") or _DEFAULT_GOALS.get(objective)
    billing = merged.get("billing_event") or "IMPRESSIONS"
    if billing == "APP_INSTALLS" and goal == "APP_INSTALLS":
        raise v.blamed(
            "The billing event cannot be App Install if the Optimization goal is App Install.",
            "billing_event",
            title="Invalid Billing Event",
        )
    check_goal_and_billing(objective, goal, billing, fields, creating=creating)
    promoted = merged.get("promoted_object") or {}
    goal_touched = creating or bool({"optimization_goal", "promoted_object"} & set(fields))
    if goal_touched and goal == "LEAD_GENERATION" and not promoted.get("page_id"):
        raise v.blamed(
            "optimization_goal LEAD_GENERATION requires promoted_object with page_id",
            ["promoted_object", "page_id"],
            title="Page Required",
        )
    if goal_touched:
        check_promoted_object_for_goal(goal, promoted)
    if fields.get("targeting"):
        refs.check_targeting_rules(fields["targeting"])
        refs.check_targeting_refs(world, account, fields["targeting"])
    if fields.get("promoted_object"):
        refs.check_promoted_object_refs(world, account, fields["promoted_object"], page_allowed)
    targeting = merged.get("targeting") or {}
    if refs.reaches_eu(targeting) and (
        creating or {"targeting", "dsa_beneficiary", "dsa_payor"} & set(fields)
    ):
        check_eu_rules(account, merged)
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
