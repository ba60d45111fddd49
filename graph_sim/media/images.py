"""Ad images and the media shared by the upload endpoints: /adimages uploads and library,
the records of images and videos, the files the simulator serves, the demo library and the
knobs (creatives-and-media.md §1.1, §6.2). Videos: videos.py and video_ads.py."""

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
    node_reader,
    paginate,
    render_fields,
    route,
    seeder,
)
from graph_sim.errors import GraphError, invalid_parameter, missing_parameter
from graph_sim.media.formats import (
    IMAGE_EXTENSIONS,
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


def blobs(world: Any) -> dict[str, bytearray]:
    """File contents by image, video or upload-session id, kept beside the records so the
    records stay small and JSON-friendly (the control API lists them)."""
    return world.__dict__.setdefault("_media_blobs", {})


def blob(world: Any, key: str) -> bytes:
    """The stored bytes of an image (`<account_id>:<hash>`) or a video (its id)."""
    return bytes(blobs(world).get(key, b""))


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


def file_bytes(storage: Any) -> bytes:
    """Bytes of an uploaded part; seek first, because one batch attachment may feed two ops."""
    stream = getattr(storage, "stream", storage)
    if hasattr(stream, "seek"):
        stream.seek(0)
    data = stream.read()
    return data if isinstance(data, bytes) else str(data).encode()


def _has_extension(name: str) -> bool:
    stem, dot, ext = name.rpartition(".")
    return bool(dot and stem and ext and "/" not in ext)


def media_url(req: SimRequest, path: str) -> str:
    # Served by the simulator itself (route below) so clients can download what they uploaded
    # or a video's thumbnail; real Graph answers with fbcdn.net URLs that expire.
    return f"{req.base_url}/_media/{path}"


def _image_struct(req: SimRequest, image: AdImage) -> dict[str, Any]:
    """The documented POST return struct (reference.md §3.5), sizes 256 as strings."""
    w256, h256 = fit_within(image.width, image.height, 256)
    ext = IMAGE_EXTENSIONS.get(image.format, "img")
    return {
        "hash": image.hash,
        "url": media_url(req, f"images/{image.hash}.{ext}"),
        "url_128": media_url(req, f"images/{image.hash}.{ext}?size=128"),
        "url_256": media_url(req, f"images/{image.hash}.{ext}?size=256"),
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
    blobs(req.world)[image_id] = bytearray(data)
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
        data = file_bytes(storage)
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
        raise unknown_object(req, image.id)
    req.account(image.account_id, write=False)
    return _render_image(req, image)


def unknown_object(req: SimRequest, obj_id: str) -> GraphError:
    return GraphError(
        f"Unsupported {req.method.lower()} request. Object with ID '{obj_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation.",
        code=100,
        subcode=33,
        type="GraphMethodException",
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
    from graph_sim.media.formats import build_mp4

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
        blobs(world)[image.id] = bytearray(data)
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
    blobs(world)[video.id] = bytearray(data)
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
