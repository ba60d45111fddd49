"""Ad videos: /advideos simple and chunked (resumable) uploads, processing status over
simulated time, thumbnails, the video library (creatives-and-media.md §1.2, §1.6, §1.7, §6.2)."""

from __future__ import annotations

from typing import Any

from graph_sim.core import (
    SimRequest,
    edge_fields,
    edge_names,
    node_deleter,
    node_edge,
    node_reader,
    paginate,
    render_fields,
    route,
)
from graph_sim.errors import GraphError, invalid_parameter, missing_parameter
from graph_sim.media.formats import CorruptVideoError, MediaFormatError, video_info
from graph_sim.media.images import (
    AdVideo,
    UploadSession,
    blob,
    blobs,
    file_bytes,
    media_settings,
    media_url,
    unknown_object,
)

# ---------------------------------------------------------------------------------------------
# Videos

VIDEO_FIELDS = (
    "id",
    "title",
    "description",
    "created_time",
    "updated_time",
    "length",
    "status",
    "picture",
    "source",
    "permalink_url",
    "published",
    "format",
    "embed_html",
)
# seeds L2211-2302: video lists (Page /videos) show description, updated_time and id.
VIDEO_DEFAULT_FIELDS = ("description", "updated_time")


def _title_length(title: str) -> int:
    # reference.md §3.6: "Special characters may count as more than 1 character": UTF-8 bytes.
    return len(title.encode("utf-8"))


def _check_text_params(req: SimRequest) -> None:
    title = req.param("title")
    if title is not None and _title_length(str(title)) >= 255:
        raise invalid_parameter("Param title must be less than 255 characters")


def find_video(req: SimRequest, video_id: str, account_id: str | None = None) -> AdVideo:
    video = req.world.get(str(video_id), "video")
    if video is None or video.deleted or (account_id and video.account_id != account_id):
        raise unknown_object(req, str(video_id))
    return video


def _session(req: SimRequest, account_id: str) -> UploadSession:
    raw = req.param("upload_session_id")
    if not raw:
        raise missing_parameter("upload_session_id")
    session = req.world.get(str(raw), "video_upload_session")
    if session is None or session.account_id != account_id:
        raise invalid_parameter(f"Invalid upload_session_id {raw}")
    video = req.world.get(session.video_id, "video")
    if session.state == "canceled" or video is None or video.deleted:
        raise invalid_parameter(f"The upload session {raw} was canceled")
    if _is_expired(req, video):
        raise invalid_parameter(f"The upload session {raw} has expired")
    return session


def _is_expired(req: SimRequest, video: AdVideo) -> bool:
    """An unfinished upload left idle past the session's life (§6.2 item 14: `expired`)."""
    if video.upload_state != "in_progress":
        return False
    return req.now() - video.last_activity > media_settings(req.sim).session_ttl_seconds


def _validate_video_bytes(req: SimRequest, data: bytes, *, resumable: bool) -> Any:
    """Graph's upload checks, in the order a client meets them: size, container, structure."""
    settings = media_settings(req.sim)
    if len(data) < settings.video_min_bytes:
        raise GraphError(
            "The video file you tried to upload is too small. Please try again with a larger file.",
            code=382,
            user_title="Video Too Small",
            user_msg="The video file you tried to upload is too small.",
        )
    try:
        info = video_info(data)
    except CorruptVideoError:
        raise GraphError(
            "There was a problem with the video file you tried to upload. Please try again with "
            "another file.",
            code=351,
            user_title="Problem With Video File",
        ) from None
    except MediaFormatError:
        raise GraphError(
            "The video file you selected is in a format that we don't support.",
            code=352,
            user_title="Unsupported Video Format",
            user_msg="Supported formats: 3g2, 3gp, 3gpp, asf, avi, dat, divx, dv, f4v, flv, gif, "
            "m2ts, m4v, mkv, mod, mov, mp4, mpe, mpeg, mpeg4, mpg, mts, nsv, ogm, ogv, qt, tod, "
            "ts, vob, wmv.",
        ) from None
    max_seconds = settings.resumable_max_seconds if resumable else settings.simple_max_seconds
    if info.duration_seconds is not None and info.duration_seconds > max_seconds:
        raise invalid_parameter(
            f"The video is {info.duration_seconds:.0f} seconds long; the limit for this upload "
            f"method is {max_seconds:.0f} seconds"
        )
    return info


