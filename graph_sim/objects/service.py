"""The writes of the objects module in one place: create, update, delete and copy campaigns,
ad sets, creatives and ads.

Each function takes the world, the ad account, the request parameters (as sent: strings, JSON
inside strings) and the simulator time, enforces Graph's rules and returns the JSON body. The
HTTP layer (graph_sim/endpoints/objects.py) only maps requests onto them; other modules (async
request sets, batch) can call them directly. The rules live in campaigns.py, ads.py,
updates.py and copies.py.
"""

from __future__ import annotations

from graph_sim.objects.ads import ad_create, creative_create, creative_fields
from graph_sim.objects.campaigns import adset_create, campaign_create, campaign_fields
from graph_sim.objects.copies import ad_copy, adset_copy, campaign_copy
from graph_sim.objects.updates import object_delete, object_update

__all__ = [
    "ad_copy",
    "ad_create",
    "adset_copy",
    "adset_create",
    "campaign_copy",
    "campaign_create",
    "campaign_fields",
    "creative_create",
    "creative_fields",
    "object_delete",
    "object_update",
]
