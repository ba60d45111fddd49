"""URLs of the campaign builder and the live view (namespace `campaigns`)."""

from django.urls import path

from campaigns.views import builder, bulk_publish, live

app_name = "campaigns"

urlpatterns = [
    path("", live.CampaignIndexView.as_view(), name="index"),
    path("accounts/<int:ad_account_id>/", live.AdAccountTreeView.as_view(), name="account"),
    path("accounts/<int:ad_account_id>/sync/", live.AdAccountSyncView.as_view(),
         name="account-sync"),
    path("accounts/<int:ad_account_id>/bulk/", live.AdAccountBulkView.as_view(),
         name="account-bulk"),
    path("accounts/<int:ad_account_id>/new/", builder.CampaignCreateView.as_view(),
         name="campaign-new"),
    path("accounts/<int:ad_account_id>/targeting-search/", builder.TargetingSearchView.as_view(),
         name="targeting-search"),
    path("bulk-publish/<int:job_id>/progress/", bulk_publish.BulkPublishProgressView.as_view(),
         name="bulk-publish-progress"),
    path("bulk-publish/<int:job_id>/retry/", bulk_publish.BulkPublishRetryView.as_view(),
         name="bulk-publish-retry"),
    path("<int:campaign_id>/", builder.CampaignBuilderView.as_view(), name="builder"),
    path("<int:campaign_id>/save/", builder.CampaignSaveView.as_view(), name="campaign-save"),
    path("<int:campaign_id>/adsets/new/", builder.AdSetAddView.as_view(), name="adset-add"),
    path("<int:campaign_id>/duplicate/", builder.CampaignDuplicateView.as_view(),
         name="campaign-duplicate"),
    path("<int:campaign_id>/check/", builder.CampaignCheckView.as_view(), name="campaign-check"),
    path("<int:campaign_id>/publish/", builder.CampaignPublishView.as_view(),
         name="campaign-publish"),
    path("<int:campaign_id>/status/", builder.CampaignStatusView.as_view(),
         name="campaign-status"),
    path("<int:campaign_id>/action/", live.CampaignActionView.as_view(), name="campaign-action"),
    path("<int:campaign_id>/live-edit/", live.CampaignLiveEditView.as_view(),
         name="campaign-live-edit"),
    path("adsets/<int:adset_id>/save/", builder.AdSetSaveView.as_view(), name="adset-save"),
    path("adsets/<int:adset_id>/ads/new/", builder.AdAddView.as_view(), name="ad-add"),
    path("adsets/<int:adset_id>/estimate/", builder.AdSetEstimateView.as_view(),
         name="adset-estimate"),
    path("adsets/<int:adset_id>/action/", live.AdSetActionView.as_view(), name="adset-action"),
    path("adsets/<int:adset_id>/live-edit/", live.AdSetLiveEditView.as_view(),
         name="adset-live-edit"),
    path("creatives/<int:creative_id>/save/", builder.CreativeSaveView.as_view(),
         name="creative-save"),
    path("creatives/<int:creative_id>/preview/", builder.CreativePreviewView.as_view(),
         name="creative-preview"),
    path("creatives/<int:creative_id>/live-edit/", live.CreativeLiveEditView.as_view(),
         name="creative-live-edit"),
    path("ads/<int:ad_id>/save/", builder.AdSaveView.as_view(), name="ad-save"),
    path("ads/<int:ad_id>/live-edit/", live.AdLiveEditView.as_view(), name="ad-live-edit"),
    path("ads/<int:ad_id>/action/", live.AdActionView.as_view(), name="ad-action"),
]
