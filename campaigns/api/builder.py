"""API of the builder: the same operations as the pages (drafts, check with Meta, previews,
publish, status, live actions, sync, bulk), under /api/v1/."""

from __future__ import annotations

from contextlib import contextmanager

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from agency.api.base import AgencyApi
from agency.api.fields import IdField
from agency.errors import ServiceError
from agency.graph import GraphError
from agency.jobs.api import JobOutput
from agency.roles import Capability
from campaigns import access, selectors
from campaigns.assets import ASSET_KINDS, AssetsUnavailableError, account_assets
from campaigns.models import Ad, AdSet, Campaign
from campaigns.services import drafts, manage, meta_check, publish
from campaigns.services.sync import SYNC_KIND
from campaigns.validation import rules


class GraphUnavailableError(ServiceError):
    code = "graph_error"
    http_status = 503


@contextmanager
def graph_errors():
    """Graph's refusals and outages become the one error shape, never a 500."""
    try:
        yield
    except GraphError as exc:
        raise GraphUnavailableError(exc.user_msg or exc.message,
                                    extra={"graph_code": exc.code}) from exc


def _json_size(value, limit: int = 20000):
    import json

    if len(json.dumps(value)) > limit:
        raise serializers.ValidationError("Too large.")
    return value


# --- outputs --------------------------------------------------------------------------------

class _ObjectOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    graph_id = serializers.CharField()
    status = serializers.CharField()
    effective_status = serializers.CharField()
    issues_info = serializers.JSONField()
    graph_error = serializers.JSONField()
    deleted_on_graph = serializers.BooleanField()
    changed_on_graph = serializers.BooleanField()
    last_sent = serializers.JSONField()
    synced_at = serializers.DateTimeField(allow_null=True)


class AdOutput(_ObjectOutput):
    adset_id = serializers.IntegerField()
    creative_id = IdField(allow_null=True)
    desired_status = serializers.CharField()
    tracking_specs = serializers.JSONField()
    review_feedback = serializers.JSONField()
    spend_minor = serializers.IntegerField(allow_null=True)


class CreativeOutput(_ObjectOutput):
    format = serializers.CharField()
    page_id = serializers.CharField()
    instagram_user_id = serializers.CharField()
    spec = serializers.JSONField()
    contextual_multi_ads = serializers.CharField()


class AdSetOutput(_ObjectOutput):
    campaign_id = serializers.IntegerField()
    optimization_goal = serializers.CharField()
    billing_event = serializers.CharField()
    bid_strategy = serializers.CharField()
    bid_amount_minor = serializers.IntegerField(allow_null=True)
    daily_budget_minor = serializers.IntegerField(allow_null=True)
    lifetime_budget_minor = serializers.IntegerField(allow_null=True)
    start_time = serializers.DateTimeField(allow_null=True)
    end_time = serializers.DateTimeField(allow_null=True)
    targeting = serializers.JSONField()
    promoted_object = serializers.JSONField()
    destination_type = serializers.CharField()
    dsa_beneficiary = serializers.CharField()
    dsa_payor = serializers.CharField()
    spend_minor = serializers.IntegerField(allow_null=True)


class CampaignOutput(_ObjectOutput):
    ad_account_id = IdField()
    currency = serializers.CharField(source="ad_account.currency")
    objective = serializers.CharField()
    special_ad_categories = serializers.JSONField()
    special_ad_category_country = serializers.JSONField()
    daily_budget_minor = serializers.IntegerField(allow_null=True)
    lifetime_budget_minor = serializers.IntegerField(allow_null=True)
    bid_strategy = serializers.CharField()
    spend_cap_minor = serializers.IntegerField(allow_null=True)
    publish_state = serializers.CharField()
    leave_paused = serializers.BooleanField()
    spend_minor = serializers.IntegerField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)


class CampaignTreeOutput(CampaignOutput):
    adsets = serializers.SerializerMethodField()
    creatives = serializers.SerializerMethodField()
    ads = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField()

    def _children(self, campaign):
        cache = self.context.setdefault("children", {})
        if campaign.pk not in cache:
            cache[campaign.pk] = selectors.campaign_children(campaign=campaign)
        return cache[campaign.pk]

    @extend_schema_field(AdSetOutput(many=True))
    def get_adsets(self, campaign):
        return AdSetOutput(self._children(campaign)[0], many=True).data

    @extend_schema_field(CreativeOutput(many=True))
    def get_creatives(self, campaign):
        return CreativeOutput(self._children(campaign)[1], many=True).data

    @extend_schema_field(AdOutput(many=True))
    def get_ads(self, campaign):
        return AdOutput(self._children(campaign)[2], many=True).data

    def get_errors(self, campaign) -> dict[str, dict[str, str]]:
        return selectors.campaign_tree_errors(campaign=campaign)


