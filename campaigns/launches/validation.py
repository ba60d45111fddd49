"""Template payloads checked with the builder's own rules (campaigns.validation). Errors are
keyed like the builder's (`targeting.age_min`, `creatives.1.spec.link`, `adsets.0.ads.2.name`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils import timezone

from campaigns.launches.snapshots import AD_FIELDS, ADSET_FIELDS, CAMPAIGN_FIELDS, PLACEMENT_KEYS
from campaigns.models import Ad, AdCreative, AdSet, Campaign
from campaigns.validation import AccountFacts, Errors, ad_errors, campaign_errors, creative_errors
from campaigns.validation import adset_errors as builder_adset_errors
from campaigns.validation.checks import targeting_errors

PAYLOAD_MAX_BYTES = 200_000
CREATIVES_MAX = 50
ADSETS_MAX = 50
ADS_MAX = 50

_PLACEMENT_ERROR_KEYS = {f"targeting.{k}" for k in PLACEMENT_KEYS}


def _bad_shape(field, value) -> str | None:
    if isinstance(field, models.CharField):
        if not isinstance(value, str) or len(value) > field.max_length:
            return f"Text of at most {field.max_length} characters."
    elif isinstance(field, models.BooleanField):
        if not isinstance(value, bool):
            return "True or false."
    elif isinstance(field, models.BigIntegerField | models.IntegerField) and value is not None \
            and (not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**63):
        return "A whole number greater than zero."
    return None


def shape_errors(model, data: Mapping[str, Any]) -> Errors:
    """Values a row of `model` can hold (type, length), for payloads that did not come through
    the builder's forms: the rules assume those shapes. Keys the builder ignores are skipped."""
    fields = {f.name: f for f in model._meta.concrete_fields}
    errors: Errors = {}
    for key, value in data.items():
        message = _bad_shape(fields[key], value) if key in fields else None
        if message:
            errors[key] = message
    return errors


def _prefixed(prefix: str, errors: Errors) -> Errors:
    return {f"{prefix}{key}": message for key, message in errors.items()}


def audience_errors(targeting: Any) -> Errors:
    if not isinstance(targeting, Mapping):
        return {"targeting": "Targeting is missing."}
    errors = targeting_errors({k: v for k, v in targeting.items() if k not in PLACEMENT_KEYS},
                              set())
    return {k: v for k, v in errors.items() if k not in _PLACEMENT_ERROR_KEYS}


def placements_errors(targeting: Any) -> Errors:
    """Only the placement keys count; an empty set means Advantage+ (automatic) placements."""
    if not isinstance(targeting, Mapping):
        return {"targeting": "Placements are missing."}
    if set(targeting) - set(PLACEMENT_KEYS):
        return {"targeting": "A placement set holds placements only."}
    # The rules need a location to look at placements; the location is not part of the set.
    errors = targeting_errors({**targeting, "geo_locations": {"countries": ["US"]}}, set())
    return {k: v for k, v in errors.items() if k in _PLACEMENT_ERROR_KEYS}


def creatives_errors(creatives: Any) -> Errors:
    if not isinstance(creatives, list) or not creatives:
        return {"creatives": "A creative set holds at least one creative."}
    if len(creatives) > CREATIVES_MAX:
        return {"creatives": f"At most {CREATIVES_MAX} creatives."}
    errors: Errors = {}
    for i, creative in enumerate(creatives):
        if not isinstance(creative, Mapping):
            errors[f"creatives.{i}"] = "Invalid creative."
            continue
        found = shape_errors(AdCreative, creative) or creative_errors(data=creative)
        errors.update(_prefixed(f"creatives.{i}.", found))
    return errors


def campaign_tree_errors(payload: Mapping[str, Any], *, account: AccountFacts) -> Errors:
    """A whole campaign template. Dates are not part of a template, so their rules are left to
    the builder once the template is applied."""
    campaign = payload.get("campaign")
    if not isinstance(campaign, Mapping):
        return {"campaign": "The campaign is missing."}
    found = shape_errors(Campaign, {k: v for k, v in campaign.items() if k in CAMPAIGN_FIELDS})
    errors = _prefixed("campaign.", found or campaign_errors(data=campaign, account=account))
    if found:
        return errors
    creatives = payload.get("creatives") or []
    errors.update(creatives_errors(creatives) if creatives else {})
    adsets = payload.get("adsets")
    if not isinstance(adsets, list) or not adsets:
        errors["adsets"] = "Add at least one ad set."
        return errors
    if len(adsets) > ADSETS_MAX:
        errors["adsets"] = f"At most {ADSETS_MAX} ad sets."
        return errors
    now = timezone.now()
    for i, adset in enumerate(adsets):
        if not isinstance(adset, Mapping):
            errors[f"adsets.{i}"] = "Invalid ad set."
            continue
        found = shape_errors(AdSet, {k: v for k, v in adset.items() if k in ADSET_FIELDS})
        if not found:
            found = builder_adset_errors(data=adset, campaign=campaign, account=account, now=now)
            found.pop("end_time", None)
        errors.update(_prefixed(f"adsets.{i}.", found))
        ads = adset.get("ads")
        if not isinstance(ads, list) or not ads or len(ads) > ADS_MAX:
            errors[f"adsets.{i}.ads"] = f"An ad set holds 1 to {ADS_MAX} ads."
            continue
        for j, ad in enumerate(ads):
            if not isinstance(ad, Mapping):
                errors[f"adsets.{i}.ads.{j}"] = "Invalid ad."
                continue
            index = ad.get("creative")
            known = isinstance(index, int) and not isinstance(index, bool) and \
                0 <= index < len(creatives)
            found = shape_errors(Ad, {k: v for k, v in ad.items() if k in AD_FIELDS}) or \
                ad_errors(data={**ad, "creative": known or None})
            errors.update(_prefixed(f"adsets.{i}.ads.{j}.", found))
    return errors


def payload_size_errors(payload: Any) -> Errors:
    if len(json.dumps(payload, default=str)) > PAYLOAD_MAX_BYTES:
        return {"payload": "This template is too large."}
    return {}
