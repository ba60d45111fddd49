"""Fixtures of the builder tests: an ad account of the agency backed by the simulator's demo
account, and helpers that act on Graph "behind our back" (as Ads Manager would)."""

from __future__ import annotations

import httpx
import pytest

from tests.factories.campaigns import AdAccountFactory


@pytest.fixture
def sim_token(graph):
    return graph.sim.mint_token().value


@pytest.fixture
def demo(graph):
    return graph.sim.world.demo


@pytest.fixture
def sim_account(graph, agency, sim_token, demo, client_a):
    """The agency's ad account = the demo's active USD account, through a live connection."""
    from tests.factories.accounts import MetaConnectionFactory

    connection = MetaConnectionFactory(agency=agency, token=sim_token)
    act = demo["active_ad_account_id"]
    sim = graph.sim.world.ad_account(act)
    return AdAccountFactory(agency=agency, client=client_a, connection=connection,
                            account_id=act.removeprefix("act_"), currency=sim.currency,
                            timezone_name=sim.timezone_name, min_daily_budget_minor=None)


class Behind:
    """Graph calls made outside Adwright (Ads Manager, another tool)."""

    def __init__(self, graph, token):
        self.http = httpx.Client(base_url=f"{graph.base_url}/v25.0",
                                 params={"access_token": token})

    def post(self, path, **data):
        import json

        form = {k: json.dumps(v) if isinstance(v, dict | list) else str(v)
                for k, v in data.items()}
        response = self.http.post(path, data=form)
        assert response.status_code == 200, response.text
        return response.json()

    def delete(self, path):
        response = self.http.delete(path)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def behind(graph, sim_token):
    return Behind(graph, sim_token)


def graph_calls(graph, *, method=None, path=None, in_batch=False):
    return [c for c in graph.sim.calls
            if (method is None or c.method == method)
            and (path is None or c.path == path)
            and bool(getattr(c, "in_batch", False)) == in_batch]
