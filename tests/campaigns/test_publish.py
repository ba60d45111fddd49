"""Publishing a draft to the simulator: order, exactly-once, resumption, Graph's errors on
their fields, Check with Meta and previews."""

from __future__ import annotations

import pytest

from accounts.models import ConnectionStatus
from agency.jobs import services as jobs
from agency.jobs.models import JobState
from agency.jobs.runner import job_execute
from campaigns.models import Ad, AdCreative, AdSet
from campaigns.services.drafts import campaign_draft_create, draft_update
from campaigns.services.meta_check import campaign_check_with_meta, creative_previews
from campaigns.services.publish import CampaignInvalidError, campaign_publish
from graph_sim.objects.model import objects_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(scoped, sim_account, demo, manager):
    campaign = campaign_draft_create(ad_account=sim_account, actor=manager.user,
                                     name="Winter sale")
    creative = campaign.creatives.get()
    draft_update(obj=creative, actor=manager.user, changes={
        "page_id": demo["page_ids"][0],
        "spec": {"message": "Warm boots, cold prices", "headline": "Winter sale",
                 "link": "https://shop.example.com/winter", "call_to_action": "SHOP_NOW",
                 "image_hash": demo["image_hashes"][0]},
    })
    return campaign


def _sim(graph, kind, account):
    return objects_of(graph.sim.world, kind, account.account_id)


def _named(graph, kind, account, name):
    return [o for o in _sim(graph, kind, account) if o.name.startswith(name)]


def _publish(campaign, actor):
    job = campaign_publish(campaign=campaign, actor=actor)
    job_execute(job_id=job.pk)
    job.refresh_from_db()
    campaign.refresh_from_db()
    return job


def test_full_publish_creates_everything_in_order_and_switches_ads_on_last(
    draft, graph, sim_account, manager
):
    job = _publish(draft, manager.user)

    assert job.state == JobState.SUCCEEDED, job.errors
    assert draft.publish_state == "published" and draft.graph_id
    adset, creative, ad = AdSet.objects.get(), AdCreative.objects.get(), Ad.objects.get()
    assert all(o.graph_id for o in (adset, creative, ad))
    writes = [(c.method, c.path.rsplit("/", 1)[-1]) for c in graph.sim.calls
              if c.method == "POST"]
    assert writes[:4] == [("POST", "campaigns"), ("POST", "adsets"), ("POST", "adcreatives"),
                          ("POST", "ads")]
    # the ad was created PAUSED, then switched on once everything existed
    assert ad.last_sent["status"] == "PAUSED" and ad.status == "ACTIVE"
    assert writes[4] == ("POST", ad.graph_id)
    sim_campaign = _named(graph, "campaign", sim_account, "Winter sale")[0]
    assert sim_campaign.name == draft.last_sent["name"]
    assert sim_campaign.data["objective"] == "OUTCOME_TRAFFIC"


def test_publish_interrupted_after_the_ad_sets_resumes_with_no_duplicate(
    draft, graph, sim_account, manager
):
    # The token is revoked when the creative is sent: the job pauses after the ad set.
    graph.sim.faults.add("token_invalidated", path="/act_*/adcreatives", times=1)
    job = _publish(draft, manager.user)
    assert job.state == JobState.PAUSED
    assert AdSet.objects.get().graph_id and not AdCreative.objects.get().graph_id
    connection = sim_account.connection
    connection.refresh_from_db()
    assert connection.status != ConnectionStatus.ACTIVE

    # Reconnected: the paused job resumes and finishes.
    type(connection).objects.unscoped().filter(pk=connection.pk).update(
        status=ConnectionStatus.ACTIVE)
    jobs.job_resume(job=job)
    job_execute(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.errors
    for kind, name in (("campaign", "Winter sale"), ("adset", "Winter sale - ad set"),
                       ("ad", "Winter sale - ad set 1 - ad")):
        assert len(_named(graph, kind, sim_account, name)) == 1, kind
    assert len(_named(graph, "adcreative", sim_account, "Winter sale - creative")) == 1


def test_publish_whose_answer_is_lost_is_reconciled_not_reposted(
    draft, graph, sim_account, manager
):
    # Graph creates the ad set but the answer never arrives.
    graph.sim.faults.add("drop", path="/act_*/adsets", times=1, after_apply=True)
    job = _publish(draft, manager.user)
    if job.state != JobState.SUCCEEDED:  # a retryable outcome: the task runs again
        job_execute(job_id=job.pk)
        job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.errors
    assert len(_named(graph, "adset", sim_account, "Winter sale - ad set")) == 1


def test_graph_validation_error_lands_on_the_field_it_blames(draft, graph, sim_account,
                                                             manager):
    creative = AdCreative.objects.get()
    draft_update(obj=creative, actor=manager.user,
                 changes={"spec": {**creative.spec, "image_hash": "0" * 32}})
    job = _publish(draft, manager.user)

    assert job.state == JobState.FAILED
    creative.refresh_from_db()
    assert creative.graph_error["field"] == "spec.image"
    assert "could not be found" in creative.graph_error["message"]
    assert draft.publish_state == "failed" and not creative.graph_id and not creative.publish_key

    # Fixed, published again: only what is missing is created.
    draft_update(obj=creative, actor=manager.user,
                 changes={"spec": {**creative.spec, "image_hash": graph.sim.world.demo[
                     "image_hashes"][0]}})
    job = _publish(draft, manager.user)
    assert job.state == JobState.SUCCEEDED, job.errors
    assert len(_named(graph, "campaign", sim_account, "Winter sale")) == 1


def test_publish_refuses_a_campaign_breaking_our_rules_without_calling_graph(
    draft, graph, manager
):
    draft_update(obj=AdSet.objects.get(), actor=manager.user,
                 changes={"optimization_goal": "APP_INSTALLS"})
    graph.sim.calls.clear()
    with pytest.raises(CampaignInvalidError) as caught:
        campaign_publish(campaign=draft, actor=manager.user)
    adset = AdSet.objects.get()
    assert "optimization_goal" in caught.value.extra["errors"][f"adset:{adset.pk}"]
    assert not graph.sim.calls


def test_check_with_meta_validates_every_object_without_creating_any(
    draft, graph, sim_account, manager
):
    result = campaign_check_with_meta(campaign=draft, actor=manager.user)
    assert result.ok and result.checked == 4
    assert not _named(graph, "campaign", sim_account, "Winter sale")
    posts = [c for c in graph.sim.calls if c.method == "POST" and not c.in_batch]
    assert len(posts) == 1  # one batch request


def test_check_with_meta_shows_graphs_answer_on_the_field(draft, graph, manager):
    creative = AdCreative.objects.get()
    draft_update(obj=creative, actor=manager.user,
                 changes={"spec": {**creative.spec, "image_hash": "f" * 32}})
    result = campaign_check_with_meta(campaign=draft, actor=manager.user)
    assert result.errors[f"creative:{creative.pk}"].keys() == {"spec.image"}
    creative.refresh_from_db()
    assert creative.graph_error["field"] == "spec.image"


def test_previews_for_the_chosen_formats(draft, graph, manager):
    creative = AdCreative.objects.get()
    previews = creative_previews(creative=creative, formats=["feed", "story", "instagram"])
    assert [p.ad_format for p in previews] == ["MOBILE_FEED_STANDARD", "FACEBOOK_STORY_MOBILE",
                                               "INSTAGRAM_STANDARD"]
    assert all(p.src.startswith(graph.base_url) and not p.error for p in previews)
