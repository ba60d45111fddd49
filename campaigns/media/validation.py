"""What an uploaded file really is: its format sniffed from its bytes (never its name or the
browser's content type), its pixel size or duration, and the limits Meta documents.

Limits, with where they come from:
- Images: at most 8 MB. The seeds give no size for /adimages itself (creatives-and-media.md L108:
  "No maximum pixel size, min size or file-type list for /adimages in the seed"); the only image
  size they give is the creative's "image_file ... Not to exceed 8MB in size" / "Images cannot
  exceed 8 MB" (/work/shared/seeds/marketing-api-guide.txt L14759, L14761; digest
  creatives-and-media.md L102). The simulator refuses larger images the same way.
- Image pixels: no maximum in the docs (creatives-and-media.md L108, [VAGUE]); we refuse images
  above MAX_IMAGE_PIXELS (a decompression-bomb guard, our decision, not Meta's) and images with
  no pixels. The only pixel minimums in the seeds are placement advice ("minimum of 458 x 458 px
  for best display", marketing-api-guide.txt L1754; Threads "at least 500px in width", L3399), so
  they are not refusals here.
- Videos: "Maximum File Size | Up to 10 GB recommended" (marketing-api-guide.txt L2342; digest
  creatives-and-media.md L167), the resumable upload's "up to 10 GB and 4 hours"
  (creatives-and-media.md L149). MP4 is the recommended type (L2340); MOV is in Meta's format list
  (L8345). The spec's "Minimum Width 1200 pixels" (L2343) contradicts its own 9:16 portrait
  aspect, so it is shown as advice, not enforced.
- Formats accepted here: JPEG, PNG, GIF images (Graph: "bmp, jpeg, gif (png also accepted)",
  creatives-and-media.md L71) and MP4 / MOV videos.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import IO

from django.conf import settings

from agency.errors import ServiceError
from campaigns.media.models import MediaKind

MAX_IMAGE_PIXELS = 100_000_000  # 100 megapixels: a decompression-bomb guard (see above)
VIDEO_MAX_SECONDS = 4 * 3600  # creatives-and-media.md L149: resumable uploads up to 4 hours
VIDEO_ADVISED_MIN_WIDTH = 1200  # marketing-api-guide.txt L2343 (advice, see above)
_MOOV_MAX_BYTES = 64 * 1024 * 1024  # the movie header we read into memory; real ones are small

# ISO base media (ftyp) major brands of MP4 and QuickTime files. Others (HEIF images "heic",
# "mif1", audio-only "M4A ", 3GPP) are refused.
_MP4_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1",
               b"M4V ", b"M4VH", b"M4VP", b"mmp4", b"dash", b"MSNV", b"NDAS", b"f4v "}
_QT_BRANDS = {b"qt  "}
# A QuickTime file may begin without ftyp, straight with one of these atoms.
_QT_LEADING_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


class MediaRefusedError(ServiceError):
    """The file is not one we accept (format, size, pixels); nothing was stored."""

    code = "media_refused"


@dataclass(frozen=True)
class SniffedMedia:
    kind: str  # MediaKind
    format: str  # jpeg, png, gif, mp4, mov
    mime_type: str
    extension: str
    width: int | None = None
    height: int | None = None
    duration_seconds: float | None = None

    @property
    def advice(self) -> str:
        if self.kind == MediaKind.VIDEO and self.width and self.width < VIDEO_ADVISED_MIN_WIDTH:
            return (f"Meta recommends videos at least {VIDEO_ADVISED_MIN_WIDTH} pixels wide; "
                    f"this one is {self.width}.")
        return ""


IMAGE_FORMATS = {
    "jpeg": ("image/jpeg", "jpg"),
    "png": ("image/png", "png"),
    "gif": ("image/gif", "gif"),
}
VIDEO_FORMATS = {
    "mp4": ("video/mp4", "mp4"),
    "mov": ("video/quicktime", "mov"),
}
ACCEPTED_DESCRIPTION = "JPG, PNG or GIF images and MP4 or MOV videos"


def _size_of(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if size is not None:
        return int(size)
    position = file.tell()
    file.seek(0, 2)
    size = file.tell()
    file.seek(position)
    return size


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def media_sniff(file: IO[bytes]) -> SniffedMedia:
    """Format, kind and size of `file` from its content; raises MediaRefusedError.

    Reads the header, and for videos only the box headers and the movie header (`moov`): a
    multi-gigabyte video is never read whole.
    """
    size = _size_of(file)
    if size == 0:
        raise MediaRefusedError("The file is empty.", field="file")
    file.seek(0)
    head = file.read(32)
    file.seek(0)
    image_format = _image_format(head)
    if image_format is not None:
        return _image(file, image_format, size)
    if _looks_like_iso_media(head):
        return _video(file, size)
    raise MediaRefusedError(
        f"This file is not an image or a video we can send to Meta: upload {ACCEPTED_DESCRIPTION}."
        " (The file's content decides, not its name.)",
        field="file",
    )


def _image_format(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    return None


def _image(file: IO[bytes], image_format: str, size: int) -> SniffedMedia:
    limit = settings.MEDIA_IMAGE_MAX_BYTES
    if size > limit:
        raise MediaRefusedError(
            f"This image is {_mib(size)}; Meta accepts images up to {_mib(limit)}.",
            field="file", extra={"size_bytes": size, "limit_bytes": limit},
        )
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(file) as image:
            width, height = image.size
            pillow_format = (image.format or "").lower()
            image.verify()  # walks the file's structure without decoding every pixel
    except Image.DecompressionBombError as exc:
        raise MediaRefusedError("This image has too many pixels.", field="file") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise MediaRefusedError(
            f"This {image_format.upper()} image is damaged and cannot be read.", field="file"
        ) from exc
    finally:
        file.seek(0)
    if pillow_format != image_format:
        raise MediaRefusedError(
            f"This {image_format.upper()} image is damaged and cannot be read.", field="file"
        )
    if width <= 0 or height <= 0:
        raise MediaRefusedError("This image has no pixels.", field="file")
    if width * height > MAX_IMAGE_PIXELS:
        raise MediaRefusedError(
            f"This image is {width} x {height} pixels; the library takes images up to "
            f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels.",
            field="file",
        )
    mime, extension = IMAGE_FORMATS[image_format]
    return SniffedMedia(kind=MediaKind.IMAGE, format=image_format, mime_type=mime,
                        extension=extension, width=width, height=height)


# --- videos: ISO base media files (MP4, QuickTime MOV) ------------------------------------------


def _looks_like_iso_media(head: bytes) -> bool:
    return len(head) >= 8 and (head[4:8] == b"ftyp" or head[4:8] in _QT_LEADING_ATOMS)


def _boxes(file: IO[bytes], start: int, end: int):
    """(type, payload_start, payload_end) of each box between start and end, read by seeking."""
    position = start
    while position < end:
        file.seek(position)
        header = file.read(8)
        if len(header) < 8:
            raise _damaged()
        box_size, kind = struct.unpack(">I4s", header)
        header_size = 8
        if box_size == 1:
            large = file.read(8)
            if len(large) < 8:
                raise _damaged()
            (box_size,) = struct.unpack(">Q", large)
            header_size = 16
        elif box_size == 0:
            box_size = end - position
        if box_size < header_size or position + box_size > end:
            raise _damaged()
        yield kind, position + header_size, position + box_size
        position += box_size


def _boxes_in(data: bytes, start: int, end: int):
    position = start
    while position + 8 <= end:
        box_size, kind = struct.unpack(">I4s", data[position:position + 8])
        header_size = 8
        if box_size == 1 and position + 16 <= end:
            (box_size,) = struct.unpack(">Q", data[position + 8:position + 16])
            header_size = 16
        elif box_size == 0:
            box_size = end - position
        if box_size < header_size or position + box_size > end:
            raise _damaged()
        yield kind, position + header_size, position + box_size
        position += box_size


def _damaged() -> MediaRefusedError:
    return MediaRefusedError("This video file is damaged: its structure cannot be read.",
                             field="file")


def _video(file: IO[bytes], size: int) -> SniffedMedia:
    limit = settings.MEDIA_VIDEO_MAX_BYTES
    if size > limit:
        raise MediaRefusedError(
            f"This video is {_mib(size)}; Meta accepts videos up to {_mib(limit)}.",
            field="file", extra={"size_bytes": size, "limit_bytes": limit},
        )
    container = None
    moov = None
    try:
        for kind, start, end in _boxes(file, 0, size):
            if kind == b"ftyp" and container is None:
                file.seek(start)
                brand = file.read(4)
                if brand in _QT_BRANDS:
                    container = "mov"
                elif brand in _MP4_BRANDS:
                    container = "mp4"
                else:
                    raise MediaRefusedError(
                        f"This file is not an MP4 or MOV video: upload {ACCEPTED_DESCRIPTION}.",
                        field="file",
                    )
            elif kind == b"moov":
                if end - start > _MOOV_MAX_BYTES:
                    raise _damaged()
                file.seek(start)
                moov = file.read(end - start)
                if len(moov) != end - start:
                    raise _damaged()
    finally:
        file.seek(0)
    if container is None:
        container = "mov"  # a QuickTime file without ftyp (it began with a QuickTime atom)
    if moov is None:
        raise MediaRefusedError("This video has no movie header (moov): it cannot be played.",
                                field="file")
    duration, width, height = _movie_header(moov)
    if not width or not height:
        raise MediaRefusedError("This file has no picture (no video track).", field="file")
    if duration is not None and duration > VIDEO_MAX_SECONDS:
        raise MediaRefusedError(
            f"This video lasts {duration / 3600:.1f} hours; Meta accepts videos up to "
            f"{VIDEO_MAX_SECONDS // 3600} hours.",
            field="file",
        )
    mime, extension = VIDEO_FORMATS[container]
    return SniffedMedia(kind=MediaKind.VIDEO, format=container, mime_type=mime,
                        extension=extension, width=width, height=height,
                        duration_seconds=duration)


def _movie_header(moov: bytes) -> tuple[float | None, int | None, int | None]:
    duration = None
    width = height = 0
    for kind, start, end in _boxes_in(moov, 0, len(moov)):
        if kind == b"mvhd":
            duration = _mvhd_duration(moov[start:end])
        elif kind == b"trak":
            for sub_kind, s_start, s_end in _boxes_in(moov, start, end):
                if sub_kind == b"tkhd" and s_end - s_start >= 84:
                    track_w, track_h = struct.unpack(">II", moov[s_end - 8:s_end])
                    if (track_w >> 16) * (track_h >> 16) > width * height:
                        width, height = track_w >> 16, track_h >> 16
    return duration, width or None, height or None


def _mvhd_duration(payload: bytes) -> float | None:
    try:
        if payload[:1] == b"\x01":
            timescale, duration = struct.unpack(">IQ", payload[20:32])
        else:
            timescale, duration = struct.unpack(">II", payload[12:20])
    except struct.error as exc:
        raise _damaged() from exc
    return duration / timescale if timescale else None
