"""API of Meta connections: list, detail, health check, system-user tokens, import of ad accounts.

No response ever carries a token: connections are described by their fingerprint.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts import selectors
from accounts.models import MetaConnection
from accounts.services import connections as connection_services
from accounts.services import onboarding
from accounts.validation import TOKEN_MAX_LENGTH
from agency.access import access_client_by_id, access_connection_by_id
from agency.api.base import AgencyApi
from agency.api.fields import IdField
from agency.roles import Capability
from agency.validation import model_max_length
from campaigns import services as campaign_services
from campaigns.models import AdAccount


class ConnectionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    label = serializers.CharField()
    meta_user_id = serializers.CharField()
    meta_user_name = serializers.CharField()
    token_fingerprint = serializers.CharField()
    status = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField())
    missing_scopes = serializers.SerializerMethodField()
    expires_at = serializers.DateTimeField(allow_null=True)
    last_checked_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField()
    client_id = serializers.IntegerField(allow_null=True)

    def get_missing_scopes(self, connection) -> list[str]:
        return selectors.missing_scopes(connection)


class ReachableAccountOutput(serializers.Serializer):
    account_id = serializers.CharField()
    name = serializers.CharField()
    currency = serializers.CharField()
    timezone_name = serializers.CharField()
    account_status = serializers.IntegerField(allow_null=True)
    business_id = serializers.CharField()
    business_name = serializers.CharField()
    source = serializers.CharField()


class AdAccountOutput(serializers.Serializer):
    id = serializers.IntegerField()
    account_id = serializers.CharField()
    name = serializers.CharField()
    currency = serializers.CharField()
    timezone_name = serializers.CharField()
    client_id = serializers.IntegerField()
    connection_id = serializers.IntegerField()


class ConnectionListApi(AgencyApi):
    @extend_schema(responses=ConnectionOutput(many=True))
    def get(self, request):
        return Response(ConnectionOutput(selectors.connection_list(agency=self.agency),
                                         many=True).data)


class ConnectionDetailApi(AgencyApi):
    @extend_schema(responses=ConnectionOutput)
    def get(self, request, connection_id: int):
        connection = access_connection_by_id(membership=self.membership,
                                             connection_id=connection_id)
        return Response(ConnectionOutput(connection).data)


class ConnectionCheckApi(AgencyApi):
    capability = Capability.MANAGE_CONNECTIONS

    @extend_schema(request=None, responses=ConnectionOutput)
    def post(self, request, connection_id: int):
        connection = access_connection_by_id(membership=self.membership,
                                             connection_id=connection_id)
        connection = connection_services.connection_check(connection=connection,
                                                          actor=request.user)
        return Response(ConnectionOutput(connection).data)


class SystemUserTokenApi(AgencyApi):
    capability = Capability.MANAGE_CONNECTIONS

    class InputSerializer(serializers.Serializer):
        token = serializers.CharField(write_only=True, trim_whitespace=True,
                                      max_length=TOKEN_MAX_LENGTH)
        label = serializers.CharField(required=False, allow_blank=True, default="",
                                      max_length=model_max_length(MetaConnection, "label"))

    @extend_schema(request=InputSerializer, responses={201: ConnectionOutput})
    def post(self, request):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        connection = onboarding.system_user_token_add(membership=self.membership,
                                                      **data.validated_data)
        return Response(ConnectionOutput(connection).data, status=status.HTTP_201_CREATED)


class ConnectionAdAccountsApi(AgencyApi):
    """GET: the ad accounts the connection reaches. POST: import some, each for a client."""

    capability = Capability.MANAGE_CONNECTIONS

    class InputSerializer(serializers.Serializer):
        class Assignment(serializers.Serializer):
            account_id = serializers.RegexField(
                r"^[0-9]+$", max_length=model_max_length(AdAccount, "account_id"))
            client_id = IdField()

        assignments = Assignment(many=True, allow_empty=False)

    @extend_schema(responses=ReachableAccountOutput(many=True))
    def get(self, request, connection_id: int):
        connection = access_connection_by_id(membership=self.membership,
                                             connection_id=connection_id)
        reachable = campaign_services.ad_accounts_reachable(connection=connection,
                                                           actor=request.user)
        return Response(ReachableAccountOutput(reachable, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: AdAccountOutput(many=True)})
    def post(self, request, connection_id: int):
        connection = access_connection_by_id(membership=self.membership,
                                             connection_id=connection_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignments = {
            item["account_id"]: access_client_by_id(membership=self.membership,
                                                    client_id=item["client_id"])
            for item in data.validated_data["assignments"]
        }
        imported = campaign_services.ad_accounts_import(
            membership=self.membership, connection=connection, assignments=assignments)
        return Response(AdAccountOutput(imported, many=True).data, status=status.HTTP_201_CREATED)
