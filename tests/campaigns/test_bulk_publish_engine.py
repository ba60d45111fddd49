"""The bulk publish engine: each dependency level in the fewest calls, every object once, partial
failures listed and retried, cancel between rounds, and 1,000 ads in a handful of calls."""

from __future__ import annotations

import copy
import json

import pytest

from agency.jobs.models import JobState
from agency.jobs.runner import job_execute
from agency.models import AuditEvent, GraphWrite
from campaigns.models import Ad, AdCreative, AdSet, Campaign
from campaigns.services.bulk_publish import (
    BulkPublishError,
    bulk_publish_minimum_calls,
    bulk_publish_progress,
    bulk_publish_retry_failed,
    bulk_publish_start,
)
from campaigns.services.drafts import campaign_draft_create, draft_update
from graph_sim.objects.model import objects_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def quick_async(graph, settings):
    """Async sets finish on the simulator's next call (manual clock): no polling waits."""
    graph.sim.config.timings.async_job = 0.0
    settings.BULK_PUBLISH_POLL_SECONDS = 0
    return graph


@pytest.fixture
def patient_http(settings):
    """The simulator runs a set's 1,000 requests inside the read that follows it (seconds on a
    busy machine): an HTTP timeout there would retry the read, one call more than Graph needs."""
    from agency.graph import factory

    settings.GRAPH_TIMEOUT_SECONDS = 300
    factory._http.cache_clear()
    yield
    factory._http.cache_clear()


def build(account, actor, demo, *, campaigns=1, adsets=1, ads=1, creatives=1, prefix="Bulk"):
    """Drafts fast: one draft per campaign through the service, the rest copied in bulk."""
    made = []
    for c in range(campaigns):
        campaign = campaign_draft_create(ad_account=account, actor=actor, name=f"{prefix} {c}")
        creative = campaign.creatives.get()
        draft_update(obj=creative, actor=actor, changes={
            "page_id": demo["page_ids"][0],
            "spec": {"message": "Warm boots", "headline": "Boots", "call_to_action": "SHOP_NOW",
                     "link": "https://shop.example.com/", "image_hash": demo["image_hashes"][0]},
        })
        creative.refresh_from_db()
        first_set = campaign.adsets.get()
        first_ad = Ad.objects.get(adset=first_set)
        extra = []
        for n in range(1, creatives):
            clone = copy.copy(creative)
            clone.pk = clone.id = None
            clone.name = f"{creative.name} {n}"
            extra.append(clone)
        all_creatives = [creative, *AdCreative.objects.bulk_create(extra)]
        sets = [first_set]
        for n in range(1, adsets):
            clone = copy.copy(first_set)
            clone.pk = clone.id = None
            clone.name = f"{prefix} {c} set {n}"
            sets.append(clone)
        AdSet.objects.bulk_create(sets[1:])
        new_ads = []
        for s, adset in enumerate(sets):
            for n in range(ads):
                if s == 0 and n == 0:
                    continue
                clone = copy.copy(first_ad)
                clone.pk = clone.id = None
                clone.adset = adset
                clone.creative = all_creatives[(s * ads + n) % len(all_creatives)]
                clone.name = f"{prefix} {c} ad {s}.{n}"
                new_ads.append(clone)
        Ad.objects.bulk_create(new_ads)
        made.append(campaign)
    return made


def top_level_calls(graph, since: int) -> list:
    return [c for c in graph.sim.calls[since:] if not c.in_batch]


def on_graph(graph, account, kind, prefix):
    kind = "adcreative" if kind == "creative" else kind
    return [o for o in objects_of(graph.sim.world, kind, account.account_id)
            if str(o.name).startswith(prefix)]


def test_thousand_ads_publish_in_the_minimum_number_of_calls(scoped, quick_async, sim_account,
                                                            demo, manager, patient_http):
    graph = quick_async
    drafts = build(sim_account, manager.user, demo, campaigns=10, adsets=10, ads=10,
                   creatives=2, prefix="Big")
    assert Ad.objects.count() == 1000 and AdCreative.objects.count() == 20
    job = bulk_publish_start(campaigns=drafts, actor=manager.user)
    since = len(graph.sim.calls)

    job_execute(job_id=job.pk)

    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.errors
    assert (job.done, job.failed) == (job.total, 0)
    calls = top_level_calls(graph, since)
    minimum = bulk_publish_minimum_calls(campaigns=10, adsets=100, creatives=20, ads=1000)
    # Exactly the minimum: 1 sync batch of 10 campaigns, 1 async batch of 100 ad sets + 1 read,
    # 1 sync batch of 20 creatives, 1 async ad request set of 1,000 ads + 1 read, 1 async batch
    # switching them on + 1 read (the simulator finishes a set before its first read here; each
    # read of a set not finished yet would add one call).
    assert len(calls) == minimum["total"] == 8, "\n".join(
        f"{c.method} {c.path} {c.status}" for c in calls)
    assert len(on_graph(graph, sim_account, "ad", "Big")) == 1000
    assert len(on_graph(graph, sim_account, "adset", "Big")) == 100
    assert len(on_graph(graph, sim_account, "campaign", "Big")) == 10
    assert not Ad.objects.filter(graph_id="").exists()
    assert set(Ad.objects.values_list("status", flat=True)) == {"ACTIVE"}
    assert set(Campaign.objects.values_list("publish_state", flat=True)) == {"published"}
    assert GraphWrite.objects.filter(state="done").count() == 10 + 100 + 20 + 1000


