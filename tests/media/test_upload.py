"""Uploading to the media library: content sniffed (never the name), Meta's limits, stored once
per content, and nothing left behind when a file is refused."""

from __future__ import annotations

import io
import struct

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from PIL import Image

from agency.models import AuditEvent
from campaigns.media.models import MediaAsset, MediaKind
from campaigns.media.services import media_upload
from campaigns.media.validation import MediaRefusedError
from graph_sim.media.formats import build_mp4, build_png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def jpeg(width=40, height=30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 10, 10)).save(out, format="JPEG")
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (12, 7)).save(out, format="GIF")
    return out.getvalue()


def mov(**kw) -> bytes:
    """A QuickTime file: build_mp4's structure with the `qt  ` brand."""
    data = bytearray(build_mp4(**kw))
    data[8:12] = b"qt  "
    return bytes(data)


def test_png_renamed_jpg_is_accepted_as_png(scoped, client_a, owner, media_root):
    asset = media_upload(client=client_a, actor=owner.user,
                         file=upload("photo.jpg", build_png(120, 80), "image/jpeg"))

    assert asset.kind == MediaKind.IMAGE and asset.mime_type == "image/png"
    assert (asset.width, asset.height) == (120, 80)
    assert asset.file.name.endswith(".png")
    assert asset.name == "photo.jpg"
    assert [p.read_bytes() for p in stored_files(media_root)] == [build_png(120, 80)]
    assert AuditEvent.objects.unscoped().filter(verb="media.upload").count() == 1


def test_jpeg_and_gif_are_read_for_their_pixel_size(scoped, client_a, owner):
    photo = media_upload(client=client_a, actor=owner.user, file=upload("a.jpeg", jpeg()))
    animation = media_upload(client=client_a, actor=owner.user, file=upload("b.gif", gif()))

    assert (photo.mime_type, photo.width, photo.height) == ("image/jpeg", 40, 30)
    assert (animation.mime_type, animation.width, animation.height) == ("image/gif", 12, 7)


def test_text_file_named_png_is_refused_and_nothing_is_stored(scoped, client_a, owner,
                                                              media_root):
    with pytest.raises(MediaRefusedError) as refused:
        media_upload(client=client_a, actor=owner.user,
                     file=upload("logo.png", b"just some text, not an image\n" * 50, "image/png"))

    assert refused.value.field == "file"
    assert "content decides, not its name" in refused.value.message
    assert not MediaAsset.objects.exists()
    assert stored_files(media_root) == []


def test_damaged_png_is_refused(scoped, client_a, owner, media_root):
    damaged = build_png(50, 50)[:40] + b"\x00" * 200
    with pytest.raises(MediaRefusedError, match="damaged"):
        media_upload(client=client_a, actor=owner.user, file=upload("x.png", damaged))
    assert stored_files(media_root) == [] and not MediaAsset.objects.exists()


def test_image_above_metas_8_mb_is_refused_before_anything_is_stored(scoped, client_a, owner,
                                                                    media_root):
    big = build_png(10, 10) + b"\x00" * (8 * 1024 * 1024)
    with pytest.raises(MediaRefusedError, match=r"up to 8\.0 MB"):
        media_upload(client=client_a, actor=owner.user, file=upload("big.png", big))
    assert stored_files(media_root) == [] and not MediaAsset.objects.exists()


def test_image_with_too_many_pixels_is_refused(scoped, client_a, owner, media_root):
    # A PNG header announcing 20000 x 20000 pixels (400 megapixels) is refused from its header.
    huge = build_png(1, 1)
    huge = huge[:16] + struct.pack(">II", 20000, 20000) + huge[24:]
    with pytest.raises(MediaRefusedError):
        media_upload(client=client_a, actor=owner.user, file=upload("huge.png", huge))
    assert stored_files(media_root) == []


