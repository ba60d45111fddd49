"""CSV exports of the reporting tables (streamed where they can be long; formulas neutralised)."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse

from agency import selectors as agency_selectors
from agency.access import access_client_by_id
from agency.tenancy import agency_scope
from reporting import selectors
from reporting.access import (
    access_ad_account_by_id,
    access_campaign_of_account,
)
from reporting.models import Breakdown, Level
from reporting.views.dashboards import ReportPage

CSV_COLUMNS = [
    ("Name", "name"), ("Object id", "object_id"), ("Campaign", "campaign_name"),
    ("Currency", "currency"), ("Spend", "spend"), ("Impressions", "impressions"),
    ("Clicks", "clicks"), ("Link clicks", "link_clicks"), ("CTR %", "ctr"), ("CPC", "cpc"),
    ("CPM", "cpm"), ("Conversions", "conversions"), ("ROAS", "roas"),
    ("Video plays", "video_plays"),
]  # fmt: skip


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".")
    text = str(value)
    # A cell starting with = + - @ is a formula to spreadsheets: neutralise it.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


SERIES_COLUMNS = [("Date", "date"), ("Spend", "spend"), ("Impressions", "impressions"),
                  ("Clicks", "clicks"), ("Conversions", "conversions")]
BREAKDOWN_COLUMNS = [
    ("Breakdown value", "label"), ("Currency", "currency"), ("Spend", "spend"),
    ("Impressions", "impressions"), ("Clicks", "clicks"), ("CTR %", "ctr"),
    ("Conversions", "conversions"),
]  # fmt: skip


def _csv_response(rows, filename: str, columns=CSV_COLUMNS) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow([title for title, _ in columns])
        for row in rows:
            yield writer.writerow([_cell(row.get(key)) for _, key in columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class _CsvView(ReportPage):
    levels: tuple[str, ...] = ()

    def table_level(self) -> str:
        level = str(self.request.GET.get("table") or self.levels[0])[:10]
        return level if level in (*self.levels, "daily", "breakdown") else self.levels[0]

    def stream(self, scope, accounts, name: str):
        date_range, _ = self.date_range(accounts)
        level = self.table_level()
        if level in ("daily", "breakdown"):
            return self.small_table(scope, date_range, level, name)
        sort = str(self.request.GET.get("sort") or "-spend")[:20]
        agency_id = self.agency.pk

        def rows():
            # Streamed after the view returned: the generator sets the tenant scope itself.
            with agency_scope(agency_id):
                yield from selectors.table_csv_rows(scope=scope, date_range=date_range,
                                                    level=level, sort=sort)

        filename = f"{name}-{level}-{date_range.since}-{date_range.until}.csv"
        return _csv_response(rows(), filename)


    def small_table(self, scope, date_range, table: str, name: str):
        """The daily series or a breakdown (bounded sizes: built, then written)."""
        if table == "daily":
            series = selectors.insights_series(scope=scope, date_range=date_range)
            rows = [{"date": d, "spend": series["spend"][i],
                     "impressions": series["impressions"][i], "clicks": series["clicks"][i],
                     "conversions": series["conversions"][i]}
                    for i, d in enumerate(series["labels"])]
            columns = SERIES_COLUMNS
        else:
            breakdown = str(self.request.GET.get("breakdown") or Breakdown.AGE_GENDER)[:64]
            if breakdown not in Breakdown.values or not breakdown:
                breakdown = Breakdown.AGE_GENDER
            rows = selectors.insights_breakdown(scope=scope, date_range=date_range,
                                                breakdown=breakdown)
            columns = BREAKDOWN_COLUMNS
            table = f"{table}-{breakdown.replace(',', '-')}"
        filename = f"{name}-{table}-{date_range.since}-{date_range.until}.csv"
        return _csv_response(rows, filename, columns)


OVERVIEW_COLUMNS = [
    ("Client", "client"), ("Currency", "currency"), ("Spend", "spend"),
    ("Spend, previous period", "previous_spend"), ("Spend change %", "spend_change"),
    ("Impressions", "impressions"), ("Clicks", "clicks"), ("CTR %", "ctr"),
    ("Conversions", "conversions"), ("ROAS", "roas"),
]  # fmt: skip


class OverviewCsvView(ReportPage):
    """The overview table (every client one may see) as CSV."""

    def get(self, request):
        clients = list(agency_selectors.client_list(agency=self.agency,
                                                    membership=self.membership))
        date_range, _ = self.date_range(selectors.ad_accounts_of(clients=clients))
        rows = [
            {"client": item["client"].name, "currency": line["currency"],
             "spend": line["current"]["spend"], "previous_spend": line["previous"]["spend"],
             "spend_change": line["spend_change"], **{k: line["current"][k] for k in (
                 "impressions", "clicks", "ctr", "conversions", "roas")}}
            for item in selectors.clients_overview(clients=clients, date_range=date_range)
            for line in item["lines"]
        ]
        # One line per client and currency: small, so written at once (not streamed).
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([title for title, _ in OVERVIEW_COLUMNS])
        for row in rows:
            writer.writerow([_cell(row.get(key)) for _, key in OVERVIEW_COLUMNS])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="overview-{date_range.since}-{date_range.until}.csv"')
        return response


class ClientCsvView(_CsvView):
    levels = (Level.CAMPAIGN, Level.ACCOUNT, Level.ADSET, Level.AD)

    def get(self, request, client_id: int):
        client = access_client_by_id(membership=self.membership, client_id=client_id)
        accounts = selectors.ad_accounts_of(clients=[client])
        return self.stream(selectors.Scope(ad_accounts=accounts), accounts, f"client-{client.pk}")


class AdAccountCsvView(_CsvView):
    levels = (Level.CAMPAIGN, Level.ADSET, Level.AD)

    def get(self, request, ad_account_id: int):
        account = access_ad_account_by_id(membership=self.membership,
                                          ad_account_id=ad_account_id)
        return self.stream(selectors.Scope(ad_accounts=[account]), [account],
                           f"account-{account.account_id}")


class CampaignCsvView(_CsvView):
    levels = (Level.AD, Level.ADSET)

    def get(self, request, ad_account_id: int, graph_campaign_id: str):
        account = access_ad_account_by_id(membership=self.membership,
                                          ad_account_id=ad_account_id)
        campaign = access_campaign_of_account(ad_account=account, campaign_id=graph_campaign_id)
        return self.stream(selectors.Scope(ad_accounts=[account], campaign_id=campaign["id"]),
                           [account], f"campaign-{campaign['id']}")
