"""Ad images and ad videos: /adimages uploads and library, /advideos simple and chunked uploads,
video processing status over simulated time, thumbnails (creatives-and-media.md §1, §6.2)."""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

from graph_sim.core import (
    SimRequest,
    SimResponse,
    control_route,
    edge_fields,
    edge_names,
    node_deleter,
    node_edge,
    node_reader,
    paginate,
    render_fields,
    route,
    seeder,
)
from graph_sim.errors import GraphError, invalid_parameter, missing_parameter
from graph_sim.media_formats import (
    IMAGE_EXTENSIONS,
    CorruptVideoError,
    ImageInfo,
    MediaFormatError,
    build_png,
    fit_within,
    image_info,
    video_info,
)

# ---------------------------------------------------------------------------------------------
# Knobs. Tests and the demo server may change them on `sim` through `media_settings(sim)`.


@dataclass
class MediaSettings:
    """Limits and timings; see DECISIONS.md "Media uploads" for where each number comes from."""

    # reference.md §3.5 gives no /adimages size limit; the only image limit in the seeds is the
    # creative's 8 MB (reference.md §10 item 41, core-flows.md Appendix A): larger → 100.
    image_max_bytes: int = 8 * 1024 * 1024
    # creatives-and-media.md §1.2 [EXT]: simple uploads up to 1 GB / 20 min, resumable up to
    # 10 GB / 4 h (the current page; the older 1.75 GB / 45 min is not used).
    simple_max_bytes: int = 1024**3
    simple_max_seconds: float = 20 * 60
    resumable_max_bytes: int = 10 * 1024**3
    resumable_max_seconds: float = 4 * 3600
    # Graph 382 "file too small": the seeds give no number; 1 KiB is smaller than any real video.
    video_min_bytes: int = 1024
    # Server-chosen window of the chunked protocol (the start response's end_offset); Graph
    # commonly answers 1 MiB. Tests lower it to keep uploads small.
    chunk_size: int = 1024 * 1024
    # Simulated seconds from the end of the upload to `ready` (None: the core's
    # `SimConfig.timings.video_processing`), and an idle upload session's life.
    processing_seconds: float | None = None
    session_ttl_seconds: float = 24 * 3600
    thumbnails_per_video: int = 3


def media_settings(sim: Any) -> MediaSettings:
    settings = getattr(sim, "_media_settings", None)
    if settings is None:
        settings = MediaSettings()
        sim._media_settings = settings
    return settings


def _blobs(world: Any) -> dict[str, bytearray]:
    """File contents by image, video or upload-session id, kept beside the records so the
    records stay small and JSON-friendly (the control API lists them)."""
    return world.__dict__.setdefault("_media_blobs", {})


def blob(world: Any, key: str) -> bytes:
    """The stored bytes of an image (`<account_id>:<hash>`) or a video (its id)."""
    return bytes(_blobs(world).get(key, b""))


# ---------------------------------------------------------------------------------------------
# Records (kept in `world.objects` so `/<id>` routing finds them)


@dataclass
class AdImage:
    """One image in one ad account's library; Graph's AdImage id is `<account_id>:<hash>`."""

    id: str
    account_id: str  # numeric, without act_
    hash: str
    name: str
    width: int
    height: int
    format: str
    created_time: float
    updated_time: float
    status: str = "ACTIVE"  # ACTIVE | DELETED (AdImage.status enum also has INTERNAL)
    node_type: str = "adimage"


@dataclass
class AdVideo:
    id: str
    account_id: str
    created_time: float
    updated_time: float
    title: str | None = None
    description: str | None = None
    name: str | None = None
    file_size: int = 0
    bytes_received: int = 0
    container: str | None = None
    length: float | None = None
    width: int | None = None
    height: int | None = None
    source_kind: str = "chunked"  # chunked | source | file_url
    upload_state: str = "in_progress"  # in_progress | complete | error | canceled
    upload_completed_at: float | None = None
    last_activity: float = 0.0
    processing_seconds: float = 30.0
    # (code, message) when a processing failure was injected for this video.
    processing_error: tuple[int, str] | None = None
    upload_error: tuple[int, str] | None = None
    deleted: bool = False
    thumbnail_ids: list[str] = field(default_factory=list)
    node_type: str = "video"


