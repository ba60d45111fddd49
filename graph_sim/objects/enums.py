"""Enum values the Marketing API accepts for campaigns, ad sets, ads, creatives and previews."""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# reference.md §3.1 (seed guide L15640-15690)
OBJECTIVES = frozenset(
    {
        "APP_INSTALLS",
        "BRAND_AWARENESS",
        "CONVERSIONS",
        "EVENT_RESPONSES",
        "LEAD_GENERATION",
        "LINK_CLICKS",
        "LOCAL_AWARENESS",
        "MESSAGES",
        "OFFER_CLAIMS",
        "OUTCOME_APP_PROMOTION",
        "OUTCOME_AWARENESS",
        "OUTCOME_ENGAGEMENT",
        "OUTCOME_LEADS",
        "OUTCOME_SALES",
        "OUTCOME_TRAFFIC",
        "PAGE_LIKES",
        "POST_ENGAGEMENT",
        "PRODUCT_CATALOG_SALES",
        "REACH",
        "STORE_VISITS",
        "VIDEO_VIEWS",
    }
)

SPECIAL_AD_CATEGORIES = frozenset(
    {
        "NONE",
        "EMPLOYMENT",
        "HOUSING",
        "CREDIT",
        "ISSUES_ELECTIONS_POLITICS",
        "ONLINE_GAMBLING_AND_GAMING",
        "FINANCIAL_PRODUCTS_SERVICES",
    }
)

CONFIGURED_STATUSES = ("ACTIVE", "PAUSED", "DELETED", "ARCHIVED")
CREATE_STATUSES = frozenset({"ACTIVE", "PAUSED"})

# core-flows.md §2.5, post-processing.txt (the order of [001])
EFFECTIVE_STATUSES = (
    "ACTIVE",
    "PAUSED",
    "DELETED",
    "PENDING_REVIEW",
    "DISAPPROVED",
    "PREAPPROVED",
    "PENDING_BILLING_INFO",
    "CAMPAIGN_PAUSED",
    "ARCHIVED",
    "ADSET_PAUSED",
    "WITH_ISSUES",
    "IN_PROCESS",
)

BUYING_TYPES = frozenset({"AUCTION", "RESERVED", "FIXED_CPM"})

BID_STRATEGIES = frozenset(
    {"LOWEST_COST_WITHOUT_CAP", "LOWEST_COST_WITH_BID_CAP", "COST_CAP", "LOWEST_COST_WITH_MIN_ROAS"}
)
# reference.md §3.2: bid_amount is "required if bid_strategy is set to
# LOWEST_COST_WITH_BID_CAP or COST_CAP"
CAP_BID_STRATEGIES = frozenset({"LOWEST_COST_WITH_BID_CAP", "COST_CAP"})

BILLING_EVENTS = frozenset(
    {
        "APP_INSTALLS",
        "CLICKS",
        "IMPRESSIONS",
        "LINK_CLICKS",
        "NONE",
        "OFFER_CLAIMS",
        "PAGE_LIKES",
        "POST_ENGAGEMENT",
        "THRUPLAY",
        "PURCHASE",
        "LISTING_INTERACTION",
    }
)

OPTIMIZATION_GOALS = frozenset(
    {
        "NONE",
        "APP_INSTALLS",
        "AD_RECALL_LIFT",
        "ENGAGED_USERS",
        "EVENT_RESPONSES",
        "IMPRESSIONS",
        "LEAD_GENERATION",
        "QUALITY_LEAD",
        "LINK_CLICKS",
        "OFFSITE_CONVERSIONS",
        "PAGE_LIKES",
        "POST_ENGAGEMENT",
        "QUALITY_CALL",
        "REACH",
        "LANDING_PAGE_VIEWS",
        "VISIT_INSTAGRAM_PROFILE",
        "VALUE",
        "THRUPLAY",
        "DERIVED_EVENTS",
        "APP_INSTALLS_AND_OFFSITE_CONVERSIONS",
        "CONVERSATIONS",
        "IN_APP_VALUE",
        "MESSAGING_PURCHASE_CONVERSION",
        "SUBSCRIBERS",
        "REMINDERS_SET",
        "MEANINGFUL_CALL_ATTEMPT",
        "PROFILE_VISIT",
        "PROFILE_AND_PAGE_ENGAGEMENT",
        "ADVERTISER_SILOED_VALUE",
        "AUTOMATIC_OBJECTIVE",
        "MESSAGING_APPOINTMENT_CONVERSION",
        # Not in the reference's enum, but in the Reels table (marketing-api-guide.txt L10746).
        "TWO_SECOND_CONTINUOUS_VIDEO_VIEWS",
    }
)

