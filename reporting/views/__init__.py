"""Reporting pages, one module per topic; URLs name the views through this package."""

from reporting.views.branding import ReportBrandingView, ReportLogoView
from reporting.views.dashboards import (
    AdAccountLookbackView,
    AdAccountRefreshView,
    AdAccountReportView,
    CampaignReportView,
    ClientReportView,
    ReportPage,
    ReportsHomeView,
)
from reporting.views.exports import (
    AdAccountCsvView,
    CampaignCsvView,
    ClientCsvView,
    OverviewCsvView,
)
from reporting.views.schedules import (
    ScheduledReportDeleteView,
    ScheduledReportListView,
    ScheduledReportPdfView,
    ScheduledReportPreviewView,
    ScheduledReportSendView,
)

__all__ = [
    "AdAccountCsvView", "AdAccountLookbackView", "AdAccountRefreshView", "AdAccountReportView",
    "CampaignCsvView", "CampaignReportView", "ClientCsvView", "ClientReportView",
    "OverviewCsvView", "ReportBrandingView", "ReportLogoView", "ReportPage", "ReportsHomeView",
    "ScheduledReportDeleteView", "ScheduledReportListView", "ScheduledReportPdfView",
    "ScheduledReportPreviewView", "ScheduledReportSendView",
]
