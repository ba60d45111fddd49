"""Writes of the media library: storing an upload once per client, and pushing it to Meta.

Uploading stores the file through Django's storage API after sniffing it (validation.py); the same
bytes uploaded again for a client are stored once (content hash). Pushing creates one
AccountMedia per ad account that needs the asset and runs a `media.push` job (queue `uploads`)
that sends images to /adimages and videos by the chunked resumable protocol, then waits for
Meta's processing and records the thumbnail.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import time
from collections.abc import Callable
from typing import IO

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from accounts.services.graph import ConnectionUnusableError, graph_for_connection
from agency.errors import ServiceError
from agency.graph.errors import (
    GraphAuthError,
    GraphError,
    GraphOutcomeUnknownError,
    GraphThrottleError,
    GraphTransientError,
)
from agency.graph.uploads import UploadState, upload_video
from agency.models import Client
from agency.services import audit_record
from campaigns.media.models import AccountMedia, AccountMediaState, MediaAsset, MediaKind
from campaigns.media.validation import media_sniff
from campaigns.models import AdAccount

log = logging.getLogger(__name__)

NAME_MAX = 200
KIB = 1024
# Poll a processing video after 2 s, then twice as long each time, at most every 30 s.
PROCESSING_FIRST_WAIT = 2.0
PROCESSING_MAX_WAIT = 30.0


def _clean_name(name: str | None, fallback: str) -> str:
    text = os.path.basename((name or "").replace("\\", "/")).strip()
    text = "".join(ch for ch in text if ch.isprintable())
    return (text or fallback)[:NAME_MAX]


def _sha256(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    chunks = file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(KIB * KIB), b"")
    for chunk in chunks:
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def media_upload(*, client: Client, file: IO[bytes], actor=None, name: str | None = None
                 ) -> MediaAsset:
    """Store an image or video for `client`, once per content.

    Raises MediaRefusedError (field "file") for a file that is not a JPG/PNG/GIF image or an
    MP4/MOV video, or that passes Meta's limits; then nothing is stored. The same bytes already in
    the client's library return the existing asset (`asset.deduplicated` is True).
    """
    sniffed = media_sniff(file)  # raises before anything is written
    display_name = _clean_name(name or getattr(file, "name", ""), f"Untitled {sniffed.kind}")
    sha256 = _sha256(file)
    existing = MediaAsset.objects.filter(client=client, content_sha256=sha256).first()
    if existing is not None:
        existing.deduplicated = True
        return existing
    asset = MediaAsset(
        agency_id=client.agency_id, client=client, kind=sniffed.kind, name=display_name,
        content_sha256=sha256, size_bytes=file.size if hasattr(file, "size") else 0,
        mime_type=sniffed.mime_type, width=sniffed.width, height=sniffed.height,
        duration_seconds=sniffed.duration_seconds,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    # Streams the (temporary) upload into storage chunk by chunk; never read whole in memory.
    asset.file.save(f"upload.{sniffed.extension}", file, save=False)
    if not asset.size_bytes:
        asset.size_bytes = asset.file.size
    try:
        with transaction.atomic():
            asset.save()
            audit_record(agency=client.agency_id, actor=actor, verb="media.upload", target=asset,
                         data={"client": client.pk, "kind": asset.kind, "name": asset.name,
                               "sha256": sha256, "size_bytes": asset.size_bytes})
    except IntegrityError:
        # The same bytes were stored for this client at the same moment: keep theirs.
        default_storage.delete(asset.file.name)
        existing = MediaAsset.objects.filter(client=client, content_sha256=sha256).first()
        if existing is None:
            raise
        existing.deduplicated = True
        return existing
    except BaseException:
        default_storage.delete(asset.file.name)
        raise
    asset.deduplicated = False
    return asset


def _units(asset: MediaAsset) -> int:
    """Progress units of one account copy: 1 per image, KiB for a video (bytes acknowledged)."""
    if asset.kind == MediaKind.VIDEO:
        return max(1, math.ceil(asset.size_bytes / KIB))
    return 1


def media_push_to_accounts(*, asset: MediaAsset, actor=None,
                           ad_accounts: list[AdAccount] | None = None) -> list:
    """Send `asset` to each ad account of its client that does not have it yet (or only those
    of `ad_accounts`), as `media.push` jobs (one per Meta connection). Returns the jobs sending
    it, including ones already running; empty when every account already has it."""
    from agency.jobs import services as jobs
    from agency.jobs.models import ACTIVE_STATES

    if ad_accounts is None:
        ad_accounts = list(AdAccount.objects.filter(client_id=asset.client_id)
                           .select_related("connection"))
    for account in ad_accounts:
        if account.client_id != asset.client_id or account.agency_id != asset.agency_id:
            raise ServiceError(f"Ad account {account.act_id} is not one of this client's.",
                               field="ad_accounts")
    started: list = []
    running: dict[int, object] = {}
    with transaction.atomic():
        by_connection: dict[int, list[AccountMedia]] = {}
        for account in ad_accounts:
            copy, _ = AccountMedia.objects.select_for_update().get_or_create(
                asset=asset, ad_account=account, defaults={"agency_id": asset.agency_id})
            if copy.state == AccountMediaState.READY:
                continue
            if copy.job_id and copy.job.state in ACTIVE_STATES:
                running[copy.job_id] = copy.job
                continue
            by_connection.setdefault(account.connection_id, []).append(copy)
        for connection_id, copies in by_connection.items():
            job = jobs.job_start(
                kind="media.push", actor=actor, target=asset,
                params={"asset_id": asset.pk, "copy_ids": [c.pk for c in copies]},
                total=_units(asset) * len(copies), connection=copies[0].ad_account.connection,
            )
            for copy in copies:
                copy.state = AccountMediaState.PENDING
                copy.error = copy.error_code = ""
                copy.job = job
                copy.save(update_fields=["state", "error", "error_code", "job", "updated_at"])
            audit_record(agency=asset.agency_id, actor=actor, verb="media.push", target=asset,
                         data={"job": job.pk, "connection": connection_id,
                               "ad_accounts": [c.ad_account.act_id for c in copies]})
            started.append(job)
    return [*running.values(), *started]


def account_media_retry(*, copy: AccountMedia, actor=None) -> list:
    """Send a failed (or stuck) account copy again."""
    if copy.state == AccountMediaState.READY:
        raise ServiceError("This ad account already has the file.")
    return media_push_to_accounts(asset=copy.asset, actor=actor, ad_accounts=[copy.ad_account])


# --- the push itself (runs in the media.push job) ------------------------------------------------


class _Progress:
    """Counts a copy's progress into the job: units acknowledged so far (restart-safe, through
    the job's checkpoint), and its success or failure once."""

    def __init__(self, job) -> None:
        self.job = job

    def _checkpoint(self) -> dict:
        checkpoint = dict(self.job.checkpoint or {})
        checkpoint.setdefault("counted", {})
        checkpoint.setdefault("finished", [])
        return checkpoint

    def check(self) -> None:
        from agency.jobs import services as jobs

        if self.job is not None:
            jobs.job_check(job=self.job)

    def units(self, copy: AccountMedia, units: int) -> None:
        from agency.jobs import services as jobs

        if self.job is None:
            return
        checkpoint = self._checkpoint()
        before = int(checkpoint["counted"].get(str(copy.pk), 0))
        units = min(units, _units(copy.asset))
        if units <= before:
            jobs.job_check(job=self.job)  # renews the lease, raises if cancelled
            return
        checkpoint["counted"][str(copy.pk)] = units
        jobs.job_advance(job=self.job, done=units - before, checkpoint=checkpoint)

    def finished(self, copy: AccountMedia, *, error: str | None = None) -> None:
        from agency.jobs import services as jobs

        if self.job is None:
            return
        checkpoint = self._checkpoint()
        if copy.pk in checkpoint["finished"]:
            return
        before = int(checkpoint["counted"].get(str(copy.pk), 0))
        total = _units(copy.asset)
        checkpoint["counted"][str(copy.pk)] = total
        checkpoint["finished"].append(copy.pk)
        jobs.job_advance(job=self.job, done=max(0, total - before),
                         succeeded=0 if error else 1, failed=1 if error else 0,
                         error=f"{copy.ad_account.name}: {error}" if error else None,
                         checkpoint=checkpoint)


