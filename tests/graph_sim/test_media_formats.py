"""Image-size reading and video sniffing behind /adimages and /advideos (no server needed)."""

import struct
import zlib

import pytest

from graph_sim.media.formats import (
    CorruptVideoError,
    MediaFormatError,
    build_mp4,
    build_png,
    fit_within,
    image_info,
    video_info,
)


def _jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def test_png_size_is_read_from_ihdr():
    # creatives-and-media.md §1.1: the response carries the image's real width and height.
    info = image_info(build_png(1200, 628))
    assert (info.format, info.width, info.height) == ("png", 1200, 628)


def test_png_built_by_helper_has_valid_chunk_crcs():
    data = build_png(3, 2)
    length = struct.unpack(">I", data[8:12])[0]
    chunk = data[12 : 16 + length]
    assert struct.unpack(">I", data[16 + length : 20 + length])[0] == zlib.crc32(chunk)


def test_jpeg_size_is_read_from_the_frame_header_after_app_segments():
    info = image_info(_jpeg(640, 480))
    assert (info.format, info.width, info.height) == ("jpeg", 640, 480)


def test_gif_and_bmp_sizes_are_read():
    gif = b"GIF89a" + struct.pack("<HH", 20, 10) + bytes(10)
    bmp = b"BM" + bytes(12) + struct.pack("<Iii", 40, 30, -15) + bytes(30)
    assert (image_info(gif).width, image_info(gif).height) == (20, 10)
    # A negative BMP height is a top-down bitmap, not a negative size.
    assert (image_info(bmp).width, image_info(bmp).height) == (30, 15)


def test_non_image_bytes_are_refused():
    with pytest.raises(MediaFormatError):
        image_info(b"hello, not an image")


def test_jpeg_without_frame_header_is_refused():
    with pytest.raises(MediaFormatError):
        image_info(b"\xff\xd8\xff\xd9")


def test_fit_within_matches_the_documented_url_256_example():
    # creatives-and-media.md §1.1: 1200x628 → url_256_width "256", url_256_height "134".
    assert fit_within(1200, 628, 256) == (256, 134)
    assert fit_within(628, 1200, 256) == (134, 256)
    assert fit_within(100, 50, 256) == (100, 50)


def test_mp4_duration_and_size_come_from_mvhd_and_tkhd():
    info = video_info(build_mp4(duration_seconds=12.5, width=1080, height=1920))
    assert info.container == "mp4"
    assert info.duration_seconds == pytest.approx(12.5)
    assert (info.width, info.height) == (1080, 1920)


def test_mp4_without_moov_is_corrupt_not_unsupported():
    # creatives-and-media.md §6.2 item 13: corrupt → 351, unsupported container → 352.
    ftyp = struct.pack(">I", 16) + b"ftypisom" + bytes(4)
    with pytest.raises(CorruptVideoError):
        video_info(ftyp + bytes(100))


def test_truncated_mp4_box_is_corrupt():
    data = build_mp4()
    with pytest.raises(CorruptVideoError):
        video_info(data[:-10])


def test_unknown_container_is_unsupported():
    with pytest.raises(MediaFormatError) as info:
        video_info(b"just some text that is not a video" * 10)
    assert not isinstance(info.value, CorruptVideoError)


def test_other_documented_containers_are_recognised():
    assert video_info(b"RIFF\x00\x00\x00\x00AVI LIST").container == "avi"
    assert video_info(b"\x1a\x45\xdf\xa3" + bytes(20)).container == "mkv"
    assert video_info(b"FLV\x01" + bytes(20)).container == "flv"
