"""Scheduled reports of a client: list, create, preview, PDF, send now, remove."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views import View

from agency.access import access_client_by_id
from agency.errors import ServiceError
from agency.roles import Capability
from agency.web import AgencyViewMixin
from reporting.access import (
    access_scheduled_report_by_id,
)
from reporting.forms import ScheduledReportCreateForm
from reporting.models import ScheduledReport
from reporting.services import scheduled as scheduled_services
from reporting.views.dashboards import ReportPage


class ScheduledReportListView(ReportPage):
    """A client's scheduled reports (staff); managers add and remove them."""

    capability = Capability.VIEW_AGENCY
    template_name = "reporting/schedules.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        client = access_client_by_id(membership=self.membership,
                                     client_id=self.kwargs["client_id"])
        context.update(client=client, form=kwargs.get("form") or ScheduledReportCreateForm(),
                       reports=list(ScheduledReport.objects.filter(client=client)),
                       can_manage=self.membership.can(Capability.MANAGE_CLIENTS))
        return context

    def post(self, request, client_id: int):
        client = access_client_by_id(membership=self.membership, client_id=client_id)
        if not self.membership.can(Capability.MANAGE_CLIENTS):
            raise PermissionDenied("Your role does not allow scheduling reports.")
        form = ScheduledReportCreateForm(request.POST)
        if form.is_valid():
            try:
                scheduled_services.scheduled_report_create(
                    client=client, actor=request.user, **form.cleaned_data)
            except ServiceError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(request, "Report scheduled.")
                return redirect("reporting:schedules", client_id=client.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ScheduledReportPreviewView(ReportPage):
    capability = Capability.VIEW_AGENCY
    template_name = "reporting/schedule_preview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = access_scheduled_report_by_id(membership=self.membership,
                                               report_id=self.kwargs["report_id"])
        content = scheduled_services.report_content(report=report)
        context.update(report=report, content=content, preview=True,
                       chart_data_uri=scheduled_services.chart_data_uri(content=content))
        return context


class ScheduledReportPdfView(ReportPage):
    capability = Capability.VIEW_AGENCY

    def get(self, request, report_id: int):
        report = access_scheduled_report_by_id(membership=self.membership, report_id=report_id)
        content = scheduled_services.report_content(report=report)
        response = HttpResponse(scheduled_services.report_pdf(content=content),
                                content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="report-{report.client_id}-{content.period}.pdf"')
        return response


class ScheduledReportSendView(AgencyViewMixin, View):
    capability = Capability.MANAGE_CLIENTS

    def post(self, request, report_id: int):
        report = access_scheduled_report_by_id(membership=self.membership, report_id=report_id)
        scheduled_services.scheduled_report_send_start(report=report, actor=request.user,
                                                       force=True)
        messages.success(request, "The report is on its way.")
        return redirect("reporting:schedules", client_id=report.client_id)


class ScheduledReportDeleteView(AgencyViewMixin, View):
    capability = Capability.MANAGE_CLIENTS

    def post(self, request, report_id: int):
        report = access_scheduled_report_by_id(membership=self.membership, report_id=report_id)
        client_id = report.client_id
        scheduled_services.scheduled_report_delete(report=report, actor=request.user)
        messages.success(request, "Scheduled report removed.")
        return redirect("reporting:schedules", client_id=client_id)
