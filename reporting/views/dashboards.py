"""Dashboards: the agency overview, client / ad account / campaign pages (the client viewer's
portal is the same pages without staff controls), on-demand refresh and the lookback setting."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from agency import selectors as agency_selectors
from agency.access import access_client_by_id
from agency.errors import ServiceError
from agency.roles import Capability
from agency.web import AgencyViewMixin
from reporting import selectors
from reporting.access import (
    access_ad_account_by_id,
    access_campaign_of_account,
)
from reporting.forms import LookbackSetForm
from reporting.models import Breakdown, Level, ReportBranding
from reporting.ranges import PRESETS, DateRange, range_from_params
from reporting.services import refresh as refresh_services
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
                                              campaign_id=self.kwargs["graph_campaign_id"])
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
        form = LookbackSetForm(request.POST)
        if not form.is_valid():
            messages.error(request, "The lookback window is a whole number of days, 1 to 90.")
            return redirect("reporting:ad-account", ad_account_id=account.pk)
        try:
            refresh_services.insights_lookback_set(
                ad_account=account, lookback_days=form.cleaned_data["lookback_days"],
                actor=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Lookback window saved.")
        return redirect("reporting:ad-account", ad_account_id=account.pk)