DESTINATION_TYPES = frozenset(
    {
        "WEBSITE",
        "APP",
        "MESSENGER",
        "APPLINKS_AUTOMATIC",
        "WHATSAPP",
        "INSTAGRAM_DIRECT",
        "FACEBOOK",
        "MESSAGING_MESSENGER_WHATSAPP",
        "MESSAGING_INSTAGRAM_DIRECT_MESSENGER",
        "MESSAGING_INSTAGRAM_DIRECT_MESSENGER_WHATSAPP",
        "MESSAGING_INSTAGRAM_DIRECT_WHATSAPP",
        "SHOP_AUTOMATIC",
        "ON_AD",
        "ON_POST",
        "ON_EVENT",
        "ON_VIDEO",
        "ON_PAGE",
        "INSTAGRAM_PROFILE",
        "FACEBOOK_PAGE",
        "INSTAGRAM_PROFILE_AND_FACEBOOK_PAGE",
        "INSTAGRAM_LIVE",
        "FACEBOOK_LIVE",
        "IMAGINE",
    }
)

CAMPAIGN_EXECUTION_OPTIONS = frozenset({"validate_only", "include_recommendations"})
AD_EXECUTION_OPTIONS = frozenset(
    {"validate_only", "synchronous_ad_review", "include_recommendations"}
)
CREATIVE_EXECUTION_OPTIONS = frozenset({"validate_only"})

# creatives-and-media.md §3.2 (seed values plus the [EXT] ones it lists)
PUBLISHER_PLATFORMS = frozenset(
    {"facebook", "instagram", "messenger", "audience_network", "threads"}
)
POSITIONS = {
    "facebook_positions": frozenset(
        {
            "feed",
            "right_hand_column",
            "marketplace",
            "video_feeds",
            "search",
            "story",
            "notification",
            "instream_video",
            "facebook_reels",
            "facebook_reels_overlay",
            "profile_feed",
            "instant_article",
        }
    ),
    "instagram_positions": frozenset(
        {
            "stream",
            "story",
            "explore",
            "explore_home",
            "profile_feed",
            "ig_search",
            "reels",
            "profile_reels",
        }
    ),
    "threads_positions": frozenset({"threads_stream"}),
    "messenger_positions": frozenset({"sponsored_messages", "story", "messenger_home"}),
    "audience_network_positions": frozenset({"classic", "instream_video", "rewarded_video"}),
    "device_platforms": frozenset({"mobile", "desktop"}),
}

# The keys of geo_locations that name a place; at least one must be present.
GEO_LOCATION_KEYS = frozenset(
    {
        "countries",
        "regions",
        "cities",
        "zips",
        "places",
        "custom_locations",
        "geo_markets",
        "electoral_districts",
        "country_groups",
        "neighborhoods",
        "subcities",
        "large_geo_areas",
        "medium_geo_areas",
        "small_geo_areas",
        "metro_areas",
    }
)

OBJECT_STORY_CONTENT_KEYS = ("link_data", "photo_data", "video_data", "text_data", "template_data")

