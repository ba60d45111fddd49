"""API of tenancy: who am I, the agency's clients, the agency's members."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from agency import selectors, services
from agency.access import access_client_by_id
from agency.api.base import AgencyApi
from agency.models import Client
from agency.roles import Capability
from agency.validation import model_max_length


class ClientOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    website = serializers.CharField()
    notes = serializers.CharField()
    created_at = serializers.DateTimeField()


class MeApi(AgencyApi):
    capability = Capability.VIEW_REPORTS

    class OutputSerializer(serializers.Serializer):
        email = serializers.EmailField(source="user.email")
        agency = serializers.CharField(source="agency.slug")
        agency_name = serializers.CharField(source="agency.name")
        role = serializers.CharField()
        capabilities = serializers.SerializerMethodField()

        def get_capabilities(self, membership) -> list[str]:
            return sorted(c.value for c in Capability if membership.can(c))

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        return Response(self.OutputSerializer(self.membership).data)


class ClientListApi(AgencyApi):
    capability = Capability.VIEW_REPORTS

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=model_max_length(Client, "name"))
        website = serializers.URLField(required=False, allow_blank=True, default="",
                                       max_length=model_max_length(Client, "website"))
        notes = serializers.CharField(required=False, allow_blank=True, default="",
                                      max_length=model_max_length(Client, "notes"))

    @extend_schema(responses=ClientOutput(many=True))
    def get(self, request):
        clients = selectors.client_list(agency=self.agency, membership=self.membership)
        return Response(ClientOutput(clients, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: ClientOutput})
    def post(self, request):
        if not self.membership.can(Capability.MANAGE_CLIENTS):
            self.permission_denied(request, "Your role does not allow adding clients.")
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        client = services.client_create(agency=self.agency, actor=request.user,
                                        **data.validated_data)
        return Response(ClientOutput(client).data, status=status.HTTP_201_CREATED)


class ClientDetailApi(AgencyApi):
    capability = Capability.VIEW_REPORTS

    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=model_max_length(Client, "name"), required=False)
        website = serializers.URLField(required=False, allow_blank=True,
                                       max_length=model_max_length(Client, "website"))
        notes = serializers.CharField(required=False, allow_blank=True,
                                      max_length=model_max_length(Client, "notes"))

    @extend_schema(responses=ClientOutput)
    def get(self, request, client_id: int):
        client = access_client_by_id(membership=self.membership, client_id=client_id)
        return Response(ClientOutput(client).data)

    @extend_schema(request=InputSerializer, responses=ClientOutput)
    def patch(self, request, client_id: int):
        client = access_client_by_id(membership=self.membership, client_id=client_id)
        if not self.membership.can(Capability.MANAGE_CLIENTS):
            self.permission_denied(request, "Your role does not allow editing clients.")
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        client = services.client_update(client=client, actor=request.user, **data.validated_data)
        return Response(ClientOutput(client).data)


class MemberListApi(AgencyApi):
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        email = serializers.EmailField(source="user.email")
        name = serializers.CharField(source="user.get_full_name")
        role = serializers.CharField()
        client_ids = serializers.SerializerMethodField()

        def get_client_ids(self, membership) -> list[int]:
            return [c.pk for c in membership.clients.all()]

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        members = selectors.member_list(agency=self.agency)
        return Response(self.OutputSerializer(members, many=True).data)
