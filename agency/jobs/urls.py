"""Job pages."""

from django.urls import path

from agency.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.JobListView.as_view(), name="list"),
    path("<int:job_id>/", views.JobDetailView.as_view(), name="detail"),
    path("<int:job_id>/progress/", views.JobProgressView.as_view(), name="progress"),
    path("<int:job_id>/cancel/", views.JobCancelView.as_view(), name="cancel"),
]
