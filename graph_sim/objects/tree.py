"""The tree walk other simulator modules (insights) use: an ad account's campaigns, ad sets
and ads with statuses and times."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph_sim.objects.model import (
    AD,
    ADSET,
    CAMPAIGN,
    AdObject,
    objects_of,
)
from graph_sim.objects.status import effective_status

if TYPE_CHECKING:
    from graph_sim.state import World


def account_tree(world: World, account_id: str, now: float | None = None) -> list[dict[str, Any]]:
    """An ad account's campaigns → ad sets → ads, every status included (insights report on
    archived and deleted objects too). Times are Unix seconds (None when unset); `stop_time`
    and `end_time` are the scheduled ends, `status_changed_time` when `status` last changed
    (paused, resumed, archived, deleted). Accepts `act_<n>` or `<n>`.

        [{"id", "name", "objective", "status", "effective_status", "created_time",
          "updated_time", "start_time", "stop_time", "status_changed_time", "daily_budget",
          "lifetime_budget",
          "adsets": [{... "campaign_id", "start_time", "end_time", "optimization_goal",
                      "billing_event", "targeting",
                      "ads": [{... "adset_id", "campaign_id", "creative_id"}]}]}]
    """
    account_id = str(account_id).removeprefix("act_")
    if now is None:
        clock = getattr(world, "clock", None)
        now = clock.now() if clock is not None else 0.0

    def base(obj: AdObject) -> dict[str, Any]:
        return {
            "id": obj.id,
            "name": obj.name,
            "status": obj.status,
            "effective_status": effective_status(world, obj, now),
            "created_time": obj.created_time,
            "updated_time": obj.updated_time,
            "status_changed_time": obj.status_changed_time,
        }

    ads_by_adset: dict[str, list[dict[str, Any]]] = {}
    for ad in objects_of(world, AD, account_id):
        ads_by_adset.setdefault(ad.adset_id or "", []).append(
            {
                **base(ad),
                "adset_id": ad.adset_id,
                "campaign_id": ad.campaign_id,
                "creative_id": ad.creative_id,
            }
        )
    adsets_by_campaign: dict[str, list[dict[str, Any]]] = {}
    for adset in objects_of(world, ADSET, account_id):
        d = adset.data
        adsets_by_campaign.setdefault(adset.campaign_id or "", []).append(
            {
                **base(adset),
                "campaign_id": adset.campaign_id,
                "start_time": d.get("start_time") or adset.created_time,
                "end_time": d.get("end_time"),
                "daily_budget": d.get("daily_budget"),
                "lifetime_budget": d.get("lifetime_budget"),
                "optimization_goal": d.get("optimization_goal"),
                "billing_event": d.get("billing_event"),
                "targeting": d.get("targeting"),
                "ads": ads_by_adset.get(adset.id, []),
            }
        )
    tree = []
    for campaign in objects_of(world, CAMPAIGN, account_id):
        d = campaign.data
        tree.append(
            {
                **base(campaign),
                "objective": d.get("objective"),
                "start_time": d.get("start_time") or campaign.created_time,
                "stop_time": d.get("stop_time"),
                "daily_budget": d.get("daily_budget"),
                "lifetime_budget": d.get("lifetime_budget"),
                "adsets": adsets_by_campaign.get(campaign.id, []),
            }
        )
    return tree
