"""The REST API (v1) and its OpenAPI schema."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from agency.api import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("v1/me/", views.MeApi.as_view(), name="me"),
    path("v1/clients/", views.ClientListApi.as_view(), name="client-list"),
    path("v1/clients/<int:client_id>/", views.ClientDetailApi.as_view(), name="client-detail"),
    path("v1/members/", views.MemberListApi.as_view(), name="member-list"),
]
