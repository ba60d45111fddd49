"""Root URL configuration."""

from django.contrib import admin
from django.urls import include, path

from agency import views

agency_patterns = (
    [
        path("", views.ClientListView.as_view(), name="client-list"),
        path("new/", views.ClientCreateView.as_view(), name="client-create"),
        path("<int:client_id>/", views.ClientDetailView.as_view(), name="client-detail"),
        path("<int:client_id>/edit/", views.ClientUpdateView.as_view(), name="client-update"),
    ],
    "agency",
)

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("no-agency/", views.NoAgencyView.as_view(), name="no-agency"),
    path("switch-agency/", views.AgencySwitchView.as_view(), name="switch-agency"),
    path("clients/", include(agency_patterns)),
    path("accounts/", include("accounts.urls")),
    path("reports/", include("reporting.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("", include("campaigns.media.urls")),
    path("launches/", include("campaigns.launches.urls")),
    path("jobs/", include("agency.jobs.urls")),
    path("approvals/", include("campaigns.approvals.urls")),
    path("api/", include("agency.api.urls")),
    path("admin/", admin.site.urls),
]
