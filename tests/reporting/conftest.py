"""Reporting fixtures: a client with the simulator's USD ad account, and report runs polled on
the simulator's clock (the poller's sleep moves the clock; nothing sleeps)."""

from __future__ import annotations

from datetime import date, datetime

import httpx
import pytest

from accounts.services.graph import graph_for_connection
from agency.tenancy import agency_scope
from reporting.services import ingest
from tests.factories.reporting import sim_ad_account


@pytest.fixture
def sim_clock(graph, monkeypatch):
    """Report runs walk on the simulator clock: polling advances it instead of sleeping."""
    from graph_sim.insights.endpoint import insights_state

    monkeypatch.setattr(ingest, "poll_sleep", graph.sim.clock.advance)
    insights_state(graph.sim.world).report_run_seconds = 2.0  # two polls per run
    return graph.sim.clock


@pytest.fixture
def usd_account(graph, client_a, sim_clock):
    return sim_ad_account(graph=graph, client=client_a, currency="USD")


@pytest.fixture
def graph_client(usd_account):
    with agency_scope(usd_account.agency_id):
        client = graph_for_connection(connection=usd_account.connection, purpose="test")
    yield client
    client.close()


def sim_today(graph, account) -> date:
    from zoneinfo import ZoneInfo

    now = datetime.fromtimestamp(graph.sim.clock.now(), tz=ZoneInfo(account.timezone_name))
    return now.date()


def sim_get(graph, token_account, path: str, **params):
    """A direct Graph read against the simulator (the reference numbers in assertions)."""
    token = graph.sim.mint_token().value
    response = httpx.get(f"{graph.base_url}/v25.0/{path}",
                         params={**params, "access_token": token})
    response.raise_for_status()
    return response.json()
