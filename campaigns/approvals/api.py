"""API of client approval: send drafts, list and read requests, the client's decision, cancel,
and a campaign's approval (state and the draft's override), under /api/v1/."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from agency.api.base import AgencyApi
from agency.api.fields import IdField
from agency.errors import ServiceError
from agency.roles import Capability
from agency.validation import model_max_length
from campaigns.access import access_campaign_by_id
from campaigns.approvals import selectors, services
from campaigns.approvals.access import access_approval_by_id
from campaigns.approvals.models import ApprovalRequest, ApprovalState, DecisionSource
from campaigns.models import Campaign


def _require(api: AgencyApi, capability: Capability) -> None:
    if not api.membership.can(capability):
        raise PermissionDenied("Your role does not allow this.")


class ApprovalItemOutput(serializers.Serializer):
    campaign_id = serializers.IntegerField()
    campaign_name = serializers.CharField(source="campaign.name")
    fingerprint = serializers.CharField()
    summary = serializers.SerializerMethodField()

    def get_summary(self, item) -> dict:
        return item.snapshot.get("summary") or {}


class ApprovalOutput(serializers.Serializer):
    id = serializers.IntegerField()
    client_id = serializers.IntegerField()
    client_name = serializers.CharField(source="client.name")
    state = serializers.ChoiceField(choices=ApprovalState.choices)
    message = serializers.CharField()
    sent_by = serializers.SerializerMethodField()
    sent_at = serializers.DateTimeField()
    decided_by = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_source = serializers.CharField()
    comment = serializers.CharField()
    closed_reason = serializers.CharField()
    items = ApprovalItemOutput(many=True, source="items.all")

    def get_sent_by(self, approval) -> str | None:
        return approval.sent_by.email if approval.sent_by_id else None

    def get_decided_by(self, approval) -> str | None:
        return approval.decided_by.email if approval.decided_by_id else None


class ApprovalListApi(AgencyApi):
    capability = Capability.VIEW_REPORTS

    class InputSerializer(serializers.Serializer):
        campaign_ids = serializers.ListField(child=IdField(), min_length=1,
                                             max_length=services.MAX_CAMPAIGNS)
        message = serializers.CharField(max_length=model_max_length(ApprovalRequest, "message"),
                                        allow_blank=True, required=False, default="")

    @extend_schema(responses=ApprovalOutput(many=True), parameters=[
        OpenApiParameter("state", str, enum=ApprovalState.values, required=False)])
    def get(self, request):
        state = request.query_params.get("state")
        if state is not None and state not in ApprovalState.values:
            raise ServiceError("Unknown state.", field="state")
        approvals = selectors.approval_list(agency=self.agency, membership=self.membership,
                                            states=[state] if state else None)
        return Response(ApprovalOutput(approvals.prefetch_related("items__campaign")[:200],
                                       many=True).data)

    @extend_schema(request=InputSerializer, responses={201: ApprovalOutput})
    def post(self, request):
        _require(self, Capability.BUILD_CAMPAIGNS)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaigns = [access_campaign_by_id(membership=self.membership, campaign_id=pk)
                     for pk in dict.fromkeys(data.validated_data["campaign_ids"])]
        approval = services.approval_request_send(campaigns=campaigns, actor=request.user,
                                                  message=data.validated_data["message"])
        return Response(ApprovalOutput(approval).data, status=status.HTTP_201_CREATED)


class ApprovalDetailApi(AgencyApi):
    capability = Capability.VIEW_REPORTS

    @extend_schema(responses=ApprovalOutput)
    def get(self, request, approval_id: int):
        approval = access_approval_by_id(membership=self.membership, approval_id=approval_id)
        approval = services.approval_request_refresh(request=approval, actor=request.user)
        return Response(ApprovalOutput(approval).data)


class ApprovalDecideApi(AgencyApi):
    """The client's decision. `offline: true` is an owner recording an approval the client gave
    outside Adwright (the comment says who, when and how)."""

    capability = Capability.VIEW_REPORTS

    class InputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(choices=list(services.Decision.CHOICES))
        comment = serializers.CharField(max_length=model_max_length(ApprovalRequest, "comment"),
                                        allow_blank=True, required=False, default="")
        offline = serializers.BooleanField(required=False, default=False)

    @extend_schema(request=InputSerializer, responses=ApprovalOutput)
    def post(self, request, approval_id: int):
        approval = access_approval_by_id(membership=self.membership, approval_id=approval_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = services.approval_request_decide(
            request=approval, membership=self.membership,
            decision=data.validated_data["decision"], comment=data.validated_data["comment"],
            source=DecisionSource.OFFLINE if data.validated_data["offline"]
            else DecisionSource.API)
        return Response(ApprovalOutput(decided).data)


class ApprovalCancelApi(AgencyApi):
    capability = Capability.BUILD_CAMPAIGNS

    @extend_schema(request=None, responses=ApprovalOutput)
    def post(self, request, approval_id: int):
        approval = access_approval_by_id(membership=self.membership, approval_id=approval_id)
        return Response(ApprovalOutput(services.approval_request_cancel(
            request=approval, actor=request.user)).data)


class CampaignApprovalOutput(serializers.Serializer):
    campaign_id = serializers.IntegerField()
    required = serializers.BooleanField()
    override = serializers.BooleanField(allow_null=True)
    client_default = serializers.BooleanField()
    approved = serializers.BooleanField()
    stale = serializers.BooleanField()
    latest_approval_id = serializers.IntegerField(allow_null=True)
    latest_state = serializers.CharField(allow_null=True)


def _campaign_approval(campaign: Campaign) -> dict:
    found = selectors.campaign_approval(campaign=campaign)
    return {"campaign_id": campaign.pk, "required": found.required, "override": found.override,
            "client_default": found.client_default, "approved": found.approved,
            "stale": found.stale, "latest_approval_id": found.latest.pk if found.latest else None,
            "latest_state": found.latest.state if found.latest else None}


class CampaignApprovalApi(AgencyApi):
    """A campaign's approval; PUT sets the draft's override (`required`: true, false, or null to
    follow the client's default)."""

    class InputSerializer(serializers.Serializer):
        required = serializers.BooleanField(allow_null=True)

    @extend_schema(responses=CampaignApprovalOutput)
    def get(self, request, campaign_id: int):
        campaign = access_campaign_by_id(membership=self.membership, campaign_id=campaign_id)
        return Response(CampaignApprovalOutput(_campaign_approval(campaign)).data)

    @extend_schema(request=InputSerializer, responses=CampaignApprovalOutput)
    def put(self, request, campaign_id: int):
        _require(self, Capability.BUILD_CAMPAIGNS)
        campaign = access_campaign_by_id(membership=self.membership, campaign_id=campaign_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.campaign_approval_policy_set(campaign=campaign,
                                              required=data.validated_data["required"],
                                              membership=self.membership)
        return Response(CampaignApprovalOutput(_campaign_approval(campaign)).data)
