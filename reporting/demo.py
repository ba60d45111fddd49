"""Demo insights: the demo agency's clients get the simulator's seeded ad accounts and months of
daily rows, read by the real ingestion code from an in-process simulator (seed 0, the same world
`python -m graph_sim` serves), so the dashboards have something to show on first run.

With `state_path` (what `dev.py run` passes: the file the live simulator keeps its world in),
the seeding starts from that world and writes it back, so the live simulator serves the very
token and accounts stored here and the demo connection works: "Refresh now", syncs and the
builder reach it. Without it, the token dies with the in-process simulator and the connection
is stored disabled."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from agency.crypto import SealedSecret, fingerprint
from agency.graph.client import GraphClient
from agency.models import Agency, Client
from agency.tenancy import agency_scope
from campaigns.models import AdAccount
from reporting.models import InsightRow, InsightsRefresh
from reporting.services import ingest
from reporting.services.reach import reach_presets_refresh
from reporting.services.refresh import account_today, insights_refresh_state

DEMO_CONNECTION = "Demo data (offline Graph simulator)"
# Which simulator account (by currency) each demo client runs.
DEMO_ACCOUNTS = {"Northwind Outfitters": "USD", "Bluebird Coffee": "EUR", "Helios Solar": "GBP"}


def _simulator(state_path: Path | None = None):
    from graph_sim import SimConfig, Simulator
    from graph_sim.insights.endpoint import insights_state
    from graph_sim.persistence import world_load

    # The app the live simulator is started with (dev.py passes the same settings to it), so
    # the world written back is one the app's appsecret_proof is valid for.
    app = {"app_id": settings.META_APP_ID, "app_secret": settings.META_APP_SECRET}
    sim = Simulator(seed=0, config=SimConfig(
        clock_start=time.time(), **{k: v for k, v in app.items() if v}))
    if state_path is not None and world_load(sim, state_path):
        return sim  # a world this seeding (or the live simulator) wrote before
    insights_state(sim.world).report_run_seconds = 1.0
    for currency, budget in (("USD", 9000), ("EUR", 8000), ("GBP", 7000)):
        act = sim.world.demo["ad_account_by_currency"].get(currency)
        if act:
            _sales_campaign(sim, act.removeprefix("act_"), budget)
    return sim


def _sales_campaign(sim, account_id: str, daily_budget: int) -> None:
    """A four-month-old OUTCOME_SALES campaign, so the demo reports show purchases and ROAS
    (the seeded world's sales campaigns are paused or archived)."""
    from graph_sim.objects.model import AdObject

    world = sim.world
    t0 = sim.clock.now() - 130 * 86400

    def put(node_type: str, name: str, **kw):
        obj = AdObject(node_type=node_type, id=world.new_id(15), account_id=account_id,
                       name=name, status="ACTIVE", created_time=t0, updated_time=t0, **kw)
        world.put(obj, node_type)
        return obj

    campaign = put("campaign", "Evergreen Sales", data={"objective": "OUTCOME_SALES"})
    for i, audience in enumerate(("Past buyers", "Lookalike 1%")):
        adset = put("adset", audience, campaign_id=campaign.id, data={
            "daily_budget": daily_budget + 3000 * i, "optimization_goal": "OFFSITE_CONVERSIONS",
            "targeting": {"geo_locations": {"countries": ["US", "GB", "CA"]}}})
        for j in range(2):
            put("ad", f"{audience} · creative {j + 1}", campaign_id=campaign.id,
                adset_id=adset.id)


def demo_insights_seed(*, agency: Agency, days: int = 120,
                       clients: tuple[str, ...] | None = None,
                       state_path: str | Path | None = None) -> int:
    """Give each demo client its simulator ad account and `days` of insights (idempotent:
    accounts that already have rows are left alone). Returns the rows stored. With
    `state_path`, the simulator's world is read from and written back to that file (see the
    module doc), and the demo connection is live."""
    from graph_sim.persistence import world_save
    from graph_sim.testing import run_simulator

    path = Path(state_path) if state_path else None
    sim = _simulator(path)
    with run_simulator(sim) as served:  # 127.0.0.1, a free port, for this seeding only
        stored = _seed(agency=agency, days=days, clients=clients, sim=sim,
                       base_url=served.base_url, live=path is not None)
    if path is not None:
        world_save(sim, path)
    return stored


def _demo_token(sim) -> str:
    """A system-user token of the world (kept in it, so a live simulator knows it)."""
    return (sim.mint_token(system_user=True).value if _supports_system(sim)
            else sim.mint_token().value)


def _seed(*, agency, days, clients, sim, base_url, live: bool = False) -> int:
    from accounts.models import ConnectionKind, ConnectionStatus, MetaConnection

    with agency_scope(agency):
        connection = MetaConnection.objects.filter(label=DEMO_CONNECTION).first()
    token = None
    if live and connection is not None and connection.status == ConnectionStatus.ACTIVE:
        stored_token = connection.access_token.reveal()
        if stored_token in sim.world.tokens:  # the world on disk still knows it
            token = stored_token
    token = token or _demo_token(sim)
    client = GraphClient(access_token=token, app_secret=sim.world.demo["app_secret"],
                         base_url=base_url)
    stored = 0
    previous_sleep = ingest.poll_sleep
    ingest.poll_sleep = sim.clock.advance  # the in-process simulator's clock, never a sleep
    try:
        with agency_scope(agency):
            if connection is None:
                connection = MetaConnection(
                    agency=agency, kind=ConnectionKind.SYSTEM_USER, label=DEMO_CONNECTION,
                    meta_user_name="Demo system user",
                    scopes=["ads_management", "ads_read", "business_management"])
            if live:
                # The live simulator will serve this world, token included.
                status, last_error = ConnectionStatus.ACTIVE, ""
            else:
                # The token belongs to the in-process simulator of this seeding only: nothing
                # should try it on a live simulator (connect Meta to refresh for real).
                status = ConnectionStatus.DISABLED
                last_error = "Demo data read at seeding time; connect Meta to refresh."
            if connection.pk is None or connection.status != status or (
                    connection.token_fingerprint != fingerprint(token)):
                connection.access_token = SealedSecret.seal(token)
                connection.token_fingerprint = fingerprint(token)
                connection.status, connection.last_error = status, last_error
                connection.save()
            for client_name, currency in DEMO_ACCOUNTS.items():
                if clients is not None and client_name not in clients:
                    continue
                demo_client = Client.objects.filter(name=client_name).first()
                act = sim.world.demo["ad_account_by_currency"].get(currency)
                if demo_client is None or act is None:
                    continue
                seeded = sim.world.ad_account(act.removeprefix("act_"))
                account = AdAccount.objects.unscoped().filter(
                    account_id=seeded.account_id).first()
                if account is not None and account.agency_id != agency.pk:
                    continue  # another agency runs it: leave it alone
                if account is None:
                    account = AdAccount.objects.create(
                        agency=agency, account_id=seeded.account_id, name=seeded.name,
                        currency=seeded.currency, timezone_name=seeded.timezone_name,
                        client=demo_client, connection=connection)
                if InsightRow.objects.filter(ad_account=account).exists():
                    continue
                today = account_today(ad_account=account)
                stats = ingest.insights_refresh(
                    ad_account=account, since=today - timedelta(days=days), until=today,
                    client=client, window_days=max(31, days + 1))
                ingest.ad_thumbnails_refresh(client=client, ad_account=account)
                reach_presets_refresh(client=client, ad_account=account, today=today)
                state = insights_refresh_state(ad_account=account)
                InsightsRefresh.objects.filter(pk=state.pk).update(
                    backfill_done=True, backfill_cursor=today - timedelta(days=days),
                    last_refreshed_at=timezone.now(), last_refreshed_until=today)
                stored += stats.rows
    finally:
        ingest.poll_sleep = previous_sleep
        client.close()
    return stored


def _supports_system(sim) -> bool:
    import inspect

    return "system_user" in inspect.signature(sim.mint_token).parameters
