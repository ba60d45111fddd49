"""The newest video upload protocol in the seeds: /act_<id>/video_ads start and finish, and
the resumable upload to the returned rupload URL (creatives-and-media.md §1.3, §6.2 item 15)."""

from __future__ import annotations

from typing import Any

from graph_sim.core import SimRequest, paginate, route
from graph_sim.errors import GraphError, invalid_parameter, missing_parameter
from graph_sim.media.images import blob, blobs, media_settings
from graph_sim.media.videos import (
    apply_text_params,
    complete_upload,
    fetch_file_url,
    find_video,
    new_video,
)

# ---------------------------------------------------------------------------------------------
# The newest protocol in the seeds: /video_ads + the rupload URL (creatives-and-media.md §1.3)


@route("POST", "/act_<account_id>/video_ads", kind="video_ads")
@route("POST", "/video-ads-upload/<version>/act_<account_id>/video_ads", kind="video_ads")
def video_ads_phase(req: SimRequest, account_id: str, version: str | None = None) -> dict:
    """`upload_phase=start` → `{"video_id", "upload_url"}`; `upload_phase=finish` + `video_id`
    (both required) → `{"success": true}`. The seed's finish example posts to
    `graph.facebook.com/video-ads-upload/v24.0/act_<ID>/video_ads` [FLAG]; both paths work."""
    account = req.account(account_id, write=True)
    phase = str(req.param("upload_phase") or "").lower()
    if phase == "start":
        video = new_video(req, account.account_id, source_kind="video_ads")
        video.file_size = 0  # unknown until the upload says
        req.world.put(video)
        blobs(req.world)[video.id] = bytearray()
        # The simulator stands in for rupload.facebook.com: clients post to the URL it gives.
        upload_url = f"{req.base_url}/video-ads-upload/{req.version}/{video.id}"
        return {"video_id": video.id, "upload_url": upload_url}
    if phase == "finish":
        video_id = req.param("video_id")
        if not video_id:
            raise missing_parameter("video_id")
        video = find_video(req, str(video_id), account.account_id)
        if video.source_kind != "video_ads":
            raise invalid_parameter(f"Video {video_id} was not started with /video_ads")
        if video.upload_state == "complete":
            return {"success": True}  # a retried finish
        received = len(blobs(req.world).get(video.id, b""))
        if received == 0 or (video.file_size and received < video.file_size):
            raise GraphError(
                f"There was a problem uploading your video file. Please try again. (received "
                f"{received} of {video.file_size or 'unknown'} bytes)",
                code=6001,
                user_title="Upload Incomplete",
                user_msg=f"Resume the upload from byte {received}.",
            )
        apply_text_params(req, video)
        try:
            complete_upload(req, video, blob(req.world, video.id), resumable=True)
        except GraphError as err:
            video.upload_state = "error"
            video.upload_error = (err.code, err.message)
            raise
        return {"success": True}
    if not phase:
        raise missing_parameter("upload_phase")
    raise invalid_parameter("Param upload_phase must be one of {start, finish}")


def _upload_header(req: SimRequest, name: str) -> str | None:
    """A rupload header. `file_size` and `file_url` contain underscores, which WSGI servers
    (Werkzeug's, gunicorn's) drop; the dashed spelling and a query parameter also work."""
    for key in (name, name.replace("_", "-")):
        if req.headers.get(key):
            return req.headers[key]
    value = req.param(name)
    return str(value) if value not in (None, "") else None


@route("POST", "/video-ads-upload/<version>/<video_id>", kind="video_ads_upload")
def video_ads_upload(req: SimRequest, version: str, video_id: str) -> dict[str, Any]:
    """Step 2 of §1.3: the file's bytes from `offset` (or `file_url`) → `{"success": true}`.
    A partial body is kept; `status.uploading_phase.bytes_transfered` tells where to resume."""
    video = find_video(req, video_id)
    req.account(video.account_id, write=True)
    if video.source_kind != "video_ads" or video.upload_state != "in_progress":
        raise invalid_parameter(f"Video {video_id} is not waiting for an upload")
    buffer = blobs(req.world).setdefault(video.id, bytearray())
    url = _upload_header(req, "file_url")
    if url:
        data = fetch_file_url(req, url, media_settings(req.sim).resumable_max_bytes)
        buffer[:] = data
        video.file_size = len(data)
    else:
        try:
            offset = int(_upload_header(req, "offset") or 0)
            total = int(_upload_header(req, "file_size") or 0)
        except ValueError:
            raise invalid_parameter("The offset and file_size headers must be integers") from None
        if offset < 0 or offset > len(buffer):
            raise invalid_parameter(
                f"offset {offset} is past the bytes received so far; resume from "
                f"{len(buffer)} (status.uploading_phase.bytes_transfered) or restart from 0"
            )
        if not req.raw_body:
            raise invalid_parameter(
                "The request has no file bytes: send them as the raw body "
                "(Content-Type: application/octet-stream), or give file_url"
            )
        del buffer[offset:]
        buffer.extend(req.raw_body)
        if total and len(buffer) > total:
            del buffer[offset:]
            raise invalid_parameter(f"More bytes than file_size {total} were sent")
        # Without file_size (a server may have dropped the header) the body ends the file.
        video.file_size = total or len(buffer)
    video.bytes_received = len(buffer)
    video.last_activity = req.now()
    video.updated_time = req.now()
    return {"success": True}


def _time_filter(raw: str, now: float, *, end: bool) -> float:
    """§1.3 filters: epoch, `10 jan 2023`, `2023-01-10`, `10-jan-2023`, `today`, `yesterday`."""
    from datetime import UTC, datetime, timedelta

    text = raw.strip().lower()
    if text.isdigit():
        return float(text)
    today = datetime.fromtimestamp(now, tz=UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    if text in ("today", "yesterday", "now"):
        if text == "now":
            return now
        day = today if text == "today" else today - timedelta(days=1)
    else:
        day = None
        for fmt in ("%d %b %Y", "%Y-%m-%d", "%d-%b-%Y"):
            try:
                day = datetime.strptime(text, fmt).replace(tzinfo=UTC)
                break
            except ValueError:
                continue
        if day is None:
            raise invalid_parameter(
                f"Invalid date {raw!r}: use an epoch, 2023-01-10 or 10 jan 2023"
            )
    return (day + timedelta(days=1)).timestamp() if end else day.timestamp()


@route("GET", "/act_<account_id>/video_ads", kind="video_ads")
def video_ads_list(req: SimRequest, account_id: str) -> dict[str, Any]:
    """§1.3 "Get Video Ads": `{"data": [{"updated_time": <unix timestamp>, "id"}]}`."""
    account = req.account(account_id, write=False)
    now = req.now()
    since = _time_filter(str(req.param("since")), now, end=False) if req.param("since") else None
    until = _time_filter(str(req.param("until")), now, end=True) if req.param("until") else None
    videos = [
        v
        for v in req.world.query("video", account_id=account.account_id)
        if not v.deleted
        and v.upload_state == "complete"
        and (since is None or v.updated_time >= since)
        and (until is None or v.updated_time < until)
    ]
    return paginate(req, videos, render=lambda v: {"updated_time": int(v.updated_time), "id": v.id})
