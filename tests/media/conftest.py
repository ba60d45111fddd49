"""Fixtures of the media library: a connection on the simulator and the client's ad accounts."""

from __future__ import annotations

import pytest

from graph_sim.media.images import media_settings
from tests.factories.accounts import MetaConnectionFactory
from tests.factories.media import AdAccountFactory

CHUNK = 4096  # the simulator's upload window in these tests: small files give many chunks


@pytest.fixture
def sim_connection(graph, agency):
    return MetaConnectionFactory(agency=agency, token=graph.sim.mint_token().value)


@pytest.fixture
def ad_accounts(graph, agency, client_a, sim_connection):
    """The client's two active ad accounts on the simulator (USD and EUR)."""
    demo = graph.sim.world.demo
    return [
        AdAccountFactory(agency=agency, client=client_a, connection=sim_connection,
                         account_id=demo["ad_account_by_currency"][currency].removeprefix("act_"),
                         name=f"Acme {currency}", currency=currency)
        for currency in ("USD", "EUR")
    ]


@pytest.fixture
def small_chunks(graph):
    media_settings(graph.sim).chunk_size = CHUNK
    return CHUNK


@pytest.fixture
def sim_sleeps(graph, monkeypatch):
    """Waits between processing polls move the simulator's clock instead of the test's time."""
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        graph.sim.clock.advance(seconds)

    monkeypatch.setattr("campaigns.media.services.processing_sleep", sleep)
    return slept
