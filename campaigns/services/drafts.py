"""Drafts: creating, editing (autosave), duplicating and deleting campaign objects that are not
(yet) on Graph. Edits of published objects go through `campaigns.services.manage`."""

from __future__ import annotations

import copy
from typing import Any

from django.db import transaction

from agency.errors import ServiceError
from agency.services import audit_record
from campaigns.models import (
    Ad,
    AdAccount,
    AdCreative,
    AdSet,
    Campaign,
    ConfiguredStatus,
    PublishState,
)
from campaigns.services.versions import field_diff, object_kind, version_record
from campaigns.validation import rules

# The fields the builder (page or API) may set on each kind of object.
EDITABLE: dict[type, tuple[str, ...]] = {
    Campaign: ("name", "objective", "special_ad_categories", "special_ad_category_country",
               "daily_budget_minor", "lifetime_budget_minor", "bid_strategy", "spend_cap_minor",
               "status", "leave_paused"),
    AdSet: ("name", "optimization_goal", "billing_event", "bid_strategy", "bid_amount_minor",
            "daily_budget_minor", "lifetime_budget_minor", "start_time", "end_time", "targeting",
            "promoted_object", "destination_type", "dsa_beneficiary", "dsa_payor", "status"),
    AdCreative: ("name", "format", "page_id", "instagram_user_id", "spec",
                 "contextual_multi_ads"),
    Ad: ("name", "creative", "tracking_specs", "desired_status"),
}  # fmt: skip


class PublishedObjectError(ServiceError):
    code = "published"
    http_status = 409


def _snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    out = {}
    for field in fields:
        value = getattr(obj, f"{field}_id" if field == "creative" else field)
        out[field] = copy.deepcopy(value)
    return out


