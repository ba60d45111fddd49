"""The media library: a client's images and videos, and their copies on each ad account."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from agency.tenancy import TenantOwnedModel


class MediaKind(models.TextChoices):
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"


class AccountMediaState(models.TextChoices):
    PENDING = "pending", "Waiting"
    UPLOADING = "uploading", "Uploading"
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


def asset_upload_to(asset: MediaAsset, filename: str) -> str:
    """One folder per agency and client; the file is named by its content hash (deduped)."""
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return (f"media/{asset.agency_id}/{asset.client_id}/"
            f"{asset.content_sha256[:2]}/{asset.content_sha256}.{extension}")


class MediaAsset(TenantOwnedModel):
    """An image or video a client's ads use, stored once (by content hash) per client."""

    client = models.ForeignKey("agency.Client", on_delete=models.CASCADE, related_name="media")
    kind = models.CharField(max_length=8, choices=MediaKind.choices)
    name = models.CharField(max_length=200)
    file = models.FileField(upload_to=asset_upload_to, max_length=300)
    content_sha256 = models.CharField(max_length=64)
    size_bytes = models.BigIntegerField()
    mime_type = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)  # videos
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["client", "content_sha256"],
                                    name="media_asset_content_unique_per_client"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def extension(self) -> str:
        return self.file.name.rsplit(".", 1)[-1] if "." in self.file.name else ""


class AccountMedia(TenantOwnedModel):
    """An asset's copy on one ad account: where its push stands, and Graph's ids once there.

    The `upload_*` fields are the chunked upload's checkpoint (agency.graph.uploads.UploadState),
    saved after every chunk Graph acknowledged, so a killed worker resumes from there.
    """

    asset = models.ForeignKey(MediaAsset, on_delete=models.CASCADE, related_name="copies")
    ad_account = models.ForeignKey("campaigns.AdAccount", on_delete=models.CASCADE,
                                   related_name="media_copies")
    state = models.CharField(max_length=16, choices=AccountMediaState.choices,
                             default=AccountMediaState.PENDING)
    image_hash = models.CharField(max_length=64, blank=True)
    video_id = models.CharField(max_length=64, blank=True)
    thumbnail_url = models.URLField(max_length=2000, blank=True)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=32, blank=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    upload_session_id = models.CharField(max_length=64, blank=True)
    upload_start_offset = models.BigIntegerField(default=0)
    upload_end_offset = models.BigIntegerField(default=0)
    upload_file_size = models.BigIntegerField(default=0)
    processing_progress = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ad_account__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "ad_account"],
                                    name="account_media_one_copy_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.asset} on {self.ad_account}"

    @property
    def is_ready(self) -> bool:
        return self.state == AccountMediaState.READY

    @property
    def bytes_acknowledged(self) -> int:
        if self.state in {AccountMediaState.PROCESSING, AccountMediaState.READY}:
            return self.asset.size_bytes
        return self.upload_start_offset if self.upload_session_id else 0