@dataclass
class UploadSession:
    id: str
    video_id: str
    account_id: str
    file_size: int
    start_offset: int
    end_offset: int
    received: int = 0
    state: str = "open"  # open | finished | canceled
    node_type: str = "video_upload_session"


# ---------------------------------------------------------------------------------------------
# Images

IMAGE_FIELDS = (
    "id",
    "account_id",
    "created_time",
    "creatives",
    "hash",
    "height",
    "width",
    "is_associated_creatives_in_adgroups",
    "name",
    "original_height",
    "original_width",
    "permalink_url",
    "status",
    "updated_time",
    "url",
    "url_128",
    "url_256",
    "url_256_height",
    "url_256_width",
)
# Not documented in the seeds; [EXT] Graph lists AdImages with `hash` and `id` by default.
IMAGE_DEFAULT_FIELDS = ("hash",)


def _numeric(account_id: str) -> str:
    return account_id.removeprefix("act_")


def _file_bytes(storage: Any) -> bytes:
    """Bytes of an uploaded part; seek first, because one batch attachment may feed two ops."""
    stream = getattr(storage, "stream", storage)
    if hasattr(stream, "seek"):
        stream.seek(0)
    data = stream.read()
    return data if isinstance(data, bytes) else str(data).encode()


def _has_extension(name: str) -> bool:
    stem, dot, ext = name.rpartition(".")
    return bool(dot and stem and ext and "/" not in ext)


def _media_url(req: SimRequest, path: str) -> str:
    # Served by the simulator itself (route below) so clients can download what they uploaded
    # or a video's thumbnail; real Graph answers with fbcdn.net URLs that expire.
    return f"{req.base_url}/_media/{path}"


def _image_struct(req: SimRequest, image: AdImage) -> dict[str, Any]:
    """The documented POST return struct (reference.md §3.5), sizes 256 as strings."""
    w256, h256 = fit_within(image.width, image.height, 256)
    ext = IMAGE_EXTENSIONS.get(image.format, "img")
    return {
        "hash": image.hash,
        "url": _media_url(req, f"images/{image.hash}.{ext}"),
        "url_128": _media_url(req, f"images/{image.hash}.{ext}?size=128"),
        "url_256": _media_url(req, f"images/{image.hash}.{ext}?size=256"),
        "url_256_height": str(h256),
        "url_256_width": str(w256),
        "height": image.height,
        "width": image.width,
        "name": image.name,
    }


def _image_node(req: SimRequest, image: AdImage) -> dict[str, Any]:
    node = _image_struct(req, image)
    node.update(
        {
            "id": image.id,
            "account_id": image.account_id,
            "created_time": req.sim.clock.iso(image.created_time),
            "updated_time": req.sim.clock.iso(image.updated_time),
            "status": image.status,
            "original_height": image.height,
            "original_width": image.width,
            "permalink_url": node["url"],
            # Computed only when asked for: they scan the account's creatives and ads.
            "creatives": lambda spec: _creatives_using(req, image),
            "is_associated_creatives_in_adgroups": lambda spec: _used_by_an_ad(
                req, _creatives_using(req, image)
            ),
        }
    )
    return node


def _creatives_using(req: SimRequest, image: AdImage) -> list[str]:
    """Ids of the account's creatives whose stored spec mentions this hash.

    Creatives belong to another module; reading them as opaque data (a JSON dump searched for
    the hash) keeps this module independent of their representation.
    """
    found = []
    for obj_id, kind, obj in req.world.iter_objects():
        if kind != "adcreative":
            continue
        raw = obj if isinstance(obj, dict) else getattr(obj, "__dict__", {})
        if str(raw.get("account_id", "")).removeprefix("act_") not in ("", image.account_id):
            continue
        if image.hash in json.dumps(raw, default=str):
            found.append(obj_id)
    return found


def _used_by_an_ad(req: SimRequest, creative_ids: list[str]) -> bool:
    """Whether any ad (the objects module's "ad" nodes) runs one of these creatives."""
    if not creative_ids:
        return False
    wanted = set(creative_ids)
    for ad in req.world.all("ad"):
        creative_id = (
            ad.get("creative_id") if isinstance(ad, dict) else getattr(ad, "creative_id", None)
        )
        if str(creative_id) in wanted:
            return True
    return False


