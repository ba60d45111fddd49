"""Publishing a campaign to Graph as a job: campaign, ad sets, creatives, ads in dependency
order, each create exactly once (idempotency key stored on the row before the call, Graph id
saved the moment it returns), ads created PAUSED and switched on at the end."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.services.graph import ConnectionUnusableError, graph_for_connection
from agency.errors import ConflictError, ServiceError
from agency.graph import GraphAuthError, GraphValidationError
from agency.services import audit_record
from campaigns import selectors
from campaigns.models import Ad, AdCreative, AdSet, Campaign, ConfiguredStatus, PublishState
from campaigns.services import payloads
from campaigns.services.gates import publish_gates_check
from campaigns.services.graph_errors import graph_error_info
from campaigns.services.versions import object_kind, version_record

PUBLISH_KIND = "campaigns.publish"
EDGES = {"campaign": "campaigns", "adset": "adsets", "creative": "adcreatives", "ad": "ads"}


class CampaignInvalidError(ServiceError):
    """The campaign breaks the builder's rules: nothing is sent."""

    code = "campaign_invalid"


class PublishRefusedError(ServiceError):
    """Graph refused one object; its error is stored on the field it blames."""

    code = "publish_refused"


def publish_order(campaign: Campaign) -> list[Any]:
    """Every object to create, parents first."""
    adsets, creatives, ads = selectors.campaign_children(campaign=campaign)
    used = {ad.creative_id for ad in ads if ad.status != ConfiguredStatus.DELETED}
    return [
        campaign,
        *[a for a in adsets if a.status != ConfiguredStatus.DELETED],
        *[c for c in creatives if c.pk in used],
        *[a for a in ads if a.status != ConfiguredStatus.DELETED],
    ]


def _new_key(obj: Any) -> str:
    return f"adw:{object_kind(obj)}:{obj.pk}:{uuid.uuid4().hex}"


def campaign_publish(*, campaign: Campaign, actor, leave_paused: bool | None = None):
    """Check the campaign, record the idempotency keys, and start the publish job."""
    from agency.jobs import services as jobs
    from agency.jobs.models import ACTIVE_STATES, Job

    publish_gates_check(campaign=campaign)
    errors = selectors.campaign_tree_errors(campaign=campaign)
    if errors:
        raise CampaignInvalidError("Fix the highlighted fields before publishing.",
                                   extra={"errors": errors})
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        running = Job.objects.filter(kind=PUBLISH_KIND, target_id=str(locked.pk),
                                     target_type=Campaign._meta.label_lower,
                                     state__in=ACTIVE_STATES).first()
        if running is not None:
            raise ConflictError("This campaign is being published already.",
                                extra={"job_id": running.pk})
        pending = publish_prepare(campaign=locked, leave_paused=leave_paused)
        audit_record(agency=locked.agency_id, actor=actor, verb="campaign.publish_start",
                     target=locked, data={"objects": len(pending)})
        job = jobs.job_start(kind=PUBLISH_KIND, actor=actor, target=locked,
                             params={"campaign_id": locked.pk}, total=len(pending) + 1,
                             connection=locked.ad_account.connection)
    campaign.refresh_from_db()
    return job


def publish_prepare(*, campaign: Campaign, leave_paused: bool | None = None) -> list[Any]:
    """Inside the caller's transaction, with the campaign locked: record an idempotency key on
    every object not yet on Graph (BEFORE any call) and mark the campaign publishing. Returns
    the objects still to create."""
    if leave_paused is not None:
        campaign.leave_paused = leave_paused
    pending = [o for o in publish_order(campaign) if not o.graph_id]
    for obj in pending:
        if not obj.publish_key:
            obj.publish_key = _new_key(obj)
            obj.save(update_fields=["publish_key", "updated_at"])
    campaign.publish_state = PublishState.PUBLISHING
    campaign.save(update_fields=["publish_state", "leave_paused", "updated_at"])
    return pending