def processing_sleep(seconds: float) -> None:
    """How a push waits between processing polls (tests move the simulator's clock instead)."""
    time.sleep(seconds)


def media_push_run(*, job, sleep: Callable[[float], None] | None = None) -> None:
    """The `media.push` job: push each account copy it names; resumable and idempotent."""
    asset = MediaAsset.objects.get(pk=job.params["asset_id"])
    copies = (AccountMedia.objects.filter(pk__in=job.params.get("copy_ids", []), asset=asset)
              .select_related("ad_account__connection", "asset").order_by("pk"))
    progress = _Progress(job)
    for copy in copies:
        account_media_push(copy=copy, progress=progress, sleep=sleep)


def account_media_push(*, copy: AccountMedia, progress: _Progress | None = None,
                       sleep: Callable[[float], None] | None = None, actor=None
                       ) -> AccountMedia:
    """Send one asset to one ad account, or finish sending it. A copy already on Meta is left
    alone; an interrupted video upload resumes from its last acknowledged chunk.

    Temporary Graph trouble (transient, throttled, unknown outcome) and an unusable connection
    propagate (the job retries or pauses, with the upload state kept); any other Graph refusal
    marks the copy failed with Graph's reason and the push goes on with the next account.
    """
    progress = progress or _Progress(None)
    if copy.state == AccountMediaState.READY:
        progress.finished(copy)
        return copy
    connection = copy.ad_account.connection
    try:
        with graph_for_connection(connection=connection, purpose="media_push",
                                  actor=actor) as client:
            if copy.asset.kind == MediaKind.IMAGE:
                _push_image(client, copy)
            else:
                _push_video(client, copy, progress, sleep)
    except GraphAuthError as exc:
        # graph_for_connection already marked the connection; the job pauses until reconnected.
        raise ConnectionUnusableError(
            f"Meta refused the connection's token ({exc.message}): reconnect it to continue.",
            extra={"connection_id": connection.pk},
        ) from exc
    except (GraphTransientError, GraphThrottleError, GraphOutcomeUnknownError):
        raise
    except GraphError as exc:
        _fail(copy, _reason(exc), code=_code(exc), actor=actor)
        progress.finished(copy, error=copy.error)
        return copy
    except _ProcessingFailed as exc:
        _fail(copy, str(exc), code=exc.code, actor=actor)
        progress.finished(copy, error=copy.error)
        return copy
    audit_record(agency=copy.agency_id, actor=actor, verb="media.ready", target=copy.asset,
                 data={"ad_account": copy.ad_account.act_id, "image_hash": copy.image_hash,
                       "video_id": copy.video_id})
    progress.finished(copy)
    return copy


