"""Structure sync: what is on Graph for an ad account (campaigns, ad sets, creatives, ads) brought
into our rows in a few calls (one listing per kind with a large page, ETag revalidation), with
objects deleted or changed in Ads Manager marked, and the status follow-up (effective_status,
issues_info, review feedback)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts.services.graph import graph_for_connection
from agency.graph import InProcessETagCache
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
from campaigns.services.versions import field_diff, version_record
from campaigns.validation.rules import minor_per_major

SYNC_KIND = "campaigns.sync"
PAGE_LIMIT = 500
SPEND = "insights.date_preset(maximum){spend}"
ACCOUNT_FIELDS = "currency,timezone_name,min_daily_budget,default_dsa_beneficiary,default_dsa_payor"
CAMPAIGN_FIELDS = (
    "id,name,objective,status,effective_status,special_ad_categories,special_ad_category_country,"
    f"daily_budget,lifetime_budget,bid_strategy,spend_cap,buying_type,issues_info,updated_time,"
    f"{SPEND}"
)
ADSET_FIELDS = (
    "id,name,campaign_id,status,effective_status,optimization_goal,billing_event,bid_strategy,"
    "bid_amount,daily_budget,lifetime_budget,start_time,end_time,targeting,promoted_object,"
    f"destination_type,dsa_beneficiary,dsa_payor,issues_info,updated_time,{SPEND}"
)
CREATIVE_FIELDS = (
    "id,name,status,object_story_spec,object_story_id,url_tags,contextual_multi_ads,"
    "instagram_user_id,source_instagram_media_id"
)
AD_FIELDS = (
    "id,name,adset_id,creative{id},status,effective_status,issues_info,ad_review_feedback,"
    f"tracking_specs,updated_time,{SPEND}"
)
# Every status but DELETED (deleted objects are never listed on edges, reference.md §7.4).
LISTED_STATUSES = [
    "ACTIVE", "PAUSED", "PENDING_REVIEW", "DISAPPROVED", "PREAPPROVED", "PENDING_BILLING_INFO",
    "CAMPAIGN_PAUSED", "ARCHIVED", "ADSET_PAUSED", "WITH_ISSUES", "IN_PROCESS",
]  # fmt: skip
# Fields only Graph changes: updated silently, never "changed in Ads Manager".
FOLLOW_FIELDS = ("effective_status", "issues_info", "review_feedback", "spend_minor",
                 "graph_updated_time")

_ETAGS = InProcessETagCache(max_entries=2048)  # per worker process; keys hash the token


@dataclass
class SyncResult:
    created: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    unchanged_edges: list[str] = field(default_factory=list)

    def count(self, bucket: dict[str, int], kind: str) -> None:
        bucket[kind] = bucket.get(kind, 0) + 1


def _minor(value: Any) -> int | None:
    if value in (None, "", "0", 0):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _spend_minor(item: dict[str, Any], currency: str) -> int | None:
    rows = ((item.get("insights") or {}).get("data") or []) if isinstance(
        item.get("insights"), dict) else []
    if not rows:
        return None
    try:
        return int(Decimal(str(rows[0].get("spend") or "0")) * minor_per_major(currency))
    except (InvalidOperation, ValueError):
        return None


def _listing(client, path: str, fields: str, params: dict[str, Any], account_id: str,
             result: SyncResult, name: str) -> list[dict[str, Any]] | None:
    """Every item of an edge; None when the first (only) page is unchanged since last time."""
    query = {**params, "fields": fields, "limit": PAGE_LIMIT}
    response = client.request("GET", path, params=query, account_id=account_id, etag=True)
    page = response.body or {}
    items = list(page.get("data") or [])
    from agency.graph.paging import next_cursor

    after = next_cursor(page)
    if response.from_cache and after is None:
        result.unchanged_edges.append(name)
        return None
    seen = set()
    while after is not None and after not in seen:
        seen.add(after)
        page = client.get(path, params={**query, "after": after}, account_id=account_id)
        items.extend(page.get("data") or [])
        after = next_cursor(page)
    return items


def _campaign_values(item: dict[str, Any], currency: str) -> dict[str, Any]:
    return {
        "name": str(item.get("name") or "")[:400],
        "objective": str(item.get("objective") or "")[:32],
        "status": item.get("status") or ConfiguredStatus.PAUSED,
        "special_ad_categories": [c for c in item.get("special_ad_categories") or []
                                  if c != "NONE"],
        "special_ad_category_country": item.get("special_ad_category_country") or [],
        "daily_budget_minor": _minor(item.get("daily_budget")),
        "lifetime_budget_minor": _minor(item.get("lifetime_budget")),
        "bid_strategy": str(item.get("bid_strategy") or "")[:40],
        "spend_cap_minor": _minor(item.get("spend_cap")),
        "buying_type": str(item.get("buying_type") or "AUCTION")[:16],
        **_follow(item, currency),
    }


def _follow(item: dict[str, Any], currency: str) -> dict[str, Any]:
    return {
        "effective_status": str(item.get("effective_status") or item.get("status") or "")[:32],
        "issues_info": item.get("issues_info") or [],
        "spend_minor": _spend_minor(item, currency),
        "graph_updated_time": str(item.get("updated_time") or "")[:40],
    }


def _adset_values(item: dict[str, Any], currency: str) -> dict[str, Any]:
    return {
        "name": str(item.get("name") or "")[:400],
        "status": item.get("status") or ConfiguredStatus.PAUSED,
        "optimization_goal": str(item.get("optimization_goal") or "")[:48],
        "billing_event": str(item.get("billing_event") or "IMPRESSIONS")[:32],
        "bid_strategy": str(item.get("bid_strategy") or "")[:40],
        "bid_amount_minor": _minor(item.get("bid_amount")),
        "daily_budget_minor": _minor(item.get("daily_budget")),
        "lifetime_budget_minor": _minor(item.get("lifetime_budget")),
        "start_time": parse_datetime(item["start_time"]) if item.get("start_time") else None,
        "end_time": parse_datetime(item["end_time"]) if item.get("end_time") else None,
        "targeting": item.get("targeting") or {},
        "promoted_object": item.get("promoted_object") or {},
        "destination_type": str(item.get("destination_type") or "")[:48],
        "dsa_beneficiary": str(item.get("dsa_beneficiary") or "")[:200],
        "dsa_payor": str(item.get("dsa_payor") or "")[:200],
        **_follow(item, currency),
    }


def _creative_values(item: dict[str, Any]) -> dict[str, Any]:
    story = item.get("object_story_spec") or {}
    content: dict[str, Any] = {}
    fmt = "image"
    if story.get("video_data"):
        content, fmt = story["video_data"], "video"
    elif story.get("link_data"):
        content = story["link_data"]
        fmt = "carousel" if content.get("child_attachments") else "image"
    elif story.get("photo_data"):
        content = story["photo_data"]
    elif item.get("object_story_id"):
        fmt = "page_post"
    elif item.get("source_instagram_media_id"):
        fmt = "instagram_post"
    cta = content.get("call_to_action") or {}
    spec: dict[str, Any] = {
        "message": content.get("message"),
        "headline": content.get("name") or content.get("title"),
        "description": content.get("description") or content.get("link_description"),
        "link": content.get("link") or (cta.get("value") or {}).get("link"),
        "call_to_action": cta.get("type"),
        "image_hash": content.get("image_hash"),
        "video_id": content.get("video_id"),
        "url_tags": item.get("url_tags"),
        "object_story_id": item.get("object_story_id"),
        "source_instagram_media_id": item.get("source_instagram_media_id"),
    }
    if fmt == "carousel":
        spec["cards"] = [
            {"link": c.get("link"), "image_hash": c.get("image_hash"), "headline": c.get("name"),
             "description": c.get("description")}
            for c in content.get("child_attachments") or []
        ]
    enroll = (item.get("contextual_multi_ads") or {}).get("enroll_status") or "OPT_IN"
    return {
        "name": str(item.get("name") or "")[:400] or f"Creative {item['id']}",
        "format": fmt,
        "page_id": str(story.get("page_id") or "")[:32],
        "instagram_user_id": str(item.get("instagram_user_id") or "")[:32],
        "spec": {k: v for k, v in spec.items() if v not in (None, "")},
        "contextual_multi_ads": enroll,
        "effective_status": str(item.get("status") or "")[:32],
    }


def _ad_values(item: dict[str, Any], currency: str) -> dict[str, Any]:
    return {
        "name": str(item.get("name") or "")[:400],
        "status": item.get("status") or ConfiguredStatus.PAUSED,
        "tracking_specs": item.get("tracking_specs") or [],
        "review_feedback": item.get("ad_review_feedback") or {},
        **_follow(item, currency),
    }


def _apply(model, existing: dict[str, Any], item: dict[str, Any], values: dict[str, Any],
           links: dict[str, Any], ad_account: AdAccount, result: SyncResult, kind: str,
           first_sync: bool) -> Any:
    now = timezone.now()
    obj = existing.get(str(item["id"]))
    if obj is None:
        obj = model.objects.create(
            agency_id=ad_account.agency_id, ad_account=ad_account, graph_id=str(item["id"]),
            synced_at=now, **links, **values,
            **({"publish_state": PublishState.PUBLISHED} if model is Campaign else {}),
            **({"desired_status": values["status"]} if model is Ad else {}),
        )
        version_record(obj=obj, actor=None, source="sync", diff={"imported": [None, obj.name]})
        result.count(result.created, kind)
        return obj
    if obj.publish_key and values.get("name") == _published_name(obj):
        values["name"] = obj.name  # our own idempotency marker, not a rename
    before = {k: copy.deepcopy(getattr(obj, k)) for k in values}
    configured = {k: v for k, v in values.items() if k not in FOLLOW_FIELDS}
    diff = field_diff({k: before[k] for k in configured}, configured)
    for key, value in {**values, **links}.items():
        setattr(obj, key, value)
    obj.synced_at = now
    obj.deleted_on_graph = False
    if diff and not first_sync:
        obj.changed_on_graph = True
        version_record(obj=obj, actor=None, source="sync", diff=diff)
        result.count(result.changed, kind)
    obj.save()
    return obj


def _published_name(obj: Any) -> str:
    from agency.graph import idempotent_name
    from agency.writes import write_marker

    return idempotent_name(obj.name, write_marker(obj.publish_key))


def ad_account_sync(*, ad_account: AdAccount, actor=None) -> SyncResult:
    """Bring the account's structure in; safe to repeat."""
    result = SyncResult()
    act, account_id = ad_account.act_id, ad_account.account_id
    with graph_for_connection(connection=ad_account.connection, purpose="campaigns_sync",
                              actor=actor) as client:
        if client.cache is None:
            client.cache = _ETAGS
        facts = client.get(act, fields=ACCOUNT_FIELDS, account_id=account_id)
        statuses = {"effective_status": LISTED_STATUSES}
        listings = {
            "campaign": _listing(client, f"{act}/campaigns", CAMPAIGN_FIELDS, statuses,
                                 account_id, result, "campaigns"),
            "adset": _listing(client, f"{act}/adsets", ADSET_FIELDS, statuses, account_id,
                              result, "adsets"),
            "creative": _listing(client, f"{act}/adcreatives", CREATIVE_FIELDS, {}, account_id,
                                 result, "adcreatives"),
            "ad": _listing(client, f"{act}/ads", AD_FIELDS, statuses, account_id, result, "ads"),
        }
    currency = str(facts.get("currency") or ad_account.currency)
    with transaction.atomic():
        _account_facts(ad_account, facts)
        first = not Campaign.objects.filter(ad_account=ad_account).exclude(
            synced_at=None).exists()
        campaigns = _sync_kind(Campaign, "campaign", listings["campaign"], ad_account, result,
                               first, lambda item: _campaign_values(item, currency),
                               lambda item, maps: {})
        maps = {"campaign": campaigns}
        adsets = _sync_kind(AdSet, "adset", listings["adset"], ad_account, result, first,
                            lambda item: _adset_values(item, currency),
                            lambda item, m: _link(m, "campaign", item.get("campaign_id")),
                            maps)
        maps["adset"] = adsets
        creatives = _sync_kind(AdCreative, "creative", listings["creative"], ad_account, result,
                               first, _creative_values, lambda item, m: {}, maps)
        maps["creative"] = creatives
        _sync_kind(Ad, "ad", listings["ad"], ad_account, result, first,
                   lambda item: _ad_values(item, currency),
                   lambda item, m: {**_link(m, "adset", item.get("adset_id")),
                                    **_link(m, "creative", (item.get("creative") or {}).get("id"),
                                            optional=True)},
                   maps)
        audit_record(agency=ad_account.agency_id, actor=actor, verb="campaigns.sync",
                     target=ad_account, data={"created": result.created,
                                              "changed": result.changed,
                                              "deleted": result.deleted})
    return result


