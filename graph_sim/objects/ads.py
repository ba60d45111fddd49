"""Creating creatives and ads (core-flows.md §2.3-2.4, creatives-and-media.md §2,
ad-reference.txt)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from graph_sim.objects import enums
from graph_sim.objects import params as p
from graph_sim.objects import validation as v
from graph_sim.objects.campaigns import (
    adset_create,
    check_adset_dsa_for_ad,
    check_parent_live,
    own_object,
)
from graph_sim.objects.common import (
    account_key,
    begin_processing,
    begin_review,
    check_live_limit,
    execution_options_of,
    missing,
    new_object,
    not_found,
)
from graph_sim.objects.model import (
    AD,
    ADSET,
    CAMPAIGN,
    CREATIVE,
    AdObject,
    get_object,
    objects_of,
    objects_state,
)
from graph_sim.objects.tables import AD_PARAMS, CREATIVE_PARAMS, AssetChecks, decode_all

if TYPE_CHECKING:
    from graph_sim.state import AdAccount, World

# --- creatives -----------------------------------------------------------------------------


def creative_create(
    world: World,
    *,
    account: AdAccount,
    params: Mapping[str, Any],
    now: float,
    assets: AssetChecks | None = None,
) -> dict[str, Any]:
    """POST /act_<id>/adcreatives (core-flows.md §2.3, creatives-and-media.md §2)."""
    options = execution_options_of(params, enums.CREATIVE_EXECUTION_OPTIONS)
    fields = creative_fields(params, assets=assets)
    story_id = fields.get("object_story_id")
    if story_id:
        # reference.md §3.4: an object_story_id already in use returns the existing creative.
        for existing in objects_of(world, CREATIVE, account_key(account)):
            if existing.data.get("object_story_id") == story_id and existing.status != "DELETED":
                return {"success": True} if "validate_only" in options else {"id": existing.id}
    if "validate_only" in options:
        return {"success": True}
    return {"id": store_creative(world, account, fields, now).id}


def creative_fields(
    params: Mapping[str, Any], *, assets: AssetChecks | None = None
) -> dict[str, Any]:
    fields = decode_all(params, CREATIVE_PARAMS, assets)
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
        raise missing("object_story_spec")
    if (
        fields.get("image_hash")
        and assets is not None
        and assets.image_exists is not None
        and not assets.image_exists(fields["image_hash"])
    ):
        raise v.blamed(
            f"Image with hash {fields['image_hash']} could not be found in this ad account",
            "image_hash",
            title="Image Not Found",
        )
    if "call_to_action" in fields:
        v.call_to_action(fields["call_to_action"], ["call_to_action"])
    if fields.get("object_story_id"):
        v.check_page(fields["object_story_id"].split("_", 1)[0], assets, ["object_story_id"])
        post_exists = getattr(assets, "post_exists", None)
        if post_exists is not None and not post_exists(fields["object_story_id"]):
            # marketing-api-guide.txt L13740: 1885557 "Your ad is promoting an unavailable
            # post." (sent as a subcode of 100, DECISIONS.md "Missing parameters").
            raise v.blamed(
                "Your ad is promoting an unavailable post. It is either deleted, unpublished, "
                "not owned by the ad's page or you do not have permissions to see or promote it.",
                "object_story_id",
                subcode=1885557,
                title="Post Unavailable",
            )
    check_instagram(fields, assets, actor_id=params.get("instagram_actor_id"))
    check_lead_form(fields, assets)
    return fields


def check_lead_form(fields: Mapping[str, Any], assets: AssetChecks | None) -> None:
    """A lead ad's `call_to_action.value.lead_gen_form_id` must be an active form of the
    creative's Page (DECISIONS.md "Page posts, Instagram media and lead forms")."""
    find = getattr(assets, "lead_form", None)
    if find is None:
        return
    spec = fields.get("object_story_spec") or {}
    places: list[tuple[list[str], Any]] = [(["call_to_action"], fields.get("call_to_action"))]
    for key in ("link_data", "video_data"):
        content = spec.get(key)
        if isinstance(content, dict):
            places.append(
                (["object_story_spec", key, "call_to_action"], content.get("call_to_action"))
            )
    for path, cta in places:
        value = cta.get("value") if isinstance(cta, dict) else None
        form_id = value.get("lead_gen_form_id") if isinstance(value, dict) else None
        if form_id in (None, ""):
            continue
        form = find(str(form_id))
        page_id = spec.get("page_id") or fields.get("object_id")
        if (
            form is None
            or form.get("status", "ACTIVE") != "ACTIVE"
            or (page_id and str(form.get("page_id")) != str(page_id))
        ):
            raise v.blamed(
                f"The lead form {form_id} does not exist, is not active, or does not belong to "
                "the ad's Page",
                [*path, "value", "lead_gen_form_id"],
                title="Lead Form Not Available",
            )


