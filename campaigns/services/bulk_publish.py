"""Publishing many campaigns of one ad account as one job (a bulk launch, a variant set).

Every campaign passes the same gates and rules as a single publish; the keys of every object
are recorded before the job starts, so the job can be resumed from any point by any worker.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from agency.errors import ConflictError, ServiceError
from agency.services import audit_record
from campaigns import selectors
from campaigns.models import Campaign
from campaigns.services.gates import publish_gates_check
from campaigns.services.publish import (
    PUBLISH_KIND,
    CampaignInvalidError,
    campaign_publish_run,
    publish_prepare,
)

BULK_PUBLISH_KIND = "campaigns.bulk_publish"

# The documented limits the bulk engine plans with (seeds/async-and-batch-requests.txt):
SYNC_BATCH_MAX = 50  # "Each batched request can contain a maximum of 50 requests."
ASYNC_REQUESTS_MAX = 1000  # Batch API: "Each API call can have a maximum of 1000 requests."
# The seeds give no separate cap for ad_specs in one async ad request set; the same 1,000 per
# call is assumed (graph_sim/DECISIONS.md, "Async ad request sets: size").
AD_REQUEST_SET_MAX = 1000
# A finished async set is read back in one call: GET /<set>/requests?limit=1000.
ASYNC_READ_PAGE = 1000


class BulkPublishError(ServiceError):
    code = "bulk_publish_invalid"


def _ceil(n: int, size: int) -> int:
    return -(-max(0, n) // size)


def _sync_batches(n: int, *, per_parent: int = 0) -> int:
    """Sync batches of 50. Ad sets: "Batch requests cannot include multiple Adsets under the
    same Campaign", so a batch holds one ad set per campaign at most."""
    return max(_ceil(n, SYNC_BATCH_MAX), per_parent if n else 0)


def _async_calls(n: int, size: int) -> int:
    """One POST per set of `size` and, at the least, one read of its requests once Graph has
    finished them (each page of ASYNC_READ_PAGE results one call)."""
    sets = _ceil(n, size)
    return sets + sets * _ceil(min(n, size), ASYNC_READ_PAGE) if n else 0


def bulk_publish_minimum_calls(*, campaigns: int, adsets: int, creatives: int, ads: int,
                               accounts: int = 1, switch_on: bool = True) -> dict:
    """The fewest Graph calls the documented limits allow to publish this many objects.

    Each dependency level (campaigns → ad sets → creatives → ads, then ads switched on) is its
    own round, per ad account. A level goes in sync batches of 50 (answers in the same call) or
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
        sync, asynchronous = _sync_batches(n, per_parent=per_parent), _async_calls(n, size)
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
    from agency.jobs import services as jobs

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
        pending = 0
        for campaign in locked:
            pending += len(publish_prepare(campaign=campaign, leave_paused=leave_paused)) + 1
        account = locked[0].ad_account
        audit_record(agency=account.agency_id, actor=actor, verb="campaign.bulk_publish_start",
                     target=account, data={"campaigns": ids, "objects": pending})
        job = jobs.job_start(kind=BULK_PUBLISH_KIND, actor=actor, target=account,
                             params={"campaign_ids": ids, "leave_paused": leave_paused},
                             total=pending, connection=account.connection)
    return job


def bulk_publish_job_handler(job) -> None:
    """The job's body: each campaign in turn, resumable (objects with a Graph id are skipped,
    an interrupted create is reconciled by its key)."""
    ids = [int(pk) for pk in job.params.get("campaign_ids", [])]
    campaigns = Campaign.objects.select_related("ad_account__connection").filter(pk__in=ids)
    for campaign in campaigns.order_by("pk"):
        campaign_publish_run(campaign=campaign, job=job, actor=job.started_by)
