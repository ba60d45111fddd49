"""Job pages: the agency's jobs, one job with its errors, the live progress partial, cancel."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.views import View
from django.views.generic import TemplateView

from agency.access import access_job_by_id
from agency.errors import ServiceError
from agency.jobs import selectors, services
from agency.jobs.models import JobState
from agency.jobs.permissions import job_can_cancel
from agency.jobs.registry import kind_get, kind_is_registered, kinds_registered
from agency.web import AgencyViewMixin

PAGE_SIZE = 100


class JobListView(AgencyViewMixin, TemplateView):
    template_name = "jobs/job_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = self.request.GET.get("state", "")[:32]
        kind = self.request.GET.get("kind", "")[:64]
        context["jobs"] = selectors.job_list(agency=self.agency, state=state or None,
                                             kind=kind or None)[:PAGE_SIZE]
        context["states"] = JobState.choices
        context["kinds"] = [(k.name, k.label) for k in kinds_registered()]
        context["state"], context["kind"] = state, kind
        return context


class JobDetailView(AgencyViewMixin, TemplateView):
    template_name = "jobs/job_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = access_job_by_id(membership=self.membership, job_id=kwargs["job_id"])
        context["job"] = job
        context["errors"] = [
            {"at": parse_datetime(str(e.get("at", ""))), "message": e.get("message", "")}
            for e in reversed(job.errors)
        ]
        kind = kind_get(job.kind) if kind_is_registered(job.kind) else None
        if kind is not None and kind.detail is not None:
            context["detail_template"] = kind.detail_template
            context.update(kind.detail(job=job, membership=self.membership))
        return context


class JobProgressView(AgencyViewMixin, View):
    """The progress component alone, for HTMX polling (it stops once the job is final)."""

    def get(self, request, job_id: int):
        job = access_job_by_id(membership=self.membership, job_id=job_id)
        return render(request, "jobs/_progress.html", {"job": job})


class JobCancelView(AgencyViewMixin, View):
    def post(self, request, job_id: int):
        job = access_job_by_id(membership=self.membership, job_id=job_id)
        if not job_can_cancel(job=job, membership=self.membership):
            raise PermissionDenied("Your role cannot cancel this job.")
        try:
            services.job_cancel(job=job, actor=request.user)
        except ServiceError as exc:
            if not request.htmx:
                messages.error(request, exc.message)
        else:
            if not request.htmx:
                messages.success(request, f"{job.label} cancelled.")
        if request.htmx:
            return render(request, "jobs/_progress.html", {"job": job})
        return redirect("jobs:detail", job_id=job.pk)
