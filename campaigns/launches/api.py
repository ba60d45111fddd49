"""API of templates, variants, CSV import and launch batches (/api/v1/), thin over the services."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from agency.api.base import AgencyApi
from agency.api.fields import IdField
from agency.errors import ServiceError
from agency.jobs.api import JobOutput
from agency.roles import Capability
from campaigns import access as campaign_access
from campaigns.api.builder import (
    AdSetOutput,
    CampaignOutput,
    CampaignTreeOutput,
    CreativeOutput,
    _json_size,
)
from campaigns.launches import selectors
from campaigns.launches.access import access_batch_by_id, access_template_by_id
from campaigns.launches.models import TemplateKind
from campaigns.launches.naming import PATTERN_MAX
from campaigns.launches.services import batches, csv_import, templates, variants


def _require_build(api: AgencyApi) -> None:
    if not api.membership.can(Capability.BUILD_CAMPAIGNS):
        raise exceptions.PermissionDenied("Your role does not allow this.")


# --- templates ------------------------------------------------------------------------------

class TemplateOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    name = serializers.CharField()
    payload = serializers.JSONField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class TemplateListApi(AgencyApi):
    """GET: the agency's templates (`kind` filters). POST: save one, from a `payload` in the
    builder's shape or from a builder object (`adset_id`, `creative_id` or `campaign_id`)."""

    class InputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=TemplateKind.values)
        name = serializers.CharField(max_length=200)
        payload = serializers.DictField(required=False, validators=[
            lambda v: _json_size(v, limit=200_000)])
        adset_id = IdField(required=False)
        creative_id = IdField(required=False)
        campaign_id = IdField(required=False)
        all_creatives = serializers.BooleanField(default=False)

    @extend_schema(responses=TemplateOutput(many=True), parameters=[
        OpenApiParameter("kind", str, required=False, enum=TemplateKind.values)])
    def get(self, request):
        kind = request.query_params.get("kind")
        listed = selectors.template_list(agency=self.agency,
                                         kind=kind if kind in TemplateKind.values else None)
        return Response(TemplateOutput(listed[:1000], many=True).data)

    @extend_schema(request=InputSerializer, responses={201: TemplateOutput})
    def post(self, request):
        _require_build(self)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        source = _source(self, d)
        if source is not None:
            template = templates.template_save_from(kind=d["kind"], obj=source, name=d["name"],
                                                    actor=request.user,
                                                    all_creatives=d["all_creatives"])
        elif "payload" in d:
            template = templates.template_create(agency_id=self.agency.pk, kind=d["kind"],
                                                 name=d["name"], payload=d["payload"],
                                                 actor=request.user)
        else:
            raise ServiceError("Give a payload or the builder object to save.", field="payload")
        return Response(TemplateOutput(template).data, status=status.HTTP_201_CREATED)


def _source(api: AgencyApi, d: dict):
    if d.get("adset_id"):
        return campaign_access.access_adset_by_id(membership=api.membership,
                                                  adset_id=d["adset_id"])
    if d.get("creative_id"):
        return campaign_access.access_creative_by_id(membership=api.membership,
                                                     creative_id=d["creative_id"])
    if d.get("campaign_id"):
        return campaign_access.access_campaign_by_id(membership=api.membership,
                                                     campaign_id=d["campaign_id"])
    return None


