"""Factories of reporting objects: ad accounts bound to the simulator's seeded accounts."""

from __future__ import annotations

import datetime

import factory

from campaigns.models import AdAccount
from reporting.models import InsightRow, InsightsRefresh, Level, ScheduledReport
from tests.factories.accounts import MetaConnectionFactory
from tests.factories.agency import ClientFactory, UnscopedFactory


class ReportingAdAccountFactory(UnscopedFactory):
    class Meta:
        model = AdAccount

    agency = factory.LazyAttribute(lambda o: o.client.agency)
    client = factory.SubFactory(ClientFactory)
    connection = factory.LazyAttribute(lambda o: MetaConnectionFactory(agency=o.agency))
    account_id = factory.Sequence(lambda n: f"90000{n:06d}")
    name = factory.Sequence(lambda n: f"Ad account {n}")
    currency = "USD"
    timezone_name = "America/Los_Angeles"


class InsightsRefreshFactory(UnscopedFactory):
    class Meta:
        model = InsightsRefresh

    ad_account = factory.SubFactory(ReportingAdAccountFactory)
    agency = factory.LazyAttribute(lambda o: o.ad_account.agency)


class ScheduledReportFactory(UnscopedFactory):
    class Meta:
        model = ScheduledReport

    client = factory.SubFactory(ClientFactory)
    agency = factory.LazyAttribute(lambda o: o.client.agency)
    recipients = ["boss@client.example"]


def sim_ad_account(*, graph, client, currency: str = "USD", token: str | None = None):
    """An AdAccount of `client` for the simulator's seeded account in `currency`, reached
    through a connection holding a real simulator token."""
    sim = graph.sim
    act = sim.world.demo["ad_account_by_currency"][currency]
    account = sim.world.ad_account(act.removeprefix("act_"))
    token = token or sim.mint_token().value
    connection = MetaConnectionFactory(agency=client.agency, token=token)
    return ReportingAdAccountFactory(
        client=client, agency=client.agency, connection=connection,
        account_id=account.account_id, name=account.name, currency=account.currency,
        timezone_name=account.timezone_name,
    )


class InsightRowFactory(UnscopedFactory):
    """A campaign's daily row (yesterday), enough for the pages to know the campaign."""

    class Meta:
        model = InsightRow

    ad_account = factory.SubFactory(ReportingAdAccountFactory)
    agency = factory.LazyAttribute(lambda o: o.ad_account.agency)
    level = Level.CAMPAIGN
    object_id = factory.Sequence(lambda n: f"12000{n:08d}")
    campaign_id = factory.LazyAttribute(lambda o: o.object_id)
    campaign_name = factory.Sequence(lambda n: f"Campaign {n}")
    date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=1))
    currency = "USD"
    spend_minor = 12345
    impressions = 1000
    clicks = 20
