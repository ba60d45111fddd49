"""The rules themselves. Each function takes plain values (a dict of model fields, the account's
facts, "now") and returns `{field: message}`; an empty dict means valid."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from campaigns.validation import rules as r

Errors = dict[str, str]


@dataclass(frozen=True)
class AccountFacts:
    """What the rules need to know of the ad account."""

    currency: str = "USD"
    timezone_name: str = "UTC"
    min_daily_budget_minor: int | None = None
    default_dsa_beneficiary: str = ""
    default_dsa_payor: str = ""

    @property
    def min_daily(self) -> int:
        return self.min_daily_budget_minor or r.DEFAULT_MIN_DAILY_MINOR

    def money(self, minor: int) -> str:
        per = r.minor_per_major(self.currency)
        if per == 1:
            return f"{minor} {self.currency}"
        return f"{minor / per:.2f} {self.currency}"

    @classmethod
    def of(cls, ad_account: Any) -> AccountFacts:
        return cls(
            currency=ad_account.currency or "USD",
            timezone_name=ad_account.timezone_name or "UTC",
            min_daily_budget_minor=getattr(ad_account, "min_daily_budget_minor", None),
            default_dsa_beneficiary=getattr(ad_account, "default_dsa_beneficiary", "") or "",
            default_dsa_payor=getattr(ad_account, "default_dsa_payor", "") or "",
        )


def _name(errors: Errors, value: Any, field: str = "name") -> None:
    if not isinstance(value, str) or not value.strip():
        errors[field] = "Enter a name."
    elif len(value) > r.NAME_MAX:
        errors[field] = f"At most {r.NAME_MAX} characters."


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


# --- campaign ------------------------------------------------------------------------------


def campaign_errors(*, data: Mapping[str, Any], account: AccountFacts) -> Errors:
    errors: Errors = {}
    _name(errors, data.get("name"))
    objective = data.get("objective")
    if objective not in r.OBJECTIVES:
        errors["objective"] = "Choose one of the outcome objectives."
    categories = data.get("special_ad_categories") or []
    if not isinstance(categories, list) or not set(categories) <= r.SPECIAL_AD_CATEGORIES:
        errors["special_ad_categories"] = "Unknown special ad category."
    elif len(set(categories)) != len(categories):
        errors["special_ad_categories"] = "Each category once."
    countries = data.get("special_ad_category_country") or []
    if not isinstance(countries, list) or not all(
        isinstance(c, str) and r.COUNTRY_RE.match(c) for c in countries
    ):
        errors["special_ad_category_country"] = "Use 2-letter country codes (e.g. US, FR)."
    elif categories and not countries:
        errors["special_ad_category_country"] = (
            "Name the countries where the special ad category applies."
        )
    daily, lifetime = data.get("daily_budget_minor"), data.get("lifetime_budget_minor")
    for field, value in (("daily_budget_minor", daily), ("lifetime_budget_minor", lifetime)):
        if value is not None and not _positive_int(value):
            errors[field] = "Enter a budget greater than zero."
    if daily and lifetime:
        errors["lifetime_budget_minor"] = "A campaign has a daily or a lifetime budget, not both."
    elif _positive_int(daily) and daily < account.min_daily:
        errors["daily_budget_minor"] = (
            f"The daily budget must be at least {account.money(account.min_daily)}."
        )
    strategy = data.get("bid_strategy") or ""
    if strategy and strategy not in r.BID_STRATEGIES:
        errors["bid_strategy"] = "Unknown bid strategy."
    elif strategy and not (daily or lifetime):
        # core-flows.md §2.1: a campaign bid strategy only with a campaign budget.
        errors["bid_strategy"] = (
            "Set a bid strategy on the campaign only with a campaign budget; otherwise on the "
            "ad sets."
        )
    cap = data.get("spend_cap_minor")
    if cap is not None:
        if not _positive_int(cap):
            errors["spend_cap_minor"] = "Enter a spending limit greater than zero."
        elif account.currency == "USD" and cap < r.SPEND_CAP_MIN_USD_MINOR:
            errors["spend_cap_minor"] = "The spending limit must be at least 100.00 USD."
    return errors


# --- ad set --------------------------------------------------------------------------------


def adset_errors(
    *,
    data: Mapping[str, Any],
    campaign: Mapping[str, Any],
    account: AccountFacts,
    now: datetime,
    creating: bool = True,
) -> Errors:
    """`campaign` holds the parent's fields (objective, budgets, bid strategy, categories).
    `creating` is false for an ad set already on Graph (its start may be in the past)."""
    errors: Errors = {}
    _name(errors, data.get("name"))
    objective = campaign.get("objective")
    goal = data.get("optimization_goal") or ""
    allowed_goals = r.GOALS_BY_OBJECTIVE.get(objective, ())
    if goal not in allowed_goals:
        errors["optimization_goal"] = (
            "Choose a performance goal allowed for this objective: " + ", ".join(allowed_goals)
        )
    billing = data.get("billing_event") or "IMPRESSIONS"
    if goal in allowed_goals and billing not in r.BILLING_BY_GOAL.get(goal, r.DEFAULT_BILLING):
        errors["billing_event"] = (
            f"With the goal {goal} you pay for "
            + " or ".join(r.BILLING_BY_GOAL.get(goal, r.DEFAULT_BILLING))
            + "."
        )
    _adset_budget(errors, data, campaign, account, now, creating)
    _bidding(errors, data, campaign, billing)
    _promoted_object(errors, data, objective, goal)
    targeting = data.get("targeting")
    if not isinstance(targeting, Mapping):
        errors["targeting"] = "Targeting is missing."
    else:
        errors.update(targeting_errors(targeting, set(campaign.get("special_ad_categories") or [])))
        if reaches_eu(targeting):
            for field, default in (
                ("dsa_beneficiary", account.default_dsa_beneficiary),
                ("dsa_payor", account.default_dsa_payor),
            ):
                if not (data.get(field) or "").strip() and not default:
                    errors[field] = (
                        "This audience reaches the EU: name who benefits from and who pays for "
                        "the ads (Digital Services Act)."
                    )
    for field in ("dsa_beneficiary", "dsa_payor"):
        if len(data.get(field) or "") > 200:
            errors[field] = "At most 200 characters."
    return errors


def _adset_budget(errors, data, campaign, account: AccountFacts, now, creating) -> None:
    daily, lifetime = data.get("daily_budget_minor"), data.get("lifetime_budget_minor")
    for field, value in (("daily_budget_minor", daily), ("lifetime_budget_minor", lifetime)):
        if value is not None and not _positive_int(value):
            errors[field] = "Enter a budget greater than zero."
            return
    campaign_budget = campaign.get("daily_budget_minor") or campaign.get("lifetime_budget_minor")
    if campaign_budget and (daily or lifetime):
        errors["daily_budget_minor" if daily else "lifetime_budget_minor"] = (
            "The campaign has a campaign budget: ad sets take no budget of their own."
        )
    elif not campaign_budget and not daily and not lifetime:
        errors["daily_budget_minor"] = "Set a daily or lifetime budget (or a campaign budget)."
    if daily and lifetime:
        errors["lifetime_budget_minor"] = "An ad set has a daily or a lifetime budget, not both."
    start, end = data.get("start_time"), data.get("end_time")
    if creating and start is not None and start < now - timedelta(minutes=5):
        errors["start_time"] = "The start is in the past."
    if end is not None and end <= now:
        errors["end_time"] = "The end must be in the future."
    elif end is not None and start is not None and end <= start:
        errors["end_time"] = "The end must be after the start."
    uses_lifetime = lifetime or campaign.get("lifetime_budget_minor")
    if uses_lifetime and end is None:
        errors["end_time"] = "A lifetime budget needs an end date."
    begin = start or now
    if daily and end is not None and "end_time" not in errors and end - begin <= timedelta(days=1):
        errors["end_time"] = "With a daily budget the ad set must run for more than 24 hours."
    if daily and "daily_budget_minor" not in errors and daily < account.min_daily:
        errors["daily_budget_minor"] = (
            f"The daily budget must be at least {account.money(account.min_daily)}."
        )
    if lifetime and end is not None and "lifetime_budget_minor" not in errors and end > begin:
        days = max(1, math.ceil((end - begin).total_seconds() / 86400))
        if lifetime < account.min_daily * days:
            errors["lifetime_budget_minor"] = (
                f"For {days} days the lifetime budget must be at least "
                f"{account.money(account.min_daily * days)}."
            )


def _bidding(errors, data, campaign, billing) -> None:
    own = data.get("bid_strategy") or ""
    if own and own not in r.BID_STRATEGIES:
        errors["bid_strategy"] = "Unknown bid strategy."
        return
    if own and campaign.get("bid_strategy") and own != campaign.get("bid_strategy"):
        errors["bid_strategy"] = "The campaign sets the bid strategy for its ad sets."
    strategy = own or campaign.get("bid_strategy") or "LOWEST_COST_WITHOUT_CAP"
    bid = data.get("bid_amount_minor")
    if strategy in r.CAP_BID_STRATEGIES:
        if bid is None:
            errors["bid_amount_minor"] = "This bid strategy needs a bid amount."
        elif not _positive_int(bid) or bid < (2 if billing == "IMPRESSIONS" else 1):
            errors["bid_amount_minor"] = "The bid amount is too low."
    elif bid is not None:
        errors["bid_amount_minor"] = (
            "A bid amount goes with the bid cap or cost cap strategies only."
        )


def _promoted_object(errors, data, objective, goal) -> None:
    promoted = data.get("promoted_object") or {}
    if not isinstance(promoted, Mapping):
        errors["promoted_object"] = "Invalid promoted object."
        return
    needs = r.PROMOTED_OBJECT_NEEDS.get((objective, goal), ())
    for key in needs:
        if not str(promoted.get(key) or "").strip():
            errors[f"promoted_object.{key}"] = {
                "pixel_id": "Choose the pixel that measures conversions.",
                "custom_event_type": "Choose the conversion event.",
                "page_id": "Choose the Page.",
                "application_id": "Choose the app.",
                "object_store_url": "Enter the app's store URL.",
            }[key]
    event = promoted.get("custom_event_type")
    if event and event not in r.PIXEL_EVENTS:
        errors["promoted_object.custom_event_type"] = "Choose a conversion event from the list."
    for key in ("pixel_id", "page_id", "application_id"):
        value = promoted.get(key)
        if value and not r.NUMERIC_ID_RE.match(str(value)):
            errors[f"promoted_object.{key}"] = "Not a valid id."
    store = promoted.get("object_store_url")
    if store and not r.URL_RE.match(str(store)):
        errors["promoted_object.object_store_url"] = "Enter a valid URL (https://...)."


def _id_list(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(item, Mapping)
        and r.NUMERIC_ID_RE.match(str(item.get("id") or item.get("key") or ""))
        for item in value
    )


def targeting_errors(targeting: Mapping[str, Any], categories: set[str]) -> Errors:
    errors: Errors = {}
    geo = targeting.get("geo_locations") or {}
    if not isinstance(geo, Mapping):
        return {"targeting.geo_locations": "Invalid locations."}
    countries = geo.get("countries") or []
    regions = geo.get("regions") or []
    cities = geo.get("cities") or []
    zips = geo.get("zips") or []
    if not (countries or regions or cities or zips):
        errors["targeting.geo_locations"] = "Choose at least one country, region or city."
    if not isinstance(countries, list) or not all(
        isinstance(c, str) and r.COUNTRY_RE.match(c) for c in countries
    ):
        errors["targeting.geo_locations.countries"] = "Use 2-letter country codes."
    if not _id_list(regions):
        errors["targeting.geo_locations.regions"] = "Choose regions from the search."
    if not _id_list(cities):
        errors["targeting.geo_locations.cities"] = "Choose cities from the search."
    else:
        for city in cities:
            radius = city.get("radius")
            if radius is not None and (not isinstance(radius, int | float) or not 0 < radius <= 50):
                errors["targeting.geo_locations.cities"] = "A city radius is 1 to 50."
    for key in ("age_min", "age_max"):
        value = targeting.get(key)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool)
            or not r.AGE_MIN <= value <= r.AGE_MAX
        ):
            errors[f"targeting.{key}"] = f"Ages are {r.AGE_MIN} to {r.AGE_MAX}."
    age_min, age_max = targeting.get("age_min"), targeting.get("age_max")
    if (
        isinstance(age_min, int) and isinstance(age_max, int)
        and "targeting.age_min" not in errors and age_min > age_max
    ):
        errors["targeting.age_max"] = "The maximum age is below the minimum."
    genders = targeting.get("genders")
    if genders is not None and (
        not isinstance(genders, list)
        or not set(genders) <= {1, 2}
        or len(genders) != len(set(genders))
    ):
        errors["targeting.genders"] = "Genders are 1 (men) and 2 (women)."
    interests = targeting.get("interests")
    flexible = targeting.get("flexible_spec")
    if interests is not None and not _id_list(interests):
        errors["targeting.interests"] = "Choose interests from the search."
    if flexible is not None and not (
        isinstance(flexible, list)
        and all(isinstance(group, Mapping) and all(_id_list(v) for v in group.values())
                for group in flexible)
    ):
        errors["targeting.interests"] = "Choose interests from the search."
    for key in ("custom_audiences", "excluded_custom_audiences"):
        value = targeting.get(key)
        if value is not None and not _id_list(value):
            errors[f"targeting.{key}"] = "Choose audiences of this ad account."
    errors.update(_placement_errors(targeting))
    restricted = categories & r.RESTRICTED_CATEGORIES
    if restricted:
        label = ", ".join(sorted(c.lower() for c in restricted))
        if (age_min not in (None, r.AGE_MIN)) or (age_max not in (None, r.AGE_MAX)):
            errors["targeting.age_min"] = (
                f"Ads in the {label} category must reach ages {r.AGE_MIN}-{r.AGE_MAX}+."
            )
        if genders:
            errors["targeting.genders"] = f"Ads in the {label} category can't target by gender."
        if zips:
            errors["targeting.geo_locations"] = (
                f"Ads in the {label} category can't target postal codes."
            )
        for city in cities if isinstance(cities, list) else []:
            radius = city.get("radius") if isinstance(city, Mapping) else None
            unit = city.get("distance_unit", "mile") if isinstance(city, Mapping) else "mile"
            miles = radius / 1.609 if radius is not None and unit == "kilometer" else radius
            if miles is not None and miles < r.RESTRICTED_MIN_RADIUS_MILES:
                errors["targeting.geo_locations.cities"] = (
                    f"Ads in the {label} category need a radius of at least "
                    f"{r.RESTRICTED_MIN_RADIUS_MILES} miles."
                )
        if targeting.get("interests") or targeting.get("flexible_spec"):
            pass  # detailed targeting is allowed but reduced by Meta: nothing to refuse here
    return errors


def _placement_errors(targeting: Mapping[str, Any]) -> Errors:
    """Automatic placements when no placement key is present; otherwise consistent choices
    (creatives-and-media.md §3.2-3.4)."""
    errors: Errors = {}
    keys = [k for k in ("publisher_platforms", *r.POSITIONS, "device_platforms") if k in targeting]
    if not keys:
        return errors
    platforms = targeting.get("publisher_platforms")
    if not isinstance(platforms, list) or not platforms or not set(platforms) <= set(
        r.PUBLISHER_PLATFORMS
    ):
        return {"targeting.publisher_platforms": "Choose at least one platform."}
    for key, allowed in r.POSITIONS.items():
        positions = targeting.get(key)
        if positions is None:
            continue
        if not isinstance(positions, list) or not positions or not set(positions) <= set(allowed):
            errors[f"targeting.{key}"] = "Unknown position."
        elif r.PLATFORM_OF_POSITIONS[key] not in platforms:
            errors[f"targeting.{key}"] = (
                f"Positions on {r.PLATFORM_OF_POSITIONS[key]} need that platform chosen."
            )
    ig = targeting.get("instagram_positions") or []
    if isinstance(ig, list) and "stream" not in ig:
        if {"explore", "explore_home"} & set(ig):
            errors["targeting.instagram_positions"] = "Explore needs the Instagram feed (stream)."
        elif "ig_search" in ig:
            errors["targeting.instagram_positions"] = "Search needs the Instagram feed (stream)."
    if "threads" in platforms:
        if "instagram" not in platforms:
            errors["targeting.publisher_platforms"] = "Threads needs Instagram chosen too."
        elif targeting.get("instagram_positions") is not None and "stream" not in ig:
            errors["targeting.threads_positions"] = "Threads needs the Instagram feed (stream)."
    devices = targeting.get("device_platforms")
    if devices is not None and (
        not isinstance(devices, list) or not devices or not set(devices) <= set(r.DEVICE_PLATFORMS)
    ):
        errors["targeting.device_platforms"] = "Choose mobile and/or desktop."
    return errors


def reaches_eu(targeting: Mapping[str, Any]) -> bool:
    geo = targeting.get("geo_locations") or {}
    if not isinstance(geo, Mapping):
        return False
    countries = geo.get("countries") or []
    if isinstance(countries, list) and set(countries) & r.EU_COUNTRIES:
        return True
    for key in ("regions", "cities", "zips"):
        for item in geo.get(key) or []:
            if isinstance(item, Mapping) and item.get("country") in r.EU_COUNTRIES:
                return True
    return False


# --- creative ------------------------------------------------------------------------------


def _text(errors: Errors, spec: Mapping[str, Any], key: str, prefix: str = "spec") -> None:
    value = spec.get(key)
    if value is None:
        return
    if not isinstance(value, str):
        errors[f"{prefix}.{key}"] = "Enter text."
    elif len(value) > r.TEXT_LIMITS[key]:
        errors[f"{prefix}.{key}"] = f"At most {r.TEXT_LIMITS[key]} characters."


def _url(errors: Errors, value: Any, field: str, required: bool = True) -> None:
    if value in (None, ""):
        if required:
            errors[field] = "Enter the destination URL."
        return
    if not isinstance(value, str) or len(value) > 2000 or not r.URL_RE.match(value):
        errors[field] = "Enter a valid URL starting with https:// or http://."


def _media(errors: Errors, item: Mapping[str, Any], field: str, kind: str) -> None:
    """An image is an `image_hash` of the account's library or a media-library asset."""
    if kind == "video":
        if not (item.get("video_id") or item.get("media_asset_id")):
            errors[field] = "Choose a video from the media library."
        return
    if not (item.get("image_hash") or item.get("media_asset_id")):
        errors[field] = "Choose an image from the media library."


