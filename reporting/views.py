"""Reporting pages: the agency overview, client / ad account / campaign dashboards (the client
viewer's portal is the same pages without staff controls), on-demand refresh, CSV exports and
scheduled reports. Views stay thin: access functions load, selectors read, services write."""

from __future__ import annotations

import csv
import io
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from agency import selectors as agency_selectors
from agency.access import access_client_by_id
from agency.errors import ServiceError
from agency.roles import Capability
from agency.tenancy import agency_scope
from agency.web import AgencyViewMixin
from reporting import selectors
from reporting.access import (
    access_ad_account_by_id,
    access_campaign_of_account,
    access_scheduled_report_by_id,
)
from reporting.forms import ReportLogoForm, ScheduledReportCreateForm
from reporting.models import Breakdown, Level, ReportBranding, ScheduledReport
from reporting.ranges import PRESETS, DateRange, range_from_params
from reporting.services import branding as branding_services
from reporting.services import refresh as refresh_services
from reporting.services import scheduled as scheduled_services
from reporting.services.reach import range_reach

BREAKDOWN_CHOICES = [b for b in Breakdown.choices if b[0]]
TABLE_TITLES = {Level.ACCOUNT: "Ad accounts", Level.CAMPAIGN: "Campaigns",
                Level.ADSET: "Ad sets", Level.AD: "Ads"}


class ReportPage(AgencyViewMixin, TemplateView):
    capability = Capability.VIEW_REPORTS

    @property
    def is_staff(self) -> bool:
        return self.membership.can(Capability.VIEW_AGENCY)

    def date_range(self, ad_accounts) -> tuple[DateRange, str | None]:
        today = (refresh_services.account_today(ad_account=ad_accounts[0]) if ad_accounts
                 else date.today())
        return range_from_params(self.request.GET, today=today)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_staff"] = self.is_staff
        context["presets"] = PRESETS
        context["logo_version"] = (ReportBranding.objects.filter(logo_png__isnull=False)
                                   .values_list("updated_at", flat=True).first())
        return context


def _table(request, scope, date_range, level, *, reach_accounts=None, with_thumbs=False):
    prefix = level
    page, sort = selectors.insights_table(
        scope=scope, date_range=date_range, level=level,
        sort=str(request.GET.get(f"{prefix}_sort") or "-spend")[:20],
        page=str(request.GET.get(f"{prefix}_page") or "1")[:6])
    reach: dict[str, object] = {}
    reach_ok = True
    for account in reach_accounts or []:
        found, ok = range_reach(ad_account=account, level=level, since=date_range.since,
                                until=date_range.until)
        reach.update(found)
        reach_ok = reach_ok and ok
    thumbs = selectors.thumbnails(ad_accounts=scope.ad_accounts,
                                  ad_ids=[r["object_id"] for r in page.object_list]
                                  ) if with_thumbs else {}
    for row in page.object_list:
        got = reach.get(row["object_id"])
        row["reach"] = getattr(got, "reach", None)
        row["frequency"] = getattr(got, "frequency", None)
        row["thumbnail"] = thumbs.get(row["object_id"], "")
    return {"level": level, "title": TABLE_TITLES[level], "page": page, "sort": sort,
            "prefix": prefix, "reach_available": reach_ok, "with_thumbs": with_thumbs}


def _dashboard(request, *, scope, date_range, tables, breakdown_level=None):
    kpis = selectors.insights_kpis(scope=scope, date_range=date_range)
    if len(scope.ad_accounts) == 1 and kpis:
        account = scope.ad_accounts[0]
        found, _ = range_reach(ad_account=account, level=scope.level, since=date_range.since,
                               until=date_range.until)
        row = found.get(scope.campaign_id or account.account_id)
        kpis[0].reach = getattr(row, "reach", None)
        kpis[0].frequency = getattr(row, "frequency", None)
    breakdown = str(request.GET.get("breakdown") or Breakdown.AGE_GENDER)[:64]
    if breakdown not in Breakdown.values or not breakdown:
        breakdown = Breakdown.AGE_GENDER
    return {
        "scope": scope,
        "date_range": date_range,
        "previous_range": date_range.previous(),
        "kpis": kpis,
        "series": selectors.insights_series(scope=scope, date_range=date_range),
        "breakdown": breakdown,
        "breakdown_choices": BREAKDOWN_CHOICES,
        "breakdown_rows": selectors.insights_breakdown(scope=scope, date_range=date_range,
                                                       breakdown=breakdown)[:30],
        "tables": tables,
        "states": list(refresh_services.refresh_states(ad_accounts=scope.ad_accounts).values()),
    }


class ReportsHomeView(ReportPage):
    """Staff: the agency overview of every client. A client viewer: the same overview of the
    clients granted to it, each linking to its dashboard."""

    template_name = "reporting/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        clients = list(agency_selectors.client_list(agency=self.agency,
                                                    membership=self.membership))
        accounts = selectors.ad_accounts_of(clients=clients)
        date_range, error = self.date_range(accounts)
        context.update(clients=clients, date_range=date_range, range_error=error,
                       overview=selectors.clients_overview(clients=clients,
                                                           date_range=date_range))
        return context


