"""Media-library files a creative uses, put on its ad account before the creative is sent:
inside the publish job (images and videos, each through the media library's own push, which is
idempotent: an image is addressed by its content hash, a video resumes from its last
acknowledged chunk and keeps its id once Meta returned it), and for previews and Check with Meta
(images at once; a video is sent by a media job and the page says so)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from agency.errors import ServiceError
from agency.graph.errors import GraphTransientError
from campaigns.models import AdAccount, AdCreative
from campaigns.services.payloads import creative_media_ids


class MediaPushFailedError(ServiceError):
    """Meta refused a media-library file for the ad account: the creative cannot be sent."""

    code = "media_push_failed"
    http_status = 409


def _assets(creatives: Iterable[AdCreative], ad_account: AdAccount):
    from campaigns.media.models import MediaAsset

    ids = {i for c in creatives if not c.graph_id for i in creative_media_ids(c)}
    if not ids:
        return []
    # Only the ad account's client's own files: an id of another client's is not sent.
    return list(MediaAsset.objects.filter(pk__in=ids, client_id=ad_account.client_id)
                .order_by("pk"))


def _copy(asset, ad_account: AdAccount):
    from campaigns.media.models import AccountMedia

    copy, _ = AccountMedia.objects.get_or_create(asset=asset, ad_account=ad_account,
                                                 defaults={"agency_id": asset.agency_id})
    return copy


def _busy_elsewhere(copy, job) -> bool:
    from agency.jobs.models import ACTIVE_STATES

    return bool(copy.job_id and (job is None or copy.job_id != job.pk)
                and copy.job.state in ACTIVE_STATES)


def campaign_media_push(*, campaign, job=None, actor=None,
                        sleep: Callable[[float], None] | None = None) -> int:
    """In the publish job, before any creative: every library file the campaign's unpublished
    creatives use is made ready on the ad account. Returns how many were sent now.

    A file a media job is sending right now is waited for (a transient error: the job runner
    retries with backoff); a file Meta refused stops the publish with Meta's reason."""
    from campaigns import selectors
    from campaigns.media.models import AccountMediaState
    from campaigns.media.services import account_media_push

    ad_account = campaign.ad_account
    _, creatives, ads = selectors.campaign_children(campaign=campaign)
    used = {ad.creative_id for ad in ads}
    sent = 0
    for asset in _assets([c for c in creatives if c.pk in used], ad_account):
        copy = _copy(asset, ad_account)
        if copy.state == AccountMediaState.READY:
            continue
        if _busy_elsewhere(copy, job):
            raise GraphTransientError(f"“{asset.name}” is still being sent to the ad account.")
        copy = account_media_push(copy=copy, sleep=sleep, actor=actor)
        if copy.state != AccountMediaState.READY:
            raise MediaPushFailedError(
                f"Meta refused “{asset.name}” for the ad account: {copy.error or 'no reason'}",
                field="spec", extra={"media_asset_id": asset.pk})
        sent += 1
    return sent


def creative_media_prepare(*, creative: AdCreative, actor=None) -> list[str]:
    """For previews and Check with Meta: images go to the ad account now (one quick call each);
    videos are handed to a media job. Returns what is still on its way, for the page."""
    from campaigns.media.models import AccountMediaState, MediaKind
    from campaigns.media.services import account_media_push, media_push_to_accounts

    waiting = []
    for asset in _assets([creative], creative.ad_account):
        copy = _copy(asset, creative.ad_account)
        if copy.state == AccountMediaState.READY:
            continue
        if asset.kind == MediaKind.IMAGE and not _busy_elsewhere(copy, None):
            copy = account_media_push(copy=copy, actor=actor)
            if copy.state == AccountMediaState.READY:
                continue
            waiting.append(f"Meta refused “{asset.name}”: {copy.error}")
            continue
        media_push_to_accounts(asset=asset, actor=actor, ad_accounts=[creative.ad_account])
        waiting.append(f"“{asset.name}” is being sent to the ad account; preview it once it "
                       "is ready.")
    return waiting
