"""Loading one media object for a member: "not found" and "not yours" look the same (404).
The library is staff data: client viewers get 404 here too."""

from __future__ import annotations

from django.http import Http404

from agency.models import Membership
from agency.roles import Capability
from campaigns.media.models import AccountMedia, MediaAsset


def access_media_by_id(*, membership: Membership, media_id: int) -> MediaAsset:
    if not membership.can(Capability.VIEW_AGENCY):
        raise Http404("No such media.")
    found = MediaAsset.objects.select_related("client").filter(pk=media_id).first()
    if found is None or found.agency_id != membership.agency_id:
        raise Http404("No such media.")
    return found


def access_account_media_by_id(*, membership: Membership, account_media_id: int) -> AccountMedia:
    if not membership.can(Capability.VIEW_AGENCY):
        raise Http404("No such media copy.")
    found = (AccountMedia.objects.select_related("asset", "ad_account__connection")
             .filter(pk=account_media_id).first())
    if found is None or found.agency_id != membership.agency_id:
        raise Http404("No such media copy.")
    return found
