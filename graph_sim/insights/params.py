"""Insights request parameters: parse Graph's encodings and validate them as the docs describe."""

from __future__ import annotations

import calendar
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from graph_sim.errors import GraphError, invalid_parameter

# --- documented vocabularies ------------------------------------------------------------------

LEVELS = ("account", "campaign", "adset", "ad")
LEVEL_RANK = {name: rank for rank, name in enumerate(LEVELS)}

# core-flows.md §4.3; seeds/marketing-api-guide.txt L15828 (reference enum)
DATE_PRESETS = frozenset(
    {
        "today", "yesterday", "this_month", "last_month", "this_quarter", "maximum",
        "data_maximum", "last_3d", "last_7d", "last_14d", "last_28d", "last_30d", "last_90d",
        "last_week_mon_sun", "last_week_sun_sat", "last_quarter", "last_year",
        "this_week_mon_today", "this_week_sun_today", "this_year",
    }
)  # fmt: skip

# seeds/marketing-api-guide.txt L15827 (reference enum for `breakdowns`)
BREAKDOWNS = frozenset(
    {
        "ad_extension_domain", "ad_extension_url", "ad_format_asset", "age", "app_id",
        "body_asset", "breakdown_ad_objective", "breakdown_reporting_ad_id",
        "call_to_action_asset", "coarse_conversion_value", "comscore_market", "country",
        "creative_automation_asset_id", "creative_relaxation_asset_type",
        "crm_advertiser_l12_territory_ids", "crm_advertiser_subvertical_id",
        "crm_advertiser_vertical_id", "crm_ult_advertiser_id", "description_asset",
        "fidelity_type", "flexible_format_asset_type", "gen_ai_asset_type", "gender", "hsid",
        "image_asset", "impression_device", "is_auto_advance", "is_conversion_id_modeled",
        "is_rendered_as_delayed_skip_ad", "landing_destination", "link_url_asset",
        "mdsa_landing_destination", "media_asset_url", "media_creator", "media_destination_url",
        "media_format", "media_origin_url", "media_text_content", "media_type",
        "postback_sequence_index", "product_brand_breakdown", "product_category_breakdown",
        "product_custom_label_0_breakdown", "product_custom_label_1_breakdown",
        "product_custom_label_2_breakdown", "product_custom_label_3_breakdown",
        "product_custom_label_4_breakdown", "product_group_content_id_breakdown",
        "product_group_id", "product_id", "product_set_id_breakdown",
        "product_vendor_id_breakdown", "redownload", "region", "rta_ugc_topic",
        "skan_campaign_id", "skan_conversion_id", "skan_version", "sot_attribution_model_type",
        "sot_attribution_window", "sot_channel", "sot_event_type", "sot_source", "title_asset",
        "user_persona_id", "user_persona_name", "video_asset", "rule_set_id", "rule_set_name",
        "dma", "frequency_value", "hourly_stats_aggregated_by_advertiser_time_zone",
        "hourly_stats_aggregated_by_audience_time_zone", "mmm", "place_page_id",
        "publisher_platform", "platform_position", "device_platform",
        "standard_event_content_type", "conversion_destination", "signal_source_bucket",
        "reels_trending_topic", "marketing_messages_btn_name",
        "impression_view_time_advertiser_hour_v2",
    }
)  # fmt: skip

# Breakdowns the simulator produces numbers for; the rest of the enum validates, then → 100.
SIMULATED_BREAKDOWNS = frozenset(
    {
        "age", "gender", "country", "region", "publisher_platform", "platform_position",
        "impression_device", "device_platform", "hourly_stats_aggregated_by_advertiser_time_zone",
        "hourly_stats_aggregated_by_audience_time_zone",
    }
)  # fmt: skip
HOURLY_BREAKDOWNS = frozenset(
    {
        "hourly_stats_aggregated_by_advertiser_time_zone",
        "hourly_stats_aggregated_by_audience_time_zone",
    }
)

# core-flows.md §4.5; seeds/marketing-api-guide.txt L11836-11851
ACTION_BREAKDOWNS = frozenset(
    {
        "action_device", "conversion_destination", "matched_persona_id", "matched_persona_name",
        "signal_source_bucket", "standard_event_content_type", "action_canvas_component_name",
        "action_carousel_card_id", "action_carousel_card_name", "action_destination",
        "action_reaction", "action_target_id", "action_type", "action_video_sound",
        "action_video_type", "is_business_ai_assisted",
    }
)  # fmt: skip
SIMULATED_ACTION_BREAKDOWNS = frozenset({"action_type", "action_device", "action_reaction"})

