"""Video upload to an ad account: one POST for small files, the chunked resumable protocol
(creatives-and-media.md §1.2: start → transfer… → finish) for large ones.

The server chooses each window `[start_offset, end_offset)`. After every acknowledged chunk the
helper hands an `UploadState` to `on_progress`, so a service can store it; passing that state
back as `resume=` continues from the last acknowledged offset (after a crash, a lost answer or a
worker restart). A chunk sent at the wrong offset gets subcode 1363037 with the expected window
in `error_data`; the helper re-seeks there.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from agency.graph.errors import UPLOAD_OFFSET_SUBCODE, GraphError, GraphValidationError

if TYPE_CHECKING:
    from agency.graph.client import GraphClient

CHUNKED_FROM_BYTES = 20 * 1024 * 1024  # smaller files go in one POST


@dataclass(frozen=True)
class UploadState:
    """Where a chunked upload stands; store it to resume later."""

    account_id: str
    upload_session_id: str
    video_id: str
    file_size: int
    start_offset: int
    end_offset: int

    @property
    def done(self) -> bool:
        return self.start_offset >= self.end_offset


@dataclass(frozen=True)
class UploadResult:
    video_id: str
    chunked: bool
    chunks_sent: int = 0
    reseeks: int = 0


def _open(source: bytes | str | os.PathLike[str] | IO[bytes]) -> tuple[IO[bytes], int, bool]:
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source), len(source), True
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return path.open("rb"), path.stat().st_size, True
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(0)
    return source, size, False


def _act(account_id: str) -> str:
    text = str(account_id)
    return text if text.startswith("act_") else f"act_{text}"


def upload_video(
    client: GraphClient,
    *,
    account_id: str,
    source: bytes | str | os.PathLike[str] | IO[bytes],
    title: str | None = None,
    chunked_from: int = CHUNKED_FROM_BYTES,
    resume: UploadState | None = None,
    on_progress: Callable[[UploadState], None] | None = None,
    max_reseeks: int = 10,
) -> UploadResult:
    """Upload a video and return its id. Large files (or `resume=`) use the chunked protocol."""
    act = _act(account_id)
    stream, size, owned = _open(source)
    try:
        if resume is None and size < chunked_from:
            stream.seek(0)
            data: dict[str, Any] = {"title": title} if title else {}
            body = client.post(
                f"{act}/advideos",
                data=data,
                files={"source": ("video.mp4", stream.read(), "video/mp4")},
            )
            return UploadResult(video_id=str(body["id"]), chunked=False)
        return _chunked(client, act, stream, size, title, resume, on_progress, max_reseeks)
    finally:
        if owned:
            stream.close()


def _chunked(
    client: GraphClient,
    act: str,
    stream: IO[bytes],
    size: int,
    title: str | None,
    state: UploadState | None,
    on_progress: Callable[[UploadState], None] | None,
    max_reseeks: int,
) -> UploadResult:
    if state is None:
        # A start that failed with an unknown outcome leaves an unused session at worst.
        started = client.post(f"{act}/advideos", data={"upload_phase": "start", "file_size": size})
        state = UploadState(
            account_id=act,
            upload_session_id=str(started["upload_session_id"]),
            video_id=str(started["video_id"]),
            file_size=size,
            start_offset=int(started["start_offset"]),
            end_offset=int(started["end_offset"]),
        )
        if on_progress:
            on_progress(state)
    elif state.file_size != size:
        raise ValueError("The file to resume is not the one this upload state belongs to")
    chunks = reseeks = 0
    while not state.done:
        stream.seek(state.start_offset)
        chunk = stream.read(state.end_offset - state.start_offset)
        try:
            # Idempotent at the protocol level: a repeated chunk gets 1363037 and we re-seek.
            answer = client.post(
                f"{act}/advideos",
                data={
                    "upload_phase": "transfer",
                    "upload_session_id": state.upload_session_id,
                    "start_offset": state.start_offset,
                },
                files={"video_file_chunk": ("chunk", chunk, "application/octet-stream")},
                idempotent=True,
            )
        except GraphValidationError as err:
            window = _window(err)
            if window is None or reseeks >= max_reseeks:
                raise
            reseeks += 1
            state = replace(state, start_offset=window[0], end_offset=window[1])
        else:
            chunks += 1
            state = replace(
                state,
                start_offset=int(answer["start_offset"]),
                end_offset=int(answer["end_offset"]),
            )
        if on_progress:
            on_progress(state)
    finish: dict[str, Any] = {
        "upload_phase": "finish",
        "upload_session_id": state.upload_session_id,
    }
    if title:
        finish["title"] = title
    # A repeated finish answers success again (its first answer may have been lost).
    client.post(f"{act}/advideos", data=finish, idempotent=True)
    return UploadResult(video_id=state.video_id, chunked=True, chunks_sent=chunks, reseeks=reseeks)


def _window(err: GraphError) -> tuple[int, int] | None:
    if err.subcode != UPLOAD_OFFSET_SUBCODE:
        return None
    try:
        return int(err.error_data["start_offset"]), int(err.error_data["end_offset"])
    except (KeyError, TypeError, ValueError):
        return None
