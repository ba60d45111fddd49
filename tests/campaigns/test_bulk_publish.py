"""Publishing several campaigns of one ad account as one job."""

from __future__ import annotations

import pytest

from agency.errors import ConflictError
from agency.jobs.models import JobState
from agency.jobs.runner import job_execute
from campaigns.models import Ad, Campaign
from campaigns.services.bulk_publish import BulkPublishError, bulk_publish_start
from campaigns.services.drafts import campaign_draft_create, draft_update
from campaigns.services.gates import _GATES, publish_gate_register
from campaigns.services.publish import CampaignInvalidError, PublishRefusedError
from graph_sim.objects.model import objects_of

pytestmark = pytest.mark.django_db


def _draft(account, actor, demo, name):
    campaign = campaign_draft_create(ad_account=account, actor=actor, name=name)
    draft_update(obj=campaign.creatives.get(), actor=actor, changes={
        "page_id": demo["page_ids"][0],
        "spec": {"message": "Warm boots", "headline": name, "link": "https://shop.example.com/",
                 "call_to_action": "SHOP_NOW", "image_hash": demo["image_hashes"][0]},
    })
    return campaign


def test_bulk_publish_creates_every_campaign_once(scoped, graph, sim_account, demo, manager):
    drafts = [_draft(sim_account, manager.user, demo, f"Launch {n}") for n in range(3)]
    job = bulk_publish_start(campaigns=drafts, actor=manager.user)
    job_execute(job_id=job.pk)
    job_execute(job_id=job.pk)  # a second delivery of the task changes nothing
    job.refresh_from_db()

    assert job.state == JobState.SUCCEEDED, job.errors
    assert job.done == job.total == 3 * 4 + 3
    assert all(c.graph_id for c in Campaign.objects.all())
    names = [o.name for o in objects_of(graph.sim.world, "campaign", sim_account.account_id)
             if o.name.startswith("Launch ")]
    assert len(names) == 3
    assert set(Ad.objects.values_list("status", flat=True)) == {"ACTIVE"}


def test_bulk_publish_refuses_invalid_busy_or_mixed_sets(scoped, sim_account, demo, manager):
    good = _draft(sim_account, manager.user, demo, "Good")
    bad = campaign_draft_create(ad_account=sim_account, actor=manager.user, name="No creative")
    with pytest.raises(CampaignInvalidError) as caught:
        bulk_publish_start(campaigns=[good, bad], actor=manager.user)
    assert list(caught.value.extra["errors"]) == [bad.pk]
    with pytest.raises(BulkPublishError):
        bulk_publish_start(campaigns=[], actor=manager.user)

    bulk_publish_start(campaigns=[good], actor=manager.user)
    with pytest.raises(ConflictError):
        bulk_publish_start(campaigns=[good], actor=manager.user)


def test_registered_gates_refuse_before_anything_is_recorded(scoped, sim_account, demo, manager):
    campaign = _draft(sim_account, manager.user, demo, "Gated")

    @publish_gate_register("test.refuse")
    def refuse(c):
        raise PublishRefusedError(f"{c.name} is not allowed yet")

    try:
        with pytest.raises(PublishRefusedError, match="Gated is not allowed yet"):
            bulk_publish_start(campaigns=[campaign], actor=manager.user)
    finally:
        _GATES.pop("test.refuse")
    campaign.refresh_from_db()
    assert campaign.publish_state == "draft" and not campaign.publish_key
