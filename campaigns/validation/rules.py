"""The tables the builder's rules come from, each citing the doc it follows
(/work/shared/graph-api: core-flows.md, reference.md, creatives-and-media.md)."""

from __future__ import annotations

import re

from campaigns import money

OBJECTIVES = (
    "OUTCOME_TRAFFIC", "OUTCOME_SALES", "OUTCOME_LEADS", "OUTCOME_AWARENESS",
    "OUTCOME_ENGAGEMENT", "OUTCOME_APP_PROMOTION",
)  # fmt: skip

# reference.md §3.1 special_ad_categories ([] when none applies; NONE is the legacy spelling).
SPECIAL_AD_CATEGORIES = frozenset({
    "EMPLOYMENT", "HOUSING", "CREDIT", "ISSUES_ELECTIONS_POLITICS",
    "ONLINE_GAMBLING_AND_GAMING", "FINANCIAL_PRODUCTS_SERVICES",
})  # fmt: skip
# Categories whose audiences Meta restricts (no age/gender narrowing, no zip codes, radius >= 15
# miles): housing, employment and credit (Meta's special ad category policy).
RESTRICTED_CATEGORIES = frozenset({"HOUSING", "EMPLOYMENT", "CREDIT"})
RESTRICTED_MIN_RADIUS_MILES = 15

# Optimisation goals per outcome objective (creatives-and-media.md §3.3, the seed's matrix
# S:L10738-10830, with the goals it lists for one platform only).
GOALS_BY_OBJECTIVE: dict[str, tuple[str, ...]] = {
    "OUTCOME_AWARENESS": ("REACH", "IMPRESSIONS", "AD_RECALL_LIFT", "THRUPLAY"),
    "OUTCOME_TRAFFIC": ("LINK_CLICKS", "LANDING_PAGE_VIEWS", "REACH", "CONVERSATIONS",
                        "IMPRESSIONS", "VISIT_INSTAGRAM_PROFILE", "QUALITY_CALL"),
    "OUTCOME_ENGAGEMENT": ("POST_ENGAGEMENT", "CONVERSATIONS", "LINK_CLICKS", "THRUPLAY", "REACH",
                           "IMPRESSIONS", "OFFSITE_CONVERSIONS", "LANDING_PAGE_VIEWS",
                           "REMINDERS_SET", "EVENT_RESPONSES", "QUALITY_CALL", "PAGE_LIKES"),
    "OUTCOME_LEADS": ("LEAD_GENERATION", "QUALITY_LEAD", "OFFSITE_CONVERSIONS",
                      "LANDING_PAGE_VIEWS", "LINK_CLICKS", "REACH", "IMPRESSIONS"),
    "OUTCOME_SALES": ("OFFSITE_CONVERSIONS", "VALUE", "LANDING_PAGE_VIEWS", "LINK_CLICKS", "REACH",
                      "IMPRESSIONS", "CONVERSATIONS", "QUALITY_CALL"),
    "OUTCOME_APP_PROMOTION": ("APP_INSTALLS", "APP_INSTALLS_AND_OFFSITE_CONVERSIONS",
                              "OFFSITE_CONVERSIONS", "LINK_CLICKS", "VALUE"),
}  # fmt: skip

# Billing events: IMPRESSIONS always; paying per result only where the goal is that result.
# The simulator (and Graph) refuse APP_INSTALLS billing for the APP_INSTALLS goal.
BILLING_BY_GOAL: dict[str, tuple[str, ...]] = {
    "LINK_CLICKS": ("IMPRESSIONS", "LINK_CLICKS"),
    "THRUPLAY": ("IMPRESSIONS", "THRUPLAY"),
    "POST_ENGAGEMENT": ("IMPRESSIONS", "POST_ENGAGEMENT"),
    "PAGE_LIKES": ("IMPRESSIONS", "PAGE_LIKES"),
}
DEFAULT_BILLING = ("IMPRESSIONS",)

# reference.md §3.2: bid_amount "required if bid_strategy is LOWEST_COST_WITH_BID_CAP or
# COST_CAP". LOWEST_COST_WITH_MIN_ROAS needs bid_constraints the builder does not offer.
BID_STRATEGIES = ("LOWEST_COST_WITHOUT_CAP", "LOWEST_COST_WITH_BID_CAP", "COST_CAP")
CAP_BID_STRATEGIES = frozenset({"LOWEST_COST_WITH_BID_CAP", "COST_CAP"})