class ClientReportView(ReportPage):
    template_name = "reporting/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        client = access_client_by_id(membership=self.membership,
                                     client_id=self.kwargs["client_id"])
        accounts = selectors.ad_accounts_of(clients=[client])
        date_range, error = self.date_range(accounts)
        scope = selectors.Scope(ad_accounts=accounts)
        tables = [
            _table(self.request, scope, date_range, Level.ACCOUNT, reach_accounts=accounts),
            _table(self.request, scope, date_range, Level.CAMPAIGN, reach_accounts=accounts),
        ] if accounts else []
        context.update(_dashboard(self.request, scope=scope, date_range=date_range,
                                  tables=tables))
        context.update(client=client, title=client.name, range_error=error,
                       csv_url=reverse("reporting:client-csv", args=[client.pk]),
                       crumbs=[("Reports", reverse("reporting:home"))])
        return context


class AdAccountReportView(ReportPage):
    template_name = "reporting/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = access_ad_account_by_id(membership=self.membership,
                                          ad_account_id=self.kwargs["ad_account_id"])
        date_range, error = self.date_range([account])
        scope = selectors.Scope(ad_accounts=[account])
        tables = [_table(self.request, scope, date_range, Level.CAMPAIGN,
                         reach_accounts=[account])]
        context.update(_dashboard(self.request, scope=scope, date_range=date_range,
                                  tables=tables))
        state = context["states"][0] if context["states"] else None
        refresh_job = None
        if self.is_staff and state is not None and state.job_id:
            from agency.jobs.models import Job

            refresh_job = Job.objects.filter(pk=state.job_id).first()
        context.update(
            refresh_job=refresh_job, refresh_state=state,
            can_manage=self.membership.can(Capability.MANAGE_CLIENTS),
            client=account.client, ad_account=account, title=account.name, range_error=error,
            csv_url=reverse("reporting:ad-account-csv", args=[account.pk]),
            crumbs=[("Reports", reverse("reporting:home")),
                    (account.client.name, reverse("reporting:client", args=[account.client_id]))],
        )
        return context


class CampaignReportView(ReportPage):
    template_name = "reporting/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = access_ad_account_by_id(membership=self.membership,
                                          ad_account_id=self.kwargs["ad_account_id"])
        campaign = access_campaign_of_account(ad_account=account,
                                              campaign_id=self.kwargs["campaign_id"])
        date_range, error = self.date_range([account])
        scope = selectors.Scope(ad_accounts=[account], campaign_id=campaign["id"])
        tables = [
            _table(self.request, scope, date_range, Level.ADSET, reach_accounts=[account]),
            _table(self.request, scope, date_range, Level.AD, reach_accounts=[account],
                   with_thumbs=True),
        ]
        context.update(_dashboard(self.request, scope=scope, date_range=date_range,
                                  tables=tables))
        context.update(
            client=account.client, ad_account=account, campaign=campaign,
            title=campaign["name"], range_error=error,
            csv_url=reverse("reporting:campaign-csv", args=[account.pk, campaign["id"]]),
            crumbs=[("Reports", reverse("reporting:home")),
                    (account.client.name, reverse("reporting:client", args=[account.client_id])),
                    (account.name, reverse("reporting:ad-account", args=[account.pk]))],
        )
        return context


