"""Writes of the campaigns app, by topic: ad accounts, drafts, publishing, sync, managing live
objects. The ad account services are re-exported here for their existing callers."""

from campaigns.services.accounts import (
    ACCOUNT_FIELDS,
    ACCOUNT_STATUS_LABELS,
    REFRESH_FIELDS,
    ReachableAdAccount,
    ad_account_apply_refresh,
    ad_accounts_import,
    ad_accounts_reachable,
    ad_accounts_refresh,
    ad_accounts_refresh_start,
)

__all__ = [
    "ACCOUNT_FIELDS",
    "ACCOUNT_STATUS_LABELS",
    "REFRESH_FIELDS",
    "ReachableAdAccount",
    "ad_account_apply_refresh",
    "ad_accounts_import",
    "ad_accounts_reachable",
    "ad_accounts_refresh",
    "ad_accounts_refresh_start",
]