class CheckOutput(serializers.Serializer):
    ok = serializers.BooleanField()
    local = serializers.BooleanField()
    checked = serializers.IntegerField()
    errors = serializers.DictField(child=serializers.DictField(child=serializers.CharField()))


class PreviewOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    ad_format = serializers.CharField()
    src = serializers.CharField()
    error = serializers.CharField()


class BulkOutput(serializers.Serializer):
    done = serializers.IntegerField()
    failed = serializers.DictField(child=serializers.CharField())
    batches = serializers.IntegerField()


# --- inputs ---------------------------------------------------------------------------------

class CampaignInput(serializers.Serializer):
    name = serializers.CharField(max_length=400, required=False)
    objective = serializers.ChoiceField(choices=rules.OBJECTIVES, required=False)
    special_ad_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(rules.SPECIAL_AD_CATEGORIES)),
        max_length=6, required=False)
    special_ad_category_country = serializers.ListField(
        child=serializers.CharField(max_length=2), max_length=250, required=False)
    daily_budget_minor = serializers.IntegerField(min_value=1, max_value=10**12, allow_null=True,
                                                  required=False)
    lifetime_budget_minor = serializers.IntegerField(min_value=1, max_value=10**13,
                                                     allow_null=True, required=False)
    bid_strategy = serializers.CharField(max_length=40, allow_blank=True, required=False)
    spend_cap_minor = serializers.IntegerField(min_value=1, max_value=10**13, allow_null=True,
                                               required=False)
    leave_paused = serializers.BooleanField(required=False)


class AdSetInput(serializers.Serializer):
    name = serializers.CharField(max_length=400, required=False)
    optimization_goal = serializers.CharField(max_length=48, required=False)
    billing_event = serializers.CharField(max_length=32, required=False)
    bid_strategy = serializers.CharField(max_length=40, allow_blank=True, required=False)
    bid_amount_minor = serializers.IntegerField(min_value=1, max_value=10**12, allow_null=True,
                                                required=False)
    daily_budget_minor = serializers.IntegerField(min_value=1, max_value=10**12, allow_null=True,
                                                  required=False)
    lifetime_budget_minor = serializers.IntegerField(min_value=1, max_value=10**13,
                                                     allow_null=True, required=False)
    start_time = serializers.DateTimeField(allow_null=True, required=False)
    end_time = serializers.DateTimeField(allow_null=True, required=False)
    targeting = serializers.DictField(required=False, validators=[_json_size])
    promoted_object = serializers.DictField(required=False, validators=[_json_size])
    destination_type = serializers.CharField(max_length=48, allow_blank=True, required=False)
    dsa_beneficiary = serializers.CharField(max_length=200, allow_blank=True, required=False)
    dsa_payor = serializers.CharField(max_length=200, allow_blank=True, required=False)


class CreativeInput(serializers.Serializer):
    name = serializers.CharField(max_length=400, required=False)
    format = serializers.ChoiceField(choices=["image", "video", "carousel", "page_post",
                                              "instagram_post"], required=False)
    page_id = serializers.CharField(max_length=32, allow_blank=True, required=False)
    instagram_user_id = serializers.CharField(max_length=32, allow_blank=True, required=False)
    spec = serializers.DictField(required=False, validators=[_json_size])
    contextual_multi_ads = serializers.ChoiceField(choices=rules.ENROLL_STATUSES, required=False)


class AdInput(serializers.Serializer):
    name = serializers.CharField(max_length=400, required=False)
    creative_id = IdField(required=False, allow_null=True)
    desired_status = serializers.ChoiceField(choices=["ACTIVE", "PAUSED"], required=False)
    tracking_specs = serializers.ListField(child=serializers.DictField(), max_length=20,
                                           required=False)


def _edit(view, obj, data: dict, source: str = "api"):
    """Drafts change locally; published objects change on Graph (the fields it allows)."""
    with graph_errors():
        if obj.graph_id:
            return manage.live_update(obj=obj, actor=view.request.user, changes=data,
                                      source=source)
        return drafts.draft_update(obj=obj, actor=view.request.user, changes=data, source=source)


