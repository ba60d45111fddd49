"""Structure sync and status follow-up against the simulator."""

from __future__ import annotations

import pytest

from campaigns.models import Ad, AdSet, Campaign, ObjectVersion
from campaigns.services.sync import ad_account_sync, campaign_status_refresh

pytestmark = pytest.mark.django_db


def test_first_sync_imports_the_account_structure_in_few_calls(scoped, graph, sim_account, demo):
    graph.sim.calls.clear()
    result = ad_account_sync(ad_account=sim_account)
    assert result.created["campaign"] >= 4 and result.created["ad"] >= 1
    spring = Campaign.objects.get(graph_id=demo["active_campaign_id"])
    assert spring.publish_state == "published" and spring.effective_status == "ACTIVE"
    assert AdSet.objects.filter(campaign=spring).exists()
    assert Ad.objects.filter(adset__campaign=spring, creative__isnull=False).exists()
    # one account read and one listing per kind: not one call per object
    assert len([c for c in graph.sim.calls if not getattr(c, "in_batch", False)]) <= 6
    assert sim_account.min_daily_budget_minor  # the account's own minimum is known now


def test_sync_picks_up_a_campaign_created_and_one_deleted_behind_our_back(
    scoped, graph, sim_account, behind, demo
):
    ad_account_sync(ad_account=sim_account)
    made = behind.post(f"{sim_account.act_id}/campaigns", name="Made in Ads Manager",
                       objective="OUTCOME_TRAFFIC", special_ad_categories=[], status="PAUSED")
    behind.delete(demo["paused_campaign_id"])

    result = ad_account_sync(ad_account=sim_account)

    created = Campaign.objects.get(graph_id=made["id"])
    assert created.name == "Made in Ads Manager" and created.status == "PAUSED"
    gone = Campaign.objects.get(graph_id=demo["paused_campaign_id"])
    assert gone.deleted_on_graph and gone.effective_status == "DELETED"
    assert result.created == {"campaign": 1} and result.deleted.get("campaign") == 1
    assert ObjectVersion.objects.filter(object_kind="campaign", object_id=gone.pk,
                                        source="sync").exists()


def test_sync_marks_an_object_changed_in_ads_manager(scoped, graph, sim_account, behind, demo):
    ad_account_sync(ad_account=sim_account)
    behind.post(demo["active_campaign_id"], name="Renamed in Ads Manager")
    ad_account_sync(ad_account=sim_account)
    campaign = Campaign.objects.get(graph_id=demo["active_campaign_id"])
    assert campaign.changed_on_graph and campaign.name == "Renamed in Ads Manager"
    version = ObjectVersion.objects.filter(object_kind="campaign", object_id=campaign.pk,
                                           source="sync").first()
    assert version.diff["name"][1] == "Renamed in Ads Manager"


def test_unchanged_listings_are_revalidated_with_etags(scoped, graph, sim_account):
    ad_account_sync(ad_account=sim_account)
    again = ad_account_sync(ad_account=sim_account)
    assert "adcreatives" in again.unchanged_edges
    assert any(c.status == 304 for c in graph.sim.calls)


def test_status_follow_up_surfaces_in_process_then_with_issues(
    scoped, graph, sim_account, behind
):
    from graph_sim.objects.model import objects_state

    ad_account_sync(ad_account=sim_account)
    objects_state(graph.sim.world).fail_next("ad", 1)
    campaign = behind.post(f"{sim_account.act_id}/campaigns", name="Fresh",
                           objective="OUTCOME_TRAFFIC", special_ad_categories=[])
    adset = behind.post(f"{sim_account.act_id}/adsets", name="Fresh set",
                        campaign_id=campaign["id"], daily_budget=2000,
                        optimization_goal="LINK_CLICKS", billing_event="IMPRESSIONS",
                        targeting={"geo_locations": {"countries": ["US"]}})
    ad = behind.post(f"{sim_account.act_id}/ads", name="Fresh ad", adset_id=adset["id"],
                     status="ACTIVE", creative={"creative_id": graph.sim.world.demo[
                         "creative_id"]})
    ad_account_sync(ad_account=sim_account)
    local = Campaign.objects.get(graph_id=campaign["id"])
    ad_row = Ad.objects.get(graph_id=ad["id"])
    assert ad_row.effective_status == "IN_PROCESS"

    graph.sim.clock.advance(3600)
    campaign_status_refresh(campaign=local)
    ad_row.refresh_from_db()
    assert ad_row.effective_status == "WITH_ISSUES"
    assert ad_row.issues_info and ad_row.issues_info[0]["error_summary"]


def test_the_per_account_schedule_starts_a_sync_job_that_imports_the_structure(
    graph, sim_account, demo
):
    from agency.jobs.models import JobState
    from agency.jobs.runner import job_execute
    from agency.jobs.scheduling import scheduled_job_start
    from agency.tenancy import agency_scope

    job = scheduled_job_start(kind="campaigns.sync", ad_account_id=sim_account.pk)
    assert job is not None and job.queue == "maintenance"
    job_execute(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.errors
    with agency_scope(sim_account.agency_id):
        assert Campaign.objects.filter(graph_id=demo["active_campaign_id"]).exists()