# creatives-and-media.md §2.0 [EXT: SDK enum]
CALL_TO_ACTION_TYPES = _words(
    """ADD_TO_CART APPLY_NOW ASK_ABOUT_SERVICES ASK_FOR_MORE_INFO AUDIO_CALL BOOK_A_CONSULTATION
    BOOK_NOW BOOK_TRAVEL BUY BUY_NOW BUY_TICKETS BUY_VIA_MESSAGE CALL CALL_ME CALL_NOW
    CHAT_WITH_US CONFIRM CONTACT CONTACT_US DONATE DONATE_NOW DOWNLOAD EVENT_RSVP FIND_A_GROUP
    FIND_YOUR_GROUPS FOLLOW_NEWS_STORYLINE FOLLOW_PAGE FOLLOW_USER GET_A_QUOTE GET_DIRECTIONS
    GET_IN_TOUCH GET_OFFER GET_OFFER_VIEW GET_PROMOTIONS GET_QUOTE GET_SHOWTIMES GET_STARTED
    INQUIRE_NOW INSTALL_APP INSTALL_MOBILE_APP JOIN_CHANNEL LEARN_MORE LIKE_PAGE LISTEN_MUSIC
    LISTEN_NOW MAKE_AN_APPOINTMENT MESSAGE_PAGE MOBILE_DOWNLOAD NO_BUTTON OPEN_INSTANT_APP
    OPEN_LINK ORDER_NOW PAY_TO_ACCESS PLAY_GAME PLAY_GAME_ON_FACEBOOK PURCHASE_GIFT_CARDS
    RAISE_MONEY RECORD_NOW REFER_FRIENDS REQUEST_TIME SAY_THANKS SEE_MORE SELL_NOW SEND_A_GIFT
    SEND_GIFT_MONEY SEND_UPDATES SHARE SHOP_NOW SIGN_UP SOTTO_SUBSCRIBE START_ORDER SUBSCRIBE
    SWIPE_UP_PRODUCT SWIPE_UP_SHOP UPDATE_APP USE_APP USE_MOBILE_APP VIDEO_ANNOTATION VIDEO_CALL
    VIEW_CHANNEL VIEW_PRODUCT VISIT_PAGES_FEED WATCH_LIVE_VIDEO WATCH_MORE WATCH_VIDEO
    WHATSAPP_MESSAGE WOODHENGE_SUPPORT"""
)

ENROLL_STATUSES = frozenset({"OPT_IN", "OPT_OUT"})
AUTHORIZATION_CATEGORIES = frozenset(
    {"NONE", "POLITICAL", "POLITICAL_WITH_DIGITALLY_CREATED_MEDIA"}
)

COPY_STATUS_OPTIONS = frozenset({"ACTIVE", "PAUSED", "INHERITED_FROM_SOURCE"})
RENAME_STRATEGIES = frozenset({"DEEP_RENAME", "ONLY_TOP_LEVEL_RENAME", "NO_RENAME"})

