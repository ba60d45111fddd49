"""API routes of templates, variants, CSV import and batches; added to the `api` namespace by
agency/api/urls.py."""

from django.urls import path

from campaigns.launches import api

urlpatterns = [
    path("v1/templates/", api.TemplateListApi.as_view(), name="template-list"),
    path("v1/templates/<int:template_id>/", api.TemplateDetailApi.as_view(),
         name="template-detail"),
    path("v1/templates/<int:template_id>/apply/", api.TemplateApplyApi.as_view(),
         name="template-apply"),
    path("v1/campaigns/<int:campaign_id>/variants/preview/", api.VariantPreviewApi.as_view(),
         name="variant-preview"),
    path("v1/campaigns/<int:campaign_id>/variants/generate/", api.VariantGenerateApi.as_view(),
         name="variant-generate"),
    path("v1/ad-accounts/<int:ad_account_id>/csv-import/", api.CsvImportApi.as_view(),
         name="csv-import"),
    path("v1/launch-batches/<int:batch_id>/", api.BatchDetailApi.as_view(),
         name="batch-detail"),
    path("v1/launch-batches/<int:batch_id>/publish/", api.BatchPublishApi.as_view(),
         name="batch-publish"),
]
