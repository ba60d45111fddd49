"""Validation rules for ad objects that need no stored state: targeting, creative specs,
budgets and execution options. Each failure raises the GraphError Graph would return."""

from __future__ import annotations

import re
from typing import Any

from graph_sim.currency import is_zero_decimal
from graph_sim.errors import GraphError, invalid_parameter
from graph_sim.objects import enums
from graph_sim.objects import params as p


def blamed(
    message: str,
    field: str | list[str],
    *,
    code: int = 100,
    subcode: int | None = None,
    title: str = "Invalid Parameter",
    user_msg: str | None = None,
) -> GraphError:
    """A validation error in the shape of core-flows.md §7.3: user title and message for the
    UI, `is_transient: false`, and `error_data.blame_field_specs` naming the field path."""
    path = [field] if isinstance(field, str) else list(field)
    return GraphError(
        message,
        code=code,
        subcode=subcode,
        user_title=title,
        user_msg=user_msg or message,
        is_transient=False,
        error_data={"blame_field_specs": [path]},
    )


def execution_options(raw: Any, allowed: frozenset[str]) -> list[str]:
    """core-flows.md §2 "Common to all create endpoints": `include_recommendations` cannot be
    used by itself; `synchronous_ad_review` must come with `validate_only`."""
    if raw is None:
        return []
    options = p.enum_list(raw, allowed, "execution_options")
    if options == ["include_recommendations"]:
        raise invalid_parameter(
            "execution_options include_recommendations cannot be used by itself",
            error_data={"blame_field_specs": [["execution_options"]]},
        )
    if "synchronous_ad_review" in options and "validate_only" not in options:
        raise invalid_parameter(
            "execution_options synchronous_ad_review should always be specified with validate_only",
            error_data={"blame_field_specs": [["execution_options"]]},
        )
    return options


def create_status(raw: Any) -> str:
    """Only ACTIVE and PAUSED are valid during creation (reference.md §7.1)."""
    value = p.enum(raw, enums.CONFIGURED_STATUSES, "status")
    if value not in enums.CREATE_STATUSES:
        raise blamed(
            f"Param status must be one of {{ACTIVE, PAUSED}} during creation; {value} can "
            "only be set by an update",
            "status",
            title="Invalid Status",
        )
    return value


def json_object(raw: Any, name: str) -> dict[str, Any]:
    value = p.decode_json(raw, name)
    if not isinstance(value, dict):
        raise blamed(f"Param {name} must be a JSON object", name)
    return value


# --- money -------------------------------------------------------------------------------


def money(amount: int, currency: str) -> str:
    """Minor units as the account currency reads: 100 USD → "$1.00", 150 JPY → "150 JPY"."""
    if is_zero_decimal(currency):
        return f"{amount} {currency}"
    major = f"{amount / 100:.2f}"
    return f"${major}" if currency == "USD" else f"{major} {currency}"


def check_daily_budget_minimum(value: int, minimum: int, currency: str, field: str) -> None:
    """core-flows.md §7.3 verbatim: code 1487901, type Exception, blame the budget field."""
    if value < minimum:
        raise GraphError(
            "The budget for your Ad-Set is too low.  It must be at least "
            f"{money(minimum, currency)} per day.",
            code=1487901,
            type="Exception",
            is_transient=False,
            user_title="Your Budget Is Too Low",
            user_msg=f"Your budget must be at least {money(minimum, currency)} per day.",
            error_data={"blame_field_specs": [[field]]},
        )


# --- targeting ---------------------------------------------------------------------------

_COUNTRY = re.compile(r"^[A-Z]{2}$")