# reference.md §3.10 (seed L15753): the ad_format enum of generatepreviews
AD_FORMATS = _words(
    """AUDIENCE_NETWORK_INSTREAM_VIDEO AUDIENCE_NETWORK_INSTREAM_VIDEO_MOBILE
    AUDIENCE_NETWORK_OUTSTREAM_VIDEO AUDIENCE_NETWORK_REWARDED_VIDEO BIZ_DISCO_FEED_MOBILE
    DESKTOP_FEED_STANDARD FACEBOOK_IFU_REELS_MOBILE FACEBOOK_PROFILE_FEED_DESKTOP
    FACEBOOK_PROFILE_FEED_MOBILE FACEBOOK_PROFILE_REELS_MOBILE FACEBOOK_REELS_BANNER
    FACEBOOK_REELS_BANNER_DESKTOP FACEBOOK_REELS_BANNER_FEED_ANDROID
    FACEBOOK_REELS_BANNER_FEED_ANDROID_LARGE FACEBOOK_REELS_BANNER_FULLSCREEN_IOS
    FACEBOOK_REELS_BANNER_FULLSCREEN_MOBILE FACEBOOK_REELS_MOBILE FACEBOOK_REELS_POSTLOOP
    FACEBOOK_REELS_POSTLOOP_FEED FACEBOOK_REELS_STICKER FACEBOOK_STORY_MOBILE
    FACEBOOK_STORY_STICKER_MOBILE INSTAGRAM_EXPLORE_CONTEXTUAL INSTAGRAM_EXPLORE_GRID_HOME
    INSTAGRAM_EXPLORE_IMMERSIVE INSTAGRAM_FEED_WEB INSTAGRAM_FEED_WEB_M_SITE
    INSTAGRAM_LEAD_GEN_MULTI_SUBMIT_ADS INSTAGRAM_PROFILE_FEED INSTAGRAM_PROFILE_REELS
    INSTAGRAM_REELS INSTAGRAM_REELS_INSTREAM INSTAGRAM_REELS_OVERLAY INSTAGRAM_REELS_WEB
    INSTAGRAM_REELS_WEB_M_SITE INSTAGRAM_SEARCH_CHAIN INSTAGRAM_SEARCH_GRID INSTAGRAM_STANDARD
    INSTAGRAM_STORY INSTAGRAM_STORY_EFFECT_TRAY INSTAGRAM_STORY_WEB INSTAGRAM_STORY_WEB_M_SITE
    INSTANT_ARTICLE_RECIRCULATION_AD INSTANT_ARTICLE_STANDARD INSTREAM_BANNER_DESKTOP
    INSTREAM_BANNER_FEED_IOS INSTREAM_BANNER_FULLSCREEN_IOS INSTREAM_BANNER_FULLSCREEN_MOBILE
    INSTREAM_BANNER_IMMERSIVE_MOBILE INSTREAM_BANNER_MOBILE INSTREAM_VIDEO_DESKTOP
    INSTREAM_VIDEO_FULLSCREEN_IOS INSTREAM_VIDEO_FULLSCREEN_MOBILE INSTREAM_VIDEO_IMAGE
    INSTREAM_VIDEO_IMMERSIVE_MOBILE INSTREAM_VIDEO_MOBILE JOB_BROWSER_DESKTOP JOB_BROWSER_MOBILE
    MARKETPLACE_MOBILE MESSENGER_MOBILE_INBOX_MEDIA MESSENGER_MOBILE_STORY_MEDIA MOBILE_BANNER
    MOBILE_FEED_BASIC MOBILE_FEED_STANDARD MOBILE_FULLWIDTH MOBILE_INTERSTITIAL
    MOBILE_MEDIUM_RECTANGLE MOBILE_NATIVE RIGHT_COLUMN_STANDARD SUGGESTED_VIDEO_DESKTOP
    SUGGESTED_VIDEO_FULLSCREEN_MOBILE SUGGESTED_VIDEO_IMMERSIVE_MOBILE SUGGESTED_VIDEO_MOBILE
    WATCH_FEED_HOME WATCH_FEED_MOBILE"""
)