def creative_errors(*, data: Mapping[str, Any]) -> Errors:
    errors: Errors = {}
    _name(errors, data.get("name"))
    fmt = data.get("format")
    spec = data.get("spec") or {}
    if not isinstance(spec, Mapping):
        return {**errors, "spec": "Invalid creative."}
    page_id = str(data.get("page_id") or "")
    ig_id = str(data.get("instagram_user_id") or "")
    if fmt != "instagram_post" and not r.NUMERIC_ID_RE.match(page_id):
        errors["page_id"] = "Choose the Facebook Page the ad runs as."
    if ig_id and not r.NUMERIC_ID_RE.match(ig_id):
        errors["instagram_user_id"] = "Choose an Instagram account."
    if data.get("contextual_multi_ads") not in r.ENROLL_STATUSES:
        errors["contextual_multi_ads"] = "Choose whether the ad may appear in multi-advertiser ads."
    if fmt in ("image", "video", "carousel"):
        for key in ("message", "headline", "description"):
            _text(errors, spec, key)
        _url(errors, spec.get("link"), "spec.link")
        cta = spec.get("call_to_action") or "LEARN_MORE"
        if cta not in r.CTA_TYPES:
            errors["spec.call_to_action"] = "Choose a call to action from the list."
        tags = spec.get("url_tags") or ""
        if tags and (len(tags) > r.URL_TAGS_MAX or not r.URL_TAGS_RE.match(tags)):
            errors["spec.url_tags"] = "URL tags look like utm_source=meta&utm_medium=paid."
    if fmt == "image":
        _media(errors, spec, "spec.image", "image")
    elif fmt == "video":
        _media(errors, spec, "spec.video", "video")
        if not (spec.get("image_hash") or spec.get("thumbnail_url") or spec.get("media_asset_id")):
            errors.setdefault("spec.video", "A video ad needs a thumbnail.")
    elif fmt == "carousel":
        cards = spec.get("cards")
        if not isinstance(cards, list) or not r.CAROUSEL_MIN <= len(cards) <= r.CAROUSEL_MAX:
            errors["spec.cards"] = (
                f"A carousel has {r.CAROUSEL_MIN} to {r.CAROUSEL_MAX} cards."
            )
        else:
            for i, card in enumerate(cards):
                if not isinstance(card, Mapping):
                    errors[f"spec.cards.{i}"] = "Invalid card."
                    continue
                _media(errors, card, f"spec.cards.{i}.image", "image")
                _url(errors, card.get("link") or spec.get("link"), f"spec.cards.{i}.link")
                for key, limit in r.CARD_TEXT_LIMITS.items():
                    value = card.get(key)
                    if value is not None and (not isinstance(value, str) or len(value) > limit):
                        errors[f"spec.cards.{i}.{key}"] = f"At most {limit} characters."
    elif fmt == "page_post":
        if not r.POST_ID_RE.match(str(spec.get("object_story_id") or "")):
            errors["spec.object_story_id"] = "Choose a post of the Page."
    elif fmt == "instagram_post":
        if not r.NUMERIC_ID_RE.match(ig_id):
            errors["instagram_user_id"] = "Choose the Instagram account."
        if not r.NUMERIC_ID_RE.match(str(spec.get("source_instagram_media_id") or "")):
            errors["spec.source_instagram_media_id"] = "Choose the Instagram post."
    else:
        errors["format"] = "Choose a format."
    return errors


