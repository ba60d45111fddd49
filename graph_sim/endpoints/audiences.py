"""Custom and lookalike audiences, saved audiences, pixels and an ad account's Instagram accounts.

- `GET|POST /act_<id>/customaudiences`, `GET|POST|DELETE /<audience_id>`
  (marketing-api-guide.txt L946 "The customaudiences endpoint": `name`, `subtype=CUSTOM`;
  L1352/L3034 ENGAGEMENT rules; L14326 the subtype enum; L14337 error 2654).
- `GET|POST /act_<id>/saved_audiences`, `GET|DELETE /<saved_audience_id>` (L14247 lists the edge).
- `GET|POST /act_<id>/adspixels`, `GET /<pixel_id>` (L15275 "Ad Account Adspixels": `name`,
  `{id}`, errors 6200/6202).
- `GET /act_<id>/instagram_accounts` and `/act_<id>/connected_instagram_accounts` (L16100,
  L10862).

Everything else (field lists, lookalike rules, sizes) is DECISIONS.md "Audiences and pixels".
"""

from __future__ import annotations

import hashlib
from typing import Any

from graph_sim import references as refs
from graph_sim import targeting_catalog as cat
from graph_sim.core import (
    SimRequest,
    node_deleter,
    node_edge,
    node_reader,
    node_updater,
    paginate,
    render_fields,
    seeder,
)
from graph_sim.errors import GraphError
from graph_sim.objects import validation as v
from graph_sim.state import AdAccount, InstagramAccount, World

SUBTYPES = frozenset(
    [
        "CUSTOM",
        "PRIMARY",
        "WEBSITE",
        "APP",
        "OFFLINE_CONVERSION",
        "CLAIM",
        "MANAGED",
        "PARTNER",
        "VIDEO",
        "LOOKALIKE",
        "ENGAGEMENT",
        "BAG_OF_ACCOUNTS",
        "STUDY_RULE_AUDIENCE",
        "FOX",
        "MEASUREMENT",
        "REGULATED_CATEGORIES_AUDIENCE",
        "BIDDING",
        "EXCLUSION",
        "MESSENGER_SUBSCRIBER_LIST",
    ]
)
_NAME_MAX = 200
_LOOKALIKE_MIN_SOURCE = 100  # [EXT] Graph needs a source of at least 100 people


def _missing(name: str) -> GraphError:
    return GraphError(
        f"The parameter {name} is required",
        code=100,
        user_title="Missing Parameter",
        user_msg=f"{name} is required.",
        is_transient=False,
        error_data={"blame_field_specs": [[name]]},
    )


def _name(req: SimRequest, *, required: bool = True) -> str | None:
    name = req.param("name")
    if name in (None, ""):
        if required:
            raise _missing("name")
        return None
    if len(name) > _NAME_MAX:
        raise v.blamed(f"name must be at most {_NAME_MAX} characters", "name")
    return name


def _iso(world: World, ts: float) -> int:
    return int(ts)


# --- custom audiences --------------------------------------------------------------------------


def _status(size: int) -> dict[str, Any]:
    if size < 1000:
        return {"code": 300, "description": "This audience is too small to be used for ads."}
    return {"code": 200, "description": "This audience is ready for use."}


def audience_json(world: World, audience: dict[str, Any]) -> dict[str, Any]:
    size = refs.audience_count(audience)
    lower, upper = (size, size) if size < 1000 else refs.size_bounds(size)
    return {
        "id": audience["id"],
        "account_id": audience["account_id"],
        "name": audience["name"],
        "description": audience.get("description"),
        "subtype": audience["subtype"],
        # Graph answers -1 while an audience is below 1,000 people or still filling.
        "approximate_count_lower_bound": lower if size >= 1000 else -1,
        "approximate_count_upper_bound": upper if size >= 1000 else -1,
        "delivery_status": _status(size),
        "operation_status": {"code": 200, "description": "Normal"},
        "time_created": int(audience["time_created"]),
        "time_updated": int(audience["time_updated"]),
        "retention_days": audience.get("retention_days"),
        "rule": audience.get("rule"),
        "pixel_id": audience.get("pixel_id"),
        "customer_file_source": audience.get("customer_file_source"),
        "lookalike_spec": audience.get("lookalike_spec"),
        "lookalike_audience_ids": [
            a["id"]
            for a in world.all(refs.CUSTOM_AUDIENCE)
            if a.get("origin_audience_id") == audience["id"] and not a.get("deleted")
        ]
        or None,
        "data_source": {"type": audience.get("data_source", "UNKNOWN"), "sub_type": "NONE"},
        "is_value_based": False,
        "permission_for_actions": {"can_edit": True, "can_see_insight": "True"},
    }


