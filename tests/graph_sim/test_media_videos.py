"""Ad videos over HTTP: chunked and simple uploads, processing status over time, thumbnails."""

import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from graph_sim.media.formats import build_mp4, image_info
from graph_sim.media.images import media_settings

CHUNK = 4096


@pytest.fixture
def small_chunks(sim):
    """Server-chosen windows of 4 KiB so a multi-chunk upload stays small."""
    media_settings(sim).chunk_size = CHUNK
    return CHUNK


def _post(http, token, account, files=None, **data):
    return http.post(
        f"/v25.0/{account}/advideos", data={"access_token": token, **data}, files=files
    )


def _start(http, token, account, size):
    return _post(http, token, account, upload_phase="start", file_size=str(size))


def _transfer(http, token, account, session_id, start, chunk):
    return _post(
        http,
        token,
        account,
        files={"video_file_chunk": ("chunk", chunk)},
        upload_phase="transfer",
        upload_session_id=session_id,
        start_offset=str(start),
    )


def _upload_chunked(http, token, account, data, **finish):
    started = _start(http, token, account, len(data)).json()
    session, start, end = (
        started["upload_session_id"],
        int(started["start_offset"]),
        int(started["end_offset"]),
    )
    while start != end:
        window = _transfer(http, token, account, session, start, data[start:end]).json()
        start, end = int(window["start_offset"]), int(window["end_offset"])
    done = _post(http, token, account, upload_phase="finish", upload_session_id=session, **finish)
    assert done.json() == {"success": True}
    return started["video_id"]


def _status(http, token, video_id):
    response = http.get(f"/{video_id}", params={"access_token": token, "fields": "status"})
    return response.json()["status"]


def test_start_returns_numeric_string_offsets_and_a_server_chosen_window(
    http, token, demo, small_chunks
):
    # creatives-and-media.md §1.2 step 1 and §6.2 item 7.
    response = _start(http, token, demo["active_ad_account_id"], 10_000)
    body = response.json()
    assert response.status_code == 200
    assert body["start_offset"] == "0"
    assert body["end_offset"] == str(CHUNK)
    assert body["upload_session_id"].isdigit() and body["video_id"].isdigit()


def test_start_without_file_size_is_error_100(http, token, demo):
    # creatives-and-media.md §6.2 item 7: missing file_size → 100.
    response = _post(http, token, demo["active_ad_account_id"], upload_phase="start")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100


