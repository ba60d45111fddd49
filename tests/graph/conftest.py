"""The `graph` fixture: the Graph simulator on 127.0.0.1 (one server per session, a fresh
Simulator per test), a fake clock whose sleeps advance the simulator's clock, and a factory for
clients bound to a minted token."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from agency.graph import GraphClient, RetryPolicy, Throttle, ThrottlePolicy
from agency.graph.throttle import UsageStore
from graph_sim import Simulator
from graph_sim.testing import ServedSimulator, run_simulator

ADS_SCOPES = ("ads_management", "ads_read", "business_management")


@dataclass
class FakeClock:
    """Time that only moves when something sleeps; sleeps move the simulator's clock too, so
    its rolling rate-limit windows roll on."""

    sim: Simulator
    now: float = 1_800_000_000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            return  # tenacity "sleeps" 0 s when the throttle does the waiting
        self.sleeps.append(seconds)
        self.now += seconds
        self.sim.clock.advance(seconds)

    @property
    def slept(self) -> float:
        return sum(self.sleeps)


@dataclass
class GraphHarness:
    sim: Simulator
    url: str
    clock: FakeClock
    clients: list[GraphClient] = field(default_factory=list)

    @property
    def demo(self) -> dict[str, Any]:
        return self.sim.world.demo

    @property
    def account_id(self) -> str:
        return self.demo["active_ad_account_id"]

    def mint(self, scopes: tuple[str, ...] | list[str] = ADS_SCOPES, **kw: Any) -> str:
        return self.sim.mint_token(kw.pop("user_id", None), scopes, **kw).value

    def throttle(self, store: UsageStore | None = None, **policy: Any) -> Throttle:
        return Throttle(
            store, policy=ThrottlePolicy(**policy), clock=self.clock, sleep=self.clock.sleep
        )

    def client(self, token: str | None = None, **kw: Any) -> GraphClient:
        """A client on the simulator with a fresh token, fake time and fast retries."""
        kw.setdefault("app_secret", self.sim.app.secret)
        kw.setdefault("app_id", self.sim.app.id)
        kw.setdefault("base_url", self.url)
        kw.setdefault("timeout", 5.0)
        kw.setdefault("throttle", self.throttle())
        kw.setdefault("retry", RetryPolicy(max_attempts=5, initial_backoff=0.01, max_backoff=0.1))
        kw.setdefault("sleep", self.clock.sleep)
        client = GraphClient(access_token=token or self.mint(), **kw)
        self.clients.append(client)
        return client

    def campaign_data(self, name: str, **extra: Any) -> dict[str, Any]:
        return {
            "name": name,
            "objective": "OUTCOME_TRAFFIC",
            "special_ad_categories": [],
            "status": "PAUSED",
            **extra,
        }

    def campaigns_named(self, name: str) -> list[Any]:
        return [
            o
            for o in self.sim.world.all("campaign")
            if getattr(o, "name", None) == name and getattr(o, "status", "") != "DELETED"
        ]


@pytest.fixture(scope="session")
def graph_server() -> Iterator[ServedSimulator]:
    with run_simulator(Simulator(seed=0)) as served:
        yield served


@pytest.fixture
def graph(graph_server: ServedSimulator) -> Iterator[GraphHarness]:
    """The simulator, reset for this test (seed 0, manual clock), with client helpers."""
    sim = Simulator(seed=0)
    graph_server.sim = sim
    harness = GraphHarness(sim=sim, url=graph_server.base_url, clock=FakeClock(sim))
    yield harness
    for client in harness.clients:
        client.close()


@pytest.fixture
def redis_store(redis_url: str) -> Iterator[Any]:
    """A Redis usage store under a prefix of its own (tests may run in parallel)."""
    from agency.graph import RedisUsageStore

    prefix = f"test:graph:{uuid.uuid4().hex}:"
    store = RedisUsageStore.from_url(redis_url, prefix=prefix)
    yield store
    keys = list(store.redis.scan_iter(match=prefix + "*"))
    if keys:
        store.redis.delete(*keys)
    store.redis.close()