def test_refused_objects_are_listed_and_retry_sends_only_them(scoped, quick_async, sim_account,
                                                             demo, manager):
    graph = quick_async
    drafts = build(sim_account, manager.user, demo, campaigns=2, adsets=2, ads=2, prefix="Part")
    graph.sim.faults.add("error", method="POST", path="/act_*/adsets", times=1, code=100,
                         message="Invalid parameter: the audience is too narrow")
    job = bulk_publish_start(campaigns=drafts, actor=manager.user)

    job_execute(job_id=job.pk)

    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED  # finished, with its failures counted and listed
    assert job.failed == 1 + 2  # the refused ad set and its two ads (never sent)
    assert "audience is too narrow" in job.errors[0]["message"]
    progress = bulk_publish_progress(job=job)
    assert progress["counts"]["adset"] == {"created": 3, "failed": 1, "pending": 0}
    assert progress["counts"]["ad"] == {"created": 6, "failed": 0, "pending": 2}
    [refused] = progress["failed"]
    assert refused["kind"] == "adset" and "too narrow" in refused["message"]
    assert progress["can_retry"]
    refused_set = AdSet.objects.get(pk=refused["id"])
    assert refused_set.publish_key == ""  # nothing was created: the retry gets a fresh key
    assert Campaign.objects.get(pk=refused_set.campaign_id).publish_state == "failed"
    with pytest.raises(BulkPublishError):
        bulk_publish_start(campaigns=[], actor=manager.user)

    retry = bulk_publish_retry_failed(job=job, actor=manager.user)
    assert retry.params["campaign_ids"] == [refused_set.campaign_id]
    job_execute(job_id=retry.pk)

    retry.refresh_from_db()
    assert retry.state == JobState.SUCCEEDED and retry.failed == 0, retry.errors
    assert retry.total == 1 + 2 + 1  # the ad set, its two ads, the switch-on step
    assert len(on_graph(graph, sim_account, "adset", "Part")) == 4
    assert len(on_graph(graph, sim_account, "ad", "Part")) == 8
    assert set(Campaign.objects.values_list("publish_state", flat=True)) == {"published"}
    assert not bulk_publish_progress(job=job)["can_retry"]
    with pytest.raises(BulkPublishError):
        bulk_publish_retry_failed(job=retry, actor=manager.user)


def test_cancel_stops_between_rounds_and_keeps_what_exists(scoped, quick_async, sim_account,
                                                          demo, manager, monkeypatch):
    from agency.jobs.services import job_cancel
    from campaigns.services import bulk_publish

    graph = quick_async
    drafts = build(sim_account, manager.user, demo, campaigns=2, adsets=1, ads=2, prefix="Stop")
    job = bulk_publish_start(campaigns=drafts, actor=manager.user)
    real = bulk_publish._send_level

    def send_then_cancel(client, job, account, level, objs, campaigns):
        real(client, job, account, level, objs, campaigns)
        if level == "adset":
            job_cancel(job=job, actor=manager.user)  # the user presses Cancel meanwhile

    monkeypatch.setattr(bulk_publish, "_send_level", send_then_cancel)
    job_execute(job_id=job.pk)

    job.refresh_from_db()
    assert job.state == JobState.CANCELLED
    assert len(on_graph(graph, sim_account, "campaign", "Stop")) == 2
    assert len(on_graph(graph, sim_account, "adset", "Stop")) == 2
    assert on_graph(graph, sim_account, "ad", "Stop") == []
    assert AdSet.objects.exclude(graph_id="").count() == 2
    assert not Ad.objects.exclude(graph_id="").exists()
    progress = bulk_publish_progress(job=job)
    assert progress["counts"]["ad"]["pending"] == 4 and progress["can_retry"]


def run_until_final(job, attempts=60):
    """What the task does: run, and run again when the runner asks for a retry."""
    for retries in range(attempts):
        outcome = job_execute(job_id=job.pk, retries=retries)
        if outcome.retry_in is None:
            break
    job.refresh_from_db()
    return job


