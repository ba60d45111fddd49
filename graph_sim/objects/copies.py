"""Copying ads, ad sets and campaigns: POST /<id>/copies (ad-reference.txt; the guide's campaign
copy example)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from graph_sim.errors import invalid_parameter
from graph_sim.objects import enums
from graph_sim.objects import params as p
from graph_sim.objects import validation as v
from graph_sim.objects.ads import creative_fields, store_creative
from graph_sim.objects.campaigns import (
    check_adset_dsa_for_ad,
    check_parent_live,
    fill_dsa_defaults,
    own_object,
)
from graph_sim.objects.common import (
    begin_processing,
    begin_review,
    check_live_limit,
    live_only,
    new_object,
    not_found,
)
from graph_sim.objects.model import (
    AD,
    ADSET,
    CAMPAIGN,
    CREATIVE,
    HUMAN_NAMES,
    AdObject,
    get_object,
    objects_of,
    objects_state,
)
from graph_sim.objects.tables import AssetChecks

if TYPE_CHECKING:
    from graph_sim.state import AdAccount, World

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
    obj = new_object(world, source.node_type, account, name, status, now)
    obj.data = {k: v_ for k, v_ in source.data.items()}
    obj.campaign_id, obj.adset_id, obj.creative_id = (
        source.campaign_id,
        source.adset_id,
        source.creative_id,
    )
    begin_processing(world, obj, now)
    if obj.node_type == AD:
        begin_review(world, obj)
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
    assets: AssetChecks | None = None,
) -> dict[str, Any]:
    """POST /<ad_id>/copies → {"copied_ad_id"} (ad-reference.txt)."""
    _check_copyable(ad)
    rename, status_option = _copy_options(params)
    adset = get_object(world, ad.adset_id, ADSET)
    if params.get("adset_id"):
        adset = own_object(world, account, ADSET, params["adset_id"], "adset_id")
    if adset is None:
        raise not_found(ADSET, ad.adset_id, "adset_id")
    check_parent_live(adset)
    check_adset_dsa_for_ad(account, adset)
    config = objects_state(world).config
    in_adset = [
        a
        for a in objects_of(world, AD, ad.account_id)
        if a.adset_id == adset.id and a.status != "DELETED"
    ]
    check_live_limit(len(in_adset), config.max_ads_per_adset, "ads", "an ad set")
    new_creative = None
    if params.get("creative_parameters"):
        # "Overwrites happen at the top level": the source creative's inputs plus these.
        overrides = v.json_object(params["creative_parameters"], "creative_parameters")
        source_creative = get_object(world, ad.creative_id, CREATIVE)
        base = {"name": source_creative.name, **source_creative.data} if source_creative else {}
        base.pop("effective_object_story_id", None)
        if "object_story_spec" in overrides:
            base.pop("object_story_id", None)
        new_creative = creative_fields({**base, **overrides}, assets=assets)
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
        copy.creative_id = store_creative(world, account, new_creative, now).id
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
        campaign = own_object(world, account, CAMPAIGN, params["campaign_id"], "campaign_id")
    check_parent_live(campaign)
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
    # ad-reference.txt: "during the copying process, even if the original ad set does not set
    # payor or beneficiary, it will be filled with saved default values".
    fill_dsa_defaults(account, copy.data)
    ids.append({"ad_object_type": "ad_set", "source_id": adset.id, "copied_id": copy.id})
    if deep:
        for ad in live_only(objects_of(world, AD, adset.account_id)):
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
        for adset in live_only(objects_of(world, ADSET, campaign.account_id)):
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