def test_chunked_upload_ends_with_start_offset_equal_to_end_offset(http, token, demo, small_chunks):
    # creatives-and-media.md §6.2 item 8: the last transfer returns start == end == file_size.
    account = demo["active_ad_account_id"]
    data = build_mp4(padding=3 * CHUNK)
    started = _start(http, token, account, len(data)).json()
    session, start, end = started["upload_session_id"], 0, int(started["end_offset"])
    windows = []
    while start != end:
        window = _transfer(http, token, account, session, start, data[start:end]).json()
        windows.append(window)
        start, end = int(window["start_offset"]), int(window["end_offset"])
    assert windows[-1] == {"start_offset": str(len(data)), "end_offset": str(len(data))}
    assert len(windows) == -(-len(data) // CHUNK)


def test_wrong_start_offset_tells_the_expected_window_and_the_upload_resumes(
    http, token, demo, small_chunks
):
    # creatives-and-media.md §1.2 step 2 and §6.2 item 9: subcode 1363037 with error_data.
    account = demo["active_ad_account_id"]
    data = build_mp4(padding=2 * CHUNK)
    started = _start(http, token, account, len(data)).json()
    session = started["upload_session_id"]
    first = _transfer(http, token, account, session, 0, data[:CHUNK]).json()
    # The client lost the answer and resends the first chunk from offset 0.
    wrong = _transfer(http, token, account, session, 0, data[:CHUNK])
    assert wrong.status_code == 400
    error = wrong.json()["error"]
    assert error["error_subcode"] == 1363037
    assert error["error_data"] == {
        "start_offset": int(first["start_offset"]),
        "end_offset": int(first["end_offset"]),
    }
    # Resume from the offsets the error gave, as the SDK's uploader does.
    start, end = error["error_data"]["start_offset"], error["error_data"]["end_offset"]
    while start != end:
        window = _transfer(http, token, account, session, start, data[start:end]).json()
        start, end = int(window["start_offset"]), int(window["end_offset"])
    finish = _post(http, token, account, upload_phase="finish", upload_session_id=session)
    assert finish.json() == {"success": True}
    assert _status(http, token, started["video_id"])["uploading_phase"] == {
        "status": "complete",
        "bytes_transfered": len(data),
    }


def test_chunk_of_the_wrong_length_is_refused_with_1363037(http, token, demo, small_chunks):
    # creatives-and-media.md §6.2 item 9: wrong chunk length → 1363037 with the window.
    account = demo["active_ad_account_id"]
    data = build_mp4(padding=2 * CHUNK)
    session = _start(http, token, account, len(data)).json()["upload_session_id"]
    response = _transfer(http, token, account, session, 0, data[: CHUNK - 1])
    assert response.json()["error"]["error_subcode"] == 1363037
    assert response.json()["error"]["error_data"] == {"start_offset": 0, "end_offset": CHUNK}


def test_transient_transfer_failure_can_be_retried(http, token, demo, sim, small_chunks):
    # creatives-and-media.md §6.2 item 10: is_transient, and a retry succeeds.
    account = demo["active_ad_account_id"]
    data = build_mp4(padding=CHUNK)
    session = _start(http, token, account, len(data)).json()["upload_session_id"]
    sim.faults.add("transient", method="POST", path="/act_*/advideos", times=1)
    failed = _transfer(http, token, account, session, 0, data[:CHUNK])
    assert failed.json()["error"]["is_transient"] is True
    retried = _transfer(http, token, account, session, 0, data[:CHUNK])
    assert retried.status_code == 200
    assert retried.json()["start_offset"] == str(CHUNK)


def test_finish_before_every_byte_arrived_is_6001(http, token, demo, small_chunks):
    # creatives-and-media.md §6.2 item 11 [decision].
    account = demo["active_ad_account_id"]
    data = build_mp4(padding=2 * CHUNK)
    session = _start(http, token, account, len(data)).json()["upload_session_id"]
    _transfer(http, token, account, session, 0, data[:CHUNK])
    response = _post(http, token, account, upload_phase="finish", upload_session_id=session)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 6001


def test_cancel_invalidates_the_session(http, token, demo, small_chunks):
    # creatives-and-media.md §6.2 item 12 [decision]: later calls on the session → 100.
    account = demo["active_ad_account_id"]
    data = build_mp4(padding=CHUNK)
    session = _start(http, token, account, len(data)).json()["upload_session_id"]
    canceled = _post(http, token, account, upload_phase="cancel", upload_session_id=session)
    assert canceled.json() == {"success": True}
    later = _transfer(http, token, account, session, 0, data[:CHUNK])
    assert later.status_code == 400 and later.json()["error"]["code"] == 100


def test_status_moves_from_processing_with_progress_to_ready(http, token, demo, sim, small_chunks):
    # creatives-and-media.md §1.6 and §6.2 item 11: processing_progress grows, then ready.
    video_id = _upload_chunked(http, token, demo["active_ad_account_id"], build_mp4())
    total = sim.config.timings.video_processing
    first = _status(http, token, video_id)
    assert first["video_status"] == "processing"
    assert first["processing_phase"]["status"] == "in_progress"
    sim.clock.advance(total / 2)
    halfway = _status(http, token, video_id)
    assert halfway["video_status"] == "processing"
    assert 0 < halfway["processing_progress"] < 100
    sim.clock.advance(total)
    ready = _status(http, token, video_id)
    assert ready["video_status"] == "ready"
    assert ready["processing_progress"] == 100
    assert ready["publishing_phase"]["status"] == "complete"


def test_injected_processing_failure_reports_error_status(http, token, demo, sim, small_chunks):
    # creatives-and-media.md §6.2 item 14: video_status "error" with processing_phase.errors.
    sim.faults.add("error", kind="video_processing", code=351, message="bad codec", times=1)
    video_id = _upload_chunked(http, token, demo["active_ad_account_id"], build_mp4())
    sim.clock.advance(sim.config.timings.video_processing)
    status = _status(http, token, video_id)
    assert status["video_status"] == "error"
    assert status["processing_phase"] == {
        "status": "error",
        "errors": [{"code": 351, "message": "bad codec"}],
    }


def test_abandoned_upload_session_expires(http, token, demo, sim, small_chunks):
    # creatives-and-media.md §6.2 item 14: abandoned sessions become expired.
    account = demo["active_ad_account_id"]
    data = build_mp4(padding=CHUNK)
    started = _start(http, token, account, len(data)).json()
    sim.clock.advance(25 * 3600)
    assert _status(http, token, started["video_id"])["video_status"] == "expired"
    late = _transfer(http, token, account, started["upload_session_id"], 0, data[:CHUNK])
    assert late.status_code == 400 and late.json()["error"]["code"] == 100


def test_simple_upload_with_source_returns_an_id(http, token, demo, sim):
    # creatives-and-media.md §6.2 item 13: multipart `source` → {"id"}.
    response = _post(
        http,
        token,
        demo["active_ad_account_id"],
        files={"source": ("clip.mp4", build_mp4(duration_seconds=15))},
        title="Spring clip",
    )
    video_id = response.json()["id"]
    assert list(response.json()) == ["id"]
    sim.clock.advance(sim.config.timings.video_processing)
    video = http.get(
        f"/{video_id}", params={"access_token": token, "fields": "title,length,status"}
    ).json()
    assert video["title"] == "Spring clip"
    assert video["length"] == 15.0
    assert video["status"]["video_status"] == "ready"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"tiny", 382),  # file too small
        (b"this is a text file, not any video container at all. " * 40, 352),  # unsupported
        (build_mp4()[:-100], 351),  # truncated: a problem with the file
    ],
)
def test_simple_upload_checks_size_format_and_structure(http, token, demo, payload, code):
    # reference.md §3.6 error codes 382, 352, 351; creatives-and-media.md §6.2 item 13.
    response = _post(
        http, token, demo["active_ad_account_id"], files={"source": ("v.mp4", payload)}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code


@contextmanager
def _file_server(body: bytes):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/video.mp4"
    finally:
        server.shutdown()
        server.server_close()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_file_url_upload_fetches_the_file(http, token, demo):
    # reference.md §3.6 `file_url`: the server downloads the video.
    with _file_server(build_mp4()) as url:
        response = _post(http, token, demo["active_ad_account_id"], file_url=url)
    assert response.status_code == 200
    assert response.json()["id"].isdigit()


def test_unreachable_file_url_is_389(http, token, demo):
    # reference.md §3.6: 389 "Unable to fetch video file from URL".
    url = f"http://127.0.0.1:{_closed_port()}/gone.mp4"
    response = _post(http, token, demo["active_ad_account_id"], file_url=url)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 389


def test_title_of_255_characters_or_more_is_100(http, token, demo):
    # reference.md §3.6: title "Must be less than 255 characters".
    response = _post(
        http,
        token,
        demo["active_ad_account_id"],
        files={"source": ("v.mp4", build_mp4())},
        title="x" * 255,
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == 100


def test_thumbnails_appear_when_ready_with_exactly_one_preferred(http, token, demo, sim):
    # creatives-and-media.md §1.7 and §6.2 item 17.
    response = _post(
        http,
        token,
        demo["active_ad_account_id"],
        files={"source": ("v.mp4", build_mp4(width=1080, height=1920))},
    )
    video_id = response.json()["id"]
    before = http.get(f"/{video_id}/thumbnails", params={"access_token": token}).json()
    assert before["data"] == []
    sim.clock.advance(sim.config.timings.video_processing)
    thumbs = http.get(f"/{video_id}/thumbnails", params={"access_token": token}).json()["data"]
    assert [t["is_preferred"] for t in thumbs].count(True) == 1
    assert {(t["width"], t["height"]) for t in thumbs} == {(1080, 1920)}
    preferred = next(t for t in thumbs if t["is_preferred"])
    picture = http.get(preferred["uri"]).content
    assert (image_info(picture).width, image_info(picture).height) == (1080, 1920)


def test_delete_removes_the_video_and_requires_video_id(http, token, demo):
    # reference.md §3.6 DELETE; creatives-and-media.md §6.2 item 16.
    account = demo["active_ad_account_id"]
    video_id = _post(http, token, account, files={"source": ("v.mp4", build_mp4())}).json()["id"]
    missing = http.delete(f"/{account}/advideos", params={"access_token": token})
    assert missing.status_code == 400 and missing.json()["error"]["code"] == 100
    deleted = http.delete(
        f"/{account}/advideos", params={"access_token": token, "video_id": video_id}
    )
    assert deleted.json() == {"success": True}
    gone = http.get(f"/{video_id}", params={"access_token": token})
    assert gone.status_code == 400 and gone.json()["error"]["error_subcode"] == 33


def test_library_lists_the_account_videos(http, token, demo):
    # creatives-and-media.md §1.2: the simulator supports GET /act_<ID>/advideos.
    account = demo["ad_account_by_currency"]["EUR"]  # no seeded video
    video_id = _post(
        http, token, account, files={"source": ("v.mp4", build_mp4())}, description="d"
    ).json()["id"]
    listing = http.get(f"/{account}/advideos", params={"access_token": token}).json()
    assert [row["id"] for row in listing["data"]] == [video_id]
    assert listing["data"][0]["description"] == "d"
    other = http.get(
        f"/{demo['ad_account_by_currency']['GBP']}/advideos", params={"access_token": token}
    ).json()
    assert other["data"] == []


def test_another_users_token_cannot_read_the_video(http, token, mint, demo):
    # core-flows.md §8 item 6: no access to the video's ad account → 200.
    video_id = _post(
        http, token, demo["active_ad_account_id"], files={"source": ("v.mp4", build_mp4())}
    ).json()["id"]
    stranger = mint(user_id=demo["second_user_id"])
    response = http.get(f"/{video_id}", params={"access_token": stranger, "fields": "status"})
    assert response.status_code == 403 and response.json()["error"]["code"] == 200


def test_demo_account_has_a_ready_seeded_video(http, token, demo):
    # CONTRACT.md §5 seeding: one processed video with thumbnails in the active account.
    video = http.get(
        f"/{demo['video_id']}", params={"access_token": token, "fields": "status,length,title"}
    ).json()
    assert video["status"]["video_status"] == "ready"
    assert video["length"] == 15.0
    thumbs = http.get(f"/{demo['video_id']}/thumbnails", params={"access_token": token}).json()
    assert len(thumbs["data"]) == 3


def test_corrupt_chunked_upload_fails_at_finish_and_reports_error_status(
    http, token, demo, small_chunks
):
    # reference.md §3.6 351 "problem with the video file": checked once every byte arrived.
    account = demo["active_ad_account_id"]
    data = build_mp4(padding=CHUNK)[:-50] + bytes(50)
    data = data[:40] + b"\xff\xff\xff\xff" + data[44:]  # a box size that overruns the file
    started = _start(http, token, account, len(data)).json()
    session, start, end = started["upload_session_id"], 0, int(started["end_offset"])
    while start != end:
        window = _transfer(http, token, account, session, start, data[start:end]).json()
        start, end = int(window["start_offset"]), int(window["end_offset"])
    finish = _post(http, token, account, upload_phase="finish", upload_session_id=session)
    assert finish.status_code == 400 and finish.json()["error"]["code"] == 351
    status = _status(http, token, started["video_id"])
    assert status["video_status"] == "error"
    assert status["uploading_phase"]["status"] == "error"


def test_video_fields_expand_the_thumbnails_edge(http, token, demo):
    # CONTRACT.md "Edges as fields": fields=thumbnails{uri,is_preferred} embeds the edge.
    body = http.get(
        f"/{demo['video_id']}",
        params={"access_token": token, "fields": "status,thumbnails{is_preferred}"},
    ).json()
    assert [t["is_preferred"] for t in body["thumbnails"]["data"]] == [True, False, False]


def test_control_api_changes_media_settings(http, sim):
    # CONTRACT.md §8: a plug-in's test switches live under /__sim__/.
    settings = http.post("/__sim__/media/settings", data={"chunk_size": "2048"}).json()
    assert settings["chunk_size"] == 2048
    assert media_settings(sim).chunk_size == 2048
    assert http.post("/__sim__/media/settings", data={"nope": "1"}).status_code == 400
