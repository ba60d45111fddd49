"""API of the media library: a client's media (list, multipart upload), one asset with its state
on each ad account, and starting a push."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from agency.access import access_client_by_id
from agency.api.base import AgencyApi
from agency.errors import ServiceError
from agency.roles import Capability
from campaigns.media import selectors, services
from campaigns.media.access import access_media_by_id
from campaigns.media.models import AccountMediaState
from campaigns.models import AdAccount


class MediaJobOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    state = serializers.CharField()
    done = serializers.IntegerField()
    total = serializers.IntegerField(allow_null=True)
    percent = serializers.IntegerField(allow_null=True)


class AccountMediaOutput(serializers.Serializer):
    id = serializers.IntegerField()
    ad_account_id = serializers.IntegerField()
    act_id = serializers.CharField(source="ad_account.act_id")
    ad_account_name = serializers.CharField(source="ad_account.name")
    state = serializers.ChoiceField(choices=AccountMediaState.choices)
    image_hash = serializers.CharField()
    video_id = serializers.CharField()
    thumbnail_url = serializers.CharField()
    error = serializers.CharField()
    error_code = serializers.CharField()
    bytes_acknowledged = serializers.IntegerField()
    processing_progress = serializers.IntegerField(allow_null=True)
    job_id = serializers.IntegerField(allow_null=True)
    updated_at = serializers.DateTimeField()


class MediaAssetOutput(serializers.Serializer):
    id = serializers.IntegerField()
    client_id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    content_sha256 = serializers.CharField()
    size_bytes = serializers.IntegerField()
    mime_type = serializers.CharField()
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    duration_seconds = serializers.FloatField(allow_null=True)
    created_at = serializers.DateTimeField()
    copies = AccountMediaOutput(many=True, source="copies.all")


class MediaUploadOutput(MediaAssetOutput):
    deduplicated = serializers.BooleanField()
    jobs = MediaJobOutput(many=True)


class MediaPushOutput(serializers.Serializer):
    jobs = MediaJobOutput(many=True)


# Named apart (not only nested `InputSerializer`s) so their OpenAPI components are unique.
class MediaUploadInput(serializers.Serializer):
    file = serializers.FileField()
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class MediaPushInput(serializers.Serializer):
    ad_account_ids = serializers.ListField(child=serializers.IntegerField(min_value=1),
                                           required=False, max_length=500)


class MediaListApi(AgencyApi):
    """GET: a client's media. POST (multipart `file`, optional `name`): upload, stored once per
    content, then sent to the client's ad accounts."""

    capability = Capability.VIEW_AGENCY
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(MediaUploadInput):
        pass

    @extend_schema(responses=MediaAssetOutput(many=True))
    def get(self, request, client_id: int):
        client = access_client_by_id(membership=self.membership, client_id=client_id)
        assets = selectors.media_list(agency=self.agency, client=client)
        return Response(MediaAssetOutput(assets, many=True).data)

    @extend_schema(request={"multipart/form-data": InputSerializer},
                   responses={201: MediaUploadOutput, 200: MediaUploadOutput})
    def post(self, request, client_id: int):
        client = access_client_by_id(membership=self.membership, client_id=client_id)
        if not self.membership.can(Capability.BUILD_CAMPAIGNS):
            self.permission_denied(request, "Your role does not allow uploading media.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        asset = services.media_upload(client=client, actor=request.user,
                                      file=data.validated_data["file"],
                                      name=data.validated_data.get("name") or None)
        deduplicated = asset.deduplicated
        services.media_push_to_accounts(asset=asset, actor=request.user)
        asset = selectors.media_get(agency=self.agency, asset_id=asset.pk)
        asset.deduplicated = deduplicated
        asset.jobs = _jobs_of(asset)
        return Response(MediaUploadOutput(asset).data,
                        status=status.HTTP_200_OK if deduplicated else status.HTTP_201_CREATED)


def _jobs_of(asset) -> list:
    seen = {}
    for copy in asset.copies.all():
        if copy.job_id:
            seen.setdefault(copy.job_id, copy.job)
    return list(seen.values())


class MediaDetailApi(AgencyApi):
    capability = Capability.VIEW_AGENCY

    @extend_schema(responses=MediaAssetOutput)
    def get(self, request, media_id: int):
        asset = access_media_by_id(membership=self.membership, media_id=media_id)
        asset = selectors.media_get(agency=self.agency, asset_id=asset.pk)
        return Response(MediaAssetOutput(asset).data)


class MediaPushApi(AgencyApi):
    """Send the asset to its client's ad accounts that lack it (or to the `ad_account_ids`
    given); failed copies are sent again. 202 with the jobs doing it (empty: nothing to do)."""

    capability = Capability.BUILD_CAMPAIGNS
    parser_classes = [JSONParser, FormParser]

    class InputSerializer(MediaPushInput):
        pass

    @extend_schema(request=InputSerializer, responses={202: MediaPushOutput})
    def post(self, request, media_id: int):
        asset = access_media_by_id(membership=self.membership, media_id=media_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        accounts = None
        wanted = data.validated_data.get("ad_account_ids")
        if wanted:
            accounts = list(AdAccount.objects.filter(pk__in=wanted, client_id=asset.client_id)
                            .select_related("connection"))
            if len(accounts) != len(set(wanted)):
                raise ServiceError("Some ad accounts are not this client's.",
                                   field="ad_account_ids")
        jobs = services.media_push_to_accounts(asset=asset, actor=request.user,
                                               ad_accounts=accounts)
        return Response(MediaPushOutput({"jobs": jobs}).data, status=status.HTTP_202_ACCEPTED)