# Optimisation goals allowed per outcome-based (ODAX) objective. The seeds link the ODAX mapping
# table but print only marketing-api-guide.txt L10746 "Placement Targeting: Reels Available
# Positions, Compatible Objectives, and Optimization Goals" (Facebook and Instagram Reels rows,
# united here), plus: OFFSITE_CONVERSIONS for traffic (L6620 "You must set the
# optimization_goal to OFFSITE_CONVERSIONS for OUTCOME_SALES, OUTCOME_ENGAGEMENT, OUTCOME_LEADS,
# and OUTCOME_TRAFFIC"), VALUE for sales (L5232); [EXT] VALUE and IMPRESSIONS for app
# promotion, QUALITY_CALL and CONVERSATIONS for leads (DECISIONS.md "Optimisation goals").
GOALS_BY_OBJECTIVE: dict[str, frozenset[str]] = {
    "OUTCOME_APP_PROMOTION": frozenset(
        {"LINK_CLICKS", "OFFSITE_CONVERSIONS", "APP_INSTALLS", "VALUE", "IMPRESSIONS"}
    ),
    "OUTCOME_AWARENESS": frozenset(
        {"REACH", "IMPRESSIONS", "AD_RECALL_LIFT", "THRUPLAY", "TWO_SECOND_CONTINUOUS_VIDEO_VIEWS"}
    ),
    "OUTCOME_LEADS": frozenset(
        {
            "OFFSITE_CONVERSIONS",
            "LANDING_PAGE_VIEWS",
            "LINK_CLICKS",
            "REACH",
            "IMPRESSIONS",
            "LEAD_GENERATION",
            "QUALITY_LEAD",
            "QUALITY_CALL",
            "CONVERSATIONS",
        }
    ),
    "OUTCOME_TRAFFIC": frozenset(
        {
            "LINK_CLICKS",
            "LANDING_PAGE_VIEWS",
            "REACH",
            "CONVERSATIONS",
            "IMPRESSIONS",
            "VISIT_INSTAGRAM_PROFILE",
            "QUALITY_CALL",
            "OFFSITE_CONVERSIONS",
        }
    ),
    "OUTCOME_ENGAGEMENT": frozenset(
        {
            "CONVERSATIONS",
            "LINK_CLICKS",
            "THRUPLAY",
            "TWO_SECOND_CONTINUOUS_VIDEO_VIEWS",
            "POST_ENGAGEMENT",
            "REACH",
            "IMPRESSIONS",
            "EVENT_RESPONSES",
            "QUALITY_CALL",
            "OFFSITE_CONVERSIONS",
            "LANDING_PAGE_VIEWS",
            "PAGE_LIKES",
            "REMINDERS_SET",
        }
    ),
    "OUTCOME_SALES": frozenset(
        {
            "OFFSITE_CONVERSIONS",
            "LANDING_PAGE_VIEWS",
            "LINK_CLICKS",
            "REACH",
            "IMPRESSIONS",
            "CONVERSATIONS",
            "QUALITY_CALL",
            "VALUE",
        }
    ),
}

# Billing events per optimisation goal. The seeds link the "billing event and optimization goal"
# validation rules (marketing-api-guide.txt L3115, L7695) without printing them; they show
# IMPRESSIONS billing with every goal (oCPM, L12130), LINK_CLICKS/LINK_CLICKS (L15111), and
# "The billing event cannot be App Install if the Optimization goal is App Install" (L15099).
# [EXT] the matching per-event billing for the goals that have one, as Graph's rules have it.
BILLING_BY_GOAL: dict[str, frozenset[str]] = {
    "LINK_CLICKS": frozenset({"IMPRESSIONS", "LINK_CLICKS", "CLICKS"}),
    "THRUPLAY": frozenset({"IMPRESSIONS", "THRUPLAY"}),
    "POST_ENGAGEMENT": frozenset({"IMPRESSIONS", "POST_ENGAGEMENT"}),
    "PAGE_LIKES": frozenset({"IMPRESSIONS", "PAGE_LIKES"}),
    "IMPRESSIONS": frozenset({"IMPRESSIONS"}),
}
DEFAULT_BILLING = frozenset({"IMPRESSIONS"})

# Goals that need a promoted object, and which keys satisfy them (reference.md §3.2 table
# "promoted_object by objective"; marketing-api-guide.txt L5233 for VALUE).
PROMOTED_OBJECT_NEEDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "OFFSITE_CONVERSIONS": (
        ("pixel_id",),
        ("application_id", "object_store_url"),
        ("offline_conversion_data_set_id",),
        ("event_id",),
        ("product_set_id",),
    ),
    "VALUE": (("pixel_id", "custom_event_type"), ("application_id", "object_store_url")),
    "APP_INSTALLS": (("application_id", "object_store_url"),),
    "LEAD_GENERATION": (("page_id",),),
    "QUALITY_LEAD": (("page_id",),),
    "PAGE_LIKES": (("page_id",),),
}
