"""The video_ads flow over HTTP: start, upload to the returned URL (resumable), finish, list
(creatives-and-media.md §1.3 and §6.2 item 15; seeds L2303-2553)."""

import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from graph_sim.media.formats import build_mp4


def _start(http, token, account):
    response = http.post(
        f"/v24.0/{account}/video_ads", data={"access_token": token, "upload_phase": "start"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def _upload(http, token, url, body, offset, total):
    # Headers as in the seed (`file_size` spelled with a dash: WSGI servers drop underscores).
    return http.post(
        url,
        content=body,
        headers={
            "Authorization": f"OAuth {token}",
            "offset": str(offset),
            "file-size": str(total),
            "Content-Type": "application/octet-stream",
        },
    )


def _finish(http, token, account, video_id):
    return http.post(
        f"/v24.0/{account}/video_ads",
        data={"access_token": token, "upload_phase": "finish", "video_id": video_id},
    )


def _status(http, token, video_id):
    return http.get(f"/{video_id}", params={"access_token": token, "fields": "status"}).json()[
        "status"
    ]


def test_start_returns_the_video_id_and_an_upload_url_on_the_simulator(
    http, token, demo, graph_url
):
    # §1.3 step 1: {"video_id", "upload_url": ".../video-ads-upload/v24.0/<VIDEO_ID>"}.
    started = _start(http, token, demo["active_ad_account_id"])
    assert started["upload_url"] == f"{graph_url}/video-ads-upload/v24.0/{started['video_id']}"


def test_upload_finish_then_processing_to_ready(http, token, demo, sim):
    # §1.3 steps 2-4: {"success": true} twice, then the status goes processing → ready.
    account = demo["active_ad_account_id"]
    video = build_mp4()
    started = _start(http, token, account)
    uploaded = _upload(http, token, started["upload_url"], video, 0, len(video))
    assert uploaded.json() == {"success": True}
    assert _finish(http, token, account, started["video_id"]).json() == {"success": True}
    assert _status(http, token, started["video_id"])["video_status"] == "processing"
    sim.clock.advance(sim.config.timings.video_processing)
    assert _status(http, token, started["video_id"])["video_status"] == "ready"


def test_interrupted_upload_resumes_from_bytes_transfered(http, token, demo):
    # §1.3 "Resume Interrupted File Upload": offset = status.uploading_phase.bytes_transfered.
    account = demo["active_ad_account_id"]
    video = build_mp4(padding=20_000)
    started = _start(http, token, account)
    half = len(video) // 2
    _upload(http, token, started["upload_url"], video[:half], 0, len(video))
    uploading = _status(http, token, started["video_id"])["uploading_phase"]
    assert uploading == {"status": "in_progress", "bytes_transfered": half}
    early = _finish(http, token, account, started["video_id"])
    assert early.status_code == 400 and early.json()["error"]["code"] == 6001
    offset = uploading["bytes_transfered"]
    _upload(http, token, started["upload_url"], video[offset:], offset, len(video))
    assert _finish(http, token, account, started["video_id"]).json() == {"success": True}


def test_offset_past_the_received_bytes_is_refused(http, token, demo):
    # §1.3: "The file bytes sent ... should start with the byte at 'offset'".
    started = _start(http, token, demo["active_ad_account_id"])
    response = _upload(http, token, started["upload_url"], b"x" * 10, 500, 1000)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 100


def test_upload_without_a_token_is_refused(http, demo, token):
    # §6.2 item 15: the upload needs `Authorization: OAuth <token>` (the core answers 104).
    started = _start(http, token, demo["active_ad_account_id"])
    response = http.post(started["upload_url"], content=b"abc", headers={"offset": "0"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == 104


def test_finish_needs_video_id(http, token, demo):
    # §1.3 step 4: video_id and upload_phase are both required.
    response = http.post(
        f"/{demo['active_ad_account_id']}/video_ads",
        data={"access_token": token, "upload_phase": "finish"},
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == 100


def test_finish_on_the_seeds_mixed_host_path_works_too(http, token, demo):
    # §1.3 [FLAG]: the finish example posts to /video-ads-upload/v24.0/act_<ID>/video_ads.
    account = demo["active_ad_account_id"]
    video = build_mp4()
    started = _start(http, token, account)
    _upload(http, token, started["upload_url"], video, 0, len(video))
    response = http.post(
        f"/video-ads-upload/v24.0/{account}/video_ads",
        data={"access_token": token, "upload_phase": "finish", "video_id": started["video_id"]},
    )
    assert response.json() == {"success": True}


@pytest.mark.parametrize(("since", "listed"), [("yesterday", True), ("2099-01-10", False)])
def test_list_shows_uploaded_videos_with_unix_updated_time(http, token, demo, sim, since, listed):
    # §1.3 "Get Video Ads": {"data": [{"updated_time": <unix timestamp>, "id"}]}; since/until.
    account = demo["ad_account_by_currency"]["EUR"]
    video = build_mp4()
    started = _start(http, token, account)
    _upload(http, token, started["upload_url"], video, 0, len(video))
    _finish(http, token, account, started["video_id"])
    rows = http.get(f"/{account}/video_ads", params={"access_token": token, "since": since}).json()[
        "data"
    ]
    if listed:
        assert rows == [{"updated_time": int(sim.clock.now()), "id": started["video_id"]}]
    else:
        assert rows == []


def test_seed_exact_headers_upload_a_whole_file(http, token, demo):
    # The seed's curl sends `file_size` with an underscore, which the WSGI server drops: the
    # body is then taken as the rest of the file (DECISIONS.md "The video_ads flow").
    account = demo["active_ad_account_id"]
    video = build_mp4()
    started = _start(http, token, account)
    response = http.post(
        started["upload_url"],
        content=video,
        headers={"Authorization": f"OAuth {token}", "offset": "0", "file_size": str(len(video))},
    )
    assert response.json() == {"success": True}
    assert _finish(http, token, account, started["video_id"]).json() == {"success": True}


def test_hosted_file_is_fetched_from_file_url(http, token, demo):
    # §1.3 "Upload Hosted Files" (file_url given as a query parameter, see above).
    account = demo["active_ad_account_id"]
    video = build_mp4()
    with _file_server(video) as url:
        started = _start(http, token, account)
        response = http.post(
            started["upload_url"],
            params={"file_url": url},
            headers={"Authorization": f"OAuth {token}"},
        )
    assert response.json() == {"success": True}
    assert _status(http, token, started["video_id"])["uploading_phase"]["bytes_transfered"] == len(
        video
    )


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
        yield f"http://127.0.0.1:{server.server_port}/hosted.mp4"
    finally:
        server.shutdown()
        server.server_close()
