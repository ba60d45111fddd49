"""Job kinds of the campaigns app."""

from __future__ import annotations

from agency.jobs.registry import QUEUE_MAINTENANCE, job_kind
from agency.roles import Capability
from campaigns import services


@job_kind("adaccounts.refresh", queue=QUEUE_MAINTENANCE, label="Refresh ad accounts from Meta",
          capability=Capability.MANAGE_CONNECTIONS)
def adaccounts_refresh(job) -> None:
    services.ad_accounts_refresh(job=job)
