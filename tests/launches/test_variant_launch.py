"""Issue #10's headline: a 1,000-ad variant set, generated from one draft and published against
the simulator in the fewest Graph calls the documented limits allow."""

from __future__ import annotations

import pytest

from agency.jobs.models import JobState
from agency.jobs.runner import job_execute
from campaigns.launches.services.batches import batch_publish
from campaigns.launches.services.variants import VariantInput, variants_generate
from campaigns.models import Ad, AdCreative, AdSet
from campaigns.services.bulk_publish import bulk_publish_minimum_calls
from campaigns.services.drafts import campaign_draft_create, draft_update
from graph_sim.objects.model import objects_of
from tests.campaigns.test_bulk_publish_engine import patient_http, quick_async  # noqa: F401
from tests.factories.launches import LaunchTemplateFactory

pytestmark = pytest.mark.django_db

POSITIONS = [("facebook", "feed"), ("instagram", "stream"), ("facebook", "marketplace"),
             ("instagram", "story"), ("facebook", "story"), ("instagram", "reels"),
             ("facebook", "video_feeds"), ("facebook", "search"), ("instagram", "profile_feed"),
             ("facebook", "facebook_reels")]


def test_a_thousand_ad_variant_set_publishes_in_the_minimum_number_of_calls(
        scoped, agency, quick_async, patient_http, sim_account, demo, manager):  # noqa: F811
    graph = quick_async
    base = campaign_draft_create(ad_account=sim_account, actor=manager.user, name="Spring")
    draft_update(obj=base.creatives.get(), actor=manager.user, changes={
        "page_id": demo["page_ids"][0],
        "spec": {"message": "Warm boots", "headline": "Boots", "call_to_action": "SHOP_NOW",
                 "link": "https://shop.example.com/", "image_hash": demo["image_hashes"][0]}})
    audiences = [LaunchTemplateFactory(agency=agency, name=f"Age {20 + i}", payload={
        "targeting": {"geo_locations": {"countries": ["US"]}, "age_min": 20 + i, "age_max": 65}})
        for i in range(10)]
    placements = [LaunchTemplateFactory(agency=agency, kind="placements", name=f"{p} {pos}",
                                        payload={"targeting": {"publisher_platforms": [p],
                                                               f"{p}_positions": [pos]}})
                  for p, pos in POSITIONS]
    creatives = LaunchTemplateFactory(agency=agency, kind="creatives", name="Looks", payload={
        "creatives": [{"name": f"Look {i}", "format": "image", "page_id": demo["page_ids"][0],
                       "contextual_multi_ads": "OPT_OUT",
                       "spec": {"message": f"Look {i}", "link": "https://shop.example.com/",
                                "call_to_action": "SHOP_NOW",
                                "image_hash": demo["image_hashes"][i % 2]}}
                      for i in range(10)]})
    choice = VariantInput(audiences=[{"template_id": t.pk} for t in audiences],
                          placements=[{"template_id": t.pk} for t in placements],
                          creatives=[{"template_id": creatives.pk}], split_by="placement",
                          campaign_pattern="{campaign} - {placement}")
    from campaigns.launches.services.variants import variant_plan

    assert variant_plan(base=base, choice=choice).errors == {}
    batch = variants_generate(base=base, choice=choice, actor=manager.user)
    assert batch.counts == {"campaigns": 10, "adsets": 100, "ads": 1000}
    made = batch.campaigns.all()
    n_creatives = AdCreative.objects.filter(campaign__in=made).count()

    account = sim_account.account_id
    before = {kind: len(objects_of(graph.sim.world, kind, account))
              for kind in ("campaign", "adset", "adcreative", "ad")}
    since = len(graph.sim.calls)
    job = batch_publish(batch=batch, actor=manager.user)
    job_execute(job_id=job.pk)

    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.errors
    assert (job.done, job.failed) == (job.total, 0)
    calls = [c for c in graph.sim.calls[since:] if not c.in_batch]
    minimum = bulk_publish_minimum_calls(campaigns=10, adsets=100, creatives=n_creatives,
                                         ads=1000)
    assert len(calls) == minimum["total"], "\n".join(f"{c.method} {c.path}" for c in calls)
    created = {kind: len(objects_of(graph.sim.world, kind, account)) - n
               for kind, n in before.items()}
    assert created == {"campaign": 10, "adset": 100, "adcreative": n_creatives, "ad": 1000}
    assert not Ad.objects.filter(adset__campaign__in=made, graph_id="").exists()
    assert not AdSet.objects.filter(campaign__in=made, graph_id="").exists()
    assert set(Ad.objects.filter(adset__campaign__in=made).values_list("status", flat=True)) \
        == {"ACTIVE"}
