"""Reads of the user, businesses, pages, Instagram and ad accounts (reference.md §1.1, §2.3)."""

from __future__ import annotations

from typing import Any

from graph_sim.core import (
    SimRequest,
    edge_fields,
    edge_names,
    node_edge,
    node_reader,
    node_updater,
    paginate,
    render_fields,
)
from graph_sim.currency import minor_per_major
from graph_sim.errors import GraphError, invalid_parameter
from graph_sim.state import AdAccount, App, Business, InstagramAccount, Page, User

# reference.md §2.3: the fields we model; `id` and `account_id` are the defaults.
AD_ACCOUNT_DEFAULTS = ("id", "account_id")


def ad_account_json(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    """The ad account as Graph shows it: money as numeric strings in the basic unit,
    status codes as integers (reference.md §10 item 6)."""
    world = req.world
    business = world.businesses.get(account.business_id or "")
    return {
        "id": account.id,
        "account_id": account.account_id,
        "name": account.name,
        "currency": account.currency,
        "timezone_name": account.timezone_name,
        "timezone_offset_hours_utc": account.timezone_offset_hours_utc,
        "timezone_id": account.timezone_id,
        "account_status": account.account_status,
        "disable_reason": account.disable_reason,
        "amount_spent": str(account.amount_spent),
        "balance": str(account.balance),
        "spend_cap": str(account.spend_cap),
        "business": {"id": business.id, "name": business.name} if business else None,
        "business_name": business.name if business else None,
        "owner": account.owner,
        "created_time": req.sim.clock.iso(account.created_time),
        "age": round((req.now() - account.created_time) / 86400.0, 2),
        "min_daily_budget": account.min_daily_budget,
        "funding_source": account.funding_source,
        "is_personal": account.is_personal,
        "is_prepay_account": False,
        "is_notifications_enabled": True,
        "default_dsa_payor": account.default_dsa_payor,
        "default_dsa_beneficiary": account.default_dsa_beneficiary,
        "end_advertiser": account.end_advertiser,
        "media_agency": account.media_agency,
        "partner": account.partner,
        "capabilities": [],
        "user_tasks": ["MANAGE", "ADVERTISE", "ANALYZE"],
        "tos_accepted": {"web_custom_audience_tos": 1},
    }


# reference.md §2.3: every readable field. Those we do not model are accepted and left out (as
# Graph leaves out unset fields); anything else is error 100, as in Graph.
AD_ACCOUNT_FIELDS = frozenset(
    [
        "id",
        "account_id",
        "account_status",
        "ad_account_promotable_objects",
        "age",
        "agency_client_declaration",
        "amount_spent",
        "attribution_spec",
        "balance",
        "brand_safety_content_filter_levels",
        "business",
        "business_city",
        "business_country_code",
        "business_name",
        "business_state",
        "business_street",
        "business_street2",
        "business_zip",
        "can_create_brand_lift_study",
        "capabilities",
        "created_time",
        "currency",
        "default_dsa_beneficiary",
        "default_dsa_payor",
        "direct_deals_tos_accepted",
        "disable_reason",
        "end_advertiser",
        "end_advertiser_name",
        "existing_customers",
        "expired_funding_source_details",
        "funding_source_details",
        "extended_credit_invoice_group",
        "failed_delivery_checks",
        "fb_entity",
        "funding_source",
        "has_migrated_permissions",
        "has_page_authorized_adaccount",
        "io_number",
        "is_attribution_spec_system_default",
        "is_direct_deals_enabled",
        "is_in_3ds_authorization_enabled_market",
        "is_notifications_enabled",
        "is_personal",
        "is_prepay_account",
        "is_tax_id_required",
        "line_numbers",
        "media_agency",
        "min_campaign_group_spend_cap",
        "min_daily_budget",
        "name",
        "offsite_pixels_tos_accepted",
        "opportunity_score",
        "owner",
        "partner",
        "rf_spec",
        "show_checkout_experience",
        "spend_cap",
        "tax_id",
        "tax_id_status",
        "tax_id_type",
        "timezone_id",
        "timezone_name",
        "timezone_offset_hours_utc",
        "tos_accepted",
        "user_tasks",
        "user_tos_accepted",
    ]
)


def render_ad_account(req: SimRequest, account: AdAccount, defaults=AD_ACCOUNT_DEFAULTS):
    """One ad account through `fields=`, with its GET edges (campaigns, insights, ...) expandable
    as fields (`fields=name,campaigns.limit(2){name}`)."""
    body: dict[str, Any] = ad_account_json(req, account)
    body.update(edge_fields(req, "adaccount", account))
    return render_fields(
        body,
        req.fields,
        defaults,
        known_fields=AD_ACCOUNT_FIELDS | edge_names("adaccount"),
        node_type="AdAccount",
    )


@node_reader("adaccount")
def read_ad_account(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    # reference.md §2.3 / §10 item 5: no fields → {"id": "act_<n>", "account_id": "<n>"}.
    return render_ad_account(req, account)


def user_json(req: SimRequest, user: User) -> dict[str, Any]:
    return {"id": user.id, "name": user.name}


@node_reader("user")
@node_reader("system_user")
def read_user(req: SimRequest, user: User) -> dict[str, Any]:
    if req.token is None or req.token.user_id != user.id:
        raise GraphError(
            f"Unsupported get request. Object with ID '{user.id}' does not exist, cannot be "
            "loaded due to missing permissions, or does not support this operation.",
            code=100,
            subcode=33,
            type="GraphMethodException",
        )
    return render_fields(user_json(req, user), req.fields, ("id", "name"))


def _require_self(req: SimRequest, user: User) -> None:
    if req.token is None or req.token.user_id != user.id:
        raise GraphError("Permissions error", code=200, http_status=403)


@node_edge("user", "adaccounts")
@node_edge("system_user", "adaccounts")
def user_adaccounts(req: SimRequest, user: User) -> dict[str, Any]:
    _require_self(req, user)
    req.require_ads_access(write=False)
    accounts = req.world.accounts_for_user(user.id)
    return paginate(req, accounts, render=lambda a: render_ad_account(req, a))


def business_json(business: Business, req: SimRequest) -> dict[str, Any]:
    return {
        "id": business.id,
        "name": business.name,
        "created_time": req.sim.clock.iso(business.created_time),
        "verification_status": business.verification_status,
    }


@node_edge("user", "businesses")
@node_edge("system_user", "businesses")
def user_businesses(req: SimRequest, user: User) -> dict[str, Any]:
    _require_self(req, user)
    req.require_scope("business_management")
    ids = list(req.world.user_businesses.get(user.id, []))
    if user.kind == "system_user" and user.business_id:
        ids = [user.business_id]
    items = [req.world.businesses[b] for b in ids]

    def render(business: Business) -> dict[str, Any]:
        return render_fields(business_json(business, req), req.fields, ("id", "name"))

    return paginate(req, items, render=render)


def _business_member(req: SimRequest, business: Business) -> None:
    uid = req.user_id
    user = req.world.users.get(uid or "")
    if user and user.kind == "system_user" and user.business_id == business.id:
        return
    if business.id not in req.world.user_businesses.get(uid or "", []):
        raise GraphError("Permissions error", code=200, http_status=403)


@node_reader("business")
def read_business(req: SimRequest, business: Business) -> dict[str, Any]:
    _business_member(req, business)
    return render_fields(business_json(business, req), req.fields, ("id", "name"))


def _business_accounts(req: SimRequest, business: Business, ids: list[str]) -> dict[str, Any]:
    _business_member(req, business)
    req.require_scope("business_management")
    accounts = [req.world.ad_accounts[i] for i in ids if i in req.world.ad_accounts]
    return paginate(req, accounts, render=lambda a: render_ad_account(req, a))


@node_edge("business", "owned_ad_accounts")
def business_owned_accounts(req: SimRequest, business: Business) -> dict[str, Any]:
    return _business_accounts(req, business, business.owned_ad_accounts)


@node_edge("business", "client_ad_accounts")
def business_client_accounts(req: SimRequest, business: Business) -> dict[str, Any]:
    return _business_accounts(req, business, business.client_ad_accounts)


def page_json(page: Page) -> dict[str, Any]:
    return {
        "id": page.id,
        "name": page.name,
        "category": page.category,
        "instagram_business_account": (
            {"id": page.instagram_business_account} if page.instagram_business_account else None
        ),
    }


@node_edge("user", "accounts")
def user_pages(req: SimRequest, user: User) -> dict[str, Any]:
    """`/me/accounts`: the Pages the user admins, with page tokens (Graph's shape)."""
    _require_self(req, user)
    pages = [req.world.pages[p] for p in req.world.user_pages.get(user.id, [])]

    def render(page: Page) -> dict[str, Any]:
        body = page_json(page) | {"access_token": page.access_token, "tasks": ["ADVERTISE"]}
        return render_fields(body, req.fields, ("id", "name", "category", "access_token", "tasks"))

    return paginate(req, pages, render=render)


@node_reader("page")
def read_page(req: SimRequest, page: Page) -> dict[str, Any]:
    # Edges as fields: `fields=name,published_posts.limit(3){message},leadgen_forms{name}`.
    body = edge_fields(req, "page", page) | page_json(page) if req.fields else page_json(page)
    return render_fields(body, req.fields, ("id", "name"))


@node_reader("application")
def read_application(req: SimRequest, app: App) -> dict[str, Any]:
    return render_fields({"id": app.id, "name": app.name}, req.fields, ("id", "name"))


@node_reader("instagram_account")
def read_instagram_account(req: SimRequest, account: InstagramAccount) -> dict[str, Any]:
    body = {"id": account.id, "username": account.username}
    if req.fields:
        body = edge_fields(req, "instagram_account", account) | body  # `media{caption}`
    return render_fields(body, req.fields, ("id", "username"))


def to_minor_units(amount: float, currency: str) -> int:
    """`spend_cap` in standard denomination → basic units (the same number for JPY)."""
    return round(amount * minor_per_major(currency))


@node_updater("adaccount")
def update_ad_account(req: SimRequest, account: AdAccount) -> dict[str, Any]:
    """`POST /act_<id>` (reference.md §2.5, §10 items 7-9) → `{"success": true}`."""
    updates: dict[str, Any] = {}
    if req.has("name"):
        name = req.param("name", "")
        if not name.strip():
            raise invalid_parameter("Param name must be a non-empty string")
        updates["name"] = name
    has_payor, has_bene = req.has("default_dsa_payor"), req.has("default_dsa_beneficiary")
    if has_payor != has_bene:
        # "both or neither"; unset by passing two empty strings at once.
        raise invalid_parameter(
            "default_dsa_payor and default_dsa_beneficiary must be set or unset together"
        )
    if has_payor:
        updates["default_dsa_payor"] = req.param("default_dsa_payor") or None
        updates["default_dsa_beneficiary"] = req.param("default_dsa_beneficiary") or None
    for key in ("end_advertiser", "media_agency", "partner"):
        if req.has(key):
            current = getattr(account, key)
            if current not in ("NONE", "UNFOUND") and req.param(key) != current:
                raise invalid_parameter(f"{key} cannot be changed once it is set")
            updates[key] = req.param(key)
    if req.has("spend_cap"):
        cap = req.float_param("spend_cap") or 0.0
        if cap < 0:
            raise invalid_parameter("Param spend_cap must be a non-negative number")
        # reference.md §1 Money: written in standard denomination, read in the basic unit.
        updates["spend_cap"] = to_minor_units(cap, account.currency)
    action = req.param("spend_cap_action")
    if action not in (None, "", "reset", "delete"):
        raise invalid_parameter("Param spend_cap_action must be one of {reset, delete}")
    if not updates and not action:
        raise invalid_parameter("No fields to update")
    for key, value in updates.items():
        setattr(account, key, value)
    if action == "reset":
        account.amount_spent = 0
    elif action == "delete":
        account.spend_cap = 0
    return {"success": True}
