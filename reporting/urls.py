from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.ReportsHomeView.as_view(), name="home"),
    path("logo.png", views.ReportLogoView.as_view(), name="logo"),
    path("overview.csv", views.OverviewCsvView.as_view(), name="overview-csv"),
    path("branding/", views.ReportBrandingView.as_view(), name="branding"),
    path("clients/<int:client_id>/", views.ClientReportView.as_view(), name="client"),
    path("clients/<int:client_id>/export.csv", views.ClientCsvView.as_view(), name="client-csv"),
    path("clients/<int:client_id>/schedules/", views.ScheduledReportListView.as_view(),
         name="schedules"),
    path("accounts/<int:ad_account_id>/", views.AdAccountReportView.as_view(),
         name="ad-account"),
    path("accounts/<int:ad_account_id>/refresh/", views.AdAccountRefreshView.as_view(),
         name="ad-account-refresh"),
    path("accounts/<int:ad_account_id>/lookback/", views.AdAccountLookbackView.as_view(),
         name="ad-account-lookback"),
    path("accounts/<int:ad_account_id>/export.csv", views.AdAccountCsvView.as_view(),
         name="ad-account-csv"),
    path("accounts/<int:ad_account_id>/campaigns/<str:graph_campaign_id>/",
         views.CampaignReportView.as_view(), name="campaign"),
    path("accounts/<int:ad_account_id>/campaigns/<str:graph_campaign_id>/export.csv",
         views.CampaignCsvView.as_view(), name="campaign-csv"),
    path("schedules/<int:report_id>/preview/", views.ScheduledReportPreviewView.as_view(),
         name="schedule-preview"),
    path("schedules/<int:report_id>/report.pdf", views.ScheduledReportPdfView.as_view(),
         name="schedule-pdf"),
    path("schedules/<int:report_id>/send/", views.ScheduledReportSendView.as_view(),
         name="schedule-send"),
    path("schedules/<int:report_id>/delete/", views.ScheduledReportDeleteView.as_view(),
         name="schedule-delete"),
]