# core-flows.md §4.3; seeds/marketing-api-guide.txt L15824 (+ `incrementality`, guide L11682)
ATTRIBUTION_WINDOWS = frozenset(
    {
        "1d_view", "7d_view", "28d_view", "1d_click", "7d_click", "28d_click", "1d_ev", "dda",
        "default", "7d_view_first_conversion", "28d_view_first_conversion",
        "7d_view_all_conversions", "28d_view_all_conversions", "skan_view", "skan_click",
        "skan_click_second_postback", "skan_view_second_postback", "skan_click_third_postback",
        "skan_view_third_postback", "incrementality",
    }
)  # fmt: skip

ACTION_REPORT_TIMES = frozenset({"impression", "conversion", "mixed", "lifetime"})

# The 180 AdsInsights fields of the reference table (seeds/marketing-api-guide.txt
# L15850-16050), plus names the guide's own examples use (L11485-11494 unique_clicks, total_actions;
# L11735 estimated_ad_recall_rate, video_thruplay_watched_actions).
_DOCUMENTED_FIELDS_TEXT = """
    account_currency account_id account_name action_values actions activity_recency
    ad_click_actions ad_format_asset ad_id ad_impression_actions ad_name adset_id adset_name
    anchor_event_attribution_setting anchor_events_performance_indicator attribution_setting
    auction_bid auction_competitiveness auction_max_competitor_bid body_asset buying_type
    campaign_id campaign_name canvas_avg_view_percent canvas_avg_view_time
    catalog_segment_actions catalog_segment_value catalog_segment_value_mobile_purchase_roas
    catalog_segment_value_omni_purchase_roas catalog_segment_value_website_purchase_roas clicks
    coarse_conversion_value comparison_node comscore_market conversion_values conversions
    converted_product_app_custom_event_fb_mobile_purchase
    converted_product_app_custom_event_fb_mobile_purchase_value
    converted_product_offline_purchase converted_product_offline_purchase_value
    converted_product_omni_purchase converted_product_omni_purchase_values
    converted_product_quantity converted_product_value converted_product_website_pixel_purchase
    converted_product_website_pixel_purchase_value
    converted_promoted_product_app_custom_event_fb_mobile_purchase
    converted_promoted_product_app_custom_event_fb_mobile_purchase_value
    converted_promoted_product_offline_purchase converted_promoted_product_offline_purchase_value
    converted_promoted_product_omni_purchase converted_promoted_product_omni_purchase_values
    converted_promoted_product_quantity converted_promoted_product_value
    converted_promoted_product_website_pixel_purchase
    converted_promoted_product_website_pixel_purchase_value cost_per_15_sec_video_view
    cost_per_2_sec_continuous_video_view cost_per_action_type cost_per_ad_click
    cost_per_conversion cost_per_dda_countby_convs cost_per_inline_link_click
    cost_per_inline_post_engagement cost_per_objective_result
    cost_per_one_thousand_ad_impression cost_per_outbound_click cost_per_result
    cost_per_thruplay cost_per_unique_action_type cost_per_unique_click
    cost_per_unique_conversion cost_per_unique_inline_link_click cost_per_unique_outbound_click
    country cpc cpm cpp created_time creative_automation_asset_id creative_relaxation_asset_type
    ctr date_start date_stop dda_countby_convs dda_results description_asset device_platform dma
    fidelity_type flexible_format_asset_type frequency frequency_value full_view_impressions
    full_view_reach gen_ai_asset_type hourly_stats_aggregated_by_advertiser_time_zone
    hourly_stats_aggregated_by_audience_time_zone hsid image_asset impression_device impressions
    inline_link_click_ctr inline_link_clicks inline_post_engagement
    instagram_upcoming_event_reminders_set instant_experience_clicks_to_open
    instant_experience_clicks_to_start instant_experience_outbound_clicks
    interactive_component_tap is_auto_advance landing_page_view_per_link_click
    marketing_messages_delivered marketing_messages_delivery_rate
    marketing_messages_read_rate_benchmark media_asset mobile_app_purchase_roas
    multi_event_conversion_attribution_setting objective objective_result_rate
    objective_results optimization_goal outbound_clicks outbound_clicks_ctr platform_position
    postback_sequence_index product_brand_breakdown product_category_breakdown
    product_custom_label_0_breakdown product_custom_label_1_breakdown
    product_custom_label_2_breakdown product_custom_label_3_breakdown
    product_custom_label_4_breakdown product_group_content_id_breakdown
    product_group_retailer_id product_id product_retailer_id product_set_id_breakdown
    product_vendor_id_breakdown product_views publisher_platform purchase_per_landing_page_view
    purchase_roas qualifying_question_qualify_answer_rate reach redownload reels_trending_topic
    result_rate result_values_performance_indicator results rta_ugc_topic rule_asset
    rule_set_id rule_set_name shops_assisted_purchases skan_version social_spend spend
    title_asset total_card_view updated_time user_segment_key video_30_sec_watched_actions
    video_asset video_avg_time_watched_actions video_continuous_2_sec_watched_actions
    video_p100_watched_actions video_p25_watched_actions video_p50_watched_actions
    video_p75_watched_actions video_p95_watched_actions video_play_actions
    video_play_curve_actions video_play_retention_0_to_15s_actions
    video_play_retention_20_to_60s_actions video_play_retention_graph_actions
    video_time_watched_actions website_ctr website_purchase_roas wish_bid
    unique_clicks total_actions estimated_ad_recall_rate video_thruplay_watched_actions
"""
DOCUMENTED_FIELDS = frozenset(_DOCUMENTED_FIELDS_TEXT.split())

