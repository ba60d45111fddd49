"""Pushing library media to ad accounts, against the Graph simulator: images get their hash,
videos go by the chunked resumable protocol (resuming, never restarting), processing is polled to
ready, and Graph's refusals are recorded with its reason."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agency.jobs.models import JobState
from agency.jobs.runner import job_execute
from agency.models import AuditEvent
from campaigns.media.models import AccountMedia, AccountMediaState
from campaigns.media.selectors import account_media_ready
from campaigns.media.services import (
    _Progress,
    account_media_push,
    account_media_retry,
    media_push_to_accounts,
    media_upload,
)
from graph_sim.media.formats import build_mp4, build_png
from graph_sim.media.images import media_settings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path, sim_sleeps):
    settings.MEDIA_ROOT = tmp_path / "media"


def _upload(client, owner, name, content):
    return media_upload(client=client, actor=owner.user,
                        file=SimpleUploadedFile(name, content, content_type="application/x"))


def _transfers(graph) -> list:
    return [c for c in graph.sim.calls
            if c.path.endswith("/advideos") and c.params.get("upload_phase") == "transfer"
            and c.status == 200]


def _sim_videos(graph, act_id: str) -> list:
    account = act_id.removeprefix("act_")
    return [v for v in graph.sim.world.all("video")
            if str(getattr(v, "account_id", "")).removeprefix("act_") == account]


def test_image_push_records_the_hash_on_every_account(scoped, graph, client_a, owner,
                                                      ad_accounts):
    png = build_png(64, 48)
    asset = _upload(client_a, owner, "banner.png", png)

    jobs = media_push_to_accounts(asset=asset, actor=owner.user)
    assert len(jobs) == 1 and jobs[0].kind == "media.push" and jobs[0].queue == "uploads"
    job_execute(job_id=jobs[0].pk)

    copies = AccountMedia.objects.filter(asset=asset)
    assert {c.state for c in copies} == {AccountMediaState.READY}
    # The simulator's hash is the MD5 of the bytes (DECISIONS.md "Image hashes").
    assert {c.image_hash for c in copies} == {hashlib.md5(png).hexdigest()}
    for account in ad_accounts:
        assert account_media_ready(asset, account).image_hash == hashlib.md5(png).hexdigest()
    job = jobs[0]
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.succeeded) == (JobState.SUCCEEDED, 2, 2, 2)
    assert AuditEvent.objects.unscoped().filter(verb="media.ready").count() == 2
    assert AuditEvent.objects.unscoped().filter(verb="media.push").count() == 1


def test_push_of_an_asset_ready_everywhere_does_nothing(scoped, graph, client_a, owner,
                                                        ad_accounts):
    asset = _upload(client_a, owner, "banner.png", build_png(64, 48))
    job_execute(job_id=media_push_to_accounts(asset=asset, actor=owner.user)[0].pk)
    calls = len(graph.sim.calls)

    assert media_push_to_accounts(asset=asset, actor=owner.user) == []
    assert len(graph.sim.calls) == calls


def test_push_while_a_push_runs_returns_the_running_job(scoped, graph, client_a, owner,
                                                        ad_accounts):
    asset = _upload(client_a, owner, "banner.png", build_png(64, 48))
    first = media_push_to_accounts(asset=asset, actor=owner.user)
    again = media_push_to_accounts(asset=asset, actor=owner.user)
    assert [j.pk for j in again] == [j.pk for j in first]


def test_video_push_uploads_in_chunks_polls_processing_and_records_thumbnail(
        scoped, graph, client_a, owner, ad_accounts, small_chunks, sim_sleeps):
    media_settings(graph.sim).processing_seconds = 40
    video = build_mp4(padding=10 * small_chunks)
    asset = _upload(client_a, owner, "clip.mp4", video)
    copy = AccountMedia.objects.create(asset=asset, ad_account=ad_accounts[0])

    account_media_push(copy=copy)

    copy.refresh_from_db()
    assert copy.state == AccountMediaState.READY and copy.video_id
    assert copy.thumbnail_url.startswith(graph.base_url)
    assert len(_transfers(graph)) == -(-len(video) // small_chunks)
    polls = [c for c in graph.sim.calls if c.path == f"/{copy.video_id}" and c.method == "GET"]
    assert len(polls) >= 3 and sim_sleeps[:3] == [2.0, 4.0, 8.0]  # backoff between polls
    assert [v.id for v in _sim_videos(graph, ad_accounts[0].act_id)
            if v.id == copy.video_id] == [copy.video_id]


class _KilledMidUpload(Exception):
    pass


class _DiesAfter(_Progress):
    """Progress that 'kills the worker' once N chunks were acknowledged."""

    def __init__(self, chunks: int, chunk_size: int) -> None:
        super().__init__(None)
        self.limit = chunks * chunk_size

    def units(self, copy, units):
        if copy.upload_start_offset >= self.limit:
            raise _KilledMidUpload


def test_interrupted_video_push_resumes_from_the_last_acknowledged_chunk(
        scoped, graph, client_a, owner, ad_accounts, small_chunks):
    media_settings(graph.sim).processing_seconds = 0
    video = build_mp4(padding=12 * small_chunks)
    chunks = -(-len(video) // small_chunks)
    asset = _upload(client_a, owner, "clip.mp4", video)
    copy = AccountMedia.objects.create(asset=asset, ad_account=ad_accounts[0])

    with pytest.raises(_KilledMidUpload):
        account_media_push(copy=copy, progress=_DiesAfter(4, small_chunks))
    copy.refresh_from_db()
    assert copy.state == AccountMediaState.UPLOADING
    assert copy.upload_start_offset == 4 * small_chunks and copy.upload_session_id
    assert len(_transfers(graph)) == 4

    account_media_push(copy=copy)

    copy.refresh_from_db()
    assert copy.state == AccountMediaState.READY
    transfers = _transfers(graph)
    assert len(transfers) == chunks  # every chunk sent once: resumed, not restarted
    assert int(transfers[4].params["start_offset"]) == 4 * small_chunks
    starts = [c for c in graph.sim.calls if c.params.get("upload_phase") == "start"]
    assert len(starts) == 1
    assert len(_sim_videos(graph, ad_accounts[0].act_id)) == 1 + _demo_videos(graph, ad_accounts)


def _demo_videos(graph, ad_accounts) -> int:
    demo_video = graph.sim.world.demo["video_id"]
    return sum(1 for v in _sim_videos(graph, ad_accounts[0].act_id) if v.id == demo_video)


def test_job_progress_counts_acknowledged_kilobytes(scoped, graph, client_a, owner, ad_accounts,
                                                    small_chunks):
    media_settings(graph.sim).processing_seconds = 0
    video = build_mp4(padding=6 * small_chunks)
    asset = _upload(client_a, owner, "clip.mp4", video)

    jobs = media_push_to_accounts(asset=asset, actor=owner.user, ad_accounts=[ad_accounts[0]])
    job_execute(job_id=jobs[0].pk)

    job = jobs[0]
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED
    assert job.total == -(-len(video) // 1024) and job.done == job.total
    assert job.checkpoint["finished"] == [AccountMedia.objects.get(asset=asset).pk]


def test_processing_failure_is_recorded_with_metas_reason_and_retry_uploads_again(
        scoped, graph, client_a, owner, ad_accounts, small_chunks):
    media_settings(graph.sim).processing_seconds = 0
    graph.sim.faults.add("error", kind="video_processing", code=351,
                         message="The video could not be transcoded.", times=1)
    asset = _upload(client_a, owner, "clip.mp4", build_mp4(padding=3 * small_chunks))
    jobs = media_push_to_accounts(asset=asset, actor=owner.user, ad_accounts=[ad_accounts[0]])

    job_execute(job_id=jobs[0].pk)

    copy = AccountMedia.objects.get(asset=asset)
    assert copy.state == AccountMediaState.FAILED
    assert "The video could not be transcoded." in copy.error and copy.error_code == "351"
    assert not copy.video_id and not copy.upload_session_id
    job = jobs[0]
    job.refresh_from_db()
    assert job.failed == 1 and "could not be transcoded" in job.last_error
    failed = AuditEvent.objects.unscoped().get(verb="media.push_failed")
    assert failed.data["ad_account"] == ad_accounts[0].act_id

    retry = account_media_retry(copy=copy, actor=owner.user)
    job_execute(job_id=retry[0].pk)
    copy.refresh_from_db()
    assert copy.state == AccountMediaState.READY and copy.error == ""


def test_image_refused_by_graph_fails_that_account_only(scoped, graph, client_a, owner,
                                                       ad_accounts):
    graph.sim.faults.add("error", path=f"/{ad_accounts[1].act_id}/adimages", code=100,
                         message="Invalid parameter", times=1)
    asset = _upload(client_a, owner, "banner.png", build_png(64, 48))
    jobs = media_push_to_accounts(asset=asset, actor=owner.user)

    job_execute(job_id=jobs[0].pk)

    ok, refused = (AccountMedia.objects.get(asset=asset, ad_account=a) for a in ad_accounts)
    assert ok.state == AccountMediaState.READY
    assert refused.state == AccountMediaState.FAILED and "Invalid parameter" in refused.error
    job = jobs[0]
    job.refresh_from_db()
    assert (job.succeeded, job.failed) == (1, 1)


def test_a_throttled_push_keeps_its_place_for_the_retry(scoped, graph, client_a, owner,
                                                        ad_accounts, small_chunks, settings):
    settings.GRAPH_MAX_ATTEMPTS = 1
    media_settings(graph.sim).processing_seconds = 0
    video = build_mp4(padding=8 * small_chunks)
    asset = _upload(client_a, owner, "clip.mp4", video)
    jobs = media_push_to_accounts(asset=asset, actor=owner.user, ad_accounts=[ad_accounts[0]])
    graph.sim.faults.add("transient", path="/act_*/advideos", every=4, times=1)

    first = job_execute(job_id=jobs[0].pk)
    assert first.retry_in is not None  # the task would retry after a backoff
    copy = AccountMedia.objects.get(asset=asset)
    assert copy.state == AccountMediaState.UPLOADING and copy.upload_start_offset > 0

    job_execute(job_id=jobs[0].pk, retries=1)
    copy.refresh_from_db()
    assert copy.state == AccountMediaState.READY
    assert len(_transfers(graph)) == -(-len(video) // small_chunks)


def test_job_rerun_after_a_hiccup_does_not_resend_a_copy_that_already_failed(
        scoped, graph, client_a, owner, ad_accounts, settings):
    settings.GRAPH_MAX_ATTEMPTS = 1
    first, second = ad_accounts
    graph.sim.faults.add("error", path=f"/{first.act_id}/adimages", code=100,
                         message="Invalid parameter", times=1)
    graph.sim.faults.add("transient", path=f"/{second.act_id}/adimages", times=1)
    asset = _upload(client_a, owner, "banner.png", build_png(64, 48))
    [job] = media_push_to_accounts(asset=asset, actor=owner.user)

    assert job_execute(job_id=job.pk).retry_in is not None
    job_execute(job_id=job.pk, retries=1)

    failed, sent = (AccountMedia.objects.get(asset=asset, ad_account=a) for a in ad_accounts)
    assert failed.state == AccountMediaState.FAILED and sent.state == AccountMediaState.READY
    posts = [c for c in graph.sim.calls if c.path == f"/{first.act_id}/adimages"]
    assert len(posts) == 1
    job.refresh_from_db()
    assert (job.state, job.succeeded, job.failed) == (JobState.SUCCEEDED, 1, 1)