class AdAccountRefreshView(AgencyViewMixin, View):
    """Staff start an on-demand refresh; the page shows its progress bar."""

    capability = Capability.VIEW_AGENCY

    def post(self, request, ad_account_id: int):
        account = access_ad_account_by_id(membership=self.membership,
                                          ad_account_id=ad_account_id)
        try:
            job = refresh_services.insights_refresh_start(ad_account=account, actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("reporting:ad-account", ad_account_id=account.pk)
        if request.headers.get("HX-Request"):
            return render(request, "reporting/_refresh_started.html", {"job": job})
        messages.success(request, "Refresh started: the numbers update as it goes.")
        return redirect("reporting:ad-account", ad_account_id=account.pk)


class AdAccountLookbackView(AgencyViewMixin, View):
    """Managers set how many days each refresh re-reads (attributed conversions change)."""

    capability = Capability.MANAGE_CLIENTS

    def post(self, request, ad_account_id: int):
        account = access_ad_account_by_id(membership=self.membership,
                                          ad_account_id=ad_account_id)
        raw = str(request.POST.get("lookback_days") or "")[:4]
        try:
            refresh_services.insights_lookback_set(
                ad_account=account, lookback_days=int(raw) if raw.isdigit() else 0,
                actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Lookback window saved.")
        return redirect("reporting:ad-account", ad_account_id=account.pk)


# --- CSV -------------------------------------------------------------------------------------

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

    def get(self, request, ad_account_id: int, campaign_id: str):
        account = access_ad_account_by_id(membership=self.membership,
                                          ad_account_id=ad_account_id)
        campaign = access_campaign_of_account(ad_account=account, campaign_id=campaign_id)
        return self.stream(selectors.Scope(ad_accounts=[account], campaign_id=campaign["id"]),
                           [account], f"campaign-{campaign['id']}")


# --- scheduled reports ------------------------------------------------------------------------


class ScheduledReportListView(ReportPage):
    """A client's scheduled reports (staff); managers add and remove them."""

    capability = Capability.VIEW_AGENCY
    template_name = "reporting/schedules.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        client = access_client_by_id(membership=self.membership,
                                     client_id=self.kwargs["client_id"])
        context.update(client=client, form=kwargs.get("form") or ScheduledReportCreateForm(),
                       reports=list(ScheduledReport.objects.filter(client=client)),
                       can_manage=self.membership.can(Capability.MANAGE_CLIENTS))
        return context

    def post(self, request, client_id: int):
        client = access_client_by_id(membership=self.membership, client_id=client_id)
        if not self.membership.can(Capability.MANAGE_CLIENTS):
            raise PermissionDenied("Your role does not allow scheduling reports.")
        form = ScheduledReportCreateForm(request.POST)
        if form.is_valid():
            try:
                scheduled_services.scheduled_report_create(
                    client=client, actor=request.user, **form.cleaned_data)
            except ServiceError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(request, "Report scheduled.")
                return redirect("reporting:schedules", client_id=client.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ScheduledReportPreviewView(ReportPage):
    capability = Capability.VIEW_AGENCY
    template_name = "reporting/schedule_preview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = access_scheduled_report_by_id(membership=self.membership,
                                               report_id=self.kwargs["report_id"])
        content = scheduled_services.report_content(report=report)
        context.update(report=report, content=content, preview=True,
                       chart_data_uri=scheduled_services.chart_data_uri(content=content))
        return context


class ScheduledReportPdfView(ReportPage):
    capability = Capability.VIEW_AGENCY

    def get(self, request, report_id: int):
        report = access_scheduled_report_by_id(membership=self.membership, report_id=report_id)
        content = scheduled_services.report_content(report=report)
        response = HttpResponse(scheduled_services.report_pdf(content=content),
                                content_type="application/pdf")
        response["Content-Disposition"] = (
            f'inline; filename="report-{report.client_id}-{content.period}.pdf"')
        return response


class ScheduledReportSendView(AgencyViewMixin, View):
    capability = Capability.MANAGE_CLIENTS

    def post(self, request, report_id: int):
        report = access_scheduled_report_by_id(membership=self.membership, report_id=report_id)
        scheduled_services.scheduled_report_send_start(report=report, actor=request.user,
                                                       force=True)
        messages.success(request, "The report is on its way.")
        return redirect("reporting:schedules", client_id=report.client_id)


class ScheduledReportDeleteView(AgencyViewMixin, View):
    capability = Capability.MANAGE_CLIENTS

    def post(self, request, report_id: int):
        report = access_scheduled_report_by_id(membership=self.membership, report_id=report_id)
        client_id = report.client_id
        scheduled_services.scheduled_report_delete(report=report, actor=request.user)
        messages.success(request, "Scheduled report removed.")
        return redirect("reporting:schedules", client_id=client_id)


# --- the agency's mark on its reports -------------------------------------------------------


class ReportLogoView(AgencyViewMixin, View):
    """The agency's logo (PNG re-encoded on upload), for its members' report pages."""

    capability = Capability.VIEW_REPORTS

    def get(self, request):
        data = (ReportBranding.objects.filter(logo_png__isnull=False)
                .values_list("logo_png", flat=True).first())
        if not data:
            from django.http import Http404

            raise Http404("No logo.")
        response = HttpResponse(bytes(data), content_type="image/png")
        response["Cache-Control"] = "private, max-age=3600"
        response["X-Content-Type-Options"] = "nosniff"
        return response


class ReportBrandingView(ReportPage):
    """Managers upload the logo their clients see on reports and emails."""

    capability = Capability.MANAGE_CLIENTS
    template_name = "reporting/branding.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or ReportLogoForm()
        return context

    def post(self, request):
        if request.POST.get("remove"):
            branding_services.report_logo_remove(agency=self.agency, actor=request.user)
            messages.success(request, "Logo removed.")
            return redirect("reporting:branding")
        form = ReportLogoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                branding_services.report_logo_set(agency=self.agency, actor=request.user,
                                                  data=form.cleaned_data["logo"].read())
            except ServiceError as exc:
                form.add_error("logo", exc.message)
            else:
                messages.success(request, "Logo saved: your clients see it on their reports.")
                return redirect("reporting:branding")
        return self.render_to_response(self.get_context_data(form=form), status=400)
