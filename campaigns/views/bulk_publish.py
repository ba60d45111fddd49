"""Pages of a bulk publish: its section on the job page (counts per kind, what Meta refused and
why), the live counts for HTMX polling, and "Retry failed"."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from agency.errors import ServiceError
from agency.roles import Capability
from agency.web import AgencyViewMixin
from campaigns import access
from campaigns.services import bulk_publish


def bulk_publish_detail_context(*, job, membership) -> dict:
    """The job page's section (registered with the job kind in campaigns/jobs.py)."""
    return {"bulk": bulk_publish.bulk_publish_progress(job=job),
            "bulk_can_retry": membership.can(Capability.BUILD_CAMPAIGNS)}


class BulkPublishProgressView(AgencyViewMixin, View):
    """The section alone, for HTMX polling (it stops once the job is final)."""

    def get(self, request, job_id: int):
        job = access.access_bulk_publish_by_id(membership=self.membership, job_id=job_id)
        return render(request, "campaigns/_bulk_publish.html",
                      {"job": job, **bulk_publish_detail_context(job=job,
                                                                 membership=self.membership)})


class BulkPublishRetryView(AgencyViewMixin, View):
    capability = Capability.BUILD_CAMPAIGNS

    def post(self, request, job_id: int):
        job = access.access_bulk_publish_by_id(membership=self.membership, job_id=job_id)
        try:
            retry = bulk_publish.bulk_publish_retry_failed(job=job, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("jobs:detail", job_id=job.pk)
        messages.success(request, "Sending again what Meta refused.")
        return redirect("jobs:detail", job_id=retry.pk)