def complete_upload(req: SimRequest, video: AdVideo, data: bytes, *, resumable: bool) -> None:
    info = _validate_video_bytes(req, data, resumable=resumable)
    now = req.now()
    blobs(req.world)[video.id] = bytearray(data)
    video.bytes_received = len(data)
    video.file_size = len(data)
    video.container = info.container
    video.length = info.duration_seconds
    video.width = info.width
    video.height = info.height
    video.upload_state = "complete"
    video.upload_completed_at = now
    video.updated_time = now
    video.last_activity = now
    settings = media_settings(req.sim)
    video.processing_seconds = (
        settings.processing_seconds
        if settings.processing_seconds is not None
        else req.sim.config.timings.video_processing
    )
    # Thumbnail ids are fixed now, so they do not depend on who reads first.
    while len(video.thumbnail_ids) < settings.thumbnails_per_video:
        video.thumbnail_ids.append(req.world.new_id())
    failure = _processing_fault(req, video)
    if failure is not None:
        video.processing_error = failure


def _processing_fault(req: SimRequest, video: AdVideo) -> tuple[int, str] | None:
    """Fault hook: `sim.faults.add("error", kind="video_processing", code=..., message=...)`.

    Only plans that name this kind apply (a catch-all plan is meant for HTTP calls). `path` may
    narrow it to one video: `path="/<video_id>"`.
    """
    fault = req.sim.faults.take("video_processing", f"/{video.id}")
    if fault is None:
        return None
    return (
        fault.code or 351,  # reference.md §3.6: "problem with the video file"
        fault.message or "Video processing failed: the file could not be transcoded.",
    )


def apply_text_params(req: SimRequest, video: AdVideo) -> None:
    for name in ("title", "description", "name"):
        if req.has(name):
            setattr(video, name, str(req.param(name)))


def new_video(req: SimRequest, account_id: str, *, source_kind: str) -> AdVideo:
    now = req.now()
    video = AdVideo(
        id=req.world.new_id(),
        account_id=account_id,
        created_time=now,
        updated_time=now,
        last_activity=now,
        source_kind=source_kind,
    )
    apply_text_params(req, video)
    return video


@route("POST", "/act_<account_id>/advideos", kind="advideos")
def advideos_create(req: SimRequest, account_id: str) -> dict[str, Any]:
    """creatives-and-media.md §1.2: simple upload (`source`, `file_url`) or a chunked phase."""
    account = req.account(account_id, write=True)
    _check_text_params(req)
    phase = req.param("upload_phase")
    if phase:
        phase = str(phase).lower()
        handlers = {
            "start": _phase_start,
            "transfer": _phase_transfer,
            "finish": _phase_finish,
            "cancel": _phase_cancel,
        }
        if phase not in handlers:
            raise invalid_parameter(
                "Param upload_phase must be one of {start, transfer, finish, cancel}"
            )
        return handlers[phase](req, account.account_id)
    return _simple_upload(req, account.account_id)


def _simple_upload(req: SimRequest, account_id: str) -> dict[str, Any]:
    settings = media_settings(req.sim)
    storage = req.files.get("source")
    if storage is not None:
        data = file_bytes(storage)
        kind = "source"
    elif req.param("file_url"):
        data = fetch_file_url(req, str(req.param("file_url")), settings.simple_max_bytes)
        kind = "file_url"
    else:
        raise invalid_parameter(
            "A video is required: send it as the multipart part `source`, give a `file_url`, or "
            "use upload_phase=start for a chunked upload"
        )
    if len(data) > settings.simple_max_bytes:
        raise invalid_parameter(
            f"The video is larger than {settings.simple_max_bytes} bytes; use the chunked upload"
        )
    video = new_video(req, account_id, source_kind=kind)
    complete_upload(req, video, data, resumable=False)
    req.world.put(video)
    return {"id": video.id}


