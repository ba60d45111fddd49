"""Loading one reporting object for a member: missing and not-yours are the same 404; a client
viewer reaches only the ad accounts and reports of the clients granted to it."""

from __future__ import annotations

from django.http import Http404

from agency.access import visible_client_ids
from agency.ids import parse_graph_id
from agency.models import Membership
from agency.roles import Capability
from campaigns.models import AdAccount
from reporting.models import InsightRow, Level, ScheduledReport


def access_ad_account_by_id(*, membership: Membership, ad_account_id: int) -> AdAccount:
    account = (AdAccount.objects.select_related("client", "connection")
               .filter(pk=ad_account_id).first())
    if account is None or account.agency_id != membership.agency_id:
        raise Http404("No such ad account.")
    allowed = visible_client_ids(membership=membership)
    if allowed is not None and account.client_id not in allowed:
        raise Http404("No such ad account.")
    return account


def access_campaign_of_account(*, ad_account: AdAccount, campaign_id: str) -> dict:
    """A campaign known from the account's insights: `{"id", "name"}` (404 otherwise)."""
    if parse_graph_id(campaign_id) != campaign_id:
        raise Http404("No such campaign.")
    row = (InsightRow.objects.filter(ad_account=ad_account, level=Level.CAMPAIGN,
                                     object_id=campaign_id, breakdown="")
           .order_by("-date").values("campaign_name").first())
    if row is None:
        raise Http404("No such campaign.")
    return {"id": campaign_id, "name": row["campaign_name"] or campaign_id}


def access_scheduled_report_by_id(*, membership: Membership, report_id: int) -> ScheduledReport:
    if not membership.can(Capability.VIEW_AGENCY):
        raise Http404("No such report.")
    report = ScheduledReport.objects.select_related("client").filter(pk=report_id).first()
    if report is None or report.agency_id != membership.agency_id:
        raise Http404("No such report.")
    return report