def targeting(raw: Any) -> dict[str, Any]:
    """Ad set targeting: geo_locations with a place, ages 13-65 with min ≤ max, genders 1/2,
    and placement enums (core-flows.md §2.2, creatives-and-media.md §3)."""
    spec = json_object(raw, "targeting")
    geo = spec.get("geo_locations")
    if not isinstance(geo, dict) or not any(geo.get(k) for k in enums.GEO_LOCATION_KEYS):
        raise blamed(
            "Targeting spec must include a location: geo_locations with countries, regions, "
            "cities, zips or custom_locations is required",
            ["targeting", "geo_locations"],
            title="Location Is Required",
            user_msg='Your audience must include at least one location ("countries" is required).',
        )
    countries = geo.get("countries", [])
    if not isinstance(countries, list) or not all(
        isinstance(c, str) and _COUNTRY.match(c) for c in countries
    ):
        raise blamed(
            "geo_locations.countries must be a list of 2-letter country codes",
            ["targeting", "geo_locations", "countries"],
            title="Invalid Country",
        )
    custom = geo.get("custom_locations") or []
    if len(custom) > 1 and any(isinstance(c, dict) and "radius" in c for c in custom):
        # reference.md §3.4: radius with multiple locations → 100 / 1815946
        raise blamed(
            "A radius can't be used with multiple locations",
            ["targeting", "geo_locations", "custom_locations"],
            subcode=1815946,
            title="Radius Used With Multiple Locations",
        )
    ages: dict[str, int] = {}
    for key in ("age_min", "age_max"):
        if key in spec:
            value = spec[key]
            if isinstance(value, str) and value.isdigit():
                value = int(value)
            if not isinstance(value, int) or isinstance(value, bool) or not 13 <= value <= 65:
                raise blamed(
                    f"targeting {key} must be an integer between 13 and 65",
                    ["targeting", key],
                    title="Invalid Age",
                )
            ages[key] = value
    if ages.get("age_min", 13) > ages.get("age_max", 65):
        raise blamed(
            "targeting age_min must be less than or equal to age_max",
            ["targeting", "age_min"],
            title="Invalid Age Range",
        )
    if "genders" in spec:
        genders = spec["genders"]
        if not isinstance(genders, list) or not all(g in (1, 2) for g in genders):
            raise blamed(
                "targeting genders must be a list of 1 (male) and/or 2 (female)",
                ["targeting", "genders"],
                title="Invalid Gender",
            )
    if "publisher_platforms" in spec:
        _enum_items(spec["publisher_platforms"], enums.PUBLISHER_PLATFORMS, "publisher_platforms")
    for key, allowed in enums.POSITIONS.items():
        if key in spec:
            _enum_items(spec[key], allowed, key)
    return spec


def _enum_items(value: Any, allowed: frozenset[str], key: str) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v in allowed for v in value):
        raise blamed(
            f"targeting {key} must be a list of {{{', '.join(sorted(allowed))}}}",
            ["targeting", key],
            title="Invalid Placement",
        )


# --- creatives ---------------------------------------------------------------------------

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_STORY_ID = re.compile(r"^\d+_\d+$")


def url(value: Any, field: list[str]) -> str:
    """1500 "The url you supplied is invalid" (reference.md §3.4)."""
    if not isinstance(value, str) or not _URL.match(value.strip()):
        raise blamed("The url you supplied is invalid", field, code=1500, title="Invalid URL")
    return value


def object_story_id(raw: Any) -> str:
    value = p.scalar(raw)
    if not isinstance(value, str) or not _STORY_ID.match(value):
        raise blamed(
            "Param object_story_id must be a post id of the form <PAGE_ID>_<POST_ID>",
            "object_story_id",
        )
    return value


def call_to_action(cta: Any, field: list[str]) -> None:
    if not isinstance(cta, dict) or cta.get("type") not in enums.CALL_TO_ACTION_TYPES:
        raise blamed(
            "The call to action type is not valid",
            [*field, "type"],
            subcode=1373054,
            title="Invalid Call to Action",
            user_msg="Choose a call to action button from the supported list.",
        )
    link = (cta.get("value") or {}).get("link") if isinstance(cta.get("value"), dict) else None
    if link is not None and not str(link).startswith("fbgeo://"):
        url(link, [*field, "value", "link"])


