"""Publishing many campaigns of one ad account as one job (a bulk launch, a variant set).

Every campaign passes the same gates and rules as a single publish; the keys of every object
are recorded before the job starts, so the job can be resumed from any point by any worker.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.services.graph import ConnectionUnusableError, graph_for_connection
from agency.errors import ConflictError, ServiceError
from agency.graph import GraphAuthError, idempotent_name
from agency.jobs import services as jobs
from agency.jobs.errors import JobCancelledError
from agency.services import audit_record
from agency.writes import write_marker
from campaigns import selectors
from campaigns.models import (
    Ad,
    AdCreative,
    AdSet,
    Campaign,
    ConfiguredStatus,
    ObjectVersion,
    PublishState,
)
from campaigns.services.gates import publish_gates_check
from campaigns.services.graph_errors import graph_error_info
from campaigns.services.publish import (
    EDGES,
    PUBLISH_KIND,
    CampaignInvalidError,
    _new_key,
    _payload,
    publish_order,
    publish_prepare,
)
from campaigns.services.versions import object_kind

BULK_PUBLISH_KIND = "campaigns.bulk_publish"

# The documented limits the bulk engine plans with (seeds/async-and-batch-requests.txt):
SYNC_BATCH_MAX = 50  # "Each batched request can contain a maximum of 50 requests."
SYNC_BATCH_ADS = 10  # "For ad creation you should only have 10 or less ads per batch."
ASYNC_REQUESTS_MAX = 1000  # Batch API: "Each API call can have a maximum of 1000 requests."
# The seeds give no separate cap for ad_specs in one async ad request set; the same 1,000 per
# call is assumed (graph_sim/DECISIONS.md, "Async ad request sets: size").
AD_REQUEST_SET_MAX = 1000
# A finished async set is read back in one call: GET /<set>/requests?limit=1000.
ASYNC_READ_PAGE = 1000
# First wait before reading an async set back (then 1.5 times longer each read, up to a minute).
POLL_SECONDS_DEFAULT = 10.0


class BulkPublishError(ServiceError):
    code = "bulk_publish_invalid"


def _ceil(n: int, size: int) -> int:
    return -(-max(0, n) // size)


def _sync_batches(n: int, *, per_parent: int = 0, size: int = SYNC_BATCH_MAX) -> int:
    """Sync batches of 50 (ads: 10). Ad sets: "Batch requests cannot include multiple Adsets
    under the same Campaign", so a batch holds one ad set per campaign at most."""
    return max(_ceil(n, size), per_parent if n else 0)


def _async_calls(n: int, size: int) -> int:
    """One POST per set of `size` and, at the least, one read of its requests once Graph has
    finished them (each page of ASYNC_READ_PAGE results one call)."""
    sets = _ceil(n, size)
    return sets + sets * _ceil(min(n, size), ASYNC_READ_PAGE) if n else 0


def bulk_publish_minimum_calls(*, campaigns: int, adsets: int, creatives: int, ads: int,
                               accounts: int = 1, switch_on: bool = True) -> dict:
    """The fewest Graph calls the documented limits allow to publish this many objects.

    Each dependency level (campaigns → ad sets → creatives → ads, then ads switched on) is its
    own round, per ad account. A level goes in sync batches of 50 (of 10 for ads, as the docs
    advise; answers in the same call) or
    in async sets of 1,000 (one POST plus one read of the results), whichever is fewer calls;
    ads may go through async ad request sets. Returns the calls per level, the way each level
    is sent (`via`), and `total`.
    """
    accounts = max(1, int(accounts))

    def per_account(n: int) -> int:
        return _ceil(n, accounts)

    levels = {
        "campaigns": (per_account(campaigns), 0, ASYNC_REQUESTS_MAX),
        "adsets": (per_account(adsets), _ceil(adsets, max(1, campaigns)), ASYNC_REQUESTS_MAX),
        "creatives": (per_account(creatives), 0, ASYNC_REQUESTS_MAX),
        "ads": (per_account(ads), 0, AD_REQUEST_SET_MAX),
        "ads_on": (per_account(ads) if switch_on else 0, 0, ASYNC_REQUESTS_MAX),
    }
    calls: dict = {}
    via: dict = {}
    for level, (n, per_parent, size) in levels.items():
        batch = SYNC_BATCH_ADS if level == "ads" else SYNC_BATCH_MAX
        sync = _sync_batches(n, per_parent=per_parent, size=batch)
        asynchronous = _async_calls(n, size)
        best = "batch" if sync <= asynchronous else "async"
        calls[level] = min(sync, asynchronous) * accounts
        via[level] = best if n else None
    return {**calls, "via": via, "total": sum(calls.values())}


