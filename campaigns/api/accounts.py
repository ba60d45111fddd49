"""API of the agency's ad accounts."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.api import AdAccountOutput
from agency.access import access_connection_by_id
from agency.api.base import AgencyApi
from agency.api.fields import IdField
from agency.jobs.api import JobOutput
from agency.roles import Capability
from campaigns import selectors, services


class AdAccountListApi(AgencyApi):
    capability = Capability.VIEW_REPORTS

    @extend_schema(responses=AdAccountOutput(many=True))
    def get(self, request):
        accounts = selectors.ad_account_list(agency=self.agency, membership=self.membership)
        return Response(AdAccountOutput(accounts, many=True).data)


class AdAccountRefreshApi(AgencyApi):
    """Start a job re-reading the ad accounts from Meta (one connection's, or all)."""

    capability = Capability.MANAGE_CONNECTIONS

    class InputSerializer(serializers.Serializer):
        connection_id = IdField(required=False, allow_null=True)

    @extend_schema(request=InputSerializer, responses={202: JobOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        connection = None
        if data.validated_data.get("connection_id"):
            connection = access_connection_by_id(
                membership=self.membership, connection_id=data.validated_data["connection_id"])
        job = services.ad_accounts_refresh_start(membership=self.membership,
                                                 connection=connection)
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)
