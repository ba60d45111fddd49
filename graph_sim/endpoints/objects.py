"""HTTP endpoints for campaigns, ad sets, creatives, ads, their copies and previews.

The rules live in graph_sim/objects/ (service.py writes, reading.py reads, status.py the
status model, previews.py previews); this module maps Graph's paths onto them.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from graph_sim import references as refs
from graph_sim.core import (
    SimRequest,
    SimResponse,
    edge_fields,
    node_deleter,
    node_edge,
    node_reader,
    node_updater,
    paginate,
    route,
    seeder,
)
from graph_sim.endpoints.page_content import post_available
from graph_sim.errors import GraphError, invalid_parameter
from graph_sim.objects import edges, previews, reading, service, tree
from graph_sim.objects import params as p
from graph_sim.objects.common import missing, not_found
from graph_sim.objects.model import (
    AD,
    ADSET,
    CAMPAIGN,
    CREATIVE,
    KINDS,
    AdObject,
    PostProcessingFault,
    get_object,
    objects_of,
    objects_state,
)
from graph_sim.objects.seed import seed_objects
from graph_sim.objects.status import effective_status, own_phase
from graph_sim.objects.tables import AssetChecks
from graph_sim.objects.validation import json_object
from graph_sim.ratelimit import register_active_ads_counter
from graph_sim.state import AdAccount, World, get_attr

_IMAGE_EXTENSIONS = {"jpeg": "jpg", "png": "png", "gif": "gif", "bmp": "bmp"}


# --- helpers -------------------------------------------------------------------------------


def _image_url_for(req: SimRequest):
    def resolve(account_id: str, image_hash: str) -> str | None:
        image = req.world.get(f"{account_id}:{image_hash}", "adimage")
        if image is None:
            return None
        ext = _IMAGE_EXTENSIONS.get(str(get_attr(image, "format", "")), "img")
        return f"{req.base_url}/_media/images/{image_hash}.{ext}"

    return resolve


def _assets(req: SimRequest, account_id: str) -> AssetChecks:
    """What a creative of this account may use: images of the account's library (the media
    module's `adimage` objects, id `<account_id>:<hash>`), and Pages the caller may advertise
    for: Pages the user admins, or Pages of the business that owns the ad account or that the
    (system) user belongs to."""
    world = req.world

    def image_exists(image_hash: str) -> bool:
        image = world.get(f"{account_id}:{image_hash}", "adimage")
        return image is not None and get_attr(image, "status", "ACTIVE") == "ACTIVE"

    def page_allowed(page_id: str) -> bool:
        if page_id not in world.pages:
            return False
        user_id = req.user_id
        if user_id and page_id in world.user_pages.get(user_id, []):
            return True
        account = world.ad_account(account_id)
        businesses = set(world.user_businesses.get(user_id or "", []))
        user = world.users.get(user_id or "")
        if user is not None and user.business_id:
            businesses.add(user.business_id)
        if account is not None and account.business_id:
            businesses.add(account.business_id)
        return any(
            page_id in world.businesses[b].owned_pages for b in businesses if b in world.businesses
        )

    def video_exists(video_id: str) -> bool:
        video = world.get(video_id, "video")
        return (
            video is not None
            and str(get_attr(video, "account_id", "")).removeprefix("act_") == account_id
            and not get_attr(video, "deleted", False)
        )

    def ig_media(media_id: str) -> Any:
        return world.get(media_id, refs.IG_MEDIA)

    def ig_account_exists(ig_user_id: str) -> bool:
        ig = world.instagram_accounts.get(ig_user_id)
        return ig is not None and (ig.page_id is None or page_allowed(ig.page_id))

    return AssetChecks(
        image_exists=image_exists,
        page_allowed=page_allowed,
        video_exists=video_exists,
        post_exists=lambda story_id: post_available(world, story_id),
        ig_media=ig_media,
        ig_account_exists=ig_account_exists,
        lead_form=lambda form_id: world.get(form_id, refs.LEADGEN_FORM),
    )


def _context(req: SimRequest) -> dict[str, Any]:
    return {
        "now": req.now(),
        "base_url": req.base_url,
        "app_id": req.token.app_id if req.token else None,
        "image_url_for": _image_url_for(req),
    }


def _render(
    req: SimRequest, obj: AdObject, context: dict[str, Any] | None = None
) -> dict[str, Any]:
    """One object through `fields=`; its GET edges can be asked for as fields
    (`adsets{name,status}`, `ads.limit(5){creative{id}}`, nested to any depth): each runs the
    edge handler and embeds its `{"data", "paging"}` page (core/expand.py)."""
    extra = edge_fields(req, obj.node_type, obj) if req.fields else None
    return reading.render(req.world, obj, req.fields, context or _context(req), extra)


def _page(req: SimRequest, objs: list[AdObject]) -> dict[str, Any]:
    context = _context(req)
    return paginate(req, objs, render=lambda o: _render(req, o, context))


def _read_after_write(req: SimRequest, result: dict[str, Any], key: str) -> dict[str, Any]:
    """ad-reference.txt L402 / marketing-api-guide.txt L15024 "This endpoint supports
    read-after-write and will read the node represented by id in the return type": with
    `fields=` on the POST, the answer also carries those fields of the node `result[key]`
    (the new object, the copy, or the node POSTed to). Nothing is read for validate_only."""
    if not req.params.get("fields") or key not in result:
        return result
    obj = get_object(req.world, str(result[key]))
    if obj is None:
        return result
    return {**result, **_render(req, obj)}


def _account_of(req: SimRequest, obj: AdObject) -> AdAccount:
    account = req.world.ad_account(obj.account_id)
    if account is None:  # objects are only ever created inside an existing account
        raise GraphError("Unknown ad account", code=100)
    return account


def _list(req: SimRequest, kind: str, **scope: Any) -> dict[str, Any]:
    objs = edges.list_edge(req.world, kind=kind, params=req.params, context=_context(req), **scope)
    return _page(req, objs)


# --- ad account edges (core-flows.md §2.1-2.4, reference.md §3.1-3.4) -----------------------


@node_edge("adaccount", "campaigns", methods=["GET", "POST", "DELETE"])
def account_campaigns(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    if req.method == "POST":
        created = service.campaign_create(
            req.world, account=account, params=req.params, now=req.now()
        )
        return _read_after_write(req, created, "id")
    if req.method == "DELETE":
        return _bulk_delete_campaigns(req, account)
    return _list(req, CAMPAIGN, account_id=account.account_id)


@node_edge("adaccount", "adsets", methods=["GET", "POST", "DELETE"])
def account_adsets(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    if req.method == "POST":
        created = service.adset_create(
            req.world,
            account=account,
            params=req.params,
            now=req.now(),
            assets=_assets(req, account.account_id),
        )
        return _read_after_write(req, created, "id")
    if req.method == "DELETE":
        # reference.md §3.2: DELETE on this edge is "deprecated with Marketing API V8".
        raise GraphError(
            "Unsupported delete request.", code=100, subcode=33, type="GraphMethodException"
        )
    return _list(req, ADSET, account_id=account.account_id)


@node_edge("adaccount", "ads", methods=["GET", "POST"])
def account_ads(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    if req.method == "POST":
        created = service.ad_create(
            req.world,
            account=account,
            params=req.params,
            now=req.now(),
            assets=_assets(req, account.account_id),
        )
        return _read_after_write(req, created, "id")
    return _list(req, AD, account_id=account.account_id)


@node_edge("adaccount", "adcreatives", methods=["GET", "POST"])
def account_adcreatives(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    if req.method == "POST":
        created = service.creative_create(
            req.world,
            account=account,
            params=req.params,
            now=req.now(),
            assets=_assets(req, account.account_id),
        )
        return _read_after_write(req, created, "id")
    return _list(req, CREATIVE, account_id=account.account_id)


def _bulk_delete_campaigns(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    """DELETE /act_<id>/campaigns (reference.md §3.1): delete_strategy required."""
    strategy = req.params.get("delete_strategy")
    if strategy in (None, ""):
        raise missing("delete_strategy")
    strategy = p.enum(
        strategy, ("DELETE_ANY", "DELETE_OLDEST", "DELETE_ARCHIVED_BEFORE"), "delete_strategy"
    )
    candidates = [
        c for c in objects_of(req.world, CAMPAIGN, account.account_id) if c.status != "DELETED"
    ]
    if strategy == "DELETE_ARCHIVED_BEFORE":
        before = p.timestamp(req.params.get("before_date"), "before_date")
        if before is None:
            raise missing("before_date")
        candidates = [
            c
            for c in candidates
            if c.status == "ARCHIVED" and (c.status_changed_time or c.updated_time) < before
        ]
    elif strategy == "DELETE_ANY":
        candidates.reverse()  # any order will do; newest first like the edge lists them
    count = len(candidates)
    if req.params.get("object_count") not in (None, ""):
        count = min(count, p.integer(req.params["object_count"], "object_count"))
    deleted = []
    for campaign in candidates[:count]:
        service.object_delete(req.world, obj=campaign, now=req.now())
        deleted.append(campaign.id)
    return {
        "objects_left_to_delete_count": len(candidates) - len(deleted),
        "deleted_object_ids": deleted,
    }


# --- nodes ---------------------------------------------------------------------------------


def _read(req: SimRequest, obj: AdObject) -> dict[str, Any]:
    # Deleted and archived objects stay readable by id (reference.md §7.4).
    return _render(req, obj)


def _update(req: SimRequest, obj: AdObject) -> dict[str, Any]:
    # "will read the node to which you POSTed" (marketing-api-guide.txt L14353)
    result = service.object_update(
        req.world,
        obj=obj,
        account=_account_of(req, obj),
        params=req.params,
        now=req.now(),
        assets=_assets(req, obj.account_id),
    )
    if result.get("success") and req.params.get("fields"):
        return _read_after_write(req, {**result, "id": obj.id}, "id")
    return result


def _delete(req: SimRequest, obj: AdObject) -> dict[str, Any]:
    return service.object_delete(req.world, obj=obj, now=req.now())


for _kind in KINDS:
    node_reader(_kind)(_read)
    node_updater(_kind)(_update)
    node_deleter(_kind)(_delete)


@node_edge(CAMPAIGN, "adsets")
def campaign_adsets(req: SimRequest, campaign: AdObject) -> dict[str, Any]:
    return _list(req, ADSET, account_id=campaign.account_id, campaign_id=campaign.id)


@node_edge(CAMPAIGN, "ads")
def campaign_ads(req: SimRequest, campaign: AdObject) -> dict[str, Any]:
    return _list(req, AD, account_id=campaign.account_id, campaign_id=campaign.id)


@node_edge(ADSET, "ads")
def adset_ads(req: SimRequest, adset: AdObject) -> dict[str, Any]:
    return _list(req, AD, account_id=adset.account_id, adset_id=adset.id)


@node_edge(ADSET, "adcreatives")
def adset_adcreatives(req: SimRequest, adset: AdObject) -> dict[str, Any]:
    ids = {
        a.creative_id
        for a in objects_of(req.world, AD, adset.account_id)
        if a.adset_id == adset.id and a.creative_id
    }
    return _list(req, CREATIVE, account_id=adset.account_id, ids=ids)


@node_edge(AD, "adcreatives")
def ad_adcreatives(req: SimRequest, ad: AdObject) -> dict[str, Any]:
    creative = get_object(req.world, ad.creative_id, CREATIVE)
    return _page(req, [creative] if creative else [])


@node_edge(AD, "copies", methods=["POST"])
def ad_copies(req: SimRequest, ad: AdObject) -> dict[str, Any]:
    copied = service.ad_copy(
        req.world,
        ad=ad,
        account=_account_of(req, ad),
        params=req.params,
        now=req.now(),
        assets=_assets(req, ad.account_id),
    )
    # ad-reference.txt L317: "will read the node represented by copied_ad_id"
    return _read_after_write(req, copied, "copied_ad_id")


@node_edge(ADSET, "copies", methods=["POST"])
def adset_copies(req: SimRequest, adset: AdObject) -> dict[str, Any]:
    copied = service.adset_copy(
        req.world, adset=adset, account=_account_of(req, adset), params=req.params, now=req.now()
    )
    return _read_after_write(req, copied, "copied_adset_id")


@node_edge(CAMPAIGN, "copies", methods=["POST"])
def campaign_copies(req: SimRequest, campaign: AdObject) -> dict[str, Any]:
    copied = service.campaign_copy(
        req.world,
        campaign=campaign,
        account=_account_of(req, campaign),
        params=req.params,
        now=req.now(),
    )
    return _read_after_write(req, copied, "copied_campaign_id")


# --- previews (core-flows.md §2.7, reference.md §3.10, creatives-and-media.md §4) ------------


@node_edge("adaccount", "generatepreviews")
def account_generatepreviews(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    ad_format = previews.check_ad_format(req.params.get("ad_format"))
    raw = req.params.get("creative")
    if raw in (None, ""):
        raise GraphError(
            "The parameter creative is required",
            code=194,
            error_data={"blame_field_specs": [["creative"]]},
        )
    spec = json_object(raw, "creative")
    if "creative_id" in spec:
        creative = get_object(req.world, p.scalar(spec["creative_id"]), CREATIVE)
        if creative is None or creative.account_id != account.account_id:
            raise not_found(CREATIVE, spec["creative_id"], "creative")
        return _preview_of_creative(req, creative, ad_format)
    fields = service.creative_fields(spec, assets=_assets(req, account.account_id))
    previews.check_combination(fields, ad_format, has_post=bool(req.params.get("post")))
    return previews.preview_response(
        req.world,
        account_id=account.account_id,
        creative=fields,
        name=fields.get("name") or "Unsaved creative",
        ad_format=ad_format,
        params=req.params,
        now=req.now(),
        base_url=req.base_url,
    )


def _preview_of_creative(req: SimRequest, creative: AdObject, ad_format: str) -> dict[str, Any]:
    if own_phase(creative, req.now()) == "WITH_ISSUES":
        # reference.md §3.10 lists 2606 "Unable to display a preview of this ad"; a creative
        # whose post-processing failed (e.g. its post is gone) has nothing to show.
        raise GraphError("Unable to display a preview of this ad", code=2606)
    previews.check_combination(creative.data, ad_format, has_post=bool(req.params.get("post")))
    return previews.preview_response(
        req.world,
        account_id=creative.account_id,
        creative=creative.data,
        name=creative.name,
        ad_format=ad_format,
        params=req.params,
        now=req.now(),
        base_url=req.base_url,
    )


@node_edge(CREATIVE, "previews")
def creative_previews(req: SimRequest, creative: AdObject) -> dict[str, Any]:
    return _preview_of_creative(req, creative, previews.check_ad_format(req.param("ad_format")))


@node_edge(AD, "previews")
def ad_previews(req: SimRequest, ad: AdObject) -> dict[str, Any]:
    ad_format = previews.check_ad_format(req.param("ad_format"))
    creative = get_object(req.world, ad.creative_id, CREATIVE)
    if creative is None:
        raise GraphError("Unable to display a preview of this ad", code=2606)
    return _preview_of_creative(req, creative, ad_format)


@route("GET", "/_preview/<token>", auth="none", kind="preview_page")
def preview_page(req: SimRequest, token: str) -> SimResponse:
    """The page an iframe body points at; not a Graph path, so no token is needed (like
    Graph's preview iframes, which work in a browser without the caller's token)."""
    status, page = previews.preview_page(req.world, token, req.now(), _image_url_for(req))
    return SimResponse(page, status=status, content_type="text/html; charset=utf-8")


@route("GET", "/_preview/ad/<ad_id>", auth="none", kind="preview_page")
def ad_shareable_preview(req: SimRequest, ad_id: str) -> SimResponse:
    """`preview_shareable_link` of an ad: its feed preview."""
    ad = get_object(req.world, ad_id, AD)
    creative = get_object(req.world, ad.creative_id, CREATIVE) if ad else None
    if creative is None:
        return SimResponse("<p>Not found</p>", status=404, content_type="text/html")
    body = previews.preview_response(
        req.world,
        account_id=creative.account_id,
        creative=creative.data,
        name=creative.name,
        ad_format="MOBILE_FEED_STANDARD",
        params={},
        now=req.now(),
        base_url=req.base_url,
    )
    token = body["data"][0]["body"].split("/_preview/", 1)[1].split("'", 1)[0]
    status, page = previews.preview_page(req.world, token, req.now(), _image_url_for(req))
    return SimResponse(page, status=status, content_type="text/html; charset=utf-8")


# --- test control: post-processing faults and knobs ----------------------------------------


@route("POST", "/_sim/objects/post_processing_faults", auth="none", kind="sim_control")
def control_post_processing_faults(req: SimRequest) -> dict[str, Any]:
    """Make post-processing of the next `count` objects of `node_type` (campaign, adset, ad,
    adcreative) fail, so they end WITH_ISSUES with this `issues_info` entry."""
    node_type = p.enum(req.params.get("node_type"), KINDS, "node_type")
    count = p.integer(req.params.get("count", "1"), "count")
    fault = PostProcessingFault()
    for name in ("error_code",):
        if req.params.get(name):
            fault.error_code = p.integer(req.params[name], name)
    fault.error_summary = req.params.get("error_summary", fault.error_summary)
    fault.error_message = req.params.get("error_message", fault.error_message)
    fault.level = req.params.get("level") or None
    objects_state(req.world).fail_next(node_type, count, fault)
    return {"success": True, "pending": len(objects_state(req.world).pending_faults[node_type])}


@route("POST", "/_sim/objects/review_rejections", auth="none", kind="sim_control")
def control_review_rejections(req: SimRequest) -> dict[str, Any]:
    """Make the review of the next `count` ads (new, or sent back to review) end DISAPPROVED
    with `ad_review_feedback` {"global": {<reason>: <text>}}."""
    count = p.integer(req.params.get("count", "1"), "count")
    reason = req.params.get("reason", "Landing page")
    text = req.params.get(
        "text", "Your ad wasn't approved because the landing page doesn't work as expected."
    )
    pending = objects_state(req.world).pending_rejections
    pending.extend({"global": {reason: text}} for _ in range(count))
    return {"success": True, "pending": len(pending)}


@route("POST", "/_sim/objects/config", auth="none", kind="sim_control")
def control_config(req: SimRequest) -> dict[str, Any]:
    """Change ObjectsConfig knobs, e.g. `max_ads_per_adset=2`,
    `creative_in_process_status=IN-PROCESS`, `post_processing_seconds=5`."""
    config = objects_state(req.world).config
    for field in dataclasses.fields(config):
        if field.name in req.params and field.name != "min_daily_budget":
            raw = req.params[field.name]
            current = getattr(config, field.name)
            if isinstance(current, str):
                value: Any = raw
            elif isinstance(current, int):
                value = p.integer(raw, field.name)
            else:
                value = float(raw)
            setattr(config, field.name, value)
    known = {f.name for f in dataclasses.fields(config)} | {"access_token"}
    unknown = [k for k in req.params if k not in known]
    if unknown:
        raise invalid_parameter(f"Unknown objects setting(s): {', '.join(sorted(unknown))}")
    return {"success": True, "config": dataclasses.asdict(config)}


# --- hooks into the core -------------------------------------------------------------------


@seeder(order=100)
def _seed(world: World, rng) -> None:
    seed_objects(world, rng)


@register_active_ads_counter
def _active_ads(world: World, account_id: str) -> int:
    """Ads running or in review (reference.md §2.1 "ads_running_or_in_review_count" rule)."""
    now = world.clock.now()  # type: ignore[attr-defined]
    count = 0
    for ad in objects_of(world, AD, account_id):
        status = effective_status(world, ad, now)
        if status == "ACTIVE" or (
            ad.status == "ACTIVE" and status in ("PENDING_REVIEW", "IN_PROCESS")
        ):
            count += 1
    return count


def account_tree(world: World, account_id: str) -> list[dict[str, Any]]:
    """Campaigns → ad sets → ads of an ad account, all statuses (see objects/tree.py)."""
    return tree.account_tree(world, account_id)
