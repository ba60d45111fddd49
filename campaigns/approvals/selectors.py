"""Reads of client approval: whether a campaign needs it, its state, the requests a member may
see, and the decisions the staff home page announces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from agency.access import visible_client_ids
from agency.models import Client, Membership
from campaigns.approvals.models import (
    ApprovalItem,
    ApprovalRequest,
    ApprovalState,
    CampaignApprovalPolicy,
    ClientApprovalPolicy,
)
from campaigns.approvals.snapshot import campaign_fingerprint
from campaigns.models import AdCreative, Campaign, PublishState

NOTICE_DAYS = 14


def client_requires_approval(*, client_id: int) -> bool:
    return ClientApprovalPolicy.objects.filter(client_id=client_id, required=True).exists()


def campaign_requires_approval(*, campaign: Campaign) -> bool:
    """The draft's override, else its client's default."""
    override = CampaignApprovalPolicy.objects.filter(campaign=campaign).values_list(
        "required", flat=True).first()
    if override is not None:
        return override
    return client_requires_approval(client_id=campaign.ad_account.client_id)


@dataclass(frozen=True)
class CampaignApproval:
    """A campaign's approval as the builder shows it."""

    required: bool
    override: bool | None  # the draft's own setting; None = the client's default
    client_default: bool
    approved: bool  # an approval of exactly what the draft is now
    latest: ApprovalRequest | None  # the newest request that names the campaign
    stale: bool  # the latest request was for an earlier version of the draft


def campaign_approval(*, campaign: Campaign) -> CampaignApproval:
    override = CampaignApprovalPolicy.objects.filter(campaign=campaign).values_list(
        "required", flat=True).first()
    client_default = client_requires_approval(client_id=campaign.ad_account.client_id)
    items = list(ApprovalItem.objects.filter(campaign=campaign).select_related("request")
                 .order_by("-request__sent_at", "-pk")[:20])
    fingerprint = campaign_fingerprint(campaign) if items else ""
    approved = any(i.request.state == ApprovalState.APPROVED and i.fingerprint == fingerprint
                   for i in items)
    latest = items[0] if items else None
    return CampaignApproval(
        required=client_default if override is None else override,
        override=override, client_default=client_default, approved=approved,
        latest=latest.request if latest else None,
        stale=bool(latest) and latest.fingerprint != fingerprint,
    )


def approval_list(*, agency, membership: Membership, states: list[str] | None = None
                  ) -> QuerySet[ApprovalRequest]:
    """The requests a member may see: all of the agency's for staff, its clients' for a client
    viewer."""
    requests = ApprovalRequest.objects.filter(agency=agency).select_related(
        "client", "sent_by", "decided_by")
    allowed = visible_client_ids(membership=membership)
    if allowed is not None:
        requests = requests.filter(client_id__in=allowed)
    if states:
        requests = requests.filter(state__in=states)
    return requests.order_by("-sent_at", "-pk")


def approval_notices(*, agency) -> QuerySet[ApprovalRequest]:
    """Recent client decisions nobody has dismissed yet, for the staff home page."""
    since = timezone.now() - timedelta(days=NOTICE_DAYS)
    return (ApprovalRequest.objects.filter(
        agency=agency, state__in=[ApprovalState.APPROVED, ApprovalState.CHANGES_REQUESTED],
        decided_at__gte=since, notice_dismissed_at__isnull=True)
        .select_related("client", "decided_by").order_by("-decided_at")[:10])


def sendable_drafts(*, agency) -> QuerySet[Campaign]:
    """Drafts that may be sent for approval, by client, newest first."""
    return (Campaign.objects.filter(agency=agency)
            .exclude(publish_state__in=[PublishState.PUBLISHED, PublishState.PUBLISHING])
            .select_related("ad_account__client").order_by("ad_account__client__name",
                                                            "-created_at"))


def client_policies(*, agency) -> list[tuple[Client, bool]]:
    """Every client of the agency with whether its campaigns need its approval by default."""
    required = dict(ClientApprovalPolicy.objects.filter(agency=agency)
                    .values_list("client_id", "required"))
    return [(c, required.get(c.pk, False))
            for c in Client.objects.filter(agency=agency).order_by("name")]


def approval_creatives(*, approval: ApprovalRequest) -> QuerySet[AdCreative]:
    """The creatives the client was shown (to preview them)."""
    ids = [c["id"] for item in approval.items.all()
           for c in (item.snapshot.get("summary") or {}).get("creatives", [])]
    return (AdCreative.objects.filter(pk__in=ids, agency_id=approval.agency_id)
            .select_related("ad_account__connection").order_by("pk"))
