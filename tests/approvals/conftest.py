"""Fixtures of the approval tests: the builder's simulator-backed ad account, a ready draft, and
a client that requires approval."""

from __future__ import annotations

import pytest

from campaigns.approvals.services import client_approval_policy_set
from campaigns.services.drafts import campaign_draft_create, draft_update
from tests.campaigns.conftest import demo, sim_account, sim_token  # noqa: F401


def ready_draft(account, actor, demo, name="Spring launch"):  # noqa: F811
    campaign = campaign_draft_create(ad_account=account, actor=actor, name=name)
    draft_update(obj=campaign.creatives.get(), actor=actor, changes={
        "page_id": demo["page_ids"][0],
        "spec": {"message": "Light shoes for spring", "headline": name,
                 "link": "https://shop.example.com/spring", "call_to_action": "SHOP_NOW",
                 "image_hash": demo["image_hashes"][0]},
    })
    return campaign


@pytest.fixture
def draft(scoped, sim_account, demo, manager):  # noqa: F811
    return ready_draft(sim_account, manager.user, demo)


@pytest.fixture
def requires_approval(scoped, client_a, owner):
    return client_approval_policy_set(client=client_a, required=True, membership=owner)
