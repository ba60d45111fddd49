"""Reads of templates and launch batches."""

from __future__ import annotations

from django.db.models import QuerySet

from campaigns.launches.models import LaunchBatch, LaunchTemplate


def template_list(*, agency, kind: str | None = None) -> QuerySet[LaunchTemplate]:
    templates = LaunchTemplate.objects.filter(agency=agency).select_related("created_by")
    return templates.filter(kind=kind) if kind else templates


def batch_list(*, agency, ad_account=None) -> QuerySet[LaunchBatch]:
    batches = LaunchBatch.objects.filter(agency=agency).select_related("ad_account", "job")
    return batches.filter(ad_account=ad_account) if ad_account is not None else batches


def batch_campaigns(*, batch: LaunchBatch):
    return batch.campaigns.order_by("pk")
