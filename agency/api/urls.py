"""The REST API (v1) and its OpenAPI schema."""

from django.urls import path

from accounts import api as accounts_api
from agency.api import views
from agency.api.docs import ApiSchemaView, api_docs_view
from agency.jobs import api as jobs_api
from campaigns import api as campaigns_api
from campaigns.approvals import api as approvals_api
from campaigns.launches.api_urls import urlpatterns as launches_api_urls
from campaigns.media import api as media_api
from reporting import api as reporting_api

app_name = "api"

urlpatterns = [
    path("schema/", ApiSchemaView.as_view(), name="schema"),
    path("docs/", api_docs_view(url_name="api:schema"), name="docs"),
    path("v1/me/", views.MeApi.as_view(), name="me"),
    path("v1/clients/", views.ClientListApi.as_view(), name="client-list"),
    path("v1/clients/<int:client_id>/", views.ClientDetailApi.as_view(), name="client-detail"),
    path("v1/members/", views.MemberListApi.as_view(), name="member-list"),
    path("v1/connections/", accounts_api.ConnectionListApi.as_view(), name="connection-list"),
    path("v1/connections/system-user/", accounts_api.SystemUserTokenApi.as_view(),
         name="connection-system-user"),
    path("v1/connections/<int:connection_id>/", accounts_api.ConnectionDetailApi.as_view(),
         name="connection-detail"),
    path("v1/connections/<int:connection_id>/check/", accounts_api.ConnectionCheckApi.as_view(),
         name="connection-check"),
    path("v1/connections/<int:connection_id>/ad-accounts/",
         accounts_api.ConnectionAdAccountsApi.as_view(), name="connection-ad-accounts"),
    path("v1/ad-accounts/", campaigns_api.AdAccountListApi.as_view(), name="ad-account-list"),
    path("v1/ad-accounts/<int:ad_account_id>/sync/", campaigns_api.AdAccountSyncApi.as_view(),
         name="ad-account-sync"),
    path("v1/ad-accounts/<int:ad_account_id>/bulk/", campaigns_api.AdAccountBulkApi.as_view(),
         name="ad-account-bulk"),
    path("v1/ad-accounts/<int:ad_account_id>/assets/",
         campaigns_api.AdAccountAssetsApi.as_view(), name="ad-account-assets"),
    path("v1/ad-accounts/<int:ad_account_id>/bulk-publish/",
         campaigns_api.BulkPublishStartApi.as_view(), name="bulk-publish-start"),
    path("v1/bulk-publish/<int:job_id>/", campaigns_api.BulkPublishDetailApi.as_view(),
         name="bulk-publish-detail"),
    path("v1/bulk-publish/<int:job_id>/retry/", campaigns_api.BulkPublishRetryApi.as_view(),
         name="bulk-publish-retry"),
    path("v1/campaigns/", campaigns_api.CampaignListApi.as_view(), name="campaign-list"),
    path("v1/campaigns/<int:campaign_id>/", campaigns_api.CampaignDetailApi.as_view(),
         name="campaign-detail"),
    path("v1/campaigns/<int:campaign_id>/check/", campaigns_api.CampaignCheckApi.as_view(),
         name="campaign-check"),
    path("v1/campaigns/<int:campaign_id>/publish/", campaigns_api.CampaignPublishApi.as_view(),
         name="campaign-publish"),
    path("v1/campaigns/<int:campaign_id>/duplicate/",
         campaigns_api.CampaignDuplicateApi.as_view(), name="campaign-duplicate"),
    path("v1/campaigns/<int:campaign_id>/action/", campaigns_api.CampaignActionApi.as_view(),
         name="campaign-action"),
    path("v1/campaigns/<int:campaign_id>/adsets/", campaigns_api.AdSetCreateApi.as_view(),
         name="adset-create"),
    path("v1/adsets/<int:adset_id>/", campaigns_api.AdSetDetailApi.as_view(),
         name="adset-detail"),
    path("v1/adsets/<int:adset_id>/action/", campaigns_api.AdSetActionApi.as_view(),
         name="adset-action"),
    path("v1/creatives/<int:creative_id>/", campaigns_api.CreativeDetailApi.as_view(),
         name="creative-detail"),
    path("v1/creatives/<int:creative_id>/previews/", campaigns_api.CreativePreviewApi.as_view(),
         name="creative-previews"),
    path("v1/ads/<int:ad_id>/", campaigns_api.AdDetailApi.as_view(), name="ad-detail"),
    path("v1/ads/<int:ad_id>/action/", campaigns_api.AdActionApi.as_view(), name="ad-action"),
    path("v1/clients/<int:client_id>/media/", media_api.MediaListApi.as_view(), name="media-list"),
    path("v1/media/<int:media_id>/", media_api.MediaDetailApi.as_view(), name="media-detail"),
    path("v1/media/<int:media_id>/push/", media_api.MediaPushApi.as_view(), name="media-push"),
    path("v1/ad-accounts/refresh/", campaigns_api.AdAccountRefreshApi.as_view(),
         name="ad-account-refresh"),
    path("v1/jobs/", jobs_api.JobListApi.as_view(), name="job-list"),
    path("v1/jobs/<int:job_id>/", jobs_api.JobDetailApi.as_view(), name="job-detail"),
    path("v1/jobs/<int:job_id>/cancel/", jobs_api.JobCancelApi.as_view(), name="job-cancel"),
    path("v1/insights/", reporting_api.InsightListApi.as_view(), name="insight-list"),
    path("v1/approvals/", approvals_api.ApprovalListApi.as_view(), name="approval-list"),
    path("v1/approvals/<int:approval_id>/", approvals_api.ApprovalDetailApi.as_view(),
         name="approval-detail"),
    path("v1/approvals/<int:approval_id>/decide/", approvals_api.ApprovalDecideApi.as_view(),
         name="approval-decide"),
    path("v1/approvals/<int:approval_id>/cancel/", approvals_api.ApprovalCancelApi.as_view(),
         name="approval-cancel"),
    path("v1/campaigns/<int:campaign_id>/approval/",
         approvals_api.CampaignApprovalApi.as_view(), name="campaign-approval"),
]

urlpatterns += launches_api_urls