def check_instagram(
    fields: Mapping[str, Any], assets: AssetChecks | None, *, actor_id: Any = None
) -> None:
    """Instagram identity and boosted media (marketing-api-guide.txt L10862-L10880)."""
    spec = fields.get("object_story_spec") or {}
    if fields.get("instagram_user_id") and actor_id:
        # L13743: 2238055 "You can not pass both instagram_user_id and instagram_actor_id".
        raise v.blamed(
            "You can not pass both instagram_user_id and instagram_actor_id or "
            "instagram_story_id and source_instagram_media_id in creative spec",
            "instagram_actor_id",
            subcode=2238055,
            title="Conflicting Instagram Fields",
        )
    ig_exists = getattr(assets, "ig_account_exists", None)
    for path, value in (
        (["instagram_user_id"], fields.get("instagram_user_id")),
        (["object_story_spec", "instagram_user_id"], spec.get("instagram_user_id")),
    ):
        if value and ig_exists is not None and not ig_exists(str(value)):
            raise v.blamed(
                f"Instagram account {value} does not exist or is not connected to a Page you "
                "can advertise for",
                path,
                title="Instagram Account Not Available",
            )
    media_id = fields.get("source_instagram_media_id")
    find = getattr(assets, "ig_media", None)
    if not media_id or find is None:
        return
    media = find(str(media_id))
    owner = fields.get("instagram_user_id")
    reason = None
    if media is None or (owner and str(media.get("ig_user_id")) != str(owner)):
        reason = "It could be deleted or you might not have permissions to see it."
    elif not media.get("eligible", True):
        reason = media.get("ineligible_reason") or "It is not eligible to be boosted."
    if reason:
        # L13747: 2446289 "The {post_type} you selected for your ad is not available."
        raise v.blamed(
            f"The media you selected for your ad is not available. {reason}",
            "source_instagram_media_id",
            subcode=2446289,
            title="Media Not Available",
        )


def store_creative(world: World, account: AdAccount, fields: dict[str, Any], now: float):
    fields = dict(fields)
    name = fields.pop("name", None) or f"Creative {p.iso(now)[:10]}"
    obj = new_object(world, CREATIVE, account, name, "ACTIVE", now)
    spec = fields.get("object_story_spec")
    if spec and "object_story_id" not in fields:
        # Graph turns an object_story_spec into an unpublished Page post.
        fields["effective_object_story_id"] = f"{spec['page_id']}_{world.new_id(15)}"
    elif fields.get("object_story_id"):
        fields["effective_object_story_id"] = fields["object_story_id"]
    fields.setdefault("contextual_multi_ads", {"enroll_status": "OPT_IN"})
    obj.data = fields
    begin_processing(world, obj, now)
    world.put(obj, CREATIVE)
    return obj


# --- ads -----------------------------------------------------------------------------------


def ad_create(
    world: World,
    *,
    account: AdAccount,
    params: Mapping[str, Any],
    now: float,
    assets: AssetChecks | None = None,
) -> dict[str, Any]:
    """POST /act_<id>/ads (core-flows.md §2.4, ad-reference.txt)."""
    options = execution_options_of(params, enums.AD_EXECUTION_OPTIONS)
    if "bid_amount" in params:
        raise v.blamed(
            "bid_amount is deprecated on ads: set bid_amount on the ad set",
            "bid_amount",
            title="Bid Amount Not Allowed",
        )
    fields = decode_all(params, AD_PARAMS, tz_name=account.timezone_name)
    if not fields.get("name"):
        raise missing("name", code=194)
    if "creative" not in params:
        raise missing("creative", code=194)
    fields["status"] = v.create_status(params["status"]) if "status" in params else "ACTIVE"
    check_conversion_domain(fields)
    adset_spec = None
    if fields.get("adset_id"):
        adset = own_object(world, account, ADSET, fields["adset_id"], "adset_id")
        check_parent_live(adset)
        campaign = get_object(world, adset.campaign_id, CAMPAIGN)
        if campaign is not None:
            check_parent_live(campaign)
        check_adset_dsa_for_ad(account, adset)
    elif "adset_spec" in params:
        adset_spec = v.json_object(params["adset_spec"], "adset_spec")
        adset = None
    else:
        raise missing("adset_id", code=194)
    creative, inline = resolve_creative(world, account, params["creative"], assets)
    config = objects_state(world).config
    account_ads = objects_of(world, AD, account_key(account))
    if adset is not None:
        in_adset = [a for a in account_ads if a.adset_id == adset.id and a.status != "DELETED"]
        check_live_limit(len(in_adset), config.max_ads_per_adset, "ads", "an ad set")
    check_live_limit(
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
        creative = store_creative(world, account, inline, now)
    fields = dict(fields)
    fields.pop("adset_id", None)
    obj = new_object(world, AD, account, fields.pop("name"), fields.pop("status"), now)
    obj.adset_id = adset.id
    obj.campaign_id = adset.campaign_id
    obj.creative_id = creative.id
    obj.data = fields
    begin_processing(world, obj, now)
    begin_review(world, obj)
    world.put(obj, AD)
    return {"id": obj.id}


def check_conversion_domain(fields: dict[str, Any]) -> None:
    domain = fields.get("conversion_domain")
    if domain is not None and ("/" in domain or ":" in domain or "." not in domain):
        # ad-reference.txt: "only the first and second level domains, and not the full URL"
        raise v.blamed(
            "conversion_domain must be a domain such as example.com, not a URL",
            "conversion_domain",
            title="Invalid Conversion Domain",
        )


def resolve_creative(
    world: World, account: AdAccount, raw: Any, assets: AssetChecks | None
) -> tuple[AdObject | None, dict[str, Any] | None]:
    """`creative={"creative_id": <id>}` → the stored creative; an inline spec
    (`{"creative": {...}}` per the reference, or the spec itself per the guides) → its
    validated fields, stored only if the whole call succeeds."""
    spec = v.json_object(raw, "creative")
    if "creative_id" in spec:
        creative = get_object(world, p.scalar(spec["creative_id"]), CREATIVE)
        if creative is None or creative.account_id != account_key(account):
            raise not_found(CREATIVE, spec["creative_id"], "creative")
        if creative.status == "DELETED":
            raise v.blamed(
                f"The ad creative {creative.id} has been deleted",
                "creative",
                title="Creative Deleted",
            )
        return creative, None
    inner = spec.get("creative") if isinstance(spec.get("creative"), dict) else spec
    if not inner:
        raise missing("creative", code=194)
    return None, creative_fields(inner, assets=assets)
