"""Demo campaigns, ad sets, creatives and ads for the seeded ad accounts, months of history deep,
in every status the UI and the insights engine need to show (ACTIVE, PAUSED, ARCHIVED, DELETED,
WITH_ISSUES, IN_PROCESS). Deterministic from the world's seed."""

from __future__ import annotations

import random
from typing import Any

from graph_sim.currency import PER_USD, is_zero_decimal
from graph_sim.objects.model import (
    AD,
    ADSET,
    CAMPAIGN,
    CREATIVE,
    AdObject,
    objects_state,
    timings,
)
from graph_sim.objects.status import ISSUE_LEVELS
from graph_sim.state import World

DAY = 86400.0

_PAGE_FOR_CURRENCY = {"USD": 0, "EUR": 0, "GBP": 1, "JPY": 2}
_LANDING = {
    0: "https://shop.northwind.example",
    1: "https://bikes.northwind.example",
    2: "https://sakura-tea.example",
}
_ISSUE = {
    "error_code": 1815869,
    "error_summary": "Ad post is not available",
    "error_message": "The Facebook post associated with your ad is not available. It may "
    "have been removed, or you may not have permission to view it.",
}

# (campaign name, objective, campaign status, age in days, ad set plan, special state)
# ad set plan: list of (ad set status, [ad statuses]).
_USD_PLAN: list[tuple[str, str, str, int, list[tuple[str, list[str]]], str | None]] = [
    (
        "Spring Sale - Traffic",
        "OUTCOME_TRAFFIC",
        "ACTIVE",
        150,
        [("ACTIVE", ["ACTIVE", "ACTIVE", "PAUSED"]), ("PAUSED", ["ACTIVE"])],
        None,
    ),
    ("Brand Awareness Q1", "OUTCOME_AWARENESS", "PAUSED", 200, [("ACTIVE", ["ACTIVE"])], None),
    ("Holiday 2025", "OUTCOME_SALES", "ARCHIVED", 240, [("ACTIVE", ["ACTIVE", "ACTIVE"])], None),
    (
        "Lead Gen Pilot",
        "OUTCOME_LEADS",
        "ACTIVE",
        90,
        [("ACTIVE", ["ACTIVE", "ACTIVE"])],
        "with_issues",
    ),
    ("Old Test Campaign", "OUTCOME_TRAFFIC", "DELETED", 300, [("ACTIVE", ["ACTIVE"])], None),
    ("New Launch", "OUTCOME_ENGAGEMENT", "ACTIVE", 0, [("ACTIVE", ["ACTIVE"])], "in_process"),
]
_OTHER_PLAN: list[tuple[str, str, str, int, list[tuple[str, list[str]]], str | None]] = [
    (
        "Always-on Traffic",
        "OUTCOME_TRAFFIC",
        "ACTIVE",
        120,
        [("ACTIVE", ["ACTIVE", "PAUSED"])],
        None,
    ),
    ("Retargeting", "OUTCOME_SALES", "PAUSED", 75, [("ACTIVE", ["ACTIVE"])], None),
]


