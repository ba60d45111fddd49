"""Targeting search and browse, reach and delivery estimates.

`GET /search?type=adgeolocation|adinterest|adinterestsuggestion|adinterestvalid|
adTargetingCategory`, `GET /act_<id>/targetingsearch|targetingbrowse`, `GET
/act_<id>/reachestimate`, `GET /act_<id>/delivery_estimate`. The seeds list the ad account
edges (marketing-api-guide.txt L14237-L14250: reachestimate, delivery_estimate,
targetingbrowse, targetingsearch...) and batch a reachestimate call with `targeting_spec`
(async-and-batch-requests.txt L170); the shapes are Graph's as its SDK reads them
(DECISIONS.md "Targeting search and browse", "Reach and delivery estimates").
"""

from __future__ import annotations

import math
from typing import Any

from graph_sim import references as refs
from graph_sim import targeting_catalog as cat
from graph_sim.core import SimRequest, node_edge, paginate, render_fields, route
from graph_sim.errors import GraphError
from graph_sim.objects import enums
from graph_sim.objects import validation as v
from graph_sim.state import AdAccount

SEARCH_TYPES = (
    "adgeolocation",
    "adinterest",
    "adinterestsuggestion",
    "adinterestvalid",
    "adTargetingCategory",
)
_LOCATION_TYPES = ("country", "region", "city")


def _missing(name: str) -> GraphError:
    return GraphError(
        f"The parameter {name} is required",
        code=100,
        user_title="Missing Parameter",
        user_msg=f"{name} is required.",
        is_transient=False,
        error_data={"blame_field_specs": [[name]]},
    )


def _render(req: SimRequest, items: list[dict[str, Any]], default: tuple[str, ...]):
    """Search answers are plain lists (`{"data": [...]}` plus paging when `limit` cuts)."""

    def one(item: dict[str, Any]) -> dict[str, Any]:
        if req.fields is None:
            return item
        body = render_fields(item, req.fields, default)
        if "id" not in item:
            body.pop("id", None)
        return body

    return paginate(req, items, render=one, default_limit=25, max_limit=1000)


def _locations(req: SimRequest) -> dict[str, Any]:
    q = req.param("q", "") or ""
    raw = req.params.get("location_types")
    types = req.list_param("location_types") if raw not in (None, "") else list(_LOCATION_TYPES)
    types = [str(t).strip().strip("'\"") for t in types]
    bad = [
        t for t in types if t not in (*_LOCATION_TYPES, "zip", "geo_market", "electoral_district")
    ]
    if bad:
        raise GraphError(
            f"Param location_types[0] must be one of {{country, region, city, zip, "
            f"geo_market, electoral_district}} - got {bad[0]}",
            code=100,
        )
    places = cat.search_places(q, types, req.param("country_code"), limit=1000)
    if not q and "country" not in types and not req.param("country_code"):
        raise _missing("q")
    return _render(req, [p.json() for p in places], ("key", "name", "type"))


def _interests(req: SimRequest) -> dict[str, Any]:
    q = req.param("q")
    if q in (None, ""):
        raise _missing("q")
    hits = cat.search_categories(q, {"interests"})
    return _render(req, [c.json() for c in hits], ("id", "name"))


def _interest_names(req: SimRequest) -> list[str]:
    raw = req.params.get("interest_list")
    if raw in (None, ""):
        raise _missing("interest_list")
    return [str(x) for x in req.list_param("interest_list")]


def _suggestions(req: SimRequest) -> dict[str, Any]:
    names = _interest_names(req)
    given = [c for c in (cat.category_by_name(n) for n in names) if c is not None]
    topics = {c.topic for c in given}
    taken = {c.id for c in given}
    related = [
        c
        for c in cat.search_categories("", {"interests"})
        if c.topic in topics and c.id not in taken
    ]
    return _render(req, [c.json() for c in related], ("id", "name"))


def _valid(req: SimRequest) -> dict[str, Any]:
    if req.params.get("interest_fbid_list") not in (None, ""):
        ids = [str(x) for x in req.list_param("interest_fbid_list")]
        out = []
        for cid in ids:
            found = cat.CATEGORIES.get(cid)
            if found is not None and found.type == "interests":
                out.append({**found.json(), "valid": True})
            else:
                out.append({"id": cid, "valid": False})
        return _render(req, out, ("id", "name", "valid"))
    out = []
    for name in _interest_names(req):
        found = cat.category_by_name(name)
        if found is not None and found.type == "interests":
            out.append({**found.json(), "valid": True})
        else:
            out.append({"name": name, "valid": False})
    return _render(req, out, ("id", "name", "valid"))


