"""Reads of the campaigns app."""

from __future__ import annotations

from django.db.models import QuerySet

from agency.access import visible_client_ids
from agency.models import Membership
from campaigns.models import AdAccount


def ad_account_list(*, agency, membership: Membership) -> QuerySet[AdAccount]:
    accounts = AdAccount.objects.filter(agency=agency).select_related("client", "connection")
    allowed = visible_client_ids(membership=membership)
    if allowed is not None:
        accounts = accounts.filter(client_id__in=allowed)
    return accounts.order_by("client__name", "name")