# --- campaigns ------------------------------------------------------------------------------

def _require(api: AgencyApi, capability: Capability) -> None:
    from rest_framework import exceptions

    if not api.membership.can(capability):
        raise exceptions.PermissionDenied("Your role does not allow this.")


class CampaignListApi(AgencyApi):
    class InputSerializer(CampaignInput):
        ad_account_id = IdField()
        name = serializers.CharField(max_length=400)
        with_children = serializers.BooleanField(default=True)

    class OutputSerializer(CampaignOutput):
        pass

    @extend_schema(responses=CampaignOutput(many=True), parameters=[
        OpenApiParameter("ad_account_id", int, required=False)])
    def get(self, request):
        ad_account = None
        raw = request.query_params.get("ad_account_id")
        if raw:
            try:
                ad_account = access.access_ad_account_by_id(membership=self.membership,
                                                            ad_account_id=int(raw))
            except ValueError as exc:
                raise ServiceError("ad_account_id must be a number.",
                                   field="ad_account_id") from exc
        campaigns = selectors.campaign_list(agency=self.agency, ad_account=ad_account)[:500]
        return Response(CampaignOutput(campaigns, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: CampaignTreeOutput})
    def post(self, request):
        _require(self, Capability.BUILD_CAMPAIGNS)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        ad_account = access.access_ad_account_by_id(membership=self.membership,
                                                    ad_account_id=values.pop("ad_account_id"))
        with_children = values.pop("with_children")
        campaign = drafts.campaign_draft_create(
            ad_account=ad_account, actor=request.user, name=values.pop("name"),
            objective=values.pop("objective", "OUTCOME_TRAFFIC"), source="api",
            with_children=with_children)
        if values:
            drafts.draft_update(obj=campaign, actor=request.user, changes=values, source="api")
        return Response(CampaignTreeOutput(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetailApi(AgencyApi):
    class InputSerializer(CampaignInput):
        pass

    def _load(self, campaign_id):
        return access.access_campaign_by_id(membership=self.membership, campaign_id=campaign_id)

    @extend_schema(responses=CampaignTreeOutput)
    def get(self, request, campaign_id: int):
        return Response(CampaignTreeOutput(self._load(campaign_id)).data)

    @extend_schema(request=InputSerializer, responses=CampaignTreeOutput)
    def patch(self, request, campaign_id: int):
        _require(self, Capability.BUILD_CAMPAIGNS)
        campaign = self._load(campaign_id)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        _edit(self, campaign, dict(data.validated_data))
        return Response(CampaignTreeOutput(campaign).data)

    @extend_schema(responses={204: None})
    def delete(self, request, campaign_id: int):
        _require(self, Capability.BUILD_CAMPAIGNS)
        campaign = self._load(campaign_id)
        with graph_errors():
            if campaign.graph_id:
                manage.status_change(obj=campaign, actor=request.user, action="delete",
                                     source="api")
            else:
                drafts.draft_delete(obj=campaign, actor=request.user, source="api")
        return Response(status=status.HTTP_204_NO_CONTENT)


class CampaignCheckApi(AgencyApi):
    capability = Capability.BUILD_CAMPAIGNS

    @extend_schema(request=None, responses=CheckOutput)
    def post(self, request, campaign_id: int):
        campaign = access.access_campaign_by_id(membership=self.membership,
                                                campaign_id=campaign_id)
        with graph_errors():
            result = meta_check.campaign_check_with_meta(campaign=campaign, actor=request.user)
        return Response(CheckOutput({"ok": result.ok, "local": result.local,
                                     "checked": result.checked, "errors": result.errors}).data)


class CampaignPublishApi(AgencyApi):
    capability = Capability.BUILD_CAMPAIGNS

    class InputSerializer(serializers.Serializer):
        leave_paused = serializers.BooleanField(required=False, allow_null=True, default=None)

    @extend_schema(request=InputSerializer, responses={202: JobOutput})
    def post(self, request, campaign_id: int):
        campaign = access.access_campaign_by_id(membership=self.membership,
                                                campaign_id=campaign_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = publish.campaign_publish(campaign=campaign, actor=request.user,
                                       leave_paused=data.validated_data["leave_paused"])
        return Response(JobOutput(job).data,
                        status=status.HTTP_202_ACCEPTED)


class CampaignDuplicateApi(AgencyApi):
    capability = Capability.BUILD_CAMPAIGNS

    @extend_schema(request=None, responses={201: CampaignTreeOutput})
    def post(self, request, campaign_id: int):
        campaign = access.access_campaign_by_id(membership=self.membership,
                                                campaign_id=campaign_id)
        copy_ = drafts.campaign_duplicate(campaign=campaign, actor=request.user, source="api")
        return Response(CampaignTreeOutput(copy_).data, status=status.HTTP_201_CREATED)


class _ActionInput(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(manage.STATUS_ACTIONS))


class _ActionApi(AgencyApi):
    capability = Capability.BUILD_CAMPAIGNS
    def _act(self, request, obj, output):
        data = _ActionInput(data=request.data)
        data.is_valid(raise_exception=True)
        with graph_errors():
            manage.status_change(obj=obj, actor=request.user, action=data.validated_data[
                "action"], source="api")
        return Response(output(obj).data)


class CampaignActionApi(_ActionApi):
    @extend_schema(request=_ActionInput, responses=CampaignOutput)
    def post(self, request, campaign_id: int):
        return self._act(request, access.access_campaign_by_id(
            membership=self.membership, campaign_id=campaign_id), CampaignOutput)


class AdSetActionApi(_ActionApi):
    @extend_schema(request=_ActionInput, responses=AdSetOutput)
    def post(self, request, adset_id: int):
        return self._act(request, access.access_adset_by_id(
            membership=self.membership, adset_id=adset_id), AdSetOutput)


class AdActionApi(_ActionApi):
    @extend_schema(request=_ActionInput, responses=AdOutput)
    def post(self, request, ad_id: int):
        return self._act(request, access.access_ad_by_id(
            membership=self.membership, ad_id=ad_id), AdOutput)


# --- ad sets, creatives, ads ----------------------------------------------------------------

class AdSetCreateApi(AgencyApi):
    capability = Capability.BUILD_CAMPAIGNS

    class InputSerializer(AdSetInput):
        pass

    @extend_schema(request=InputSerializer, responses={201: AdSetOutput})
    def post(self, request, campaign_id: int):
        campaign = access.access_campaign_by_id(membership=self.membership,
                                                campaign_id=campaign_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        adset = drafts.adset_draft_create(campaign=campaign, actor=request.user, source="api")
        if data.validated_data:
            drafts.draft_update(obj=adset, actor=request.user, changes=dict(
                data.validated_data), source="api")
        return Response(AdSetOutput(adset).data, status=status.HTTP_201_CREATED)


class AdSetDetailApi(AgencyApi):
    class InputSerializer(AdSetInput):
        pass

    @extend_schema(responses=AdSetOutput)
    def get(self, request, adset_id: int):
        return Response(AdSetOutput(access.access_adset_by_id(
            membership=self.membership, adset_id=adset_id)).data)

    @extend_schema(request=InputSerializer, responses=AdSetOutput)
    def patch(self, request, adset_id: int):
        _require(self, Capability.BUILD_CAMPAIGNS)
        adset = access.access_adset_by_id(membership=self.membership, adset_id=adset_id)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        _edit(self, adset, dict(data.validated_data))
        return Response(AdSetOutput(adset).data)


class CreativeDetailApi(AgencyApi):
    class InputSerializer(CreativeInput):
        pass

    @extend_schema(responses=CreativeOutput)
    def get(self, request, creative_id: int):
        return Response(CreativeOutput(access.access_creative_by_id(
            membership=self.membership, creative_id=creative_id)).data)

    @extend_schema(request=InputSerializer, responses=CreativeOutput)
    def patch(self, request, creative_id: int):
        _require(self, Capability.BUILD_CAMPAIGNS)
        creative = access.access_creative_by_id(membership=self.membership,
                                                creative_id=creative_id)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        _edit(self, creative, dict(data.validated_data))
        return Response(CreativeOutput(creative).data)


class CreativePreviewApi(AgencyApi):
    @extend_schema(responses=PreviewOutput(many=True), parameters=[
        OpenApiParameter("format", str, many=True, required=False,
                         enum=list(meta_check.PREVIEW_FORMATS))])
    def get(self, request, creative_id: int):
        creative = access.access_creative_by_id(membership=self.membership,
                                                creative_id=creative_id)
        formats = [f for f in request.query_params.getlist("format")
                   if f in meta_check.PREVIEW_FORMATS][:6]
        with graph_errors():
            previews = meta_check.creative_previews(creative=creative, formats=formats,
                                                    actor=request.user)
        return Response(PreviewOutput([p.__dict__ for p in previews], many=True).data)


class AdDetailApi(AgencyApi):
    class InputSerializer(AdInput):
        pass

    @extend_schema(responses=AdOutput)
    def get(self, request, ad_id: int):
        return Response(AdOutput(access.access_ad_by_id(membership=self.membership,
                                                        ad_id=ad_id)).data)

    @extend_schema(request=InputSerializer, responses=AdOutput)
    def patch(self, request, ad_id: int):
        _require(self, Capability.BUILD_CAMPAIGNS)
        ad = access.access_ad_by_id(membership=self.membership, ad_id=ad_id)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "creative_id" in changes:
            creative_id = changes.pop("creative_id")
            changes["creative"] = access.access_creative_by_id(
                membership=self.membership, creative_id=creative_id) if creative_id else None
        _edit(self, ad, changes)
        return Response(AdOutput(ad).data)


# --- ad accounts ----------------------------------------------------------------------------

class AdAccountSyncApi(AgencyApi):
    capability = Capability.BUILD_CAMPAIGNS

    @extend_schema(request=None, responses={202: JobOutput})
    def post(self, request, ad_account_id: int):
        from agency.jobs import services as jobs

        ad_account = access.access_ad_account_by_id(membership=self.membership,
                                                    ad_account_id=ad_account_id)
        job = jobs.job_start(kind=SYNC_KIND, actor=request.user, target=ad_account,
                             params={"ad_account_id": ad_account.pk},
                             connection=ad_account.connection)
        return Response(JobOutput(job).data,
                        status=status.HTTP_202_ACCEPTED)


class AssetOutput(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    eligible = serializers.BooleanField(required=False)
    store_urls = serializers.ListField(child=serializers.CharField(), required=False)


class AdAccountAssetsApi(AgencyApi):
    """What the ad account can use, listed from Meta (cached briefly): the builder's pickers."""

    capability = Capability.VIEW_AGENCY

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=sorted(ASSET_KINDS))
        parent_id = serializers.CharField(max_length=32, required=False, allow_blank=True,
                                          help_text="The Page (page_posts) or Instagram "
                                                    "account (instagram_media)")

    @extend_schema(parameters=[InputSerializer], responses=AssetOutput(many=True))
    def get(self, request, ad_account_id: int):
        ad_account = access.access_ad_account_by_id(membership=self.membership,
                                                    ad_account_id=ad_account_id)
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            items = account_assets(ad_account=ad_account, kind=query.validated_data["kind"],
                                   parent_id=query.validated_data.get("parent_id") or "")
        except AssetsUnavailableError as exc:
            raise GraphUnavailableError(exc.message) from exc
        return Response(AssetOutput(items, many=True).data)


class AdAccountBulkApi(AgencyApi):
    capability = Capability.BUILD_CAMPAIGNS

    class InputSerializer(serializers.Serializer):
        action = serializers.ChoiceField(choices=sorted(manage.STATUS_ACTIONS))
        campaign_ids = serializers.ListField(child=serializers.IntegerField(), max_length=1000,
                                             required=False, default=list)
        adset_ids = serializers.ListField(child=serializers.IntegerField(), max_length=1000,
                                          required=False, default=list)
        ad_ids = serializers.ListField(child=serializers.IntegerField(), max_length=1000,
                                       required=False, default=list)

    @extend_schema(request=InputSerializer, responses=BulkOutput)
    def post(self, request, ad_account_id: int):
        ad_account = access.access_ad_account_by_id(membership=self.membership,
                                                    ad_account_id=ad_account_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        objects = [
            *Campaign.objects.filter(ad_account=ad_account, pk__in=d["campaign_ids"]),
            *AdSet.objects.filter(ad_account=ad_account, pk__in=d["adset_ids"]),
            *Ad.objects.filter(ad_account=ad_account, pk__in=d["ad_ids"]),
        ]
        with graph_errors():
            result = manage.bulk_status_change(objects=objects, actor=request.user,
                                               action=d["action"], source="api")
        return Response(BulkOutput({"done": len(result.done), "failed": result.failed,
                                    "batches": result.batches}).data)