def fetch_file_url(req: SimRequest, url: str, max_bytes: int) -> bytes:
    """`file_url`: the server downloads the file; any failure is Graph 389 (reference.md §3.6)."""
    import httpx  # the simulator's only outgoing HTTP: fetching a file the caller pointed at

    def unable(why: str) -> GraphError:
        return GraphError(
            f"Unable to fetch video file from URL. ({why})",
            code=389,
            user_title="Unable to fetch video file from URL",
        )

    if not url.lower().startswith(("http://", "https://")):
        raise unable("only http and https URLs can be fetched")
    try:
        with httpx.Client(timeout=10.0, follow_redirects=True) as client:
            response = client.get(url)
    except httpx.HTTPError as exc:
        raise unable(type(exc).__name__) from None
    if response.status_code != 200:
        raise unable(f"HTTP {response.status_code}")
    if len(response.content) > max_bytes:
        raise invalid_parameter(f"The video at file_url is larger than {max_bytes} bytes")
    return response.content


def _phase_start(req: SimRequest, account_id: str) -> dict[str, Any]:
    """§6.2 item 7: numeric strings; the server picks the first window."""
    settings = media_settings(req.sim)
    if not req.has("file_size"):
        raise missing_parameter("file_size")
    file_size = req.int_param("file_size") or 0
    if file_size <= 0:
        raise invalid_parameter("Param file_size must be a positive integer")
    if file_size < settings.video_min_bytes:
        _validate_video_bytes(req, b"", resumable=True)  # raises 382
    if file_size > settings.resumable_max_bytes:
        raise invalid_parameter(
            f"Param file_size exceeds the maximum of {settings.resumable_max_bytes} bytes"
        )
    video = new_video(req, account_id, source_kind="chunked")
    video.file_size = file_size
    req.world.put(video)
    session = UploadSession(
        id=req.world.new_id(),
        video_id=video.id,
        account_id=account_id,
        file_size=file_size,
        start_offset=0,
        end_offset=min(settings.chunk_size, file_size),
    )
    req.world.put(session)
    blobs(req.world)[session.id] = bytearray()
    return {
        "upload_session_id": session.id,
        "video_id": video.id,
        "start_offset": "0",
        "end_offset": str(session.end_offset),
    }


def _offset_error(session: UploadSession, why: str) -> GraphError:
    """§6.2 item 9: subcode 1363037 with the expected window in error_data, so a client
    (the SDK's uploader) can re-seek and resume."""
    return GraphError(
        f"There was a problem uploading your video file. Please try again. ({why})",
        code=6001,
        subcode=1363037,
        is_transient=False,
        user_title="Upload Interrupted",
        user_msg=f"Resume the upload from byte {session.start_offset}.",
        error_data={"start_offset": session.start_offset, "end_offset": session.end_offset},
    )


def _phase_transfer(req: SimRequest, account_id: str) -> dict[str, Any]:
    """§6.2 item 8: the chunk must be exactly [start_offset, end_offset) of the window."""
    session = _session(req, account_id)
    video = req.world.get(session.video_id, "video")
    if session.state != "open":
        raise invalid_parameter("The upload session is already finished")
    if not req.has("start_offset"):
        raise missing_parameter("start_offset")
    start = req.int_param("start_offset")
    storage = req.files.get("video_file_chunk")
    if storage is None:
        raise missing_parameter("video_file_chunk")
    chunk = file_bytes(storage)
    if start != session.start_offset:
        raise _offset_error(session, f"start_offset {start} is not the expected offset")
    expected = session.end_offset - session.start_offset
    if len(chunk) != expected:
        raise _offset_error(session, f"the chunk has {len(chunk)} bytes, {expected} were expected")
    blobs(req.world)[session.id].extend(chunk)
    session.received += len(chunk)
    settings = media_settings(req.sim)
    session.start_offset = session.end_offset
    session.end_offset = min(session.start_offset + settings.chunk_size, session.file_size)
    video.bytes_received = session.received
    video.last_activity = req.now()
    video.updated_time = req.now()
    return {"start_offset": str(session.start_offset), "end_offset": str(session.end_offset)}