# --- ad ------------------------------------------------------------------------------------


def ad_errors(*, data: Mapping[str, Any]) -> Errors:
    errors: Errors = {}
    _name(errors, data.get("name"))
    if not data.get("creative_id") and not data.get("creative"):
        errors["creative"] = "Choose a creative."
    if data.get("desired_status", "ACTIVE") not in ("ACTIVE", "PAUSED"):
        errors["desired_status"] = "Active or paused."
    specs = data.get("tracking_specs") or []
    if not isinstance(specs, list) or not all(isinstance(s, Mapping) for s in specs):
        errors["tracking_specs"] = "Tracking specs are a list of objects."
    elif len(specs) > 20:
        errors["tracking_specs"] = "At most 20 tracking specs."
    return errors


# --- ids checked against what Graph listed ----------------------------------------------------
# `listed` maps a listing ("pixels", "page_posts:<page id>", ...) to the ids Graph returned for
# the ad account, or None when Graph could not be asked (then the id is not judged here).

Listed = Mapping[str, "frozenset[str] | set[str] | None"]


def _asset_refs(kind: str, data: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """(field key, id, listing kind, parent id) of every asset id the object uses."""
    refs: list[tuple[str, str, str, str]] = []
    if kind == "adset":
        targeting = data.get("targeting") or {}
        if isinstance(targeting, Mapping):
            for name in ("custom_audiences", "excluded_custom_audiences"):
                items = targeting.get(name) or []
                for item in items if isinstance(items, list) else []:
                    if isinstance(item, Mapping) and item.get("id"):
                        refs.append((f"targeting.{name}", str(item["id"]),
                                     "custom_audiences", ""))
        promoted = data.get("promoted_object") or {}
        if isinstance(promoted, Mapping):
            for name, listing in (("pixel_id", "pixels"), ("page_id", "pages"),
                                  ("application_id", "apps")):
                if promoted.get(name):
                    refs.append((f"promoted_object.{name}", str(promoted[name]), listing, ""))
    elif kind == "ad":
        specs = data.get("tracking_specs") or []
        for spec in specs if isinstance(specs, list) else []:
            pixels = spec.get("fb_pixel") if isinstance(spec, Mapping) else None
            for pixel in pixels if isinstance(pixels, list) else [pixels] if pixels else []:
                refs.append(("tracking_specs", str(pixel), "pixels", ""))
    elif kind == "creative":
        spec = data.get("spec") or {}
        spec = spec if isinstance(spec, Mapping) else {}
        page_id = str(data.get("page_id") or "")
        ig_id = str(data.get("instagram_user_id") or "")
        if page_id:
            refs.append(("page_id", page_id, "pages", ""))
        if ig_id:
            refs.append(("instagram_user_id", ig_id, "instagram_accounts", ""))
        fmt = data.get("format")
        if fmt == "page_post" and spec.get("object_story_id"):
            story = str(spec["object_story_id"])
            refs.append(("spec.object_story_id", story, "page_posts", story.split("_")[0]))
        if fmt == "instagram_post" and spec.get("source_instagram_media_id") and ig_id:
            refs.append(("spec.source_instagram_media_id", str(spec["source_instagram_media_id"]),
                         "instagram_media", ig_id))
    return refs


def asset_listings_needed(*, kind: str, data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The Graph listings `listed_asset_errors` needs for this object: [(kind, parent id)]."""
    return list(dict.fromkeys((listing, parent) for _, _, listing, parent in
                              _asset_refs(kind, data)))


ASSET_MESSAGES = {
    "custom_audiences": "This custom audience is not one of the ad account's audiences.",
    "pixels": "This pixel is not one the ad account can use.",
    "pages": "This Page is not one the ad account can promote.",
    "apps": "This app is not one the ad account can advertise.",
    "instagram_accounts": "This Instagram account is not connected to the ad account.",
    "page_posts": "This post is not one of the Page's posts that can be boosted.",
    "instagram_media": "This media is not one of the Instagram account's posts.",
}


def listed_asset_errors(*, kind: str, data: Mapping[str, Any], listed: Listed) -> Errors:
    """Every asset id the object uses must be one Graph listed for the ad account."""
    errors: Errors = {}
    for field, value, listing, parent in _asset_refs(kind, data):
        ids = listed.get(f"{listing}:{parent}" if parent else listing)
        if ids is not None and value not in ids:
            errors.setdefault(field, ASSET_MESSAGES[listing])
    return errors
