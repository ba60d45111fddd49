"""The agency's logo on its clients' reports: uploaded by managers, re-encoded, served to
members of that agency only."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import login

pytestmark = pytest.mark.django_db


def _png(width=600, height=200) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), "#1f6feb").save(out, format="PNG")
    return out.getvalue()


def test_manager_uploads_a_logo_that_the_client_viewer_sees(client, manager, client_viewer,
                                                           client_a):
    login(client, manager)
    url = reverse("reporting:branding")
    upload = SimpleUploadedFile("logo.png", _png(), content_type="image/png")
    assert client.post(url, {"logo": upload}).status_code == 302
    logo = client.get(reverse("reporting:logo"))
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    from PIL import Image

    assert max(Image.open(io.BytesIO(logo.content)).size) == 400  # resized, re-encoded
    login(client, client_viewer)
    page = client.get(reverse("reporting:client", args=[client_a.pk])).content.decode()
    assert reverse("reporting:logo") in page
    assert client.get(reverse("reporting:logo")).status_code == 200
    assert client.get(url).status_code == 403


def test_a_file_that_is_not_an_image_is_refused(client, manager):
    login(client, manager)
    for name, data in (("x.png", b"<svg onload=alert(1)>"), ("x.gif", b"GIF89a" + b"\0" * 20),
                       ("big.png", b"\x89PNG" + b"0" * (600 * 1024))):
        response = client.post(reverse("reporting:branding"),
                               {"logo": SimpleUploadedFile(name, data)})
        assert response.status_code == 400, name
    assert client.get(reverse("reporting:logo")).status_code == 404


def test_another_agencys_member_never_gets_the_logo(client, manager, other_agency):
    from agency.roles import Role
    from tests.factories.agency import MembershipFactory, UserFactory

    login(client, manager)
    client.post(reverse("reporting:branding"),
                {"logo": SimpleUploadedFile("logo.png", _png(), content_type="image/png")})
    stranger = MembershipFactory(agency=other_agency, role=Role.OWNER, user=UserFactory())
    login(client, stranger)
    assert client.get(reverse("reporting:logo")).status_code == 404