class _Skip(Exception):
    pass


def _link(maps, kind: str, graph_id: Any, optional: bool = False) -> dict[str, Any]:
    obj = maps.get(kind, {}).get(str(graph_id)) if graph_id else None
    if obj is None and not optional:
        raise _Skip
    return {kind: obj}


def _sync_kind(model, kind, items, ad_account, result, first, values_of, links_of, maps=None):
    existing = {o.graph_id: o for o in model.objects.filter(ad_account=ad_account)
                .exclude(graph_id="")}
    if items is None:  # unchanged since the last sync (304)
        return existing
    seen = set()
    for item in items:
        if not isinstance(item, dict) or not item.get("id"):
            continue
        try:
            links = links_of(item, maps or {})
        except _Skip:
            continue
        obj = _apply(model, existing, item, values_of(item), links, ad_account, result, kind,
                     first)
        existing[obj.graph_id] = obj
        seen.add(obj.graph_id)
    for graph_id, obj in existing.items():
        if graph_id in seen or obj.deleted_on_graph or obj.status == ConfiguredStatus.DELETED:
            continue
        obj.deleted_on_graph = True
        obj.effective_status = "DELETED"
        obj.synced_at = timezone.now()
        obj.save(update_fields=["deleted_on_graph", "effective_status", "synced_at",
                                "updated_at"])
        version_record(obj=obj, actor=None, source="sync",
                       diff={"deleted_on_graph": [False, True]})
        result.count(result.deleted, kind)
    return existing


