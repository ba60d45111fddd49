from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.ReportsHomeView.as_view(), name="home"),
    path("clients/<int:client_id>/", views.ClientReportView.as_view(), name="client"),
]
