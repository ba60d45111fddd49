"""Writes of the campaigns app, by topic: ad accounts, drafts, publishing, sync, managing live
objects. The ad account services are re-exported here for their existing callers."""

from campaigns.services.accounts import (
    ACCOUNT_FIELDS,
    ACCOUNT_STATUS_LABELS,
    ReachableAdAccount,
    ad_accounts_import,
    ad_accounts_reachable,
)

__all__ = [
    "ACCOUNT_FIELDS",
    "ACCOUNT_STATUS_LABELS",
    "ReachableAdAccount",
    "ad_accounts_import",
    "ad_accounts_reachable",
]
