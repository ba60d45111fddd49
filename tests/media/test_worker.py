"""The media push on a real Celery worker (Redis, PostgreSQL, the Graph simulator): a worker
SIGKILLed in the middle of a multi-chunk video upload, a new worker, and the upload finishing
with one video on Meta, resumed from the last acknowledged chunk rather than restarted."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agency.jobs.models import JobState
from agency.tenancy import agency_scope
from campaigns.media.models import AccountMedia, AccountMediaState
from campaigns.media.services import media_push_to_accounts, media_upload
from graph_sim.media.formats import build_mp4
from graph_sim.media.images import media_settings

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

CHUNK = 64 * 1024  # the simulator's window (creatives-and-media.md §1.2: the server decides)


def _transfers(graph) -> list:
    return [c for c in graph.sim.calls
            if c.path.endswith("/advideos") and c.params.get("upload_phase") == "transfer"]


def test_worker_killed_mid_video_upload_resumes_and_makes_one_video(
        celery_worker, graph, agency, client_a, owner, ad_accounts):
    media_settings(graph.sim).chunk_size = CHUNK
    media_settings(graph.sim).processing_seconds = 5
    # Each chunk takes a little while, so the kill lands in the middle of the transfer.
    graph.sim.faults.add("delay", delay=0.05, path="/act_*/advideos")
    video = build_mp4(padding=3 * 1024 * 1024)  # ~3 MB: 49 chunks
    chunks = -(-len(video) // CHUNK)
    account = ad_accounts[0]
    videos_before = {v.id for v in graph.sim.world.all("video")}
    with agency_scope(agency):
        asset = media_upload(client=client_a, actor=owner.user,
                             file=SimpleUploadedFile("launch.mp4", video))
        [job] = media_push_to_accounts(asset=asset, actor=owner.user, ad_accounts=[account])
        copy = AccountMedia.objects.get(asset=asset)

    def some_chunks_acknowledged():
        copy.refresh_from_db()
        return copy.upload_start_offset >= 8 * CHUNK

    celery_worker.wait_until(some_chunks_acknowledged, timeout=30, what="8 chunks acknowledged")
    celery_worker.kill()
    copy.refresh_from_db()
    killed_at = copy.upload_start_offset
    assert copy.state == AccountMediaState.UPLOADING and 0 < killed_at < len(video)
    sent_before_kill = len(_transfers(graph))

    celery_worker.start()

    def ready():
        graph.sim.clock.advance(1)  # Meta's processing moves on the simulator's clock
        copy.refresh_from_db()
        return copy.state in {AccountMediaState.READY, AccountMediaState.FAILED}

    celery_worker.wait_until(ready, timeout=60, what="the video to be ready")
    assert copy.state == AccountMediaState.READY, copy.error
    job = celery_worker.wait_for(job, JobState.SUCCEEDED, timeout=20)
    assert job.done == job.total

    new_videos = [v for v in graph.sim.world.all("video") if v.id not in videos_before]
    assert [v.id for v in new_videos] == [copy.video_id]  # exactly one video on Meta
    transfers = _transfers(graph)
    accepted = [c for c in transfers if c.status == 200]
    assert len(accepted) == chunks  # every chunk landed once: resumed, not restarted
    # At most the chunk in flight at the kill is sent again (Graph answers 1363037 with the
    # offset to resume from); nothing restarts from byte 0.
    assert len(transfers) <= chunks + 2
    resumed = transfers[sent_before_kill:]
    assert resumed and int(resumed[0].params["start_offset"]) >= killed_at > 0
    assert [c for c in graph.sim.calls if c.params.get("upload_phase") == "start"][1:] == []
