"""The status model: effective_status derived lazily from the clock and the parents, and the
archive/delete transition rules (reference.md §7, core-flows.md §2.5-2.6, post-processing.txt)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph_sim.errors import GraphError
from graph_sim.objects.model import AD, ADSET, CAMPAIGN, CREATIVE, AdObject, get_object

if TYPE_CHECKING:
    from graph_sim.state import World

LIVE = "LIVE"
ISSUE_LEVELS = {CAMPAIGN: "CAMPAIGN", ADSET: "AD_SET", AD: "AD", CREATIVE: "CREATIVE"}


def own_phase(obj: AdObject, now: float) -> str | None:
    """IN_PROCESS while post-processing runs, WITH_ISSUES after a failed one, PENDING_REVIEW
    while an ad is in review, DISAPPROVED after a rejected review, else None (the configured
    status shows)."""
    if now < obj.processing_until:
        return "IN_PROCESS"
    if obj.issues_info:
        return "WITH_ISSUES"
    if obj.node_type == AD and now < obj.review_until:
        return "PENDING_REVIEW"
    if obj.node_type == AD and obj.review_feedback:
        return "DISAPPROVED"
    return None


def effective_status(world: World, obj: AdObject, now: float) -> str:
    """effective_status of a campaign, ad set or ad (creatives report on `status` instead).

    Order of precedence, from the status guide (reference.md §7.5):
    - the object's own ARCHIVED/DELETED;
    - a parent's DELETED, ARCHIVED or WITH_ISSUES, which "all objects below it inherit";
    - the object's own post-processing (IN_PROCESS / WITH_ISSUES) and, for ads, review, then
      a failed post-processing of the ad's creative (WITH_ISSUES);
    - its own PAUSED; a paused parent turns an ACTIVE child into CAMPAIGN_PAUSED/ADSET_PAUSED.
    Nothing propagates upwards.
    """
    if obj.status in ("DELETED", "ARCHIVED"):
        return obj.status
    parents = _parents(world, obj)
    for parent in parents:
        if parent.status in ("DELETED", "ARCHIVED"):
            return parent.status
        if own_phase(parent, now) == "WITH_ISSUES":
            return "WITH_ISSUES"
    phase = own_phase(obj, now)
    if phase:
        return phase
    if obj.node_type == AD and creative_issues(world, obj, now):
        return "WITH_ISSUES"
    if obj.status == "PAUSED":
        return "PAUSED"
    for parent in parents:
        if parent.status == "PAUSED":
            return "CAMPAIGN_PAUSED" if parent.node_type == CAMPAIGN else "ADSET_PAUSED"
    return obj.status


def creative_issues(world: World, ad: AdObject, now: float) -> list[dict[str, Any]] | None:
    """The issues of an ad's creative once its post-processing failed: the ad shows them too
    (post-processing.txt's `issues_info` entries carry a `level`, here CREATIVE)."""
    creative = get_object(world, ad.creative_id, CREATIVE) if ad.creative_id else None
    if creative is None or own_phase(creative, now) != "WITH_ISSUES":
        return None
    return creative.issues_info


def creative_status(obj: AdObject, now: float, in_process_literal: str) -> str:
    """A creative's `status`: post-processing shows here (post-processing.txt)."""
    if obj.status == "DELETED":
        return "DELETED"
    phase = own_phase(obj, now)
    if phase == "IN_PROCESS":
        return in_process_literal
    return phase or obj.status


def _parents(world: World, obj: AdObject) -> list[AdObject]:
    """Campaign first, then ad set: a paused campaign reads CAMPAIGN_PAUSED on its ads."""
    out = []
    if obj.node_type in (ADSET, AD) and obj.campaign_id:
        campaign = get_object(world, obj.campaign_id, CAMPAIGN)
        if campaign:
            out.append(campaign)
    if obj.node_type == AD and obj.adset_id:
        adset = get_object(world, obj.adset_id, ADSET)
        if adset:
            out.append(adset)
    return out


# --- transitions -------------------------------------------------------------------------

# reference.md §8.2: the codes Graph gives for edits of deleted/archived objects.
_DELETED_SUBCODES = {CAMPAIGN: 1487566, ADSET: 1487056}
_ARCHIVED_SUBCODES = {AD: 1885088}


def check_update_allowed(obj: AdObject, changes: dict[str, Any]) -> None:
    """Archived objects accept only `name` and `status=DELETED`; deleted ones only `name`
    (reference.md §7.2, core-flows.md §2.6)."""
    human = {CAMPAIGN: "campaign", ADSET: "ad set", AD: "ad"}.get(obj.node_type, "object")
    other = sorted(k for k in changes if k not in ("name", "status"))
    new_status = changes.get("status")
    if obj.status == "DELETED":
        if other or (new_status is not None and new_status != "DELETED"):
            raise GraphError(
                f"This {human} has been deleted, so only the name can be edited",
                code=100,
                subcode=_DELETED_SUBCODES.get(obj.node_type),
                user_title=f"Deleted {human.title()} Can't Be Edited",
                user_msg=f"This {human} has been deleted. Only its name can be changed.",
                is_transient=False,
                error_data={"blame_field_specs": [[f] for f in (other or ["status"])]},
            )
    elif obj.status == "ARCHIVED" and (
        other or (new_status is not None and new_status not in ("ARCHIVED", "DELETED"))
    ):
        raise GraphError(
            f"This {human} has been archived and can not be edited. Only name is allowed "
            "to be edited",
            code=100,
            subcode=_ARCHIVED_SUBCODES.get(obj.node_type),
            user_title=f"Archived {human.title()} Can't Be Edited",
            user_msg=(
                f"This {human} has been archived. You can change its name or delete it; "
                "to run it again, duplicate it."
            ),
            is_transient=False,
            error_data={"blame_field_specs": [[f] for f in (other or ["status"])]},
        )
