"""Read image sizes and sniff video containers from raw bytes, the way Graph's upload checks do."""

from __future__ import annotations

import struct
from dataclasses import dataclass


class MediaFormatError(ValueError):
    """The bytes are not a file of a format we accept (the caller maps this to a Graph error)."""


@dataclass(frozen=True)
class ImageInfo:
    format: str  # "png", "jpeg", "gif", "bmp"
    width: int
    height: int


@dataclass(frozen=True)
class VideoInfo:
    container: str  # "mp4", "mov", "avi", "mkv", "flv", "asf", "mpeg_ts", "mpeg_ps", "gif"
    duration_seconds: float | None = None
    width: int | None = None
    height: int | None = None


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# JPEG start-of-frame markers carry the dimensions; DHT (C4), JPG (C8) and DAC (CC) sit in
# the same range but are not frames.
_JPEG_SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
# Markers that stand alone, without a length field.
_JPEG_STANDALONE = {0x01, *range(0xD0, 0xD8)}


def image_info(data: bytes) -> ImageInfo:
    """Format and pixel size from the file header; raises MediaFormatError if not an image."""
    if data.startswith(PNG_SIGNATURE):
        return _png_info(data)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_info(data)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        if len(data) < 10:
            raise MediaFormatError("truncated GIF header")
        width, height = struct.unpack("<HH", data[6:10])
        return _checked(ImageInfo("gif", width, height))
    if data.startswith(b"BM"):
        return _bmp_info(data)
    raise MediaFormatError("not a PNG, JPEG, GIF or BMP image")


def _checked(info: ImageInfo) -> ImageInfo:
    if info.width <= 0 or info.height <= 0:
        raise MediaFormatError("image has no pixels")
    return info


def _png_info(data: bytes) -> ImageInfo:
    # The first chunk must be IHDR: length(4) "IHDR" width(4) height(4), big-endian.
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise MediaFormatError("PNG without an IHDR chunk")
    width, height = struct.unpack(">II", data[16:24])
    return _checked(ImageInfo("png", width, height))


def _jpeg_info(data: bytes) -> ImageInfo:
    pos = 2
    size = len(data)
    while pos < size:
        if data[pos] != 0xFF:
            raise MediaFormatError("JPEG marker expected")
        # Any number of 0xFF fill bytes may precede a marker.
        while pos < size and data[pos] == 0xFF:
            pos += 1
        if pos >= size:
            break
        marker = data[pos]
        pos += 1
        if marker in _JPEG_STANDALONE:
            continue
        if marker in (0xD9, 0xDA):  # end of image / start of scan before any frame header
            break
        if pos + 2 > size:
            break
        (length,) = struct.unpack(">H", data[pos : pos + 2])
        if length < 2:
            raise MediaFormatError("bad JPEG segment length")
        if marker in _JPEG_SOF_MARKERS:
            if pos + 7 > size:
                break
            height, width = struct.unpack(">HH", data[pos + 3 : pos + 7])
            return _checked(ImageInfo("jpeg", width, height))
        pos += length
    raise MediaFormatError("JPEG without a frame header")


def _bmp_info(data: bytes) -> ImageInfo:
    if len(data) < 26:
        raise MediaFormatError("truncated BMP header")
    (header_size,) = struct.unpack("<I", data[14:18])
    if header_size == 12:  # OS/2 BITMAPCOREHEADER: 16-bit sizes
        width, height = struct.unpack("<HH", data[18:22])
    elif header_size >= 40 and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
    else:
        raise MediaFormatError("unknown BMP header")
    # A negative height means a top-down bitmap, not a negative size.
    return _checked(ImageInfo("bmp", abs(width), abs(height)))


IMAGE_EXTENSIONS = {"png": "png", "jpeg": "jpg", "gif": "gif", "bmp": "bmp"}


def fit_within(width: int, height: int, box: int) -> tuple[int, int]:
    """The size of a thumbnail that fits a box x box square, never enlarged."""
    longest = max(width, height)
    if longest <= box:
        return width, height
    scale = box / longest
    return max(1, round(width * scale)), max(1, round(height * scale))


# ---------------------------------------------------------------------------------------------
# Video

_ISO_BMFF_QT_BRANDS = {b"qt  "}


