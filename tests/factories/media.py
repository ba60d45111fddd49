"""Factories of ad accounts and media-library rows; every chain stays inside one agency."""

from __future__ import annotations

import hashlib

import factory
from django.core.files.base import ContentFile

from campaigns.media.models import AccountMedia, MediaAsset, MediaKind
from graph_sim.media.formats import build_png
from tests.factories.agency import AgencyFactory, ClientFactory, UnscopedFactory
from tests.factories.campaigns import AdAccountFactory


class MediaAssetFactory(UnscopedFactory):
    class Meta:
        model = MediaAsset
        exclude = ["content"]

    agency = factory.SubFactory(AgencyFactory)
    client = factory.SubFactory(ClientFactory, agency=factory.SelfAttribute("..agency"))
    kind = MediaKind.IMAGE
    name = factory.Sequence(lambda n: f"Banner {n}.png")
    content = factory.Sequence(lambda n: build_png(10 + n, 10))
    content_sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    size_bytes = factory.LazyAttribute(lambda o: len(o.content))
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name="upload.png"))
    mime_type = "image/png"
    width = 10
    height = 10


class AccountMediaFactory(UnscopedFactory):
    class Meta:
        model = AccountMedia

    agency = factory.SubFactory(AgencyFactory)
    asset = factory.SubFactory(MediaAssetFactory, agency=factory.SelfAttribute("..agency"))
    ad_account = factory.SubFactory(
        AdAccountFactory, agency=factory.SelfAttribute("..agency"),
        client=factory.SelfAttribute("..asset.client"),
    )