def _phase_finish(req: SimRequest, account_id: str) -> dict[str, Any]:
    """§6.2 item 11: before every byte arrived → 6001; after → {"success": true}."""
    session = _session(req, account_id)
    video = req.world.get(session.video_id, "video")
    if session.state == "finished":
        # A retried finish (its first answer lost) must not fail the upload.
        apply_text_params(req, video)
        return {"success": True}
    if session.received != session.file_size:
        raise GraphError(
            f"There was a problem uploading your video file. Please try again. (received "
            f"{session.received} of {session.file_size} bytes)",
            code=6001,
            user_title="Upload Incomplete",
            user_msg=f"Resume the upload from byte {session.start_offset}.",
            error_data={"start_offset": session.start_offset, "end_offset": session.end_offset},
        )
    apply_text_params(req, video)
    try:
        complete_upload(req, video, blob(req.world, session.id), resumable=True)
    except GraphError as err:
        video.upload_state = "error"
        video.upload_error = (err.code, err.message)
        video.last_activity = req.now()
        session.state = "finished"
        raise
    session.state = "finished"
    blobs(req.world).pop(session.id, None)  # the bytes now live on the video
    return {"success": True}


def _phase_cancel(req: SimRequest, account_id: str) -> dict[str, Any]:
    """§6.2 item 12: the session is invalid afterwards (later calls → 100)."""
    session = _session(req, account_id)
    if session.state == "finished":
        raise invalid_parameter("The upload session is already finished and cannot be canceled")
    session.state = "canceled"
    blobs(req.world).pop(session.id, None)
    video = req.world.get(session.video_id, "video")
    video.upload_state = "canceled"
    video.deleted = True
    return {"success": True}


def video_status(req: SimRequest, video: AdVideo) -> dict[str, Any]:
    """creatives-and-media.md §1.6 at the simulated now (`bytes_transfered` sic, as in the seed)."""
    now = req.now()
    uploading: dict[str, Any] = {"status": "in_progress", "bytes_transfered": video.bytes_received}
    processing: dict[str, Any] = {"status": "not_started"}
    publishing: dict[str, Any] = {"status": "not_started", "publish_status": "publish"}
    progress = 0
    if video.upload_state == "in_progress":
        state = "expired" if _is_expired(req, video) else "processing"
    elif video.upload_state == "error":
        state = "error"
        code, message = video.upload_error or (6000, "There was a problem uploading the file.")
        uploading = {
            "status": "error",
            "bytes_transfered": video.bytes_received,
            "errors": [{"code": code, "message": message}],
        }
    else:
        uploading = {"status": "complete", "bytes_transfered": video.bytes_received}
        done_at = video.upload_completed_at or now
        elapsed = max(0.0, now - done_at)
        total = max(video.processing_seconds, 0.001)
        if video.processing_error is not None and elapsed >= total / 2:
            # The failure shows halfway through, after some progress was reported.
            code, message = video.processing_error
            state = "error"
            progress = 50
            processing = {"status": "error", "errors": [{"code": code, "message": message}]}
        elif elapsed < total:
            state = "processing"
            progress = min(99, int(100 * elapsed / total))
            processing = {"status": "in_progress"}
        else:
            state = "ready"
            progress = 100
            processing = {"status": "complete"}
            publishing = {
                "status": "complete",
                "publish_status": "published",
                "publish_time": int(done_at + total),
            }
    return {
        "video_status": state,
        "processing_progress": progress,
        "uploading_phase": uploading,
        "processing_phase": processing,
        "publishing_phase": publishing,
    }


def _is_ready(req: SimRequest, video: AdVideo) -> bool:
    return video_status(req, video)["video_status"] == "ready"


