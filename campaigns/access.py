"""Loading one campaign object for a member: another agency's and a missing one are the same 404;
client viewers see none of the builder."""

from __future__ import annotations

from django.http import Http404

from agency.models import Membership
from agency.roles import Capability
from campaigns.models import Ad, AdAccount, AdCreative, AdSet, Campaign


def access_staff_object(model, membership: Membership, pk: int, what: str):
    """The agency's `model` row `pk` for a staff member, else 404 (shared by the sub-apps)."""
    if not membership.can(Capability.VIEW_AGENCY):
        raise Http404(f"No such {what}.")
    found = model.objects.filter(pk=pk).first()
    if found is None or found.agency_id != membership.agency_id:
        raise Http404(f"No such {what}.")
    return found


def access_ad_account_by_id(*, membership: Membership, ad_account_id: int) -> AdAccount:
    return access_staff_object(AdAccount, membership, ad_account_id, "ad account")


def access_campaign_by_id(*, membership: Membership, campaign_id: int) -> Campaign:
    return access_staff_object(Campaign, membership, campaign_id, "campaign")


def access_adset_by_id(*, membership: Membership, adset_id: int) -> AdSet:
    return access_staff_object(AdSet, membership, adset_id, "ad set")


def access_creative_by_id(*, membership: Membership, creative_id: int) -> AdCreative:
    return access_staff_object(AdCreative, membership, creative_id, "creative")


def access_ad_by_id(*, membership: Membership, ad_id: int) -> Ad:
    return access_staff_object(Ad, membership, ad_id, "ad")


def access_bulk_publish_by_id(*, membership: Membership, job_id: int):
    """A bulk publish job of the member's agency; any other job is "not found" here."""
    from django.http import Http404

    from agency.access import access_job_by_id
    from campaigns.services.bulk_publish import BULK_PUBLISH_KIND

    job = access_job_by_id(membership=membership, job_id=job_id)
    if job.kind != BULK_PUBLISH_KIND:
        raise Http404("No such bulk publish.")
    return job
