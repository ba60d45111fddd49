"""Turning builder objects into template payloads and back: which fields travel, and how a
targeting splits into its audience and its placements. Shared by templates, variants and CSV."""

from __future__ import annotations

import copy
from typing import Any

from campaigns.models import Ad, AdCreative, AdSet, Campaign
from campaigns.services.drafts import EDITABLE
from campaigns.validation import rules

PLACEMENT_KEYS = ("publisher_platforms", *rules.POSITIONS, "device_platforms")

CAMPAIGN_FIELDS = tuple(f for f in EDITABLE[Campaign] if f != "status")
# Start and end dates are not kept: a template outlives them.
ADSET_FIELDS = tuple(f for f in EDITABLE[AdSet] if f not in ("start_time", "end_time", "status"))
CREATIVE_FIELDS = EDITABLE[AdCreative]
AD_FIELDS = ("name", "tracking_specs", "desired_status")


def audience_of(targeting: dict[str, Any] | None) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in (targeting or {}).items() if k not in PLACEMENT_KEYS}


def placements_of(targeting: dict[str, Any] | None) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in (targeting or {}).items() if k in PLACEMENT_KEYS}


def targeting_join(audience: dict[str, Any], placements: dict[str, Any]) -> dict[str, Any]:
    return {**audience_of(audience), **placements_of(placements)}


def fields_of(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: copy.deepcopy(getattr(obj, f)) for f in fields}


def creative_spec(creative: AdCreative) -> dict[str, Any]:
    return fields_of(creative, CREATIVE_FIELDS)


def campaign_snapshot(campaign: Campaign) -> dict[str, Any]:
    """The tree of a campaign as a template payload (ads point at creatives by index)."""
    from campaigns import selectors

    adsets, creatives, ads = selectors.campaign_children(campaign=campaign)
    index = {c.pk: i for i, c in enumerate(creatives)}
    out_adsets = []
    for adset in adsets:
        if adset.status == "DELETED":
            continue
        row = fields_of(adset, ADSET_FIELDS)
        row["ads"] = [
            {**fields_of(ad, AD_FIELDS), "creative": index.get(ad.creative_id)}
            for ad in ads if ad.adset_id == adset.pk and ad.status != "DELETED"
        ]
        out_adsets.append(row)
    return {"campaign": fields_of(campaign, CAMPAIGN_FIELDS),
            "creatives": [creative_spec(c) for c in creatives], "adsets": out_adsets}


def ad_fields(ad: Ad) -> dict[str, Any]:
    return fields_of(ad, AD_FIELDS)
