"""API of the campaigns app: ad accounts (accounts.py) and the builder (builder.py)."""

from campaigns.api.accounts import AdAccountListApi, AdAccountRefreshApi
from campaigns.api.builder import (
    AdAccountAssetsApi,
    AdAccountBulkApi,
    AdAccountSyncApi,
    AdActionApi,
    AdDetailApi,
    AdSetActionApi,
    AdSetCreateApi,
    AdSetDetailApi,
    CampaignActionApi,
    CampaignCheckApi,
    CampaignDetailApi,
    CampaignDuplicateApi,
    CampaignListApi,
    CampaignPublishApi,
    CreativeDetailApi,
    CreativePreviewApi,
)
from campaigns.api.bulk_publish import (
    BulkPublishDetailApi,
    BulkPublishRetryApi,
    BulkPublishStartApi,
)

__all__ = [
    "AdAccountAssetsApi",
    "AdAccountBulkApi",
    "AdAccountListApi",
    "AdAccountRefreshApi",
    "AdAccountSyncApi",
    "AdActionApi",
    "AdDetailApi",
    "AdSetActionApi",
    "AdSetCreateApi",
    "AdSetDetailApi",
    "BulkPublishDetailApi",
    "BulkPublishRetryApi",
    "BulkPublishStartApi",
    "CampaignActionApi",
    "CampaignCheckApi",
    "CampaignDetailApi",
    "CampaignDuplicateApi",
    "CampaignListApi",
    "CampaignPublishApi",
    "CreativeDetailApi",
    "CreativePreviewApi",
]
