"""The insights REST API (for clients' own BI tools): daily rows with filters, paginated;
client viewers see only their clients' rows."""

from __future__ import annotations

from datetime import timedelta

from django.core.paginator import Paginator
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from agency.access import visible_client_ids
from agency.api.base import AgencyApi
from agency.errors import ServiceError
from agency.ids import parse_graph_id
from agency.roles import Capability
from reporting.models import Breakdown, InsightRow, Level
from reporting.money import from_minor

METRICS = ("spend", "impressions", "reach", "frequency", "clicks", "link_clicks", "ctr", "cpc",
           "cpm", "actions", "action_values", "conversions", "conversion_value",
           "purchase_roas", "video_plays")
MAX_DAYS = 1200  # 37 months and a little


class InsightListApi(AgencyApi):
    """`GET /api/v1/insights/?level=campaign&since=…&until=…&client=…&account=…&breakdown=…
    &fields=spend,clicks&page=1&page_size=100`: daily rows as stored (reach per day, never a
    sum: ask Graph's range reach in the dashboards)."""

    capability = Capability.VIEW_REPORTS

    class InputSerializer(serializers.Serializer):
        client = serializers.IntegerField(required=False, min_value=1)
        account = serializers.CharField(required=False, max_length=40,
                                        help_text="Ad account id, with or without act_")
        level = serializers.ChoiceField(choices=Level.values, default=Level.CAMPAIGN)
        since = serializers.DateField(required=False)
        until = serializers.DateField(required=False)
        breakdown = serializers.ChoiceField(choices=Breakdown.values, default="",
                                            allow_blank=True)
        fields = serializers.CharField(required=False, max_length=300,
                                       help_text=f"Comma list of {', '.join(METRICS)}")
        page = serializers.IntegerField(required=False, min_value=1, max_value=100000,
                                        default=1)
        page_size = serializers.IntegerField(required=False, min_value=1, max_value=1000,
                                             default=100)

        def validate_fields(self, value: str) -> list[str]:
            names = [f.strip() for f in value.split(",") if f.strip()]
            unknown = sorted(set(names) - set(METRICS))
            if unknown:
                raise serializers.ValidationError(f"Unknown fields: {', '.join(unknown)[:200]}")
            return names

        def validate(self, data):
            today = timezone.now().date()
            data.setdefault("until", today)
            data.setdefault("since", data["until"] - timedelta(days=27))
            if data["since"] > data["until"]:
                raise serializers.ValidationError({"since": "since is after until."})
            if (data["until"] - data["since"]).days > MAX_DAYS:
                raise serializers.ValidationError({"since": "At most 37 months at a time."})
            return data

    class OutputSerializer(serializers.Serializer):
        class InsightRowOutput(serializers.Serializer):
            date = serializers.DateField()
            account_id = serializers.CharField()
            client_id = serializers.IntegerField()
            level = serializers.CharField()
            object_id = serializers.CharField()
            campaign_id = serializers.CharField()
            campaign_name = serializers.CharField()
            adset_id = serializers.CharField()
            adset_name = serializers.CharField()
            ad_id = serializers.CharField()
            ad_name = serializers.CharField()
            breakdown = serializers.CharField()
            breakdown_value = serializers.CharField()
            currency = serializers.CharField()
            metrics = serializers.DictField(child=serializers.JSONField())

        count = serializers.IntegerField()
        page = serializers.IntegerField()
        pages = serializers.IntegerField()
        results = InsightRowOutput(many=True)

    @extend_schema(parameters=[InputSerializer], responses=OutputSerializer)
    def get(self, request):
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        rows = InsightRow.objects.filter(level=data["level"], breakdown=data["breakdown"],
                                         date__gte=data["since"], date__lte=data["until"])
        allowed = visible_client_ids(membership=self.membership)
        if allowed is not None:
            rows = rows.filter(ad_account__client_id__in=allowed)
        if data.get("client"):
            rows = rows.filter(ad_account__client_id=data["client"])
        if data.get("account"):
            account = parse_graph_id(data["account"])
            if account is None:
                raise ServiceError("account is a numeric ad account id.", field="account")
            rows = rows.filter(ad_account__account_id=account)
        rows = rows.select_related("ad_account").order_by("date", "ad_account_id", "object_id",
                                                          "breakdown_value")
        paginator = Paginator(rows, data["page_size"])
        page = paginator.get_page(data["page"])
        wanted = data.get("fields") or list(METRICS)
        results = [self._row(r, wanted) for r in page.object_list]
        return Response(self.OutputSerializer({
            "count": paginator.count, "page": page.number, "pages": paginator.num_pages,
            "results": results}).data)

    @staticmethod
    def _row(row: InsightRow, wanted: list[str]) -> dict:
        values = {
            "spend": str(from_minor(row.spend_minor, row.currency)),
            "impressions": row.impressions, "reach": row.reach, "frequency": row.frequency,
            "clicks": row.clicks, "link_clicks": row.link_clicks, "ctr": row.ctr,
            "cpc": row.cpc, "cpm": row.cpm, "actions": row.actions,
            "action_values": {k: str(from_minor(v, row.currency))
                              for k, v in (row.action_values_minor or {}).items()},
            "conversions": row.conversions,
            "conversion_value": str(from_minor(row.conversion_value_minor, row.currency)),
            "purchase_roas": row.purchase_roas, "video_plays": row.video_plays,
        }
        return {
            "date": row.date, "account_id": row.ad_account.account_id,
            "client_id": row.ad_account.client_id, "level": row.level,
            "object_id": row.object_id, "campaign_id": row.campaign_id,
            "campaign_name": row.campaign_name, "adset_id": row.adset_id,
            "adset_name": row.adset_name, "ad_id": row.ad_id, "ad_name": row.ad_name,
            "breakdown": row.breakdown, "breakdown_value": row.breakdown_value,
            "currency": row.currency, "metrics": {k: values[k] for k in wanted},
        }
