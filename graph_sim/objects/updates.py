"""Updating and deleting ad objects: partial updates, archive/delete rules, re-processing and
review (reference.md §7.2, core-flows.md §2.5-2.6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from graph_sim.objects import enums
from graph_sim.objects import params as p
from graph_sim.objects import validation as v
from graph_sim.objects.ads import check_conversion_domain, resolve_creative, store_creative
from graph_sim.objects.campaigns import check_adset, check_campaign
from graph_sim.objects.common import begin_processing, begin_review, execution_options_of
from graph_sim.objects.model import (
    AD,
    ADSET,
    CAMPAIGN,
    CREATIVE,
    AdObject,
    get_object,
    objects_of,
    objects_state,
    timings,
)
from graph_sim.objects.status import check_update_allowed
from graph_sim.objects.tables import (
    AD_PARAMS,
    ADSET_PARAMS,
    CAMPAIGN_PARAMS,
    AssetChecks,
    decode_all,
)

if TYPE_CHECKING:
    from graph_sim.state import AdAccount, World

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
    assets: AssetChecks | None = None,
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
    options = execution_options_of(params, allowed)
    table = {CAMPAIGN: CAMPAIGN_PARAMS, ADSET: ADSET_PARAMS, AD: AD_PARAMS}[obj.node_type]
    changes = decode_all(params, table, tz_name=account.timezone_name)
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
        check_campaign(world, account, changes, now, current=obj)
    elif obj.node_type == ADSET:
        campaign = get_object(world, obj.campaign_id, CAMPAIGN)
        check_adset(
            world,
            account,
            changes,
            campaign.data if campaign else {},
            now,
            creating=False,
            current=obj,
            page_allowed=getattr(assets, "page_allowed", None),
        )
    elif obj.node_type == AD:
        check_conversion_domain(changes)
        if "creative" in changes:
            new_creative, inline = resolve_creative(world, account, changes.pop("creative"), assets)
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
        new_creative = store_creative(world, account, new_creative, now)
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
        begin_processing(world, obj, now)
        if obj.node_type == AD and new_creative is not None:
            obj.creative_id = new_creative.id
            begin_review(world, obj)
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
    options = execution_options_of(params, enums.CREATIVE_EXECUTION_OPTIONS)
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
