"""Pages of templates, variants, CSV import and batches (namespace `launches`)."""

from django.urls import path

from campaigns.launches import views

app_name = "launches"

urlpatterns = [
    path("templates/", views.TemplateListView.as_view(), name="templates"),
    path("templates/<int:template_id>/rename/", views.TemplateRenameView.as_view(),
         name="template-rename"),
    path("templates/<int:template_id>/delete/", views.TemplateDeleteView.as_view(),
         name="template-delete"),
    path("adsets/<int:adset_id>/save-template/", views.AdSetTemplateSaveView.as_view(),
         name="adset-save-template"),
    path("creatives/<int:creative_id>/save-template/", views.CreativeTemplateSaveView.as_view(),
         name="creative-save-template"),
    path("campaigns/<int:campaign_id>/save-template/", views.CampaignTemplateSaveView.as_view(),
         name="campaign-save-template"),
    path("adsets/<int:adset_id>/apply-template/", views.AdSetTemplateApplyView.as_view(),
         name="adset-apply-template"),
    path("creatives/<int:creative_id>/apply-template/",
         views.CreativeTemplateApplyView.as_view(), name="creative-apply-template"),
    path("campaigns/<int:campaign_id>/apply-template/",
         views.CampaignTemplateApplyView.as_view(), name="campaign-apply-template"),
    path("accounts/<int:ad_account_id>/from-template/", views.CampaignFromTemplateView.as_view(),
         name="campaign-from-template"),
    path("campaigns/<int:campaign_id>/variants/", views.VariantView.as_view(), name="variants"),
    path("batches/<int:batch_id>/", views.BatchView.as_view(), name="batch"),
    path("batches/<int:batch_id>/publish/", views.BatchPublishView.as_view(),
         name="batch-publish"),
    path("accounts/<int:ad_account_id>/import/", views.CsvImportView.as_view(),
         name="csv-import"),
    path("accounts/<int:ad_account_id>/import/errors.csv", views.CsvErrorsView.as_view(),
         name="csv-errors"),
    path("csv-template.csv", views.CsvTemplateView.as_view(), name="csv-template"),
]
