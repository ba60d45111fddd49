"""Managing live objects: edits, status changes and bulk actions in batch requests."""

from __future__ import annotations

import pytest

from agency.models import AuditEvent
from campaigns.models import Ad, AdSet, Campaign, ObjectVersion
from campaigns.services.manage import (
    LiveEditError,
    bulk_status_change,
    live_update,
    status_change,
)
from campaigns.services.sync import ad_account_sync
from tests.campaigns.conftest import graph_calls

pytestmark = pytest.mark.django_db


def _hundred_ads(behind, act, creative_id):
    campaign = behind.post(f"{act}/campaigns", name="Many ads", objective="OUTCOME_TRAFFIC",
                           special_ad_categories=[])
    for n in range(2):  # at most 50 ads per ad set
        adset = behind.post(f"{act}/adsets", name=f"Set {n}", campaign_id=campaign["id"],
                            daily_budget=2000, optimization_goal="LINK_CLICKS",
                            billing_event="IMPRESSIONS",
                            targeting={"geo_locations": {"countries": ["US"]}})
        for i in range(50):
            behind.post(f"{act}/ads", name=f"Ad {n}-{i}", adset_id=adset["id"], status="ACTIVE",
                        creative={"creative_id": creative_id})
    return campaign["id"]


def test_bulk_pause_of_100_ads_takes_at_most_2_batch_calls(
    scoped, graph, sim_account, behind, demo, manager
):
    campaign_id = _hundred_ads(behind, sim_account.act_id, demo["creative_id"])
    ad_account_sync(ad_account=sim_account)
    ads = list(Ad.objects.filter(adset__campaign__graph_id=campaign_id))
    assert len(ads) == 100
    graph.sim.calls.clear()

    result = bulk_status_change(objects=ads, actor=manager.user, action="pause")

    assert len(result.done) == 100 and not result.failed
    top_level = graph_calls(graph)
    assert len(top_level) <= 2 and all(c.method == "POST" for c in top_level)
    assert Ad.objects.filter(adset__campaign__graph_id=campaign_id, status="PAUSED").count() == 100
    graph.sim.clock.advance(3600)  # past post-processing
    ad_account_sync(ad_account=sim_account)  # Graph agrees
    assert set(Ad.objects.filter(adset__campaign__graph_id=campaign_id)
               .values_list("effective_status", flat=True)) == {"PAUSED"}
    assert AuditEvent.objects.filter(verb="campaigns.bulk_pause").exists()
    assert ObjectVersion.objects.filter(object_kind="ad", source="page",
                                        object_id=ads[0].pk).exists()


def test_pause_then_archive_a_live_campaign(scoped, graph, sim_account, demo, manager):
    ad_account_sync(ad_account=sim_account)
    campaign = Campaign.objects.get(graph_id=demo["active_campaign_id"])
    status_change(obj=campaign, actor=manager.user, action="pause")
    assert campaign.status == "PAUSED"
    status_change(obj=campaign, actor=manager.user, action="archive")
    graph.sim.clock.advance(3600)
    ad_account_sync(ad_account=sim_account)
    campaign.refresh_from_db()
    assert campaign.effective_status == "ARCHIVED" and not campaign.changed_on_graph
    assert AuditEvent.objects.filter(verb="campaign.archive").exists()


def test_live_budget_edit_goes_to_graph_and_is_versioned(scoped, graph, sim_account, demo,
                                                          manager):
    ad_account_sync(ad_account=sim_account)
    adset = AdSet.objects.filter(graph_id=demo["active_adset_id"]).get()
    live_update(obj=adset, actor=manager.user, changes={"daily_budget_minor": 4321})
    graph.sim.clock.advance(3600)
    ad_account_sync(ad_account=sim_account)
    adset.refresh_from_db()
    assert adset.daily_budget_minor == 4321 and not adset.changed_on_graph
    version = ObjectVersion.objects.filter(object_kind="adset", object_id=adset.pk,
                                           source="page").first()
    assert version.actor == manager.user and version.diff["daily_budget_minor"][1] == 4321


def test_live_edit_below_the_minimum_is_refused_on_its_field(scoped, graph, sim_account, demo,
                                                              manager):
    ad_account_sync(ad_account=sim_account)
    adset = AdSet.objects.get(graph_id=demo["active_adset_id"])
    graph.sim.calls.clear()
    with pytest.raises(LiveEditError) as caught:
        live_update(obj=adset, actor=manager.user, changes={"daily_budget_minor": 5})
    assert "daily_budget_minor" in caught.value.extra["errors"]
    assert not graph_calls(graph, method="POST")
