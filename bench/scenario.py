"""The agency the page benchmarks read: an owner, a client, an ad account with a year of insight
rows for `ads` ads (bench.reports_data), the range reach of the default date range stored (so the
pages never wait on Graph), and a draft campaign for the builder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass
class ReportsWorld:
    owner: object
    rows: int
    pages: dict[str, str]  # name -> path
    api: dict[str, str]
    builder: str


def reports_world(*, ads: int, days: int, database_url: str) -> ReportsWorld:
    from agency.roles import Role
    from agency.tenancy import agency_scope
    from bench.reports_data import campaign_graph_id, insights_seed
    from campaigns.services.drafts import campaign_draft_create
    from reporting.models import InsightReach, Level
    from reporting.ranges import range_from_params
    from reporting.services.reach import ALL_MARK
    from reporting.services.refresh import account_today
    from tests.factories.agency import AgencyFactory, ClientFactory, MembershipFactory
    from tests.factories.campaigns import AdAccountFactory

    agency = AgencyFactory(name="Bench Agency", slug="bench")
    owner = MembershipFactory(agency=agency, role=Role.OWNER)
    client = ClientFactory(agency=agency, name="Bench Client")
    account = AdAccountFactory(agency=agency, client=client, name="Bench account")
    today = account_today(ad_account=account)
    rows = insights_seed(account=account, ads=ads, days=days, until=today - timedelta(days=1),
                         database_url=database_url)
    date_range, _ = range_from_params({}, today=today)
    campaigns = max(1, (ads + 99) // 100)
    with agency_scope(agency):
        reach = [InsightReach(agency_id=agency.pk, ad_account=account, level=level,
                              object_id=ALL_MARK, since=date_range.since,
                              until=date_range.until) for level in Level.values]
        reach.append(InsightReach(agency_id=agency.pk, ad_account=account, level=Level.ACCOUNT,
                                  object_id=account.account_id, since=date_range.since,
                                  until=date_range.until, reach=123456, frequency=1.8))
        reach += [InsightReach(agency_id=agency.pk, ad_account=account, level=Level.CAMPAIGN,
                               object_id=campaign_graph_id(c), since=date_range.since,
                               until=date_range.until, reach=23456 + c, frequency=1.6)
                  for c in range(campaigns)]
        InsightReach.objects.bulk_create(reach)
        draft = campaign_draft_create(ad_account=account, actor=owner.user, name="Spring sale")
    return ReportsWorld(
        owner=owner, rows=rows,
        pages={
            "reports home": "/reports/",
            "client dashboard": f"/reports/clients/{client.pk}/",
            "account dashboard": f"/reports/accounts/{account.pk}/",
            "campaign dashboard":
                f"/reports/accounts/{account.pk}/campaigns/{campaign_graph_id(0)}/",
        },
        api={
            "api insights (campaign)": "/api/v1/insights/?level=campaign&page_size=100",
            "api insights (ad, 1000)": "/api/v1/insights/?level=ad&page_size=1000",
        },
        builder=f"/campaigns/{draft.pk}/",
    )


def queries_per_page(*, user, paths: dict[str, str]) -> dict[str, tuple[int, int, float]]:
    """name -> (status, SQL queries, milliseconds) of one signed-in request each, alone,
    through Django's test client in this process (the same database the server reads)."""
    import time

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    out = {}
    for name, path in paths.items():
        client.get(path)  # warm: first-request work (reach lookups, caches) is not the page's
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        out[name] = (response.status_code, len(captured.captured_queries),
                     (time.perf_counter() - started) * 1000)
    return out
