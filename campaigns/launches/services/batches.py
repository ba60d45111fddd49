"""Publishing a batch of generated drafts: every campaign through the bulk publish job."""

from __future__ import annotations

from django.db import transaction

from agency.errors import ServiceError
from agency.services import audit_record
from campaigns.launches.models import LaunchBatch
from campaigns.models import PublishState
from campaigns.services.bulk_publish import bulk_publish_start


class BatchPublishedError(ServiceError):
    code = "batch_published"
    http_status = 409


def batch_publish(*, batch: LaunchBatch, actor, leave_paused: bool = False):
    """Start one bulk publish job over the batch's campaigns that are still drafts."""
    campaigns = list(batch.campaigns.filter(publish_state__in=[PublishState.DRAFT,
                                                               PublishState.FAILED])
                     .select_related("ad_account").order_by("pk"))
    if not campaigns:
        raise BatchPublishedError("Every campaign of this batch is published or publishing.")
    job = bulk_publish_start(campaigns=campaigns, actor=actor, leave_paused=leave_paused)
    with transaction.atomic():
        batch.job = job
        batch.save(update_fields=["job"])
        audit_record(agency=batch.agency_id, actor=actor, verb="launch.batch_publish",
                     target=batch, data={"job": job.pk, "campaigns": len(campaigns)})
    return job
