"""The media library's pages and API: uploads from the browser form and multipart API, the
refusal shown on the field with nothing stored, states per ad account, retry, and who may see it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agency.models import AuditEvent
from campaigns.media.models import AccountMedia, AccountMediaState, MediaAsset
from graph_sim.media.formats import build_mp4, build_png
from tests.conftest import login
from tests.factories.media import AccountMediaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _files(root):
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_upload_from_the_page_stores_the_file_and_starts_a_push(
        owner_client, client_a, ad_accounts, django_capture_on_commit_callbacks):
    url = reverse("media:library", args=[client_a.pk])
    with django_capture_on_commit_callbacks() as enqueued:
        response = owner_client.post(url, {"file": SimpleUploadedFile("banner.png",
                                                                      build_png(60, 40))})
    assert response.status_code == 302 and response["Location"] == url
    asset = MediaAsset.objects.unscoped().get()
    assert asset.client == client_a and asset.mime_type == "image/png"
    assert AccountMedia.objects.unscoped().filter(asset=asset).count() == 2
    assert len(enqueued) == 1  # one media.push job sent to the worker on commit

    page = owner_client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "banner.png" in body and "60\u00d740 px" in body
    assert body.count('data-testid="media-copy"') == 2 and "hx-get" in body  # polls while busy
    assert "<script>" not in body
    img_src = next(d for d in page["Content-Security-Policy"].split(";") if "img-src" in d)
    assert "https://*.fbcdn.net" in img_src and " * " not in f"{img_src} "  # Meta's thumbnails


def test_refused_upload_shows_the_reason_on_the_field_and_stores_nothing(
        owner_client, client_a, media_root):
    response = owner_client.post(reverse("media:library", args=[client_a.pk]),
                                 {"file": SimpleUploadedFile("notes.png", b"plain text " * 30)})
    assert response.status_code == 400
    assert "not an image or a video" in response.content.decode()
    assert 'class="field-error"' in response.content.decode()
    assert not MediaAsset.objects.unscoped().exists() and _files(media_root) == []


def test_grid_shows_failure_reason_and_retry_starts_again(owner_client, owner, client_a):
    copy = AccountMediaFactory(agency=owner.agency, asset__client=client_a,
                               ad_account__client=client_a, state=AccountMediaState.FAILED,
                               error="Video Too Small: The video file is too small.")
    grid = owner_client.get(reverse("media:grid", args=[client_a.pk])).content.decode()
    assert "Video Too Small: The video file is too small." in grid and "Retry" in grid

    response = owner_client.post(reverse("media:retry", args=[copy.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    copy.refresh_from_db()
    assert copy.state == AccountMediaState.PENDING and copy.job_id and copy.error == ""


def test_file_is_served_to_the_agency_only_with_its_sniffed_type(owner_client, owner, client_a):
    copy = AccountMediaFactory(agency=owner.agency, asset__client=client_a,
                               ad_account__client=client_a)
    response = owner_client.get(reverse("media:file", args=[copy.asset.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_analyst_sees_the_library_but_cannot_upload(client, analyst, client_a):
    login(client, analyst)
    url = reverse("media:library", args=[client_a.pk])
    page = client.get(url)
    assert page.status_code == 200 and "data-media-upload" not in page.content.decode()
    refused = client.post(url, {"file": SimpleUploadedFile("a.png", build_png(5, 5))})
    assert refused.status_code == 403 and not MediaAsset.objects.unscoped().exists()


def test_client_viewer_has_no_access_to_the_library(client, client_viewer, client_a):
    login(client, client_viewer)
    assert client.get(reverse("media:library", args=[client_a.pk])).status_code == 403
    assert client.get(reverse("api:media-list", args=[client_a.pk])).status_code == 403


def test_api_upload_lists_detail_and_push(owner_client, client_a, ad_accounts,
                                          django_capture_on_commit_callbacks):
    url = reverse("api:media-list", args=[client_a.pk])
    video = build_mp4(duration_seconds=7)
    with django_capture_on_commit_callbacks():
        created = owner_client.post(url, {"file": SimpleUploadedFile("clip.mov", video),
                                          "name": "Launch clip"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["mime_type"] == "video/mp4" and body["name"] == "Launch clip"
    assert body["duration_seconds"] == 7 and not body["deduplicated"]
    assert {c["state"] for c in body["copies"]} == {"pending"} and len(body["jobs"]) == 1

    again = owner_client.post(url, {"file": SimpleUploadedFile("again.mp4", video)})
    assert again.status_code == 200 and again.json()["deduplicated"]
    assert again.json()["id"] == body["id"]

    assert [a["id"] for a in owner_client.get(url).json()] == [body["id"]]
    detail = owner_client.get(reverse("api:media-detail", args=[body["id"]])).json()
    assert {c["act_id"] for c in detail["copies"]} == {a.act_id for a in ad_accounts}

    pushed = owner_client.post(reverse("api:media-push", args=[body["id"]]), {},
                               content_type="application/json")
    assert pushed.status_code == 202
    assert [j["id"] for j in pushed.json()["jobs"]] == [j["id"] for j in body["jobs"]]
    assert AuditEvent.objects.unscoped().filter(verb="media.upload").count() == 1


def test_api_refusal_uses_the_one_error_shape(owner_client, client_a):
    response = owner_client.post(reverse("api:media-list", args=[client_a.pk]),
                                 {"file": SimpleUploadedFile("x.gif", b"GIF89a\x00")})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "media_refused" and body["extra"]["field"] == "file"


def test_api_push_refuses_another_clients_account(owner_client, owner, client_a):
    from tests.factories.media import AdAccountFactory

    copy = AccountMediaFactory(agency=owner.agency, asset__client=client_a,
                               ad_account__client=client_a)
    stranger = AdAccountFactory(agency=owner.agency)
    response = owner_client.post(reverse("api:media-push", args=[copy.asset.pk]),
                                 {"ad_account_ids": [stranger.pk]},
                                 content_type="application/json")
    assert response.status_code == 400 and response.json()["extra"]["field"] == "ad_account_ids"
