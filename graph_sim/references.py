"""Ids that ad sets, creatives and estimates refer to: checked against the world and the
targeting catalogue, and audience sizes computed from a targeting spec.

The audience module (endpoints/audiences.py) stores custom audiences (`customaudience`),
saved audiences (`savedaudience`) and pixels (`adspixel`); endpoints/page_content.py stores
Page posts (`page_post`), Instagram media (`ig_media`) and lead forms (`leadgen_form`). All are
dicts in the world with an `id` (and `account_id` for the account-owned ones). This module
only reads them, so the objects module can check references without importing endpoints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from graph_sim import targeting_catalog as cat
from graph_sim.errors import GraphError

if TYPE_CHECKING:
    from graph_sim.state import AdAccount, World

CUSTOM_AUDIENCE = "customaudience"
SAVED_AUDIENCE = "savedaudience"
PIXEL = "adspixel"
PAGE_POST = "page_post"
IG_MEDIA = "ig_media"
LEADGEN_FORM = "leadgen_form"


def _blamed(message: str, path: list[str], *, title: str, subcode: int | None = None):
    return GraphError(
        message,
        code=100,
        subcode=subcode,
        user_title=title,
        user_msg=message,
        is_transient=False,
        error_data={"blame_field_specs": [path]},
    )


def _ids(entries: Any) -> list[str]:
    """Ids of a list of `{"id": ...}` (or bare ids / `{"key": ...}`), as strings."""
    if not isinstance(entries, list):
        return []
    out = []
    for entry in entries:
        value = entry.get("id", entry.get("key")) if isinstance(entry, Mapping) else entry
        if value is not None:
            out.append(str(value))
    return out


def _account_key(account: AdAccount | str) -> str:
    key = account if isinstance(account, str) else account.account_id
    return str(key).removeprefix("act_")


def custom_audience(world: World, audience_id: str, account_id: str) -> dict[str, Any] | None:
    found = world.get(str(audience_id), CUSTOM_AUDIENCE)
    if found is None or found.get("deleted") or found.get("account_id") != account_id:
        return None
    return found


def account_pixels(world: World, account_id: str) -> list[dict[str, Any]]:
    return [p for p in world.all(PIXEL) if p.get("account_id") == account_id]


# --- targeting ids ---------------------------------------------------------------------------


def check_targeting_refs(world: World, account: AdAccount | str, targeting: Mapping[str, Any]):
    """Geo keys, detailed targeting ids and custom audiences of a targeting spec must exist
    (DECISIONS.md "Targeting ids"): unknown → 100 blaming the list that holds them."""
    account_id = _account_key(account)
    for geo_key in ("geo_locations", "excluded_geo_locations"):
        geo = targeting.get(geo_key)
        if not isinstance(geo, Mapping):
            continue
        for code in geo.get("countries") or []:
            if isinstance(code, str) and code not in cat.COUNTRIES:
                raise _blamed(
                    f"Invalid country code: {code}",
                    ["targeting", geo_key, "countries"],
                    title="Invalid Location",
                )
        for list_key, kind in (("regions", "region"), ("cities", "city")):
            for key in _ids(geo.get(list_key)):
                if cat.place(kind, key) is None:
                    raise _blamed(
                        f"Invalid {kind} key: {key}. Find valid keys with "
                        f"/search?type=adgeolocation&location_types=['{kind}']",
                        ["targeting", geo_key, list_key],
                        title="Invalid Location",
                    )
    specs: list[tuple[list[str], Mapping[str, Any]]] = [(["targeting"], targeting)]
    for i, group in enumerate(targeting.get("flexible_spec") or []):
        if isinstance(group, Mapping):
            specs.append((["targeting", "flexible_spec", str(i)], group))
    if isinstance(targeting.get("exclusions"), Mapping):
        specs.append((["targeting", "exclusions"], targeting["exclusions"]))
    for where, spec in specs:
        for key in cat.CATEGORY_KEYS:
            for cid in _ids(spec.get(key)):
                found = cat.CATEGORIES.get(cid)
                if found is None or found.type != key:
                    raise _blamed(
                        f"Invalid {key} id: {cid}. Find valid ids with the targeting search "
                        "(/search?type=adinterest or type=adTargetingCategory)",
                        [*where, key],
                        title="Invalid Detailed Targeting",
                        subcode=None,
                    )
    for key in ("custom_audiences", "excluded_custom_audiences"):
        for aid in _ids(targeting.get(key)):
            if custom_audience(world, aid, account_id) is None:
                raise _blamed(
                    f"Invalid custom audience id: {aid}. It does not exist, was deleted, or "
                    "is not shared with this ad account",
                    ["targeting", key],
                    title="Invalid Custom Audience",
                )


def reaches_eu(targeting: Mapping[str, Any]) -> bool:
    """Whether a targeting spec includes a DSA-regulated (EU) location."""
    geo = targeting.get("geo_locations")
    if not isinstance(geo, Mapping):
        return False
    countries = {c for c in geo.get("countries") or [] if isinstance(c, str)}
    for list_key, table in (("regions", cat.REGIONS), ("cities", cat.CITIES)):
        for key in _ids(geo.get(list_key)):
            place = table.get(key)
            if place is not None:
                countries.add(place.country_code)
    for group in geo.get("country_groups") or []:
        if group in ("eu", "europe", "worldwide"):
            return True
    return bool(countries & cat.EU_COUNTRIES)


# --- promoted objects ------------------------------------------------------------------------


def check_promoted_object_refs(
    world: World,
    account: AdAccount | str,
    promoted: Mapping[str, Any],
    page_allowed: Callable[[str], bool] | None = None,
) -> None:
    """`pixel_id` must be a pixel of the account, `page_id` a Page the caller may advertise
    for, `application_id` a known app (DECISIONS.md "Promoted object ids")."""
    account_id = _account_key(account)
    pixel_id = promoted.get("pixel_id")
    pixels = {p["id"] for p in account_pixels(world, account_id)}
    if pixel_id not in (None, "") and str(pixel_id) not in pixels:
        raise _blamed(
            f"Invalid pixel_id {pixel_id}: the pixel does not exist or this ad account "
            "can't use it",
            ["promoted_object", "pixel_id"],
            title="Invalid Pixel",
        )
    page_id = promoted.get("page_id")
    if page_id not in (None, ""):
        page = str(page_id)
        if page not in world.pages or (page_allowed is not None and not page_allowed(page)):
            raise _blamed(
                f"Page {page} does not exist or you can't advertise for it",
                ["promoted_object", "page_id"],
                title="Page Not Available",
            )
    app_id = promoted.get("application_id")
    if app_id not in (None, "") and str(app_id) not in world.apps:
        raise _blamed(
            f"Invalid application_id {app_id}: the app does not exist",
            ["promoted_object", "application_id"],
            title="Invalid App",
        )


# --- audience sizes ---------------------------------------------------------------------------

_PLATFORM_SHARE = {
    "facebook": 1.0,
    "instagram": 0.65,
    "audience_network": 0.45,
    "messenger": 0.35,
    "threads": 0.2,
    "whatsapp": 0.3,
}


def _geo_population(geo: Mapping[str, Any]) -> int:
    countries = {c for c in geo.get("countries") or [] if c in cat.COUNTRIES}
    total = sum(cat.COUNTRIES[c].population for c in countries)
    regions = {k for k in _ids(geo.get("regions")) if k in cat.REGIONS}
    for key in regions:
        if cat.REGIONS[key].country_code not in countries:
            total += cat.REGIONS[key].population
    for key in _ids(geo.get("cities")):
        city = cat.CITIES.get(key)
        if city and city.country_code not in countries and city.region_id not in regions:
            total += city.population
    total += 60_000 * len(geo.get("custom_locations") or [])
    total += 25_000 * len(geo.get("zips") or [])
    return total


def _group_share(group: Mapping[str, Any]) -> float:
    upper = sum(
        cat.CATEGORIES[c].upper
        for key in cat.CATEGORY_KEYS
        for c in _ids(group.get(key))
        if c in cat.CATEGORIES
    )
    return min(0.95, 3.0 * upper / cat.WORLD_AUDIENCE) if upper else 1.0


def audience_size(world: World, account_id: str, targeting: Mapping[str, Any]) -> int:
    """People a targeting spec reaches: deterministic and monotonic (adding a country grows it,
    adding an interest group or narrowing ages shrinks it)."""
    geo = targeting.get("geo_locations") or {}
    size = float(_geo_population(geo if isinstance(geo, Mapping) else {}))
    excluded = targeting.get("excluded_geo_locations")
    if isinstance(excluded, Mapping):
        size = max(0.0, size - _geo_population(excluded))
    low = max(13, int(targeting.get("age_min") or 18))
    high = min(65, int(targeting.get("age_max") or 65))
    size *= max(0, high - low + 1) / 48
    genders = targeting.get("genders") or []
    if isinstance(genders, list) and len(set(genders)) == 1:
        size *= 0.5
    platforms = targeting.get("publisher_platforms")
    if isinstance(platforms, list) and platforms:
        size *= max(_PLATFORM_SHARE.get(p, 0.3) for p in platforms)
    if any(targeting.get(k) for k in cat.CATEGORY_KEYS):
        size *= _group_share(targeting)
    for group in targeting.get("flexible_spec") or []:
        if isinstance(group, Mapping):
            size *= _group_share(group)
    exclusions = targeting.get("exclusions")
    if isinstance(exclusions, Mapping):
        size *= 1 - min(0.5, _share_of(exclusions))
    audiences = [
        custom_audience(world, a, account_id) for a in _ids(targeting.get("custom_audiences"))
    ]
    if audiences:
        size = min(size, sum(audience_count(a) for a in audiences if a) * 0.9)
    for aid in _ids(targeting.get("excluded_custom_audiences")):
        found = custom_audience(world, aid, account_id)
        if found:
            size = max(0.0, size - audience_count(found))
    return int(size)


def _share_of(group: Mapping[str, Any]) -> float:
    upper = sum(
        cat.CATEGORIES[c].upper
        for key in cat.CATEGORY_KEYS
        for c in _ids(group.get(key))
        if c in cat.CATEGORIES
    )
    return upper / cat.WORLD_AUDIENCE


def audience_count(audience: Mapping[str, Any]) -> int:
    return int(audience.get("size") or 0)


def round_bound(value: float) -> int:
    """Two significant digits, as Ads Manager shows audience sizes."""
    if value < 1000:
        return int(value)
    digits = len(str(int(value))) - 2
    return int(round(value / 10**digits) * 10**digits)


def size_bounds(size: int) -> tuple[int, int]:
    return round_bound(size * 0.9), round_bound(size * 1.1)


def category_ids(targeting: Mapping[str, Any]) -> Iterable[str]:
    for key in cat.CATEGORY_KEYS:
        yield from _ids(targeting.get(key))
    for group in targeting.get("flexible_spec") or []:
        if isinstance(group, Mapping):
            for key in cat.CATEGORY_KEYS:
                yield from _ids(group.get(key))


# --- targeting rules from the troubleshooting table -------------------------------------------

_DEFAULT_LOCATION_TYPES = {"home", "recent"}


def check_targeting_rules(targeting: Mapping[str, Any]) -> None:
    """Rules marketing-api-guide.txt's troubleshooting table states with a code (L13725-L13732),
    sent as subcodes of 100 (DECISIONS.md "Missing parameters, error shapes and subcodes"):
    1870199 `location_types` (we accept the default pair home+recent, which means the same),
    1870088 connection targeting, 1870165 detailed targeting or custom audiences with ages under
    18 (location, age and gender stay allowed)."""
    geo = targeting.get("geo_locations")
    if isinstance(geo, Mapping) and geo.get("location_types") not in (None, []):
        types = geo["location_types"]
        if not isinstance(types, list) or set(types) != _DEFAULT_LOCATION_TYPES:
            raise _blamed(
                "All location targeting will now reach people living in or recently in the "
                "locations you selected. Please remove all values from the location_types field.",
                ["targeting", "geo_locations", "location_types"],
                title="Location Types Not Supported",
                subcode=1870199,
            )
    for key in ("connections", "excluded_connections", "friends_of_connections"):
        if targeting.get(key):
            raise _blamed(
                "Connection targeting is being deprecated. Please remove connections from your "
                "campaign to publish your campaign.",
                ["targeting", key],
                title="Connection Targeting Deprecated",
                subcode=1870088,
            )
    age_min = targeting.get("age_min")
    if isinstance(age_min, str) and age_min.isdigit():
        age_min = int(age_min)
    detailed = any(True for _ in category_ids(targeting)) or any(
        targeting.get(k) for k in ("custom_audiences", "excluded_custom_audiences", "exclusions")
    )
    if isinstance(age_min, int) and age_min < 18 and detailed:
        raise _blamed(
            "Your audience contains targeting options that can no longer be used to target ads "
            "to people under 18 globally, 20 in Thailand or 21 in Indonesia. Increase the minimum "
            "age of your audience or remove all targeting options apart from location, age and "
            "gender.",
            ["targeting", "age_min"],
            title="Targeting Not Available For Teens",
            subcode=1870165,
        )