def _size_for(subtype: str, name: str, prefill: bool) -> int:
    """[EXT] a stable size from the name: website and engagement audiences fill from history
    (`prefill`, default true); a CUSTOM (customer list) audience starts empty."""
    digest = int(hashlib.sha256(name.encode()).hexdigest()[:8], 16)
    if subtype == "CUSTOM":
        return 0
    if not prefill:
        return 0
    return 4_000 + digest % 180_000


def _lookalike(req: SimRequest, account: AdAccount, audience: dict[str, Any]) -> None:
    origin_id = req.param("origin_audience_id")
    if origin_id in (None, ""):
        raise _missing("origin_audience_id")
    origin = refs.custom_audience(req.world, origin_id, account.account_id)
    if origin is None:
        raise v.blamed(
            f"The source audience {origin_id} does not exist or is not in this ad account",
            "origin_audience_id",
            title="Invalid Source Audience",
        )
    spec = req.json_param("lookalike_spec", None)
    if not isinstance(spec, dict):
        raise _missing("lookalike_spec")
    country = spec.get("country")
    location = spec.get("location_spec") or {}
    countries = (
        [country] if country else list(location.get("geo_locations", {}).get("countries") or [])
    )
    if not countries or any(c not in cat.COUNTRIES for c in countries):
        raise v.blamed(
            "lookalike_spec needs a valid country (or location_spec with countries)",
            ["lookalike_spec", "country"],
            title="Invalid Lookalike Location",
        )
    ratio = spec.get("ratio", spec.get("starting_ratio"))
    if not isinstance(ratio, (int, float)) or isinstance(ratio, bool) or not 0.01 <= ratio <= 0.2:
        raise v.blamed(
            "lookalike_spec.ratio must be a number between 0.01 and 0.20",
            ["lookalike_spec", "ratio"],
            title="Invalid Lookalike Size",
        )
    if refs.audience_count(origin) < _LOOKALIKE_MIN_SOURCE:
        # marketing-api-guide.txt L14337: 2654 "Failed to create custom audience".
        raise GraphError(
            "Failed to create custom audience: the source audience must have at least "
            f"{_LOOKALIKE_MIN_SOURCE} people",
            code=2654,
            user_title="Source Audience Too Small",
            user_msg="Choose a source audience of at least 100 people.",
            is_transient=False,
            error_data={"blame_field_specs": [["origin_audience_id"]]},
        )
    audience["origin_audience_id"] = origin["id"]
    audience["lookalike_spec"] = {
        "country": countries[0],
        "ratio": ratio,
        "type": spec.get("type", "similarity"),
        "origin": [{"id": origin["id"], "name": origin["name"], "type": "custom_audience"}],
    }
    population = sum(cat.COUNTRIES[c].population for c in countries)
    audience["size"] = int(population * ratio)
    audience["data_source"] = "LOOKALIKE"


