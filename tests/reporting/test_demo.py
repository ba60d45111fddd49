"""The demo seeding: with the live simulator's state file it leaves a working connection (the
world it writes back knows the token); without it, the connection is stored disabled."""

from __future__ import annotations

import pytest

from accounts.models import ConnectionStatus, MetaConnection
from accounts.services.graph import graph_for_connection
from agency.demo import demo_seed
from agency.models import Agency
from agency.tenancy import agency_scope
from campaigns.models import AdAccount
from graph_sim.persistence import world_load
from reporting.demo import DEMO_CONNECTION, demo_insights_seed
from reporting.models import InsightRow

pytestmark = pytest.mark.django_db(transaction=True)
NORTHWIND = ("Northwind Outfitters",)


def _demo_connection(agency):
    with agency_scope(agency):
        return MetaConnection.objects.get(label=DEMO_CONNECTION)


def test_seeding_with_the_state_file_leaves_a_connection_the_live_simulator_accepts(
    graph, tmp_path
):
    demo_seed()
    agency = Agency.objects.get(slug="demo-agency")
    state = tmp_path / "graph-sim-state.pickle"

    rows = demo_insights_seed(agency=agency, days=3, clients=NORTHWIND, state_path=state)

    assert rows > 0 and state.exists()
    connection = _demo_connection(agency)
    assert connection.status == ConnectionStatus.ACTIVE
    # The "live" simulator starts on the file the seeding wrote, as `dev.py run` does.
    assert world_load(graph.sim, state)
    with agency_scope(agency):
        account = AdAccount.objects.get(connection=connection)
        with graph_for_connection(connection=connection, purpose="test") as client:
            body = client.get(f"act_{account.account_id}", fields="name,currency")
    assert body["name"] == account.name and body["currency"] == account.currency


def test_seeding_again_keeps_the_token_and_stores_nothing_twice(graph, tmp_path):
    demo_seed()
    agency = Agency.objects.get(slug="demo-agency")
    state = tmp_path / "graph-sim-state.pickle"
    demo_insights_seed(agency=agency, days=3, clients=NORTHWIND, state_path=state)
    first = _demo_connection(agency).token_fingerprint
    with agency_scope(agency):
        count = InsightRow.objects.count()

    assert demo_insights_seed(agency=agency, days=3, clients=NORTHWIND, state_path=state) == 0

    assert _demo_connection(agency).token_fingerprint == first
    with agency_scope(agency):
        assert InsightRow.objects.count() == count


def test_a_lost_state_file_gets_a_fresh_token_the_new_world_knows(graph, tmp_path):
    demo_seed()
    agency = Agency.objects.get(slug="demo-agency")
    demo_insights_seed(agency=agency, days=3, clients=NORTHWIND,
                       state_path=tmp_path / "old.pickle")
    first = _demo_connection(agency).token_fingerprint

    demo_insights_seed(agency=agency, days=3, clients=NORTHWIND,
                       state_path=tmp_path / "new.pickle")

    connection = _demo_connection(agency)
    assert connection.status == ConnectionStatus.ACTIVE
    assert connection.token_fingerprint != first
    assert world_load(graph.sim, tmp_path / "new.pickle")
    assert connection.access_token.reveal() in graph.sim.world.tokens


def test_seeding_without_the_state_file_stores_the_connection_disabled(graph):
    demo_seed()
    agency = Agency.objects.get(slug="demo-agency")

    demo_insights_seed(agency=agency, days=3, clients=NORTHWIND)

    connection = _demo_connection(agency)
    assert connection.status == ConnectionStatus.DISABLED
    assert "connect Meta" in connection.last_error
