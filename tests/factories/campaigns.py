"""Factories of ad accounts and their campaign objects; every chain stays in one agency."""

from __future__ import annotations

import factory

from campaigns.models import Ad, AdAccount, AdCreative, AdSet, Campaign
from tests.factories.accounts import MetaConnectionFactory
from tests.factories.agency import AgencyFactory, ClientFactory, UnscopedFactory


class AdAccountFactory(UnscopedFactory):
    class Meta:
        model = AdAccount

    agency = factory.SubFactory(AgencyFactory)
    account_id = factory.Sequence(lambda n: f"9000000{n:05d}")
    name = factory.Sequence(lambda n: f"Ad account {n}")
    currency = "USD"
    timezone_name = "America/Los_Angeles"
    account_status = 1
    client = factory.SubFactory(ClientFactory, agency=factory.SelfAttribute("..agency"))
    connection = factory.SubFactory(MetaConnectionFactory,
                                    agency=factory.SelfAttribute("..agency"))
    min_daily_budget_minor = 100


class CampaignFactory(UnscopedFactory):
    class Meta:
        model = Campaign

    ad_account = factory.SubFactory(AdAccountFactory)
    agency = factory.SelfAttribute("ad_account.agency")
    name = factory.Sequence(lambda n: f"Campaign {n}")
    objective = "OUTCOME_TRAFFIC"
    special_ad_categories = factory.LazyFunction(list)


class AdSetFactory(UnscopedFactory):
    class Meta:
        model = AdSet

    campaign = factory.SubFactory(CampaignFactory)
    ad_account = factory.SelfAttribute("campaign.ad_account")
    agency = factory.SelfAttribute("campaign.agency")
    name = factory.Sequence(lambda n: f"Ad set {n}")
    optimization_goal = "LINK_CLICKS"
    billing_event = "IMPRESSIONS"
    daily_budget_minor = 2000
    targeting = factory.LazyFunction(
        lambda: {"geo_locations": {"countries": ["US"]}, "age_min": 18, "age_max": 65}
    )


class AdCreativeFactory(UnscopedFactory):
    class Meta:
        model = AdCreative

    campaign = factory.SubFactory(CampaignFactory)
    ad_account = factory.SelfAttribute("campaign.ad_account")
    agency = factory.SelfAttribute("campaign.agency")
    name = factory.Sequence(lambda n: f"Creative {n}")
    format = "image"
    page_id = "1"
    spec = factory.LazyFunction(lambda: {
        "message": "Spring is here", "headline": "New shoes", "link": "https://example.com/",
        "call_to_action": "SHOP_NOW", "image_hash": "abc",
    })


class AdFactory(UnscopedFactory):
    class Meta:
        model = Ad

    adset = factory.SubFactory(AdSetFactory)
    ad_account = factory.SelfAttribute("adset.ad_account")
    agency = factory.SelfAttribute("adset.agency")
    creative = factory.SubFactory(AdCreativeFactory,
                                  campaign=factory.SelfAttribute("..adset.campaign"))
    name = factory.Sequence(lambda n: f"Ad {n}")
