"""Building clients from Django settings; the UI's view of an account's call budget."""

from __future__ import annotations

import pytest

from agency.graph import InProcessUsageStore, RedisUsageStore, factory


@pytest.fixture
def graph_settings(settings, graph):
    settings.GRAPH_API_BASE_URL = graph.url
    settings.GRAPH_API_VERSION = "v25.0"
    settings.META_APP_ID = graph.sim.app.id
    settings.META_APP_SECRET = graph.sim.app.secret
    settings.REDIS_URL = ""
    settings.GRAPH_THROTTLE_REDIS_URL = ""
    factory.usage_store.cache_clear()
    yield settings
    factory.usage_store.cache_clear()


def test_factory_client_calls_graph_with_settings_and_records_usage(graph, graph_settings):
    client = factory.graph_client(access_token=graph.mint())
    try:
        client.get(f"{graph.account_id}/campaigns", params={"limit": 1})
    finally:
        client.close()

    assert isinstance(factory.usage_store(), InProcessUsageStore)
    usage = factory.usage_for_account(graph.account_id)
    assert "ads_management" in usage.business_use_cases
    assert graph.sim.calls[-1].version == "v25.0"


def test_factory_uses_redis_store_when_configured(graph_settings, redis_url):
    graph_settings.GRAPH_THROTTLE_REDIS_URL = redis_url
    factory.usage_store.cache_clear()

    assert isinstance(factory.usage_store(), RedisUsageStore)