def _apply(obj: Any, changes: dict[str, Any]) -> dict[str, Any]:
    fields = EDITABLE[type(obj)]
    unknown = set(changes) - set(fields)
    if unknown:
        raise ServiceError(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    before = _snapshot(obj, fields)
    for key, value in changes.items():
        if key == "creative" and value is not None and (
            value.agency_id != obj.agency_id or value.ad_account_id != obj.ad_account_id
        ):
            raise ServiceError("That creative belongs to another ad account.",
                               field="creative")
        setattr(obj, key, value)
    return field_diff(before, _snapshot(obj, fields))


def draft_update(*, obj: Any, actor, changes: dict[str, Any], source: str = "page") -> Any:
    """Save builder input on a draft (autosave). Invalid input is kept (the checks list it);
    only shapes that cannot be stored are refused by the form or serializer before this."""
    if obj.graph_id:
        raise PublishedObjectError(
            "This object is on Meta already: edit it from the live view.", field="name"
        )
    with transaction.atomic():
        diff = _apply(obj, changes)
        if diff:
            obj.save()
            version_record(obj=obj, actor=actor, source=source, diff=diff)
    return obj


def _default_goal(objective: str) -> str:
    return rules.GOALS_BY_OBJECTIVE.get(objective, ("LINK_CLICKS",))[0]


def campaign_draft_create(
    *, ad_account: AdAccount, actor, name: str, objective: str = "OUTCOME_TRAFFIC",
    source: str = "page", with_children: bool = True,
) -> Campaign:
    """A new draft campaign; with one ad set, creative and ad to fill in by default."""
    with transaction.atomic():
        campaign = Campaign.objects.create(
            agency_id=ad_account.agency_id, ad_account=ad_account, name=name[:400],
            objective=objective, status=ConfiguredStatus.ACTIVE, created_by=actor,
        )
        version_record(obj=campaign, actor=actor, source=source,
                       diff={"created": [None, name[:400]]})
        audit_record(agency=ad_account.agency_id, actor=actor, verb="campaign.draft_create",
                     target=campaign, data={"ad_account": ad_account.account_id})
        if with_children:
            adset = adset_draft_create(campaign=campaign, actor=actor, source=source)
            creative = creative_draft_create(campaign=campaign, actor=actor, source=source)
            ad_draft_create(adset=adset, creative=creative, actor=actor, source=source)
    return campaign


def adset_draft_create(*, campaign: Campaign, actor, name: str = "", source: str = "page"
                       ) -> AdSet:
    count = campaign.adsets.count()
    adset = AdSet.objects.create(
        agency_id=campaign.agency_id, ad_account=campaign.ad_account, campaign=campaign,
        name=name or f"{campaign.name} - ad set {count + 1}"[:400],
        optimization_goal=_default_goal(campaign.objective), billing_event="IMPRESSIONS",
        daily_budget_minor=None if campaign.uses_campaign_budget else max(
            campaign.ad_account.min_daily_budget_minor or rules.DEFAULT_MIN_DAILY_MINOR,
            10 * rules.minor_per_major(campaign.ad_account.currency)),
        targeting={"geo_locations": {"countries": ["US"]}, "age_min": 18, "age_max": 65},
        status=ConfiguredStatus.ACTIVE, created_by=actor,
    )
    version_record(obj=adset, actor=actor, source=source, diff={"created": [None, adset.name]})
    return adset


def creative_draft_create(*, campaign: Campaign, actor, name: str = "", source: str = "page"
                          ) -> AdCreative:
    creative = AdCreative.objects.create(
        agency_id=campaign.agency_id, ad_account=campaign.ad_account, campaign=campaign,
        name=name or f"{campaign.name} - creative"[:400], format="image",
        spec={"call_to_action": "LEARN_MORE"}, contextual_multi_ads="OPT_OUT",
        status=ConfiguredStatus.ACTIVE, created_by=actor,
    )
    version_record(obj=creative, actor=actor, source=source,
                   diff={"created": [None, creative.name]})
    return creative


def ad_draft_create(*, adset: AdSet, creative: AdCreative | None, actor, name: str = "",
                    source: str = "page") -> Ad:
    if creative is not None and creative.ad_account_id != adset.ad_account_id:
        raise ServiceError("That creative belongs to another ad account.", field="creative")
    ad = Ad.objects.create(
        agency_id=adset.agency_id, ad_account=adset.ad_account, adset=adset, creative=creative,
        name=name or f"{adset.name} - ad {adset.ads.count() + 1}"[:400],
        status=ConfiguredStatus.PAUSED, desired_status=ConfiguredStatus.ACTIVE, created_by=actor,
    )
    version_record(obj=ad, actor=actor, source=source, diff={"created": [None, ad.name]})
    return ad


_NOT_COPIED = {"id", "pk", "graph_id", "publish_key", "last_sent", "effective_status",
               "issues_info", "graph_error", "deleted_on_graph", "changed_on_graph",
               "graph_updated_time", "synced_at", "created_at", "updated_at", "created_by",
               "spend_minor", "review_feedback", "published_at", "publish_state"}


def _clone(obj: Any, actor, **overrides) -> Any:
    model = type(obj)
    values = {
        f.attname: copy.deepcopy(getattr(obj, f.attname))
        for f in model._meta.concrete_fields
        if f.name not in _NOT_COPIED and f.attname not in _NOT_COPIED
    }
    values.update(overrides)
    values["created_by"] = actor
    return model.objects.create(**values)


def campaign_duplicate(*, campaign: Campaign, actor, source: str = "page") -> Campaign:
    """A draft copy of a draft or live campaign, with its ad sets, creatives and ads."""
    with transaction.atomic():
        copy_ = _clone(campaign, actor, name=f"{campaign.name} (copy)"[:400],
                       publish_state=PublishState.DRAFT, status=ConfiguredStatus.ACTIVE)
        creatives: dict[int, AdCreative] = {}
        for creative in AdCreative.objects.filter(ads__adset__campaign=campaign).distinct():
            creatives[creative.pk] = _clone(creative, actor, campaign_id=copy_.pk)
        for creative in campaign.creatives.exclude(pk__in=list(creatives)):
            creatives[creative.pk] = _clone(creative, actor, campaign_id=copy_.pk)
        for adset in campaign.adsets.exclude(status=ConfiguredStatus.DELETED):
            adset_copy = _clone(adset, actor, campaign_id=copy_.pk)
            for ad in adset.ads.exclude(status=ConfiguredStatus.DELETED):
                creative = creatives.get(ad.creative_id) if ad.creative_id else None
                _clone(ad, actor, adset_id=adset_copy.pk,
                       creative_id=creative.pk if creative else None,
                       status=ConfiguredStatus.PAUSED,
                       desired_status=ad.desired_status or ad.status)
        version_record(obj=copy_, actor=actor, source=source,
                       diff={"duplicated_from": [None, campaign.pk]})
        audit_record(agency=campaign.agency_id, actor=actor, verb="campaign.duplicate",
                     target=copy_, data={"from": campaign.pk})
    return copy_


def draft_delete(*, obj: Any, actor, source: str = "page") -> None:
    """Delete a draft object (and its draft children); published ones are deleted on Graph."""
    if obj.graph_id:
        raise PublishedObjectError("This object is on Meta: delete it from the live view.")
    if isinstance(obj, Campaign) and (
        obj.adsets.exclude(graph_id="").exists() or obj.creatives.exclude(graph_id="").exists()
    ):
        raise PublishedObjectError("Part of this campaign is on Meta already.")
    if isinstance(obj, AdSet) and obj.ads.exclude(graph_id="").exists():
        raise PublishedObjectError("Part of this ad set is on Meta already.")
    with transaction.atomic():
        version_record(obj=obj, actor=actor, source=source, diff={"deleted": [obj.name, None]})
        audit_record(agency=obj.agency_id, actor=actor, verb=f"{object_kind(obj)}.draft_delete",
                     target=obj, data={"name": obj.name})
        if isinstance(obj, Campaign):
            Ad.objects.filter(adset__campaign=obj).delete()
            obj.adsets.all().delete()
            obj.creatives.filter(ads__isnull=True).delete()
        if isinstance(obj, AdCreative) and obj.ads.exists():
            raise ServiceError("Ads use this creative: remove them first.")
        obj.delete()