# The promoted object each objective/goal needs (core-flows.md §2.2, reference.md §3.2).
PROMOTED_OBJECT_NEEDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("OUTCOME_SALES", "OFFSITE_CONVERSIONS"): ("pixel_id", "custom_event_type"),
    ("OUTCOME_SALES", "VALUE"): ("pixel_id", "custom_event_type"),
    ("OUTCOME_LEADS", "LEAD_GENERATION"): ("page_id",),
    ("OUTCOME_LEADS", "QUALITY_LEAD"): ("page_id",),
    ("OUTCOME_LEADS", "OFFSITE_CONVERSIONS"): ("pixel_id", "custom_event_type"),
    ("OUTCOME_ENGAGEMENT", "PAGE_LIKES"): ("page_id",),
    ("OUTCOME_APP_PROMOTION", "APP_INSTALLS"): ("application_id", "object_store_url"),
    ("OUTCOME_APP_PROMOTION", "APP_INSTALLS_AND_OFFSITE_CONVERSIONS"): (
        "application_id", "object_store_url"),
    ("OUTCOME_APP_PROMOTION", "OFFSITE_CONVERSIONS"): ("application_id", "object_store_url"),
    ("OUTCOME_APP_PROMOTION", "LINK_CLICKS"): ("application_id", "object_store_url"),
    ("OUTCOME_APP_PROMOTION", "VALUE"): ("application_id", "object_store_url"),
}  # fmt: skip

# creatives-and-media.md §5 (OUTCOME_SALES row): the standard pixel events a website conversion
# ad set optimises for (`promoted_object.custom_event_type`).
PIXEL_EVENTS = (
    "PURCHASE", "ADD_TO_CART", "INITIATED_CHECKOUT", "ADD_PAYMENT_INFO", "ADD_TO_WISHLIST",
    "CONTENT_VIEW", "COMPLETE_REGISTRATION", "LEAD", "DONATE", "START_TRIAL", "SUBSCRIBE",
    "SEARCH", "OTHER",
)  # fmt: skip

# Ages Meta lets advertisers target (18-65; 65 means 65+).
AGE_MIN, AGE_MAX = 18, 65

# creatives-and-media.md §3.2: platforms and their positions.
PUBLISHER_PLATFORMS = ("facebook", "instagram", "messenger", "audience_network", "threads")
POSITIONS: dict[str, tuple[str, ...]] = {
    "facebook_positions": ("feed", "right_hand_column", "marketplace", "video_feeds", "search",
                           "story", "instream_video", "facebook_reels", "profile_feed"),
    "instagram_positions": ("stream", "story", "explore", "explore_home", "profile_feed",
                            "ig_search", "reels", "profile_reels"),
    "messenger_positions": ("sponsored_messages", "story"),
    "audience_network_positions": ("classic", "instream_video", "rewarded_video"),
    "threads_positions": ("threads_stream",),
}  # fmt: skip
PLATFORM_OF_POSITIONS = {
    "facebook_positions": "facebook", "instagram_positions": "instagram",
    "messenger_positions": "messenger", "audience_network_positions": "audience_network",
    "threads_positions": "threads",
}  # fmt: skip
DEVICE_PLATFORMS = ("mobile", "desktop")

# EU member states: the EU Digital Services Act needs a beneficiary and payor on ad sets that
# reach them (core-flows.md §8, error 3858152).
EU_COUNTRIES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
})  # fmt: skip

# creatives-and-media.md §2: text limits Graph enforces (the larger documented body limit,
# 4096; titles and descriptions 255), and the lengths Meta truncates at in placements (shown
# as guidance by the live counters, not enforced).
TEXT_LIMITS = {"message": 4096, "headline": 255, "description": 255}
TEXT_RECOMMENDED = {"message": 125, "headline": 40, "description": 30}
CARD_TEXT_LIMITS = {"headline": 255, "description": 255}
CAROUSEL_MIN, CAROUSEL_MAX = 2, 10
URL_TAGS_MAX = 1024
NAME_MAX = 400  # reference.md §3.2: "max length of 400 characters"

# creatives-and-media.md §2.0 call-to-action types the builder offers (a subset of the enum).
CTA_TYPES = (
    "LEARN_MORE", "SHOP_NOW", "SIGN_UP", "BOOK_NOW", "CONTACT_US", "DOWNLOAD", "GET_OFFER",
    "GET_QUOTE", "SUBSCRIBE", "APPLY_NOW", "ORDER_NOW", "BUY_NOW", "INSTALL_MOBILE_APP",
    "USE_APP", "WATCH_MORE", "SEE_MORE", "MESSAGE_PAGE", "CALL_NOW", "NO_BUTTON",
)  # fmt: skip
ENROLL_STATUSES = ("OPT_IN", "OPT_OUT")

# Minimum daily budget in minor units when the account has not told us its own
# (`min_daily_budget` on the ad account, reference.md §2.3): 1.00 in most currencies.
DEFAULT_MIN_DAILY_MINOR = 100
# reference.md §3.1: spend_cap "minimum value of $100 USD" (only the dollar figure is given).
SPEND_CAP_MIN_USD_MINOR = 100 * 100

URL_RE = re.compile(r"^https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d+)?(/[^\s]*)?$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
NUMERIC_ID_RE = re.compile(r"^\d{1,32}$")
POST_ID_RE = re.compile(r"^\d{1,32}_\d{1,32}$")
URL_TAGS_RE = re.compile(r"^[^?&=\s]+=[^&\s]*(&[^?&=\s]+=[^&\s]*)*$")


def minor_per_major(currency: str) -> int:
    return money.minor_per_major(currency)
