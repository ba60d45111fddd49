"""Scheduled jobs: starting a job kind for one ad account from beat."""

from __future__ import annotations

import logging

from agency.jobs import services
from agency.jobs.models import ACTIVE_STATES, Job
from agency.jobs.registry import kind_is_registered
from agency.tenancy import agency_scope

log = logging.getLogger(__name__)


def scheduled_job_start(*, kind: str, ad_account_id: int) -> Job | None:
    """Start `kind` for the ad account unless one is already queued or running for it."""
    from campaigns.models import AdAccount

    if not kind_is_registered(kind):
        log.info("schedule: job kind %s is not registered here; nothing to do", kind)
        return None
    ad_account = AdAccount.objects.unscoped().filter(pk=ad_account_id).first()
    if ad_account is None:
        log.info("schedule: ad account %s is gone; nothing to do", ad_account_id)
        return None
    with agency_scope(ad_account.agency_id):
        busy = Job.objects.filter(
            kind=kind, target_type=AdAccount._meta.label_lower, target_id=str(ad_account.pk),
            state__in=ACTIVE_STATES,
        ).exists()
        if busy:
            return None
        return services.job_start(kind=kind, actor=None, target=ad_account,
                                  params={"ad_account_id": ad_account.pk, "scheduled": True},
                                  connection=ad_account.connection)