def _create(client, obj: Any, payload: dict[str, Any], campaign: Campaign) -> str:
    from agency.graph import idempotent_name
    from agency.writes import graph_create_once, write_marker

    kind = object_kind(obj)
    if not obj.publish_key:
        obj.publish_key = _new_key(obj)
    # Exactly what Graph receives: the name carries the write's idempotency marker.
    obj.last_sent = {**payload,
                     "name": idempotent_name(payload["name"], write_marker(obj.publish_key))}
    obj.save(update_fields=["publish_key", "last_sent", "updated_at"])
    try:
        graph_id = graph_create_once(
            client=client, key=obj.publish_key, edge=f"{obj.ad_account.act_id}/{EDGES[kind]}",
            data=payload, kind=kind,
        )
    except GraphValidationError as exc:
        info = graph_error_info(kind, exc)
        # Graph refused it: nothing was created, so the next attempt gets a fresh key.
        type(obj).objects.filter(pk=obj.pk).update(graph_error=info, publish_key="")
        Campaign.objects.filter(pk=campaign.pk).update(publish_state=PublishState.FAILED)
        raise PublishRefusedError(
            f"Meta refused {kind} “{obj.name}”: {info['message']}",
            field=info["field"], extra={"object": selectors.object_key(obj), **info},
        ) from exc
    obj.graph_id = str(graph_id)
    obj.graph_error = None
    obj.effective_status = "IN_PROCESS"
    obj.save(update_fields=["graph_id", "graph_error", "effective_status", "updated_at"])
    version_record(obj=obj, actor=None, source="publish",
                   diff={"graph_id": ["", obj.graph_id]})
    return obj.graph_id


def _payload(obj: Any) -> dict[str, Any]:
    if isinstance(obj, Campaign):
        return payloads.campaign_payload(obj)
    if isinstance(obj, AdSet):
        return payloads.adset_payload(obj, campaign_graph_id=obj.campaign.graph_id)
    if isinstance(obj, AdCreative):
        return payloads.creative_payload(obj)
    return payloads.ad_payload(obj, adset_graph_id=obj.adset.graph_id,
                               creative_graph_id=obj.creative.graph_id if obj.creative else None)


def campaign_publish_run(*, campaign: Campaign, job=None, actor=None) -> Campaign:
    """The job's body; safe to run again from any point (rows with a Graph id are skipped,
    a create interrupted mid-call is reconciled by its key, never re-posted blindly)."""
    from agency.jobs import services as jobs
    from campaigns.services.creative_media import campaign_media_push

    connection = campaign.ad_account.connection
    try:
        # Library files the creatives use go to the ad account first (each push idempotent).
        campaign_media_push(campaign=campaign, job=job, actor=actor)
        with graph_for_connection(connection=connection, purpose="campaign_publish",
                                  actor=actor) as client:
            for obj in publish_order(campaign):
                if obj.graph_id:
                    continue
                obj.refresh_from_db()
                if obj.graph_id:
                    continue
                _create(client, obj, _payload(obj), campaign)
                if job is not None:
                    jobs.job_advance(job=job, done=1, succeeded=1,
                                     checkpoint={"last": selectors.object_key(obj)})
            switched = _switch_ads_on(client, campaign)
    except GraphAuthError as exc:
        connection.refresh_from_db()
        raise ConnectionUnusableError(
            f"Meta refused the connection's token ({exc.message}): reconnect it to continue.",
            extra={"connection_id": connection.pk},
        ) from exc
    now = timezone.now()
    Campaign.objects.filter(pk=campaign.pk).update(publish_state=PublishState.PUBLISHED,
                                                   published_at=now, graph_error=None)
    campaign.refresh_from_db()
    audit_record(agency=campaign.agency_id, actor=actor, verb="campaign.publish",
                 target=campaign, data={"graph_id": campaign.graph_id, "ads_on": switched})
    if job is not None:
        jobs.job_advance(job=job, done=1, succeeded=1, checkpoint={"last": "ads_on"})
    return campaign


def _switch_ads_on(client, campaign: Campaign) -> int:
    """Only once everything exists: ads the user wants active go ACTIVE (an update that sets a
    value, safe to repeat)."""
    if campaign.leave_paused:
        return 0
    ads = Ad.objects.filter(adset__campaign=campaign, desired_status=ConfiguredStatus.ACTIVE,
                            status=ConfiguredStatus.PAUSED).exclude(graph_id="")
    count = 0
    for ad in ads:
        client.post(ad.graph_id, data={"status": "ACTIVE"}, idempotent=True,
                    account_id=ad.ad_account.account_id)
        Ad.objects.filter(pk=ad.pk).update(status=ConfiguredStatus.ACTIVE)
        version_record(obj=ad, actor=None, source="publish", diff={"status": ["PAUSED", "ACTIVE"]})
        count += 1
    return count


def publish_job_handler(job) -> None:
    campaign = Campaign.objects.select_related("ad_account__connection").filter(
        pk=int(job.params.get("campaign_id") or 0)).first()
    if campaign is None:
        raise ServiceError("The campaign no longer exists.")
    campaign_publish_run(campaign=campaign, job=job, actor=job.started_by)