def test_same_bytes_uploaded_twice_are_stored_once(scoped, client_a, owner, media_root):
    first = media_upload(client=client_a, actor=owner.user,
                         file=upload("a.png", build_png(30, 30)))
    second = media_upload(client=client_a, actor=owner.user,
                          file=upload("copy of a.png", build_png(30, 30)))

    assert second.pk == first.pk and second.deduplicated and not first.deduplicated
    assert MediaAsset.objects.count() == 1
    assert len(stored_files(media_root)) == 1


def test_same_bytes_for_another_client_are_that_clients_own(scoped, agency, client_a, owner):
    from tests.factories.agency import ClientFactory

    other = ClientFactory(agency=agency, name="Other Co")
    media_upload(client=client_a, actor=owner.user, file=upload("a.png", build_png(30, 30)))
    theirs = media_upload(client=other, actor=owner.user, file=upload("a.png", build_png(30, 30)))
    assert not theirs.deduplicated and theirs.client == other


def test_mp4_is_read_for_duration_and_size(scoped, client_a, owner):
    asset = media_upload(client=client_a, actor=owner.user,
                         file=upload("clip.bin", build_mp4(duration_seconds=12.5, width=1280,
                                                           height=720)))
    assert (asset.kind, asset.mime_type) == (MediaKind.VIDEO, "video/mp4")
    assert (asset.width, asset.height, asset.duration_seconds) == (1280, 720, 12.5)
    assert asset.file.name.endswith(".mp4")


def test_mov_is_accepted_as_quicktime(scoped, client_a, owner):
    asset = media_upload(client=client_a, actor=owner.user, file=upload("clip.mp4", mov()))
    assert asset.mime_type == "video/quicktime" and asset.file.name.endswith(".mov")


def test_large_video_streams_from_its_temporary_file(scoped, client_a, owner, media_root):
    data = build_mp4(padding=3 * 1024 * 1024)
    temporary = TemporaryUploadedFile("big.mp4", "video/mp4", len(data), None)
    temporary.write(data)
    temporary.seek(0)

    asset = media_upload(client=client_a, actor=owner.user, file=temporary)

    temporary.close()  # what Django does at the end of a request (the file was moved)
    assert asset.size_bytes == len(data)
    assert stored_files(media_root)[0].read_bytes() == data


def test_video_above_the_limit_is_refused(scoped, client_a, owner, settings, media_root):
    settings.MEDIA_VIDEO_MAX_BYTES = 3000
    with pytest.raises(MediaRefusedError, match="Meta accepts videos up to"):
        media_upload(client=client_a, actor=owner.user, file=upload("v.mp4", build_mp4()))
    assert stored_files(media_root) == []


@pytest.mark.parametrize("brand", [b"heic", b"M4A ", b"3gp4"])
def test_iso_media_that_is_not_mp4_or_mov_is_refused(scoped, client_a, owner, brand):
    data = bytearray(build_mp4())
    data[8:12] = brand
    with pytest.raises(MediaRefusedError, match="not an MP4 or MOV"):
        media_upload(client=client_a, actor=owner.user, file=upload("v.mp4", bytes(data)))


def test_video_without_a_picture_track_is_refused(scoped, client_a, owner):
    with pytest.raises(MediaRefusedError, match="no picture"):
        media_upload(client=client_a, actor=owner.user,
                     file=upload("audio.mp4", build_mp4(width=0, height=0)))


def test_truncated_video_is_refused_as_damaged(scoped, client_a, owner, media_root):
    with pytest.raises(MediaRefusedError, match="damaged"):
        media_upload(client=client_a, actor=owner.user,
                     file=upload("cut.mp4", build_mp4(padding=5000)[:-100]))
    assert stored_files(media_root) == []


def test_empty_file_is_refused(scoped, client_a, owner):
    with pytest.raises(MediaRefusedError, match="empty"):
        media_upload(client=client_a, actor=owner.user, file=upload("e.png", b""))