def video_info(data: bytes) -> VideoInfo:
    """Container (and, for MP4/MOV, duration and size); raises MediaFormatError if unsupported.

    Corrupt files of a known container raise CorruptVideoError so the caller can tell
    "unsupported format" (Graph 352) from "problem with the file" (Graph 351).
    """
    if len(data) >= 12 and data[4:8] == b"ftyp":
        return _iso_bmff_info(data)
    if data[:4] == b"RIFF" and data[8:12] == b"AVI ":
        return VideoInfo("avi")
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return VideoInfo("mkv")
    if data[:3] == b"FLV":
        return VideoInfo("flv")
    if data[:16] == bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c"):
        return VideoInfo("asf")
    if data[:4] == b"\x00\x00\x01\xba":
        return VideoInfo("mpeg_ps")
    if len(data) >= 377 and data[0] == 0x47 and data[188] == 0x47 and data[376] == 0x47:
        return VideoInfo("mpeg_ts")
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return VideoInfo("gif")
    raise MediaFormatError("unsupported video container")


class CorruptVideoError(MediaFormatError):
    """A known container whose structure is broken."""


def _iso_bmff_boxes(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, payload_start, payload_end) of each box in data[start:end]; strict on sizes."""
    boxes = []
    pos = start
    while pos < end:
        if pos + 8 > end:
            raise CorruptVideoError("truncated box header")
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:  # 64-bit size follows the type
            if pos + 16 > end:
                raise CorruptVideoError("truncated large box header")
            (size,) = struct.unpack(">Q", data[pos + 8 : pos + 16])
            header = 16
        elif size == 0:  # box runs to the end of the file
            size = end - pos
        if size < header or pos + size > end:
            raise CorruptVideoError(f"box {kind!r} overruns the file")
        boxes.append((kind, pos + header, pos + size))
        pos += size
    return boxes


def _iso_bmff_info(data: bytes) -> VideoInfo:
    top = _iso_bmff_boxes(data, 0, len(data))
    ftyp = next(b for b in top if b[0] == b"ftyp")
    brand = data[ftyp[1] : ftyp[1] + 4]
    container = "mov" if brand in _ISO_BMFF_QT_BRANDS else "mp4"
    moov = next((b for b in top if b[0] == b"moov"), None)
    if moov is None:
        raise CorruptVideoError("no moov box: the file has no playable movie")
    duration = None
    width = height = None
    for kind, start, end in _iso_bmff_boxes(data, moov[1], moov[2]):
        if kind == b"mvhd":
            duration = _mvhd_duration(data[start:end])
        elif kind == b"trak" and width is None:
            for sub_kind, s_start, s_end in _iso_bmff_boxes(data, start, end):
                if sub_kind == b"tkhd":
                    width, height = _tkhd_size(data[s_start:s_end])
    return VideoInfo(container, duration, width or None, height or None)


def _mvhd_duration(payload: bytes) -> float | None:
    if not payload:
        return None
    version = payload[0]
    try:
        if version == 1:
            timescale, duration = struct.unpack(">IQ", payload[20:32])
        else:
            timescale, duration = struct.unpack(">II", payload[12:20])
    except struct.error as exc:
        raise CorruptVideoError("truncated mvhd") from exc
    if timescale == 0:
        raise CorruptVideoError("mvhd timescale is zero")
    return duration / timescale


def _tkhd_size(payload: bytes) -> tuple[int, int]:
    # Width and height are the last 8 bytes, 16.16 fixed point.
    if len(payload) < 84:
        return 0, 0
    width, height = struct.unpack(">II", payload[-8:])
    return width >> 16, height >> 16


# ---------------------------------------------------------------------------------------------
# Builders for well-formed test files (used by the demo seeder and by tests).


def build_png(width: int, height: int, rgb: tuple[int, int, int] = (24, 119, 242)) -> bytes:
    """A valid, decodable PNG of one solid colour (thumbnails the simulator serves, tests)."""
    import zlib

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + bytes(rgb) * width  # filter type 0, then RGB pixels
    idat = zlib.compress(row * height, 9)

    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    return PNG_SIGNATURE + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def build_mp4(
    *, duration_seconds: float = 10.0, width: int = 1280, height: int = 720, padding: int = 4096
) -> bytes:
    """A structurally valid ISO-BMFF file: ftyp, moov(mvhd, trak(tkhd)), mdat of `padding` bytes."""

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", 8 + len(payload)) + kind + payload

    timescale = 1000
    mvhd = bytes(4) + struct.pack(">III", 0, 0, timescale)
    mvhd += struct.pack(">I", int(duration_seconds * timescale)) + bytes(80)
    tkhd = bytes(76) + struct.pack(">II", width << 16, height << 16)
    moov = box(b"moov", box(b"mvhd", mvhd) + box(b"trak", box(b"tkhd", tkhd)))
    ftyp = box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2avc1mp41")
    mdat = box(b"mdat", bytes((i * 31) % 251 for i in range(padding)))
    return ftyp + moov + mdat
