"""Reporting pages: the reports home (the client viewer's landing page) and a client's reports."""

from __future__ import annotations

from django.views.generic import TemplateView

from agency import selectors
from agency.access import access_client_by_id
from agency.roles import Capability
from agency.web import AgencyViewMixin


class ReportsHomeView(AgencyViewMixin, TemplateView):
    capability = Capability.VIEW_REPORTS
    template_name = "reporting/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["clients"] = selectors.client_list(agency=self.agency, membership=self.membership)
        return context


class ClientReportView(AgencyViewMixin, TemplateView):
    capability = Capability.VIEW_REPORTS
    template_name = "reporting/client_report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["client"] = access_client_by_id(
            membership=self.membership, client_id=self.kwargs["client_id"]
        )
        return context