def _images_of(req: SimRequest, account_id: str) -> list[AdImage]:
    return req.world.query("adimage", account_id=account_id, status="ACTIVE")


def _find_image(req: SimRequest, account_id: str, image_hash: str) -> AdImage | None:
    image = req.world.get(f"{account_id}:{image_hash}", "adimage")
    return image if image is not None and image.status == "ACTIVE" else None


def _checked_image(req: SimRequest, name: str, data: bytes) -> ImageInfo:
    """Size and format checks of one uploaded image (code 100, as reference.md §3.5 lists)."""
    settings = media_settings(req.sim)
    if len(data) > settings.image_max_bytes:
        raise invalid_parameter(
            f"Image {name} is too large: {len(data)} bytes, the limit is "
            f"{settings.image_max_bytes} bytes",
            user_title="Image too large",
            user_msg="The image file is larger than the maximum size allowed.",
        )
    try:
        return image_info(data)
    except MediaFormatError:
        raise invalid_parameter(
            f"Invalid image file {name}: it is not a JPEG, PNG, GIF or BMP image",
            user_title="Invalid image",
            user_msg="The file you uploaded is not a supported image.",
        ) from None


def _store_image(req: SimRequest, account_id: str, name: str, data: bytes) -> AdImage:
    info = _checked_image(req, name, data)
    # creatives-and-media.md §1.1 [VAGUE]: Graph's hash is 32 lowercase hex and the same bytes
    # always give the same hash; MD5 of the bytes has exactly those properties.
    image_hash = hashlib.md5(data, usedforsecurity=False).hexdigest()
    now = req.now()
    image_id = f"{account_id}:{image_hash}"
    existing = req.world.get(image_id, "adimage")
    if existing is not None:
        # Same bytes again: one library entry (§6.2 item 1), revived if it had been deleted.
        existing.name = name
        existing.status = "ACTIVE"
        existing.updated_time = now
        return existing
    image = AdImage(
        id=image_id,
        account_id=account_id,
        hash=image_hash,
        name=name,
        width=info.width,
        height=info.height,
        format=info.format,
        created_time=now,
        updated_time=now,
    )
    req.world.put(image)
    _blobs(req.world)[image_id] = bytearray(data)
    return image


def _uploads_from_request(req: SimRequest) -> list[tuple[str, bytes]]:
    """(response key, bytes) of every image in the call: file parts, `bytes`, zips unpacked."""
    uploads: list[tuple[str, bytes]] = []
    for part_name, storage in req.files.items():
        filename = getattr(storage, "filename", None) or ""
        # The part name is the key (`-F 'test.jpg=@test.jpg'`); a batch attachment is often
        # named without an extension (`-F 'test1=@./test1.jpg'`), so fall back to the filename.
        if _has_extension(part_name):
            key = part_name
        elif _has_extension(filename):
            key = filename.rsplit("/", 1)[-1]
        else:
            raise invalid_parameter(
                f"The image file {part_name!r} has no filename extension. You must include a "
                "filename extension such as sample.jpg, not sample or sample.tmp.",
            )
        data = _file_bytes(storage)
        if key.lower().endswith(".zip"):
            uploads.extend(_unzip_images(key, data))
        else:
            uploads.append((key, data))
    if req.has("bytes"):
        raw = str(req.param("bytes") or "")
        try:
            data = base64.b64decode("".join(raw.split()), validate=True)
        except (binascii.Error, ValueError):
            raise invalid_parameter("Param bytes must be a base64 encoded image") from None
        if not data:
            raise invalid_parameter("Param bytes must be a base64 encoded image")
        # [EXT] the key of a `bytes` upload is the literal "bytes".
        uploads.append(("bytes", data))
    return uploads