# seeds/marketing-api-guide.txt L11641-11648: "cannot be requested when specifying a breakdown".
NO_BREAKDOWN_FIELDS = frozenset(
    {
        "app_store_clicks",
        "newsfeed_avg_position",
        "newsfeed_clicks",
        "relevance_score",
        "newsfeed_impressions",
    }
)

# core-flows.md §4.3: filtering operators seen in the docs, plus Graph's other comparison ones.
FILTER_OPERATORS = frozenset(
    {
        "EQUAL", "NOT_EQUAL", "GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN",
        "LESS_THAN_OR_EQUAL", "IN_RANGE", "NOT_IN_RANGE", "CONTAIN", "NOT_CONTAIN", "IN",
        "NOT_IN", "STARTS_WITH", "ENDS_WITH", "ANY", "ALL", "AFTER", "BEFORE", "NONE",
    }
)  # fmt: skip

# Filterable object attributes (seeds L11485, L11532, L11950, L17281; core-flows.md §4.3).
OBJECT_FILTER_FIELDS = frozenset(
    {
        "ad.id", "adset.id", "campaign.id", "ad.name", "adset.name", "campaign.name",
        "ad.effective_status", "adset.effective_status", "campaign.effective_status",
        "ad.adlabels", "adset.adlabels", "campaign.adlabels", "campaign.objective",
    }
)  # fmt: skip
STATUS_FILTER_FIELDS = frozenset(
    {"ad.effective_status", "adset.effective_status", "campaign.effective_status"}
)

MAX_LOOKBACK_MONTHS = 37  # core-flows.md §4.6: error 3018
REACH_BREAKDOWN_MONTHS = 13  # core-flows.md §4.6: reach omitted with breakdowns past 13 months


# --- lenient decoding of Graph's parameter encodings -------------------------------------------

_BARE_KEY = re.compile(r"([{,]\s*)([A-Za-z_][A-Za-z0-9_.]*)(\s*:)")
_TRAILING_COMMA = re.compile(r",\s*([\]}])")