class _ProcessingFailed(Exception):
    def __init__(self, message: str, code: str = "") -> None:
        super().__init__(message)
        self.code = code


def _reason(exc: GraphError) -> str:
    """Graph's own words for the person: its user title and message, else its message."""
    parts = [p for p in (exc.user_title, exc.user_msg) if p]
    text = ": ".join(parts) if parts else exc.message
    return text[:1000]


def _code(exc: GraphError) -> str:
    return f"{exc.code}/{exc.subcode}" if exc.subcode else str(exc.code or "")


def _save(copy: AccountMedia, **fields) -> None:
    for name, value in fields.items():
        setattr(copy, name, value)
    copy.save(update_fields=[*fields, "updated_at"])


def _fail(copy: AccountMedia, reason: str, *, code: str = "", actor=None) -> None:
    """A refusal Meta will repeat: the copy is failed, and its upload state dropped so that a
    retry starts a fresh upload."""
    _save(copy, state=AccountMediaState.FAILED, error=reason, error_code=code[:32],
          upload_session_id="", upload_start_offset=0, upload_end_offset=0, upload_file_size=0,
          video_id="")
    audit_record(agency=copy.agency_id, actor=actor, verb="media.push_failed",
                 target=copy.asset, data={"ad_account": copy.ad_account.act_id,
                                          "error": reason, "code": code})


def _image_part_name(asset: MediaAsset) -> str:
    # /adimages takes the multipart part named after the file, with its extension
    # (creatives-and-media.md §1.1).
    stem = slugify(os.path.splitext(asset.name)[0])[:80] or "image"
    return f"{stem}.{asset.extension or 'jpg'}"


def _push_image(client, copy: AccountMedia) -> None:
    asset = copy.asset
    _save(copy, state=AccountMediaState.UPLOADING, error="", error_code="")
    with asset.file.open("rb") as stream:
        data = stream.read()  # images are at most 8 MB (validation.py)
    part = _image_part_name(asset)
    # Safe to repeat: Graph gives the same bytes the same hash, in one library entry
    # (creatives-and-media.md §1.1), so a retry after a lost answer creates nothing new.
    body = client.post(f"{copy.ad_account.act_id}/adimages",
                       files={part: (part, data, asset.mime_type)}, idempotent=True)
    images = body.get("images") or {}
    entry = next(iter(images.values()), None) if isinstance(images, dict) else None
    if not entry or not entry.get("hash"):
        raise _ProcessingFailed("Meta did not return an image hash.")
    _save(copy, state=AccountMediaState.READY, image_hash=str(entry["hash"])[:64])