def test_ten_percent_faults_leave_exactly_one_of_each_object(scoped, quick_async, sim_account,
                                                            demo, manager):
    """Transient errors before Graph acts, and after it acted (answer lost, connection dropped),
    on about one call in ten, batch operations and async requests included."""
    graph = quick_async
    drafts = build(sim_account, manager.user, demo, campaigns=2, adsets=3, ads=20, creatives=2,
                   prefix="Fault")  # 120 ads: ad sets, ads and switch-on go async
    graph.sim.faults.add("transient", rate=0.04)
    graph.sim.faults.add("transient", method="POST", after_apply=True, rate=0.04)
    graph.sim.faults.add("drop", method="POST", after_apply=True, rate=0.02)
    # A sync batch that times out part way: the first operation answers, the rest are null.
    graph.sim.faults.add("error", kind="batch_timeout", every=2, times=1)
    job = bulk_publish_start(campaigns=drafts, actor=manager.user)

    job = run_until_final(job)
    fired = [p.fired for p in graph.sim.faults.plans]
    graph.sim.faults.clear()

    assert job.state == JobState.SUCCEEDED, job.errors
    assert all(fired) and sum(fired) >= 5, fired  # each kind of fault hit some calls
    assert AuditEvent.objects.filter(verb="graph_write.reconciled").exists()
    for kind, count in (("campaign", 2), ("adset", 6), ("creative", 4), ("ad", 120)):
        names = [o.name for o in on_graph(graph, sim_account, kind, "Fault")]
        assert len(names) == len(set(names)) == count, (kind, len(names))
        assert _model(kind).objects.exclude(graph_id="").count() == count
    graph_ids = list(Ad.objects.values_list("graph_id", flat=True))
    assert sorted(graph_ids) == sorted(o.id for o in on_graph(graph, sim_account, "ad", "Fault"))
    assert job.failed == 0 and job.done == job.total


def _model(kind):
    return {"campaign": Campaign, "adset": AdSet, "creative": AdCreative, "ad": Ad}[kind]


def test_a_revoked_token_pauses_the_launch_and_marks_nothing_refused(scoped, quick_async,
                                                                    sim_account, demo, manager):
    graph = quick_async
    drafts = build(sim_account, manager.user, demo, campaigns=2, prefix="Token")
    graph.sim.faults.add("token_invalidated", method="POST", path="/", times=1)
    job = bulk_publish_start(campaigns=drafts, actor=manager.user)

    job_execute(job_id=job.pk)

    job.refresh_from_db()
    assert job.state == JobState.PAUSED and "reconnect" in job.pause_reason
    assert not Campaign.objects.exclude(graph_error=None).exists()
    assert set(GraphWrite.objects.values_list("state", flat=True)) == {"planned"}
    assert on_graph(graph, sim_account, "campaign", "Token") == []


def test_a_creative_two_campaigns_share_is_created_once(scoped, quick_async, sim_account, demo,
                                                       manager):
    graph = quick_async
    first, second = build(sim_account, manager.user, demo, campaigns=2, prefix="Shared")
    Ad.objects.filter(adset__campaign=second).update(creative=first.creatives.get())
    job = bulk_publish_start(campaigns=[first, second], actor=manager.user)

    job_execute(job_id=job.pk)

    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED and job.failed == 0, job.errors
    assert job.done == job.total == 2 + 2 + 1 + 2 + 2  # campaigns, ad sets, creative, ads, ons
    assert len(on_graph(graph, sim_account, "creative", "Shared 0")) == 1
    assert len(on_graph(graph, sim_account, "ad", "Shared")) == 2
    assert bulk_publish_progress(job=job)["counts"]["creative"]["created"] == 1


def test_fifteen_ads_go_in_two_sync_batches_of_at_most_ten(scoped, quick_async, sim_account,
                                                          demo, manager):
    graph = quick_async
    drafts = build(sim_account, manager.user, demo, campaigns=1, adsets=1, ads=15, prefix="Ten")
    job = bulk_publish_start(campaigns=drafts, actor=manager.user)
    since = len(graph.sim.calls)

    job_execute(job_id=job.pk)

    calls = top_level_calls(graph, since)
    # campaign, ad set, creative: one batch each; ads: 10 + 5; switching 15 on: one batch.
    assert [(c.method, c.path) for c in calls] == [("POST", "/")] * 6
    ad_batches = [len(json.loads(c.params["batch"])) for c in calls[3:5]]
    assert ad_batches == [10, 5]
    assert len(on_graph(graph, sim_account, "ad", "Ten")) == 15
    assert bulk_publish_minimum_calls(campaigns=1, adsets=1, creatives=1, ads=15)["total"] == 6


def test_ads_may_go_through_async_batch_requests_instead(scoped, quick_async, sim_account, demo,
                                                        manager, settings):
    graph = quick_async
    settings.BULK_PUBLISH_ADS_VIA = "async_batch"
    drafts = build(sim_account, manager.user, demo, campaigns=1, adsets=1, ads=30, prefix="Via")
    job = bulk_publish_start(campaigns=drafts, actor=manager.user)

    job_execute(job_id=job.pk)

    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED and job.failed == 0, job.errors
    assert graph.sim.calls.find(method="POST", path="/act_*/asyncadrequestsets") == []
    assert len(graph.sim.calls.find(method="POST", path="/act_*/async_batch_requests")) == 1
    assert len(on_graph(graph, sim_account, "ad", "Via")) == 30