class TemplateDetailApi(AgencyApi):
    class InputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=200)

    def _load(self, template_id):
        return access_template_by_id(membership=self.membership, template_id=template_id)

    @extend_schema(responses=TemplateOutput)
    def get(self, request, template_id: int):
        return Response(TemplateOutput(self._load(template_id)).data)

    @extend_schema(request=InputSerializer, responses=TemplateOutput)
    def patch(self, request, template_id: int):
        _require_build(self)
        template = self._load(template_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        templates.template_rename(template=template, name=data.validated_data["name"],
                                  actor=request.user)
        return Response(TemplateOutput(template).data)

    @extend_schema(responses={204: None})
    def delete(self, request, template_id: int):
        _require_build(self)
        templates.template_delete(template=self._load(template_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TemplateApplyOutput(serializers.Serializer):
    kind = serializers.CharField()
    adset = AdSetOutput(required=False)
    creative = CreativeOutput(required=False)
    campaign = CampaignTreeOutput(required=False)


class TemplateApplyApi(AgencyApi):
    """Fill a draft from the template: an ad set (audience, placements), a creative (one of a
    creative set, `index`), a campaign (campaign template); or, with `ad_account_id`, create a
    new draft campaign from a campaign template."""

    capability = Capability.BUILD_CAMPAIGNS

    class InputSerializer(serializers.Serializer):
        adset_id = IdField(required=False)
        creative_id = IdField(required=False)
        campaign_id = IdField(required=False)
        ad_account_id = IdField(required=False)
        name = serializers.CharField(max_length=400, required=False, allow_blank=True)
        index = serializers.IntegerField(min_value=0, max_value=49, default=0)

    @extend_schema(request=InputSerializer, responses={200: TemplateApplyOutput,
                                                       201: TemplateApplyOutput})
    def post(self, request, template_id: int):
        template = access_template_by_id(membership=self.membership, template_id=template_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        if d.get("ad_account_id"):
            account = campaign_access.access_ad_account_by_id(membership=self.membership,
                                                              ad_account_id=d["ad_account_id"])
            campaign = templates.campaign_create_from_template(
                template=template, ad_account=account, name=d.get("name", ""),
                actor=request.user, source="api")
            return Response(TemplateApplyOutput({"kind": "campaign", "campaign": campaign}).data,
                            status=status.HTTP_201_CREATED)
        target = _source(self, d)
        if target is None:
            raise ServiceError("Name the draft to fill: adset_id, creative_id or campaign_id.",
                               field="adset_id")
        obj = templates.template_apply(template=template, obj=target, actor=request.user,
                                       index=d["index"], source="api")
        key = {"AdSet": "adset", "AdCreative": "creative", "Campaign": "campaign"}[
            type(obj).__name__]
        return Response(TemplateApplyOutput({"kind": key, key: obj}).data)


# --- variants -------------------------------------------------------------------------------

class AxisSourceInput(serializers.Serializer):
    template_id = IdField(required=False)
    adset_id = IdField(required=False)
    creative_id = IdField(required=False)
    index = serializers.IntegerField(min_value=0, max_value=49, required=False)

    def validate(self, attrs):
        if len({"template_id", "adset_id", "creative_id"} & set(attrs)) != 1:
            raise serializers.ValidationError("Give one of template_id, adset_id, creative_id.")
        return attrs


class VariantInputSerializer(serializers.Serializer):
    audiences = AxisSourceInput(many=True, required=False, max_length=100)
    placements = AxisSourceInput(many=True, required=False, max_length=100)
    creatives = AxisSourceInput(many=True, required=False, max_length=100)
    split_by = serializers.ChoiceField(choices=variants.SPLITS, default="")
    campaign_pattern = serializers.CharField(max_length=PATTERN_MAX, required=False)
    adset_pattern = serializers.CharField(max_length=PATTERN_MAX, required=False)
    ad_pattern = serializers.CharField(max_length=PATTERN_MAX, required=False)

    def choice(self) -> variants.VariantInput:
        d = self.validated_data
        return variants.VariantInput(
            audiences=[dict(s) for s in d.get("audiences", [])],
            placements=[dict(s) for s in d.get("placements", [])],
            creatives=[dict(s) for s in d.get("creatives", [])],
            split_by=d["split_by"],
            **{k: d[k] for k in ("campaign_pattern", "adset_pattern", "ad_pattern") if k in d})


class PlannedAdOutput(serializers.Serializer):
    name = serializers.CharField()
    creative = serializers.CharField()


class PlannedAdSetOutput(serializers.Serializer):
    name = serializers.CharField()
    audience = serializers.CharField()
    placement = serializers.CharField()
    ads = PlannedAdOutput(many=True)


class PlannedCampaignOutput(serializers.Serializer):
    name = serializers.CharField()
    adsets = PlannedAdSetOutput(many=True)


class VariantPlanOutput(serializers.Serializer):
    currency = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    daily_total_minor = serializers.IntegerField()
    lifetime_total_minor = serializers.IntegerField()
    errors = serializers.DictField(child=serializers.CharField())
    campaigns = PlannedCampaignOutput(many=True)


def plan_data(plan: variants.VariantPlan) -> dict:
    return {
        "currency": plan.currency, "counts": plan.counts,
        "daily_total_minor": plan.daily_total_minor,
        "lifetime_total_minor": plan.lifetime_total_minor, "errors": plan.errors,
        "campaigns": [{"name": c.name, "adsets": [{
            "name": a.name, "audience": plan.audiences[a.audience].label,
            "placement": plan.placements[a.placement].label,
            "ads": [{"name": ad.name, "creative": plan.creatives[ad.creative].label}
                    for ad in a.ads]} for a in c.adsets]} for c in plan.campaigns],
    }


class BatchOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    source = serializers.CharField()
    ad_account_id = IdField()
    counts = serializers.DictField(child=serializers.IntegerField())
    campaigns = CampaignOutput(many=True, source="campaigns.all")
    job_id = IdField(allow_null=True)
    created_at = serializers.DateTimeField()


class VariantPreviewApi(AgencyApi):
    """What the variants would be (names, counts, budget totals, rule errors); creates nothing."""

    capability = Capability.BUILD_CAMPAIGNS

    @extend_schema(request=VariantInputSerializer, responses=VariantPlanOutput)
    def post(self, request, campaign_id: int):
        base = campaign_access.access_campaign_by_id(membership=self.membership,
                                                     campaign_id=campaign_id)
        data = VariantInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        plan = variants.variant_plan(base=base, choice=data.choice())
        return Response(VariantPlanOutput(plan_data(plan)).data)


class VariantGenerateApi(AgencyApi):
    """Create the variants as drafts (one transaction) and the batch that publishes them."""

    capability = Capability.BUILD_CAMPAIGNS

    @extend_schema(request=VariantInputSerializer, responses={201: BatchOutput})
    def post(self, request, campaign_id: int):
        base = campaign_access.access_campaign_by_id(membership=self.membership,
                                                     campaign_id=campaign_id)
        data = VariantInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        batch = variants.variants_generate(base=base, choice=data.choice(), actor=request.user,
                                           source="api")
        return Response(BatchOutput(batch).data, status=status.HTTP_201_CREATED)


# --- CSV import, batches --------------------------------------------------------------------

class CsvImportApi(AgencyApi):
    """Multipart `file`: one row per ad (columns: campaigns.launches.services.csv_import.COLUMNS,
    and the import page's template CSV). 201 with the batch of drafts, or 400 with every row
    error (`extra.rows`: row, column, message) and nothing created. `dry_run`: check only (200
    with the counts)."""

    capability = Capability.BUILD_CAMPAIGNS
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField()
        dry_run = serializers.BooleanField(default=False)

    class CheckOutput(serializers.Serializer):
        counts = serializers.DictField(child=serializers.IntegerField())

    @extend_schema(request={"multipart/form-data": InputSerializer},
                   responses={201: BatchOutput, 200: CheckOutput})
    def post(self, request, ad_account_id: int):
        account = campaign_access.access_ad_account_by_id(membership=self.membership,
                                                          ad_account_id=ad_account_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > csv_import.MAX_BYTES:
            raise csv_import.CsvImportError("The file is too large.", field="file")
        if data.validated_data["dry_run"]:
            result, batch = csv_import.csv_parse(ad_account=account, data=upload.read()), None
        else:
            result, batch = csv_import.csv_import(ad_account=account, data=upload.read(),
                                                  filename=upload.name or "upload.csv",
                                                  actor=request.user, source="api")
        if not result.errors and batch is None:
            return Response(self.CheckOutput({"counts": result.counts}).data)
        if batch is None:
            raise csv_import.CsvImportError(
                f"{len(result.errors)} error(s): nothing was created.",
                extra={"rows": [e.as_dict() for e in result.errors[:1000]]})
        return Response(BatchOutput(batch).data, status=status.HTTP_201_CREATED)


class BatchDetailApi(AgencyApi):
    @extend_schema(responses=BatchOutput)
    def get(self, request, batch_id: int):
        return Response(BatchOutput(access_batch_by_id(membership=self.membership,
                                                       batch_id=batch_id)).data)


class BatchPublishApi(AgencyApi):
    """Publish every draft of the batch as one bulk publish job."""

    capability = Capability.BUILD_CAMPAIGNS

    class InputSerializer(serializers.Serializer):
        leave_paused = serializers.BooleanField(default=False)

    @extend_schema(request=InputSerializer, responses={202: JobOutput})
    def post(self, request, batch_id: int):
        batch = access_batch_by_id(membership=self.membership, batch_id=batch_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = batches.batch_publish(batch=batch, actor=request.user,
                                    leave_paused=data.validated_data["leave_paused"])
        return Response(JobOutput(job).data, status=status.HTTP_202_ACCEPTED)