def _browse(req: SimRequest, default_class: str | None = None) -> dict[str, Any]:
    klass = req.param("class") or default_class
    if klass in (None, ""):
        kinds: set[str] = set(cat.CATEGORY_KEYS)
    elif klass == "demographics":
        kinds = set(cat.DEMOGRAPHIC_TYPES)
    elif klass in cat.BROWSE_CLASSES:
        kinds = {klass}
    else:
        raise GraphError(
            f"Param class must be one of {{{', '.join(sorted(cat.BROWSE_CLASSES))}}}",
            code=100,
        )
    hits = cat.search_categories(req.param("q", "") or "", kinds)
    return _render(req, [c.json() for c in hits], ("id", "name", "type", "path"))


@route("GET", "/search", kind="targeting_search")
def search(req: SimRequest) -> dict[str, Any]:
    kind = req.param("type")
    if kind in (None, ""):
        raise _missing("type")
    handlers = {
        "adgeolocation": _locations,
        "adinterest": _interests,
        "adinterestsuggestion": _suggestions,
        "adinterestvalid": _valid,
        "adtargetingcategory": _browse,
    }
    handler = handlers.get(kind.lower())
    if handler is None:
        raise GraphError(
            f"Param type must be one of {{{', '.join(SEARCH_TYPES)}}} - got {kind}",
            code=100,
        )
    return handler(req)


@node_edge("adaccount", "targetingsearch")
def account_targetingsearch(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    """Unified search over detailed targeting (interests, behaviours, demographics)."""
    q = req.param("q")
    if q in (None, ""):
        raise _missing("q")
    hits = cat.search_categories(q, set(cat.CATEGORY_KEYS))
    return _render(req, [c.json() for c in hits], ("id", "name", "type", "path"))


@node_edge("adaccount", "targetingbrowse")
def account_targetingbrowse(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    """Unified browse: the whole detailed-targeting tree (optionally one `class`)."""
    return _browse(req)


# --- estimates -------------------------------------------------------------------------------


def _targeting_spec(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    raw = req.params.get("targeting_spec")
    if raw in (None, ""):
        raise _missing("targeting_spec")
    spec = v.targeting(_lenient_json(raw))
    try:
        refs.check_targeting_refs(req.world, account, spec)
    except GraphError as err:
        # Blame paths name the parameter these edges take.
        blame = (err.error_data or {}).get("blame_field_specs") or []
        err.error_data = {"blame_field_specs": [["targeting_spec", *path[1:]] for path in blame]}
        raise
    return spec


def _lenient_json(raw: Any) -> Any:
    """The seeds' batch example sends `targeting_spec={'geo_locations': {'countries':['US']}}`
    with single quotes (async-and-batch-requests.txt L170); Graph reads it."""
    if isinstance(raw, str) and "'" in raw and '"' not in raw:
        return raw.replace("'", '"')
    return raw


@node_edge("adaccount", "reachestimate")
def account_reachestimate(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    spec = _targeting_spec(req, account)
    size = refs.audience_size(req.world, account.account_id, spec)
    lower, upper = refs.size_bounds(size)
    return {
        "data": {"users_lower_bound": lower, "users_upper_bound": upper, "estimate_ready": True}
    }


@node_edge("adaccount", "delivery_estimate")
def account_delivery_estimate(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    spec = _targeting_spec(req, account)
    goal = req.param("optimization_goal")
    if goal in (None, ""):
        raise _missing("optimization_goal")
    if goal not in enums.OPTIMIZATION_GOALS:
        raise GraphError(
            f"Param optimization_goal must be one of the optimization goals - got {goal}",
            code=100,
        )
    size = refs.audience_size(req.world, account.account_id, spec)
    lower, upper = refs.size_bounds(size)
    daily_active = refs.round_bound(size * 0.62)
    # A saturating curve: reach grows with spend (minor units of the account currency) and
    # flattens towards the daily audience.
    curve = []
    cpm = 7.5 if goal in ("REACH", "IMPRESSIONS", "AD_RECALL_LIFT") else 11.0
    for spend in (0, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000):
        impressions = int(spend / 100 / cpm * 1000)
        # frequency grows with spend: reach ≈ impressions / 1.3 at first, capped by the DAU.
        reach = int(daily_active * (1 - math.exp(-impressions / 1.3 / max(daily_active, 1))))
        actions = int(impressions * (0.012 if goal == "LINK_CLICKS" else 0.004))
        curve.append(
            {"spend": spend, "reach": reach, "impressions": impressions, "actions": actions}
        )
    return {
        "data": [
            {
                "daily_outcomes_curve": curve,
                "estimate_dau": daily_active,
                "estimate_mau_lower_bound": lower,
                "estimate_mau_upper_bound": upper,
                "estimate_ready": True,
                "targeting_optimization_types": [],
            }
        ]
    }
