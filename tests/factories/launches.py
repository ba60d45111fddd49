"""Factories of templates and launch batches; every chain stays in one agency."""

from __future__ import annotations

import factory

from campaigns.launches.models import LaunchBatch, LaunchTemplate
from tests.factories.agency import AgencyFactory, UnscopedFactory
from tests.factories.campaigns import AdAccountFactory


class LaunchTemplateFactory(UnscopedFactory):
    class Meta:
        model = LaunchTemplate

    agency = factory.SubFactory(AgencyFactory)
    kind = "audience"
    name = factory.Sequence(lambda n: f"Audience {n}")
    payload = factory.LazyFunction(lambda: {"targeting": {
        "geo_locations": {"countries": ["US"]}, "age_min": 25, "age_max": 45}})


class LaunchBatchFactory(UnscopedFactory):
    class Meta:
        model = LaunchBatch

    ad_account = factory.SubFactory(AdAccountFactory)
    agency = factory.SelfAttribute("ad_account.agency")
    source = "variants"
    name = factory.Sequence(lambda n: f"Batch {n}")
