"""Job kinds of reporting: `insights.refresh` (queue insights) and `reports.send` (maintenance).

Each handler loads its target, then calls one service; both resume from `job.checkpoint`.
"""

from __future__ import annotations

from agency.jobs import services as jobs
from agency.jobs.models import Job
from agency.jobs.registry import QUEUE_INSIGHTS, QUEUE_MAINTENANCE, job_kind
from agency.roles import Capability


def _ad_account(job: Job):
    from campaigns.models import AdAccount

    ad_account_id = (job.params or {}).get("ad_account_id") or job.target_id
    ad_account = AdAccount.objects.filter(pk=int(ad_account_id or 0)).first()
    if ad_account is None:
        from agency.errors import ServiceError

        raise ServiceError("The ad account of this refresh no longer exists.")
    return ad_account


@job_kind("insights.refresh", queue=QUEUE_INSIGHTS, label="Refresh insights",
          capability=Capability.VIEW_AGENCY)
def insights_refresh_job(job: Job) -> None:
    """Backfill or lookback refresh of one ad account, one stored chunk per progress step."""
    from reporting.services.refresh import insights_refresh_account

    ad_account = _ad_account(job)

    def planned(checkpoint: dict, total: int) -> None:
        jobs.job_set_total(job=job, total=total)
        jobs.job_advance(job=job, checkpoint=checkpoint)

    def stored(checkpoint: dict) -> None:
        jobs.job_advance(job=job, done=1, succeeded=1, checkpoint=checkpoint)

    insights_refresh_account(ad_account=ad_account, checkpoint=job.checkpoint or None,
                             on_plan=planned, on_chunk=stored)
    if job.total is None:
        jobs.job_set_total(job=job, total=job.done)


@job_kind("reports.send", queue=QUEUE_MAINTENANCE, label="Send a scheduled report",
          capability=Capability.MANAGE_CLIENTS)
def reports_send_job(job: Job) -> None:
    """Render and email one scheduled report for one period (sent once per period)."""
    from reporting.models import ScheduledReport
    from reporting.services.scheduled import scheduled_report_send

    report = ScheduledReport.objects.filter(pk=int((job.params or {}).get("report_id") or 0)
                                            ).first()
    if report is None:
        return
    jobs.job_set_total(job=job, total=1)
    scheduled_report_send(report=report, period=(job.params or {}).get("period"),
                          force=bool((job.params or {}).get("force")))
    jobs.job_advance(job=job, done=1, succeeded=1)
