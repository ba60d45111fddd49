"""Fixtures of the job system's tests: the test job kinds, a connection holding a simulator token
for Dana Demo, and her ad accounts imported with stale details."""

import pytest

import tests.jobs.kinds  # noqa: F401 - registers tests.steps and tests.publish
from tests.factories.accounts import MetaConnectionFactory


@pytest.fixture
def sim_connection(agency, graph):
    token = graph.sim.mint_token()
    return MetaConnectionFactory(agency=agency, token=token.value,
                                 meta_user_id=graph.sim.world.demo["user_id"])


@pytest.fixture
def sim_ad_accounts(agency, client_a, sim_connection, graph):
    """Dana's ad accounts in our database, each with an outdated name ("Old name N")."""
    from campaigns.models import AdAccount

    demo = graph.sim.world.demo
    return [
        AdAccount.objects.unscoped().create(
            agency=agency, client=client_a, connection=sim_connection,
            account_id=act.removeprefix("act_"), name=f"Old name {i}", currency="XXX",
            timezone_name="UTC")
        for i, act in enumerate(demo["ad_account_ids"])
    ]
