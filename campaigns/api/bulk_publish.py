"""API of bulk publishing: start one over campaigns of an ad account, follow its progress per
object, retry what Meta refused (under /api/v1/)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from agency.api.base import AgencyApi
from agency.api.fields import IdField
from agency.errors import ServiceError
from agency.jobs.api import JobOutput
from agency.roles import Capability
from campaigns import access
from campaigns.models import Campaign
from campaigns.services import bulk_publish


class _CountsOutput(serializers.Serializer):
    created = serializers.IntegerField()
    failed = serializers.IntegerField()
    pending = serializers.IntegerField()


class _PerKindOutput(serializers.Serializer):
    campaign = _CountsOutput()
    adset = _CountsOutput()
    creative = _CountsOutput()
    ad = _CountsOutput()


class _FailedOutput(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    name = serializers.CharField()
    campaign_id = serializers.IntegerField()
    message = serializers.CharField(help_text="Meta's message")
    field = serializers.CharField()


class BulkPublishOutput(serializers.Serializer):
    job = JobOutput()
    counts = _PerKindOutput()
    failed = _FailedOutput(many=True)
    can_retry = serializers.BooleanField()


def _output(job) -> dict:
    return BulkPublishOutput({"job": job, **bulk_publish.bulk_publish_progress(job=job)}).data


class BulkPublishStartApi(AgencyApi):
    capability = Capability.BUILD_CAMPAIGNS

    class InputSerializer(serializers.Serializer):
        campaign_ids = serializers.ListField(child=IdField(), min_length=1, max_length=500)
        leave_paused = serializers.BooleanField(required=False, default=False)

    @extend_schema(request=InputSerializer, responses={202: BulkPublishOutput})
    def post(self, request, ad_account_id: int):
        ad_account = access.access_ad_account_by_id(membership=self.membership,
                                                    ad_account_id=ad_account_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = set(data.validated_data["campaign_ids"])
        campaigns = list(Campaign.objects.filter(ad_account=ad_account, pk__in=ids))
        if len(campaigns) != len(ids):
            raise ServiceError("Some of these campaigns are not drafts of this ad account.",
                               extra={"campaign_ids": sorted(ids - {c.pk for c in campaigns})})
        job = bulk_publish.bulk_publish_start(
            campaigns=campaigns, actor=request.user,
            leave_paused=data.validated_data["leave_paused"])
        return Response(_output(job), status=status.HTTP_202_ACCEPTED)


class BulkPublishDetailApi(AgencyApi):
    @extend_schema(responses=BulkPublishOutput)
    def get(self, request, job_id: int):
        job = access.access_bulk_publish_by_id(membership=self.membership, job_id=job_id)
        return Response(_output(job))


class BulkPublishRetryApi(AgencyApi):
    capability = Capability.BUILD_CAMPAIGNS

    @extend_schema(request=None, responses={202: BulkPublishOutput})
    def post(self, request, job_id: int):
        job = access.access_bulk_publish_by_id(membership=self.membership, job_id=job_id)
        retry = bulk_publish.bulk_publish_retry_failed(job=job, actor=request.user)
        return Response(_output(retry), status=status.HTTP_202_ACCEPTED)
