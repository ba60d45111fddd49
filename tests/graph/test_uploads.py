"""Video uploads: one POST for small files, the chunked resumable protocol for large ones."""

from __future__ import annotations

import httpx
import pytest

from agency.graph import GraphConnectionError, GraphTransientError, RetryPolicy, upload_video
from graph_sim.media.formats import build_mp4
from graph_sim.media.images import media_settings

CHUNK = 2048


@pytest.fixture
def video(graph) -> bytes:
    media_settings(graph.sim).chunk_size = CHUNK  # the server's window; small keeps tests fast
    data = build_mp4(padding=9000)
    assert len(data) > 4 * CHUNK
    return data


def _stored(graph, video_id: str) -> bytes:
    """The bytes Graph keeps for the video, read back through its `source` once processed."""
    graph.sim.clock.advance(3600)
    video = graph.client().get(video_id, fields="source,status")
    assert video["status"]["video_status"] == "ready"
    return httpx.get(video["source"], timeout=5).content


def _transfers(graph) -> list:
    return [c for c in graph.sim.calls if c.params.get("upload_phase") == "transfer"]


def test_small_video_goes_in_one_post(graph, video):
    result = upload_video(
        graph.client(), account_id=graph.account_id, source=video, chunked_from=len(video) + 1
    )

    assert not result.chunked
    assert len(graph.sim.calls) == 1
    assert _stored(graph, result.video_id) == video


def test_large_video_uses_chunked_protocol_with_server_windows(graph, video, tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(video)
    states = []

    result = upload_video(
        graph.client(),
        account_id=graph.account_id,
        source=path,
        title="Clip",
        chunked_from=1024,
        on_progress=states.append,
    )

    assert result.chunked and result.reseeks == 0
    assert result.chunks_sent == -(-len(video) // CHUNK)
    assert [s.start_offset for s in states] == [*range(0, len(video), CHUNK), len(video)]
    phases = [c.params.get("upload_phase") for c in graph.sim.calls]
    assert phases[0] == "start" and phases[-1] == "finish"
    assert _stored(graph, result.video_id) == video


def test_upload_resumes_from_last_acknowledged_offset_after_a_crash(graph, video):
    states = []
    graph.sim.faults.add("drop", method="POST", path="/act_*/advideos", every=4, times=1)

    with pytest.raises(GraphConnectionError):  # the worker "dies" on the third chunk
        upload_video(
            graph.client(retry=RetryPolicy(max_attempts=1)),
            account_id=graph.account_id,
            source=video,
            chunked_from=1024,
            on_progress=states.append,
        )
    assert states[-1].start_offset == 2 * CHUNK

    result = upload_video(  # a new worker, a new client, the stored state
        graph.client(),
        account_id=graph.account_id,
        source=video,
        chunked_from=1024,
        resume=states[-1],
    )

    assert result.video_id == states[0].video_id
    assert _stored(graph, result.video_id) == video
    assert result.chunks_sent == -(-len(video) // CHUNK) - 2
    assert len([c for c in graph.sim.calls if c.params.get("upload_phase") == "start"]) == 1


def test_resume_reseeks_when_the_server_had_taken_the_chunk_whose_answer_was_lost(graph, video):
    states = []
    graph.sim.faults.add(
        "transient", method="POST", path="/act_*/advideos", every=4, times=1, after_apply=True
    )

    with pytest.raises(GraphTransientError):
        upload_video(
            graph.client(retry=RetryPolicy(max_attempts=1)),
            account_id=graph.account_id,
            source=video,
            chunked_from=1024,
            on_progress=states.append,
        )

    result = upload_video(
        graph.client(),
        account_id=graph.account_id,
        source=video,
        chunked_from=1024,
        resume=states[-1],
    )

    assert result.reseeks == 1  # 1363037 told us the server's offset
    assert _stored(graph, result.video_id) == video
    assert any(c.error_subcode == 1363037 for c in _transfers(graph))


def test_transfer_retried_in_process_after_lost_answer_completes_the_upload(graph, video):
    graph.sim.faults.add(
        "transient", method="POST", path="/act_*/advideos", every=3, times=2, after_apply=True
    )

    result = upload_video(
        graph.client(), account_id=graph.account_id, source=video, chunked_from=1024
    )

    assert _stored(graph, result.video_id) == video
    assert result.reseeks == 2


def test_resume_with_another_file_is_refused(graph, video):
    states = []
    graph.sim.faults.add("drop", method="POST", path="/act_*/advideos", every=3, times=1)
    with pytest.raises(GraphConnectionError):
        upload_video(
            graph.client(retry=RetryPolicy(max_attempts=1)),
            account_id=graph.account_id,
            source=video,
            chunked_from=1024,
            on_progress=states.append,
        )

    with pytest.raises(ValueError):
        upload_video(
            graph.client(),
            account_id=graph.account_id,
            source=video + b"x",
            resume=states[-1],
        )