def _unzip_images(key: str, data: bytes) -> list[tuple[str, bytes]]:
    """creatives-and-media.md §6.2 item 3: each image in a zip becomes one entry."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise invalid_parameter(f"The zip file {key} could not be read") from None
    out = []
    with archive:
        for member in archive.infolist():
            if member.is_dir() or member.filename.startswith("__MACOSX/"):
                continue
            name = member.filename.rsplit("/", 1)[-1]
            if name.startswith("."):
                continue
            out.append((name, archive.read(member)))
    if not out:
        raise invalid_parameter(f"The zip file {key} contains no images")
    return out


@route("POST", "/act_<account_id>/adimages", kind="adimages")
def adimages_create(req: SimRequest, account_id: str) -> dict[str, Any]:
    """creatives-and-media.md §1.1; reference.md §3.5."""
    account = req.account(account_id, write=True)
    numeric = account.account_id
    results: dict[str, Any] = {}
    if req.has("copy_from"):
        image = _copy_image(req, numeric, req.json_param("copy_from"))
        results[image.name] = _image_struct(req, image)
    uploads = _uploads_from_request(req)
    if not uploads and not results:
        raise invalid_parameter(
            "No image was uploaded: send a file (the part name is the file name), bytes or "
            "copy_from"
        )
    # Validate every file before storing any, so a bad zip member stores nothing.
    for key, data in uploads:
        _checked_image(req, key, data)
    for key, data in uploads:
        results[key] = _image_struct(req, _store_image(req, numeric, key, data))
    return {"images": results}


def _copy_image(req: SimRequest, dest_account_id: str, spec: Any) -> AdImage:
    """creatives-and-media.md §6.2 item 4: copy only from an accessible account with the hash."""
    if not isinstance(spec, dict):
        raise invalid_parameter('Param copy_from must be {"source_account_id": ..., "hash": ...}')
    source_id = str(spec.get("source_account_id") or "")
    image_hash = str(spec.get("hash") or "")
    if not source_id or not image_hash:
        raise invalid_parameter("copy_from needs both source_account_id and hash")
    source = req.world.ad_account(source_id)
    user_id = req.token.user_id if req.token else None
    if source is None or not req.world.user_can_access_account(user_id, source.id):
        raise GraphError(
            "Permissions error: the user cannot access the source ad account of copy_from",
            code=200,
            http_status=403,
        )
    image = _find_image(req, source.account_id, image_hash)
    if image is None:
        raise invalid_parameter(
            f"Image with hash {image_hash} does not exist in ad account {source.id}"
        )
    return _store_image(req, dest_account_id, image.name, blob(req.world, image.id))


@route("GET", "/act_<account_id>/adimages", kind="adimages")
def adimages_list(req: SimRequest, account_id: str) -> dict[str, Any]:
    """reference.md §3.5: filters hashes, name, minwidth, minheight; summary total_count."""
    account = req.account(account_id, write=False)
    images = _images_of(req, account.account_id)
    hashes = req.list_param("hashes")
    if hashes is not None:
        wanted = {str(h) for h in hashes}
        images = [i for i in images if i.hash in wanted]
    name = req.param("name")
    if name:
        images = [i for i in images if i.name == name]
    minwidth = req.int_param("minwidth")
    if minwidth is not None:
        images = [i for i in images if i.width >= minwidth]
    minheight = req.int_param("minheight")
    if minheight is not None:
        images = [i for i in images if i.height >= minheight]
    return paginate(
        req,
        images,
        render=lambda image: _render_image(req, image),
    )


def _render_image(req: SimRequest, image: AdImage) -> dict[str, Any]:
    return render_fields(
        _image_node(req, image),
        req.fields,
        IMAGE_DEFAULT_FIELDS,
        known_fields=IMAGE_FIELDS,
        node_type="AdImage",
    )


@route("DELETE", "/act_<account_id>/adimages", kind="adimages")
def adimages_delete(req: SimRequest, account_id: str) -> dict[str, Any]:
    """reference.md §3.5: `hash` is required; the image leaves the library (§6.2 item 6)."""
    account = req.account(account_id, write=True)
    image_hash = req.param("hash")
    if not image_hash:
        raise missing_parameter("hash")
    image = _find_image(req, account.account_id, str(image_hash))
    if image is None:
        raise invalid_parameter(
            f"Image with hash {image_hash} does not exist in ad account {account.id}"
        )
    if _creatives_using(req, image):
        # creatives-and-media.md §7 item 35 [VAGUE]: we refuse, so nothing dangles.
        raise invalid_parameter(
            "This image is used by an ad creative and cannot be deleted",
            user_title="Image in use",
            user_msg="Remove the image from every ad creative before deleting it.",
        )
    image.status = "DELETED"
    image.updated_time = req.now()
    return {"success": True}


@node_reader("adimage")
def adimage_read(req: SimRequest, image: AdImage) -> dict[str, Any]:
    if image.status != "ACTIVE":
        raise _unknown_object(req, image.id)
    req.account(image.account_id, write=False)
    return _render_image(req, image)


def _unknown_object(req: SimRequest, obj_id: str) -> GraphError:
    return GraphError(
        f"Unsupported {req.method.lower()} request. Object with ID '{obj_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation.",
        code=100,
        subcode=33,
        type="GraphMethodException",
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


def _video(req: SimRequest, video_id: str, account_id: str | None = None) -> AdVideo:
    video = req.world.get(str(video_id), "video")
    if video is None or video.deleted or (account_id and video.account_id != account_id):
        raise _unknown_object(req, str(video_id))
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


def _complete_upload(req: SimRequest, video: AdVideo, data: bytes, *, resumable: bool) -> None:
    info = _validate_video_bytes(req, data, resumable=resumable)
    now = req.now()
    _blobs(req.world)[video.id] = bytearray(data)
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
    faults = getattr(req.sim, "faults", None)
    for fault in list(getattr(faults, "plans", []) or []):
        if fault.kind != "video_processing":
            continue
        if fault.path not in ("*", f"/{video.id}"):
            continue
        if fault.times is not None and fault.fired >= fault.times:
            continue
        fault.matched += 1
        if fault.every is not None and fault.matched % fault.every != 0:
            continue
        fault.fired += 1
        return (
            fault.code or 351,  # reference.md §3.6: "problem with the video file"
            fault.message or "Video processing failed: the file could not be transcoded.",
        )
    return None


def _apply_text_params(req: SimRequest, video: AdVideo) -> None:
    for name in ("title", "description", "name"):
        if req.has(name):
            setattr(video, name, str(req.param(name)))


def _new_video(req: SimRequest, account_id: str, *, source_kind: str) -> AdVideo:
    now = req.now()
    video = AdVideo(
        id=req.world.new_id(),
        account_id=account_id,
        created_time=now,
        updated_time=now,
        last_activity=now,
        source_kind=source_kind,
    )
    _apply_text_params(req, video)
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
        data = _file_bytes(storage)
        kind = "source"
    elif req.param("file_url"):
        data = _fetch_file_url(req, str(req.param("file_url")), settings.simple_max_bytes)
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
    video = _new_video(req, account_id, source_kind=kind)
    _complete_upload(req, video, data, resumable=False)
    req.world.put(video)
    return {"id": video.id}


def _fetch_file_url(req: SimRequest, url: str, max_bytes: int) -> bytes:
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
    video = _new_video(req, account_id, source_kind="chunked")
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
    _blobs(req.world)[session.id] = bytearray()
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
    chunk = _file_bytes(storage)
    if start != session.start_offset:
        raise _offset_error(session, f"start_offset {start} is not the expected offset")
    expected = session.end_offset - session.start_offset
    if len(chunk) != expected:
        raise _offset_error(session, f"the chunk has {len(chunk)} bytes, {expected} were expected")
    _blobs(req.world)[session.id].extend(chunk)
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
        _apply_text_params(req, video)
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
    _apply_text_params(req, video)
    try:
        _complete_upload(req, video, blob(req.world, session.id), resumable=True)
    except GraphError as err:
        video.upload_state = "error"
        video.upload_error = (err.code, err.message)
        video.last_activity = req.now()
        session.state = "finished"
        raise
    session.state = "finished"
    _blobs(req.world).pop(session.id, None)  # the bytes now live on the video
    return {"success": True}


def _phase_cancel(req: SimRequest, account_id: str) -> dict[str, Any]:
    """§6.2 item 12: the session is invalid afterwards (later calls → 100)."""
    session = _session(req, account_id)
    if session.state == "finished":
        raise invalid_parameter("The upload session is already finished and cannot be canceled")
    session.state = "canceled"
    _blobs(req.world).pop(session.id, None)
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
        "source": _media_url(req, f"videos/{video.id}") if ready else None,
        "permalink_url": f"/{video.id}/",
        "published": ready,
        "format": _formats(req, video) if ready else None,
        "embed_html": (
            f'<iframe src="{_media_url(req, "videos/" + video.id)}" width="{video.width or 1280}"'
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
    video = _video(req, str(video_id), account.account_id)
    video.deleted = True
    video.updated_time = req.now()
    return {"success": True}


@node_reader("video")
def video_read(req: SimRequest, video: AdVideo) -> dict[str, Any]:
    """`GET /<VIDEO_ID>?fields=status` (creatives-and-media.md §1.6)."""
    if video.deleted:
        raise _unknown_object(req, video.id)
    req.account(video.account_id, write=False)
    return _render_video(req, video)


@node_deleter("video")
def video_delete(req: SimRequest, video: AdVideo) -> dict[str, Any]:
    if video.deleted:
        raise _unknown_object(req, video.id)
    req.account(video.account_id, write=True)
    video.deleted = True
    video.updated_time = req.now()
    return {"success": True}


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
        video = _new_video(req, account.account_id, source_kind="video_ads")
        video.file_size = 0  # unknown until the upload says
        req.world.put(video)
        _blobs(req.world)[video.id] = bytearray()
        # The simulator stands in for rupload.facebook.com: clients post to the URL it gives.
        upload_url = f"{req.base_url}/video-ads-upload/{req.version}/{video.id}"
        return {"video_id": video.id, "upload_url": upload_url}
    if phase == "finish":
        video_id = req.param("video_id")
        if not video_id:
            raise missing_parameter("video_id")
        video = _video(req, str(video_id), account.account_id)
        if video.source_kind != "video_ads":
            raise invalid_parameter(f"Video {video_id} was not started with /video_ads")
        if video.upload_state == "complete":
            return {"success": True}  # a retried finish
        received = len(_blobs(req.world).get(video.id, b""))
        if received == 0 or (video.file_size and received < video.file_size):
            raise GraphError(
                f"There was a problem uploading your video file. Please try again. (received "
                f"{received} of {video.file_size or 'unknown'} bytes)",
                code=6001,
                user_title="Upload Incomplete",
                user_msg=f"Resume the upload from byte {received}.",
            )
        _apply_text_params(req, video)
        try:
            _complete_upload(req, video, blob(req.world, video.id), resumable=True)
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
    video = _video(req, video_id)
    req.account(video.account_id, write=True)
    if video.source_kind != "video_ads" or video.upload_state != "in_progress":
        raise invalid_parameter(f"Video {video_id} is not waiting for an upload")
    buffer = _blobs(req.world).setdefault(video.id, bytearray())
    url = _upload_header(req, "file_url")
    if url:
        data = _fetch_file_url(req, url, media_settings(req.sim).resumable_max_bytes)
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


def _thumbnails(req: SimRequest, video: AdVideo) -> list[dict[str, Any]]:
    """§1.7 [EXT]: generated once processing is done; exactly one is preferred."""
    width, height = video.width or 1280, video.height or 720
    return [
        {
            "id": thumb_id,
            "height": height,
            "width": width,
            "scale": 1,
            "uri": _media_url(req, f"thumbnails/{video.id}/{index}.png"),
            "is_preferred": index == 0,
        }
        for index, thumb_id in enumerate(video.thumbnail_ids)
    ]


@node_edge("video", "thumbnails")
def video_thumbnails(req: SimRequest, video: AdVideo) -> dict[str, Any]:
    """§6.2 item 17: empty until the video is ready."""
    if video.deleted:
        raise _unknown_object(req, video.id)
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


# ---------------------------------------------------------------------------------------------
# The simulator serves the media it hands out URLs for (image url, thumbnail uri, video source).


@route("GET", "/_media/<kind>/<name:path>", auth="none", kind="media_file")
def media_file(req: SimRequest, kind: str, name: str) -> SimResponse:
    if kind == "images":
        image_hash = name.split(".", 1)[0]
        for image in req.world.all("adimage"):
            if image.hash == image_hash:
                mime = {"jpeg": "image/jpeg"}.get(image.format, f"image/{image.format}")
                return SimResponse(body=blob(req.world, image.id), content_type=mime)
    elif kind == "thumbnails":
        video_id, _, _ = name.partition("/")
        video = req.world.get(video_id, "video")
        if video is not None and not video.deleted:
            width, height = video.width or 1280, video.height or 720
            return SimResponse(body=build_png(width, height), content_type="image/png")
    elif kind == "videos":
        video = req.world.get(name, "video")
        data = blob(req.world, name)
        if video is not None and not video.deleted and data:
            return SimResponse(body=data, content_type="video/mp4")
    return SimResponse(body={"error": "not found"}, status=404)


# ---------------------------------------------------------------------------------------------
# Demo library: a few images and one ready video in the demo's active ad account.

# (name, width, height, colour): the usual feed, square and story sizes.
DEMO_IMAGES = (
    ("northwind_feed_1200x628.png", 1200, 628, (111, 78, 55)),
    ("northwind_square_1080x1080.png", 1080, 1080, (196, 164, 132)),
    ("northwind_story_1080x1920.png", 1080, 1920, (60, 42, 33)),
)


@functools.cache
def _demo_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    return build_png(width, height, rgb)  # built once per process: every test reseeds


@functools.cache
def _demo_mp4() -> bytes:
    from graph_sim.media_formats import build_mp4

    return build_mp4(duration_seconds=15.0, width=1080, height=1920, padding=8192)


@seeder(order=150)
def seed_media(world: Any, rng: Any) -> None:
    """`demo["image_hashes"]` (feed, square, story) and `demo["video_id"]` (ready) in the
    active ad account."""
    act_id = world.demo.get("active_ad_account_id")
    if not act_id:
        return
    account_id = act_id.removeprefix("act_")
    now = world.clock.now()
    created = now - 7 * 86400
    hashes = []
    for name, width, height, rgb in DEMO_IMAGES:
        data = _demo_png(width, height, rgb)
        image_hash = hashlib.md5(data, usedforsecurity=False).hexdigest()
        image = AdImage(
            id=f"{account_id}:{image_hash}",
            account_id=account_id,
            hash=image_hash,
            name=name,
            width=width,
            height=height,
            format="png",
            created_time=created,
            updated_time=created,
        )
        world.put(image)
        _blobs(world)[image.id] = bytearray(data)
        hashes.append(image_hash)
    data = _demo_mp4()
    info = video_info(data)
    video = AdVideo(
        id=world.new_id(),
        account_id=account_id,
        created_time=created,
        updated_time=created,
        title="Northwind spring story",
        description="15-second vertical story cut",
        file_size=len(data),
        bytes_received=len(data),
        container=info.container,
        length=info.duration_seconds,
        width=info.width,
        height=info.height,
        source_kind="chunked",
        upload_state="complete",
        upload_completed_at=created,
        last_activity=created,
        processing_seconds=world.sim.config.timings.video_processing,
    )
    video.thumbnail_ids = [world.new_id() for _ in range(MediaSettings().thumbnails_per_video)]
    world.put(video)
    _blobs(world)[video.id] = bytearray(data)
    world.demo["image_hashes"] = hashes
    world.demo["video_id"] = video.id


# ---------------------------------------------------------------------------------------------
# Control endpoint: the knobs, for tests and demos running the simulator in another process.


@control_route("GET", "/__sim__/media/settings")
@control_route("POST", "/__sim__/media/settings")
def _control_settings(sim: Any, params: dict[str, str]) -> dict[str, Any]:
    """`POST /__sim__/media/settings` with any MediaSettings field (e.g. `chunk_size=4096`)."""
    import dataclasses

    settings = media_settings(sim)
    known = {f.name: f for f in dataclasses.fields(settings)}
    for name, raw in params.items():
        if name not in known:
            raise ValueError(f"unknown media setting {name!r}; one of {sorted(known)}")
        current = getattr(settings, name)
        if raw in ("", "null", "None") and name == "processing_seconds":
            setattr(settings, name, None)
        elif isinstance(current, int) and not isinstance(current, bool):
            setattr(settings, name, int(raw))
        else:
            setattr(settings, name, float(raw))
    return dataclasses.asdict(settings)
