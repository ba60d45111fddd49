"""Reads of the media library."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from agency.models import Client
from campaigns.media.models import AccountMedia, AccountMediaState, MediaAsset
from campaigns.models import AdAccount


def media_list(*, agency, client: Client, kind: str | None = None) -> QuerySet[MediaAsset]:
    """A client's assets, newest first, with their copies per ad account (and their jobs)."""
    assets = MediaAsset.objects.filter(agency=agency, client=client)
    if kind:
        assets = assets.filter(kind=kind)
    copies = (AccountMedia.objects.filter(agency=agency)
              .select_related("ad_account", "job").order_by("ad_account__name", "pk"))
    return assets.prefetch_related(Prefetch("copies", queryset=copies))


def media_get(*, agency, asset_id: int) -> MediaAsset | None:
    return media_list_for_agency(agency=agency).filter(pk=asset_id).first()


def media_list_for_agency(*, agency) -> QuerySet[MediaAsset]:
    copies = (AccountMedia.objects.filter(agency=agency)
              .select_related("ad_account", "job").order_by("ad_account__name", "pk"))
    return (MediaAsset.objects.filter(agency=agency).select_related("client")
            .prefetch_related(Prefetch("copies", queryset=copies)))


def account_media_ready(asset: MediaAsset, ad_account: AdAccount) -> AccountMedia | None:
    """The asset's copy on the ad account when Meta has it ready (image hash / video id), else
    None (not sent yet, still uploading or processing, or failed)."""
    return AccountMedia.objects.filter(
        asset=asset, ad_account=ad_account, state=AccountMediaState.READY
    ).first()


def media_jobs_active(*, assets) -> list:
    """The distinct jobs still sending any of these assets (for the live progress bars)."""
    from agency.jobs.models import ACTIVE_STATES

    seen: dict[int, object] = {}
    for asset in assets:
        for copy in asset.copies.all():
            if copy.job_id and copy.job.state in ACTIVE_STATES:
                seen.setdefault(copy.job_id, copy.job)
    return list(seen.values())
