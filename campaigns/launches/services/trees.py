"""Writing many draft campaigns with their ad sets, creatives and ads at once: a few bulk
inserts per kind (not one query per object), version rows included. Callers hold the
transaction and have checked the builder's rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from campaigns.models import (
    Ad,
    AdAccount,
    AdCreative,
    AdSet,
    Campaign,
    ConfiguredStatus,
    ObjectVersion,
    PublishState,
)

BATCH = 500


@dataclass
class NewAdSet:
    values: dict[str, Any]
    ads: list[tuple[dict[str, Any], int]] = field(default_factory=list)  # (values, creative #)


@dataclass
class NewCampaign:
    values: dict[str, Any]
    creatives: list[dict[str, Any]] = field(default_factory=list)
    adsets: list[NewAdSet] = field(default_factory=list)


def trees_create(*, ad_account: AdAccount, trees: list[NewCampaign], actor, source: str,
                 campaign_diff: dict | None = None) -> list[Campaign]:
    common = {"agency_id": ad_account.agency_id, "ad_account_id": ad_account.pk,
              "created_by": actor if getattr(actor, "is_authenticated", False) else None}
    campaigns = Campaign.objects.bulk_create([
        Campaign(status=ConfiguredStatus.ACTIVE, publish_state=PublishState.DRAFT, **common,
                 **tree.values) for tree in trees], batch_size=BATCH)
    creatives, adsets = [], []
    for campaign, tree in zip(campaigns, trees, strict=True):
        creatives.extend(AdCreative(campaign_id=campaign.pk, status=ConfiguredStatus.ACTIVE,
                                    **common, **values) for values in tree.creatives)
        adsets.extend(AdSet(campaign_id=campaign.pk, status=ConfiguredStatus.ACTIVE, **common,
                            **new.values) for new in tree.adsets)
    creatives = AdCreative.objects.bulk_create(creatives, batch_size=BATCH)
    adsets = AdSet.objects.bulk_create(adsets, batch_size=BATCH)
    ads = []
    creative_at, adset_at = 0, 0
    for tree in trees:
        own = creatives[creative_at:creative_at + len(tree.creatives)]
        creative_at += len(tree.creatives)
        for new in tree.adsets:
            adset = adsets[adset_at]
            adset_at += 1
            ads.extend(Ad(adset_id=adset.pk, creative_id=own[index].pk,
                          status=ConfiguredStatus.PAUSED, **common,
                          **{"desired_status": ConfiguredStatus.ACTIVE, **values})
                       for values, index in new.ads)
    ads = Ad.objects.bulk_create(ads, batch_size=BATCH)
    for kind, objects, extra in (("campaign", campaigns, campaign_diff), ("adset", adsets, None),
                                 ("creative", creatives, None), ("ad", ads, None)):
        _versions(objects, kind, common["created_by"], source, extra)
    return campaigns


def _versions(objects, kind: str, actor, source: str, extra: dict | None) -> None:
    ObjectVersion.objects.bulk_create([
        ObjectVersion(agency_id=o.agency_id, object_kind=kind, object_id=o.pk,
                      actor=actor, source=source,
                      diff={"created": [None, o.name], **(extra or {})})
        for o in objects], batch_size=BATCH)