def _busy_campaign_ids(campaign_ids: set[int]) -> set[int]:
    """Campaigns among `campaign_ids` that an unfinished publish job (single or bulk) holds."""
    from agency.jobs.models import ACTIVE_STATES, Job

    busy: set[int] = set()
    for job in Job.objects.filter(kind__in=[PUBLISH_KIND, BULK_PUBLISH_KIND],
                                  state__in=ACTIVE_STATES).only("kind", "target_id", "params"):
        if job.kind == PUBLISH_KIND:
            held = {int(job.target_id or 0)}
        else:
            held = {int(pk) for pk in job.params.get("campaign_ids", [])}
        busy |= held & campaign_ids
    return busy


def bulk_publish_start(*, campaigns: Iterable[Campaign], actor, leave_paused: bool = False):
    """Check every campaign, record every idempotency key, and start one publish job."""
    campaigns = list(campaigns)
    if not campaigns:
        raise BulkPublishError("Choose at least one campaign to publish.")
    if len({c.ad_account_id for c in campaigns}) > 1:
        raise BulkPublishError("A bulk launch publishes to one ad account at a time.")
    invalid = {}
    for campaign in campaigns:
        publish_gates_check(campaign=campaign)
        errors = selectors.campaign_tree_errors(campaign=campaign)
        if errors:
            invalid[campaign.pk] = errors
    if invalid:
        raise CampaignInvalidError(
            f"{len(invalid)} campaign(s) break the builder's rules: fix them before publishing.",
            extra={"errors": invalid},
        )
    ids = sorted(c.pk for c in campaigns)
    with transaction.atomic():
        locked = list(Campaign.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
        busy = _busy_campaign_ids(set(ids))
        if busy:
            raise ConflictError("Some of these campaigns are being published already.",
                                extra={"campaign_ids": sorted(busy)})
        unique: set[tuple[str, int]] = set()  # a creative two campaigns share counts once
        for campaign in locked:
            objects = publish_prepare(campaign=campaign, leave_paused=leave_paused)
            for obj in objects:
                if obj.graph_error:  # refused by an earlier run: this job sends it again
                    type(obj).objects.filter(pk=obj.pk).update(graph_error=None)
                unique.add((object_kind(obj), obj.pk))
        pending = len(unique) + len(locked)
        account = locked[0].ad_account
        audit_record(agency=account.agency_id, actor=actor, verb="campaign.bulk_publish_start",
                     target=account, data={"campaigns": ids, "objects": pending})
        job = jobs.job_start(kind=BULK_PUBLISH_KIND, actor=actor, target=account,
                             params={"campaign_ids": ids, "leave_paused": leave_paused},
                             total=pending, connection=account.connection)
    return job


def _best_via(n: int, *, per_parent: int = 0, size: int = ASYNC_REQUESTS_MAX,
              batch: int = SYNC_BATCH_MAX) -> str:
    sync = _sync_batches(n, per_parent=per_parent, size=batch)
    return "batch" if sync <= _async_calls(n, size) else "async"


LEVELS = ("campaign", "adset", "creative", "ad")
_MODELS = {"campaign": Campaign, "adset": AdSet, "creative": AdCreative, "ad": Ad}


def _parents_ready(obj: Any) -> bool:
    if isinstance(obj, AdSet):
        return bool(obj.campaign.graph_id)
    if isinstance(obj, Ad):
        return bool(obj.adset.graph_id) and (obj.creative is None or bool(obj.creative.graph_id))
    return True


def _level(campaigns: list[Campaign], level: str) -> tuple[list[Any], list[Any]]:
    """(objects of `level` to send now, objects waiting for a parent Graph refused). Objects
    with a Graph id, or refused in this job (graph_error, waiting for a retry), are left out."""
    send, blocked = [], []
    seen: set[int] = set()  # an ad may use a creative another campaign of the launch holds
    for campaign in campaigns:
        for obj in publish_order(campaign):
            if object_kind(obj) != level or obj.graph_id or obj.graph_error or obj.pk in seen:
                continue
            seen.add(obj.pk)
            (send if _parents_ready(obj) else blocked).append(obj)
    return send, blocked


class _Progress:
    """Records each object's answer the moment it is read, and the job's progress with it."""

    def __init__(self, job, kind: str, by_key: dict[str, Any]):
        self.job, self.kind, self.by_key = job, kind, by_key
        self.cancelled = False

    def __call__(self, outcomes) -> None:
        created, refused = [], []
        for outcome in outcomes:
            obj = self.by_key.get(outcome.key)
            if obj is None or obj.graph_id:
                continue
            if outcome.ok:
                obj.graph_id, obj.graph_error = str(outcome.graph_id), None
                obj.effective_status = "IN_PROCESS"
                created.append(obj)
            else:
                # Graph refused it: nothing was created, so a retry gets a fresh key.
                obj.graph_error = graph_error_info(self.kind, outcome.error)
                obj.publish_key = ""
                refused.append(obj)
        model = _MODELS[self.kind]
        if created:
            model.objects.bulk_update(created, ["graph_id", "graph_error", "effective_status"])
            ObjectVersion.objects.bulk_create([ObjectVersion(
                agency_id=obj.agency_id, object_kind=self.kind, object_id=obj.pk, actor=None,
                source="publish", diff={"graph_id": ["", obj.graph_id]}) for obj in created])
        if refused:
            model.objects.bulk_update(refused, ["graph_error", "publish_key"])
        if self.job is None or not (created or refused):
            return
        error = None
        if refused:
            first = refused[0]
            error = (f"Meta refused {len(refused)} {self.kind}(s); "
                     f"“{first.name}”: {first.graph_error['message']}")
        try:
            jobs.job_advance(job=self.job, done=len(created) + len(refused),
                             succeeded=len(created), failed=len(refused), error=error,
                             checkpoint={**self.job.checkpoint, "level": self.kind})
        except JobCancelledError:
            self.cancelled = True  # stop at the end of this round: what exists is recorded


def _send_level(client, job, account, level: str, objs: list[Any], campaigns: list[Campaign]
                ) -> None:
    from agency.writes import CreateSpec, graph_create_many

    by_key: dict[str, Any] = {}
    specs = []
    sent = []
    for obj in objs:
        if not obj.publish_key:
            obj.publish_key = _new_key(obj)
        payload = _payload(obj)
        obj.last_sent = {**payload, "name": idempotent_name(payload["name"],
                                                            write_marker(obj.publish_key))}
        sent.append(obj)
        by_key[obj.publish_key] = obj
        specs.append(CreateSpec(key=obj.publish_key, edge=f"{account.act_id}/{EDGES[level]}",
                                kind=level, data=payload))
    _MODELS[level].objects.bulk_update(sent, ["publish_key", "last_sent"])
    per_parent = 0
    if level == "adset":
        per_parent = max(Counter(o.campaign_id for o in objs).values())
    size = AD_REQUEST_SET_MAX if level == "ad" else ASYNC_REQUESTS_MAX
    batch = SYNC_BATCH_ADS if level == "ad" else SYNC_BATCH_MAX
    best = _best_via(len(objs), per_parent=per_parent, size=size, batch=batch)
    via = "batch" if best == "batch" else ("async_batch" if level != "ad" else _ads_via())
    progress = _Progress(job, level, by_key)
    graph_create_many(
        client=client, account_id=account.act_id, specs=specs, via=via,
        chunk_by=(lambda spec: by_key[spec.key].campaign_id) if level == "adset" else None,
        on_result=progress, poll_every=_poll_seconds(), batch_size=batch,
    )
    if progress.cancelled:
        raise JobCancelledError(f"Job {job.pk} was cancelled.")


def _ads_via() -> str:
    """Ads beyond a few sync batches: async ad request sets (the docs' way to create many ads),
    or async batch requests (the same number of calls; the docs say Graph runs their
    independent operations in parallel) with BULK_PUBLISH_ADS_VIA = "async_batch"."""
    via = getattr(settings, "BULK_PUBLISH_ADS_VIA", "ad_request_set")
    return via if via in ("ad_request_set", "async_batch") else "ad_request_set"


def _poll_seconds() -> float:
    return float(getattr(settings, "BULK_PUBLISH_POLL_SECONDS", POLL_SECONDS_DEFAULT))


def _switch_on(client, job, account, campaigns: list[Campaign]) -> int:
    """Once every level is sent: the ads the user wants active go ACTIVE, in as few calls as
    the limits allow (an update that sets a value, safe to repeat)."""
    from agency.writes import graph_update_many

    wanted = [c.pk for c in campaigns if not c.leave_paused]
    ads = {ad.graph_id: ad for ad in Ad.objects.filter(
        adset__campaign_id__in=wanted, desired_status=ConfiguredStatus.ACTIVE,
        status=ConfiguredStatus.PAUSED).exclude(graph_id="")}
    if not ads:
        return 0

    def record(results) -> None:
        on = [ads[gid].pk for gid, error in results.items() if error is None]
        Ad.objects.filter(pk__in=on).update(status=ConfiguredStatus.ACTIVE)
        ObjectVersion.objects.bulk_create([ObjectVersion(
            agency_id=account.agency_id, object_kind="ad", object_id=pk, actor=None,
            source="publish", diff={"status": ["PAUSED", "ACTIVE"]}) for pk in on])
        refused = [(ads[gid], error) for gid, error in results.items() if error is not None]
        for ad, error in refused:
            Ad.objects.filter(pk=ad.pk).update(graph_error=graph_error_info("ad", error))
        if refused and job is not None:
            jobs.job_note_error(job=job, error=f"Meta refused to switch on {len(refused)} ad(s); "
                                f"“{refused[0][0].name}”: {refused[0][1].message}")

    results = graph_update_many(client=client, account_id=account.act_id,
                                updates=[(gid, {"status": "ACTIVE"}) for gid in ads],
                                on_result=record, poll_every=_poll_seconds())
    return sum(1 for error in results.values() if error is None)


def bulk_publish_run(*, job, actor=None) -> dict:
    """The job's body, level by level (campaigns → ad sets → creatives → ads → ads on), each
    level in the fewest calls; safe to run again from any point (objects with a Graph id are
    skipped, interrupted creates are reconciled by their keys). Returns counts."""
    ids = [int(pk) for pk in job.params.get("campaign_ids", [])]
    campaigns = list(Campaign.objects.select_related("ad_account__connection")
                     .filter(pk__in=ids).order_by("pk"))
    if not campaigns:
        raise ServiceError("None of these campaigns exists any more.")
    account = campaigns[0].ad_account
    connection = account.connection
    blocked_total = 0
    try:
        with graph_for_connection(connection=connection, purpose="campaign_publish",
                                  actor=actor) as client:
            for level in LEVELS:
                jobs.job_check(job=job)  # cancel stops here, between rounds
                send, blocked = _level(campaigns, level)
                if send:
                    _send_level(client, job, account, level, send, campaigns)
                counted = job.checkpoint.get("blocked", [])
                if blocked and level not in counted:  # counted once, even if the job re-runs
                    blocked_total += len(blocked)
                    jobs.job_advance(job=job, done=len(blocked), failed=len(blocked),
                                     error=f"{len(blocked)} {level}(s) not sent: Meta refused "
                                     "what they belong to.",
                                     checkpoint={**job.checkpoint, "blocked": [*counted, level]})
            jobs.job_check(job=job)
            switched = _switch_on(client, job, account, campaigns)
    except GraphAuthError as exc:
        connection.refresh_from_db()
        raise ConnectionUnusableError(
            f"Meta refused the connection's token ({exc.message}): reconnect it to continue.",
            extra={"connection_id": connection.pk},
        ) from exc
    published = failed = 0
    now = timezone.now()
    for campaign in campaigns:
        complete = all(o.graph_id for o in publish_order(campaign))
        state = PublishState.PUBLISHED if complete else PublishState.FAILED
        updates = {"publish_state": state}
        if complete:
            updates.update(published_at=now, graph_error=None)
            published += 1
        else:
            failed += 1
        Campaign.objects.filter(pk=campaign.pk).update(**updates)
        if complete:
            audit_record(agency=campaign.agency_id, actor=actor, verb="campaign.publish",
                         target=campaign, data={"graph_id": campaign.graph_id, "bulk": job.pk})
    audit_record(agency=account.agency_id, actor=actor, verb="campaign.bulk_publish",
                 target=account, data={"job": job.pk, "published": published,
                                       "failed": failed, "ads_on": switched})
    remaining = (job.total or 0) - job.done
    jobs.job_advance(job=job, done=max(0, min(len(campaigns), remaining)),
                     succeeded=max(0, min(len(campaigns), remaining)),
                     checkpoint={**job.checkpoint, "level": "done", "published": published,
                                 "failed": failed})
    return {"published": published, "failed": failed, "ads_on": switched,
            "blocked": blocked_total}


def bulk_publish_job_handler(job) -> None:
    """The job's body: the bulk engine (bulk_publish_run)."""
    bulk_publish_run(job=job, actor=job.started_by)


def bulk_publish_retry_failed(*, job, actor):
    """Start a new bulk job for what a finished one left out: objects Meta refused (they get
    fresh keys, since nothing was created) and everything below them. Objects already on Meta
    are not sent again."""
    from agency.jobs.models import Job

    if job.kind != BULK_PUBLISH_KIND:
        raise BulkPublishError("Only a bulk publish can be retried this way.")
    job = Job.objects.get(pk=job.pk)
    if not job.is_final:
        raise ConflictError("This bulk publish is still running; retry once it has finished.",
                            extra={"job_id": job.pk})
    ids = [int(pk) for pk in job.params.get("campaign_ids", [])]
    todo = [c for c in Campaign.objects.select_related("ad_account").filter(pk__in=ids)
            .order_by("pk") if any(not o.graph_id for o in publish_order(c))]
    if not todo:
        raise BulkPublishError("Nothing to retry: every object of this launch is on Meta.")
    retry = bulk_publish_start(campaigns=todo, actor=actor,
                               leave_paused=bool(job.params.get("leave_paused", False)))
    audit_record(agency=job.agency_id, actor=actor, verb="campaign.bulk_publish_retry",
                 target=job, data={"retry_job": retry.pk, "campaigns": [c.pk for c in todo]})
    return retry


def bulk_publish_progress(*, job) -> dict:
    """What the job page and the API show (a read): per kind, how many objects are on Meta
    (`created`), refused by Meta (`failed`) or not sent yet (`pending`), and the refused
    objects with Meta's message."""
    ids = [int(pk) for pk in job.params.get("campaign_ids", [])]
    counts = {level: {"created": 0, "failed": 0, "pending": 0} for level in LEVELS}
    failed = []
    seen: set[tuple[str, int]] = set()
    for campaign in Campaign.objects.filter(pk__in=ids).order_by("pk"):
        for obj in publish_order(campaign):
            kind = object_kind(obj)
            if (kind, obj.pk) in seen:
                continue
            seen.add((kind, obj.pk))
            if obj.graph_id:
                counts[kind]["created"] += 1
            elif obj.graph_error:
                counts[kind]["failed"] += 1
                failed.append({"kind": kind, "id": obj.pk, "name": obj.name,
                               "campaign_id": campaign.pk,
                               "message": obj.graph_error.get("message", ""),
                               "field": obj.graph_error.get("field", "")})
            else:
                counts[kind]["pending"] += 1
    return {"counts": counts, "failed": failed,
            "can_retry": job.is_final and any(
                c["failed"] or c["pending"] for c in counts.values())}
