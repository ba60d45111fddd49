"""Job kinds of the campaigns app."""

from __future__ import annotations

from agency.jobs.registry import QUEUE_MAINTENANCE, QUEUE_PUBLISH, job_kind
from agency.roles import Capability
from campaigns import services
from campaigns.services import bulk_publish, publish, sync


@job_kind("adaccounts.refresh", queue=QUEUE_MAINTENANCE, label="Refresh ad accounts from Meta",
          capability=Capability.MANAGE_CONNECTIONS)
def adaccounts_refresh(job) -> None:
    services.ad_accounts_refresh(job=job)


@job_kind(publish.PUBLISH_KIND, queue=QUEUE_PUBLISH, label="Publish a campaign to Meta")
def campaigns_publish(job) -> None:
    publish.publish_job_handler(job)


@job_kind(sync.SYNC_KIND, queue=QUEUE_MAINTENANCE, label="Sync campaigns from Meta")
def campaigns_sync(job) -> None:
    sync.sync_job_handler(job)


# Many rounds of calls: more room for Graph's hiccups than one publish (each retry reconciles).
@job_kind(bulk_publish.BULK_PUBLISH_KIND, queue=QUEUE_PUBLISH,
          label="Publish campaigns to Meta in bulk", max_retries=25)
def campaigns_bulk_publish(job) -> None:
    bulk_publish.bulk_publish_job_handler(job)