def _account_facts(ad_account: AdAccount, facts: dict[str, Any]) -> None:
    fresh = {
        "min_daily_budget_minor": _minor(facts.get("min_daily_budget")),
        "default_dsa_beneficiary": str(facts.get("default_dsa_beneficiary") or "")[:200],
        "default_dsa_payor": str(facts.get("default_dsa_payor") or "")[:200],
    }
    changes = {k: v for k, v in fresh.items() if getattr(ad_account, k) != v}
    if changes:
        AdAccount.objects.filter(pk=ad_account.pk).update(**changes)
        for key, value in changes.items():
            setattr(ad_account, key, value)


# --- status follow-up -----------------------------------------------------------------------

STATUS_FIELDS = "id,status,effective_status,issues_info,updated_time"


def campaign_status_refresh(*, campaign: Campaign, actor=None) -> list[Any]:
    """Where each published object of the campaign is now (IN_PROCESS, PENDING_REVIEW, ACTIVE,
    WITH_ISSUES with issues_info, DISAPPROVED with review feedback): one multi-id read per 50."""
    objects: list[Any] = [campaign, *campaign.adsets.all(),
                          *Ad.objects.filter(adset__campaign=campaign),
                          *campaign.creatives.all()]
    published = [o for o in objects if o.graph_id]
    if not published:
        return []
    with graph_for_connection(connection=campaign.ad_account.connection,
                              purpose="campaign_status", actor=actor) as client:
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(published), 50):
            chunk = published[start:start + 50]
            ads = [o for o in chunk if isinstance(o, Ad)]
            creatives = [o for o in chunk if isinstance(o, AdCreative)]
            others = [o for o in chunk if not isinstance(o, Ad | AdCreative)]
            for group, fields in ((others, STATUS_FIELDS),
                                  (ads, STATUS_FIELDS + ",ad_review_feedback"),
                                  (creatives, "id,status")):
                if group:
                    found.update(client.get("", params={"ids": ",".join(o.graph_id
                                                                         for o in group)},
                                            fields=fields) or {})
    now = timezone.now()
    for obj in published:
        item = found.get(obj.graph_id)
        if not isinstance(item, dict):
            continue
        if isinstance(obj, AdCreative):
            obj.effective_status = str(item.get("status") or "")[:32]
        else:
            obj.effective_status = str(item.get("effective_status") or "")[:32]
            obj.issues_info = item.get("issues_info") or []
        if isinstance(obj, Ad):
            obj.review_feedback = item.get("ad_review_feedback") or {}
        obj.synced_at = now
        obj.save()
    return published


def sync_job_handler(job) -> None:
    from agency.jobs import services as jobs

    account_id = job.params.get("ad_account_id") or job.target_id
    ad_account = AdAccount.objects.select_related("connection").filter(
        pk=int(account_id or 0)).first()
    if ad_account is None:
        from agency.errors import ServiceError

        raise ServiceError("The ad account is no longer in this agency.")
    jobs.job_set_total(job=job, total=1)
    result = ad_account_sync(ad_account=ad_account, actor=job.started_by)
    jobs.job_advance(job=job, done=1, succeeded=1, checkpoint={
        "created": result.created, "changed": result.changed, "deleted": result.deleted})
