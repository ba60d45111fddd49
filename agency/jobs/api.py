"""API of jobs: the agency's jobs (filter by state and kind), one job, cancel."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from agency.access import access_job_by_id
from agency.api.base import AgencyApi
from agency.jobs import selectors, services
from agency.jobs.models import JobState
from agency.jobs.permissions import job_can_cancel


class JobErrorOutput(serializers.Serializer):
    at = serializers.CharField()
    message = serializers.CharField()


class JobOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.CharField()
    queue = serializers.CharField()
    state = serializers.ChoiceField(choices=JobState.choices)
    done = serializers.IntegerField()
    total = serializers.IntegerField(allow_null=True)
    percent = serializers.IntegerField(allow_null=True)
    succeeded = serializers.IntegerField()
    failed = serializers.IntegerField()
    errors = JobErrorOutput(many=True)
    pause_reason = serializers.CharField()
    target_type = serializers.CharField()
    target_id = serializers.CharField()
    target_label = serializers.CharField()
    started_by = serializers.SerializerMethodField()
    connection_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()

    def get_started_by(self, job) -> str | None:
        return job.started_by.email if job.started_by_id else None


class JobListApi(AgencyApi):
    MAX_LIMIT = 200

    class FilterSerializer(serializers.Serializer):
        state = serializers.ChoiceField(choices=JobState.choices, required=False)
        kind = serializers.CharField(max_length=64, required=False)
        limit = serializers.IntegerField(min_value=1, max_value=200, default=50)

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=JobState.values, required=False),
            OpenApiParameter("kind", str, required=False),
            OpenApiParameter("limit", int, required=False, description="1-200, default 50"),
        ],
        responses=JobOutput(many=True),
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        jobs = selectors.job_list(agency=self.agency, state=data.get("state"),
                                  kind=data.get("kind"))[: data["limit"]]
        return Response(JobOutput(jobs, many=True).data)


class JobDetailApi(AgencyApi):
    @extend_schema(responses=JobOutput)
    def get(self, request, job_id: int):
        job = access_job_by_id(membership=self.membership, job_id=job_id)
        return Response(JobOutput(job).data)


class JobCancelApi(AgencyApi):
    @extend_schema(request=None, responses=JobOutput)
    def post(self, request, job_id: int):
        job = access_job_by_id(membership=self.membership, job_id=job_id)
        if not job_can_cancel(job=job, membership=self.membership):
            raise PermissionDenied("Your role cannot cancel this job.")
        services.job_cancel(job=job, actor=request.user)
        return Response(JobOutput(job).data)