def _video_node(req: SimRequest, video: AdVideo) -> dict[str, Any]:
    ready = _is_ready(req, video)
    thumbs = _thumbnails(req, video) if ready else []
    preferred = next((t for t in thumbs if t["is_preferred"]), None)
    return {
        "id": video.id,
        "title": video.title,
        "description": video.description,
        "created_time": req.sim.clock.iso(video.created_time),
        "updated_time": req.sim.clock.iso(video.updated_time),
        "length": round(video.length, 3) if video.length is not None else None,
        "status": lambda spec: video_status(req, video),
        "picture": preferred["uri"] if preferred else None,
        "source": media_url(req, f"videos/{video.id}") if ready else None,
        "permalink_url": f"/{video.id}/",
        "published": ready,
        "format": _formats(req, video) if ready else None,
        "embed_html": (
            f'<iframe src="{media_url(req, "videos/" + video.id)}" width="{video.width or 1280}"'
            f' height="{video.height or 720}" frameborder="0"></iframe>'
            if ready
            else None
        ),
    }


def _formats(req: SimRequest, video: AdVideo) -> list[dict[str, Any]]:
    width, height = video.width or 1280, video.height or 720
    return [
        {"filter": "native", "width": width, "height": height, "picture": None},
        {"filter": "720", "width": 720 * width // max(height, 1), "height": 720},
    ]


def _render_video(req: SimRequest, video: AdVideo) -> dict[str, Any]:
    # Field expansion: `fields=status,thumbnails{uri,is_preferred}` embeds the thumbnails edge.
    return render_fields(
        _video_node(req, video) | edge_fields(req, "video", video),
        req.fields,
        VIDEO_DEFAULT_FIELDS,
        known_fields=set(VIDEO_FIELDS) | edge_names("video"),
        node_type="Video",
    )


@route("GET", "/act_<account_id>/advideos", kind="advideos")
def advideos_list(req: SimRequest, account_id: str) -> dict[str, Any]:
    """reference.md §3.6 marks reading unsupported [FLAG]; the library UI needs it (§1.2)."""
    account = req.account(account_id, write=False)
    videos = [
        v
        for v in req.world.query("video", account_id=account.account_id)
        if not v.deleted and v.upload_state != "canceled"
    ]
    return paginate(req, videos, render=lambda v: _render_video(req, v))


@route("DELETE", "/act_<account_id>/advideos", kind="advideos")
def advideos_delete(req: SimRequest, account_id: str) -> dict[str, Any]:
    """reference.md §3.6: `video_id` is required → {"success": true}."""
    account = req.account(account_id, write=True)
    video_id = req.param("video_id")
    if not video_id:
        raise missing_parameter("video_id")
    video = find_video(req, str(video_id), account.account_id)
    video.deleted = True
    video.updated_time = req.now()
    return {"success": True}


@node_reader("video")
def video_read(req: SimRequest, video: AdVideo) -> dict[str, Any]:
    """`GET /<VIDEO_ID>?fields=status` (creatives-and-media.md §1.6)."""
    if video.deleted:
        raise unknown_object(req, video.id)
    req.account(video.account_id, write=False)
    return _render_video(req, video)


@node_deleter("video")
def video_delete(req: SimRequest, video: AdVideo) -> dict[str, Any]:
    if video.deleted:
        raise unknown_object(req, video.id)
    req.account(video.account_id, write=True)
    video.deleted = True
    video.updated_time = req.now()
    return {"success": True}


def _thumbnails(req: SimRequest, video: AdVideo) -> list[dict[str, Any]]:
    """§1.7 [EXT]: generated once processing is done; exactly one is preferred."""
    width, height = video.width or 1280, video.height or 720
    return [
        {
            "id": thumb_id,
            "height": height,
            "width": width,
            "scale": 1,
            "uri": media_url(req, f"thumbnails/{video.id}/{index}.png"),
            "is_preferred": index == 0,
        }
        for index, thumb_id in enumerate(video.thumbnail_ids)
    ]


@node_edge("video", "thumbnails")
def video_thumbnails(req: SimRequest, video: AdVideo) -> dict[str, Any]:
    """§6.2 item 17: empty until the video is ready."""
    if video.deleted:
        raise unknown_object(req, video.id)
    req.account(video.account_id, write=False)
    thumbs = _thumbnails(req, video) if _is_ready(req, video) else []
    fields = req.fields
    return paginate(
        req,
        thumbs,
        render=lambda t: render_fields(
            t, fields, ("height", "width", "scale", "uri", "is_preferred")
        ),
    )
