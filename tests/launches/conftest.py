"""A valid draft campaign (one ad set, one creative, one ad) of the agency to multiply."""

from __future__ import annotations

import pytest

from tests.factories.campaigns import AdFactory


@pytest.fixture
def draft(agency, client_a):
    ad = AdFactory(adset__campaign__ad_account__agency=agency,
                   adset__campaign__ad_account__client=client_a,
                   adset__campaign__name="Spring", adset__name="Base set",
                   creative__name="Boots")
    return ad.adset.campaign


from tests.campaigns.conftest import demo, sim_account, sim_token  # noqa: E402,F401
