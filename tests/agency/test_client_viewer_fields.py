"""A client viewer sees its client's public fields only: never the agency's internal notes, in
pages or in the API; staff still see them."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

NOTES = "Internal: margin is thin, push the upsell before renewal"


@pytest.fixture
def noted_client(client_a):
    type(client_a).objects.unscoped().filter(pk=client_a.pk).update(notes=NOTES)
    client_a.refresh_from_db()
    return client_a


def test_client_viewer_api_shows_public_fields_only(client, client_viewer, noted_client):
    client.force_login(client_viewer.user)
    listing = client.get(reverse("api:client-list"))
    detail = client.get(reverse("api:client-detail", args=[noted_client.pk]))
    assert listing.status_code == detail.status_code == 200
    assert listing.json() == [{"id": noted_client.pk, "name": noted_client.name,
                               "website": noted_client.website}]
    assert set(detail.json()) == {"id", "name", "website"}
    assert NOTES not in listing.content.decode() + detail.content.decode()


def test_staff_api_still_shows_the_notes(owner_client, noted_client):
    detail = owner_client.get(reverse("api:client-detail", args=[noted_client.pk])).json()
    assert detail["notes"] == NOTES and "created_at" in detail


def test_client_viewer_pages_never_show_the_notes(client, client_viewer, noted_client):
    client.force_login(client_viewer.user)
    urls = [reverse("home"), reverse("reporting:home"),
            reverse("reporting:client", args=[noted_client.pk]),
            reverse("agency:client-detail", args=[noted_client.pk])]
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code in {200, 403, 404}, url
        assert NOTES not in response.content.decode(), url