def seed_objects(world: World, rng: random.Random) -> None:
    """Seed every demo ad account Dana can reach; record handles in `world.demo`."""
    now = world.clock.now()  # type: ignore[attr-defined]
    demo = world.demo
    handles: dict[str, Any] = {"campaign_ids": {}}
    page_ids = demo.get("page_ids", [])
    for act_id in demo.get("ad_account_ids", []):
        account = world.ad_account(act_id)
        if account is None:
            continue
        plan = _USD_PLAN if act_id == demo.get("active_ad_account_id") else _OTHER_PLAN
        page_index = _PAGE_FOR_CURRENCY.get(account.currency, 0)
        page_id = page_ids[page_index] if page_index < len(page_ids) else "0"
        ids = []
        for name, objective, status, age, adsets, special in plan:
            created = now - 5 if age == 0 else now - age * DAY - rng.randint(0, 86399)
            campaign = _make(world, CAMPAIGN, account.account_id, name, status, created, now)
            campaign.data = {
                "objective": objective,
                "special_ad_categories": [],
                "buying_type": "AUCTION",
                "start_time": created,
            }
            if status == "ARCHIVED":
                campaign.data["stop_time"] = created + 40 * DAY
            ids.append(campaign.id)
            handles.setdefault("by_status", {}).setdefault(
                (act_id, status), campaign.id
            )  # first of each status
            for a_index, (adset_status, ad_statuses) in enumerate(adsets):
                adset = _make(
                    world,
                    ADSET,
                    account.account_id,
                    f"{name} - Ad set {a_index + 1}",
                    adset_status,
                    created + 60,
                    now,
                )
                adset.campaign_id = campaign.id
                adset.data = {
                    "daily_budget": seed_budget(
                        rng.choice([1000, 2000, 2500, 5000]), account.currency
                    ),
                    "billing_event": "IMPRESSIONS",
                    "optimization_goal": {
                        "OUTCOME_TRAFFIC": "LINK_CLICKS",
                        "OUTCOME_AWARENESS": "REACH",
                        "OUTCOME_SALES": "OFFSITE_CONVERSIONS",
                        "OUTCOME_LEADS": "LINK_CLICKS",
                        "OUTCOME_ENGAGEMENT": "POST_ENGAGEMENT",
                    }[objective],
                    "targeting": {
                        "geo_locations": {"countries": [_COUNTRY.get(account.currency, "US")]},
                        "age_min": 18,
                        "age_max": rng.choice([45, 55, 65]),
                    },
                    "start_time": created + 60,
                    "is_dynamic_creative": False,
                }
                if status == "ARCHIVED":
                    adset.data["end_time"] = created + 40 * DAY
                for d_index, ad_status in enumerate(ad_statuses):
                    creative = _make(
                        world,
                        CREATIVE,
                        account.account_id,
                        f"{name} creative {a_index + 1}.{d_index + 1}",
                        "ACTIVE",
                        created + 90,
                        now,
                    )
                    link = f"{_LANDING[page_index]}/{a_index + 1}-{d_index + 1}"
                    creative.data = {
                        "object_story_spec": {
                            "page_id": page_id,
                            "link_data": {
                                "link": link,
                                "message": _MESSAGES[rng.randrange(len(_MESSAGES))],
                                "name": name,
                                "picture": f"{_LANDING[page_index]}/img/{creative.id}.jpg",
                                "call_to_action": {"type": rng.choice(_CTAS)},
                            },
                        },
                        "effective_object_story_id": f"{page_id}_{world.new_id(15)}",
                        "contextual_multi_ads": {"enroll_status": "OPT_OUT"},
                    }
                    ad = _make(
                        world,
                        AD,
                        account.account_id,
                        f"{name} - Ad {a_index + 1}.{d_index + 1}",
                        ad_status,
                        created + 120,
                        now,
                    )
                    ad.adset_id, ad.campaign_id, ad.creative_id = adset.id, campaign.id, creative.id
                    if special == "with_issues" and a_index == 0 and d_index == 0:
                        ad.issues_info = [{"level": ISSUE_LEVELS[AD], **_ISSUE}]
                        handles["with_issues_ad_id"] = ad.id
                    if special == "in_process":
                        processing, review = timings(world)
                        for obj in (campaign, adset, creative, ad):
                            obj.processing_until = now + processing
                        ad.review_until = now + processing + review
                        handles["in_process_campaign_id"] = campaign.id
                        handles["in_process_ad_id"] = ad.id
                    if (
                        act_id == demo.get("active_ad_account_id")
                        and (status, adset_status, ad_status) == ("ACTIVE",) * 3
                        and special is None
                    ):
                        handles.setdefault("active_ad_id", ad.id)
                        handles.setdefault("creative_id", creative.id)
                        handles.setdefault("adset_id", adset.id)
        handles["campaign_ids"][act_id] = ids
    by_status = handles.pop("by_status", {})
    usd = demo.get("active_ad_account_id")
    demo.update(
        campaign_ids=handles["campaign_ids"],
        active_campaign_id=by_status.get((usd, "ACTIVE")),
        paused_campaign_id=by_status.get((usd, "PAUSED")),
        archived_campaign_id=by_status.get((usd, "ARCHIVED")),
        deleted_campaign_id=by_status.get((usd, "DELETED")),
        in_process_campaign_id=handles.get("in_process_campaign_id"),
        in_process_ad_id=handles.get("in_process_ad_id"),
        with_issues_ad_id=handles.get("with_issues_ad_id"),
        active_adset_id=handles.get("adset_id"),
        active_ad_id=handles.get("active_ad_id"),
        creative_id=handles.get("creative_id"),
    )


_COUNTRY = {"USD": "US", "EUR": "DE", "GBP": "GB", "JPY": "JP"}


def seed_budget(cents: int, currency: str) -> int:
    """A seeded budget in the account's basic unit. The plan's amounts are cents (1000 = 10.00):
    two-decimal currencies keep the same face value (10.00 EUR); zero-decimal ones get the
    dollar amount converted and rounded to two significant figures (1000 → 1,500 JPY, not the
    cents times 150 = 150,000 JPY the seed once had)."""
    if not is_zero_decimal(currency):
        return cents
    rate = PER_USD[currency.upper()]
    whole = cents / 100 * rate
    step = 10 ** max(0, len(str(int(whole))) - 2)
    return max(step, round(whole / step) * step)


_CTAS = ["SHOP_NOW", "LEARN_MORE", "SIGN_UP", "ORDER_NOW"]
_MESSAGES = [
    "Fresh roast, delivered to your door.",
    "Up to 30% off this week only.",
    "Find your new favourite blend.",
    "Free shipping on orders over 40.",
]


def _make(
    world: World, kind: str, account_id: str, name: str, status: str, created: float, now: float
) -> AdObject:
    state = objects_state(world)
    state.sequence += 1
    # Paused, archived and deleted demo objects stopped 30 days after they were created.
    changed = created + 30 * DAY if status in ("PAUSED", "ARCHIVED", "DELETED") else None
    obj = AdObject(
        node_type=kind,
        id=world.new_id(15),
        account_id=account_id,
        name=name,
        status=status,
        created_time=created,
        updated_time=min(now, changed or created),
        processing_until=created,
        review_until=created,
        status_changed_time=min(now, changed) if changed else None,
        seq=state.sequence,
    )
    world.put(obj, kind)
    return obj
