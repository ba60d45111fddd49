"""An edit of a draft (every edit writes a version row) makes the open approval requests of its
campaign stop counting when what the client saw changed."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from campaigns.models import Ad, AdCreative, AdSet, ObjectVersion, PublishState

WATCHED_SOURCES = {"page", "api"}


def _campaign_ids(version: ObjectVersion) -> set[int]:
    kind, pk = version.object_kind, version.object_id
    if kind == "campaign":
        return {pk}
    if kind == "adset":
        return set(AdSet.objects.filter(pk=pk).values_list("campaign_id", flat=True))
    if kind == "ad":
        return set(Ad.objects.filter(pk=pk).values_list("adset__campaign_id", flat=True))
    ids = set(AdCreative.objects.filter(pk=pk).exclude(campaign_id=None)
              .values_list("campaign_id", flat=True))
    return ids | set(Ad.objects.filter(creative_id=pk).values_list("adset__campaign_id",
                                                                  flat=True))


@receiver(post_save, sender=ObjectVersion, dispatch_uid="approvals_draft_edited")
def draft_edited(sender, instance: ObjectVersion, created: bool, **kwargs) -> None:
    if not created or instance.source not in WATCHED_SOURCES:
        return
    from campaigns.approvals.models import OPEN_STATES, ApprovalItem
    from campaigns.approvals.services import approvals_supersede_edited
    from campaigns.models import Campaign

    ids = _campaign_ids(instance)
    watched = set(ApprovalItem.objects.filter(campaign_id__in=ids, request__state__in=OPEN_STATES)
                  .exclude(campaign__publish_state=PublishState.PUBLISHED)
                  .values_list("campaign_id", flat=True))
    if not watched:
        return
    actor = instance.actor
    if "deleted" in (instance.diff or {}):
        # The row is deleted after its version is written: look once the edit is done.
        def later():
            alive = set(Campaign.objects.filter(pk__in=watched).values_list("pk", flat=True))
            approvals_supersede_edited(campaign_ids=alive, actor=actor)

        transaction.on_commit(later)
        return
    approvals_supersede_edited(campaign_ids=watched, actor=actor)
