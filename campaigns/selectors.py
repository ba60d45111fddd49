"""Reads of the campaigns app."""

from __future__ import annotations

from django.db.models import QuerySet

from agency.access import visible_client_ids
from agency.graph.factory import usage_for_account
from agency.graph.throttle import AccountUsage
from agency.models import Membership
from campaigns.models import AdAccount


def ad_account_list(*, agency, membership: Membership) -> QuerySet[AdAccount]:
    accounts = AdAccount.objects.filter(agency=agency).select_related("client", "connection")
    allowed = visible_client_ids(membership=membership)
    if allowed is not None:
        accounts = accounts.filter(client_id__in=allowed)
    return accounts.order_by("client__name", "name")


def ad_account_call_budget(*, ad_account: AdAccount) -> AccountUsage:
    """How much of its Graph call budget the ad account has used, as Meta last reported it."""
    return usage_for_account(ad_account.act_id)