def create_custom_audience(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    name = _name(req)
    subtype = (req.param("subtype") or "CUSTOM").strip('"')
    if subtype not in SUBTYPES:
        raise v.blamed(f"subtype must be one of {{{', '.join(sorted(SUBTYPES))}}}", "subtype")
    now = req.now()
    audience: dict[str, Any] = {
        "id": req.world.new_id(15),
        "account_id": account.account_id,
        "name": name,
        "description": req.param("description"),
        "subtype": subtype,
        "time_created": now,
        "time_updated": now,
        "customer_file_source": req.param("customer_file_source"),
        "data_source": "EVENT_BASED" if subtype in ("WEBSITE", "ENGAGEMENT", "APP") else "UNKNOWN",
    }
    if req.has("retention_days"):
        days = req.int_param("retention_days")
        if days is None or not 1 <= days <= 180:
            raise v.blamed("retention_days must be between 1 and 180", "retention_days")
        audience["retention_days"] = days
    if req.has("rule"):
        audience["rule"] = req.json_param("rule")
    if req.has("pixel_id"):
        pixel_id = req.param("pixel_id")
        refs.check_promoted_object_refs(req.world, account, {"pixel_id": pixel_id})
        audience["pixel_id"] = pixel_id
    if subtype == "LOOKALIKE":
        _lookalike(req, account, audience)
    else:
        prefill = req.param("prefill", "1") not in ("0", "false")
        audience["size"] = _size_for(subtype, name or "", prefill)
    if "validate_only" in (req.param("execution_options") or ""):
        return {"success": True}
    req.world.put(audience, refs.CUSTOM_AUDIENCE)
    return {"id": audience["id"]}


@node_edge("adaccount", "customaudiences", methods=["GET", "POST"])
def account_customaudiences(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    if req.method == "POST":
        created = create_custom_audience(req, account)
        return _read_after_write(req, created, lambda a: audience_json(req.world, a))
    audiences = [
        a
        for a in reversed(req.world.all(refs.CUSTOM_AUDIENCE))
        if a["account_id"] == account.account_id and not a.get("deleted")
    ]
    return paginate(
        req, audiences, render=lambda a: render_fields(audience_json(req.world, a), req.fields, ())
    )


def _read_after_write(req: SimRequest, created: dict[str, Any], render) -> dict[str, Any]:
    """ "This endpoint supports read-after-write and will read the node represented by `id`"
    (marketing-api-guide.txt L14330)."""
    if not req.params.get("fields") or "id" not in created:
        return created
    obj = req.world.get(created["id"])
    return {**created, **render_fields(render(obj), req.fields, ())}


@node_reader(refs.CUSTOM_AUDIENCE)
def read_custom_audience(req: SimRequest, audience: dict[str, Any]) -> dict[str, Any]:
    return render_fields(audience_json(req.world, audience), req.fields, ())


@node_updater(refs.CUSTOM_AUDIENCE)
def update_custom_audience(req: SimRequest, audience: dict[str, Any]) -> dict[str, Any]:
    if audience.get("deleted"):
        raise v.blamed("This audience was deleted", "id")
    name = _name(req, required=False)
    if name:
        audience["name"] = name
    if req.has("description"):
        audience["description"] = req.param("description") or None
    audience["time_updated"] = req.now()
    return {"success": True}


@node_deleter(refs.CUSTOM_AUDIENCE)
def delete_custom_audience(req: SimRequest, audience: dict[str, Any]) -> dict[str, Any]:
    audience["deleted"] = True
    return {"success": True}


# --- saved audiences ---------------------------------------------------------------------------


def saved_audience_json(world: World, saved: dict[str, Any]) -> dict[str, Any]:
    size = refs.audience_size(world, saved["account_id"], saved["targeting"])
    lower, upper = refs.size_bounds(size)
    return {
        "id": saved["id"],
        "name": saved["name"],
        "description": saved.get("description"),
        "account": {"id": f"act_{saved['account_id']}", "account_id": saved["account_id"]},
        "targeting": saved["targeting"],
        "approximate_count_lower_bound": lower,
        "approximate_count_upper_bound": upper,
        "run_status": "ACTIVE",
        "time_created": int(saved["time_created"]),
        "time_updated": int(saved["time_updated"]),
    }


@node_edge("adaccount", "saved_audiences", methods=["GET", "POST"])
def account_saved_audiences(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    if req.method == "POST":
        # [EXT] the seeds list only the edge (L14247); Graph creates with name + targeting.
        name = _name(req)
        if req.params.get("targeting") in (None, ""):
            raise _missing("targeting")
        targeting = v.targeting(req.params["targeting"])
        refs.check_targeting_rules(targeting)
        refs.check_targeting_refs(req.world, account, targeting)
        now = req.now()
        saved = {
            "id": req.world.new_id(15),
            "account_id": account.account_id,
            "name": name,
            "description": req.param("description"),
            "targeting": targeting,
            "time_created": now,
            "time_updated": now,
        }
        req.world.put(saved, refs.SAVED_AUDIENCE)
        return _read_after_write(
            req, {"id": saved["id"]}, lambda s: saved_audience_json(req.world, s)
        )
    saved = [
        s
        for s in reversed(req.world.all(refs.SAVED_AUDIENCE))
        if s["account_id"] == account.account_id and not s.get("deleted")
    ]
    return paginate(
        req,
        saved,
        render=lambda s: render_fields(saved_audience_json(req.world, s), req.fields, ()),
    )


@node_reader(refs.SAVED_AUDIENCE)
def read_saved_audience(req: SimRequest, saved: dict[str, Any]) -> dict[str, Any]:
    return render_fields(saved_audience_json(req.world, saved), req.fields, ())


@node_deleter(refs.SAVED_AUDIENCE)
def delete_saved_audience(req: SimRequest, saved: dict[str, Any]) -> dict[str, Any]:
    saved["deleted"] = True
    return {"success": True}


# --- pixels --------------------------------------------------------------------------------


def pixel_json(world: World, pixel: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": pixel["id"],
        "name": pixel["name"],
        "code": (
            "<!-- Meta Pixel Code -->\n<script>\n!function(f,b,e,v,n,t,s){/* simulator */}"
            f"(window, document,'script');\nfbq('init', '{pixel['id']}');\n"
            "fbq('track', 'PageView');\n</script>\n<!-- End Meta Pixel Code -->"
        ),
        "creation_time": int(pixel["creation_time"]),
        "last_fired_time": int(pixel["last_fired_time"]) if pixel.get("last_fired_time") else None,
        "is_unavailable": False,
        "is_created_by_business": True,
        "owner_ad_account": {"id": f"act_{pixel['account_id']}", "account_id": pixel["account_id"]},
        "data_use_setting": "ADVERTISING_AND_ANALYTICS",
        "first_party_cookie_status": "FIRST_PARTY_COOKIE_ENABLED",
        "enable_automatic_matching": False,
    }


@node_edge("adaccount", "adspixels", methods=["GET", "POST"])
def account_adspixels(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    pixels = refs.account_pixels(req.world, account.account_id)
    if req.method == "POST":
        name = _name(req, required=False) or f"{account.name} Pixel"
        if pixels:
            # L15336 error table: 6200 "A pixel already exists for this account".
            raise GraphError(
                "A pixel already exists for this account",
                code=6200,
                user_title="Pixel Already Exists",
                user_msg="This ad account already has a pixel; use it instead.",
                is_transient=False,
            )
        pixel = {
            "id": req.world.new_id(15),
            "account_id": account.account_id,
            "name": name,
            "creation_time": req.now(),
            "last_fired_time": None,
        }
        req.world.put(pixel, refs.PIXEL)
        return _read_after_write(req, {"id": pixel["id"]}, lambda p: pixel_json(req.world, p))
    return paginate(
        req, pixels, render=lambda p: render_fields(pixel_json(req.world, p), req.fields, ())
    )


@node_reader(refs.PIXEL)
def read_pixel(req: SimRequest, pixel: dict[str, Any]) -> dict[str, Any]:
    return render_fields(pixel_json(req.world, pixel), req.fields, ())


# --- Instagram accounts of an ad account ----------------------------------------------------


def account_instagram_accounts_of(world: World, account: AdAccount) -> list[InstagramAccount]:
    """Instagram accounts connected to Pages of the business that owns the ad account (and
    of its client businesses), in seed order."""
    pages: set[str] = set()
    business = world.businesses.get(account.business_id or "")
    if business is not None:
        pages.update(business.owned_pages)
    for other in world.businesses.values():
        if account.id in other.client_ad_accounts:
            pages.update(other.owned_pages)
    return [ig for ig in world.instagram_accounts.values() if ig.page_id in pages]


def ig_json(ig: InstagramAccount) -> dict[str, Any]:
    return {
        "id": ig.id,
        "username": ig.username,
        "profile_pic": f"https://scontent.example/ig/{ig.id}.jpg",
        "has_profile_picture": True,
        "is_private": False,
        "follow_count": 180,
        "followed_by_count": 5400,
        "media_count": None,
    }


def _instagram_accounts(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    accounts = account_instagram_accounts_of(req.world, account)
    return paginate(
        req, accounts, render=lambda ig: render_fields(ig_json(ig), req.fields, ("id",))
    )


node_edge("adaccount", "instagram_accounts")(_instagram_accounts)
node_edge("adaccount", "connected_instagram_accounts")(_instagram_accounts)


# --- seed -------------------------------------------------------------------------------------


@seeder(order=300)  # after objects, media and insights, so their seeded ids do not move
def seed_audiences(world: World, rng) -> None:
    """Every ad account Dana can reach gets a pixel, three custom audiences (website visitors,
    a customer list, page engagers), a 1% lookalike of the website visitors and a saved
    audience; ids in `world.demo["pixel_ids"|"custom_audience_ids"|...]` by account."""
    now = world.clock.now()  # type: ignore[attr-defined]
    demo = world.demo
    pixels: dict[str, str] = {}
    audiences: dict[str, list[str]] = {}
    lookalikes: dict[str, str] = {}
    saved_ids: dict[str, str] = {}
    for act_id in demo.get("ad_account_ids", []):
        account = world.ad_account(act_id)
        if account is None:
            continue
        key = account.account_id
        pixel = {
            "id": world.new_id(15),
            "account_id": key,
            "name": f"{account.name} Pixel",
            "creation_time": now - 400 * 86400,
            "last_fired_time": now - 3600,
        }
        world.put(pixel, refs.PIXEL)
        pixels[act_id] = pixel["id"]
        made = []
        for name, subtype, size, extra in (
            (
                "Website visitors 30d",
                "WEBSITE",
                48_000 + rng.randint(0, 9_000),
                {
                    "pixel_id": pixel["id"],
                    "retention_days": 30,
                    "rule": {
                        "inclusions": {
                            "operator": "or",
                            "rules": [
                                {
                                    "event_sources": [{"id": pixel["id"], "type": "pixel"}],
                                    "retention_seconds": 2592000,
                                    "filter": {
                                        "operator": "and",
                                        "filters": [
                                            {"field": "url", "operator": "i_contains", "value": ""}
                                        ],
                                    },
                                }
                            ],
                        }
                    },
                },
            ),
            (
                "Customer list",
                "CUSTOM",
                12_000 + rng.randint(0, 3_000),
                {"customer_file_source": "USER_PROVIDED_ONLY"},
            ),
            (
                "Page engagers 365d",
                "ENGAGEMENT",
                26_000 + rng.randint(0, 6_000),
                {"retention_days": 365},
            ),
            ("Newsletter (small)", "CUSTOM", 60, {"customer_file_source": "USER_PROVIDED_ONLY"}),
        ):
            audience = {
                "id": world.new_id(15),
                "account_id": key,
                "name": name,
                "description": None,
                "subtype": subtype,
                "time_created": now - 200 * 86400,
                "time_updated": now - 2 * 86400,
                "size": size,
                "data_source": "EVENT_BASED" if subtype != "CUSTOM" else "FILE_IMPORTED",
                **extra,
            }
            world.put(audience, refs.CUSTOM_AUDIENCE)
            made.append(audience["id"])
        country = (
            "US"
            if account.currency == "USD"
            else {"EUR": "DE", "GBP": "GB", "JPY": "JP"}.get(account.currency, "US")
        )
        lookalike = {
            "id": world.new_id(15),
            "account_id": key,
            "name": f"Lookalike ({country}, 1%) - Website visitors 30d",
            "description": None,
            "subtype": "LOOKALIKE",
            "time_created": now - 150 * 86400,
            "time_updated": now - 150 * 86400,
            "origin_audience_id": made[0],
            "lookalike_spec": {
                "country": country,
                "ratio": 0.01,
                "type": "similarity",
                "origin": [
                    {"id": made[0], "name": "Website visitors 30d", "type": "custom_audience"}
                ],
            },
            "size": int(cat.COUNTRIES[country].population * 0.01),
            "data_source": "LOOKALIKE",
        }
        world.put(lookalike, refs.CUSTOM_AUDIENCE)
        audiences[act_id] = made
        lookalikes[act_id] = lookalike["id"]
        saved = {
            "id": world.new_id(15),
            "account_id": key,
            "name": "Coffee lovers 25-45",
            "description": "Saved in Ads Manager",
            "targeting": {
                "geo_locations": {"countries": [country]},
                "age_min": 25,
                "age_max": 45,
                "flexible_spec": [{"interests": [{"id": "6003107902433", "name": "Coffee"}]}],
            },
            "time_created": now - 90 * 86400,
            "time_updated": now - 90 * 86400,
        }
        world.put(saved, refs.SAVED_AUDIENCE)
        saved_ids[act_id] = saved["id"]
    _link_seeded_adsets(world, pixels)
    demo["pixel_ids"] = pixels
    demo["custom_audience_ids"] = audiences
    demo["lookalike_audience_ids"] = lookalikes
    demo["saved_audience_ids"] = saved_ids


def _link_seeded_adsets(world: World, pixels: dict[str, str]) -> None:
    """Make the objects module's seeded ad sets pass today's rules: conversion ad sets promote
    their account's pixel (reference.md §3.2 "promoted_object by objective"), and ad sets
    reaching the EU carry DSA beneficiary and payor (ad-reference.txt "Targeting DSA Regulated
    Locations")."""
    from graph_sim.objects.model import ADSET, CAMPAIGN, get_object

    for adset in world.all(ADSET):
        account = world.ad_account(adset.account_id)
        campaign = get_object(world, adset.campaign_id, CAMPAIGN)
        if account is None or campaign is None:
            continue
        goal = adset.data.get("optimization_goal")
        pixel = pixels.get(account.id)
        if (
            goal in ("OFFSITE_CONVERSIONS", "VALUE")
            and pixel
            and not adset.data.get("promoted_object")
        ):
            adset.data["promoted_object"] = {"pixel_id": pixel, "custom_event_type": "PURCHASE"}
        if refs.reaches_eu(adset.data.get("targeting") or {}):
            adset.data.setdefault("dsa_beneficiary", account.name)
            adset.data.setdefault("dsa_payor", account.name)


# --- other pickers on the ad account ------------------------------------------------------------


@node_edge("adaccount", "minimum_budgets")
def account_minimum_budgets(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    """marketing-api-guide.txt L14244 `minimum_budgets` "Returns minimum daily budget values by
    currency" [EXT shape]: one row per currency, in that currency's basic unit; the account's own
    currency uses the minimum the ad set rules enforce (objects/common.minimum_daily_budget)."""
    from graph_sim.currency import PER_USD, minor_per_major
    from graph_sim.objects.common import minimum_daily_budget

    usd_minimum = 100  # "$1.00 per day" (core-flows.md §7.3)
    rows = []
    for currency in sorted(PER_USD):
        if currency == account.currency:
            amount = minimum_daily_budget(req.world, account)
        else:
            major = usd_minimum / 100 * PER_USD[currency]
            amount = max(1, round(major * minor_per_major(currency)))
        rows.append(
            {
                "currency": currency,
                "min_daily_budget_imp": amount,
                "min_daily_budget_high_freq": amount * 5,
                "min_daily_budget_low_freq": amount * 40,
                "min_daily_budget_video_views": amount,
            }
        )
    return paginate(req, rows, render=lambda r: render_fields(r, req.fields, tuple(r)))


@node_edge("adaccount", "promote_pages")
def account_promote_pages(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    """L14245 "All pages that have been promoted under the ad account" [EXT: the Pages the
    account's business owns, which is what the demo's ads promote]."""
    from graph_sim.endpoints.accounts import page_json

    business = req.world.businesses.get(account.business_id or "")
    pages = [req.world.pages[p] for p in (business.owned_pages if business else [])]
    return paginate(
        req, pages, render=lambda p: render_fields(page_json(p), req.fields, ("id", "name"))
    )


@node_edge("adaccount", "advertisable_applications")
def account_advertisable_applications(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    """reference.md §2.3 edge `advertisable_applications` [Application]: the simulator's apps
    (an app promoted with `promoted_object.application_id` must be one of them)."""
    apps = [
        {"id": app.id, "name": app.name, "object_store_urls": {"itunes": None, "google_play": None}}
        for app in req.world.apps.values()
    ]
    return paginate(req, apps, render=lambda a: render_fields(a, req.fields, ("id", "name")))
