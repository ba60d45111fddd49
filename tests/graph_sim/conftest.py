"""Fixtures for simulator tests: one server per session, a fresh Simulator swapped in per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from graph_sim import Simulator
from graph_sim.testing import ServedSimulator, run_simulator

ADS_SCOPES = ("ads_management", "ads_read", "business_management")


@pytest.fixture(scope="session")
def graph_server() -> Iterator[ServedSimulator]:
    with run_simulator(Simulator(seed=0)) as served:
        yield served


@pytest.fixture
def sim(graph_server: ServedSimulator) -> Simulator:
    """A fresh Simulator (seed 0, manual clock) served for this test."""
    graph_server.sim = Simulator(seed=0)
    return graph_server.sim


@pytest.fixture
def graph_url(graph_server: ServedSimulator, sim: Simulator) -> str:
    return graph_server.base_url


@pytest.fixture
def demo(sim: Simulator) -> dict[str, Any]:
    return sim.world.demo


@pytest.fixture
def mint(sim: Simulator) -> Callable[..., str]:
    """mint(scopes=[...], user_id=None, long_lived=True, expires_in=None, system_user=False)."""

    def _mint(scopes: tuple[str, ...] | list[str] = ADS_SCOPES, **kw: Any) -> str:
        return sim.mint_token(kw.pop("user_id", None), scopes, **kw).value

    return _mint


@pytest.fixture
def token(mint: Callable[..., str]) -> str:
    """A valid long-lived token for Dana Demo with ads_management, ads_read, business_management."""
    return mint()


@pytest.fixture
def http(graph_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=graph_url, timeout=10) as client:
        yield client