def object_story_spec(raw: Any, *, assets: Any = None) -> dict[str, Any]:
    """creatives-and-media.md §2.0-2.3 and behaviours 20-21: page_id, exactly one content
    object, link_data.link, carousel cards 2-10 each with link and image, CTA enum."""
    spec = json_object(raw, "object_story_spec")
    image_exists = getattr(assets, "image_exists", None)
    if not spec.get("page_id"):
        raise blamed(
            "object_story_spec must include page_id",
            ["object_story_spec", "page_id"],
            title="Page Required",
        )
    present = [k for k in enums.OBJECT_STORY_CONTENT_KEYS if k in spec]
    if len(present) != 1:
        raise blamed(
            "object_story_spec must include exactly one of "
            f"{', '.join(enums.OBJECT_STORY_CONTENT_KEYS)}",
            ["object_story_spec"],
            title="Invalid Creative",
        )
    kind = present[0]
    content = spec[kind]
    where = ["object_story_spec", kind]
    if not isinstance(content, dict):
        raise blamed(f"object_story_spec.{kind} must be an object", where)
    if kind == "link_data":
        url(content.get("link"), [*where, "link"])
        _image_ref(content, where, image_exists, required=False)
        cards = content.get("child_attachments")
        if cards is not None:
            if not isinstance(cards, list) or not 2 <= len(cards) <= 10:
                raise blamed(
                    "A carousel needs between 2 and 10 child_attachments",
                    [*where, "child_attachments"],
                    title="Invalid Carousel",
                )
            for i, card in enumerate(cards):
                card_where = [*where, "child_attachments", str(i)]
                if not isinstance(card, dict):
                    raise blamed("Each child attachment must be an object", card_where)
                url(card.get("link"), [*card_where, "link"])
                _image_ref(card, card_where, image_exists, required=True)
                if card.get("video_id"):
                    check_video(str(card["video_id"]), assets, [*card_where, "video_id"])
                if "call_to_action" in card:
                    call_to_action(card["call_to_action"], [*card_where, "call_to_action"])
    elif kind == "video_data":
        if not content.get("video_id"):
            raise blamed("video_data must include video_id", [*where, "video_id"])
        check_video(str(content["video_id"]), assets, [*where, "video_id"])
        if content.get("image_url") is not None:
            url(content["image_url"], [*where, "image_url"])
        _image_ref(content, where, image_exists, required=False)
    elif kind == "photo_data":
        _image_ref(content, where, image_exists, required=True)
    elif kind == "text_data" and not content.get("message"):
        raise blamed("text_data must include message", [*where, "message"])
    if "call_to_action" in content:
        call_to_action(content["call_to_action"], [*where, "call_to_action"])
    check_page(str(spec["page_id"]), assets, ["object_story_spec", "page_id"])
    return spec


def check_video(video_id: str, assets: Any, field: list[str]) -> None:
    """creatives-and-media.md §6.2 item 16: a video belongs to one ad account; another
    account's (or an unknown) video_id → 100."""
    video_exists = getattr(assets, "video_exists", None)
    if video_exists is not None and not video_exists(video_id):
        raise blamed(
            "video_id must be associated with the ad account",
            field,
            title="Video Not Found",
            user_msg="Upload the video to this ad account first.",
        )


def check_page(page_id: str, assets: Any, field: list[str]) -> None:
    """creatives-and-media.md §6.2 item 20: a Page the token cannot advertise for → 100."""
    page_allowed = getattr(assets, "page_allowed", None)
    if page_allowed is not None and not page_allowed(page_id):
        raise blamed(
            f"Page {page_id} does not exist or you can't advertise for it",
            field,
            title="Page Not Available",
            user_msg="Choose a Page you manage, or ask its admin to give your business access.",
        )


def _image_ref(content: dict[str, Any], where: list[str], image_exists, *, required: bool):
    """`picture` (a URL) or `image_hash` (from /adimages, checked when the media module
    tells us which hashes the account has)."""
    picture = content.get("picture") or content.get("url")
    image_hash = content.get("image_hash")
    if picture is not None:
        url(picture, [*where, "picture"])
    if image_hash is not None and image_exists is not None and not image_exists(image_hash):
        raise blamed(
            f"Image with hash {image_hash} could not be found in this ad account",
            [*where, "image_hash"],
            title="Image Not Found",
        )
    if required and picture is None and image_hash is None:
        raise blamed(
            "Each card needs a picture or an image_hash",
            [*where, "image_hash"],
            title="Image Required",
        )


def degrees_of_freedom_spec(raw: Any) -> dict[str, Any]:
    """creatives-and-media.md behaviour 27: enroll_status other than OPT_IN/OPT_OUT → 100."""
    spec = json_object(raw, "degrees_of_freedom_spec")
    features = spec.get("creative_features_spec", {})
    if not isinstance(features, dict):
        raise blamed(
            "creative_features_spec must be an object",
            ["degrees_of_freedom_spec", "creative_features_spec"],
        )
    for name, feature in features.items():
        status = feature.get("enroll_status") if isinstance(feature, dict) else None
        if status not in enums.ENROLL_STATUSES:
            raise blamed(
                f"enroll_status of {name} must be one of {{OPT_IN, OPT_OUT}}",
                ["degrees_of_freedom_spec", "creative_features_spec", name, "enroll_status"],
            )
    return spec


def enroll_spec(raw: Any, name: str) -> dict[str, Any]:
    spec = json_object(raw, name)
    if spec.get("enroll_status") not in enums.ENROLL_STATUSES:
        raise blamed(f"{name}.enroll_status must be one of {{OPT_IN, OPT_OUT}}", [name])
    return spec