def _upload_state(copy: AccountMedia) -> UploadState | None:
    if not (copy.upload_session_id and copy.video_id and copy.upload_file_size):
        return None
    return UploadState(
        account_id=copy.ad_account.act_id, upload_session_id=copy.upload_session_id,
        video_id=copy.video_id, file_size=copy.upload_file_size,
        start_offset=copy.upload_start_offset, end_offset=copy.upload_end_offset,
    )


def _push_video(client, copy: AccountMedia, progress: _Progress, sleep) -> None:
    asset = copy.asset
    if not (copy.state == AccountMediaState.PROCESSING and copy.video_id):
        resume = _upload_state(copy)
        _save(copy, state=AccountMediaState.UPLOADING, error="", error_code="")

        def acknowledged(state: UploadState) -> None:
            # Recorded after EVERY acknowledged chunk (and right after `start`, which gives
            # the video id): a killed worker resumes from here, never from byte 0.
            _save(copy, upload_session_id=state.upload_session_id, video_id=state.video_id,
                  upload_start_offset=state.start_offset, upload_end_offset=state.end_offset,
                  upload_file_size=state.file_size)
            progress.units(copy, state.start_offset // KIB)

        with asset.file.open("rb") as stream:
            result = upload_video(client, account_id=copy.ad_account.act_id, source=stream,
                                  title=asset.name[:250], chunked_from=0, resume=resume,
                                  on_progress=acknowledged)
        _save(copy, state=AccountMediaState.PROCESSING, video_id=result.video_id,
              upload_start_offset=copy.upload_file_size or asset.size_bytes)
    _wait_until_processed(client, copy, progress, sleep)
    _save(copy, state=AccountMediaState.READY, thumbnail_url=_thumbnail(client, copy.video_id),
          processing_progress=100)


def _wait_until_processed(client, copy: AccountMedia, progress: _Progress, sleep) -> None:
    """Poll the video's `status` (creatives-and-media.md §1.6) with backoff until ready."""
    sleep = sleep or processing_sleep
    timeout = float(getattr(settings, "MEDIA_VIDEO_PROCESSING_TIMEOUT", 1800))
    waited = 0.0
    wait = PROCESSING_FIRST_WAIT
    while True:
        body = client.get(copy.video_id, fields="status")
        status = body.get("status") or {}
        video_status = status.get("video_status")
        if video_status == "ready":
            return
        if video_status in {"error", "expired"}:
            raise _ProcessingFailed(*_status_error(status, video_status))
        percent = status.get("processing_progress")
        if isinstance(percent, int) and percent != copy.processing_progress:
            _save(copy, processing_progress=max(0, min(100, percent)))
        progress.check()  # renews the job's lease; raises if the job was cancelled
        if waited >= timeout:
            raise _ProcessingFailed(
                f"Meta was still processing the video after {timeout / 60:.0f} minutes; "
                "retry to check again.", "processing_timeout")
        sleep(wait)
        waited += wait
        wait = min(wait * 2, PROCESSING_MAX_WAIT)


def _status_error(status: dict, video_status: str) -> tuple[str, str]:
    for phase in ("processing_phase", "uploading_phase", "publishing_phase"):
        errors = (status.get(phase) or {}).get("errors") or []
        if errors and isinstance(errors[0], dict):
            code = str(errors[0].get("code") or "")
            message = str(errors[0].get("message") or "Meta could not process the video.")
            return f"Meta could not process the video: {message}"[:1000], code
    if video_status == "expired":
        return "The upload expired on Meta before it finished; retry to send it again.", "expired"
    return "Meta could not process the video.", "error"


def _thumbnail(client, video_id: str) -> str:
    """The preferred generated thumbnail (`thumbnails` edge), else the video's `picture`."""
    try:
        thumbs = client.get(f"{video_id}/thumbnails").get("data") or []
        preferred = next((t for t in thumbs if t.get("is_preferred")), thumbs[0] if thumbs else {})
        uri = preferred.get("uri") or client.get(video_id, fields="picture").get("picture") or ""
    except (GraphTransientError, GraphThrottleError):
        raise
    except GraphError:
        log.info("no thumbnail for video %s", video_id)
        return ""
    return uri if isinstance(uri, str) and len(uri) <= 2000 else ""