def parse_json_like(name: str, raw: Any) -> Any:
    """A JSON parameter as Graph accepts it: strict JSON, or the PHP/JS style the docs print
    (`{'since':'2015-03-01'}`, `[{field:"ad.impressions",...},]`)."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    relaxed = text.replace("'", '"')
    relaxed = _BARE_KEY.sub(lambda m: f'{m.group(1)}"{m.group(2)}"{m.group(3)}', relaxed)
    relaxed = _TRAILING_COMMA.sub(r"\1", relaxed)
    try:
        return json.loads(relaxed)
    except ValueError:
        raise invalid_parameter(f"Param {name} must be a valid JSON value") from None


def parse_list(name: str, raw: Any) -> list[Any]:
    """A list sent as JSON (`["age","gender"]`), PHP style (`['1d_click']`) or a comma list."""
    if raw is None:
        return []
    if isinstance(raw, list):
        return raw
    text = str(raw).strip()
    if not text:
        return []
    if text.startswith("["):
        value = parse_json_like(name, text)
        if not isinstance(value, list):
            raise invalid_parameter(f"Param {name} must be an array")
        return value
    return [part.strip() for part in text.split(",") if part.strip()]


def _parse_bool(name: str, raw: Any) -> bool | None:
    if raw is None or raw == "":
        return None
    low = str(raw).strip().lower()
    if low in ("true", "1"):
        return True
    if low in ("false", "0"):
        return False
    raise invalid_parameter(f"Param {name} must be a boolean")


# --- dates ------------------------------------------------------------------------------------


def months_back(day: date, months: int) -> date:
    """The same day of the month `months` earlier (clamped to the month's last day)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def lookback_limit(today: date) -> date:
    """The oldest `since` Graph accepts (37 months back, core-flows.md §4.6)."""
    return months_back(today, MAX_LOOKBACK_MONTHS)


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def preset_range(preset: str, today: date) -> tuple[date, date]:
    """A `date_preset` as [since, until] (both inclusive) in the account's calendar.

    `last_Nd` are the N full days before today; `this_*` include today; `maximum` is the 37-month
    window (the engine narrows it to the first day with data). core-flows.md §4.3.
    """
    yesterday = today - timedelta(days=1)
    if preset == "today":
        return today, today
    if preset == "yesterday":
        return yesterday, yesterday
    if preset.startswith("last_") and preset.endswith("d") and preset[5:-1].isdigit():
        return today - timedelta(days=int(preset[5:-1])), yesterday
    if preset == "this_month":
        return today.replace(day=1), today
    if preset == "last_month":
        end = today.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if preset == "this_quarter":
        return _quarter_start(today), today
    if preset == "last_quarter":
        end = _quarter_start(today) - timedelta(days=1)
        return _quarter_start(end), end
    if preset == "this_year":
        return date(today.year, 1, 1), today
    if preset == "last_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    if preset == "this_week_mon_today":
        return today - timedelta(days=today.weekday()), today
    if preset == "this_week_sun_today":
        return today - timedelta(days=(today.weekday() + 1) % 7), today
    if preset == "last_week_mon_sun":
        start = today - timedelta(days=today.weekday() + 7)
        return start, start + timedelta(days=6)
    if preset == "last_week_sun_sat":
        start = today - timedelta(days=(today.weekday() + 1) % 7 + 7)
        return start, start + timedelta(days=6)
    if preset in ("maximum", "data_maximum"):
        return lookback_limit(today), today
    raise invalid_parameter(f"Unknown date_preset {preset}")  # pragma: no cover (validated)


def _parse_day(name: str, value: Any) -> date:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        # reference: "UNIX timestamp not supported"
        raise invalid_parameter(f"Param {name} must be a date in the format YYYY-MM-DD")
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise invalid_parameter(f"Param {name} is not a valid date") from None


def parse_time_range(name: str, raw: Any, today: date) -> tuple[date, date]:
    value = parse_json_like(name, raw)
    if not isinstance(value, dict):
        raise invalid_parameter(f"Param {name} must be an object with since and until")
    if "since" not in value or "until" not in value:
        raise invalid_parameter(f"Param {name} must contain both since and until")
    since = _parse_day(f"{name}[since]", value["since"])
    until = _parse_day(f"{name}[until]", value["until"])
    if since > until:
        raise invalid_parameter(f"Param {name}: since must be on or before until")
    if since < lookback_limit(today):
        raise GraphError(
            "The start date of the time range cannot be beyond 37 months from the current date",
            code=3018,
        )
    return since, until


# --- filtering and sorting --------------------------------------------------------------------


@dataclass(frozen=True)
class Filter:
    field: str
    operator: str
    value: Any


@dataclass(frozen=True)
class Sort:
    key: str  # a field name, or "actions:<action_type>"
    descending: bool


# --- the validated query ----------------------------------------------------------------------


@dataclass
class InsightsQuery:
    """Everything the engine needs, validated. Dates are in the ad account's time zone."""

    fields: list[str]
    level: str
    ranges: list[tuple[date, date]]  # explicit ranges (time_ranges) or the one period
    time_increment: str | int  # "all_days" | "monthly" | 1-90; ignored with time_ranges
    uses_time_ranges: bool = False
    is_maximum: bool = False  # date_preset=maximum: start at the first day with data
    level_given: bool = False
    breakdowns: list[str] = field(default_factory=list)
    action_breakdowns: list[str] = field(default_factory=lambda: ["action_type"])
    attribution_windows: list[str] = field(default_factory=list)
    filters: list[Filter] = field(default_factory=list)
    filtering_given: bool = False
    sort: Sort | None = None
    summary_fields: list[str] = field(default_factory=list)
    omit_reach: bool = False
    reach_restricted: bool = False  # breakdowns with a start more than 13 months back
    export_format: str | None = None

    @property
    def hourly(self) -> bool:
        return any(b in HOURLY_BREAKDOWNS for b in self.breakdowns)

    def to_json(self) -> dict[str, Any]:
        """A plain snapshot, for storing with a report run."""
        return {
            "fields": self.fields,
            "level": self.level,
            "ranges": [[a.isoformat(), b.isoformat()] for a, b in self.ranges],
            "time_increment": self.time_increment,
            "breakdowns": self.breakdowns,
        }


# GET: "Default behavior is to return impressions and spend" (reference, L15833).
GET_DEFAULT_FIELDS = ("impressions", "spend")
# POST: "a list of most used fields" (reference, POST table) — our choice, see DECISIONS.md.
POST_DEFAULT_FIELDS = ("impressions", "reach", "frequency", "clicks", "spend", "cpm", "cpc", "ctr")

# "Permutations marked with an asterisk can be joined with action_type, action_target_id and
# action_destination" — seeds/marketing-api-guide.txt L11877-11914.
_JOINABLE = frozenset({"action_type", "action_target_id", "action_destination"})
_STAR_COMBOS = [
    frozenset(c)
    for c in (
        {"action_type"}, {"action_target_id"}, {"action_device"},
        {"action_device", "impression_device"}, {"action_device", "publisher_platform"},
        {"action_device", "publisher_platform", "impression_device"},
        {"action_device", "publisher_platform", "platform_position"},
        {"action_device", "publisher_platform", "platform_position", "impression_device"},
        {"age"}, {"gender"}, {"age", "gender"}, {"country"}, {"region"},
        {"publisher_platform"}, {"publisher_platform", "impression_device"},
        {"publisher_platform", "platform_position"},
        {"publisher_platform", "platform_position", "impression_device"}, {"product_id"},
        {"hourly_stats_aggregated_by_advertiser_time_zone"},
        {"hourly_stats_aggregated_by_audience_time_zone"},
    )
]  # fmt: skip
_PLAIN_COMBOS = [
    frozenset(c)
    for c in (
        {"action_converted_product_id"}, {"action_type", "action_converted_product_id"},
        {"action_reaction"}, {"action_type", "action_reaction"},
        {"app_id", "skan_conversion_id"},
    )
]  # fmt: skip
for _card in ("action_carousel_card_id", "action_carousel_card_name"):
    for _extra in (
        (),
        ("impression_device",),
        ("country",),
        ("age",),
        ("gender",),
        ("age", "gender"),
    ):
        _PLAIN_COMBOS.append(frozenset({_card, *_extra}))
_IN_SOME_COMBO = frozenset().union(*_STAR_COMBOS, *_PLAIN_COMBOS)


def combination_allowed(dims: set[str]) -> bool:
    """Whether breakdowns | action_breakdowns form a documented permutation."""
    if not dims:
        return True
    if frozenset(dims) in _PLAIN_COMBOS or frozenset(dims) in _STAR_COMBOS:
        return True
    core = frozenset(dims - _JOINABLE)
    if core in _STAR_COMBOS:
        return True
    # A breakdown that the table never mentions (device_platform, dma, ...) stands alone.
    return len(core) == 1 and not (core & _IN_SOME_COMBO)


def _enum_error(name: str, index: int, value: Any, allowed: frozenset[str]) -> GraphError:
    return invalid_parameter(
        f"{name}[{index}] must be one of the following values: {', '.join(sorted(allowed))}; "
        f"got {value!r}"
    )


def parse_query(
    params: Mapping[str, Any],
    *,
    node_level: str,
    today: date,
    is_async: bool = False,
) -> InsightsQuery:
    """Validate an insights call's parameters (core-flows.md §4.3-4.6, §8 items 37-46).

    `params` holds the raw strings the client sent; `today` is the simulator's date in the ad
    account's time zone. Raises GraphError with Graph's codes (100, 1/99, 3018).
    """
    # fields -------------------------------------------------------------------------------
    raw_fields = params.get("fields")
    fields = [str(f).strip() for f in parse_list("fields", raw_fields)] if raw_fields else []
    if not fields:
        fields = list(POST_DEFAULT_FIELDS if is_async else GET_DEFAULT_FIELDS)
    for name in fields:
        if name not in DOCUMENTED_FIELDS and name not in NO_BREAKDOWN_FIELDS:
            raise invalid_parameter(
                f"{name} is not valid for fields param. please check "
                "https://developers.facebook.com/docs/marketing-api/reference/ads-insights/ "
                "for all valid values"
            )
    fields = list(dict.fromkeys(fields))

    # level ----------------------------------------------------------------------------------
    level_raw = params.get("level")
    level = node_level
    if level_raw not in (None, ""):
        level = str(level_raw).strip().lower()
        if level not in LEVEL_RANK:
            raise invalid_parameter(
                f"level must be one of the following values: {', '.join(LEVELS)}"
            )
        if LEVEL_RANK[level] < LEVEL_RANK[node_level]:
            # core-flows.md §7.2: code 1, subcode 99 "may occur if you set level to adset but
            # the correct value should be campaign".
            raise GraphError("An unknown error occurred", code=1, subcode=99, http_status=500)

    # time -----------------------------------------------------------------------------------
    uses_time_ranges = False
    is_maximum = False
    time_increment: str | int = "all_days"
    raw_ranges = params.get("time_ranges")
    if raw_ranges not in (None, ""):
        items = parse_json_like("time_ranges", raw_ranges)
        if not isinstance(items, list) or not items:
            raise invalid_parameter("Param time_ranges must be a non-empty array of time ranges")
        ranges = [parse_time_range(f"time_ranges[{i}]", r, today) for i, r in enumerate(items)]
        uses_time_ranges = True
    elif params.get("time_range") not in (None, ""):
        ranges = [parse_time_range("time_range", params["time_range"], today)]
    else:
        preset = str(params.get("date_preset") or "last_30d").strip().lower()
        if preset == "lifetime":
            # reference L15809: lifetime "is replaced with date_preset = maximum".
            preset = "maximum"
        if preset not in DATE_PRESETS:
            raise invalid_parameter(
                "date_preset must be one of the following values: "
                + ", ".join(sorted(DATE_PRESETS))
            )
        is_maximum = preset in ("maximum", "data_maximum")
        ranges = [preset_range(preset, today)]
    raw_inc = params.get("time_increment")
    if raw_inc not in (None, "") and not uses_time_ranges:
        text = str(raw_inc).strip().lower()
        if text in ("all_days", "monthly"):
            time_increment = text
        elif text.isdigit() and 1 <= int(text) <= 90:
            time_increment = int(text)
        else:
            raise invalid_parameter(
                "time_increment must be all_days, monthly or an integer between 1 and 90"
            )

    # breakdowns -----------------------------------------------------------------------------
    breakdowns = [str(b).strip() for b in parse_list("breakdowns", params.get("breakdowns"))]
    for i, b in enumerate(breakdowns):
        if b not in BREAKDOWNS:
            raise _enum_error("breakdowns", i, b, BREAKDOWNS)
    breakdowns = list(dict.fromkeys(breakdowns))
    action_given = params.get("action_breakdowns") not in (None, "")
    action_breakdowns = [
        str(b).strip() for b in parse_list("action_breakdowns", params.get("action_breakdowns"))
    ]
    for i, b in enumerate(action_breakdowns):
        if b not in ACTION_BREAKDOWNS:
            raise _enum_error("action_breakdowns", i, b, ACTION_BREAKDOWNS)
    if action_given and "actions" not in fields:
        raise invalid_parameter(
            "you must also include actions field whenever action_breakdowns is specified"
        )
    if breakdowns == ["impression_device"]:
        raise invalid_parameter("The option impression_device cannot be used by itself")
    if "mmm" in breakdowns and (len(breakdowns) > 1 or action_given):
        raise invalid_parameter(
            "The mmm breakdown cannot be combined with other breakdowns or action_breakdowns"
        )
    if "mmm" in breakdowns and level != "adset":
        raise invalid_parameter("The mmm breakdown is only available at the adset level")
    if "mmm" not in breakdowns:
        dims = set(breakdowns) | set(action_breakdowns or ["action_type"])
        if not combination_allowed(dims):
            raise invalid_parameter(
                "Current combination of data breakdown columns ("
                + ",".join(breakdowns + action_breakdowns)
                + ") is invalid"
            )
    if "place_page_id" in breakdowns and level == "account":
        raise invalid_parameter("place_page_id cannot be queried with account-level insights")
    if breakdowns:
        bad = [f for f in fields if f in NO_BREAKDOWN_FIELDS]
        if bad:
            raise invalid_parameter(f"{bad[0]} cannot be requested when specifying a breakdown")
    if any(b in HOURLY_BREAKDOWNS for b in breakdowns):
        bad = [f for f in fields if f.startswith(("unique_", "video_"))]
        if bad:
            raise invalid_parameter(f"{bad[0]} cannot be requested with hourly stats breakdowns")
    if "region" in breakdowns:
        bad = [
            f
            for f in fields
            if f == "video_avg_time_watched_actions"
            or re.fullmatch(r"video_p\d+_watched_actions", f)
        ]
        if bad:
            raise invalid_parameter(f"{bad[0]} does not support the region breakdown")
    if "frequency_value" in breakdowns and any(
        f not in ("reach", "date_start", "date_stop") for f in fields
    ):
        raise invalid_parameter("The frequency_value breakdown is used with reach only")
    for b in breakdowns:
        if b not in SIMULATED_BREAKDOWNS:
            raise invalid_parameter(
                f"The breakdown {b} is valid but not simulated by the local Graph simulator"
            )
    for b in action_breakdowns:
        if b not in SIMULATED_ACTION_BREAKDOWNS:
            raise invalid_parameter(
                f"The action breakdown {b} is valid but not simulated by the local Graph simulator"
            )

    # attribution ----------------------------------------------------------------------------
    windows = [
        str(w).strip()
        for w in parse_list("action_attribution_windows", params.get("action_attribution_windows"))
    ]
    for i, w in enumerate(windows):
        if w not in ATTRIBUTION_WINDOWS:
            raise _enum_error("action_attribution_windows", i, w, ATTRIBUTION_WINDOWS)
    report_time = params.get("action_report_time")
    if report_time not in (None, "") and str(report_time) not in ACTION_REPORT_TIMES:
        raise invalid_parameter(
            "action_report_time must be one of: " + ", ".join(sorted(ACTION_REPORT_TIMES))
        )
    for flag in ("use_account_attribution_setting", "use_unified_attribution_setting"):
        _parse_bool(flag, params.get(flag))  # validated; disregarded since June 10, 2025

    # filtering ------------------------------------------------------------------------------
    filtering_given = params.get("filtering") not in (None, "")
    filters = _parse_filters(params.get("filtering"), breakdowns) if filtering_given else []

    # sort -----------------------------------------------------------------------------------
    sort_items = parse_list("sort", params.get("sort"))
    sort: Sort | None = None
    if len(sort_items) > 1:
        raise invalid_parameter("sort: This array supports no more than one element")
    if sort_items:
        sort = _parse_sort(str(sort_items[0]).strip())

    # summary / export -------------------------------------------------------------------------
    summary_fields = [str(s).strip() for s in parse_list("summary", params.get("summary"))]
    # SDKs send `summary=true` (and `total_count`, which the core's paging answers) on every
    # edge; read `true` as "summarise the requested fields".
    wants_default = "true" in summary_fields
    summary_fields = [s for s in summary_fields if s not in ("true", "total_count")]
    for name in summary_fields:
        if name not in DOCUMENTED_FIELDS:
            raise invalid_parameter(f"{name} is not valid for summary param")
    default_summary = _parse_bool("default_summary", params.get("default_summary"))
    if not summary_fields and (wants_default or default_summary):
        summary_fields = list(fields)
    export_format = params.get("export_format")
    if export_format not in (None, ""):
        export_format = str(export_format).strip().lower()
        if export_format not in ("xls", "csv"):
            raise invalid_parameter('export_format expects one of ["xls", "csv"]')
    else:
        export_format = None
    raw_limit = params.get("limit")
    if raw_limit not in (None, "") and not str(raw_limit).strip().isdigit():
        raise invalid_parameter("Param limit must be a non-negative integer")

    # core-flows.md §4.6: from June 10, 2025, sync queries with breakdowns starting more than
    # 13 months back omit reach, frequency and cpp; async jobs still return them.
    oldest = min(r[0] for r in ranges)
    reach_restricted = bool(breakdowns) and oldest < months_back(today, REACH_BREAKDOWN_MONTHS)
    omit_reach = reach_restricted and not is_async

    return InsightsQuery(
        fields=fields,
        level=level,
        level_given=level_raw not in (None, ""),
        ranges=ranges,
        time_increment=time_increment,
        uses_time_ranges=uses_time_ranges,
        is_maximum=is_maximum,
        breakdowns=breakdowns,
        action_breakdowns=action_breakdowns or ["action_type"],
        attribution_windows=windows,
        filters=filters,
        filtering_given=filtering_given,
        sort=sort,
        summary_fields=summary_fields,
        omit_reach=omit_reach,
        reach_restricted=reach_restricted,
        export_format=export_format,
    )


_NUMERIC_OPERATORS = frozenset(
    {
        "EQUAL", "NOT_EQUAL", "GREATER_THAN", "GREATER_THAN_OR_EQUAL", "LESS_THAN",
        "LESS_THAN_OR_EQUAL", "IN_RANGE", "NOT_IN_RANGE",
    }
)  # fmt: skip


def _parse_filters(raw: Any, breakdowns: list[str]) -> list[Filter]:
    items = parse_json_like("filtering", raw)
    if not isinstance(items, list):
        raise invalid_parameter("Param filtering must be an array of filter objects")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not {"field", "operator", "value"} <= set(item):
            raise invalid_parameter(
                f"filtering[{i}] must be an object with field, operator and value"
            )
        fld = str(item["field"]).strip()
        op = str(item["operator"]).strip().upper()
        value = item["value"]
        if op not in FILTER_OPERATORS:
            raise invalid_parameter(f"filtering[{i}]: unknown operator {op}")
        if fld in ("app_id", "skan_conversion_id"):
            # seeds L11734: "Filtering app_id and skan_conversion_id ... is currently not supported"
            raise invalid_parameter(f"Filtering on {fld} is not supported")
        metric = fld.split(".", 1)[1] if fld.startswith("ad.") else fld
        if fld in OBJECT_FILTER_FIELDS:
            if op in ("IN", "NOT_IN", "ANY", "ALL", "NONE") and not isinstance(value, list):
                raise invalid_parameter(f"filtering[{i}]: {op} expects an array value")
        elif fld in BREAKDOWNS:
            if fld not in breakdowns:
                raise invalid_parameter(
                    f"filtering[{i}]: {fld} can only be filtered when it is a breakdown"
                )
        elif metric in DOCUMENTED_FIELDS:
            if op not in _NUMERIC_OPERATORS:
                raise invalid_parameter(f"filtering[{i}]: {op} is not valid for field {fld}")
            try:
                if op in ("IN_RANGE", "NOT_IN_RANGE"):
                    lo, hi = value
                    float(lo), float(hi)
                else:
                    float(value)
            except (TypeError, ValueError):
                raise invalid_parameter(f"filtering[{i}]: value must be a number") from None
        else:
            raise invalid_parameter(f"filtering[{i}]: {fld} is not a valid filtering field")
        out.append(Filter(fld, op, value))
    return out


def _parse_sort(text: str) -> Sort:
    descending = False
    key = text
    if text.endswith("_descending"):
        key, descending = text[: -len("_descending")], True
    elif text.endswith("_ascending"):
        key = text[: -len("_ascending")]
    if key.startswith("actions:") and len(key) > len("actions:"):
        return Sort(key, descending)
    if key not in DOCUMENTED_FIELDS:
        raise invalid_parameter(f"sort: {key} is not a sortable field")
    return Sort(key, descending)
