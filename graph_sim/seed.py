"""The seeded demo world: an app, Dana Demo, her agency's business, ad accounts and pages."""

from __future__ import annotations

import random
from typing import Any

from graph_sim.core.registry import REGISTRY
from graph_sim.state import (
    ACCOUNT_STATUS,
    AdAccount,
    App,
    Business,
    InstagramAccount,
    Page,
    User,
    World,
)

DAY = 86400.0

# (name, currency, timezone_name, offset in June, timezone_id, status, disable_reason,
#  amount_spent and balance in minor units). JPY has no minor unit: amounts are whole yen.
OWNED_ACCOUNTS: list[tuple[str, str, str, float, int, str, int, int, int]] = [
    ("Northwind Coffee US", "USD", "America/Los_Angeles", -7.0, 1, "ACTIVE", 0, 1254300, 0),
    ("Northwind Coffee DE", "EUR", "Europe/Berlin", 2.0, 122, "ACTIVE", 0, 412050, 0),
    ("Northwind Bikes UK", "GBP", "Europe/London", 1.0, 79, "UNSETTLED", 0, 98020, 15500),
    ("Northwind Legacy", "USD", "America/New_York", -4.0, 7, "DISABLED", 1, 5000, 0),
]
CLIENT_ACCOUNTS: list[tuple[str, str, str, float, int, str, int, int, int]] = [
    ("Sakura Tea JP (client)", "JPY", "Asia/Tokyo", 9.0, 88, "ACTIVE", 0, 1830000, 0),
]


def seed_world(world: World, rng: random.Random) -> None:
    """Build the core demo world, then run every plug-in `@seeder` in order."""
    seed_core(world, rng)
    for _order, fn in sorted(REGISTRY.seeders, key=lambda item: item[0]):
        fn(world, rng)


def seed_core(world: World, rng: random.Random) -> None:
    config = world.sim.config if world.sim is not None else None
    now = world.clock.now() if world.clock is not None else 0.0

    app_id = (config.app_id if config else None) or world.new_id(15)
    app_secret = (config.app_secret if config else None) or world.new_secret(32)
    world.apps[app_id] = App(
        id=app_id,
        secret=app_secret,
        name=config.app_name if config else "Adwright",
        require_appsecret_proof=bool(config and config.require_appsecret_proof),
    )

    dana = User(id=world.new_id(15), name="Dana Demo")
    sam = User(id=world.new_id(15), name="Sam Second")
    world.users[dana.id] = dana
    world.users[sam.id] = sam

    agency = Business(id=world.new_id(15), name="Northwind Agency", created_time=now - 400 * DAY)
    other = Business(id=world.new_id(15), name="Second Shop Ltd", created_time=now - 200 * DAY)
    world.businesses[agency.id] = agency
    world.businesses[other.id] = other
    world.user_businesses[dana.id] = [agency.id]
    world.user_businesses[sam.id] = [other.id]

    system_user = User(
        id=world.new_id(15), name="Adwright System User", kind="system_user", business_id=agency.id
    )
    world.users[system_user.id] = system_user

    def make_account(spec: tuple[Any, ...], owner: str, age_days: int) -> AdAccount:
        name, currency, tz, offset, tz_id, status, reason, spent, balance = spec
        account = AdAccount(
            account_id=world.new_id(15),
            name=name,
            currency=currency,
            timezone_name=tz,
            timezone_offset_hours_utc=offset,
            timezone_id=tz_id,
            account_status=ACCOUNT_STATUS[status],
            disable_reason=reason,
            amount_spent=spent,
            balance=balance,
            business_id=owner,
            owner=owner,
            created_time=now - age_days * DAY,
            # Minimum daily budget in the basic unit: ~1 USD/EUR/GBP, 150 JPY.
            min_daily_budget=150 if currency == "JPY" else 100,
            funding_source=world.new_id(16) if status != "DISABLED" else None,
        )
        return world.add_ad_account(account)

    owned = [make_account(spec, agency.id, 300 - 30 * i) for i, spec in enumerate(OWNED_ACCOUNTS)]
    client_biz = Business(id=world.new_id(15), name="Sakura Tea KK", created_time=now - 500 * DAY)
    world.businesses[client_biz.id] = client_biz
    clients = [make_account(spec, client_biz.id, 120) for spec in CLIENT_ACCOUNTS]
    agency.owned_ad_accounts = [a.id for a in owned]
    agency.client_ad_accounts = [a.id for a in clients]
    client_biz.owned_ad_accounts = [a.id for a in clients]
    foreign = make_account(
        ("Second Shop EU", "EUR", "Europe/Paris", 2.0, 124, "ACTIVE", 0, 22000, 0), other.id, 90
    )
    other.owned_ad_accounts = [foreign.id]
    world.grant_account(dana.id, [a.id for a in owned + clients])
    world.grant_account(sam.id, [foreign.id])

    page_names = [
        ("Northwind Coffee", "Coffee Shop"),
        ("Northwind Bikes", "Bicycle Shop"),
        ("Sakura Tea", "Tea Room"),
    ]
    pages = []
    for name, category in page_names:
        page = Page(id=world.new_id(15), name=name, category=category)
        world.pages[page.id] = page
        pages.append(page)
    agency.owned_pages = [p.id for p in pages[:2]]
    client_biz.owned_pages = [pages[2].id]
    world.user_pages[dana.id] = [p.id for p in pages]
    for page in pages:
        # Page tokens (from /me/accounts) are real tokens: long-lived, acting as the page.
        token = world.mint_token(
            app_id=app_id,
            user_id=dana.id,  # the admin who got it; `/me` with it is the page
            scopes=["pages_show_list", "pages_read_engagement", "pages_manage_ads"],
            now=now,
            expires_in=None,
            kind="page",
            long_lived=True,
        )
        token.page_id = page.id
        page.access_token = token.value
    ig = InstagramAccount(id=world.new_id(17), username="northwind.coffee", page_id=pages[0].id)
    world.instagram_accounts[ig.id] = ig
    pages[0].instagram_business_account = ig.id

    world.demo.update(
        app_id=app_id,
        app_secret=app_secret,
        user_id=dana.id,
        second_user_id=sam.id,
        system_user_id=system_user.id,
        business_id=agency.id,
        client_business_id=client_biz.id,
        second_business_id=other.id,
        ad_account_ids=[a.id for a in owned + clients],  # Dana's, "act_<n>"
        owned_ad_account_ids=[a.id for a in owned],
        client_ad_account_ids=[a.id for a in clients],
        ad_account_by_currency={
            "USD": owned[0].id,
            "EUR": owned[1].id,
            "GBP": owned[2].id,
            "JPY": clients[0].id,
        },
        active_ad_account_id=owned[0].id,
        unsettled_ad_account_id=owned[2].id,
        disabled_ad_account_id=owned[3].id,
        foreign_ad_account_id=foreign.id,  # Sam's; Dana has no access
        page_ids=[p.id for p in pages],
        instagram_account_id=ig.id,
    )
